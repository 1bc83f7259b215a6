"""SimCLR's contrastive loss (NT-Xent) and a toy self-supervised example.

SimCLR (Chen et al., arXiv:2002.05709) learns without labels: it makes two random augmentations
("views") of each example, embeds both, and trains the encoder so that the two views of the same
example are more similar to each other than to any view of the other examples in the batch.
The loss for a batch of ``N`` examples (``2N`` views) is the *normalised temperature-scaled
cross-entropy*: for view ``i`` with positive partner ``p(i)``,

    loss_i = -log( exp(sim(z_i, z_p(i)) / t) / sum_{k != i} exp(sim(z_i, z_k) / t) )

where ``sim`` is the cosine similarity and ``t`` the temperature, averaged over all ``2N`` views.

Toy data (``shifted_signals``): short periodic signals of one of ``n_classes`` frequencies with a
random phase. The augmentation shifts the signal in time and adds noise, so the encoder must
learn features that ignore the phase. The class labels are used only to evaluate the embedding.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def nt_xent_loss(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.5) -> torch.Tensor:
    """SimCLR's NT-Xent loss.

    Args:
        z1, z2: embeddings of the two views, shape ``(N, d)``; row ``i`` of ``z1`` and row ``i`` of
            ``z2`` come from the same example. They need not be normalised.
        temperature: ``t > 0``; smaller makes the loss focus on the hardest negatives.

    Returns:
        A scalar tensor, the mean over the ``2N`` views.
    """
    if z1.shape != z2.shape or z1.dim() != 2:
        raise ValueError(f"z1 and z2 must both have shape (N, d); got {tuple(z1.shape)} and {tuple(z2.shape)}.")
    n = z1.shape[0]
    z = nn.functional.normalize(torch.cat([z1, z2]), dim=1)           # (2N, d), unit length
    sim = z @ z.T / temperature                                          # cosine similarities / t
    sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool, device=z.device), float("-inf"))  # k != i
    positive = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)  # partner of each view
    return nn.functional.cross_entropy(sim, positive)


def shifted_signals(n: int, *, length: int = 32, n_classes: int = 4, seed: int = 0
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` signals ``sin(2 pi f (t + phase) / length)``, ``f`` = class + 1, random phase.

    Returns ``x`` float32 ``(n, length)`` and the class ``y`` int64 ``(n,)``.
    """
    gen = torch.Generator().manual_seed(seed)
    y = torch.randint(0, n_classes, (n,), generator=gen)
    phase = torch.rand(n, 1, generator=gen) * length
    t = torch.arange(length).float()
    x = torch.sin(2 * math.pi * (y[:, None] + 1).float() * (t + phase) / length)
    return x, y


def augment(x: torch.Tensor, generator: torch.Generator, noise: float = 0.3) -> torch.Tensor:
    """A random view: each signal rolled by a random number of steps, plus Gaussian noise."""
    n, length = x.shape
    shift = torch.randint(0, length, (n, 1), generator=generator)
    idx = (torch.arange(length)[None, :] + shift) % length
    return torch.gather(x, 1, idx) + noise * torch.randn(x.shape, generator=generator)


def make_encoder(length: int = 32, hidden: int = 64, dim: int = 16) -> nn.Module:
    """Signal ``(batch, length)`` -> embedding ``(batch, dim)``."""
    return nn.Sequential(nn.Linear(length, hidden), nn.ReLU(), nn.Linear(hidden, dim))


def knn_accuracy(train_z: torch.Tensor, train_y: torch.Tensor, test_z: torch.Tensor, test_y: torch.Tensor,
                 k: int = 5) -> float:
    """Accuracy of a ``k``-nearest-neighbour vote with cosine similarity (how usable an embedding is)."""
    a = nn.functional.normalize(train_z, dim=1)
    b = nn.functional.normalize(test_z, dim=1)
    nearest = (b @ a.T).topk(k, dim=1).indices                           # (n_test, k)
    votes = train_y[nearest]
    pred = torch.mode(votes, dim=1).values
    return (pred == test_y).float().mean().item()


def train_simclr(steps: int = 200, *, batch: int = 128, temperature: float = 0.5, lr: float = 3e-3,
                 n_labelled: int = 20, eval_noise: float = 0.5, k: int = 3, seed: int = 0) -> dict:
    """Train ``make_encoder()`` with NT-Xent on augmented ``shifted_signals``, labels unused.

    Evaluation: ``n_labelled`` labelled signals and 400 test signals, all augmented with
    ``eval_noise``; a ``k``-nearest-neighbour vote classifies the test signals.

    Returns a dict: ``"encoder"``; ``"loss"`` (per step); ``"knn_raw"``, ``"knn_before"``,
    ``"knn_after"``: k-NN accuracy on the raw signals, the untrained and the trained embedding;
    ``"z_before"``, ``"z_after"`` (test embeddings, ``(400, 16)``) and ``"y_test"``.
    """
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    encoder = make_encoder()
    # evaluation: few labelled noisy signals (n_labelled), many noisy test signals
    eval_gen = torch.Generator().manual_seed(seed + 1)
    x_train, y_train = shifted_signals(n_labelled, seed=seed + 1)
    x_test, y_test = shifted_signals(400, seed=seed + 2)
    x_train, x_test = augment(x_train, eval_gen, noise=eval_noise), augment(x_test, eval_gen, noise=eval_noise)

    def knn(f) -> float:
        with torch.no_grad():
            return knn_accuracy(f(x_train), y_train, f(x_test), y_test, k=k)

    result = {"knn_raw": knn(lambda x: x), "knn_before": knn(encoder), "loss": [], "y_test": y_test}
    with torch.no_grad():
        result["z_before"] = encoder(x_test)
    opt = torch.optim.Adam(encoder.parameters(), lr=lr)
    for _ in range(steps):
        x, _ = shifted_signals(batch, seed=int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
        loss = nt_xent_loss(encoder(augment(x, gen)), encoder(augment(x, gen)), temperature)
        opt.zero_grad()
        loss.backward()
        opt.step()
        result["loss"].append(loss.item())
    result["knn_after"] = knn(encoder)
    with torch.no_grad():
        result["z_after"] = encoder(x_test)
    result["encoder"] = encoder
    return result


def _pca2(z: torch.Tensor) -> torch.Tensor:
    z = nn.functional.normalize(z, dim=1)
    z = z - z.mean(0)
    _, _, v = torch.linalg.svd(z, full_matrices=False)
    return z @ v[:2].T


def plot_simclr(result: dict, batch: int = 128, *, figsize=(11, 3.4)):
    """Loss per step, and the test embeddings (first two principal components) before and after training,
    coloured by the class the encoder never saw. Returns the Figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=figsize)
    axes[0].plot(result["loss"])
    axes[0].axhline(math.log(2 * batch - 1), color="grey", ls=":", label="log(2N-1): no better than chance")
    axes[0].set(title="NT-Xent loss (no labels used)", xlabel="step", ylabel="loss")
    axes[0].legend(fontsize=8)
    y = result["y_test"]
    for ax, key, acc in ((axes[1], "z_before", result["knn_before"]), (axes[2], "z_after", result["knn_after"])):
        p = _pca2(result[key])
        sc = ax.scatter(p[:, 0], p[:, 1], c=y, cmap="tab10", vmin=0, vmax=9, s=6)
        ax.set(title=f"{'untrained' if key == 'z_before' else 'trained'} encoder (k-NN acc {acc:.2f})",
               xlabel="principal component 1", ylabel="principal component 2")
    axes[2].legend(*sc.legend_elements(), title="frequency class", fontsize=7, title_fontsize=7)
    fig.tight_layout()
    return fig

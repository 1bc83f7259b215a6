"""Residual connections and the *degradation problem* of He et al. (2016), in miniature.

He, Zhang, Ren and Sun (arXiv:1512.03385, section 4.1) trained *plain* networks of 18 and 34 layers,
properly initialised and with batch normalisation, and found that the deeper one had the *higher
training error*. Not overfitting (it is the training error), and, they argue, not vanishing
gradients either: batch normalisation keeps the forward signals and the backward gradients at
healthy sizes. Deep plain networks are simply harder to optimise. Adding identity shortcuts
(``h_next = relu(h + f(h))``) removed the problem: their 34-layer residual network trained better
than the 18-layer one.

The toy version: two-spiral points, networks of ``width`` units per hidden layer, every hidden
layer ``Linear -> BatchNorm -> ReLU``, all weights ``kaiming_normal_`` and biases zero, full-batch
SGD with momentum. ``compare`` trains a shallow plain net, a deep plain net and a deep residual net
from several seeds.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch
from torch import nn


def two_spirals(n: int = 400, *, noise: float = 0.05, turns: float = 1.5, seed: int = 0
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` points on two interleaved spiral arms.

    Returns:
        ``x``: float32 of shape ``(n, 2)``, roughly in ``[-1, 1]``; ``y``: int64 of shape ``(n,)``, 0 or 1
        (half of each).
    """
    gen = torch.Generator().manual_seed(seed)
    half = n // 2
    t = torch.rand(n, generator=gen) ** 0.5          # more points far from the centre
    angle = t * turns * 2 * math.pi
    y = torch.cat([torch.zeros(half, dtype=torch.long), torch.ones(n - half, dtype=torch.long)])
    angle = angle + y * math.pi                                       # the second arm is the first rotated
    x = torch.stack([t * torch.cos(angle), t * torch.sin(angle)], dim=1)
    x = x + noise * torch.randn(n, 2, generator=gen)
    return x.float(), y


class DeepMLP(nn.Module):
    """``Linear(in, width)`` -> ``depth`` hidden layers -> ``Linear(width, out)``.

    A plain hidden layer is ``h = relu(bn(linear(h)))``; with ``residual=True`` it is the residual
    block ``h = relu(h + bn(linear(h)))`` (the shortcut adds the layer's input back). Same
    parameters either way. Weights ``kaiming_normal_`` (He et al., 2015), biases zero.
    Input ``(batch, in_dim)``, output logits ``(batch, out_dim)``.
    """

    def __init__(self, depth: int = 12, width: int = 16, in_dim: int = 2, out_dim: int = 2,
                 residual: bool = False):
        super().__init__()
        self.residual = residual
        self.inp = nn.Linear(in_dim, width)
        self.hidden = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
        self.norms = nn.ModuleList(nn.BatchNorm1d(width) for _ in range(depth))
        self.out = nn.Linear(width, out_dim)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.inp(x)
        for layer, norm in zip(self.hidden, self.norms):
            f = norm(layer(h))
            h = torch.relu(h + f) if self.residual else torch.relu(f)
        return self.out(h)


def train_classifier(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, steps: int = 120, lr: float = 0.02,
                     momentum: float = 0.9) -> dict[str, list[float]]:
    """Full-batch SGD with momentum on cross-entropy.

    Returns ``{"loss": [...], "first_grad": [...]}``: the training loss at every step and the
    gradient norm of the first hidden layer's weights (how strongly the bottom of the network is
    told to change).
    """
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    first = model.hidden[0].weight if hasattr(model, "hidden") else next(model.parameters())
    history: dict[str, list[float]] = {"loss": [], "first_grad": []}
    model.train()
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        history["loss"].append(loss.item())
        history["first_grad"].append(first.grad.norm().item())
        opt.step()
    return history


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of ``x`` classified as ``y`` (argmax of the logits), in evaluation mode."""
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


#: The three networks of the lesson: name -> (depth, residual).
NETWORKS = {"plain, 3 layers": (3, False), "plain, 24 layers": (24, False), "residual, 24 layers": (24, True)}


def compare(networks: dict[str, tuple[int, bool]] = NETWORKS, *, seeds: Sequence[int] = (0, 1, 2),
            width: int = 16, steps: int = 120, lr: float = 0.02, n: int = 400) -> dict[str, dict]:
    """Train each network from each seed on ``two_spirals(n, seed=0)``.

    Returns ``{name: result}``; ``result["loss"]`` is a float array ``(len(seeds), steps)`` of
    training losses, ``result["first_grad"]`` the same shape of first-layer gradient norms,
    ``result["accuracy"]`` the final training accuracy per seed, ``result["models"]`` the trained
    models, and ``"x"``, ``"y"`` the data. About 5-10 seconds on one CPU thread with the defaults.
    """
    x, y = two_spirals(n, seed=0)
    results = {}
    for name, (depth, residual) in networks.items():
        losses, grads, accs, models = [], [], [], []
        for seed in seeds:
            torch.manual_seed(seed)
            model = DeepMLP(depth, width, residual=residual)
            history = train_classifier(model, x, y, steps=steps, lr=lr)
            losses.append(history["loss"])
            grads.append(history["first_grad"])
            accs.append(accuracy(model, x, y))
            models.append(model)
        results[name] = {"loss": np.array(losses), "first_grad": np.array(grads), "accuracy": np.array(accs),
                         "models": models, "depth": depth, "residual": residual, "x": x, "y": y}
    return results


def plot_comparison(results: dict[str, dict], *, figsize=(11, 3.8)):
    """Left: training loss per step (thin: each seed; thick: the median). Right: the gradient norm
    reaching the first hidden layer. Returns the Figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=figsize)
    for (name, res), color in zip(results.items(), ("tab:blue", "tab:red", "tab:green", "tab:purple")):
        for curve in res["loss"]:
            axes[0].semilogy(curve, color=color, lw=0.6, alpha=0.45)
        axes[0].semilogy(np.median(res["loss"], axis=0), color=color, lw=2, label=name)
        axes[1].semilogy(np.median(res["first_grad"], axis=0), color=color, lw=2, label=name)
    axes[0].set(title="Training loss (thin: 3 seeds, thick: median)", xlabel="step",
                ylabel="cross-entropy on the training set (log)")
    axes[1].set(title="Gradient reaching the first hidden layer", xlabel="step", ylabel="gradient norm (log)")
    axes[0].legend(fontsize=8, loc="lower left")
    axes[1].legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig

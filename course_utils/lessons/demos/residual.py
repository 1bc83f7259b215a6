"""Residual connections: a deep plain MLP against the same depth with skip connections.

The toy task is "two spirals": 2-D points, label 0 or 1 by spiral arm. Both networks have the
same layers (``depth`` hidden ``Linear(width, width)`` + ReLU, PyTorch's default initialisation);
the residual one adds its input back after each layer, ``h = h + relu(linear(h))``. In the plain
one the signal and the gradient shrink layer after layer, so its first layers barely learn and
its loss stalls near ``log 2`` (a coin flip); the skip connections give the gradient a direct path.
"""

from __future__ import annotations

import math

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
    """``Linear(in, width)`` -> ``depth`` x [``Linear(width, width)`` + ReLU] -> ``Linear(width, out)``.

    With ``residual=True`` each hidden layer is a residual block ``h = h + relu(linear(h))``.
    Input ``(batch, in_dim)``, output logits ``(batch, out_dim)``.
    """

    def __init__(self, depth: int = 12, width: int = 32, in_dim: int = 2, out_dim: int = 2,
                 residual: bool = False):
        super().__init__()
        self.residual = residual
        self.inp = nn.Linear(in_dim, width)
        self.hidden = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
        self.out = nn.Linear(width, out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.inp(x)
        for layer in self.hidden:
            h = h + torch.relu(layer(h)) if self.residual else torch.relu(layer(h))
        return self.out(h)


def train_classifier(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, steps: int = 300, lr: float = 0.02,
                     momentum: float = 0.9) -> dict[str, list[float]]:
    """Full-batch SGD with momentum on cross-entropy.

    Returns ``{"loss": [...], "first_grad": [...]}``: the loss at every step and the gradient norm
    of the first hidden layer's weights (how much the bottom of the network is told to change).
    """
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    first = model.hidden[0].weight if hasattr(model, "hidden") else next(model.parameters())
    history: dict[str, list[float]] = {"loss": [], "first_grad": []}
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        history["loss"].append(loss.item())
        history["first_grad"].append(first.grad.norm().item())
        opt.step()
    return history


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of ``x`` classified as ``y`` (argmax of the logits)."""
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def compare(depth: int = 12, width: int = 32, steps: int = 300, lr: float = 0.02, seed: int = 0,
            n: int = 400) -> dict[str, dict]:
    """Train a plain and a residual ``DeepMLP`` of the same size from the same seed on ``two_spirals``.

    Returns ``{"plain": result, "residual": result}`` where each result has ``"loss"`` and
    ``"first_grad"`` lists (per step), ``"accuracy"`` (training accuracy at the end), ``"model"``, and
    the data ``"x"``, ``"y"``. About a second on a laptop CPU with the defaults.
    """
    x, y = two_spirals(n, seed=seed)
    results = {}
    for name, residual in (("plain", False), ("residual", True)):
        torch.manual_seed(seed)
        model = DeepMLP(depth, width, residual=residual)
        history = train_classifier(model, x, y, steps=steps, lr=lr)
        results[name] = {**history, "accuracy": accuracy(model, x, y), "model": model, "x": x, "y": y}
    return results


def plot_comparison(results: dict[str, dict], *, figsize=(11, 3.6)):
    """Loss curves, first-layer gradient norms and the residual net's decision regions. Returns the Figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=figsize)
    for name, res in results.items():
        axes[0].plot(res["loss"], label=f"{name} (train acc {res['accuracy']:.2f})")
        axes[1].semilogy(np.maximum(res["first_grad"], 1e-12), label=name)
    axes[0].axhline(math.log(2), color="grey", ls=":", label="log 2 (coin flip)")
    axes[0].set(title="Training loss", xlabel="step", ylabel="cross-entropy", ylim=(0, 1.5))
    axes[0].legend(fontsize=8)
    axes[1].set(title="Gradient reaching the first hidden layer", xlabel="step", ylabel="gradient norm (log)")
    axes[1].legend(fontsize=8)
    model = results["residual"]["model"]
    g = torch.linspace(-1.3, 1.3, 120)
    gx, gy = torch.meshgrid(g, g, indexing="xy")
    with torch.no_grad():
        pred = model(torch.stack([gx.reshape(-1), gy.reshape(-1)], 1)).argmax(1).reshape(gx.shape)
    axes[2].contourf(gx.numpy(), gy.numpy(), pred.numpy(), levels=[-0.5, 0.5, 1.5], cmap="coolwarm", alpha=0.3)
    x, y = results["residual"]["x"], results["residual"]["y"]
    axes[2].scatter(x[:, 0], x[:, 1], c=y, cmap="coolwarm", s=6)
    axes[2].set(title="Residual net: decision regions", xlabel="x1", ylabel="x2")
    fig.tight_layout()
    return fig

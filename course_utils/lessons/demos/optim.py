"""Optimisers on a 2-D loss surface: where SGD, SGD with momentum and Adam go, drawn on the contours.

A "loss surface" here is a function of two parameters ``(w1, w2)``, so the whole path of an
optimiser can be drawn. ``run_optimizer`` is the usual training loop (``zero_grad``, ``backward``,
``step``) on a single 2-element parameter tensor.

Example::

    import torch
    from course_utils.lessons.demos import optim
    surface = optim.SURFACES["ravine"]
    paths = optim.compare(surface, {
        "SGD": lambda p: torch.optim.SGD(p, lr=0.9),
        "Adam": lambda p: torch.optim.Adam(p, lr=0.3),
    }, steps=60)
    optim.plot_trajectories(surface, paths)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

import numpy as np
import torch

OptimizerFactory = Callable[[Iterable[torch.nn.Parameter]], torch.optim.Optimizer]


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface.

    Attributes:
        name: short name.
        fn: loss of a tensor of shape ``(..., 2)``, returns shape ``(...)``; differentiable.
        start: the starting point ``(w1, w2)``.
        minimum: where the minimum is.
        xlim, ylim: the plotting window.
        formula: the formula, for titles.
    """

    name: str
    fn: Callable[[torch.Tensor], torch.Tensor]
    start: tuple[float, float]
    minimum: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    formula: str


def _ravine(w: torch.Tensor) -> torch.Tensor:
    # an elongated bowl: 100x steeper across (w2) than along (w1) the valley
    return 0.01 * w[..., 0] ** 2 + w[..., 1] ** 2


def _rosenbrock(w: torch.Tensor) -> torch.Tensor:
    # a curved, flat-bottomed valley (a=1, b=10 instead of the usual 100, to fit a small figure)
    return (1 - w[..., 0]) ** 2 + 10 * (w[..., 1] - w[..., 0] ** 2) ** 2


SURFACES: dict[str, Surface] = {
    "ravine": Surface("ravine", _ravine, (-9.0, 1.6), (0.0, 0.0), (-10.0, 2.0), (-2.0, 2.0),
                      "L = 0.01 w1² + w2²"),
    "rosenbrock": Surface("rosenbrock", _rosenbrock, (-1.5, 2.0), (1.0, 1.0), (-2.0, 2.0), (-1.0, 3.0),
                          "L = (1 - w1)² + 10 (w2 - w1²)²"),
}


def run_optimizer(surface: Surface, make_optimizer: OptimizerFactory, steps: int) -> np.ndarray:
    """Minimise ``surface`` from its start with one optimiser.

    Args:
        surface: the loss surface.
        make_optimizer: called with ``[w]`` (the parameter list), returns a ``torch.optim`` optimiser.
        steps: number of update steps.

    Returns:
        ``float64`` array of shape ``(steps + 1, 3)``: ``w1, w2, loss`` before each step and after the last.
    """
    w = torch.nn.Parameter(torch.tensor(surface.start, dtype=torch.float64))
    opt = make_optimizer([w])
    path = np.empty((steps + 1, 3))
    for i in range(steps):
        opt.zero_grad()
        loss = surface.fn(w)
        path[i] = (w[0].item(), w[1].item(), loss.item())
        loss.backward()
        opt.step()
    with torch.no_grad():
        path[steps] = (w[0].item(), w[1].item(), surface.fn(w).item())
    return path


def compare(surface: Surface, optimizers: Mapping[str, OptimizerFactory], steps: int) -> dict[str, np.ndarray]:
    """``run_optimizer`` for each named optimiser; returns ``{name: path}`` in the same order."""
    return {name: run_optimizer(surface, make, steps) for name, make in optimizers.items()}


def grid(surface: Surface, n: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(W1, W2, L)``: ``n x n`` arrays of the surface over its plotting window."""
    w1 = np.linspace(*surface.xlim, n)
    w2 = np.linspace(*surface.ylim, n)
    W1, W2 = np.meshgrid(w1, w2)
    with torch.no_grad():
        L = surface.fn(torch.from_numpy(np.stack([W1, W2], axis=-1))).numpy()
    return W1, W2, L


def plot_trajectories(surface: Surface, paths: Mapping[str, np.ndarray], *, figsize=(11, 4)):
    """Left: the paths on the loss contours. Right: loss against step (log scale). Returns the Figure."""
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=figsize, gridspec_kw={"width_ratios": [1.6, 1]})
    W1, W2, L = grid(surface)
    levels = np.geomspace(max(L.min(), 1e-3), L.max(), 14)
    ax.contour(W1, W2, L, levels=levels, cmap="Greys", linewidths=0.7)
    for name, path in paths.items():
        (line,) = ax.plot(path[:, 0], path[:, 1], ".-", ms=3, lw=1.2, label=name)
        ax2.semilogy(np.maximum(path[:, 2], 1e-12), color=line.get_color(), label=name)
    ax.plot(*surface.start, "ks", ms=6, label="start")
    ax.plot(*surface.minimum, "k*", ms=12, label="minimum")
    ax.set_xlim(*surface.xlim)
    ax.set_ylim(*surface.ylim)
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    ax.set_title(f"Paths on {surface.formula}")
    ax.legend(fontsize=8, loc="upper right")
    ax2.set_xlabel("step")
    ax2.set_ylabel("loss (log scale)")
    ax2.set_title("Loss per step")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig

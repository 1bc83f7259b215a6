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

import math
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


def momentum_step(w, grad, velocity, lr: float, momentum: float):
    """One step of SGD with momentum, in PyTorch's form (``torch.optim.SGD(momentum=...)``).

    ``velocity = momentum * velocity + grad``; ``w = w - lr * velocity``. Arrays of any one shape
    (or sequences of numbers) in; returns ``(new_w, new_velocity)`` as float64 NumPy arrays.
    """
    w, grad, velocity = (np.asarray(a, dtype=float) for a in (w, grad, velocity))
    velocity = momentum * velocity + grad
    return w - lr * velocity, velocity


def adam_step(w, grad, m, v, t: int, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
    """One Adam step (Kingma & Ba, Algorithm 1; ``torch.optim.Adam`` without weight decay).

    ``m`` and ``v`` are running averages of the gradient and of its square; ``t`` counts steps from 1.
    ``m_hat = m / (1 - beta1**t)`` and ``v_hat = v / (1 - beta2**t)`` undo their start at zero, and
    ``w = w - lr * m_hat / (sqrt(v_hat) + eps)``. Returns ``(new_w, new_m, new_v)`` as float64 arrays.
    """
    w, grad, m, v = (np.asarray(a, dtype=float) for a in (w, grad, m, v))
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def run_update_rule(surface: Surface, rule: str, step_fn, steps: int, **hyper) -> np.ndarray:
    """Minimise ``surface`` with a hand-written update rule instead of a ``torch.optim`` optimiser.

    ``rule`` is ``"momentum"`` (``step_fn(w, grad, velocity, lr, momentum)``) or ``"adam"``
    (``step_fn(w, grad, m, v, t, lr, beta1, beta2, eps)``); ``hyper`` holds the hyper-parameters by
    those names. Returns the path like ``run_optimizer``: shape ``(steps + 1, 3)``.
    """
    if rule not in ("momentum", "adam"):
        raise ValueError(f"rule must be 'momentum' or 'adam', got {rule!r}")
    w = np.array(surface.start, dtype=float)
    state = [np.zeros(2), np.zeros(2)]
    path = np.empty((steps + 1, 3))
    for i in range(steps):
        wt = torch.tensor(w, requires_grad=True)
        loss = surface.fn(wt)
        loss.backward()
        path[i] = (w[0], w[1], loss.item())
        grad = wt.grad.numpy()
        if rule == "momentum":
            w, state[0] = step_fn(w, grad, state[0], hyper["lr"], hyper["momentum"])
        else:
            w, state[0], state[1] = step_fn(w, grad, state[0], state[1], i + 1, hyper["lr"],
                                            hyper.get("beta1", 0.9), hyper.get("beta2", 0.999), hyper.get("eps", 1e-8))
        w = np.asarray(w, dtype=float)
    with torch.no_grad():
        path[steps] = (w[0], w[1], surface.fn(torch.tensor(w)).item())
    return path


def final_loss(path: np.ndarray) -> float:
    """The loss at the end of a path; ``inf`` if the run diverged: a nan or inf on the way, or a
    final loss above the starting one."""
    losses = path[:, 2]
    if not np.all(np.isfinite(losses)) or losses[-1] > losses[0]:
        return math.inf
    return float(losses[-1])


def tune_learning_rate(surface: Surface, make_optimizer: Callable[[float], OptimizerFactory],
                       learning_rates: Iterable[float], steps: int) -> tuple[float, dict[float, float]]:
    """A small learning-rate search: run ``make_optimizer(lr)`` for each ``lr`` and keep the best.

    Returns ``(best_lr, {lr: final loss})``; a run that diverges (see ``final_loss``) scores ``inf``.
    """
    scores = {}
    for lr in learning_rates:
        with np.errstate(over="ignore", invalid="ignore"):
            scores[lr] = final_loss(run_optimizer(surface, make_optimizer(lr), steps))
    best = min(scores, key=scores.get)
    return best, scores


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


def plot_lr_search(scores: Mapping[str, Mapping[float, float]], *, steps: int, figsize=(6.5, 3.8)):
    """Final loss against learning rate, one line per optimiser (log-log); diverged runs are marked
    with an ``x`` at the top of the axes. ``scores`` is ``{name: {lr: final loss}}``. Returns the Figure."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    finite = [v for s in scores.values() for v in s.values() if math.isfinite(v)]
    top = max(finite) * 10 if finite else 1.0
    for i, (name, s) in enumerate(scores.items()):
        lrs = np.array(list(s))
        vals = np.array([s[lr] for lr in lrs])
        ok = np.isfinite(vals)
        (line,) = ax.loglog(lrs[ok], np.maximum(vals[ok], 1e-16), "o-", ms=4, label=name)
        if (~ok).any():      # one row of crosses per optimiser, so that none hides another
            ax.plot(lrs[~ok], np.full((~ok).sum(), top * 2.5 ** i), "x", color=line.get_color(), ms=7)
    ax.axhline(top, color="grey", lw=0.5, ls=":")
    ax.text(min(lr for s in scores.values() for lr in s), top, " x: diverged",
            va="bottom", fontsize=8, color="grey")
    ax.set(title=f"Loss after {steps} steps, by learning rate", xlabel="learning rate (log)",
           ylabel="final loss (log)")
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig

"""How initialisation decides whether a signal survives a deep ReLU network.

``activation_stds`` pushes a batch of unit-variance inputs through ``depth`` layers of
``Linear(width, width, bias=False)`` + ReLU and records the standard deviation after each layer.

- ``init="kaiming"``: ``nn.init.kaiming_normal_(w, nonlinearity="relu")``, weights ``N(0, 2 / fan_in)``.
  ReLU zeroes half of its input, so it halves the second moment; the factor 2 puts it back, and the
  spread stays about the same in every layer (He et al. 2015, "Delving Deep into Rectifiers").
- ``init="default"``: what ``nn.Linear`` does on its own (uniform, variance ``1 / (3 fan_in)``):
  the spread shrinks by about ``sqrt(6)`` per layer.
- ``init="normal"``: ``N(0, std**2)`` with a fixed ``std`` (0.01 by default), as in older code:
  the signal vanishes (or explodes for a large ``std``).
"""

from __future__ import annotations

import math

import torch
from torch import nn

INITS = ("default", "kaiming", "normal")


def relu_stack(depth: int = 20, width: int = 256, init: str = "default", *, std: float = 0.01,
               seed: int = 0) -> nn.Sequential:
    """``depth`` x [``Linear(width, width, bias=False)``, ``ReLU``], initialised as ``init`` says."""
    if init not in INITS:
        raise ValueError(f"init={init!r} is not one of {INITS}.")
    torch.manual_seed(seed)
    layers = []
    for _ in range(depth):
        linear = nn.Linear(width, width, bias=False)
        if init == "kaiming":
            nn.init.kaiming_normal_(linear.weight, mode="fan_in", nonlinearity="relu")
        elif init == "normal":
            nn.init.normal_(linear.weight, mean=0.0, std=std)
        layers += [linear, nn.ReLU()]
    return nn.Sequential(*layers)


def activation_stds(model: nn.Sequential, n: int = 512, *, seed: int = 0) -> list[float]:
    """Standard deviation of the activations after every ReLU, for ``n`` inputs drawn from ``N(0, 1)``.

    Returns a list with one float per ReLU (``depth`` values).
    """
    width = next(m for m in model if isinstance(m, nn.Linear)).in_features
    x = torch.randn(n, width, generator=torch.Generator().manual_seed(seed))
    stds = []
    with torch.no_grad():
        for module in model:
            x = module(x)
            if isinstance(module, nn.ReLU):
                stds.append(x.std().item())
    return stds


def expected_std_ratio(init: str, width: int = 256, std: float = 0.01) -> float:
    """Theory: the factor by which the root mean square of the activations changes per layer.

    With weights of variance ``s2`` and ReLU, the second moment is multiplied by ``width * s2 / 2``.
    """
    s2 = {"default": 1 / (3 * width), "kaiming": 2 / width, "normal": std**2}[init]
    return math.sqrt(width * s2 / 2)


def plot_activation_stds(results: dict, *, figsize=(6.5, 3.8)):
    """``results`` maps a label to a list of per-layer stds; a log-scale line per label. Returns the Figure."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    for label, stds in results.items():
        ax.semilogy(range(1, len(stds) + 1), [max(s, 1e-30) for s in stds], "o-", ms=3, label=label)
    ax.set_xlabel("layer (after ReLU)")
    ax.set_ylabel("std of activations (log scale)")
    ax.set_title("Signal through a deep ReLU stack, by initialisation")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig

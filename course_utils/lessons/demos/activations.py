"""How initialisation decides whether a signal survives a deep ReLU network.

``preactivation_stds`` pushes a batch of unit-variance inputs through ``depth`` layers of
``Linear(width, width, bias=False)`` + ReLU and records the standard deviation of each layer's output
before its ReLU (``activation_stds``: after it). ``predicted_std`` is the theory of notebook 03: with
weights of variance ``v`` and ``fan_in`` inputs per unit, a layer's output variance is ``fan_in * v`` times
the second moment of its input, and a ReLU halves the second moment of a zero-mean symmetric signal, so
the pre-activation std of layer ``L`` is ``sqrt(fan_in * v) * (fan_in * v / 2) ** ((L - 1) / 2)``.
The inputs come from a generator seeded apart from the weights: the theory assumes the two independent.

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


#: Added to ``seed`` for the inputs' generator, so that inputs never replay the weights' random numbers
#: (``relu_stack(seed=0)`` seeds torch's global generator with 0 too: the same stream would make the
#: first layer's weights correlated with its inputs, against the theory's assumption).
INPUT_SEED_OFFSET = 1_000_003


def _layer_stds(model: nn.Sequential, kind: type, n: int, seed: int) -> list[float]:
    width = next(m for m in model if isinstance(m, nn.Linear)).in_features
    x = torch.randn(n, width, generator=torch.Generator().manual_seed(seed + INPUT_SEED_OFFSET))
    stds = []
    with torch.no_grad():
        for module in model:
            x = module(x)
            if isinstance(module, kind):
                stds.append(x.std().item())
    return stds


def activation_stds(model: nn.Sequential, n: int = 512, *, seed: int = 0) -> list[float]:
    """Standard deviation of the activations after every ReLU, for ``n`` inputs drawn from ``N(0, 1)``.

    Returns a list with one float per ReLU (``depth`` values).
    """
    return _layer_stds(model, nn.ReLU, n, seed)


def preactivation_stds(model: nn.Sequential, n: int = 512, *, seed: int = 0) -> list[float]:
    """Standard deviation of every ``Linear``'s output (before its ReLU), for ``n`` inputs from ``N(0, 1)``.

    Returns a list with one float per layer (``depth`` values); the outputs have mean about 0, so this
    is also their root mean square, the quantity ``predicted_std`` predicts.
    """
    return _layer_stds(model, nn.Linear, n, seed)


def weight_variance(init: str, fan_in: int = 256, std: float = 0.01) -> float:
    """The variance of one weight under ``init``: ``"default"`` (``nn.Linear``'s uniform on
    ``±1/sqrt(fan_in)``: ``1 / (3 fan_in)``), ``"kaiming"`` (``2 / fan_in``), ``"normal"`` (``std**2``)."""
    if init not in INITS:
        raise ValueError(f"init={init!r} is not one of {INITS}.")
    return {"default": 1 / (3 * fan_in), "kaiming": 2 / fan_in, "normal": std**2}[init]


def predicted_std(weight_var: float, fan_in: int, layers: int) -> float:
    """Theory: the std of layer ``layers``'s output before its ReLU, for inputs of variance 1.

    Layer 1 gets the raw input (second moment 1): variance ``fan_in * weight_var``. Every later layer gets a
    ReLU's output, whose second moment is half the variance before it: a factor ``fan_in * weight_var / 2``.
    """
    if layers < 1:
        raise ValueError(f"layers={layers}: count from 1 (the first Linear layer)")
    gain = fan_in * weight_var
    return math.sqrt(gain) * (gain / 2) ** ((layers - 1) / 2)


def expected_std_ratio(init: str, width: int = 256, std: float = 0.01) -> float:
    """Theory: the factor by which the root mean square of the activations changes per layer.

    With weights of variance ``s2`` and ReLU, the second moment is multiplied by ``width * s2 / 2``.
    """
    return math.sqrt(width * weight_variance(init, width, std) / 2)


def plot_activation_stds(results: dict, *, predicted: dict | None = None, where: str = "after ReLU",
                         figsize=(6.5, 3.8)):
    """``results`` maps a label to a list of per-layer stds; a log-scale line per label. Returns the Figure.

    ``predicted`` (optional) maps the same labels to predicted per-layer stds, drawn as dashed lines in the
    same colours; ``where`` names what was measured, for the axis label ("after ReLU" or "before ReLU").
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    for label, stds in results.items():
        (line,) = ax.semilogy(range(1, len(stds) + 1), [max(s, 1e-30) for s in stds], "o", ms=4,
                              label=label + (" (measured)" if predicted else ""))
        if predicted and label in predicted:
            ax.semilogy(range(1, len(predicted[label]) + 1), [max(s, 1e-30) for s in predicted[label]], "--",
                        color=line.get_color(), lw=1.2, label=label + " (predicted)")
        elif not predicted:
            line.set_linestyle("-")
            line.set_markersize(3)
    depth = max(len(stds) for stds in results.values())
    ax.set_xticks([1] + list(range(5, depth + 1, 5)))
    ax.set_xlabel(f"layer ({where})")
    what = "pre-activations" if where.startswith("before") else "activations"
    ax.set_ylabel(f"std of the {what} (log scale)")
    ax.set_title("Signal through a deep ReLU stack, by initialisation")
    if predicted:   # six entries: beside the axes, never over the points
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    else:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig

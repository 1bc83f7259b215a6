"""Backpropagation by hand on a tiny computation graph, and a picture of the graph.

The graph of notebook 03 is one neuron with a squared error::

    z = w * x + b          (a linear unit)
    p = sigmoid(z)         (its activation, a prediction between 0 and 1)
    L = (p - t) ** 2       (the loss against the target t)

``forward`` returns every intermediate value; ``backward`` applies the chain rule node by node,
from ``L`` back to ``w`` and ``b``, and returns every local derivative and gradient on the way.
``draw_graph`` draws the graph with the forward values (black, above the arrows) and the
gradients (red, below), the figure of the lesson.
"""

from __future__ import annotations

import math

#: The numbers of the lesson: input, target, and the current weight and bias.
X, T, W, B = 1.5, 1.0, 0.8, -0.5


def sigmoid(z: float) -> float:
    """``1 / (1 + exp(-z))``."""
    return 1.0 / (1.0 + math.exp(-z))


def forward(w: float = W, b: float = B, x: float = X, t: float = T) -> dict[str, float]:
    """The forward pass: ``{"x", "t", "w", "b", "wx", "z", "p", "L"}`` as Python floats."""
    wx = w * x
    z = wx + b
    p = sigmoid(z)
    return {"x": x, "t": t, "w": w, "b": b, "wx": wx, "z": z, "p": p, "L": (p - t) ** 2}


def backward(values: dict[str, float]) -> dict[str, float]:
    """The backward pass, one chain-rule step per node.

    Returns the local derivatives ``dL/dp = 2 (p - t)``, ``dp/dz = p (1 - p)``, ``dz/dw = x``,
    ``dz/db = 1`` and the gradients ``dL/dz``, ``dL/dw``, ``dL/db`` (keys as written here).
    """
    p, t, x = values["p"], values["t"], values["x"]
    dl_dp = 2 * (p - t)
    dp_dz = p * (1 - p)
    dl_dz = dl_dp * dp_dz
    return {"dL/dp": dl_dp, "dp/dz": dp_dz, "dL/dz": dl_dz, "dz/dw": x, "dz/db": 1.0,
            "dL/dw": dl_dz * x, "dL/db": dl_dz * 1.0}


def reference_gradients(w: float = W, b: float = B, x: float = X, t: float = T) -> tuple[float, float]:
    """``(dL/dw, dL/db)`` of the lesson's graph."""
    grads = backward(forward(w, b, x, t))
    return grads["dL/dw"], grads["dL/db"]


def draw_graph(values: dict[str, float] | None = None, grads: dict[str, float] | None = None, *,
               ax=None, figsize=(10, 3.6)):
    """Draw the graph ``w, x -> (×) -> (+ b) -> sigmoid -> (p - t)² -> L``.

    Forward values (if given) are written in black beside each arrow, gradients ``dL/d(input)``
    (if given) in red on the other side. Returns the Figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    nodes = {"w": (0.0, 1.2, "w"), "x": (0.0, -1.2, "x"), "mul": (2.2, 0.0, "×"), "b": (4.8, -1.5, "b"),
             "add": (4.8, 0.0, "+"), "sig": (7.5, 0.0, "sigmoid"), "loss": (10.5, 0.0, "(p − t)²"),
             "t": (10.5, -1.5, "t"), "L": (12.9, 0.0, "L")}
    leaves = {"w", "x", "b", "t"}
    half = {}
    for key, (cx, cy, label) in nodes.items():
        width = 0.45 + 0.11 * len(label)
        half[key] = width / 2
        style = "square,pad=0.05" if key in leaves else "round,pad=0.1"
        color = "#dbe9f6" if key in ("w", "b") else ("#eeeeee" if key in leaves else "#fff2cc")
        ax.add_patch(FancyBboxPatch((cx - width / 2, cy - 0.28), width, 0.56, boxstyle=style,
                                    fc=color, ec="black", lw=1))
        ax.text(cx, cy, label, ha="center", va="center", fontsize=11)

    def arrow(a, b):
        (x0, y0, _), (x1, y1, _) = nodes[a], nodes[b]
        if x0 == x1:                                   # vertical: from below into the bottom of the box
            start, end = (x0, y0 + 0.33), (x1, y1 - 0.36)
        else:
            start, end = (x0 + half[a] + 0.08, y0), (x1 - half[b] - 0.1, y1 + (0.0 if y0 == y1 else 0.12 * (1 if y0 > y1 else -1)))
        ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="->", lw=1.2))

    def label(xy, text, color="black", **kw):
        ax.text(*xy, text, fontsize=8.5, color=color, **kw)

    for a, b in [("w", "mul"), ("x", "mul"), ("mul", "add"), ("b", "add"), ("add", "sig"), ("sig", "loss"),
                 ("t", "loss"), ("loss", "L")]:
        arrow(a, b)
    v = values or {}
    g = grads or {}
    red = "tab:red"
    if v:
        label((1.15, 0.85), f"w = {v['w']:.3f}", ha="left", va="bottom")
        label((1.15, -0.85), f"x = {v['x']:.3f}", ha="left", va="top")
        label((3.5, 0.1), f"wx = {v['wx']:.3f}", ha="center", va="bottom")
        label((4.7, -0.8), f"b = {v['b']:.3f}", ha="right", va="center")
        label((6.05, 0.1), f"z = {v['z']:.3f}", ha="center", va="bottom")
        label((8.95, 0.1), f"p = {v['p']:.3f}", ha="center", va="bottom")
        label((10.4, -0.8), f"t = {v['t']:.3f}", ha="right", va="center")
        label((11.95, 0.1), f"L = {v['L']:.3f}", ha="center", va="bottom")
    if g:
        label((0.85, 0.45), f"dL/dw = {g['dL/dw']:.3f}", red, ha="right", va="top")
        label((3.5, -0.1), f"dL/d(wx) = {g['dL/dz']:.3f}", red, ha="center", va="top")
        label((4.9, -0.8), f"dL/db = {g['dL/db']:.3f}", red, ha="left", va="center")
        label((6.05, -0.1), f"dL/dz = {g['dL/dz']:.3f}", red, ha="center", va="top")
        label((8.95, -0.1), f"dL/dp = {g['dL/dp']:.3f}", red, ha="center", va="top")
        label((11.95, -0.1), "dL/dL = 1", red, ha="center", va="top")
    ax.set_xlim(-0.7, 13.6)
    ax.set_ylim(-2.0, 1.75)
    ax.set_axis_off()
    title = "Computation graph: forward values (black)"
    ax.set_title(title + (", gradients dL/d· flowing back (red)" if grads is not None else ""), fontsize=10)
    fig.tight_layout()
    return fig

"""Broadcasting, explained step by step and drawn.

PyTorch (like NumPy) combines tensors of different shapes by these rules:

1. line the shapes up on the **right**; a missing dimension on the left counts as size 1;
2. in every position the sizes must be equal, or one of them must be 1;
3. a size-1 dimension is stretched (repeated, without copying memory) to the other size.

``explain(a, b)`` writes those steps out for two shapes; ``plot_broadcast(a, b)`` draws two
tensors of at most 2 dimensions and their sum, with the stretched copies shown faded.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch


def explain(shape_a: Sequence[int], shape_b: Sequence[int]) -> tuple[tuple[int, ...], list[str]]:
    """The broadcast shape of ``shape_a`` and ``shape_b`` and one line of explanation per dimension.

    Raises ``ValueError`` (saying which dimension clashes) when the shapes cannot be broadcast.
    """
    a, b = tuple(shape_a), tuple(shape_b)
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    lines = [f"align right: {pa} and {pb}" + ("  (missing dimensions on the left count as 1)" if len(a) != len(b) else "")]
    out = []
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x == y:
            out.append(x)
            lines.append(f"dim {i}: {x} and {y} are equal -> {x}")
        elif x == 1 or y == 1:
            out.append(max(x, y))
            lines.append(f"dim {i}: {x} and {y}: the 1 is stretched -> {max(x, y)}")
        else:
            raise ValueError(f"shapes {a} and {b} cannot be broadcast: in dimension {i} (after aligning right) the sizes "
                             f"are {x} and {y}; one of them must be 1 or they must be equal. Use view/unsqueeze to add "
                             "a size-1 dimension where you mean 'repeat along this axis'.")
    return tuple(out), lines


def plot_broadcast(a: torch.Tensor, b: torch.Tensor, *, figsize=(9, 3)):
    """Draw ``a``, ``b`` (each at most 2-D) stretched to the broadcast shape, and ``a + b``. Returns the Figure.

    Cells that exist in memory are dark; cells that broadcasting repeats are faded.
    """
    import matplotlib.pyplot as plt

    shape, _ = explain(a.shape, b.shape)
    if len(shape) > 2:
        raise ValueError(f"plot_broadcast draws at most 2-D tensors; the result would have shape {shape}.")
    shape2 = (1,) * (2 - len(shape)) + shape
    fig, axes = plt.subplots(1, 3, figsize=figsize)
    panels = ((a, f"a: shape {tuple(a.shape)}"), (b, f"b: shape {tuple(b.shape)}"), (a + b, f"a + b: shape {shape}"))
    for ax, (t, title) in zip(axes, panels):
        t2 = t.reshape((1,) * (2 - t.dim()) + tuple(t.shape))
        full = t2.expand(shape2).numpy()
        real = np.zeros(shape2, dtype=bool)
        real[: t2.shape[0], : t2.shape[1]] = True
        ax.imshow(np.where(real, 0.75, 0.2), cmap="Blues", vmin=0, vmax=1)
        for i in range(shape2[0]):
            for j in range(shape2[1]):
                ax.text(j, i, f"{full[i, j]:g}", ha="center", va="center", color="black" if real[i, j] else "grey")
        ax.set_xticks(range(shape2[1]))
        ax.set_yticks(range(shape2[0]))
        ax.set(title=title, xlabel="column (last dim)", ylabel="row")
    fig.suptitle("Broadcasting: faded cells are repeated, not stored", y=1.02)
    fig.tight_layout()
    return fig

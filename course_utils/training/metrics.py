"""Metrics for ``fit``/``evaluate``: functions ``(outputs, targets) -> 0-dim tensor``, the batch mean.

They return a tensor (not a Python number) so that nothing waits for the GPU at every step:
``fit`` keeps the per-batch values on the device and reads them once per epoch, weighting each
batch by its size, so the epoch value is the exact mean over all samples.
"""

from __future__ import annotations

from typing import Callable, Mapping, Optional

import torch

Metric = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Fraction of samples whose highest score is the target class.

    Args:
        outputs: scores (logits or probabilities), ``[B, C]`` or ``[B, C, ...]``.
        targets: class indices, ``[B]`` or ``[B, ...]`` (int64).

    Returns:
        0-dim float32 tensor in [0, 1] on the outputs' device.
    """
    # mean(dtype=...) averages the booleans in float32 in one pass: the same value as .float().mean(),
    # without the float copy (several times faster on small batches, where this runs every step)
    return (outputs.argmax(dim=1) == targets).mean(dtype=torch.float32)


def looks_like_classification(outputs: torch.Tensor, targets: torch.Tensor) -> bool:
    """True when ``outputs`` are class scores ``[B, C, ...]`` and ``targets`` class indices ``[B, ...]``."""
    return (isinstance(outputs, torch.Tensor) and isinstance(targets, torch.Tensor) and outputs.ndim >= 2
            and not targets.is_floating_point() and not targets.is_complex() and targets.dtype != torch.bool
            and tuple(targets.shape) == tuple(outputs.shape[:1]) + tuple(outputs.shape[2:]))


def resolve_metrics(metrics: Optional[Mapping[str, Metric]], outputs: torch.Tensor,
                    targets: torch.Tensor) -> dict[str, Metric]:
    """The metrics to compute: ``metrics`` as given, or (``None``) accuracy for classification outputs."""
    if metrics is not None:
        resolved = dict(metrics)
        for name, fn in resolved.items():
            if not callable(fn):
                raise TypeError(f"metrics[{name!r}] must be a function (outputs, targets) -> tensor; got {fn!r}.")
            if name in ("loss", "epoch", "lr", "time_s", "samples_per_s"):
                raise ValueError(f"A metric cannot be called {name!r}: that name is taken by fit's History.")
        return resolved
    return {"acc": accuracy} if looks_like_classification(outputs, targets) else {}

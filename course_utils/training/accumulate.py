"""Epoch means of the loss and metrics: per-batch values kept on the device, read in bulk.

A pass over a loader appends one loss tensor and one tensor per metric for every batch (each a
batch mean) together with the batch size. Nothing is read from the device until ``drain``; the
epoch mean is then ``sum(value x batch size) / samples`` (``math.fsum``: exact to the last bit
for any order of batches), so a short last batch weighs what it holds.
"""

from __future__ import annotations

import math
from typing import Optional

import torch

from . import distributed as dist_utils
from .policy import DevicePolicy


class Accumulator:
    """Per-batch losses and metrics of one pass: pending on the device, read in bulk, kept as floats.

    Attributes:
        sizes: samples of each batch so far.
        losses: loss values read so far (``float``); ``pending_losses``: not read yet (tensors).
        metrics / pending_metrics: the same per metric name.
    """

    def __init__(self, names: list[str], policy: DevicePolicy) -> None:
        self.names, self.policy = names, policy
        self.sizes: list[int] = []
        self.losses: list[float] = []
        self.metrics: dict[str, list[float]] = {name: [] for name in names}
        self.pending_losses: list = []
        self.pending_metrics: dict[str, list] = {name: [] for name in names}

    def drain(self) -> list[float]:
        """Read everything pending with one device read; returns the loss values just read."""
        count = len(self.pending_losses)
        tensors = self.pending_losses + [t for name in self.names for t in self.pending_metrics[name]]
        if not tensors:
            return []
        values = self.policy.read(tensors)
        new_losses = values[:count]
        self.losses.extend(new_losses)
        offset = count
        for name in self.names:
            block = len(self.pending_metrics[name])
            self.metrics[name].extend(values[offset:offset + block])
            offset += block
            self.pending_metrics[name].clear()  # in place: a loop may hold these lists
        self.pending_losses.clear()
        return new_losses

    def sums(self) -> tuple[Optional[float], dict[str, float], int]:
        """``(sum of loss x batch size, {metric: sum of value x batch size}, samples)`` (all read already)."""
        loss = math.fsum(v * n for v, n in zip(self.losses, self.sizes)) if self.losses else None
        metrics = {name: math.fsum(v * n for v, n in zip(self.metrics[name], self.sizes)) for name in self.names}
        return loss, metrics, sum(self.sizes)

    def running(self, prefix: str) -> dict:
        """Means over the values read so far (for the progress bar)."""
        values = {}
        seen = sum(self.sizes[:len(self.losses)])
        if self.losses and seen:
            values[f"{prefix}loss"] = math.fsum(v * n for v, n in zip(self.losses, self.sizes)) / seen
        for name in self.names:
            done = self.metrics[name]
            weight = sum(self.sizes[:len(done)])
            if done and weight:
                values[f"{prefix}{name}"] = math.fsum(v * n for v, n in zip(done, self.sizes)) / weight
        return values


def global_means(acc: Accumulator, prefix: str, info: dist_utils.DistInfo) -> tuple[dict, int]:
    """Epoch means over all samples (summed over every process under torchrun): ``({name: mean}, samples)``."""
    loss, metrics, samples = acc.sums()
    if info.enabled:
        values = [loss or 0.0] + [metrics[n] for n in acc.names] + [float(samples)]
        tensor = torch.tensor(values, dtype=torch.float64, device=acc.policy.device)
        total = dist_utils.all_reduce_sum(tensor).tolist()
        loss = total[0] if loss is not None else None
        metrics = dict(zip(acc.names, total[1:-1]))
        samples = int(round(total[-1]))
    means = {}
    if loss is not None:
        means[f"{prefix}loss"] = loss / samples if samples else math.nan
    for name in acc.names:
        means[f"{prefix}{name}"] = metrics[name] / samples if samples else math.nan
    return means, samples

"""A Dataset whose samples cost real CPU work, for timing ``DataLoader(num_workers=...)`` in notebook 03.

It lives in a module (not in a notebook cell) on purpose: with the *spawn* start method (the default
on Windows and macOS) every worker is a fresh Python process that receives the Dataset by pickling,
and pickle stores a class as a reference, "module name + class name". A class defined in a
notebook cell belongs to the notebook's ``__main__``; the spawned worker's ``__main__`` is a
different module, so the worker cannot find the class. A class in an importable module works with
every start method.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from PIL import Image, ImageFilter
from torch.utils.data import DataLoader, Dataset


class AugmentedDigits(Dataset):
    """Digits with a deliberately expensive augmentation per sample.

    Each ``__getitem__`` upsamples the 28x28 image 12x, rotates it by a random angle, blurs it and
    shrinks it back (all with PIL, a few milliseconds of CPU work), like real pipelines that decode
    and augment a JPEG per sample.

    Args:
        images: uint8 array ``(N, 28, 28)``.
        labels: int array ``(N,)``.
        max_angle: rotations are uniform in ``[-max_angle, max_angle]`` degrees.

    Returns per item ``(x, label)``: ``x`` float32 ``(1, 28, 28)`` in ``[0, 1]``.
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray, max_angle: float = 15.0):
        self.images, self.labels, self.max_angle = images, labels, max_angle

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        image = Image.fromarray(self.images[i]).resize((336, 336), Image.Resampling.BICUBIC)
        angle = (torch.rand(1).item() * 2 - 1) * self.max_angle      # seeded per worker by the DataLoader
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC)
        image = image.filter(ImageFilter.GaussianBlur(4)).filter(ImageFilter.UnsharpMask(4))
        image = image.resize((28, 28), Image.Resampling.LANCZOS)
        x = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).unsqueeze(0)
        return x, int(self.labels[i])


def time_epochs(dataset: Dataset, workers=(0, 1, 2), *, batch_size: int = 50) -> dict[int, dict[str, float]]:
    """Time one full pass over ``dataset`` for each ``num_workers``.

    Returns ``{num_workers: {"wall": seconds, "main_cpu": seconds}}``: the wall-clock time of the
    epoch (including starting the workers) and the CPU time the *main* process spent in it. With
    workers the per-sample work moves to other processes, so ``main_cpu`` falls on any machine;
    ``wall`` falls only if there are free CPUs for the workers.
    """
    result = {}
    for n in workers:
        loader = DataLoader(dataset, batch_size=batch_size, shuffle=False, num_workers=n)
        wall, cpu = time.perf_counter(), time.process_time()
        for _batch in loader:
            pass
        result[n] = {"wall": time.perf_counter() - wall, "main_cpu": time.process_time() - cpu}
    return result


def plot_epoch_times(times: dict[int, dict[str, float]], *, cpus: int, figsize=(10, 3.4)):
    """Two bar charts by ``num_workers``: wall-clock seconds per epoch, and the main process's CPU
    seconds. Returns the Figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=figsize)
    names = [str(n) for n in times]
    colors = ["tab:gray", "tab:blue", "tab:green", "tab:orange", "tab:purple"][:len(names)]
    for ax, key, title in ((axes[0], "wall", "Wall-clock time of one epoch"),
                           (axes[1], "main_cpu", "CPU time of the main process")):
        values = [t[key] for t in times.values()]
        bars = ax.bar(names, values, color=colors)
        for bar, value in zip(bars, values):
            ax.text(bar.get_x() + bar.get_width() / 2, value, f"{value:.2f} s", ha="center", va="bottom", fontsize=9)
        ax.set(title=title, xlabel="num_workers", ylabel="seconds", ylim=(0, max(values) * 1.25 + 1e-3))
    fig.suptitle(f"Augmented digits, {cpus} CPUs available to this process", fontsize=10)
    fig.tight_layout()
    return fig

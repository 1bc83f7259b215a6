"""A batch loader for datasets held as one ``uint8`` array: no per-item Python in the epoch loop.

``torch.utils.data.DataLoader`` calls ``dataset[i]`` once per sample and then stacks the results;
for 28x28 images that Python overhead, not the arithmetic, sets the speed. ``BatchLoader`` asks
the dataset for a whole batch at once (``dataset.get_batch(indices)``), which is one NumPy fancy
index and one float conversion per batch.

Any dataset with ``__len__`` and ``get_batch(indices) -> (x, y)`` works (every
``course_utils.data.base.ImageDataset``, e.g. ``MNIST``), as does a ``torch.utils.data.Subset``
of one.
"""

from __future__ import annotations

from typing import Iterator, Optional

import numpy as np
import torch


class BatchLoader:
    """Iterate over ``(x, y)`` batches of a dataset that has ``get_batch``.

    Args:
        dataset: e.g. ``NotMNIST(...)``, ``MNIST(...)`` or a ``Subset`` of one.
        batch_size: samples per batch.
        shuffle: visit the samples in a new random order every epoch.
        drop_last: skip the last, smaller batch.
        seed: seed of the shuffling; ``None`` draws from PyTorch's global generator, so
            ``course_utils.setup(seed=...)`` makes it reproducible.
        device: move each batch there (``non_blocking`` when the batch is pinned).

    Yields:
        ``x``: float32 ``[B, 1, 28, 28]`` in [0, 1] (or what the dataset's ``transform`` makes),
        ``y``: int64 ``[B]``. Within a shuffled batch the indices are sorted, which reads a
        memory-mapped array faster and does not change what the batch contains.
    """

    def __init__(self, dataset, batch_size: int = 256, shuffle: bool = False, *, drop_last: bool = False,
                 seed: Optional[int] = None, device: "torch.device | str | None" = None) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
        base, indices = dataset, None
        if isinstance(dataset, torch.utils.data.Subset):
            base, indices = dataset.dataset, np.asarray(dataset.indices, dtype=np.int64)
        if not callable(getattr(base, "get_batch", None)):
            raise TypeError(f"{type(base).__name__} has no get_batch(indices) method: use "
                            "torch.utils.data.DataLoader for it instead of BatchLoader.")
        self.dataset = dataset
        self._base, self._indices = base, indices
        self.batch_size, self.shuffle, self.drop_last = batch_size, shuffle, drop_last
        self.device = torch.device(device) if device is not None else None
        self._generator = torch.Generator().manual_seed(seed) if seed is not None else None

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.dataset)
        if self.shuffle:
            order = torch.randperm(n, generator=self._generator).numpy()
        else:
            order = np.arange(n, dtype=np.int64)
        if self._indices is not None:
            order = self._indices[order]
        stop = (n // self.batch_size) * self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            batch = order[start:start + self.batch_size]
            if self.shuffle:
                batch = np.sort(batch)
            x, y = self._base.get_batch(batch)
            if self.device is not None:
                x, y = x.to(self.device), y.to(self.device)
            yield x, y

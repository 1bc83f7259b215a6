"""MNIST handwritten digits, torchvision-style, from the real IDX files or the embedded stand-in.

Two sources, one argument apart::

    train = MNIST(train=True, download=True)      # the real MNIST: 60,000 / 10,000 images
    train = MNIST(train=True, source="embedded")  # offline stand-in shipped with the course
    train = MNIST.embedded(train=True)            # the same
    print(train.description)                      # says which data is in use
    test = MNIST("data", False, lambda x: 2 * x - 1, None, True)  # torchvision's order

The embedded stand-in has the real file format (the four IDX ``.gz`` files) but its 5,000 +
1,000 digits are rendered from fonts by the course's own generator: it is NOT MNIST and its
accuracies are not MNIST's. The whole split is held in memory as ``uint8`` (47 MB for the real
training set); conversion to float happens per item or per batch.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import torch

from .base import ImageDataset
from .idx import read_idx

#: MNIST's own file names (the embedded stand-in uses the same ones).
FILES = {
    True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


class MNIST(ImageDataset):
    """The MNIST digits as a map-style ``Dataset`` (torchvision's argument order).

    Args:
        root: folder that holds (or will hold) ``MNIST/<the four .gz files>``; torchvision's
            ``MNIST/raw/`` layout is found too. Kept as ``self.root`` (``None`` when not given:
            the course data folder ``course_utils.setup().data_dir``, or the repository's
            ``data/embedded`` for ``source="embedded"``).
        train: the 60,000 training images (``True``) or the 10,000 test images (``False``).
        transform: called on each image tensor (float32 ``[1, 28, 28]``, values in [0, 1]);
            its result is returned instead. No PIL images are involved.
        target_transform: called on each label (``int``).
        download: fetch the real files (verified by SHA-256) when they are missing.
        source: ``"real"`` (the default) or ``"embedded"`` (the synthetic offline stand-in).

    Attributes:
        data: ``uint8`` tensor ``[N, 28, 28]`` (0 = background).
        targets: ``int64`` tensor ``[N]`` with labels 0-9.
        classes: ``["0 - zero", ..., "9 - nine"]``.
        folder: where the files were found.
        source, is_embedded, description: which data this is, in words.

    ``dataset[i]`` is ``(image, label)`` with ``image`` float32 ``[1, 28, 28]`` in [0, 1];
    ``get_batch(indices)`` gives a whole batch ``([B, 1, 28, 28], [B])`` at once (see
    ``course_utils.data.loader.BatchLoader``).

    Raises:
        FileNotFoundError: files missing and ``download=False``; the message has the exact call.
        course_utils.data.idx.IDXFormatError: a damaged file (with what to do).
    """

    title = "MNIST"
    registry_name = "mnist"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    embedded_contents = "images of digits rendered from fonts"
    download_note = "about 11 MB, checked by SHA-256"

    def __init__(self, root: "str | os.PathLike[str] | None" = None, train: bool = True,
                 transform: Optional[Callable] = None, target_transform: Optional[Callable] = None,
                 download: bool = False, *, source: str = "real") -> None:
        if not isinstance(train, (bool, np.bool_)):
            raise TypeError(f"train must be True (training images) or False (test images); got {train!r}. "
                            "The arguments are MNIST(root, train, transform, target_transform, download).")
        self.train = bool(train)
        super().__init__(root, "train" if train else "test", transform, target_transform, download, source=source)
        self.data = torch.from_numpy(self._images)  # shares memory with the uint8 array

    def split_files(self) -> tuple[str, ...]:
        return FILES[self.train]

    def candidate_folders(self, base: Path) -> list[Path]:
        return [base / "MNIST", base / "MNIST" / "raw"]

    def read(self, folder: Path) -> tuple[np.ndarray, np.ndarray]:
        images_name, labels_name = FILES[self.train]
        images = read_idx(folder / images_name)
        labels = read_idx(folder / labels_name)
        if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
            raise ValueError(f"{folder / images_name} holds {images.dtype} {images.shape}, not uint8 (N, 28, 28) "
                             "images: is it the right file? Delete it and download again.")
        if labels.shape != (images.shape[0],):
            raise ValueError(f"{folder / labels_name} has {labels.shape[0]:,} labels for {images.shape[0]:,} "
                             "images: the two files do not belong together. Delete both and download again.")
        return images, labels

    def split_arguments(self) -> dict:
        return {"train": self.train}

    def _split_parameter(self) -> str:
        return "train"

    @property
    def split_label(self) -> str:
        return "training" if self.train else "test"

    def __repr__(self) -> str:
        return (f"MNIST(source={self.source!r}, train={self.train}, n={len(self):,}, folder={str(self.folder)!r}, "
                f"transform={self.transform!r})")

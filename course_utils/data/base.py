"""``ImageDataset``: the base of the course's datasets, with torchvision's conventions.

Every dataset takes ``(root, train or split, transform, target_transform, download)`` in that
order (as torchvision's do, so ``MNIST(root, True, lambda x: 2 * x - 1)`` puts the transform where it
belongs), plus ``source="real" | "embedded"`` by keyword. A transform gets the image already as a
float32 tensor ``[1, H, W]`` in [0, 1], not as a PIL image: torchvision's ``ToTensor()`` is not
needed here (and would fail on a tensor). Every dataset has:

- ``root``: what the caller passed (``None``: the course's data folders);
- ``classes``: the class names, ``classes[label]``;
- ``embedded()``: the small offline stand-in shipped with the course;
- ``description``: one line saying which data is in use (real or stand-in), for a notebook;
- ``dataset[i] -> (image float32 [1, H, W] in [0, 1], label int)`` and one batched path,
  ``get_batch(indices) -> (x [B, 1, H, W], y int64 [B])``, which ``DataLoader`` uses through
  ``__getitems__`` and ``BatchLoader`` calls directly.

The images are held as one ``uint8`` array ``[N, H, W]`` (4x smaller than float32; converted per
item or per batch). Adding a dataset whose files a registry entry describes takes a short
subclass: name the registry entry and the files, and say how to read them::

    class Squares(ImageDataset):
        registry_name = "squares"                 # course_utils.data.registry.REGISTRY["squares"]
        title = "Squares"
        classes = ["hollow", "filled"]
        embedded_contents = "images of squares drawn by a script"

        def split_files(self):
            return ("squares.npz",)

        def read(self, folder):
            with np.load(folder / "squares.npz") as arrays:
                return arrays[f"{self.split}_images"], arrays[f"{self.split}_labels"]

``Squares("data", "train", download=True)`` then finds ``data/Squares/squares.npz`` or
downloads it (verified by the registry's size and SHA-256), and everything else above comes
from this class. A dataset with another way of finding its data (the reference notMNIST with
its archive and cache) overrides ``prepare`` instead of ``split_files``/``read``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, ClassVar, Optional, Sequence

import numpy as np
import torch

SOURCES = ("real", "embedded")


# --------------------------------------------------------------------------- locating data
def check_source(source: str) -> str:
    """Validate a dataset's ``source=`` argument: ``"real"`` or ``"embedded"``."""
    if source not in SOURCES:
        raise ValueError(f"source={source!r} is not understood: use source='real' for the real dataset "
                         "(downloaded with download=True) or source='embedded' for the small offline sample "
                         "that ships with the course.")
    return source


def data_dirs(root: "str | os.PathLike[str] | None") -> tuple[Path, Path]:
    """``(archive_dir, local_dir)`` for a dataset's ``root`` argument.

    With ``root`` given both are ``root``. With ``None`` they are the course's
    ``env.data_dir`` (downloads; on Drive when it is mounted on Colab) and
    ``env.local_data_dir`` (extracted files and caches, on local disk).
    """
    if root is not None:
        folder = Path(root).expanduser()
        return folder, folder
    from ..env import current_env

    env = current_env()
    return Path(env.data_dir), Path(env.local_data_dir)


def registry_fetch(name: str, dest_dir: Path) -> dict[str, Path]:
    """Download the registry entry ``name`` into ``dest_dir`` (verified, resumable) and return its files."""
    from .registry import fetch

    dest_dir.mkdir(parents=True, exist_ok=True)
    return {key: Path(value) for key, value in fetch(name, dest_dir).items()}


def to_float(pixels: np.ndarray) -> np.ndarray:
    """uint8 0-255 -> float32 0-1 in one single-threaded NumPy pass (fast for batch-sized arrays;
    torch's threaded kernels only add overhead on arrays this small)."""
    return np.divide(pixels, np.float32(255.0), dtype=np.float32)


def samples_from_batch(x: torch.Tensor, y: torch.Tensor) -> list[tuple[torch.Tensor, int]]:
    """Split a batch into the ``[(image, label), ...]`` list that ``__getitems__`` must return."""
    return list(zip(x.unbind(0), y.tolist()))


# --------------------------------------------------------------------------- the base class
class ImageDataset(torch.utils.data.Dataset):
    """Base class: grayscale images in one ``uint8`` array, served as float tensors.

    Args:
        root: the folder the caller names (kept as ``self.root``, ``None`` when not given). The
            files are looked for in ``<root>/<folder_name>/``; with ``None`` in the course's data
            folder (``course_utils.setup().data_dir``), or ``data/embedded`` for the stand-in.
        split: one of ``splits`` (subclasses may take ``train=True/False`` instead, as MNIST does).
        transform: called on each image tensor (float32 ``[1, H, W]`` in [0, 1]); its result is
            returned instead.
        target_transform: called on each label (``int``).
        download: fetch the registry entry ``registry_name`` when the files are missing.
        source: ``"real"`` (default) or ``"embedded"`` (the offline stand-in, by keyword).

    Class attributes a subclass sets:
        title: the dataset's name in messages (``"MNIST"``); folder_name: its folder (default
        ``title``); registry_name: its registry entry (``None``: no download); classes: the class
        names; splits: the accepted splits; embedded_contents: what the stand-in holds, in words;
        download_note: size and checks of the download, for the "missing" message.

    Attributes set here:
        targets: ``int64`` tensor ``[N]``; folder: where the files were found; source,
        is_embedded, description: which data this is.

    Raises:
        FileNotFoundError: the files are missing and ``download=False`` (the message has the call).
        ValueError: an unknown split or source, or files whose arrays do not fit together.
    """

    title: ClassVar[str] = "dataset"
    folder_name: ClassVar[Optional[str]] = None
    registry_name: ClassVar[Optional[str]] = None
    classes: ClassVar[list] = []
    splits: ClassVar[tuple] = ("train", "test")
    embedded_contents: ClassVar[str] = "images"
    download_note: ClassVar[str] = ""

    def __init__(self, root: "str | os.PathLike[str] | None" = None, split: str = "train",
                 transform: Optional[Callable] = None, target_transform: Optional[Callable] = None,
                 download: bool = False, *, source: str = "real") -> None:
        if split not in self.splits:
            raise ValueError(f"split={split!r} is not understood: use one of {', '.join(map(repr, self.splits))}.")
        for name, value in (("transform", transform), ("target_transform", target_transform)):
            if value is not None and not callable(value):
                raise TypeError(f"{name} must be a function (or None); got {value!r}. The arguments are "
                                f"{type(self).__name__}(root, {self._split_parameter()}, transform, target_transform, "
                                "download): pass download by name, download=True.")
        if not isinstance(download, (bool, np.bool_)):
            raise TypeError(f"download must be True or False; got {download!r}.")
        self.root = Path(root).expanduser() if root is not None else None
        self.split = split
        self.transform, self.target_transform = transform, target_transform
        self.source = check_source(source)
        self.folder: Optional[Path] = None
        #: row of each sample in ``_images`` (``None``: sample i is row i)
        self._rows: Optional[np.ndarray] = None
        self.prepare(download)
        if not isinstance(self.targets, torch.Tensor):
            self.targets = torch.as_tensor(np.asarray(self.targets, dtype=np.int64))

    def _split_parameter(self) -> str:
        return "split"

    # ------------------------------------------------------------------ finding and reading files
    @classmethod
    def embedded(cls, *args, **kwargs):
        """The offline stand-in shipped in ``data/embedded`` (same arguments, without ``root``)."""
        return cls(None, *args, source="embedded", **kwargs)

    def split_files(self) -> tuple[str, ...]:
        """The file names this split needs inside the dataset's folder."""
        raise NotImplementedError(f"{type(self).__name__} must define split_files() and read(), or prepare().")

    def read(self, folder: Path) -> tuple[np.ndarray, np.ndarray]:
        """``(images uint8 [N, H, W], labels [N])`` of this split, read from ``folder``."""
        raise NotImplementedError(f"{type(self).__name__} must define split_files() and read(), or prepare().")

    def candidate_folders(self, base: Path) -> list[Path]:
        """Where the files may be under ``base``, in order (default ``base/<folder_name>``)."""
        return [base / (self.folder_name or self.title)]

    def base_dir(self) -> Path:
        """The folder the files are looked for under: ``root``, else the course's (or embedded) data folder."""
        if self.is_embedded:
            if self.root is not None:
                return self.root
            from ..env import embedded_data_dir

            return embedded_data_dir()
        return data_dirs(self.root)[0]

    def find_folder(self) -> Optional[Path]:
        """The first candidate folder that holds every file of this split, or ``None``."""
        names = self.split_files()
        for folder in self.candidate_folders(self.base_dir()):
            if all((folder / name).is_file() for name in names):
                return folder
        return None

    def prepare(self, download: bool) -> None:
        """Find (or download) the files and read them into ``_images`` and ``targets``."""
        folder = self.find_folder()
        expected = self.candidate_folders(self.base_dir())[0]
        if folder is None:
            if self.is_embedded:
                raise FileNotFoundError(
                    f"The embedded {self.title} files are missing from {expected}. Restore them with "
                    "`git checkout data/embedded` in the course folder, or get a fresh copy of the course")
            if not download or self.registry_name is None:
                raise FileNotFoundError(self.missing_message())
            registry_fetch(self.registry_name, expected)
            folder = self.find_folder()
            if folder is None:
                raise FileNotFoundError(f"The {self.title} download finished but {', '.join(self.split_files())} "
                                        f"are not in {expected}: delete that folder and try again.")
        self.folder = folder
        images, labels = self.read(folder)
        images, labels = np.asarray(images), np.asarray(labels)
        if images.ndim != 3 or images.dtype != np.uint8:
            raise ValueError(f"{folder} holds {images.dtype} images of shape {images.shape}, not uint8 (N, H, W): "
                             "is it the right file? Delete it and download again.")
        if labels.shape != (images.shape[0],):
            raise ValueError(f"{folder} has {labels.shape[0]:,} labels for {images.shape[0]:,} images: the files do "
                             "not belong together. Delete them and download again.")
        self._images = images
        self.targets = torch.from_numpy(labels.astype(np.int64))

    def call_text(self, **arguments) -> str:
        """The constructor call with ``download=True`` for this dataset, for error messages."""
        shown = [repr(str(self.root))] if self.root is not None else []
        shown += [f"{key}={value!r}" for key, value in arguments.items()] + ["download=True"]
        return f"{type(self).__name__}({', '.join(shown)})"

    def missing_message(self) -> str:
        """What to say when the files are not there."""
        expected = self.candidate_folders(self.base_dir())[0]
        text = f"{self.title} is not in {expected} (looked for {', '.join(self.split_files())})."
        if self.registry_name is not None:
            note = f" ({self.download_note})" if self.download_note else ""
            text += f"\nDownload it{note}: {self.call_text(**self.split_arguments())}"
        return text + (f"\nOr use the small offline stand-in that ships with the course: "
                       f"{type(self).__name__}.embedded({self.split_arguments_text()})")

    def split_arguments(self) -> dict:
        """The keyword arguments that select this split (``{"split": "test"}``; MNIST: ``{"train": False}``)."""
        return {"split": self.split}

    def split_arguments_text(self) -> str:
        return ", ".join(f"{key}={value!r}" for key, value in self.split_arguments().items())

    # ------------------------------------------------------------------ describing itself
    @property
    def is_embedded(self) -> bool:
        return self.source == "embedded"

    @property
    def split_label(self) -> str:
        """The split in words, as ``description`` says it (``"train"``, ``"test"``)."""
        return self.split

    @property
    def real_title(self) -> str:
        """The real dataset's name in ``description`` (e.g. ``notMNIST_small``)."""
        return self.title

    @property
    def origin(self) -> str:
        """Where the data came from (a folder or an archive), for ``description``."""
        return str(self.folder)

    def description_details(self) -> str:
        """Extra words after the number of images in ``description`` (e.g. bad files skipped)."""
        return ""

    @property
    def description(self) -> str:
        """One line saying which data this is, for a notebook to print."""
        details = self.description_details()
        if self.is_embedded:
            return (f"{self.title} stand-in: embedded offline sample, {len(self):,} {self.split_label} "
                    f"{self.embedded_contents}{details}; NOT the real {self.title}. For the real data pass "
                    "source='real', download=True.")
        return f"{self.real_title}: the real dataset, {len(self):,} {self.split_label} images{details}, from {self.origin}."

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(source={self.source!r}, split={self.split!r}, n={len(self):,}, "
                f"folder={str(self.folder)!r}, transform={self.transform!r})")

    # ------------------------------------------------------------------ access
    def __len__(self) -> int:
        return int(self.targets.shape[0])

    def __getitem__(self, index: int):
        row = self._rows[index] if self._rows is not None else index
        image = torch.from_numpy(to_float(self._images[row][None]))
        label = int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def get_batch(self, indices: "Sequence[int] | np.ndarray | torch.Tensor") -> tuple[torch.Tensor, torch.Tensor]:
        """A batch at once: ``(x float32 [B, 1, H, W] in [0, 1], y int64 [B])``: one fancy index, one conversion.

        With a ``transform`` (or ``target_transform``) the items are transformed one by one and stacked.
        """
        index = np.asarray(indices, dtype=np.int64)
        if self.transform is not None or self.target_transform is not None:
            items = [self[int(i)] for i in index]
            return torch.stack([x for x, _ in items]), torch.as_tensor([y for _, y in items])
        rows = self._rows[index] if self._rows is not None else index
        x = torch.from_numpy(to_float(self._images[rows][:, None]))
        return x, self.targets[torch.from_numpy(index)]

    def __getitems__(self, indices: Sequence[int]) -> list:
        """What ``DataLoader`` calls for a whole batch: the same samples as ``[self[i] for i in indices]``."""
        if self.transform is not None or self.target_transform is not None:
            return [self[int(i)] for i in indices]
        return samples_from_batch(*self.get_batch(indices))

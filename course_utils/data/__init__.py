"""Datasets and downloads for the course: verified downloads, safe archive extraction,
the dataset base class (``base.ImageDataset``: torchvision's argument order, ``embedded()``,
``description``, batched access), the MNIST reader, and the small embedded offline stand-ins.

Each submodule is importable on its own; the names below are re-exported for convenience.
``download`` is the function; its module is ``course_utils.data.downloads``.
The reference notMNIST Dataset class is the answer to homework 05, so it lives with the
instructor's tools, not here.
"""

from .archive import ArchiveError, UnsafeArchiveError, extract_archive
from .base import ImageDataset
from .downloads import DownloadError, IntegrityError, download, join_url, verify_file
from .idx import read_idx, write_idx
from .loader import BatchLoader
from .mnist import MNIST
from .registry import REGISTRY, dataset_files, fetch

__all__ = [
    "REGISTRY",
    "ArchiveError",
    "BatchLoader",
    "DownloadError",
    "ImageDataset",
    "IntegrityError",
    "MNIST",
    "UnsafeArchiveError",
    "dataset_files",
    "download",
    "extract_archive",
    "fetch",
    "join_url",
    "read_idx",
    "verify_file",
    "write_idx",
]

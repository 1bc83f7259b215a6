"""Datasets and downloads for the course: verified downloads, safe archive extraction,
MNIST and notMNIST readers, and the small embedded offline stand-ins.

Each submodule is importable on its own; the names below are re-exported for convenience.
Note that ``course_utils.data.download`` is the *function*; the module is
``importlib.import_module("course_utils.data.download")``.
"""

from .archive import ArchiveError, UnsafeArchiveError, extract_archive
from .download import DownloadError, IntegrityError, download, join_url, verify_file
from .idx import read_idx, write_idx
from .loader import BatchLoader
from .mnist import MNIST
from .notmnist import (
    NotMNIST,  # the homework answer: the student edition stubs notmnist.py (see data/README.md)
)
from .registry import REGISTRY, dataset_files, fetch

__all__ = [
    "REGISTRY",
    "ArchiveError",
    "BatchLoader",
    "DownloadError",
    "IntegrityError",
    "MNIST",
    "NotMNIST",
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

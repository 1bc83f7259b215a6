"""Datasets and downloads for the course: verified downloads, safe archive extraction,
MNIST and notMNIST readers, and the small embedded offline stand-ins.

Each submodule is importable on its own; the names below are re-exported for convenience.
"""
from .idx import read_idx, write_idx
from .loader import BatchLoader
from .mnist import MNIST
from .notmnist import NotMNIST  # the homework answer: the student edition stubs notmnist.py (see data/README.md)
from .archive import ArchiveError, UnsafeArchiveError, extract_archive
from .download import DownloadError, IntegrityError, download, join_url, verify_file
from .registry import REGISTRY, dataset_files, fetch

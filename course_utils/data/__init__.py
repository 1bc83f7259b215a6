"""Datasets and downloads for the course: verified downloads, safe archive extraction,
MNIST and notMNIST readers, and the small embedded offline stand-ins.

Each submodule is importable on its own; the names below are re-exported for convenience.
"""
from .idx import read_idx, write_idx
from .loader import BatchLoader
from .mnist import MNIST
from .notmnist import NotMNIST  # the homework answer: the student edition stubs notmnist.py (see data/README.md)

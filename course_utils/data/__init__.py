"""Datasets and downloads for the course: verified downloads, safe archive extraction,
MNIST and notMNIST readers, and the small embedded offline stand-ins.

Each submodule is importable on its own; the names below are re-exported for convenience.
"""

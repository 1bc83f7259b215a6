"""The one registry of every dataset file the course downloads: mirrors, byte sizes, SHA-256.

``fetch("mnist", data_dir)`` downloads every file of a dataset, verified, and returns
``{file name: path}``. Nothing here touches the network until you call ``fetch``.

Where the numbers come from:

- MNIST: the byte sizes are those printed on Yann LeCun's MNIST page; the SHA-256 digests are the
  ones pinned by many independent public projects (build systems that refuse a mismatching file,
  dataset registries, course loaders), which all agree. The same four files are served by every
  mirror below.
- notMNIST: its author published no hash, only the archive sizes (Yaroslav Bulatov's blog post;
  see the course's reference facts), so the byte size is the only published check. It does catch
  the truncated 30-50 MB copies that have circulated. On top of it, the first verified download
  records its SHA-256 beside the file (trust on first use, see ``downloads``) and every later use
  is checked against that record; an instructor can pin the printed digest here. Its second
  mirror is plain http: without a pinned hash it is used only when asked for by name
  (``fetch(..., allow_insecure=[url])``).
- Archive limits (``max_members``, ``max_bytes``): what ``extract_archive`` accepts from each
  archive, against decompression bombs. notMNIST_small has 18,726 files in 10 letter folders,
  notMNIST_large 529,119 (the course's reference facts); each is a 28x28 grayscale PNG of well
  under 4 KB. The limits leave a wide margin above those counts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from .downloads import download, join_url

__all__ = ["DatasetFiles", "REGISTRY", "RemoteFile", "archive_limits", "dataset_files", "fetch"]


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset.

    Attributes:
        name: the file name, identical on every mirror and on disk.
        size: expected size in bytes (``None`` if unknown).
        sha256: expected SHA-256 hex digest (``None`` where none is published).
        mirrors: base URLs tried in order; the file's URL is ``join_url(mirror, name)``.
        max_members, max_bytes: for an archive, the most entries and uncompressed bytes
            ``extract_archive`` accepts from it (``None``: its generic defaults).
    """

    name: str
    size: Optional[int]
    sha256: Optional[str]
    mirrors: tuple[str, ...]
    max_members: Optional[int] = None
    max_bytes: Optional[int] = None

    @property
    def urls(self) -> list[str]:
        """The file's URL on each mirror, in the order they are tried."""
        return [join_url(mirror, self.name) for mirror in self.mirrors]


@dataclass(frozen=True)
class DatasetFiles:
    """Every file of one dataset, with where its checks come from."""

    name: str
    description: str
    files: tuple[RemoteFile, ...]
    checks_source: str

    def file(self, name: str) -> RemoteFile:
        for item in self.files:
            if item.name == name:
                return item
        known = ", ".join(item.name for item in self.files)
        raise KeyError(f"{self.name} has no file {name!r}; its files are: {known}.")


_MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",  # PyTorch's mirror, https, fast
    "https://storage.googleapis.com/cvdf-datasets/mnist/",  # TensorFlow's mirror
    "http://yann.lecun.com/exdb/mnist/",  # the original; often refuses scripted downloads now
)

# https first; the author's server is http only and has been down at times.
_NOTMNIST_MIRRORS = (
    "https://commondatastorage.googleapis.com/books1000/",
    "http://yaroslavvb.com/upload/notMNIST/",
)


def _mnist(name: str, size: int, sha256: str) -> RemoteFile:
    return RemoteFile(name=name, size=size, sha256=sha256, mirrors=_MNIST_MIRRORS)


#: Every dataset the course can download, by name.
REGISTRY: dict[str, DatasetFiles] = {
    "mnist": DatasetFiles(
        name="mnist",
        description="MNIST handwritten digits (LeCun, Cortes, Burges): 60,000 train + 10,000 test 28x28 "
                    "images in gzipped IDX files.",
        files=(
            _mnist("train-images-idx3-ubyte.gz", 9_912_422,
                   "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            _mnist("train-labels-idx1-ubyte.gz", 28_881,
                   "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            _mnist("t10k-images-idx3-ubyte.gz", 1_648_877,
                   "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            _mnist("t10k-labels-idx1-ubyte.gz", 4_542,
                   "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        ),
        checks_source="sizes from yann.lecun.com/exdb/mnist; SHA-256 as pinned by many public projects",
    ),
    "notmnist_small": DatasetFiles(
        name="notmnist_small",
        description="notMNIST_small (Yaroslav Bulatov, 2011): about 18.7k hand-cleaned 28x28 letters A-J.",
        files=(RemoteFile(name="notMNIST_small.tar.gz", size=8_458_043, sha256=None, mirrors=_NOTMNIST_MIRRORS,
                          max_members=25_000, max_bytes=100 * 10**6),),
        checks_source="byte size (the author published no hash) and the SHA-256 recorded on first download",
    ),
    "notmnist_large": DatasetFiles(
        name="notmnist_large",
        description="notMNIST_large (Yaroslav Bulatov, 2011): about 529k uncleaned 28x28 letters A-J.",
        files=(RemoteFile(name="notMNIST_large.tar.gz", size=247_336_696, sha256=None, mirrors=_NOTMNIST_MIRRORS,
                          max_members=600_000, max_bytes=2 * 10**9),),
        checks_source="byte size (the author published no hash) and the SHA-256 recorded on first download",
    ),
}


def dataset_files(name: str) -> DatasetFiles:
    """The registry entry for ``name`` (``"mnist"``, ``"notmnist_small"``, ``"notmnist_large"``)."""
    key = name.strip().lower().replace("-", "_")
    try:
        return REGISTRY[key]
    except KeyError:
        known = ", ".join(repr(k) for k in REGISTRY)
        raise KeyError(f"No dataset called {name!r} in the registry; known datasets: {known}.") from None


def archive_limits(file_name: str) -> tuple[Optional[int], Optional[int]]:
    """``(max_members, max_bytes)`` the registry gives the archive called ``file_name``.

    ``(None, None)`` for a name the registry does not know (``extract_archive`` then uses its
    generic defaults). Matched on the file name alone, so a copy saved anywhere gets the limits.
    """
    for entry in REGISTRY.values():
        for item in entry.files:
            if item.name == file_name:
                return item.max_members, item.max_bytes
    return None, None


def fetch(name: str, dest_dir: "str | os.PathLike[str]", *, progress: Optional[bool] = None,
          allow_insecure: Sequence[str] = ()) -> dict[str, Path]:
    """Download every file of a registered dataset into ``dest_dir``, verified.

    Files already there that pass their size/SHA-256 checks are reused without any network access;
    damaged ones are downloaded again. See :func:`course_utils.data.downloads` for the details
    (mirrors in order, resume, retries, progress).

    Args:
        name: a key of :data:`REGISTRY`.
        dest_dir: the folder for the files (created if needed); typically ``setup().data_dir``.
        progress: ``None`` (auto), ``True`` (bar) or ``False`` (silent), as in ``download``.
        allow_insecure: plain-``http`` URLs (or mirror base URLs ending in ``/``) that may be used
            for a file without a pinned SHA-256, as in ``download``; by default such mirrors are
            skipped.

    Returns:
        ``{file name: Path}`` for every file of the dataset, in registry order.

    Raises:
        KeyError: unknown dataset name (the message lists the known ones).
        DownloadError / IntegrityError: a file could not be downloaded or failed its checks.
    """
    entry = dataset_files(name)
    folder = Path(dest_dir)
    return {item.name: download(item.urls, folder / item.name, size=item.size, sha256=item.sha256,
                                progress=progress, allow_insecure=allow_insecure)
            for item in entry.files}

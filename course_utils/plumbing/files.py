"""Atomic file writes and file hashing.

A file written with these helpers is either the old file or the complete new one, never half of
the new one: the bytes go to a hidden temporary file in the same folder, which is flushed, synced
and then renamed over the target (``os.replace`` is atomic on one file system).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator, Union

PathLike = Union[str, "os.PathLike[str]"]

#: Bytes read at a time when hashing.
CHUNK = 1 << 20


@contextlib.contextmanager
def atomic_writer(path: PathLike, mode: int = 0o644) -> Iterator[BinaryIO]:
    """Open a temporary binary file beside ``path``; on a clean exit it replaces ``path``.

    If the ``with`` block raises (disk full, Ctrl+C, a bug), the temporary file is removed and
    ``path`` is untouched. Parent folders are created. ``mode`` is the new file's permission bits.

    Example::

        with atomic_writer("model.pt") as handle:
            torch.save(state, handle)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def atomic_write_bytes(path: PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see ``atomic_writer``); returns ``path``."""
    with atomic_writer(path) as handle:
        handle.write(data)
    return Path(path)


def atomic_write_text(path: PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see ``atomic_writer``); returns ``path``."""
    return atomic_write_bytes(path, text.encode(encoding))


def fsync_dir(folder: PathLike) -> None:
    """Make a rename inside ``folder`` durable (a no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sha256_file(path: PathLike) -> str:
    """The SHA-256 of the file's bytes as 64 lowercase hex digits, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()

"""List a folder that a student's code wrote, from the grader's side, without trusting it.

``snapshot(folder)`` walks ``folder`` through file descriptors opened with ``O_NOFOLLOW``: a symbolic
link is reported as a link (with its target) and never followed, a FIFO or device is reported and
never opened, a regular file is read through the descriptor that was checked (so swapping it for a
link in between changes nothing). Limits on the number of entries and the bytes read keep a hostile
folder from costing the grader more than a moment. The result maps each relative path (``a/b.png``)
to an ``Entry``.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

#: At most this many entries are listed; the rest are summarised in the ``"..."`` entry.
MAX_ENTRIES = 5000
#: At most this many bytes are read (hashed) in total; larger files are listed without a digest.
MAX_READ_BYTES = 64 * 1024**2
#: Files up to this size also keep their content in ``Entry.data``.
MAX_KEPT_BYTES = 64 * 1024


@dataclass(frozen=True)
class Entry:
    """One thing found: ``kind`` is ``"file"``, ``"dir"``, ``"symlink"``, ``"other"`` (FIFO, socket, device)
    or ``"..."`` (entries beyond the limit); ``size`` in bytes; ``sha256`` and ``data`` of small files
    (``None`` when not read); ``target`` of a link."""

    kind: str
    size: int = 0
    sha256: Optional[str] = None
    data: Optional[bytes] = None
    target: Optional[str] = None


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def snapshot(folder: Path, *, root: Optional[Path] = None, max_entries: int = MAX_ENTRIES,
             max_read: int = MAX_READ_BYTES) -> dict:
    """``{relative path: Entry}`` of everything under ``folder`` (empty when ``folder`` is missing;
    ``{".": Entry(kind)}`` when it, or a folder on the way to it, is a link or not a folder).

    ``root``: a folder the grader trusts (made by the grader) that holds ``folder``; every folder
    between the two is then opened without following links too (the student's code may have swapped
    one for a link to a folder of the grader's machine).
    """
    found: dict = {}
    budget = [max_read]
    try:
        top = _open_below(Path(folder), Path(root) if root is not None else None)
    except FileNotFoundError:
        return found
    except OSError:
        try:
            info = os.lstat(folder)
            kind = "symlink" if stat.S_ISLNK(info.st_mode) else "other"
        except OSError:
            kind = "symlink"   # a folder on the way is not one: a link, most likely
        found["."] = Entry(kind=kind)
        return found
    try:
        _walk(top, "", found, max_entries, budget)
    finally:
        os.close(top)
    return found


def _open_below(folder: Path, root: Optional[Path]) -> int:
    """A descriptor of ``folder``, each component below ``root`` opened with ``O_NOFOLLOW``."""
    if root is None:
        return os.open(str(folder), _DIR_FLAGS)
    parts = folder.relative_to(root).parts
    fd = os.open(str(root), _DIR_FLAGS)
    try:
        for part in parts:
            child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def _walk(fd: int, prefix: str, found: dict, max_entries: int, budget: list) -> None:
    try:
        names = sorted(os.listdir(fd))
    except OSError:
        return
    for name in names:
        if len(found) >= max_entries:
            found["..."] = Entry(kind="...")
            return
        rel = f"{prefix}{name}"
        try:
            info = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except OSError:
            continue
        mode = info.st_mode
        if stat.S_ISLNK(mode):
            try:
                target = os.readlink(name, dir_fd=fd)
            except OSError:
                target = None
            found[rel] = Entry(kind="symlink", target=target)
        elif stat.S_ISDIR(mode):
            found[rel] = Entry(kind="dir")
            try:
                child = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except OSError:
                continue
            try:
                _walk(child, rel + "/", found, max_entries, budget)
            finally:
                os.close(child)
        elif stat.S_ISREG(mode):
            found[rel] = _read(fd, name, info.st_size, budget)
        else:
            found[rel] = Entry(kind="other")


def _read(fd: int, name: str, size: int, budget: list) -> Entry:
    if size > budget[0]:
        return Entry(kind="file", size=size)
    try:
        handle = os.open(name, _FILE_FLAGS, dir_fd=fd)
    except OSError:
        return Entry(kind="other", size=size)
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            return Entry(kind="other", size=info.st_size)
        digest, kept, total = hashlib.sha256(), bytearray(), 0
        while total <= budget[0]:
            chunk = os.read(handle, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            digest.update(chunk)
            if len(kept) <= MAX_KEPT_BYTES:
                kept += chunk
        budget[0] -= total
        data = bytes(kept) if total <= MAX_KEPT_BYTES else None
        return Entry(kind="file", size=total, sha256=digest.hexdigest(), data=data)
    finally:
        os.close(handle)

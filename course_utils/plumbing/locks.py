"""An exclusive lock file, so that two processes (two notebook kernels) never work on the same file.

``with file_lock(folder / ".name.lock"):`` waits until no other process holds the lock, then
holds it for the ``with`` block. The lock is the operating system's (``fcntl.flock`` on Linux and
macOS, ``msvcrt.locking`` on Windows), so a process that is killed lets go of it at once: no stale
lock ever needs deleting by hand. The lock file is removed when the block ends.

On a file system without locks (some network or FUSE mounts) the block runs unlocked, as
before this module existed; nothing else changes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from pathlib import Path
from typing import Callable, Iterator, Optional, Union

__all__ = ["LockTimeout", "file_lock"]

PathLike = Union[str, "os.PathLike[str]"]
_UNSUPPORTED = {errno.ENOLCK, errno.EOPNOTSUPP, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP), errno.ENOSYS}


class LockTimeout(TimeoutError):
    """Another process held the lock for longer than the timeout.

    Attributes:
        path: the lock file.
    """

    def __init__(self, path: Path, timeout: float):
        super().__init__(
            f"Another process holds the lock {path} and did not let go of it within {timeout:g} s. "
            "Wait for it to finish (another notebook kernel or script working on the same file?) and try "
            "again, or stop that process. A killed process releases the lock by itself.")
        self.path = path


def _try_lock(fd: int) -> Optional[bool]:
    """True: locked; False: held by another process; None: this file system has no locks."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            return None if exc.errno in _UNSUPPORTED else False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:
        if exc.errno in _UNSUPPORTED:
            return None
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        return False


@contextlib.contextmanager
def file_lock(path: PathLike, *, timeout: float = 600.0, poll: float = 0.1,
              on_wait: Optional[Callable[[], None]] = None) -> Iterator[Path]:
    """Hold an exclusive lock on the file ``path`` (created if needed) for the ``with`` block.

    Args:
        path: the lock file, typically a hidden file beside what it protects.
        timeout: seconds to wait for another holder before raising ``LockTimeout`` (0: do not wait).
        poll: seconds between two tries while waiting.
        on_wait: called once when the lock is found taken (e.g. to print "waiting for ...").

    Raises:
        LockTimeout: the lock was still taken after ``timeout`` seconds.
    """
    path = Path(path)
    deadline = time.monotonic() + max(0.0, timeout)
    waited = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            got = _try_lock(fd)
        except BaseException:
            os.close(fd)
            raise
        if got is None:  # no locks here: run unlocked
            os.close(fd)
            yield path
            return
        if got and _same_file(fd, path):
            break
        if got:  # the previous holder removed the file after we opened it: lock the new one
            _unlock(fd)
            os.close(fd)
            continue
        os.close(fd)
        if time.monotonic() >= deadline:
            raise LockTimeout(path, timeout)
        if not waited and on_wait is not None:
            on_wait()
        waited = True
        time.sleep(poll)
    try:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        with contextlib.suppress(OSError):  # removed while still held: a waiter re-opens a new file
            os.unlink(path)
        _unlock(fd)
        os.close(fd)

"""Safe, atomic extraction of ``.tar.gz`` / ``.tgz`` / ``.tar`` / ``.zip`` archives.

``extract_archive(path, dest)`` extracts into a temporary folder beside ``dest`` and renames it
to ``dest`` only when everything is out, so a half-extracted folder never looks finished (a
kernel restart in the middle leaves only a ``.<name>.extracting-*`` folder, never ``dest``; the
next call removes such a leftover once it is old enough). A second call finds ``dest`` and
returns at once. A lock file beside ``dest`` keeps two kernels from extracting at the same time.

Dataset archives hold folders and regular files, nothing else, so that is all this module
writes. Every entry is checked before anything is written; refused, with
:class:`UnsafeArchiveError` naming the entry, are:

- absolute paths, drive letters and ``..`` components;
- symbolic links, always (no link is ever created, so no later entry can be sent through one:
  this is what closes the link-chain escapes of CVE-2025-4517 and its relatives, on every Python);
- hard links, unless ``allow_hardlinks=True``; then a hard link to an earlier regular file of the
  same archive, found by its entry name (never through the file system), is written as a copy of
  that entry's bytes;
- device files, FIFOs and other special files;
- more entries or more uncompressed bytes than the limits (``max_members``, ``max_bytes``; the
  registry knows them for the course's datasets), against decompression bombs;
- a tar header whose own data is larger than ``MAX_HEADER_BYTES`` (a GNU long name or link name, a
  pax extended header; the global pax headers of an archive together), refused before it is read:
  ``tarfile`` would otherwise read all of it into memory; and GNU sparse files, which dataset
  archives never need and whose maps ``tarfile`` also reads whole;
- any path that cannot be created or resolved exactly where expected (too long for the file
  system, ``ENAMETOOLONG``; a file where a folder should be; anything that resolves elsewhere).

While writing, every folder is created component by component and checked with a strict
``realpath``, and files are opened without following links. File modes lose setuid, setgid,
sticky and group/other write bits (the rule of tarfile's ``"data"`` filter).

Why by hand: neither pooch's ``Untar``/``Unzip`` processors nor ``shutil.unpack_archive``
extract atomically, refuse hostile entries with an error naming them on every supported Python,
or tell a truncated archive apart with a message a beginner can act on; and ``tarfile``'s own
``data`` filter was bypassable before Python 3.11.13 / 3.12.11 / 3.13.4.
"""

from __future__ import annotations

import errno
import gzip
import os
import posixpath
import shutil
import stat
import tarfile
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Optional

from ..plumbing.locks import LockTimeout, file_lock

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_MEMBERS", "MAX_HEADER_BYTES", "ArchiveError", "CappedTarInfo", "HeaderRefused",
           "UnsafeArchiveError", "extract_archive", "open_tar"]

#: Limits for an archive the registry does not know: generous, but a bomb still stops.
DEFAULT_MAX_MEMBERS = 1_000_000
DEFAULT_MAX_BYTES = 8 * 1024 ** 3
#: Largest tar header data read (a GNU long name or link name, one pax extended header, all global
#: pax headers together), in bytes: a real name is at most a few KB, a pax header a few hundred bytes.
MAX_HEADER_BYTES = 1 << 20
#: A ``.<dest>.extracting-*`` folder left by a killed process is removed once it is this old
#: (seconds) and the lock is free.
STALE_AFTER_S = 600.0
#: Bytes copied at a time.
_CHUNK = 1 << 20

_TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_READ_ERRORS: tuple = (tarfile.ReadError, tarfile.CompressionError, EOFError, zlib.error,
                       gzip.BadGzipFile, zipfile.BadZipFile)
try:  # optional compressors
    import lzma

    _READ_ERRORS += (lzma.LZMAError,)
except ImportError:  # pragma: no cover
    pass
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


class ArchiveError(RuntimeError):
    """An archive could not be extracted (truncated, corrupt, unsupported, unsafe or locked).

    Attributes:
        archive: the archive's path.
    """

    def __init__(self, message: str, *, archive: Optional[Path] = None):
        super().__init__(message)
        self.archive = archive


class UnsafeArchiveError(ArchiveError):
    """The one error for every refusal: an entry that is unsafe, or an archive over a limit.

    Attributes:
        entry: the entry's name as stored in the archive (for a limit: the first entry over it).
        reason: what is wrong with it.
        limit: ``None``, or the argument that sets the limit that was crossed
            (``"max_members"`` or ``"max_bytes"``).
    """

    def __init__(self, archive: Path, entry: str, reason: str, *, advice: Optional[str] = None,
                 limit: Optional[str] = None):
        if advice is None:
            advice = (f"A dataset archive holds only folders and regular files: this one may have been "
                      f"tampered with. Delete {archive} and download it again from the official source.")
        super().__init__(f"Refusing to extract {archive.name}: entry {entry!r} {reason}. "
                         f"Nothing was extracted. {advice}", archive=archive)
        self.entry = entry
        self.reason = reason
        self.limit = limit


# --------------------------------------------------------------------------- the plan
@dataclass
class _Item:
    """One thing to write: a folder, or a file whose bytes come from ``source``."""

    entry: str  # the name as stored in the archive (for messages)
    name: str  # the cleaned relative POSIX path ("" for the root folder)
    is_dir: bool
    mode: Optional[int]
    source: Any = None  # TarInfo / ZipInfo whose bytes the file gets


class _Limits:
    def __init__(self, archive: Path, max_members: int, max_bytes: int):
        self.archive, self.max_members, self.max_bytes = archive, max_members, max_bytes

    def members(self, count: int, entry: str) -> None:
        if count > self.max_members:
            raise UnsafeArchiveError(
                self.archive, entry,
                f"is one entry too many: the archive holds more than max_members={self.max_members:,} entries",
                limit="max_members", advice=self._advice("max_members", self.max_members))

    def bytes(self, total: int, entry: str) -> None:
        if total > self.max_bytes:
            raise UnsafeArchiveError(
                self.archive, entry,
                f"takes the archive past max_bytes={self.max_bytes:,} uncompressed bytes",
                limit="max_bytes", advice=self._advice("max_bytes", self.max_bytes))

    def _advice(self, name: str, value: int) -> str:
        return (f"This is far more than the dataset needs, so the file may be damaged, a different "
                f"file, or a decompression bomb that would fill the disk. If you trust it, raise the "
                f"limit: extract_archive(archive, dest, {name}={value * 4:_}).")


def _limits_for(archive: Path, max_members: Optional[int], max_bytes: Optional[int]) -> _Limits:
    """Explicit limits, else what the registry knows about this file name, else the defaults."""
    from .registry import archive_limits  # the registry knows the course's datasets

    known_members, known_bytes = archive_limits(archive.name)
    for name, value in (("max_members", max_members), ("max_bytes", max_bytes)):
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ValueError(f"{name}={value!r} must be a whole number (0 or more).")
    return _Limits(archive,
                   max_members if max_members is not None else (known_members or DEFAULT_MAX_MEMBERS),
                   max_bytes if max_bytes is not None else (known_bytes or DEFAULT_MAX_BYTES))


# --------------------------------------------------------------------------- name checks
def _clean_name(archive: Path, entry: str) -> str:
    """The entry name as a safe relative POSIX path ('' for the archive's root), or refuse it."""
    if "\x00" in entry:
        raise UnsafeArchiveError(archive, entry, "has an invalid name (a NUL character)")
    unified = entry.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise UnsafeArchiveError(archive, entry, "has an absolute path")
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchiveError(archive, entry,
                                 "has '..' in its path, which would write outside the destination folder")
    return "/".join(parts)


def _symlink_reason(name: str, target: str) -> str:
    """Why a symbolic link is refused (always), with what makes it dangerous when we can tell."""
    unified = target.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        kind = f"to an absolute path ({target!r})"
    else:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), unified))
        if resolved == ".." or resolved.startswith("../"):
            kind = f"pointing outside the destination folder ({target!r})"
        else:
            kind = f"({target!r})"
    return (f"is a symbolic link {kind}; links are never extracted, because a chain of them can "
            "redirect later entries outside the destination folder")


def _hardlink_refused(archive: Path, entry: str, target: str) -> UnsafeArchiveError:
    return UnsafeArchiveError(
        archive, entry, f"is a hard link (to {target!r}); links are refused by default",
        advice=("Dataset archives do not need links. If you trust this archive and it uses hard links "
                "between its own files, pass allow_hardlinks=True: each link is then written as a copy "
                "of the earlier file it names."))


def _safe_mode(mode: Optional[int], is_dir: bool) -> Optional[int]:
    """The data filter's mode rule: no setuid/setgid/sticky, no group/other write, owner rw(x)."""
    if not mode:
        return None
    mode &= 0o755
    return mode | (0o700 if is_dir else 0o600)


# --------------------------------------------------------------------------- tar
class HeaderRefused(Exception):
    """A tar header refused before its data was read (``CappedTarInfo``); ``offset`` is its byte offset
    in the uncompressed archive."""

    def __init__(self, offset: int, reason: str):
        super().__init__(reason)
        self.offset, self.reason = offset, reason


_LONG_TYPES = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK)
_PAX_TYPES = (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE)


class CappedTarInfo(tarfile.TarInfo):
    """``tarfile.TarInfo`` that checks a header's own data size before ``tarfile`` reads it (see
    ``MAX_HEADER_BYTES``) and refuses GNU sparse files; use it as ``tarfile.open(..., tarinfo=CappedTarInfo)``
    (``open_tar`` does)."""

    def _proc_member(self, tar):
        kind = {tarfile.GNUTYPE_LONGNAME: "a GNU long name", tarfile.GNUTYPE_LONGLINK: "a GNU long link name",
                tarfile.XGLTYPE: "a global pax header"}.get(self.type, "a pax extended header")
        if self.type in _LONG_TYPES + _PAX_TYPES:
            size = self.size
            if self.type == tarfile.XGLTYPE:  # global headers are kept for the rest of the archive
                size += getattr(tar, "_course_global_bytes", 0)
                tar._course_global_bytes = size
            if size > MAX_HEADER_BYTES:
                raise HeaderRefused(self.offset, f"is {kind} of {size:,} bytes, more than the {MAX_HEADER_BYTES:,} "
                                                 "bytes a header may hold (MAX_HEADER_BYTES)")
        if self.type == tarfile.GNUTYPE_SPARSE:
            raise HeaderRefused(self.offset, "is a GNU sparse file, which a dataset archive never needs")
        return super()._proc_member(tar)

    def _refuse_sparse(self, *args):
        raise HeaderRefused(self.offset, "is a GNU sparse file (pax format), which a dataset archive never needs")

    _proc_gnusparse_00 = _proc_gnusparse_01 = _proc_gnusparse_10 = _refuse_sparse


def open_tar(archive: Path, mode: str = "r:*", **kwargs) -> tarfile.TarFile:
    """``tarfile.open`` with ``CappedTarInfo``: a header too large to read raises ``HeaderRefused``
    instead of being read into memory."""
    return tarfile.open(archive, mode, tarinfo=CappedTarInfo, **kwargs)


def _scan_tar(archive: Path, tar: tarfile.TarFile, limits: _Limits, allow_hardlinks: bool) -> list[_Item]:
    """Read every header (without writing) into a plan; refuse whatever is not plain data."""
    plan: list[_Item] = []
    files: dict[str, tarfile.TarInfo] = {}  # name -> the entry whose bytes a file of that name has
    count = total = 0
    while True:
        member = tar.next()
        if member is None:
            break
        count += 1
        limits.members(count, member.name)
        name = _clean_name(archive, member.name)
        if member.issym():
            raise UnsafeArchiveError(archive, member.name, _symlink_reason(name, member.linkname))
        if member.islnk():
            try:
                target = _clean_name(archive, member.linkname)
            except UnsafeArchiveError:
                raise UnsafeArchiveError(archive, member.name, "is a hard link pointing outside the destination "
                                         f"folder ({member.linkname!r})") from None
            if not allow_hardlinks:
                raise _hardlink_refused(archive, member.name, member.linkname)
            source = files.get(target)
            if source is None:
                raise UnsafeArchiveError(
                    archive, member.name,
                    f"is a hard link to {member.linkname!r}, which is not a regular file earlier in this archive")
            item = _Item(member.name, name, False, _safe_mode(source.mode, False), source)
        elif member.isdir():
            files.pop(name, None)
            plan.append(_Item(member.name, name, True, _safe_mode(member.mode, True)))
            continue
        elif member.isfile():
            item = _Item(member.name, name, False, _safe_mode(member.mode, False), member)
        elif member.ischr() or member.isblk():
            raise UnsafeArchiveError(archive, member.name, "is a device file")
        elif member.isfifo():
            raise UnsafeArchiveError(archive, member.name, "is a FIFO (named pipe), a special file")
        else:
            raise UnsafeArchiveError(archive, member.name, "is a special file of an unsupported kind")
        if not name:
            raise UnsafeArchiveError(archive, member.name, "is a file with an empty name")
        files[name] = item.source
        total += item.source.size
        limits.bytes(total, member.name)
        plan.append(item)
    return plan


def _check_tar_complete(tar: tarfile.TarFile) -> bool:
    """After reading every header: is the end-of-archive marker there, and (gzip) is the stream whole?"""
    fileobj = tar.fileobj
    fileobj.seek(tar.offset)
    block = fileobj.read(tarfile.BLOCKSIZE)
    if len(block) < tarfile.BLOCKSIZE or block.count(0) != tarfile.BLOCKSIZE:
        return False
    while fileobj.read(1 << 20):  # read to the end: gzip/bz2/xz check their CRC and trailer here
        pass
    return True


def _extract_tar(archive: Path, tmp: Path, limits: _Limits, allow_hardlinks: bool) -> None:
    try:
        with open_tar(archive) as tar:
            tar.errorlevel = 1
            plan = _scan_tar(archive, tar, limits, allow_hardlinks)  # refuse before writing anything
            if not _check_tar_complete(tar):
                raise _corrupt(archive, "it ends early (no end-of-archive marker)")
            _write_tar(archive, tar, tmp, plan, limits)
    except HeaderRefused as refused:
        raise UnsafeArchiveError(archive, f"(the header at byte {refused.offset:,})", refused.reason,
                                 advice=(f"No real dataset archive has such a header: {archive} may have been "
                                         "tampered with or damaged. Delete it and download it again from the "
                                         "official source.")) from None


def _write_tar(archive: Path, tar: tarfile.TarFile, tmp: Path, plan: list, limits: _Limits) -> None:
    def open_source(member: tarfile.TarInfo) -> BinaryIO:
        handle = tar.extractfile(member)
        if handle is None:  # pragma: no cover - only regular files are in the plan
            raise _corrupt(archive, f"entry {member.name!r} has no data")
        return handle

    _write_plan(archive, tmp, plan, open_source, limits)


# --------------------------------------------------------------------------- zip
def _scan_zip(archive: Path, zf: zipfile.ZipFile, limits: _Limits) -> list[_Item]:
    plan: list[_Item] = []
    total = 0
    for count, info in enumerate(zf.infolist(), start=1):
        limits.members(count, info.filename)
        name = _clean_name(archive, info.filename)
        unix_mode = info.external_attr >> 16
        if stat.S_ISLNK(unix_mode):
            with zf.open(info) as handle:
                target = handle.read(4096).decode("utf-8", errors="replace")
            raise UnsafeArchiveError(archive, info.filename, _symlink_reason(name, target))
        if stat.S_ISCHR(unix_mode) or stat.S_ISBLK(unix_mode):
            raise UnsafeArchiveError(archive, info.filename, "is a device file")
        if stat.S_ISFIFO(unix_mode) or stat.S_ISSOCK(unix_mode):
            raise UnsafeArchiveError(archive, info.filename, "is a special file (FIFO or socket)")
        if info.flag_bits & 0x1:
            raise ArchiveError(f"Cannot extract {archive.name}: entry {info.filename!r} is encrypted (password "
                               "protected), which dataset archives never are. Nothing was extracted. Check that "
                               "this is the right file.", archive=archive)
        is_dir = info.is_dir() or info.filename.endswith("\\")
        if not is_dir and not name:
            raise UnsafeArchiveError(archive, info.filename, "is a file with an empty name")
        if not is_dir:
            total += info.file_size
            limits.bytes(total, info.filename)
        plan.append(_Item(info.filename, name, is_dir, _safe_mode(unix_mode & 0o7777, is_dir), info))
    return plan


def _extract_zip(archive: Path, tmp: Path, limits: _Limits) -> None:
    with zipfile.ZipFile(archive) as zf:
        plan = _scan_zip(archive, zf, limits)  # refuse before writing anything
        _write_plan(archive, tmp, plan, zf.open, limits)  # zf.open checks each file's CRC


# --------------------------------------------------------------------------- writing
def _path_error(archive: Path, entry: str, exc: OSError) -> ArchiveError:
    """An OSError while creating ``entry``: a clear refusal (or 'disk full'), never a raw OSError."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return ArchiveError(
            f"The disk is full while extracting {archive.name} (at entry {entry!r}). Nothing was "
            "extracted. Free some space (or extract to another folder) and run the cell again.",
            archive=archive)
    if exc.errno == errno.ENAMETOOLONG:
        why = "has a path too long for this file system (ENAMETOOLONG), so it cannot be checked"
    elif exc.errno in (errno.ENOTDIR, errno.EISDIR, errno.EEXIST):
        why = "clashes with another entry of the same name (a file where a folder should be, or the reverse)"
    elif exc.errno == errno.ELOOP:
        why = "would be written through a link"
    else:
        why = f"cannot be created where it belongs ({exc.strerror or exc})"
    return UnsafeArchiveError(archive, entry, why)


def _resolve_strict(path: str) -> str:
    """``realpath`` that raises ``OSError`` instead of guessing when a path cannot be resolved."""
    try:
        return os.path.realpath(path, strict=True)
    except TypeError:  # pragma: no cover - Python 3.9 has no strict=
        os.stat(path)  # raises for a missing, looping or too long path
        return os.path.realpath(path)


def _make_folders(root: str, name: str, archive: Path, entry: str, made: Optional[set] = None) -> str:
    """Create ``root/name`` one component at a time; each must be a real folder, not a link.

    ``made``: folders already created and checked by this extraction (skipped; nothing here ever
    creates a link, so a checked folder stays good).
    """
    if made is not None and name in made:
        return os.path.join(root, *name.split("/")) if name else root
    path = root
    for part in name.split("/") if name else []:
        path = os.path.join(path, part)
        try:
            os.mkdir(path)
        except FileExistsError:
            pass
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            raise UnsafeArchiveError(archive, entry, "clashes with a file or link of the same name on its path")
    resolved = _resolve_strict(path)  # raises for anything unresolvable
    if os.path.normcase(resolved) != os.path.normcase(path):
        raise UnsafeArchiveError(archive, entry, "would be written through a link (its folder resolves elsewhere)")
    if made is not None:
        made.add(name)
    return path


def _write_plan(archive: Path, tmp: Path, plan: list[_Item], open_source: Callable[[Any], BinaryIO],
                limits: _Limits) -> None:
    root = _resolve_strict(str(tmp))
    written = 0
    folders: list[tuple[str, int]] = []
    made: set = set()
    for item in plan:
        try:
            if item.is_dir:
                path = _make_folders(root, item.name, archive, item.entry, made)
                if item.mode is not None and item.name:
                    folders.append((path, item.mode))
                continue
            parent = _make_folders(root, posixpath.dirname(item.name), archive, item.entry, made)
            path = os.path.join(parent, posixpath.basename(item.name))
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _O_NOFOLLOW | _O_BINARY, 0o644)
            with os.fdopen(fd, "wb") as out:
                written = _copy(archive, item, open_source, out, written, limits)
            if item.mode is not None:
                os.chmod(path, item.mode)
        except OSError as exc:
            if isinstance(exc, _READ_ERRORS):  # gzip.BadGzipFile is an OSError
                raise
            raise _path_error(archive, item.entry, exc) from None
    for path, mode in reversed(folders):  # folder modes last, as tarfile does
        os.chmod(path, mode)


def _copy(archive: Path, item: _Item, open_source, out: BinaryIO, written: int, limits: _Limits) -> int:
    """Copy one entry's bytes, counting them against ``max_bytes``; read errors mean 'corrupt'."""
    try:
        src = open_source(item.source)
    except _READ_ERRORS as exc:
        raise _corrupt(archive, f"{type(exc).__name__}: {exc}") from None
    with src:
        while True:
            try:
                chunk = src.read(_CHUNK)
            except _READ_ERRORS as exc:
                raise _corrupt(archive, f"{type(exc).__name__}: {exc}") from None
            if not chunk:
                return written
            written += len(chunk)
            limits.bytes(written, item.entry)
            out.write(chunk)


# --------------------------------------------------------------------------- public
def _corrupt(archive: Path, why: str) -> ArchiveError:
    return ArchiveError(
        f"{archive} is truncated or corrupt: {why}. Nothing was extracted. This usually means the "
        f"download was cut short. Delete {archive} and download it again (course_utils.data.downloads "
        "checks the size and hash).", archive=archive)


def _kind(archive: Path) -> str:
    name = archive.name.lower()
    if name.endswith(".zip"):
        return "zip"
    if name.endswith(_TAR_SUFFIXES):
        return "tar"
    raise ArchiveError(
        f"Do not know how to extract {archive.name}: supported are .tar.gz, .tgz, .tar and .zip "
        "(also .tar.bz2 and .tar.xz). If the file is one of these under another name, rename it.",
        archive=archive)


def _is_complete(dest: Path) -> bool:
    """``dest`` only ever appears by a rename of a finished extraction, so a non-empty folder is done."""
    if not dest.exists():
        return False
    if not dest.is_dir():
        raise ArchiveError(f"{dest} exists but is a file, not a folder: move it away or choose another dest.")
    return any(dest.iterdir())


def _remove_stale_temporaries(dest: Path, now: Optional[float] = None) -> list[Path]:
    """Delete ``.<dest>.extracting-*`` folders older than ``STALE_AFTER_S`` (call with the lock held)."""
    now = time.time() if now is None else now
    removed = []
    for leftover in dest.parent.glob(f".{dest.name}.extracting-*"):
        try:
            info = leftover.lstat()
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and now - info.st_mtime > STALE_AFTER_S:
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    return removed


def extract_archive(path: "str | os.PathLike[str]", dest: "str | os.PathLike[str]", *,
                    max_members: Optional[int] = None, max_bytes: Optional[int] = None,
                    allow_hardlinks: bool = False, lock_timeout: float = 600.0) -> Path:
    """Extract an archive into the folder ``dest``, safely and atomically; returns ``Path(dest)``.

    Args:
        path: a ``.tar.gz``, ``.tgz``, ``.tar`` or ``.zip`` file (``.tar.bz2``/``.tar.xz`` work too).
        dest: the folder that will hold the archive's entries (an archive whose entries start with
            ``notMNIST_small/`` gives ``dest/notMNIST_small/A/...``). When ``dest`` already exists
            and is not empty it is taken as a finished extraction and returned untouched; an empty
            ``dest`` folder is replaced.
        max_members: refuse an archive with more entries than this. Default: what the registry
            knows for this file name (``course_utils.data.registry``), else ``DEFAULT_MAX_MEMBERS``.
        max_bytes: refuse an archive whose files add up to more uncompressed bytes than this.
            Default: the registry's figure for this file name, else ``DEFAULT_MAX_BYTES`` (8 GiB).
        allow_hardlinks: write a hard link to an earlier regular file of the same archive as a copy
            of that file (default ``False``: refused, like every link).
        lock_timeout: seconds to wait while another process extracts into the same ``dest``.

    Everything goes into a temporary folder ``.<dest name>.extracting-*`` beside ``dest`` (same
    disk, so the final rename is atomic), which is deleted on any error. On Colab keep the archive
    on Drive and pass a ``dest`` on the local disk: Drive is very slow with many small files.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        UnsafeArchiveError: an entry is a link, has an absolute path or ``..``, is a device or other
            special file, cannot be created exactly inside ``dest``, or the archive is over a limit;
            ``.entry`` names the entry, ``.reason`` says why, ``.limit`` names a crossed limit's
            argument. Nothing is written.
        ArchiveError: the archive is truncated, corrupt or of an unsupported kind, the disk is
            full, or another process held the lock for longer than ``lock_timeout``.
    """
    archive = Path(path)
    dest = Path(dest)
    if not archive.is_file():
        raise FileNotFoundError(
            f"The archive {archive} does not exist. Download it first (course_utils.data.fetch or "
            "download), or check the path: print(course_utils.setup().data_dir) shows where data goes.")
    kind = _kind(archive)
    limits = _limits_for(archive, max_members, max_bytes)
    if _is_complete(dest):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    lock = dest.parent / f".{dest.name}.lock"
    try:
        with file_lock(lock, timeout=lock_timeout):
            if _is_complete(dest):  # another process finished while we waited
                return dest
            _remove_stale_temporaries(dest)
            _extract_locked(archive, dest, kind, limits, allow_hardlinks)
    except LockTimeout:
        raise ArchiveError(
            f"Another process (another notebook kernel or script?) is extracting into {dest} and did not "
            f"finish within {lock_timeout:g} s. Wait for it and run the cell again, or stop the other "
            f"kernel; pass lock_timeout=... to wait longer.", archive=archive) from None
    return dest


def _extract_locked(archive: Path, dest: Path, kind: str, limits: _Limits, allow_hardlinks: bool) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.extracting-", dir=dest.parent))
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it private (0o700); dest should be an ordinary folder
        try:
            if kind == "zip":
                _extract_zip(archive, tmp, limits)
            else:
                _extract_tar(archive, tmp, limits, allow_hardlinks)
        except ArchiveError:
            raise
        except _READ_ERRORS as exc:
            raise _corrupt(archive, f"{type(exc).__name__}: {exc}") from None
        if dest.is_dir() and not any(dest.iterdir()):
            dest.rmdir()
        os.rename(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

"""Safe, atomic extraction of ``.tar.gz`` / ``.tgz`` / ``.tar`` / ``.zip`` archives.

``extract_archive(path, dest)`` extracts into a temporary folder beside ``dest`` and renames it
to ``dest`` only when everything is out, so a half-extracted folder never looks finished (a
kernel restart in the middle leaves only a ``.<name>.extracting-*`` folder, never ``dest``).
A second call finds ``dest`` and returns at once.

Every entry is checked before anything is written, with the semantics of Python's tarfile
``"data"`` filter (PEP 706): refused are absolute paths, ``..`` components, links pointing
outside ``dest`` (or to an absolute path), and device files, FIFOs and other special files; file
modes lose setuid/setgid/sticky and group/other write bits. The name checks run here on every
Python, over the whole archive before anything is written. The check made while writing (that no
entry reaches outside ``dest`` through a link extracted earlier) is ``tarfile.data_filter``'s
where this Python has it (3.8.17+, 3.9.17+, 3.10.12+, 3.11.4+, 3.12+), and the same check written
here on older ones. Zip files get the same rules (``zipfile`` itself silently rewrites bad names
instead of refusing them).

Why by hand: neither pooch's ``Untar``/``Unzip`` processors nor ``shutil.unpack_archive``
extract atomically, refuse hostile entries with an error naming them on every supported Python,
or tell a truncated archive apart with a message a beginner can act on.
"""

from __future__ import annotations

import copy
import gzip
import os
import posixpath
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Optional

__all__ = ["ArchiveError", "UnsafeArchiveError", "extract_archive"]

#: True where tarfile has PEP 706 filters (``tarfile.data_filter``); tests switch it off to
#: exercise the hand-written fallback.
_HAS_DATA_FILTER = hasattr(tarfile, "data_filter")

_TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_READ_ERRORS = (tarfile.ReadError, tarfile.CompressionError, EOFError, zlib.error, gzip.BadGzipFile,
                zipfile.BadZipFile)
try:  # optional compressors
    import lzma

    _READ_ERRORS += (lzma.LZMAError,)
except ImportError:  # pragma: no cover
    pass


class ArchiveError(RuntimeError):
    """An archive could not be extracted (truncated, corrupt, unsupported or unsafe).

    Attributes:
        archive: the archive's path.
    """

    def __init__(self, message: str, *, archive: Optional[Path] = None):
        super().__init__(message)
        self.archive = archive


class UnsafeArchiveError(ArchiveError):
    """An archive entry would write outside the destination or create a special file.

    Attributes:
        entry: the entry's name as stored in the archive.
        reason: what is wrong with it.
    """

    def __init__(self, archive: Path, entry: str, reason: str):
        super().__init__(
            f"Refusing to extract {archive.name}: entry {entry!r} {reason}. Nothing was extracted. "
            "A normal dataset archive never contains such an entry: the file may have been tampered "
            f"with. Delete {archive} and download it again from the official source.",
            archive=archive)
        self.entry = entry
        self.reason = reason


# --------------------------------------------------------------------------- name checks
def _name_problem(name: str) -> Optional[str]:
    """Why an entry name is unsafe, or ``None`` (pure string checks, no filesystem)."""
    if not name or "\x00" in name:
        return "has an empty or invalid name"
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        return "has an absolute path"
    if ".." in unified.split("/"):
        return "contains '..', which would write outside the destination folder"
    return None


def _link_target_problem(link_dir: str, target: str) -> Optional[str]:
    """Why a link target is unsafe, judged on names only: absolute, or leads above the root."""
    unified = target.replace("\\", "/")
    if not unified or unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        return f"is a link to an absolute path ({target!r})"
    resolved = posixpath.normpath(posixpath.join(link_dir, unified))
    if resolved == ".." or resolved.startswith("../"):
        return f"is a link pointing outside the destination folder ({target!r})"
    return None


def _within(root: str, path: str) -> bool:
    return os.path.commonpath([root, path]) == root


# --------------------------------------------------------------------------- tar
def _tar_member_problem(member: tarfile.TarInfo) -> Optional[str]:
    problem = _name_problem(member.name)
    if problem:
        return problem
    if member.issym():
        return _link_target_problem(posixpath.dirname(member.name.replace("\\", "/")), member.linkname)
    if member.islnk():
        return _link_target_problem("", member.linkname)
    if member.ischr() or member.isblk():
        return "is a device file"
    if member.isfifo():
        return "is a FIFO (named pipe), a special file"
    if not (member.isfile() or member.isdir()):
        return "is a special file of an unsupported kind"
    return None


def _safe_mode(member: tarfile.TarInfo) -> Optional[int]:
    """The data filter's mode rule: no setuid/setgid/sticky, no group/other write, owner rw."""
    if member.mode is None:
        return None
    mode = member.mode & 0o755
    if member.isdir():
        mode |= 0o700
    elif member.isfile():
        mode |= 0o600
    return mode


class _TarChecker:
    """The per-entry check used while extracting: it sees the links already extracted.

    With ``tarfile.data_filter`` the filesystem checks are tarfile's own; without it, the same
    checks (``realpath`` of the target and of link targets) and mode rules run here.
    """

    def __init__(self, archive: Path, root: Path):
        self.archive = archive
        self.root = os.path.realpath(root)

    def __call__(self, member: tarfile.TarInfo, dest_path: str) -> tarfile.TarInfo:
        problem = _tar_member_problem(member)
        if problem is None and _HAS_DATA_FILTER:
            try:  # tarfile's filter does the filesystem checks (realpath through earlier links)
                return tarfile.data_filter(member, dest_path)
            except tarfile.FilterError as exc:
                raise UnsafeArchiveError(self.archive, member.name,
                                         f"is refused by tarfile's data filter ({exc})") from None
        if problem is None:
            target = os.path.realpath(os.path.join(self.root, member.name))
            if not _within(self.root, target):
                problem = "would be written outside the destination folder through a link"
            elif member.issym():
                pointee = os.path.realpath(os.path.join(os.path.dirname(target), member.linkname))
                if not _within(self.root, pointee):
                    problem = f"is a link pointing outside the destination folder ({member.linkname!r})"
            elif member.islnk():
                pointee = os.path.realpath(os.path.join(self.root, member.linkname))
                if not _within(self.root, pointee):
                    problem = f"is a hard link to a file outside the destination folder ({member.linkname!r})"
        if problem is not None:
            raise UnsafeArchiveError(self.archive, member.name, problem)
        safe = copy.copy(member)
        safe.mode = _safe_mode(member)
        safe.uid = safe.gid = 0
        safe.uname = safe.gname = ""
        return safe


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


def _extract_tar(archive: Path, tmp: Path) -> None:
    with tarfile.open(archive, "r:*") as tar:
        tar.errorlevel = 1
        members = tar.getmembers()  # reads every header: the whole stream for .tar.gz
        for member in members:  # refuse before writing anything
            problem = _tar_member_problem(member)
            if problem:
                raise UnsafeArchiveError(archive, member.name, problem)
        if not _check_tar_complete(tar):
            raise _corrupt(archive, "it ends early (no end-of-archive marker)")
        checker = _TarChecker(archive, tmp)
        if _HAS_DATA_FILTER:
            tar.extractall(tmp, members=members, filter=checker)
            return
        extra = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}
        directories = []
        for member in members:
            safe = checker(member, str(tmp))
            if safe.isdir():
                directories.append(safe)
                (tmp / safe.name).mkdir(parents=True, exist_ok=True)
                continue
            tar.extract(safe, tmp, set_attrs=True, **extra)
        for directory in reversed(directories):  # modes last, as extractall does
            if directory.mode is not None:
                os.chmod(tmp / directory.name, directory.mode)


# --------------------------------------------------------------------------- zip
def _extract_zip(archive: Path, tmp: Path) -> None:
    root = os.path.realpath(tmp)
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        links = {}
        for info in infos:  # refuse before writing anything
            problem = _name_problem(info.filename)
            unix_mode = info.external_attr >> 16
            if problem is None and stat.S_ISLNK(unix_mode):
                target = zf.read(info).decode("utf-8", errors="replace")
                links[info.filename] = target
                problem = _link_target_problem(posixpath.dirname(info.filename.rstrip("/")), target)
            elif problem is None and (stat.S_ISCHR(unix_mode) or stat.S_ISBLK(unix_mode)):
                problem = "is a device file"
            elif problem is None and (stat.S_ISFIFO(unix_mode) or stat.S_ISSOCK(unix_mode)):
                problem = "is a special file (FIFO or socket)"
            if problem:
                raise UnsafeArchiveError(archive, info.filename, problem)
        for info in infos:
            name = info.filename.replace("\\", "/")
            target = os.path.realpath(os.path.join(root, name))
            if not _within(root, target):
                raise UnsafeArchiveError(archive, info.filename,
                                         "would be written outside the destination folder through a link")
            if info.filename in links:
                link_target = links[info.filename]
                pointee = os.path.realpath(os.path.join(os.path.dirname(target), link_target))
                if not _within(root, pointee):
                    raise UnsafeArchiveError(archive, info.filename,
                                             f"is a link pointing outside the destination folder ({link_target!r})")
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.symlink(link_target, target)
            elif info.is_dir():
                os.makedirs(target, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as out:  # zf.open checks the CRC
                    shutil.copyfileobj(src, out, 1 << 20)
                mode = (info.external_attr >> 16) & 0o755
                if mode:
                    os.chmod(target, mode | 0o600)


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


def extract_archive(path: "str | os.PathLike[str]", dest: "str | os.PathLike[str]") -> Path:
    """Extract an archive into the folder ``dest``, safely and atomically; returns ``Path(dest)``.

    Args:
        path: a ``.tar.gz``, ``.tgz``, ``.tar`` or ``.zip`` file (``.tar.bz2``/``.tar.xz`` work too).
        dest: the folder that will hold the archive's entries (an archive whose entries start with
            ``notMNIST_small/`` gives ``dest/notMNIST_small/A/...``). When ``dest`` already exists
            and is not empty it is taken as a finished extraction and returned untouched; an empty
            ``dest`` folder is replaced.

    Everything goes into a temporary folder ``.<dest name>.extracting-*`` beside ``dest`` (same
    disk, so the final rename is atomic), which is deleted on any error. On Colab keep the archive
    on Drive and pass a ``dest`` on the local disk: Drive is very slow with many small files.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        UnsafeArchiveError: an entry has an absolute path, ``..``, a link leading outside ``dest``,
            or is a device or other special file; ``.entry`` names it. Nothing is written.
        ArchiveError: the archive is truncated, corrupt or of an unsupported kind.
    """
    archive = Path(path)
    dest = Path(dest)
    if not archive.is_file():
        raise FileNotFoundError(
            f"The archive {archive} does not exist. Download it first (course_utils.data.fetch or "
            "download), or check the path: print(course_utils.setup().data_dir) shows where data goes.")
    kind = _kind(archive)
    if _is_complete(dest):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.extracting-", dir=dest.parent))
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it private (0o700); dest should be an ordinary folder
        try:
            if kind == "zip":
                _extract_zip(archive, tmp)
            else:
                _extract_tar(archive, tmp)
        except UnsafeArchiveError:
            raise
        except _READ_ERRORS as exc:
            raise _corrupt(archive, f"{type(exc).__name__}: {exc}") from None
        if dest.is_dir() and not any(dest.iterdir()):
            dest.rmdir()
        try:
            os.rename(tmp, dest)
        except OSError:
            if _is_complete(dest):  # another process finished the same extraction first
                shutil.rmtree(tmp, ignore_errors=True)
                return dest
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest

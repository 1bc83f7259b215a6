"""How the grader takes in submission files: found without following links, read safely, parsed in a child.

The grader runs with the instructor's rights, outside any sandbox, so the files it is given are
treated as hostile before any student code runs:

- ``discover(paths)`` finds the ``*.ipynb`` entries under the submissions folders without following
  symbolic links (a linked folder is not entered; a linked, FIFO or device entry is listed, so that
  it gets a row saying it was refused). Folders named on the command line are the instructor's own
  and are entered even when they are links.
- ``read_bytes(path)`` reads a regular file only: ``lstat`` first, then ``open`` with ``O_NOFOLLOW``
  and ``O_NONBLOCK`` (a FIFO or a device never blocks the grader) and ``fstat`` on what was opened; at
  most ``config.MAX_SUBMISSION_BYTES`` bytes. A symbolic link is refused, never followed: a link to
  the instructor's solution or to ``/dev/zero`` is not a submission.
- ``load_submission(path)`` parses the bytes in a child process under an address-space limit
  (``config.INTAKE_MEMORY_BYTES``) and a timeout, so that a crafted file costs the grader a bounded
  amount of memory and time, and refuses a code cell longer than ``config.MAX_CELL_CHARS`` (the
  grader's static scan parses every code cell, and parsing takes far more memory than the text).
- ``file_sha256(path)`` hashes a submission the same safe way (``""`` for anything refused).

Every refusal is a sentence for the submission's notes that says what to do.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Iterable, Optional

from . import config

__all__ = ["RefusedFile", "discover", "file_sha256", "load_submission", "read_bytes"]

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_CHECKPOINTS = ".ipynb_checkpoints"


class RefusedFile(ValueError):
    """A submission file the grader will not read; the message is the note for its row."""


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def _refusal(kind: str) -> str:
    return (f"refused: this entry is {kind}, not a regular file, so the grader did not open it (links are never "
            "followed); submit the notebook file itself")


# --------------------------------------------------------------------------- finding submissions
def discover(paths: Iterable[Path]) -> tuple[list[tuple[Path, Optional[Path]]], list[str]]:
    """``([(entry, the folder it was found in, or None for a file given by name)], [notes])``.

    Folders are walked without following links; every ``*.ipynb`` entry that is not inside an
    ``.ipynb_checkpoints`` folder is listed, whatever its type (``read_bytes`` refuses the ones that
    are not regular files). Notes name the linked folders that were not entered.
    """
    found: list[tuple[Path, Optional[Path]]] = []
    notes: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():  # a folder the instructor named: entered even if it is a link
            inside: list[Path] = []
            todo = [path]
            while todo:
                folder = todo.pop()
                try:
                    with os.scandir(folder) as entries:
                        entries = sorted(entries, key=lambda e: e.name)
                except OSError as exc:
                    notes.append(f"{folder}: cannot be listed ({exc.strerror or exc}): skipped")
                    continue
                folders = []
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name != _CHECKPOINTS:
                            folders.append(Path(entry.path))
                    elif entry.name.endswith(".ipynb"):
                        inside.append(Path(entry.path))
                    elif entry.is_symlink() and entry.is_dir():
                        notes.append(f"{Path(entry.path).relative_to(path).as_posix()}: a symbolic link to a "
                                     "folder, not entered (links are never followed)")
                todo.extend(folders)
            found.extend((entry, path) for entry in sorted(inside))
        else:
            found.append((path, None))
    return found, notes


# --------------------------------------------------------------------------- reading
def _open_regular(path: Path) -> tuple[int, os.stat_result]:
    """An open file descriptor of the regular file ``path`` and its ``fstat``; ``RefusedFile`` for
    anything else, without following a link or blocking on a FIFO or a device."""
    try:
        before = os.lstat(path)
    except OSError as exc:
        raise RefusedFile(f"the file cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(before.st_mode):
        raise RefusedFile(_refusal(_kind(before.st_mode)))
    try:
        fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RefusedFile(_refusal("a symbolic link")) from None
        raise RefusedFile(f"the file cannot be read ({exc.strerror or exc})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != (before.st_dev, before.st_ino):
        os.close(fd)
        raise RefusedFile(_refusal(_kind(info.st_mode) if not stat.S_ISREG(info.st_mode)
                                   else "a file that was replaced while the grader opened it"))
    return fd, info


def _too_big(size: int) -> str:
    return (f"the file is {size:,} bytes, more than a notebook should be (the grader reads at most "
            f"{config.MAX_SUBMISSION_BYTES:,}): clear the outputs (Edit > Clear all outputs) and submit again")


def read_bytes(path: Path) -> bytes:
    """The bytes of the regular file ``path`` (at most ``config.MAX_SUBMISSION_BYTES``), or ``RefusedFile``."""
    fd, info = _open_regular(Path(path))
    try:
        if info.st_size > config.MAX_SUBMISSION_BYTES:
            raise RefusedFile(_too_big(info.st_size))
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > config.MAX_SUBMISSION_BYTES:  # it grew while being read
                raise RefusedFile(_too_big(total))
        return b"".join(chunks)
    finally:
        os.close(fd)


def file_sha256(path: Path) -> str:
    """SHA-256 of the regular file ``path`` read as ``read_bytes`` reads it; ``""`` when refused."""
    try:
        fd, _ = _open_regular(Path(path))
    except RefusedFile:
        return ""
    digest = hashlib.sha256()
    try:
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            digest.update(chunk)
    except OSError:
        return ""
    finally:
        os.close(fd)
    return digest.hexdigest()


# --------------------------------------------------------------------------- parsing, in a child process
#: Runs in the child: limits itself, reads the file's bytes from stdin, prints one JSON line:
#: ``{"cells": [{"cell_type", "source"}]}`` or ``{"problem": "..."}``.
_PARSER = r'''
import json, resource, sys
limit, max_cell = int(sys.argv[1]), int(sys.argv[2])
hard = resource.getrlimit(resource.RLIMIT_AS)[1]
if limit > 0:  # a hard limit already lower (the grader's own) is kept
    limit = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

def answer(**fields):
    sys.stdout.write(json.dumps(fields))
    sys.exit(0)

raw = sys.stdin.buffer.read()
try:
    text = raw.decode("utf-8")
except UnicodeDecodeError:
    answer(problem="not a notebook: the file is not text (a .ipynb file is JSON text); in Jupyter or Colab use "
                   "File > Download > Download .ipynb")
del raw
try:
    data = json.loads(text)
except (json.JSONDecodeError, RecursionError) as exc:
    if text.lstrip().startswith(("{", "[")) and isinstance(exc, json.JSONDecodeError):
        answer(problem=f"the notebook file is damaged (invalid JSON at line {exc.lineno}, column {exc.colno}): it "
                       "was probably cut off while saving or uploading; download it again from Jupyter/Colab")
    answer(problem="not a notebook: the file is not JSON; in Jupyter or Colab use File > Download > Download .ipynb")
del text
if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
    answer(problem="not a notebook: the JSON has no list of cells")
if data.get("nbformat") != 4:
    try:
        import nbformat

        data = dict(nbformat.convert(nbformat.from_dict(data), 4))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        answer(problem=f"not a notebook this grader can read (nbformat {data.get('nbformat')!r}: "
                       f"{type(exc).__name__})")
cells = []
for number, cell in enumerate(data.get("cells", []), start=1):
    if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
        answer(problem="the notebook file is damaged: a cell has no valid cell_type")
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(str(s) for s in source)
    source = str(source)
    if cell["cell_type"] == "code" and max_cell > 0 and len(source) > max_cell:
        answer(problem=f"cell {number} holds {len(source):,} characters of code; the grader reads code cells of at "
                       f"most {max_cell:,}: move data out of the code (load it from a file) and submit again")
    cells.append({"cell_type": cell["cell_type"], "source": source})
answer(cells=cells)
'''


def parse_bytes(raw: bytes) -> tuple[Optional[dict], Optional[str]]:
    """Parse a notebook file's bytes in a child process (see the module docstring):
    ``({"cells": [{cell_type, source}]}, None)`` or ``(None, why it cannot be graded)``."""
    argv = [sys.executable, "-I", "-c", _PARSER, str(int(config.INTAKE_MEMORY_BYTES)), str(int(config.MAX_CELL_CHARS))]
    try:
        done = subprocess.run(argv, input=raw, capture_output=True, timeout=config.INTAKE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, (f"the grader gave up reading this file after {config.INTAKE_TIMEOUT:g} s: it is not a notebook "
                      "the grader can read; download it again from Jupyter/Colab (File > Download > Download .ipynb)")
    try:
        answer = json.loads(done.stdout.decode("utf-8")) if done.returncode == 0 else None
    except (UnicodeDecodeError, ValueError):
        answer = None
    if not isinstance(answer, dict):
        memory = b"MemoryError" in done.stderr
        why = (f"reading it takes more than the {config.INTAKE_MEMORY_BYTES / 1024**2:,.0f} MiB of memory the grader "
               "allows" if memory else f"the grader's reader failed on it (exit code {done.returncode})")
        return None, (f"the notebook cannot be read: {why}; clear the outputs and submit the notebook as Jupyter or "
                      "Colab saves it")
    if isinstance(answer.get("problem"), str):
        return None, answer["problem"]
    cells = answer.get("cells")
    if not isinstance(cells, list):
        return None, "the grader's reader returned nothing for this file"
    return {"cells": cells}, None


def load_submission(path: Path) -> tuple[Optional[dict], Optional[str]]:
    """Read (``read_bytes``) and parse (``parse_bytes``) one submission file."""
    try:
        raw = read_bytes(Path(path))
    except RefusedFile as refused:
        return None, str(refused)
    return parse_bytes(raw)

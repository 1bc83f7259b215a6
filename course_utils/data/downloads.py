"""Verified, resumable downloads with mirror fallback.

``download(urls, dest, size=..., sha256=...)`` is the one function notebooks need; it

1. reuses ``dest`` when it already exists and passes the checks (a damaged copy is deleted and
   downloaded again, with a message saying so);
2. tries each mirror URL in order, ``https`` ones first, streaming into ``dest + ".part"`` with a
   progress bar; times out and retries transient failures;
3. resumes a ``.part`` file only from the URL that wrote it, and only with the server's own
   confirmation that the file has not changed: the ``.part.json`` note beside it records the URL
   and the server's validator (``ETag`` or ``Last-Modified``), sent back as ``If-Range``. A
   ``.part`` from another mirror (or of unknown origin) is discarded, never continued: two copies
   of the same size are never spliced. A 200 answer to a ranged request starts from zero. A
   ``.part`` that already has the full size is confirmed the same way (its last byte is fetched
   again under ``If-Range``), never promoted without a request;
4. checks the byte size and/or SHA-256 of the finished file, deletes it on a mismatch, and only
   then renames it to ``dest`` (``os.replace`` is atomic), so ``dest`` is never a half file;
5. for a file without a pinned SHA-256, records the SHA-256 of the first verified copy in
   ``dest + ".sha256"`` (trust on first use) and checks every later use against it; the digest is
   printed so that an instructor can pin it in the registry;
6. refuses a plain-``http`` mirror for a file without a pinned (or recorded) SHA-256, unless the
   URL is allowed by name (``allow_insecure=[url]``): over http anyone on the network path can
   swap the file for another of the same size. The same rule holds for every hop of a redirect:
   an ``https`` mirror that redirects to ``http`` is refused before its body is read, unless that
   ``http`` URL is allowed by name;
7. holds a lock file (``.<dest name>.lock``) while it works, so two kernels fetching the same
   file never write one ``.part`` together: the second waits, then finds the finished file.

Why not just ``pooch.retrieve``? Its downloaders lack what this course needs: a list of mirrors
tried in order (dead dataset URLs are a classic course breaker), safe resuming of a partial file
(a 250 MB notMNIST download on a flaky Colab connection), and verification by byte size plus a
recorded hash (notMNIST publishes no hash, only sizes). Writing the small HTTP loop here (with
``requests``, which pooch itself uses) costs less than bending pooch's downloaders to do all that.

URLs are URLs: build them with :func:`join_url` (or ``urllib.parse``), never ``os.path.join``,
which inserts backslashes on Windows.
"""

from __future__ import annotations

import ipaddress
import json
import os
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

from ..plumbing.files import atomic_write_text, sha256_file
from ..plumbing.locks import LockTimeout, file_lock
from ..plumbing.runtime import progress_mode

__all__ = ["DownloadError", "IntegrityError", "download", "join_url", "recorded_sha256", "verify_file"]

#: Bytes read from the network per write.
CHUNK_SIZE = 1 << 20
#: Seconds to wait before the n-th retry of the same URL: ``BACKOFF_S * 2**(n-1)``, at most ``MAX_BACKOFF_S``.
BACKOFF_S = 1.0
MAX_BACKOFF_S = 8.0

_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


# --------------------------------------------------------------------------- errors
class DownloadError(RuntimeError):
    """No mirror could deliver a good copy of the file.

    Attributes:
        dest: where the file was meant to go.
        failures: ``[(url, reason), ...]``, one entry per URL tried, in order.
    """

    def __init__(self, message: str, *, dest: Optional[Path] = None,
                 failures: Sequence[tuple[str, str]] = ()):
        super().__init__(message)
        self.dest = dest
        self.failures = list(failures)


class IntegrityError(DownloadError):
    """A file does not match its expected byte size or SHA-256 (the file has been deleted).

    Attributes:
        check: ``"size"`` or ``"sha256"``.
        expected, actual: the expected and actual byte count (int) or hex digest (str).
    """

    def __init__(self, message: str, *, check: str, expected: Union[int, str], actual: Union[int, str],
                 dest: Optional[Path] = None, failures: Sequence[tuple[str, str]] = ()):
        super().__init__(message, dest=dest, failures=failures)
        self.check = check
        self.expected = expected
        self.actual = actual


class _Mismatch:
    """What a failed check found (kept as data so that several mirrors can be reported together)."""

    def __init__(self, check: str, expected, actual, *, recorded: Optional[Path] = None):
        self.check, self.expected, self.actual = check, expected, actual
        self.recorded = recorded  # the .sha256 record the expected digest came from, if any

    def describe(self) -> str:
        if self.check == "size":
            return f"wrong size: expected {self.expected:,} bytes, got {self.actual:,} bytes"
        origin = f" (recorded in {self.recorded.name} when the file was first downloaded)" if self.recorded else ""
        return f"wrong SHA-256: expected {self.expected}{origin}, got {self.actual}"


class _AttemptFailed(Exception):
    def __init__(self, reason: str, *, retry: bool, mismatch: Optional[_Mismatch] = None):
        super().__init__(reason)
        self.reason, self.retry, self.mismatch = reason, retry, mismatch


# --------------------------------------------------------------------------- URLs and checks
def join_url(base: str, *names: str) -> str:
    """``base`` followed by ``names``, joined with ``/`` and percent-quoted: a URL, not a path.

    ``join_url("https://host/mnist/", "train-images-idx3-ubyte.gz")`` gives
    ``"https://host/mnist/train-images-idx3-ubyte.gz"`` on every operating system (unlike
    ``os.path.join``, which uses ``\\`` on Windows).
    """
    url = base.rstrip("/")
    for name in names:
        url += "/" + urllib.parse.quote(str(name).strip("/"))
    return url


def _check_url(url: object) -> str:
    if not isinstance(url, str):
        raise TypeError(f"A download URL must be a string, got {type(url).__name__}: {url!r}.")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"{url!r} is not an http(s) URL. Pass a full address such as "
            "'https://example.org/data/file.gz'.")
    if "\\" in url:
        raise ValueError(
            f"{url!r} contains a backslash: it was probably built with os.path.join on Windows. "
            "Build URLs with course_utils.data.join_url(base, name) or base + '/' + name.")
    return url


def _normalise_sha256(sha256: Optional[str]) -> Optional[str]:
    if sha256 is None:
        return None
    value = sha256.strip().lower()
    if value.startswith("sha256:"):
        value = value[len("sha256:"):]
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise ValueError(f"sha256={sha256!r} is not a SHA-256 hex digest (64 characters 0-9a-f).")
    return value


def _find_mismatch(path: Path, size: Optional[int], sha256: Optional[str], *,
                   recorded: Optional[Path] = None) -> Optional[_Mismatch]:
    """The first failed check of ``path`` (size first: it is free), or ``None`` when all pass.

    ``recorded``: the trust-on-first-use record ``sha256`` was read from (for the message), if any.
    """
    if size is not None:
        actual = path.stat().st_size
        if actual != size:
            return _Mismatch("size", size, actual)
    if sha256 is not None:
        actual_hash = sha256_file(path)
        if actual_hash != sha256:
            return _Mismatch("sha256", sha256, actual_hash, recorded=recorded)
    return None


def verify_file(path: "str | os.PathLike[str]", *, size: Optional[int] = None,
                sha256: Optional[str] = None) -> Path:
    """Check a file's byte size and/or SHA-256; returns its path.

    Unlike a download, this never deletes anything: use it on a file you copied by hand.

    Raises:
        FileNotFoundError: the file does not exist.
        IntegrityError: a check failed; the message names the expected and actual values.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist (or is not a file).")
    mismatch = _find_mismatch(path, size, _normalise_sha256(sha256))
    if mismatch is not None:
        raise IntegrityError(
            f"{path} has the {mismatch.describe()}. The file is damaged or a different version: "
            f"delete it ({path}) and download it again.",
            check=mismatch.check, expected=mismatch.expected, actual=mismatch.actual, dest=path)
    return path


# --------------------------------------------------------------------------- progress
def _progress_mode(progress: Optional[bool]) -> str:
    """``"bar"`` (tqdm on stderr), ``"plain"`` (one line before and after) or ``"quiet"``."""
    if progress is not None:
        return "bar" if progress else "quiet"
    mode = progress_mode(None)
    return "quiet" if mode == "none" else mode


def _human(n: Optional[int]) -> str:
    if n is None:
        return "unknown size"
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,} bytes" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"  # pragma: no cover


class _Progress:
    """A tqdm bar on stderr (interactive) or nothing; one bar per attempt."""

    def __init__(self, mode: str, name: str):
        self.mode, self.name, self._bar = mode, name, None

    def start(self, total: Optional[int], initial: int) -> None:
        if self.mode != "bar":
            return
        from tqdm import tqdm

        self._bar = tqdm(total=total, initial=initial, unit="B", unit_scale=True, unit_divisor=1024,
                         desc=self.name, file=sys.stderr, leave=False, dynamic_ncols=True)

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


# --------------------------------------------------------------------------- files beside dest
def _part_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part")


def _part_note_path(dest: Path) -> Path:
    """Where the URL and validator of the server that wrote the ``.part`` file are noted."""
    return dest.with_name(dest.name + ".part.json")


def _record_path(dest: Path) -> Path:
    """The trust-on-first-use record: the SHA-256 of the first verified copy of ``dest``."""
    return dest.with_name(dest.name + ".sha256")


def _lock_path(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.lock")


def recorded_sha256(dest: "str | os.PathLike[str]") -> Optional[str]:
    """The SHA-256 recorded beside ``dest`` when it was first downloaded (``dest.sha256``), or ``None``.

    Only files without a pinned SHA-256 get such a record (trust on first use); a record that
    cannot be read as a digest counts as none.
    """
    path = _record_path(Path(dest))
    try:
        text = path.read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return _normalise_sha256(text[0]) if text else None
    except ValueError:
        return None


def _trust_on_first_use(dest: Path, say: Callable[[str], None], *, existing: bool) -> str:
    """Record the SHA-256 of ``dest`` beside it and say so (with what an instructor can pin)."""
    digest = sha256_file(dest)
    record = _record_path(dest)
    try:
        atomic_write_text(record, f"{digest}  {dest.name}\n")
        where = f"recorded it in {record.name}; later runs check the file against it"
    except OSError as exc:  # a read-only data folder: still print it
        where = f"could not record it in {record.name} ({exc.strerror or exc})"
    what = "the copy already here" if existing else "this copy"
    say(f"  {dest.name} has no pinned SHA-256, so {what} is trusted on first use: its SHA-256 is\n"
        f"    {digest}\n"
        f"  ({where}). Instructors: pin it in the course registry (course_utils/data/registry.py, "
        f'sha256="{digest}") so that every copy is checked against it.')
    return digest


@dataclass(frozen=True)
class _PartNote:
    """Who wrote the ``.part`` file: its URL and the server's validators for that copy."""

    url: str
    etag: Optional[str] = None
    last_modified: Optional[str] = None

    @property
    def if_range(self) -> Optional[str]:
        """The value for ``If-Range``: the strong ETag, else Last-Modified, else ``None``."""
        return self.etag or self.last_modified


def _read_part_note(path: Path) -> Optional[_PartNote]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        note = _PartNote(str(data["url"]), data.get("etag"), data.get("last_modified"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return note


def _write_part_note(path: Path, note: _PartNote) -> None:
    atomic_write_text(path, json.dumps({"url": note.url, "etag": note.etag,
                                        "last_modified": note.last_modified}) + "\n")


def _discard_part(part: Path, note: Path) -> None:
    part.unlink(missing_ok=True)
    note.unlink(missing_ok=True)


def _validators(headers) -> tuple[Optional[str], Optional[str]]:
    """The server's strong ETag (weak ones cannot be used with If-Range) and Last-Modified."""
    etag = headers.get("ETag")
    if etag is not None and (etag.startswith("W/") or not etag.strip()):
        etag = None
    return etag, headers.get("Last-Modified") or None


# --------------------------------------------------------------------------- http vs https
def _is_local_host(host: Optional[str]) -> bool:
    """True for this machine (``localhost``, 127.0.0.0/8, ``::1``): such traffic never crosses a network."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _allowed_insecure(allow_insecure: Union[str, Sequence[str]]) -> tuple[str, ...]:
    entries = (allow_insecure,) if isinstance(allow_insecure, str) else tuple(allow_insecure)
    for entry in entries:
        if not isinstance(entry, str) or not entry.lower().startswith("http://"):
            raise ValueError(f"allow_insecure must list plain-http URLs (or mirror base URLs ending in '/'), "
                             f"got {entry!r}.")
    return entries


def _insecure_refusal(url: str, sha256: Optional[str], allowed: tuple[str, ...]) -> Optional[str]:
    """Why ``url`` may not be used (plain http, nothing to check the bytes against), or ``None``."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or sha256 is not None or _is_local_host(parts.hostname):
        return None
    if any(url == entry or (entry.endswith("/") and url.startswith(entry)) for entry in allowed):
        return None
    return ("not used: plain http, and this file has no pinned SHA-256 to check it with. Anyone on the "
            "network path (public Wi-Fi, a proxy) could swap it for a crafted file of the same size. "
            "Prefer an https mirror; if you accept the risk, allow this URL by name: "
            f"download(..., allow_insecure=[{url!r}]) or fetch(..., allow_insecure=[...])")


def _redirect_refusal(response, sha256: Optional[str], allowed: tuple[str, ...]) -> Optional[str]:
    """Why a download that was redirected may not be used: a hop over plain http (which anyone on the
    network path could have answered, sending the download anywhere), judged as ``_insecure_refusal``
    judges the URL it started from; ``None`` when every hop is allowed."""
    hops = [getattr(r, "url", "") for r in getattr(response, "history", ())] + [response.url]
    for hop in hops[1:]:
        refusal = _insecure_refusal(hop, sha256, allowed)
        if refusal is not None:
            return f"redirected from {hops[0]} to {hop}: {refusal}"
    return None


def _prefer_https(urls: list[str]) -> list[str]:
    """https mirrors first, otherwise in the given order."""
    return sorted(urls, key=lambda u: urllib.parse.urlsplit(u).scheme != "https")


# --------------------------------------------------------------------------- one attempt
def _content_range_start(value: Optional[str]) -> Optional[int]:
    # "bytes 100-999/1000"
    if not value or not value.startswith("bytes "):
        return None
    try:
        return int(value[6:].split("-", 1)[0])
    except ValueError:
        return None


def _attempt(session, url: str, dest: Path, *, size: Optional[int], sha256: Optional[str], timeout: float,
             progress: _Progress, say: Callable[[str], None], allowed: tuple[str, ...] = ()) -> int:
    """Fetch ``url`` into ``dest.part``; returns how many bytes were kept from before (resumed), or raises.

    A ``.part`` file is continued only when the note beside it says this URL wrote it and there
    is something to hold the server to: its validator (sent as ``If-Range``) or a pinned SHA-256.
    """
    import requests
    import urllib3

    part, note_path = _part_path(dest), _part_note_path(dest)
    have = part.stat().st_size if part.exists() else 0
    note = _read_part_note(note_path) if have else None
    if have:
        why = None
        if note is None or note.url != url:
            why = "was written by another server (or an unknown one)"
        elif note.if_range is None and sha256 is None:
            why = "cannot be resumed safely: its server sent no ETag or Last-Modified to check it against"
        elif size is not None and have > size:
            why = "is longer than the expected size"
        if why is not None:
            say(f"  the partial download {part.name} {why}: discarded, starting from zero.")
            _discard_part(part, note_path)
            have, note = 0, None
    if have and size is not None and have == size:
        # it looks complete, but only the server can confirm it is the same file: fetch its last
        # byte again under If-Range (a changed file comes back whole, with 200)
        with open(part, "r+b") as handle:
            handle.truncate(size - 1)
        have = size - 1
    headers = {"Accept-Encoding": "identity", "User-Agent": "course-utils (python-requests)"}
    if have:
        headers["Range"] = f"bytes={have}-"
        if note is not None and note.if_range is not None:
            headers["If-Range"] = note.if_range
    try:
        response = session.get(url, headers=headers, stream=True, timeout=(timeout, timeout))
    except requests.Timeout:
        raise _AttemptFailed(f"no answer within {timeout:g} s (timed out)", retry=True) from None
    except requests.RequestException as exc:
        raise _AttemptFailed(f"could not connect ({type(exc).__name__})", retry=True) from None
    with response:
        refusal = _redirect_refusal(response, sha256, allowed)
        if refusal is not None:  # before a byte of the body is read or written
            raise _AttemptFailed(refusal, retry=False)
        code = response.status_code
        if code == 416 and have:
            _discard_part(part, note_path)  # the server does not recognise our partial file: start over
            raise _AttemptFailed("the server refused to resume the partial file (HTTP 416)", retry=True)
        if code in (404, 410):
            raise _AttemptFailed(f"HTTP {code} {response.reason}: the file is not on this server", retry=False)
        if code >= 400:
            raise _AttemptFailed(f"HTTP {code} {response.reason}", retry=code in _RETRYABLE_STATUS)
        etag, last_modified = _validators(response.headers)
        if code == 206:
            if not have or _content_range_start(response.headers.get("Content-Range")) != have:
                _discard_part(part, note_path)
                raise _AttemptFailed("the server resumed at the wrong position (bad Content-Range)", retry=True)
            changed = note is not None and ((note.etag and etag and etag != note.etag) or (
                note.last_modified and last_modified and last_modified != note.last_modified))
            if changed:  # a server that ignored If-Range but says the file is another version
                _discard_part(part, note_path)
                raise _AttemptFailed("the file changed on the server since the partial download", retry=True)
            mode = "ab"
        else:  # 200: the server ignored Range, or If-Range said the file changed: start over
            if have:
                say(f"  the server sent the whole file instead of the rest (HTTP {code}): starting from zero.")
            have, mode = 0, "wb"
            # note who writes this .part before the first byte, so that no other server continues it
            _write_part_note(note_path, _PartNote(url, etag, last_modified))
        length = response.headers.get("Content-Length")
        remaining = int(length) if length is not None and length.isdigit() else None
        if size is not None and remaining is not None and have + remaining != size:
            _discard_part(part, note_path)
            mismatch = _Mismatch("size", size, have + remaining)
            raise _AttemptFailed(f"the server offers {have + remaining:,} bytes, expected {size:,} "
                                 "(a different or truncated copy)", retry=False, mismatch=mismatch)
        total = size if size is not None else (have + remaining if remaining is not None else None)
        got = 0
        progress.start(total, have)
        try:
            with open(part, mode) as out:
                while True:
                    try:
                        # raw bytes exactly as stored (a .gz stays gzipped even if the server labels
                        # it Content-Encoding: gzip), one read at a time so a cut keeps what arrived
                        chunk = response.raw.read(CHUNK_SIZE, decode_content=False)
                    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                        timed_out = (isinstance(exc, (requests.Timeout, urllib3.exceptions.TimeoutError,
                                                      TimeoutError)) or "timed out" in str(exc).lower())
                        why = f"no data for {timeout:g} s (timed out)" if timed_out else "the connection was cut"
                        raise _AttemptFailed(f"{why} after {have + got:,} of {_human(total)}",
                                             retry=True) from None
                    if not chunk:
                        break
                    out.write(chunk)
                    got += len(chunk)
                    progress.update(len(chunk))
                    if size is not None and have + got > size:
                        break
        finally:
            progress.close()
    if size is not None and have + got > size:
        _discard_part(part, note_path)
        mismatch = _Mismatch("size", size, have + got)
        raise _AttemptFailed(f"the server sent more than the expected {size:,} bytes", retry=False,
                             mismatch=mismatch)
    if remaining is not None and got < remaining:
        raise _AttemptFailed(f"the connection was cut after {have + got:,} of {_human(total)}", retry=True)
    return have


# --------------------------------------------------------------------------- download
def download(urls: Union[str, Sequence[str]], dest: "str | os.PathLike[str]", *,
             size: Optional[int] = None, sha256: Optional[str] = None, timeout: float = 30.0,
             retries: int = 3, progress: Optional[bool] = None,
             allow_insecure: Union[str, Sequence[str]] = (), lock_timeout: float = 900.0) -> Path:
    """Download a file, verified, from the first mirror that works; returns ``dest`` as a Path.

    Args:
        urls: one URL, or mirror URLs (http or https); https ones are tried first, then the
            rest, each group in the given order.
        dest: the file to create. Its folder is created if needed.
        size: expected byte size, checked after the download and before reusing ``dest``.
        sha256: expected SHA-256 hex digest, checked likewise. Without it, the SHA-256 of the
            first verified copy is recorded in ``dest.sha256`` and printed (trust on first use),
            and later copies must match that record. With neither ``size`` nor ``sha256`` a
            leftover ``.part`` file is only resumed with the server's ``If-Range`` confirmation.
        timeout: seconds to wait for a connection or for the next bytes before giving up.
        retries: extra tries of the same URL after a transient failure (timeout, cut
            connection, HTTP 5xx), with a short growing pause; a 404 moves on at once.
        progress: ``True``: a tqdm bar on stderr; ``False``: silent; ``None`` (default): the bar
            when someone is watching (terminal, Jupyter, Colab), else (``COURSE_PROGRESS=plain``,
            CI, scripts) one line when the download starts and one when it is done.
        allow_insecure: plain-``http`` URLs (or mirror base URLs ending in ``/``) that may be used
            although the file has no pinned or recorded SHA-256. Other such mirrors are skipped
            with a reason (a network attacker could swap the file). http is always allowed for a
            file with a SHA-256, and for this machine (``localhost``).
        lock_timeout: seconds to wait while another process downloads the same ``dest``.

    Returns:
        ``Path(dest)``, a complete file that passed the checks.

    Raises:
        IntegrityError: the file that arrived has the wrong size or SHA-256 (it was deleted);
            the message names the expected and actual values and every URL tried.
        DownloadError: no mirror delivered the file (or another process held the lock for longer
            than ``lock_timeout``); the message lists each URL with the reason and what to try next.
    """
    url_list = [urls] if isinstance(urls, str) else list(urls)
    if not url_list:
        raise ValueError("download() needs at least one URL.")
    url_list = _prefer_https([_check_url(u) for u in url_list])
    if size is not None and (not isinstance(size, int) or size < 0):
        raise ValueError(f"size={size!r} must be a whole number of bytes (>= 0).")
    sha256 = _normalise_sha256(sha256)
    if retries < 0:
        raise ValueError(f"retries={retries!r} must be 0 or more.")
    allowed = _allowed_insecure(allow_insecure)
    dest = Path(dest)
    mode = _progress_mode(progress)
    say: Callable[[str], None] = (lambda _message: None) if mode == "quiet" else print

    if dest.exists() and not dest.is_file():
        raise FileExistsError(f"{dest} exists but is not a file: move it away, or choose another dest.")
    if dest.is_file() and _reuse(dest, size, sha256, say, delete=False):
        return dest  # a good copy: no lock, no network
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        with file_lock(_lock_path(dest), timeout=lock_timeout,
                       on_wait=lambda: say(f"Waiting for another process that is downloading {dest.name}...")):
            return _download_locked(url_list, dest, size=size, sha256=sha256, timeout=timeout,
                                    retries=retries, mode=mode, say=say, allowed=allowed)
    except LockTimeout:
        raise DownloadError(
            f"Another process (another notebook kernel or script?) is downloading {dest.name} into "
            f"{dest.parent} and did not finish within {lock_timeout:g} s. Wait for it and run the cell "
            "again, or stop the other kernel; pass lock_timeout=... to wait longer.", dest=dest) from None


def _reuse(dest: Path, size: Optional[int], sha256: Optional[str], say: Callable[[str], None], *,
           delete: bool) -> bool:
    """True when ``dest`` passes its checks (pinned or recorded SHA-256, size); else False,
    after deleting it when ``delete`` (with the lock held)."""
    recorded = None if sha256 is not None else recorded_sha256(dest)
    record = _record_path(dest) if recorded is not None else None
    mismatch = _find_mismatch(dest, size, sha256 or recorded, recorded=record)
    if mismatch is None:
        if sha256 is None and recorded is None:
            _trust_on_first_use(dest, say, existing=True)
        return True
    if delete:
        dest.unlink()
        say(f"{dest.name}: the saved copy has the {mismatch.describe()}; deleted it, downloading again.")
    return False


def _download_locked(url_list: list[str], dest: Path, *, size: Optional[int], sha256: Optional[str],
                     timeout: float, retries: int, mode: str, say: Callable[[str], None],
                     allowed: tuple[str, ...]) -> Path:
    import requests

    if dest.is_file() and _reuse(dest, size, sha256, say, delete=True):
        return dest  # another process finished it while we waited
    recorded = None if sha256 is not None else recorded_sha256(dest)
    record = _record_path(dest) if recorded is not None else None
    expected = sha256 or recorded
    part, note = _part_path(dest), _part_note_path(dest)
    failures: list[tuple[str, str]] = []
    last_mismatch: Optional[_Mismatch] = None
    bar = _Progress(mode, dest.name)
    with requests.Session() as session:
        for url in url_list:
            refusal = _insecure_refusal(url, expected, allowed)
            if refusal is not None:
                failures.append((url, refusal))
                continue
            tries = 0
            while True:
                tries += 1
                if mode == "plain":
                    print(f"Downloading {url} ({_human(size)}) -> {dest}")
                try:
                    resumed = _attempt(session, url, dest, size=size, sha256=expected, timeout=timeout,
                                       progress=bar, say=say, allowed=allowed)
                except _AttemptFailed as failure:
                    if failure.mismatch is not None:
                        last_mismatch = failure.mismatch
                    if failure.retry and tries <= retries:
                        say(f"  {failure.reason}; retrying ({tries}/{retries})...")
                        time.sleep(min(BACKOFF_S * 2 ** (tries - 1), MAX_BACKOFF_S))
                        continue
                    suffix = f" (after {tries} tries)" if tries > 1 else ""
                    failures.append((url, failure.reason + suffix))
                    break
                mismatch = _find_mismatch(part, size, expected, recorded=record)
                if mismatch is not None:
                    _discard_part(part, note)
                    last_mismatch = mismatch
                    if resumed and tries <= retries:
                        # the kept partial file may have been damaged: once more, from zero
                        say(f"  the resumed file has the {mismatch.describe()}; starting over...")
                        continue
                    failures.append((url, mismatch.describe() + "; the bad file was deleted"))
                    break
                os.replace(part, dest)
                note.unlink(missing_ok=True)
                if mode == "plain":
                    checks = (("size", size), ("SHA-256", sha256), ("recorded SHA-256", recorded))
                    what = " and ".join(k for k, v in checks if v is not None)
                    print(f"  saved {dest.name} ({_human(dest.stat().st_size)}"
                          + (f", {what} verified)" if what else ", not verified: no size or hash given)"))
                if expected is None:
                    _trust_on_first_use(dest, say, existing=False)
                return dest
    raise _final_error(dest, part, failures, last_mismatch, size, expected, record)


def _final_error(dest: Path, part: Path, failures: list[tuple[str, str]], mismatch: Optional[_Mismatch],
                 size: Optional[int], sha256: Optional[str], record: Optional[Path]) -> DownloadError:
    tried = "\n".join(f"  - {url}: {reason}" for url, reason in failures)
    plural = "s" if len(failures) > 1 else ""
    checks = ", ".join(x for x in ((f"{size:,} bytes" if size is not None else ""),
                                   (f"sha256 {sha256}" if sha256 else "")) if x)
    manual = (f"download it with a browser from one of the URLs above and save it as {dest}"
              + (f" (it will be checked: {checks})" if checks else ""))
    if mismatch is not None:
        head = (f"Could not get a good copy of {dest.name}: {mismatch.describe()}.\n"
                f"URL{plural} tried:\n{tried}\n")
        advice = ("What to try: run the cell again (a download can be cut short); if it keeps failing, "
                  f"the server has a different or damaged copy: {manual}.")
        if mismatch.check == "sha256" and record is not None:
            advice += (f"\nThe expected SHA-256 is the one recorded in {record} when the file was first "
                       "downloaded (no hash is pinned for it). If you are sure the file was changed on "
                       f"purpose by its publisher, delete {record} to trust the new copy.")
        return IntegrityError(head + advice, check=mismatch.check, expected=mismatch.expected,
                              actual=mismatch.actual, dest=dest, failures=failures)
    head = f"Could not download {dest.name} to {dest}.\nURL{plural} tried:\n{tried}\n"
    advice = ("What to try: check your internet connection (open one of the URLs in a browser); "
              "run the cell again later (servers are sometimes down); pass another mirror URL; or "
              f"{manual}.")
    if part.exists():
        advice += (f"\nThe partial download {part} was kept and resumes next time from the same server "
                   "(if it still has the same file); delete it to start from zero.")
    return DownloadError(head + advice, dest=dest, failures=failures)

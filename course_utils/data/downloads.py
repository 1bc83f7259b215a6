"""Verified, resumable downloads with mirror fallback.

``download(urls, dest, size=..., sha256=...)`` is the one function notebooks need; it

1. reuses ``dest`` when it already exists and passes the checks (a damaged copy is deleted and
   downloaded again, with a message saying so);
2. tries each mirror URL in order, streaming into ``dest + ".part"`` with a progress bar;
3. resumes a partial ``.part`` file with an HTTP ``Range`` request when the server allows it, and
   starts over when it does not; times out and retries transient failures;
4. checks the byte size and/or SHA-256 of the finished file, deletes it on a mismatch, and only
   then renames it to ``dest`` (``os.replace`` is atomic), so ``dest`` is never a half file.

Why not just ``pooch.retrieve``? pooch is used where it fits (``pooch.file_hash`` computes the
SHA-256 in chunks), but its downloaders lack what this course needs: a list of mirrors tried in
order (dead dataset URLs are a classic course breaker), resuming a partial file with ``Range``
(a 250 MB notMNIST download on a flaky Colab connection), and verification by byte size alone
(notMNIST publishes no hash, only sizes). Writing the small HTTP loop here (with ``requests``,
which pooch itself uses) costs less than bending pooch's downloaders to do all three.

URLs are URLs: build them with :func:`join_url` (or ``urllib.parse``), never ``os.path.join``,
which inserts backslashes on Windows.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Optional, Sequence, Union

from ..plumbing.runtime import progress_mode

__all__ = ["DownloadError", "IntegrityError", "download", "join_url", "verify_file"]

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

    def __init__(self, check: str, expected, actual):
        self.check, self.expected, self.actual = check, expected, actual

    def describe(self) -> str:
        if self.check == "size":
            return f"wrong size: expected {self.expected:,} bytes, got {self.actual:,} bytes"
        return f"wrong SHA-256: expected {self.expected}, got {self.actual}"


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


def _find_mismatch(path: Path, size: Optional[int], sha256: Optional[str]) -> Optional[_Mismatch]:
    """The first failed check of ``path`` (size first: it is free), or ``None`` when all pass."""
    if size is not None:
        actual = path.stat().st_size
        if actual != size:
            return _Mismatch("size", size, actual)
    if sha256 is not None:
        import pooch  # pooch reads the file in chunks; imported here to keep the package import light

        actual_hash = pooch.file_hash(str(path), alg="sha256")
        if actual_hash != sha256:
            return _Mismatch("sha256", sha256, actual_hash)
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


# --------------------------------------------------------------------------- one attempt
def _content_range_start(value: Optional[str]) -> Optional[int]:
    # "bytes 100-999/1000"
    if not value or not value.startswith("bytes "):
        return None
    try:
        return int(value[6:].split("-", 1)[0])
    except ValueError:
        return None


def _attempt(session, url: str, part: Path, *, size: Optional[int], timeout: float, resume: bool,
             progress: _Progress) -> int:
    """Fetch ``url`` into ``part``; returns how many bytes were already there (resumed), or raises."""
    import requests
    import urllib3

    have = part.stat().st_size if part.exists() else 0
    if have and (not resume or (size is not None and have > size)):
        part.unlink()
        have = 0
    if size is not None and have == size and have > 0:
        return have  # a previous run finished the .part file but stopped before checking it
    headers = {"Accept-Encoding": "identity", "User-Agent": "course-utils (python-requests)"}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        response = session.get(url, headers=headers, stream=True, timeout=(timeout, timeout))
    except requests.Timeout:
        raise _AttemptFailed(f"no answer within {timeout:g} s (timed out)", retry=True) from None
    except requests.RequestException as exc:
        raise _AttemptFailed(f"could not connect ({type(exc).__name__})", retry=True) from None
    with response:
        code = response.status_code
        if code == 416 and have:
            part.unlink()  # the server does not recognise our partial file: start over
            raise _AttemptFailed("the server refused to resume the partial file (HTTP 416)", retry=True)
        if code in (404, 410):
            raise _AttemptFailed(f"HTTP {code} {response.reason}: the file is not on this server", retry=False)
        if code >= 400:
            raise _AttemptFailed(f"HTTP {code} {response.reason}", retry=code in _RETRYABLE_STATUS)
        if code == 206:
            if not have or _content_range_start(response.headers.get("Content-Range")) != have:
                part.unlink(missing_ok=True)
                raise _AttemptFailed("the server resumed at the wrong position (bad Content-Range)", retry=True)
            mode = "ab"
        else:  # 200: the server ignored Range (or we sent none): start over
            have, mode = 0, "wb"
        length = response.headers.get("Content-Length")
        remaining = int(length) if length is not None and length.isdigit() else None
        if size is not None and remaining is not None and have + remaining != size:
            part.unlink(missing_ok=True)
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
        part.unlink()
        mismatch = _Mismatch("size", size, have + got)
        raise _AttemptFailed(f"the server sent more than the expected {size:,} bytes", retry=False,
                             mismatch=mismatch)
    if remaining is not None and got < remaining:
        raise _AttemptFailed(f"the connection was cut after {have + got:,} of {_human(total)}", retry=True)
    return have


# --------------------------------------------------------------------------- download
def download(urls: Union[str, Sequence[str]], dest: "str | os.PathLike[str]", *,
             size: Optional[int] = None, sha256: Optional[str] = None, timeout: float = 30.0,
             retries: int = 3, progress: Optional[bool] = None) -> Path:
    """Download a file, verified, from the first mirror that works; returns ``dest`` as a Path.

    Args:
        urls: one URL, or mirror URLs tried in order (http or https).
        dest: the file to create. Its folder is created if needed.
        size: expected byte size, checked after the download and before reusing ``dest``.
        sha256: expected SHA-256 hex digest, checked likewise. With neither ``size`` nor
            ``sha256`` an existing ``dest`` is trusted as is, and a leftover ``.part`` file from an
            earlier run is not resumed (nothing could tell whether it belongs to this file).
        timeout: seconds to wait for a connection or for the next bytes before giving up.
        retries: extra tries of the same URL after a transient failure (timeout, cut
            connection, HTTP 5xx), with a short growing pause; a 404 moves on at once.
        progress: ``True``: a tqdm bar on stderr; ``False``: silent; ``None`` (default): the bar
            when someone is watching (terminal, Jupyter, Colab), else (``COURSE_PROGRESS=plain``,
            CI, scripts) one line when the download starts and one when it is done.

    Returns:
        ``Path(dest)``, a complete file that passed the checks.

    Raises:
        IntegrityError: the file that arrived has the wrong size or SHA-256 (it was deleted);
            the message names the expected and actual values and every URL tried.
        DownloadError: no mirror delivered the file; the message lists each URL with the reason
            and what to try next.
    """
    url_list = [urls] if isinstance(urls, str) else list(urls)
    if not url_list:
        raise ValueError("download() needs at least one URL.")
    url_list = [_check_url(u) for u in url_list]
    if size is not None and (not isinstance(size, int) or size < 0):
        raise ValueError(f"size={size!r} must be a whole number of bytes (>= 0).")
    sha256 = _normalise_sha256(sha256)
    if retries < 0:
        raise ValueError(f"retries={retries!r} must be 0 or more.")
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    mode = _progress_mode(progress)
    checked = size is not None or sha256 is not None

    if dest.exists():
        if not dest.is_file():
            raise FileExistsError(f"{dest} exists but is not a file: move it away, or choose another dest.")
        mismatch = _find_mismatch(dest, size, sha256)
        if mismatch is None:
            return dest
        dest.unlink()
        if mode != "quiet":
            print(f"{dest.name}: the saved copy has the {mismatch.describe()}; deleted it, downloading again.")
    dest.parent.mkdir(parents=True, exist_ok=True)

    import requests

    failures: list[tuple[str, str]] = []
    last_mismatch: Optional[_Mismatch] = None
    part_source: Optional[str] = None  # the URL that wrote the .part file in this call
    bar = _Progress(mode, dest.name)
    with requests.Session() as session:
        for url in url_list:
            tries = 0
            while True:
                tries += 1
                resume = checked or part_source == url
                if mode == "plain":
                    print(f"Downloading {url} ({_human(size)}) -> {dest}")
                try:
                    resumed = _attempt(session, url, part, size=size, timeout=timeout, resume=resume,
                                       progress=bar)
                except _AttemptFailed as failure:
                    part_source = url if part.exists() else None
                    if failure.mismatch is not None:
                        last_mismatch = failure.mismatch
                    if failure.retry and tries <= retries:
                        if mode != "quiet":
                            print(f"  {failure.reason}; retrying ({tries}/{retries})...")
                        time.sleep(min(BACKOFF_S * 2 ** (tries - 1), MAX_BACKOFF_S))
                        continue
                    suffix = f" (after {tries} tries)" if tries > 1 else ""
                    failures.append((url, failure.reason + suffix))
                    break
                mismatch = _find_mismatch(part, size, sha256)
                if mismatch is not None:
                    part.unlink()
                    part_source = None
                    last_mismatch = mismatch
                    if resumed and tries <= retries:
                        # the kept partial file may have come from another copy: once more, from zero
                        if mode != "quiet":
                            print(f"  the resumed file has the {mismatch.describe()}; starting over...")
                        continue
                    failures.append((url, mismatch.describe() + "; the bad file was deleted"))
                    break
                os.replace(part, dest)
                if mode == "plain":
                    what = " and ".join(k for k, v in (("size", size), ("SHA-256", sha256)) if v is not None)
                    print(f"  saved {dest.name} ({_human(dest.stat().st_size)}"
                          + (f", {what} verified)" if what else ", not verified: no size or hash given)"))
                return dest
    raise _final_error(dest, part, failures, last_mismatch, size, sha256)


def _final_error(dest: Path, part: Path, failures: list[tuple[str, str]], mismatch: Optional[_Mismatch],
                 size: Optional[int], sha256: Optional[str]) -> DownloadError:
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
        return IntegrityError(head + advice, check=mismatch.check, expected=mismatch.expected,
                              actual=mismatch.actual, dest=dest, failures=failures)
    head = f"Could not download {dest.name} to {dest}.\nURL{plural} tried:\n{tried}\n"
    advice = ("What to try: check your internet connection (open one of the URLs in a browser); "
              "run the cell again later (servers are sometimes down); pass another mirror URL; or "
              f"{manual}.")
    if part.exists():
        advice += (f"\nThe partial download {part} was kept and resumes next time; "
                   "delete it to start from zero.")
    return DownloadError(head + advice, dest=dest, failures=failures)


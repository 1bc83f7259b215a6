"""course_utils.data.downloads against a local HTTP server (offline, 127.0.0.1 only)."""

from __future__ import annotations

import hashlib
import importlib
import os

import pytest
from _http_server import LocalHTTPServer

from course_utils.data.downloads import DownloadError, IntegrityError, download, join_url, verify_file

# course_utils.data.downloads is the function; the module is reached by its full name
download_module = importlib.import_module("course_utils.data.downloads")

PAYLOAD = bytes(range(256)) * 4096 + b"tail"  # 1 MiB + 4 bytes: more than one network chunk
SHA = hashlib.sha256(PAYLOAD).hexdigest()
SIZE = len(PAYLOAD)


@pytest.fixture
def server():
    with LocalHTTPServer(lifetime=60) as srv:
        yield srv


@pytest.fixture(autouse=True)
def fast_and_plain(monkeypatch):
    """No pauses between retries; plain progress output (as in CI)."""
    monkeypatch.setattr(download_module, "BACKOFF_S", 0.0)
    monkeypatch.setenv("COURSE_PROGRESS", "plain")


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


# --------------------------------------------------------------------------- happy paths
def test_whole_file_is_verified_and_renamed(server, tmp_path):
    url = server.add("data/file.bin", PAYLOAD)
    dest = tmp_path / "sub" / "file.bin"
    result = download(url, dest, size=SIZE, sha256=SHA)
    assert result == dest
    assert dest.read_bytes() == PAYLOAD
    assert _leftovers(dest.parent) == ["file.bin"]  # no .part left


def test_mirrors_are_tried_in_order(server, tmp_path):
    dead = server.url("gone/file.bin")  # answers 404
    good = server.add("mirror2/file.bin", PAYLOAD)
    dest = download([dead, good], tmp_path / "file.bin", sha256=SHA)
    assert dest.read_bytes() == PAYLOAD
    assert [p for p, _ in server.requests] == ["/gone/file.bin", "/mirror2/file.bin"]


def test_cut_response_is_resumed_with_range(server, tmp_path):
    url = server.add("f.bin", PAYLOAD, cut_after=300_000, cut_times=1, etag='"v1"')
    dest = download(url, tmp_path / "f.bin", size=SIZE, sha256=SHA, retries=2)
    assert dest.read_bytes() == PAYLOAD
    assert server.requests_for("f.bin") == [None, "bytes=300000-"]
    assert server.headers_for("f.bin")[1]["If-Range"] == '"v1"'  # resumed only if still the same file


def test_server_without_range_support_restarts_from_zero(server, tmp_path):
    url = server.add("f.bin", PAYLOAD, range=False, cut_after=300_000, cut_times=1)
    dest = download(url, tmp_path / "f.bin", size=SIZE, sha256=SHA, retries=2)
    # the server answered the Range request with the whole file: it must not be appended
    assert dest.stat().st_size == SIZE
    assert dest.read_bytes() == PAYLOAD
    assert server.requests_for("f.bin") == [None, "bytes=300000-"]


def _cut_run(server, url, dest, **checks):
    """An earlier run that was cut after 1000 bytes: it leaves dest.part and the note beside it."""
    with pytest.raises(DownloadError):
        download(url, dest, retries=0, **checks)
    assert (dest.parent / (dest.name + ".part")).stat().st_size == 1000


def test_partial_file_from_an_earlier_run_is_resumed(server, tmp_path):
    url = server.add("f.bin", PAYLOAD, cut_after=1000, cut_times=1)
    dest = tmp_path / "f.bin"
    _cut_run(server, url, dest, size=SIZE, sha256=SHA)
    download(url, dest, size=SIZE, sha256=SHA)
    assert dest.read_bytes() == PAYLOAD
    assert server.requests_for("f.bin") == [None, "bytes=1000-"]
    assert _leftovers(tmp_path) == ["f.bin"]  # the .part, its note and the lock file are gone


def test_bad_partial_file_is_discarded_and_downloaded_again(server, tmp_path):
    url = server.add("f.bin", PAYLOAD, cut_after=1000, cut_times=1)
    dest = tmp_path / "f.bin"
    _cut_run(server, url, dest, size=SIZE, sha256=SHA)
    (tmp_path / "f.bin.part").write_bytes(b"x" * 1000)  # damaged on disk: not a prefix of the file
    download(url, dest, size=SIZE, sha256=SHA, retries=1)
    assert dest.read_bytes() == PAYLOAD
    assert server.requests_for("f.bin") == [None, "bytes=1000-", None]


def test_partial_file_of_unknown_origin_is_not_resumed(server, tmp_path):
    url = server.add("f.bin", PAYLOAD)
    (tmp_path / "f.bin.part").write_bytes(PAYLOAD[:1000])  # no note: nobody knows who wrote it
    dest = download(url, tmp_path / "f.bin", size=SIZE, sha256=SHA)
    assert dest.read_bytes() == PAYLOAD
    assert server.requests_for("f.bin") == [None]


def test_partial_file_is_not_resumed_without_checks(server, tmp_path):
    url = server.add("f.bin", PAYLOAD)
    (tmp_path / "f.bin.part").write_bytes(b"x" * 1000)
    dest = download(url, tmp_path / "f.bin")
    assert dest.read_bytes() == PAYLOAD
    assert server.requests_for("f.bin") == [None]


def test_transient_http_error_is_retried(server, tmp_path):
    url = server.add("f.bin", PAYLOAD, status=503, status_times=2)
    dest = download(url, tmp_path / "f.bin", sha256=SHA, retries=2)
    assert dest.read_bytes() == PAYLOAD
    assert len(server.requests_for("f.bin")) == 3


def test_stalled_server_times_out_and_is_retried(server, tmp_path):
    url = server.add("f.bin", PAYLOAD, stall=1.5, stall_times=1)
    dest = download(url, tmp_path / "f.bin", sha256=SHA, timeout=0.3, retries=1)
    assert dest.read_bytes() == PAYLOAD
    assert len(server.requests_for("f.bin")) == 2


# --------------------------------------------------------------------------- cache
def test_good_cached_file_is_reused_without_network(server, tmp_path):
    dest = tmp_path / "f.bin"
    dest.write_bytes(PAYLOAD)
    before = dest.stat().st_mtime_ns
    assert download(server.url("never-asked.bin"), dest, size=SIZE, sha256=SHA) == dest
    assert server.requests == []
    assert dest.stat().st_mtime_ns == before


def test_damaged_cached_file_is_replaced(server, tmp_path, capsys):
    url = server.add("f.bin", PAYLOAD)
    dest = tmp_path / "f.bin"
    dest.write_bytes(PAYLOAD[:-1] + b"X")  # right size, wrong content
    download(url, dest, size=SIZE, sha256=SHA)
    assert dest.read_bytes() == PAYLOAD
    out = capsys.readouterr().out
    assert "wrong SHA-256" in out and "downloading again" in out


# --------------------------------------------------------------------------- failures
def test_every_mirror_failing_names_each_url_and_what_to_try(server, tmp_path):
    urls = [server.url("a/f.bin"), server.url("b/f.bin")]
    dest = tmp_path / "f.bin"
    with pytest.raises(DownloadError) as info:
        download(urls, dest, size=SIZE)
    message = str(info.value)
    assert urls[0] in message and urls[1] in message
    assert "404" in message and "What to try" in message and "internet connection" in message
    assert [u for u, _ in info.value.failures] == urls
    assert not dest.exists() and _leftovers(tmp_path) == []


def test_connection_refused_is_reported(tmp_path):
    with LocalHTTPServer() as srv:
        url = srv.url("f.bin")
    # the server is stopped: nothing listens on that port any more
    with pytest.raises(DownloadError, match="could not connect"):
        download(url, tmp_path / "f.bin", retries=1, timeout=2)


def test_timeout_without_retries_fails_with_a_clear_reason(server, tmp_path):
    url = server.add("f.bin", PAYLOAD, stall=1.5, stall_times=5)
    with pytest.raises(DownloadError, match="timed out"):
        download(url, tmp_path / "f.bin", timeout=0.3, retries=0)


def test_cut_download_keeps_part_for_next_time_and_says_so(server, tmp_path):
    url = server.add("f.bin", PAYLOAD, cut_after=1000, cut_times=5)
    dest = tmp_path / "f.bin"
    with pytest.raises(DownloadError) as info:
        download(url, dest, size=SIZE, retries=0)
    assert "connection was cut" in str(info.value)
    assert "resumes next time" in str(info.value)
    assert (tmp_path / "f.bin.part").stat().st_size == 1000
    assert not dest.exists()


def test_size_mismatch_deletes_and_names_expected_and_actual(server, tmp_path):
    url = server.add("f.bin", PAYLOAD[:5000])  # a truncated copy on the server
    dest = tmp_path / "f.bin"
    with pytest.raises(IntegrityError) as info:
        download(url, dest, size=SIZE)
    err = info.value
    assert (err.check, err.expected, err.actual) == ("size", SIZE, 5000)
    assert f"{SIZE:,}" in str(err) and "5,000" in str(err)
    assert _leftovers(tmp_path) == []


def test_size_mismatch_without_content_length_is_caught_after_download(server, tmp_path, monkeypatch):
    url = server.add("f.bin", PAYLOAD)
    real_get = download_module._attempt

    # emulate a server that sends no Content-Length: the size check must still run on the file
    def attempt(session, *args, **kwargs):
        original = session.get

        def get(*a, **k):
            response = original(*a, **k)
            del response.headers["Content-Length"]
            return response

        session.get = get
        return real_get(session, *args, **kwargs)

    monkeypatch.setattr(download_module, "_attempt", attempt)
    with pytest.raises(IntegrityError) as info:
        download(url, tmp_path / "f.bin", size=SIZE + 10)
    assert (info.value.expected, info.value.actual) == (SIZE + 10, SIZE)
    assert _leftovers(tmp_path) == []


def test_sha256_mismatch_deletes_and_names_both_digests(server, tmp_path):
    other = PAYLOAD[:-1] + b"?"
    url = server.add("f.bin", other)
    dest = tmp_path / "f.bin"
    with pytest.raises(IntegrityError) as info:
        download(url, dest, size=SIZE, sha256=SHA)
    actual = hashlib.sha256(other).hexdigest()
    assert info.value.check == "sha256"
    assert SHA in str(info.value) and actual in str(info.value)
    assert "deleted" in str(info.value)
    assert _leftovers(tmp_path) == []


def test_bad_mirror_then_good_mirror_succeeds(server, tmp_path):
    bad = server.add("bad/f.bin", PAYLOAD[:-1] + b"?")
    good = server.add("good/f.bin", PAYLOAD)
    dest = download([bad, good], tmp_path / "f.bin", sha256=SHA)
    assert dest.read_bytes() == PAYLOAD


# --------------------------------------------------------------------------- arguments and helpers
@pytest.mark.parametrize("bad", ["data\\file.bin", "ftp://host/f", "C:\\data\\f.bin", "/local/path.bin",
                                 "http://host\\data\\f.bin"])
def test_non_urls_are_refused_with_advice(tmp_path, bad):
    with pytest.raises(ValueError, match="URL|os.path.join"):
        download(bad, tmp_path / "f.bin")


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        download([], tmp_path / "f")
    with pytest.raises(ValueError, match="SHA-256"):
        download("http://127.0.0.1/x", tmp_path / "f", sha256="abc")
    with pytest.raises(ValueError):
        download("http://127.0.0.1/x", tmp_path / "f", size=-1)


def test_join_url_uses_slashes_and_quotes():
    assert join_url("https://h/mnist/", "train.gz") == "https://h/mnist/train.gz"
    assert join_url("https://h/mnist", "a b.gz") == "https://h/mnist/a%20b.gz"
    assert join_url("https://h", "x", "y.gz") == "https://h/x/y.gz"


def test_verify_file(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(PAYLOAD)
    assert verify_file(path, size=SIZE, sha256="SHA256:" + SHA.upper()) == path
    with pytest.raises(IntegrityError) as info:
        verify_file(path, size=SIZE + 1)
    assert info.value.expected == SIZE + 1 and info.value.actual == SIZE
    assert path.exists()  # verify_file never deletes
    with pytest.raises(FileNotFoundError):
        verify_file(tmp_path / "missing")


# --------------------------------------------------------------------------- progress output
def test_plain_progress_prints_lines_and_nothing_on_stderr(server, tmp_path, capsys):
    url = server.add("f.bin", PAYLOAD)
    download(url, tmp_path / "f.bin", size=SIZE, sha256=SHA)
    captured = capsys.readouterr()
    assert captured.err == ""
    assert f"Downloading {url}" in captured.out
    assert "saved f.bin" in captured.out and "size and SHA-256 verified" in captured.out


def test_progress_bar_goes_to_stderr_only(server, tmp_path, capsys):
    url = server.add("f.bin", PAYLOAD)
    download(url, tmp_path / "f.bin", size=SIZE, sha256=SHA, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "f.bin" in captured.err


def test_progress_bar_mode_prints_only_the_first_use_note(server, tmp_path, capsys):
    url = server.add("f.bin", PAYLOAD)
    download(url, tmp_path / "f.bin", size=SIZE, progress=True)  # no pinned hash: the note is printed once
    captured = capsys.readouterr()
    assert "Downloading" not in captured.out and "saved" not in captured.out
    assert "trusted on first use" in captured.out and SHA in captured.out
    assert "f.bin" in captured.err


def test_progress_false_is_silent(server, tmp_path, capsys):
    url = server.add("f.bin", PAYLOAD)
    download(url, tmp_path / "f.bin", size=SIZE, progress=False)
    assert capsys.readouterr() == ("", "")


def test_dest_that_is_a_folder_is_refused(tmp_path):
    folder = tmp_path / "f.bin"
    folder.mkdir()
    with pytest.raises(FileExistsError, match="not a file"):
        download("http://127.0.0.1/x", folder, size=1)
    assert os.path.isdir(folder)


def _note_part(dest, url, etag):
    """The note a download leaves beside its .part file (as the module writes it)."""
    download_module._write_part_note(download_module._part_note_path(dest), download_module._PartNote(url, etag))


def test_finished_part_file_is_confirmed_by_the_server(server, tmp_path):
    # a run stopped between download and rename: the .part has the full size
    url = server.add("f.bin", PAYLOAD, etag='"v1"')
    dest = tmp_path / "f.bin"
    (tmp_path / "f.bin.part").write_bytes(PAYLOAD)
    _note_part(dest, url, '"v1"')
    download(url, dest, size=SIZE, sha256=SHA)
    assert dest.read_bytes() == PAYLOAD
    # never promoted without a request: its last byte is fetched again under If-Range
    assert server.requests_for("f.bin") == [f"bytes={SIZE - 1}-"]
    assert server.headers_for("f.bin")[0]["If-Range"] == '"v1"'


def test_finished_part_file_of_a_changed_file_is_not_promoted(server, tmp_path):
    new = PAYLOAD[::-1]  # same size, other bytes: the file changed on the server since
    url = server.add("f.bin", new, etag='"v2"')
    dest = tmp_path / "f.bin"
    (tmp_path / "f.bin.part").write_bytes(PAYLOAD)
    _note_part(dest, url, '"v1"')
    download(url, dest, size=SIZE)  # size alone cannot tell the two apart; If-Range can
    assert dest.read_bytes() == new
    assert server.requests_for("f.bin") == [f"bytes={SIZE - 1}-"]  # answered 200: the whole new file


def test_finished_part_file_without_a_note_is_downloaded_again(server, tmp_path):
    url = server.add("f.bin", PAYLOAD)
    (tmp_path / "f.bin.part").write_bytes(PAYLOAD)
    dest = download(url, tmp_path / "f.bin", size=SIZE)
    assert dest.read_bytes() == PAYLOAD
    assert server.requests_for("f.bin") == [None]


def test_range_not_satisfiable_starts_over(server, tmp_path):
    url = server.add("f.bin", PAYLOAD, etag='"v1"')
    (tmp_path / "f.bin.part").write_bytes(PAYLOAD + b"extra")  # longer than the file: HTTP 416
    _note_part(tmp_path / "f.bin", url, '"v1"')
    dest = download(url, tmp_path / "f.bin", sha256=SHA, retries=1)
    assert dest.read_bytes() == PAYLOAD
    assert server.requests_for("f.bin") == [f"bytes={SIZE + 5}-", None]


# --------------------------------------------------------------------------- never splice two copies
OTHER = bytes(reversed(PAYLOAD))  # another copy of the same size: a size check cannot tell them apart


@pytest.mark.parametrize("same_etag", [False, True], ids=["own-etags", "same-etag"])
def test_cut_copy_from_one_mirror_is_never_continued_from_another(server, tmp_path, same_etag):
    """The issue's reproduction: mirror 1 cuts the download, mirror 2 has other bytes of the same size."""
    etags = {"etag": '"same"'} if same_etag else {}
    first = server.add("m1/f.bin", PAYLOAD, cut_after=SIZE // 3, cut_times=99, **etags)
    second = server.add("m2/f.bin", OTHER, **etags)
    dest = download([first, second], tmp_path / "f.bin", size=SIZE, retries=0)
    assert dest.read_bytes() == OTHER  # all of mirror 2's copy, not a third of one and the rest of the other
    assert server.requests_for("m2/f.bin") == [None]  # no Range: started from zero
    assert _leftovers(tmp_path) == ["f.bin", "f.bin.sha256"]


def test_partial_file_from_an_earlier_run_on_another_mirror_is_discarded(server, tmp_path, capsys):
    first = server.add("m1/f.bin", PAYLOAD, cut_after=1000, cut_times=1)
    dest = tmp_path / "f.bin"
    _cut_run(server, first, dest, size=SIZE)
    server.add("m1/f.bin", PAYLOAD, status=404, status_times=99)  # next time, mirror 1 is down
    second = server.add("m2/f.bin", OTHER)
    download([first, second], dest, size=SIZE)
    assert dest.read_bytes() == OTHER
    assert server.requests_for("m2/f.bin") == [None]
    assert "written by another server" in capsys.readouterr().out


def test_file_changed_on_the_server_restarts_from_zero(server, tmp_path):
    url = server.add("f.bin", PAYLOAD, cut_after=1000, cut_times=1, etag='"v1"')
    dest = tmp_path / "f.bin"
    _cut_run(server, url, dest, size=SIZE)
    server.add("f.bin", OTHER, etag='"v2"')  # a new version, same size
    download(url, dest, size=SIZE)
    assert dest.read_bytes() == OTHER  # the If-Range request got the whole new file (200), not the rest
    assert server.requests_for("f.bin") == [None, "bytes=1000-"]
    assert server.headers_for("f.bin")[1]["If-Range"] == '"v1"'


def test_last_modified_is_the_validator_when_there_is_no_etag(server, tmp_path):
    url = server.add("f.bin", PAYLOAD, cut_after=1000, cut_times=1, etag=None)
    dest = download(url, tmp_path / "f.bin", size=SIZE, retries=1)
    assert dest.read_bytes() == PAYLOAD
    assert server.requests_for("f.bin") == [None, "bytes=1000-"]
    assert server.headers_for("f.bin")[1]["If-Range"] == "Thu, 08 Sep 2011 10:00:00 GMT"


def test_size_only_without_validators_restarts_instead_of_resuming(server, tmp_path):
    url = server.add("f.bin", PAYLOAD, cut_after=1000, cut_times=1, etag=None, last_modified=None)
    dest = download(url, tmp_path / "f.bin", size=SIZE, retries=1)
    assert dest.read_bytes() == PAYLOAD
    assert server.requests_for("f.bin") == [None, None]  # nothing to hold the server to: from zero


def test_pinned_hash_allows_resuming_without_validators(server, tmp_path):
    url = server.add("f.bin", PAYLOAD, cut_after=1000, cut_times=1, etag=None, last_modified=None)
    dest = download(url, tmp_path / "f.bin", sha256=SHA, retries=1)
    assert dest.read_bytes() == PAYLOAD
    assert server.requests_for("f.bin") == [None, "bytes=1000-"]  # the final SHA-256 check guards it


# --------------------------------------------------------------------------- trust on first use
def test_first_download_without_hash_records_and_prints_its_sha256(server, tmp_path, capsys):
    url = server.add("f.bin", PAYLOAD)
    dest = download(url, tmp_path / "f.bin", size=SIZE)
    record = tmp_path / "f.bin.sha256"
    assert record.read_text() == f"{SHA}  f.bin\n"
    assert download_module.recorded_sha256(dest) == SHA
    out = capsys.readouterr().out
    assert SHA in out and "trusted on first use" in out and "registry" in out and "pin" in out
    assert download(url, dest, size=SIZE) == dest  # reused, checked against the record
    assert len(server.requests_for("f.bin")) == 1


def test_reuse_is_checked_against_the_recorded_hash(server, tmp_path, capsys):
    url = server.add("f.bin", PAYLOAD)
    dest = download(url, tmp_path / "f.bin", size=SIZE)
    dest.write_bytes(OTHER)  # same size, other bytes: the size check alone would accept it
    download(url, dest, size=SIZE)
    assert dest.read_bytes() == PAYLOAD
    out = capsys.readouterr().out
    assert "recorded in f.bin.sha256" in out and "downloading again" in out


def test_a_different_copy_later_is_refused_with_the_record_named(server, tmp_path):
    url = server.add("f.bin", PAYLOAD)
    dest = download(url, tmp_path / "f.bin", size=SIZE)
    dest.unlink()
    server.add("f.bin", OTHER)  # the server now hands out a same-size different file
    with pytest.raises(IntegrityError) as info:
        download(url, dest, size=SIZE)
    message = str(info.value)
    assert info.value.check == "sha256" and info.value.expected == SHA
    assert "f.bin.sha256" in message and "delete" in message
    assert not dest.exists() and not (tmp_path / "f.bin.part").exists()


def test_an_existing_copy_without_record_gets_one(server, tmp_path, capsys):
    dest = tmp_path / "f.bin"
    dest.write_bytes(PAYLOAD)
    assert download(server.url("never-asked.bin"), dest, size=SIZE) == dest
    assert server.requests == []
    assert download_module.recorded_sha256(dest) == SHA
    assert "already here" in capsys.readouterr().out


def test_pinned_hash_writes_no_record(server, tmp_path):
    url = server.add("f.bin", PAYLOAD)
    download(url, tmp_path / "f.bin", size=SIZE, sha256=SHA)
    assert not (tmp_path / "f.bin.sha256").exists()


# --------------------------------------------------------------------------- http vs https
@pytest.fixture
def remote(monkeypatch):
    """Treat the local server as a remote plain-http server (normally this machine is trusted)."""
    monkeypatch.setattr(download_module, "_is_local_host", lambda host: False)


def test_plain_http_without_hash_is_refused_with_risk_and_fix(server, tmp_path, remote):
    url = server.add("f.bin", PAYLOAD)
    with pytest.raises(DownloadError) as info:
        download(url, tmp_path / "f.bin", size=SIZE)
    message = str(info.value)
    assert "plain http" in message and "same size" in message and "allow_insecure" in message and url in message
    assert server.requests == []  # refused before any byte was asked for
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("allow", ["exact", "base", "string"])
def test_plain_http_allowed_by_name(server, tmp_path, remote, allow):
    url = server.add("mirror/f.bin", PAYLOAD)
    allowed = {"exact": [url], "base": [server.url("mirror/")], "string": url}[allow]
    dest = download(url, tmp_path / "f.bin", size=SIZE, allow_insecure=allowed)
    assert dest.read_bytes() == PAYLOAD


def test_plain_http_is_fine_with_a_pinned_or_recorded_hash(server, tmp_path, remote):
    url = server.add("f.bin", PAYLOAD)
    dest = download(url, tmp_path / "f.bin", size=SIZE, sha256=SHA)
    dest.unlink()
    download_module._record_path(dest).write_text(f"{SHA}  f.bin\n")  # recorded on first use
    assert download(url, dest, size=SIZE).read_bytes() == PAYLOAD


def test_refused_http_mirror_is_skipped_for_the_next_one(server, tmp_path, remote):
    plain = server.add("m1/f.bin", OTHER)
    good = server.add("m2/f.bin", PAYLOAD)
    # m2 stands for an https mirror here: allowed by name, m1 is not
    dest = download([plain, good], tmp_path / "f.bin", size=SIZE, allow_insecure=[good])
    assert dest.read_bytes() == PAYLOAD
    assert server.requests_for("m1/f.bin") == []


@pytest.fixture
def https_server(tmp_path_factory, monkeypatch):
    """A local https server with a self-signed certificate that requests is told to trust."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the test's certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    with LocalHTTPServer(lifetime=60, tls=(cert, key)) as srv:
        yield srv


def test_an_https_mirror_that_redirects_to_http_is_refused(server, https_server, tmp_path, remote, monkeypatch):
    plain = server.add("swapped/f.bin", OTHER)  # what a network attacker (or a careless mirror) serves over http
    origin = https_server.add("f.bin", b"", redirect=plain)
    assert https_server.add("real.bin", PAYLOAD).startswith("https://")
    assert download(https_server.url("real.bin"), tmp_path / "real.bin", size=SIZE).read_bytes() == PAYLOAD
    # control: without the check on each hop, the https URL hands the download to plain http
    with monkeypatch.context() as patch:
        patch.setattr(download_module, "_redirect_refusal", lambda response, sha256, allowed: None)
        assert download(origin, tmp_path / "control.bin", size=SIZE).read_bytes() == OTHER
    with pytest.raises(DownloadError) as info:
        download(origin, tmp_path / "f.bin", size=SIZE)
    message = str(info.value)
    assert f"redirected from {origin} to {plain}" in message and "allow_insecure" in message
    assert _leftovers(tmp_path) == ["control.bin", "control.bin.sha256", "real.bin", "real.bin.sha256"]
    # allowed by name, the redirect is followed; with a pinned SHA-256 the bytes are checked anyway
    assert download(origin, tmp_path / "f.bin", size=SIZE, allow_insecure=[plain]).read_bytes() == OTHER
    (tmp_path / "f.bin").unlink()
    (tmp_path / "f.bin.sha256").unlink()
    with pytest.raises(IntegrityError):
        download(origin, tmp_path / "f.bin", size=SIZE, sha256=SHA)


def test_https_mirrors_are_tried_first():
    urls = ["http://a/x", "https://b/x", "http://c/x", "https://d/x"]
    assert download_module._prefer_https(urls) == ["https://b/x", "https://d/x", "http://a/x", "http://c/x"]


def test_allow_insecure_takes_only_http_urls(tmp_path):
    with pytest.raises(ValueError, match="allow_insecure"):
        download("http://127.0.0.1:1/x", tmp_path / "f", allow_insecure=["ftp://host/"])


# --------------------------------------------------------------------------- one download at a time
def test_second_process_waits_then_reuses_the_finished_file(server, tmp_path):
    url = server.add("f.bin", PAYLOAD, stall=1.0, stall_times=1)
    dest = tmp_path / "f.bin"
    results, errors = [], []

    def fetch_it():
        try:
            results.append(download(url, dest, size=SIZE, sha256=SHA))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    import threading

    threads = [threading.Thread(target=fetch_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and results == [dest, dest]
    assert dest.read_bytes() == PAYLOAD
    assert server.requests_for("f.bin") == [None]  # one download; the other waited for it
    assert _leftovers(tmp_path) == ["f.bin"]


def test_lock_held_too_long_gives_a_clear_error(server, tmp_path):
    from course_utils.plumbing.locks import file_lock

    url = server.add("f.bin", PAYLOAD)
    dest = tmp_path / "f.bin"
    with file_lock(download_module._lock_path(dest)):
        with pytest.raises(DownloadError) as info:
            download(url, dest, size=SIZE, lock_timeout=0.2)
    assert "Another process" in str(info.value) and "lock_timeout" in str(info.value)
    assert server.requests == [] and not dest.exists()

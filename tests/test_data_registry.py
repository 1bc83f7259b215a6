"""course_utils.data.registry: the dataset file table and fetch() (offline, local server only)."""

from __future__ import annotations

import hashlib
import importlib
import re
import urllib.parse

import pytest
from _http_server import LocalHTTPServer

from course_utils.data import registry
from course_utils.data.downloads import DownloadError, IntegrityError
from course_utils.data.registry import REGISTRY, DatasetFiles, RemoteFile, dataset_files, fetch

# course_utils.data.downloads is the function; the module is reached by its full name
download_module = importlib.import_module("course_utils.data.downloads")

MNIST_NAMES = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
               "t10k-labels-idx1-ubyte.gz"}


@pytest.fixture(autouse=True)
def fast_and_plain(monkeypatch):
    monkeypatch.setattr(download_module, "BACKOFF_S", 0.0)
    monkeypatch.setenv("COURSE_PROGRESS", "plain")


def test_registry_has_the_course_datasets():
    assert {"mnist", "notmnist_small", "notmnist_large"} <= set(REGISTRY)
    assert {f.name for f in REGISTRY["mnist"].files} == MNIST_NAMES


def test_every_file_has_a_check_and_real_urls():
    for entry in REGISTRY.values():
        assert entry.files and entry.checks_source
        for item in entry.files:
            assert item.size is not None or item.sha256 is not None
            if item.sha256 is not None:
                assert re.fullmatch(r"[0-9a-f]{64}", item.sha256)
            assert len(item.urls) == len(item.mirrors) >= 2
            for url in item.urls:
                parts = urllib.parse.urlsplit(url)
                assert parts.scheme in ("http", "https") and parts.netloc
                assert "\\" not in url and "//" not in parts.path
                assert url.endswith("/" + item.name)


def test_mnist_sizes_and_hashes():
    mnist = REGISTRY["mnist"]
    assert mnist.file("train-images-idx3-ubyte.gz").size == 9_912_422
    assert mnist.file("t10k-labels-idx1-ubyte.gz").size == 4_542
    assert all(f.sha256 is not None for f in mnist.files)
    assert len({f.sha256 for f in mnist.files}) == 4
    assert mnist.file("train-images-idx3-ubyte.gz").urls[0] == (
        "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz")


def test_notmnist_is_checked_by_size_and_a_recorded_hash():
    small = dataset_files("notmnist_small").file("notMNIST_small.tar.gz")
    large = dataset_files("notMNIST-large").file("notMNIST_large.tar.gz")
    assert (small.size, small.sha256) == (8_458_043, None)
    assert (large.size, large.sha256) == (247_336_696, None)
    assert any("yaroslavvb.com/upload/notMNIST/" in u for u in small.urls)
    assert any("commondatastorage.googleapis.com/books1000/" in u for u in small.urls)
    assert small.urls[0].startswith("https://")  # https first; the http mirror needs allow_insecure
    assert "first download" in REGISTRY["notmnist_small"].checks_source


def test_archives_have_limits_above_their_known_contents():
    # notMNIST_small: 18,726 files + 11 folders; notMNIST_large: 529,119 files + 11 folders
    small = dataset_files("notmnist_small").file("notMNIST_small.tar.gz")
    large = dataset_files("notmnist_large").file("notMNIST_large.tar.gz")
    assert small.max_members > 18_737 and large.max_members > 529_130
    assert small.max_bytes >= 18_726 * 4096 and large.max_bytes >= 529_119 * 3000
    assert registry.archive_limits("notMNIST_large.tar.gz") == (large.max_members, large.max_bytes)
    assert registry.archive_limits("train-images-idx3-ubyte.gz") == (None, None)


def test_every_plain_http_mirror_is_a_fallback():
    for entry in REGISTRY.values():
        for item in entry.files:
            schemes = [urllib.parse.urlsplit(u).scheme for u in item.urls]
            assert schemes[0] == "https"
            assert schemes == sorted(schemes, key=lambda s: s != "https")


def test_unknown_names_list_the_known_ones():
    with pytest.raises(KeyError, match="'mnist'"):
        dataset_files("cifar")
    with pytest.raises(KeyError, match="train-images"):
        REGISTRY["mnist"].file("nope.gz")


# --------------------------------------------------------------------------- fetch, offline
A = b"first file " * 1000
B = b"second file " * 50


@pytest.fixture
def tiny(monkeypatch):
    """A two-file dataset served by a local server whose first mirror is dead (404)."""
    with LocalHTTPServer(lifetime=60) as server:
        server.add("good/a.bin", A)
        server.add("good/b.bin", B)
        entry = DatasetFiles(
            name="tiny", description="test", checks_source="test",
            files=(RemoteFile("a.bin", len(A), hashlib.sha256(A).hexdigest(),
                              (server.url("dead/"), server.url("good/"))),
                   RemoteFile("b.bin", len(B), None, (server.url("dead/"), server.url("good/")))))
        monkeypatch.setitem(registry.REGISTRY, "tiny", entry)
        yield server


def test_fetch_downloads_every_file_then_reuses_them(tiny, tmp_path):
    paths = fetch("tiny", tmp_path / "data", progress=False)
    assert list(paths) == ["a.bin", "b.bin"]
    assert paths["a.bin"].read_bytes() == A and paths["b.bin"].read_bytes() == B
    assert paths["a.bin"].parent == tmp_path / "data"
    asked = len(tiny.requests)
    assert asked == 4  # dead mirror, then good mirror, for each file
    assert fetch("tiny", tmp_path / "data", progress=False) == paths
    assert len(tiny.requests) == asked  # verified copies reused: no network


def test_fetch_reports_a_wrong_file(tiny, tmp_path):
    tiny.add("good/b.bin", B[:-5])  # the server now has a truncated copy
    with pytest.raises(IntegrityError) as info:
        fetch("tiny", tmp_path, progress=False)
    assert info.value.expected == len(B) and info.value.actual == len(B) - 5
    assert (tmp_path / "a.bin").exists() and not (tmp_path / "b.bin").exists()


def test_fetch_offline_explains_what_to_do(tiny, tmp_path, monkeypatch):
    entry = registry.REGISTRY["tiny"]
    dead = DatasetFiles(entry.name, entry.description,
                        tuple(RemoteFile(f.name, f.size, f.sha256, (tiny.url("dead/"),)) for f in entry.files),
                        entry.checks_source)
    monkeypatch.setitem(registry.REGISTRY, "tiny", dead)
    with pytest.raises(DownloadError, match="What to try") as info:
        fetch("tiny", tmp_path, progress=False)
    assert str(tmp_path / "a.bin") in str(info.value)


def test_fetch_records_the_hash_of_a_file_without_one(tiny, tmp_path, capsys):
    paths = fetch("tiny", tmp_path, progress=None)
    assert (tmp_path / "b.bin.sha256").read_text().split()[0] == hashlib.sha256(B).hexdigest()
    assert not (tmp_path / "a.bin.sha256").exists()  # a.bin has a pinned hash
    assert hashlib.sha256(B).hexdigest() in capsys.readouterr().out
    assert paths["b.bin"].read_bytes() == B


def test_fetch_skips_a_plain_http_mirror_unless_allowed(tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(download_module, "_is_local_host", lambda host: False)  # as if it were remote
    with pytest.raises(DownloadError, match="allow_insecure") as info:
        fetch("tiny", tmp_path, progress=False)
    assert (tmp_path / "a.bin").exists()  # pinned hash: plain http is fine
    assert not (tmp_path / "b.bin").exists() and str(tmp_path / "b.bin") in str(info.value)
    paths = fetch("tiny", tmp_path, progress=False, allow_insecure=[tiny.url("good/")])
    assert paths["b.bin"].read_bytes() == B

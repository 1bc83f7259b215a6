"""course_utils.data.extract_archive: atomic, idempotent, refuses hostile entries, clear errors."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from course_utils.data import archive as archive_module
from course_utils.data.archive import ArchiveError, UnsafeArchiveError, extract_archive

FILES = {"top/A/one.png": b"first file", "top/B/two.png": b"second" * 100, "top/readme.txt": b"hello"}


@pytest.fixture(params=[True, False], ids=["data_filter", "fallback"])
def filter_mode(request, monkeypatch):
    """Run a test with tarfile's own data filter and with the hand-written checks alone."""
    if request.param and not hasattr(tarfile, "data_filter"):
        pytest.skip("this Python has no tarfile.data_filter")
    monkeypatch.setattr(archive_module, "_HAS_DATA_FILTER", request.param)
    return request.param


# --------------------------------------------------------------------------- archive builders
def _info(name, kind=tarfile.REGTYPE, size=0, linkname="", mode=0o644):
    info = tarfile.TarInfo(name)
    info.type, info.size, info.linkname, info.mode = kind, size, linkname, mode
    return info


def make_tar(path: Path, entries, mode="w:gz") -> Path:
    """entries: (name, bytes) for files, or a ready TarInfo for anything else."""
    with tarfile.open(path, mode, format=tarfile.GNU_FORMAT) as tar:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                tar.addfile(entry)
            else:
                name, data = entry
                tar.addfile(_info(name, size=len(data)), io.BytesIO(data))
    return path


def make_zip(path: Path, entries) -> Path:
    """entries: (name, bytes) for files, or (ZipInfo, bytes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def _zip_special(name, unix_mode, data=b""):
    info = zipfile.ZipInfo(name)
    info.external_attr = unix_mode << 16
    return info, data


def _sibling_names(dest: Path):
    return sorted(p.name for p in dest.parent.iterdir())


def _assert_nothing_extracted(tmp_path: Path, dest: Path, archive: Path):
    assert not dest.exists()
    # no temporary folder left beside dest, nothing else written
    assert _sibling_names(dest) == sorted([archive.name, "outside"])
    assert list((tmp_path / "outside").iterdir()) == []


@pytest.fixture
def work(tmp_path):
    """tmp_path/outside is an empty folder that an attack would try to write into."""
    (tmp_path / "outside").mkdir()
    return tmp_path


# --------------------------------------------------------------------------- good archives
@pytest.mark.parametrize("suffix,mode", [(".tar.gz", "w:gz"), (".tgz", "w:gz"), (".tar", "w")])
def test_tar_extracts_completely(work, filter_mode, suffix, mode):
    entries = list(FILES.items()) + [_info("top/link.txt", tarfile.SYMTYPE, linkname="readme.txt"),
                                     _info("top/hard.txt", tarfile.LNKTYPE, linkname="top/readme.txt")]
    archive = make_tar(work / f"data{suffix}", entries, mode)
    dest = work / "extracted"
    assert extract_archive(archive, dest) == dest
    for name, data in FILES.items():
        assert (dest / name).read_bytes() == data
    assert (dest / "top/link.txt").is_symlink() and (dest / "top/link.txt").read_bytes() == b"hello"
    assert (dest / "top/hard.txt").read_bytes() == b"hello"
    assert _sibling_names(dest) == sorted([archive.name, "extracted", "outside"])  # temp folder renamed


def test_zip_extracts_completely(work):
    archive = make_zip(work / "data.zip", list(FILES.items()) + [("top/empty/", b"")])
    dest = extract_archive(archive, work / "extracted")
    for name, data in FILES.items():
        assert (dest / name).read_bytes() == data
    assert (dest / "top/empty").is_dir()


def test_second_call_reuses_the_finished_folder(work, monkeypatch):
    archive = make_tar(work / "data.tar.gz", FILES.items())
    dest = extract_archive(archive, work / "extracted")
    (dest / "top/readme.txt").write_bytes(b"edited")

    def fail(*args):
        raise AssertionError("extracted again")

    monkeypatch.setattr(archive_module, "_extract_tar", fail)
    assert extract_archive(archive, dest) == dest
    assert (dest / "top/readme.txt").read_bytes() == b"edited"


def test_empty_dest_folder_is_filled(work):
    archive = make_tar(work / "data.tar.gz", FILES.items())
    dest = work / "extracted"
    dest.mkdir()
    extract_archive(archive, dest)
    assert (dest / "top/readme.txt").read_bytes() == b"hello"


def test_dangerous_modes_are_cleared(work, filter_mode):
    archive = make_tar(work / "m.tar", [_info("setuid", size=0, mode=0o4777), _info("dir/", tarfile.DIRTYPE, mode=0o777)],
                       "w")
    dest = extract_archive(archive, work / "x")
    file_mode = stat.S_IMODE((dest / "setuid").stat().st_mode)
    assert not file_mode & (stat.S_ISUID | stat.S_IWGRP | stat.S_IWOTH)
    assert not stat.S_IMODE((dest / "dir").stat().st_mode) & stat.S_IWOTH


# --------------------------------------------------------------------------- hostile tar entries
HOSTILE_TAR = {
    "absolute": ([("/abs/evil.txt", b"x")], "/abs/evil.txt", "absolute path"),
    "dotdot": ([("../outside/evil.txt", b"x")], "../outside/evil.txt", "'..'"),
    "dotdot-inside": ([("top/../../outside/evil.txt", b"x")], "top/../../outside/evil.txt", "'..'"),
    "symlink-absolute": ([_info("top/passwd", tarfile.SYMTYPE, linkname="/etc/passwd")], "top/passwd",
                         "absolute path"),
    "symlink-outside": ([_info("top/out", tarfile.SYMTYPE, linkname="../../outside")], "top/out",
                        "pointing outside"),
    "hardlink-outside": ([_info("hard", tarfile.LNKTYPE, linkname="../outside/x")], "hard", "outside"),
    "char-device": ([_info("dev/null", tarfile.CHRTYPE)], "dev/null", "device file"),
    "block-device": ([_info("dev/sda", tarfile.BLKTYPE)], "dev/sda", "device file"),
    "fifo": ([_info("pipe", tarfile.FIFOTYPE)], "pipe", "FIFO"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_TAR))
def test_hostile_tar_entries_are_refused_before_writing(work, filter_mode, case):
    entries, entry_name, reason = HOSTILE_TAR[case]
    # a harmless file first: it must not be left behind either
    archive = make_tar(work / "evil.tar.gz", [("top/ok.txt", b"fine")] + entries)
    dest = work / "extracted"
    with pytest.raises(UnsafeArchiveError) as info:
        extract_archive(archive, dest)
    assert info.value.entry == entry_name
    assert repr(entry_name) in str(info.value) and reason in str(info.value)
    assert "download it again" in str(info.value)
    _assert_nothing_extracted(work, dest, archive)


def test_link_chain_escape_is_caught_at_write_time(work, filter_mode):
    # Each entry looks harmless on its own: 'd' -> 'e/..' and 'e' -> 'f' stay inside. Then 'e' is
    # replaced by a link to '.', so 'd' now resolves to the parent of the destination, and the
    # file 'd/outside/evil.txt' would land in work/outside.
    entries = [_info("e", tarfile.SYMTYPE, linkname="f"), ("f/keep", b"k"),
               _info("d", tarfile.SYMTYPE, linkname="e/.."),
               _info("e", tarfile.SYMTYPE, linkname="."),
               ("d/outside/evil.txt", b"x")]
    archive = make_tar(work / "chain.tar", entries, "w")
    dest = work / "extracted"
    with pytest.raises(UnsafeArchiveError) as info:
        extract_archive(archive, dest)
    assert info.value.entry in ("d/outside/evil.txt", "e")
    _assert_nothing_extracted(work, dest, archive)


# --------------------------------------------------------------------------- hostile zip entries
HOSTILE_ZIP = {
    "absolute": ([("/abs/evil.txt", b"x")], "/abs/evil.txt", "absolute path"),
    "dotdot": ([("../outside/evil.txt", b"x")], "../outside/evil.txt", "'..'"),
    "windows-dotdot": ([("..\\outside\\evil.txt", b"x")], "..\\outside\\evil.txt", "'..'"),
    "drive": ([("C:/evil.txt", b"x")], "C:/evil.txt", "absolute path"),
    "symlink-outside": ([_zip_special("top/out", stat.S_IFLNK | 0o777, b"../../outside")], "top/out",
                        "pointing outside"),
    "symlink-absolute": ([_zip_special("top/pw", stat.S_IFLNK | 0o777, b"/etc/passwd")], "top/pw",
                         "absolute path"),
    "char-device": ([_zip_special("dev/null", stat.S_IFCHR | 0o666)], "dev/null", "device file"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_ZIP))
def test_hostile_zip_entries_are_refused_before_writing(work, case):
    entries, entry_name, reason = HOSTILE_ZIP[case]
    archive = make_zip(work / "evil.zip", [("top/ok.txt", b"fine")] + entries)
    dest = work / "extracted"
    with pytest.raises(UnsafeArchiveError) as info:
        extract_archive(archive, dest)
    assert info.value.entry == entry_name
    assert reason in str(info.value)
    _assert_nothing_extracted(work, dest, archive)


def test_zip_symlink_inside_is_created(work):
    archive = make_zip(work / "l.zip", [("top/a.txt", b"A"), _zip_special("top/b.txt", stat.S_IFLNK | 0o777, b"a.txt")])
    dest = extract_archive(archive, work / "x")
    assert (dest / "top/b.txt").is_symlink() and (dest / "top/b.txt").read_bytes() == b"A"


# --------------------------------------------------------------------------- damaged archives
def _big_tar_gz(path: Path) -> bytes:
    rng = __import__("random").Random(0)
    files = [(f"top/{i}.bin", rng.randbytes(20_000)) for i in range(5)]  # incompressible
    make_tar(path, files)
    return path.read_bytes()


@pytest.mark.parametrize("keep", [0.3, 0.9, 0.999])
def test_truncated_tar_gz_is_reported_and_leaves_nothing(work, filter_mode, keep):
    archive = work / "cut.tar.gz"
    data = _big_tar_gz(archive)
    archive.write_bytes(data[: int(len(data) * keep)])
    dest = work / "extracted"
    with pytest.raises(ArchiveError, match="truncated or corrupt") as info:
        extract_archive(archive, dest)
    assert "download it again" in str(info.value)
    _assert_nothing_extracted(work, dest, archive)


def test_corrupt_tar_gz_is_reported(work):
    archive = work / "bad.tar.gz"
    data = bytearray(_big_tar_gz(archive))
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="truncated or corrupt"):
        extract_archive(archive, work / "extracted")
    _assert_nothing_extracted(work, work / "extracted", archive)


def test_plain_tar_cut_at_a_member_boundary_is_reported(work):
    archive = make_tar(work / "cut.tar", FILES.items(), "w")
    with tarfile.open(archive) as tar:
        last = tar.getmembers()[-1]
        end_of_data = last.offset_data + ((last.size + 511) // 512) * 512
    with archive.open("r+b") as fh:
        fh.truncate(end_of_data)  # every member is whole, but the end-of-archive marker is gone
    with pytest.raises(ArchiveError, match="ends early"):
        extract_archive(archive, work / "extracted")
    _assert_nothing_extracted(work, work / "extracted", archive)


def test_truncated_zip_is_reported(work):
    archive = make_zip(work / "cut.zip", FILES.items())
    archive.write_bytes(archive.read_bytes()[:-30])
    with pytest.raises(ArchiveError, match="truncated or corrupt"):
        extract_archive(archive, work / "extracted")
    _assert_nothing_extracted(work, work / "extracted", archive)


def test_zip_with_bad_crc_is_reported(work):
    archive = work / "crc.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("top/a.txt", b"A" * 1000)
    data = bytearray(archive.read_bytes())
    data[data.index(b"A" * 1000) + 500] = ord("B")
    archive.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="truncated or corrupt"):
        extract_archive(archive, work / "extracted")
    _assert_nothing_extracted(work, work / "extracted", archive)


def test_missing_and_unsupported_archives(work):
    with pytest.raises(FileNotFoundError, match="Download it first"):
        extract_archive(work / "missing.tar.gz", work / "x")
    rar = work / "data.rar"
    rar.write_bytes(b"Rar!")
    with pytest.raises(ArchiveError, match="supported are"):
        extract_archive(rar, work / "x")
    assert not (work / "x").exists()


def test_dest_that_is_a_file_is_refused(work):
    archive = make_tar(work / "data.tar.gz", FILES.items())
    target = work / "x"
    target.write_bytes(b"")
    with pytest.raises(ArchiveError, match="is a file"):
        extract_archive(archive, target)


def test_interrupted_extraction_leaves_no_dest(work, monkeypatch):
    archive = make_tar(work / "data.tar.gz", FILES.items())
    real = tarfile.TarFile.extractall

    def interrupted(self, path, *args, **kwargs):
        real(self, path, *args, **kwargs)
        raise KeyboardInterrupt  # e.g. the user stops the cell after the files are written

    monkeypatch.setattr(tarfile.TarFile, "extractall", interrupted)
    monkeypatch.setattr(archive_module, "_HAS_DATA_FILTER", hasattr(tarfile, "data_filter"))
    if not archive_module._HAS_DATA_FILTER:
        pytest.skip("this Python extracts member by member")
    with pytest.raises(KeyboardInterrupt):
        extract_archive(archive, work / "extracted")
    _assert_nothing_extracted(work, work / "extracted", archive)
    monkeypatch.undo()
    assert (extract_archive(archive, work / "extracted") / "top/readme.txt").read_bytes() == b"hello"
    assert os.path.isdir(work / "extracted")

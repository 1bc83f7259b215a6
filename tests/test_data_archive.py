"""course_utils.data.extract_archive: atomic, idempotent, refuses hostile entries, clear errors."""

from __future__ import annotations

import io
import os
import posixpath
import stat
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from course_utils.data import archive as archive_module
from course_utils.data.archive import ArchiveError, UnsafeArchiveError, extract_archive

FILES = {"top/A/one.png": b"first file", "top/B/two.png": b"second" * 100, "top/readme.txt": b"hello"}


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


def _assert_nothing_extracted(tmp_path: Path, dest: Path, archive: Path, *others: str):
    assert not dest.exists()
    # no temporary folder or lock file left beside dest, nothing else written
    assert _sibling_names(dest) == sorted([archive.name, "outside", *others])
    assert list((tmp_path / "outside").iterdir()) == []


@pytest.fixture
def work(tmp_path):
    """tmp_path/outside is an empty folder that an attack would try to write into."""
    (tmp_path / "outside").mkdir()
    return tmp_path


# --------------------------------------------------------------------------- good archives
@pytest.mark.parametrize("suffix,mode", [(".tar.gz", "w:gz"), (".tgz", "w:gz"), (".tar", "w")])
def test_tar_extracts_completely(work, suffix, mode):
    entries = list(FILES.items()) + [_info("top/C/", tarfile.DIRTYPE, mode=0o755)]
    archive = make_tar(work / f"data{suffix}", entries, mode)
    dest = work / "extracted"
    assert extract_archive(archive, dest) == dest
    for name, data in FILES.items():
        assert (dest / name).read_bytes() == data
    assert (dest / "top/C").is_dir()
    assert _sibling_names(dest) == sorted([archive.name, "extracted", "outside"])  # temp folder renamed


def test_hard_links_are_copies_of_earlier_entries_when_allowed(work):
    entries = list(FILES.items()) + [_info("top/hard.txt", tarfile.LNKTYPE, linkname="top/readme.txt"),
                                     _info("top/chain.txt", tarfile.LNKTYPE, linkname="./top/hard.txt")]
    archive = make_tar(work / "links.tar", entries, "w")
    with pytest.raises(UnsafeArchiveError, match="allow_hardlinks=True") as info:
        extract_archive(archive, work / "extracted")  # refused by default
    assert info.value.entry == "top/hard.txt" and "hard link" in info.value.reason
    _assert_nothing_extracted(work, work / "extracted", archive)
    dest = extract_archive(archive, work / "extracted", allow_hardlinks=True)
    for name in ("top/hard.txt", "top/chain.txt"):
        assert (dest / name).read_bytes() == b"hello"
        assert (dest / name).stat().st_nlink == 1  # a copy: nothing links to any file, inside or out


def test_hard_link_to_a_later_or_missing_entry_is_refused(work):
    # tarfile would look such a target up on the file system; here it must be an earlier entry
    entries = [_info("top/hard.txt", tarfile.LNKTYPE, linkname="top/readme.txt"), ("top/readme.txt", b"x")]
    archive = make_tar(work / "links.tar", entries, "w")
    with pytest.raises(UnsafeArchiveError, match="not a regular file earlier in this archive"):
        extract_archive(archive, work / "extracted", allow_hardlinks=True)
    _assert_nothing_extracted(work, work / "extracted", archive)


def test_symbolic_links_are_refused_even_inside(work):
    entries = list(FILES.items()) + [_info("top/link.txt", tarfile.SYMTYPE, linkname="readme.txt")]
    archive = make_tar(work / "links.tar.gz", entries)
    with pytest.raises(UnsafeArchiveError) as info:
        extract_archive(archive, work / "extracted", allow_hardlinks=True)
    assert info.value.entry == "top/link.txt"
    assert "symbolic link ('readme.txt')" in str(info.value) and "download it again" in str(info.value)
    _assert_nothing_extracted(work, work / "extracted", archive)


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


def test_dangerous_modes_are_cleared(work):
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
def test_hostile_tar_entries_are_refused_before_writing(work, case):
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


def test_link_chain_escape_is_caught_at_write_time(work):
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


def test_zip_symlink_inside_is_refused(work):
    archive = make_zip(work / "l.zip", [("top/a.txt", b"A"), _zip_special("top/b.txt", stat.S_IFLNK | 0o777, b"a.txt")])
    with pytest.raises(UnsafeArchiveError, match="symbolic link") as info:
        extract_archive(archive, work / "x")
    assert info.value.entry == "top/b.txt"
    _assert_nothing_extracted(work, work / "x", archive)


# --------------------------------------------------------------------------- damaged archives
def _big_tar_gz(path: Path) -> bytes:
    rng = __import__("random").Random(0)
    files = [(f"top/{i}.bin", rng.randbytes(20_000)) for i in range(5)]  # incompressible
    make_tar(path, files)
    return path.read_bytes()


@pytest.mark.parametrize("keep", [0.3, 0.9, 0.999])
def test_truncated_tar_gz_is_reported_and_leaves_nothing(work, keep):
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
    real = archive_module._write_plan

    def interrupted(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt  # e.g. the user stops the cell after the files are written

    monkeypatch.setattr(archive_module, "_write_plan", interrupted)
    with pytest.raises(KeyboardInterrupt):
        extract_archive(archive, work / "extracted")
    _assert_nothing_extracted(work, work / "extracted", archive)
    monkeypatch.undo()
    assert (extract_archive(archive, work / "extracted") / "top/readme.txt").read_bytes() == b"hello"
    assert os.path.isdir(work / "extracted")


# --------------------------------------------------------------------------- CVE-2025-4517
def make_cve_2025_4517_tar(path: Path, flag_content: bytes = b"overwritten\n") -> Path:
    """A tar shaped like the public proof of concept of CVE-2025-4517 (built here, in memory).

    16 nested folders with long names, each with a one-letter symbolic link to it, so that the
    link path ``a/b/.../p/lll...`` is short but its real path overflows PATH_MAX; that link points
    back up to the top; ``escape`` goes through it and one more ``..``, i.e. to the folder that
    holds the extraction folder. Then a hard link ``flaglink -> escape/flag``, a regular file
    ``flaglink`` (written through the hard link onto the real ``flag``) and ``escape/newfile``.
    Each entry passes name checks on its own, and ``os.path.realpath`` gives up silently on the
    overlong path, which is how tarfile's data filter was bypassed before 3.11.13/3.12.11/3.13.4.
    """
    component = "d" * 247
    steps = "abcdefghijklmnop"
    entries = []
    folder = ""
    for step in steps:
        entries.append(_info(posixpath.join(folder, component), tarfile.DIRTYPE, mode=0o755))
        entries.append(_info(posixpath.join(folder, step), tarfile.SYMTYPE, linkname=component))
        folder = posixpath.join(folder, component)
    linkpath = posixpath.join(*steps, "l" * 254)
    entries.append(_info(linkpath, tarfile.SYMTYPE, linkname="../" * len(steps)))
    entries.append(_info("escape", tarfile.SYMTYPE, linkname=linkpath + "/.."))
    entries.append(_info("flaglink", tarfile.LNKTYPE, linkname="escape/flag"))
    entries.append(("flaglink", flag_content))
    entries.append(("escape/newfile", b"new\n"))
    return make_tar(path, entries, "w")


@pytest.mark.parametrize("allow_hardlinks", [False, True])
def test_cve_2025_4517_archive_writes_nothing_outside(work, allow_hardlinks):
    scene = work / "scene"  # dest and the archive live here; 'flag' is the file beside dest
    scene.mkdir()
    flag = scene / "flag"
    flag.write_bytes(b"original\n")
    archive = make_cve_2025_4517_tar(scene / "poc.tar")
    dest = scene / "extracted"
    with pytest.raises(UnsafeArchiveError) as info:
        extract_archive(archive, dest, allow_hardlinks=allow_hardlinks)
    message = str(info.value)
    assert "symbolic link" in message and repr(info.value.entry) in message  # names the entry and why
    assert "Nothing was extracted" in message and "download it again" in message
    assert flag.read_bytes() == b"original\n"  # the existing sibling file is unchanged
    assert sorted(p.name for p in scene.iterdir()) == ["flag", "poc.tar"]  # no newfile, no dest, no temp
    assert list((work / "outside").iterdir()) == []


def test_cve_2025_4517_archive_really_escapes_an_unpatched_data_filter(tmp_path):
    """The test archive is the real thing: on an unpatched Python, tarfile's data filter lets it out."""
    if not hasattr(tarfile, "data_filter"):
        pytest.skip("this Python has no tarfile data filter")
    scene = tmp_path / "scene"
    (scene / "x").mkdir(parents=True)
    (scene / "flag").write_bytes(b"original\n")
    archive = make_cve_2025_4517_tar(tmp_path / "poc.tar")
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(scene / "x", filter="data")
    except (tarfile.FilterError, OSError):
        pytest.skip("this Python's tarfile refuses the archive itself (CVE-2025-4517 fixed here)")
    escaped = (scene / "flag").read_bytes() != b"original\n" or (scene / "newfile").exists()
    assert escaped, "the archive did not reproduce the escape on this Python"


# --------------------------------------------------------------------------- paths that cannot be resolved
LONG_NAME = "/".join(["n" * 250] * 20) + "/file.txt"  # about 5,000 characters: more than PATH_MAX


def test_tar_path_too_long_is_refused_not_a_raw_oserror(work):
    archive = make_tar(work / "long.tar", [("top/ok.txt", b"fine"), (LONG_NAME, b"x")], "w")
    with pytest.raises(UnsafeArchiveError) as info:
        extract_archive(archive, work / "extracted")
    assert info.value.entry == LONG_NAME and "too long" in info.value.reason
    _assert_nothing_extracted(work, work / "extracted", archive)


def test_zip_path_too_long_is_refused_not_a_raw_oserror(work):
    archive = make_zip(work / "long.zip", [("top/ok.txt", b"fine"), (LONG_NAME, b"x")])
    with pytest.raises(UnsafeArchiveError) as info:
        extract_archive(archive, work / "extracted")
    assert info.value.entry == LONG_NAME and "too long" in info.value.reason
    _assert_nothing_extracted(work, work / "extracted", archive)


@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_file_where_a_folder_should_be_is_refused(work, kind):
    entries = [("top/a", b"a file"), ("top/a/b.txt", b"under it")]
    archive = make_tar(work / "clash.tar", entries, "w") if kind == "tar" else make_zip(work / "clash.zip", entries)
    with pytest.raises(UnsafeArchiveError, match="clash") as info:
        extract_archive(archive, work / "extracted")
    assert info.value.entry == "top/a/b.txt"
    _assert_nothing_extracted(work, work / "extracted", archive)


def test_a_folder_that_resolves_elsewhere_is_refused_while_writing(work):
    # second line of defence: no link is ever extracted, but if one were there, writing stops
    root = work / "root"
    root.mkdir()
    os.symlink(work / "outside", root / "sneaky")
    with pytest.raises(UnsafeArchiveError, match="clashes with a file or link"):
        archive_module._make_folders(str(root), "sneaky/sub", work / "a.tar", "sneaky/sub/x")
    assert list((work / "outside").iterdir()) == []


# --------------------------------------------------------------------------- limits (decompression bombs)
@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_too_many_entries_is_refused_with_how_to_raise_the_limit(work, kind):
    entries = [(f"top/{i}.txt", b"x") for i in range(6)]
    archive = make_tar(work / "many.tar", entries, "w") if kind == "tar" else make_zip(work / "many.zip", entries)
    with pytest.raises(UnsafeArchiveError) as info:
        extract_archive(archive, work / "extracted", max_members=5)
    err = info.value
    assert err.limit == "max_members" and err.entry == "top/5.txt"
    assert "max_members=5" in str(err) and "extract_archive(archive, dest, max_members=" in str(err)
    _assert_nothing_extracted(work, work / "extracted", archive)
    assert extract_archive(archive, work / "extracted", max_members=6).is_dir()


@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_too_many_bytes_is_refused_before_writing(work, kind):
    bomb = b"\0" * 20_000_000  # 20 MB of zeros compress to a few kB
    entries = [("top/ok.txt", b"fine"), ("top/zeros.bin", bomb)]
    if kind == "tar":
        archive = make_tar(work / "bomb.tar.gz", entries)
    else:
        archive = make_zip(work / "bomb.zip", entries)
    assert archive.stat().st_size < 200_000
    with pytest.raises(UnsafeArchiveError) as info:
        extract_archive(archive, work / "extracted", max_bytes=1_000_000)
    err = info.value
    assert err.limit == "max_bytes" and err.entry == "top/zeros.bin"
    assert "max_bytes=1,000,000" in str(err) and "extract_archive(archive, dest, max_bytes=" in str(err)
    _assert_nothing_extracted(work, work / "extracted", archive)


def test_bytes_are_counted_while_writing_too(work, monkeypatch):
    # a header that understates its size (as a hostile zip could) is caught while copying
    archive = make_tar(work / "data.tar", [("top/a.bin", b"a" * 3000), ("top/b.bin", b"b" * 3000)], "w")
    limits = archive_module._Limits(archive, 10, 5000)
    monkeypatch.setattr(archive_module, "_limits_for", lambda *args: limits)
    monkeypatch.setattr(limits, "bytes", lambda total, entry: None)  # the scan lets it through...
    real = archive_module._Limits.bytes
    calls = []

    def counting(total, entry):
        calls.append(total)
        real(limits, total, entry)

    original_copy = archive_module._copy

    def copy(*args):
        monkeypatch.setattr(limits, "bytes", counting)  # ...the writer does not
        return original_copy(*args)

    monkeypatch.setattr(archive_module, "_copy", copy)
    with pytest.raises(UnsafeArchiveError, match="max_bytes=5,000"):
        extract_archive(archive, work / "extracted")
    assert calls[-1] == 6000
    _assert_nothing_extracted(work, work / "extracted", archive)


def test_limits_default_to_what_the_registry_knows(work, monkeypatch):
    from course_utils.data import registry

    entry = registry.DatasetFiles("tiny", "test", (registry.RemoteFile(
        "tiny.tar.gz", 1, None, ("https://example.org/",), max_members=2, max_bytes=10_000),), "test")
    monkeypatch.setitem(registry.REGISTRY, "tiny", entry)
    archive = make_tar(work / "tiny.tar.gz", [("a", b"1"), ("b", b"2"), ("c", b"3")])
    with pytest.raises(UnsafeArchiveError, match="max_members=2"):
        extract_archive(archive, work / "extracted")
    _assert_nothing_extracted(work, work / "extracted", archive)
    assert extract_archive(archive, work / "extracted", max_members=3).is_dir()  # explicit wins


def test_registry_limits_fit_the_embedded_notmnist_sample(tmp_path):
    from course_utils.data.registry import archive_limits

    assert archive_limits("notMNIST_small.tar.gz") == (25_000, 100_000_000)
    assert archive_limits("notMNIST_large.tar.gz") == (600_000, 2_000_000_000)
    assert archive_limits("unknown.tar.gz") == (None, None)
    sample = Path(__file__).resolve().parent.parent / "data" / "embedded" / "notMNIST_small.tar.gz"
    dest = extract_archive(sample, tmp_path / "sample")  # same file name: gets the registry's limits
    assert (dest / "notMNIST_small" / "A").is_dir()


# --------------------------------------------------------------------------- lock and leftovers
def test_extraction_waits_for_another_process_and_says_so(work):
    from course_utils.plumbing.locks import file_lock

    archive = make_tar(work / "data.tar.gz", FILES.items())
    dest = work / "extracted"
    with file_lock(work / ".extracted.lock"):
        with pytest.raises(ArchiveError, match="Another process") as info:
            extract_archive(archive, dest, lock_timeout=0.2)
    assert "lock_timeout" in str(info.value)
    _assert_nothing_extracted(work, dest, archive)


def test_stale_temporary_folders_are_removed(work):
    archive = make_tar(work / "data.tar.gz", FILES.items())
    old = work / ".extracted.extracting-killed"
    (old / "top").mkdir(parents=True)
    long_ago = time.time() - 2 * archive_module.STALE_AFTER_S
    os.utime(old, (long_ago, long_ago))
    recent = work / ".extracted.extracting-running"
    recent.mkdir()
    other = work / ".elsewhere.extracting-killed"  # another dest's: not ours to judge
    other.mkdir()
    os.utime(other, (long_ago, long_ago))
    extract_archive(archive, work / "extracted")
    assert not old.exists() and recent.exists() and other.exists()


def test_encrypted_zip_entry_is_a_clear_error(work):
    archive = make_zip(work / "locked.zip", [("top/a.txt", b"A")])
    data = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set the 'encrypted' flag bit
        at = data.index(signature) + offset
        data[at] |= 0x1
    archive.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="encrypted"):
        extract_archive(archive, work / "extracted")
    _assert_nothing_extracted(work, work / "extracted", archive)


# --------------------------------------------------------------------------- headers too large to read
def _raw_header(name: str, kind: bytes, size: int) -> bytes:
    """One 512-byte tar header block claiming ``size`` bytes of data (checksum filled in)."""
    info = tarfile.TarInfo(name)
    info.type, info.size = kind, size
    return info.tobuf(format=tarfile.USTAR_FORMAT)


def _header_bomb(path: Path, kind: bytes, claimed: int, real: int) -> Path:
    """A .tar.gz whose first header (a long name or pax header) says ``claimed`` bytes follow, and
    ``real`` bytes (zeros: they compress to almost nothing) really do."""
    import gzip

    with gzip.open(path, "wb") as out:
        out.write(_raw_header("././@LongLink" if kind in (b"L", b"K") else "pax", kind, claimed))
        for _ in range(real // (1 << 20)):
            out.write(bytes(1 << 20))
    return path


@pytest.mark.parametrize("kind", [b"L", b"K", b"x", b"g"])
def test_a_tar_header_larger_than_the_cap_is_refused_before_it_is_read(work, kind):
    claimed = 64 * 1024**2
    archive = _header_bomb(work / "bomb.tar.gz", kind, claimed, claimed)
    # control: tarfile itself reads the whole header into memory before it looks at it
    import tracemalloc

    tracemalloc.start()
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.next()
    except tarfile.TarError:
        pass  # what it read was not a valid name or pax record; it was read all the same
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak > claimed, f"control: tarfile read {peak:,} bytes"
    dest = work / "extracted"
    with pytest.raises(UnsafeArchiveError) as info:
        extract_archive(archive, dest)
    message = str(info.value)
    assert "header at byte 0" in message and f"{claimed:,} bytes" in message and "MAX_HEADER_BYTES" in message
    _assert_nothing_extracted(work, dest, archive)


def test_headers_at_the_cap_are_read_and_global_ones_add_up(work, monkeypatch):
    monkeypatch.setattr(archive_module, "MAX_HEADER_BYTES", 2048)
    long_name = "top/" + "/".join(["d" * 100] * 14) + "/f.png"  # a GNU long name of ~1.4 KB: fine
    archive = make_tar(work / "long.tar.gz", [(long_name, b"data")])
    assert (extract_archive(archive, work / "a") / long_name).read_bytes() == b"data"
    once = work / "once.tar"
    with tarfile.open(once, "w", format=tarfile.PAX_FORMAT, pax_headers={"comment": "c" * 1500}) as tar:
        tar.addfile(_info("top/x.png", size=1), io.BytesIO(b"x"))
    assert (extract_archive(once, work / "b") / "top" / "x.png").read_bytes() == b"x"
    raw = once.read_bytes()
    header = tarfile.TarInfo.frombuf(raw[:512], "utf-8", "surrogateescape")
    assert header.type == tarfile.XGLTYPE
    block = 512 + -(-header.size // 512) * 512  # the global header and its data, padded
    twice = work / "twice.tar"  # the same global header twice: 3 KB kept together, over the cap
    twice.write_bytes(raw[:block] + raw)
    with pytest.raises(UnsafeArchiveError, match="global pax header"):
        extract_archive(twice, work / "c")


def test_gnu_sparse_files_are_refused(work):
    sparse = _info("top/sparse.bin", kind=tarfile.GNUTYPE_SPARSE, size=0)
    archive = make_tar(work / "sparse.tar", [sparse], mode="w")
    dest = work / "extracted"
    with pytest.raises(UnsafeArchiveError, match="sparse"):
        extract_archive(archive, dest)
    _assert_nothing_extracted(work, dest, archive)

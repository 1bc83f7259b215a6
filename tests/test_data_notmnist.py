"""The NotMNIST dataset on small generated archives: bad files, cache, font split, sources, batches."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch

from course_tools.reference import notmnist as nm
from course_tools.reference.notmnist import NotMNIST, font_of, split_codes
from course_tools.synth import NotMNISTSpec, write_notmnist_archive
from course_utils.data.loader import BatchLoader

SPEC = NotMNISTSpec(folder="notMNIST_small", counts=(12,) * 9 + (11,),
                    bad=(("A", "empty"), ("B", "invalid"), ("D", "size")), seed=5)


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("src") / "notMNIST_small.tar.gz"
    write_notmnist_archive(path, SPEC, workers=1)
    return path


@pytest.fixture
def root_with_archive(tmp_path, archive) -> Path:
    root = tmp_path / "with_archive"
    root.mkdir()
    shutil.copy(archive, root / archive.name)
    return root


@pytest.fixture
def root_with_folder(tmp_path, archive) -> Path:
    root = tmp_path / "with_folder"
    with tarfile.open(archive) as tar:
        tar.extractall(root, filter="data")
    return root


def test_from_archive_skips_and_reports_bad_files(root_with_archive):
    data = NotMNIST(root_with_archive, split="all", verbose=False)
    assert len(data) == sum(SPEC.counts) == 119
    reasons = {path.split("/")[0]: reason for path, reason in data.bad_files}
    assert set(reasons) == {"A", "B", "D"}
    assert reasons["A"] == "empty file (0 bytes)"
    assert reasons["B"].startswith("not a readable PNG")
    assert reasons["D"] == "size 30x30, expected 28x28"
    assert torch.bincount(data.targets).tolist() == list(SPEC.counts)
    assert data.classes == list("ABCDEFGHIJ")
    assert not list(root_with_archive.glob("notMNIST_small/*")), "nothing may be extracted to disk"
    assert sorted(p.name for p in root_with_archive.iterdir()) == ["notMNIST_small.cache", "notMNIST_small.tar.gz"]


def test_build_prints_counts_and_bad_files(root_with_archive, capsys):
    NotMNIST(root_with_archive)
    out = capsys.readouterr().out
    assert "Building the notMNIST_small cache" in out and "skipped 3 bad file(s)" in out
    NotMNIST(root_with_archive)
    assert capsys.readouterr().out == "", "loading a cache prints nothing"


def test_second_construction_uses_the_cache(root_with_archive, monkeypatch):
    first = NotMNIST(root_with_archive, split="all", verbose=False)

    def must_not_build(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(nm, "build_cache_from_archive", must_not_build)
    monkeypatch.setattr(nm, "build_cache_from_folder", must_not_build)
    second = NotMNIST(root_with_archive, split="all")
    assert second.bad_files == first.bad_files
    assert torch.equal(second.get_batch(range(len(second)))[0], first.get_batch(range(len(first)))[0])
    with pytest.raises(AssertionError, match="cache should"):
        NotMNIST(root_with_archive, rebuild=True)


def test_folder_and_archive_give_identical_data(root_with_folder, root_with_archive, monkeypatch):
    monkeypatch.setattr(nm, "_PARALLEL_FROM", 0)  # use the worker pool even for this tiny set
    from_folder = NotMNIST(root_with_folder, split="all", num_workers=2, verbose=False)
    from_archive = NotMNIST(root_with_archive, split="all", verbose=False)
    assert [from_folder.path_of(i) for i in range(len(from_folder))] == \
           [from_archive.path_of(i) for i in range(len(from_archive))]
    everything = np.arange(len(from_folder))
    assert torch.equal(from_folder.get_batch(everything)[0], from_archive.get_batch(everything)[0])
    assert torch.equal(from_folder.targets, from_archive.targets)
    assert [p for p, _ in from_folder.bad_files] == [p for p, _ in from_archive.bad_files]
    assert from_folder.origin.endswith("notMNIST_small") and from_archive.origin.endswith(".tar.gz")


def test_images_match_the_png_files(root_with_folder):
    data = NotMNIST(root_with_folder, split="all", verbose=False, num_workers=1)
    from PIL import Image

    for index in (0, 17, len(data) - 1):
        expected = np.asarray(Image.open(root_with_folder / "notMNIST_small" / data.path_of(index)))
        image, label = data[index]
        assert label == "ABCDEFGHIJ".index(data.path_of(index)[0])
        np.testing.assert_allclose(image[0].numpy() * 255.0, expected, atol=1e-3)


def test_changed_folder_rebuilds_the_cache(root_with_folder, capsys):
    NotMNIST(root_with_folder, verbose=False)
    folder = root_with_folder / "notMNIST_small" / "C"
    victim = sorted(folder.iterdir())[0]
    victim.unlink()
    data = NotMNIST(root_with_folder, split="all")
    assert "changed since the cache was built" in capsys.readouterr().out
    assert len(data) == sum(SPEC.counts) - 1


def test_memory_mapped_cache_gives_the_same_batches_and_pickles_small(root_with_archive):
    in_memory = NotMNIST(root_with_archive, split="all", verbose=False)
    data = NotMNIST(root_with_archive, split="all", mmap=True)
    x, y = data.get_batch([0, 5, 7])
    assert torch.equal(x, in_memory.get_batch([0, 5, 7])[0])
    assert x.shape == (3, 1, 28, 28) and x.dtype == torch.float32 and y.dtype == torch.int64
    import pickle

    blob = pickle.dumps(data)
    assert len(blob) < len(data) * 28 * 28, "a memory-mapped cache is re-opened, not pickled"
    clone = pickle.loads(blob)
    assert torch.equal(clone.get_batch([0, 5, 7])[0], x)


def test_split_is_by_font_and_deterministic(root_with_archive):
    parts = {s: NotMNIST(root_with_archive, split=s, val_fraction=0.1, verbose=False) for s in ("train", "val", "test")}
    fonts = {s: {d.font_of(i) for i in range(len(d))} for s, d in parts.items()}
    assert not fonts["train"] & fonts["val"] and not fonts["train"] & fonts["test"] and not fonts["val"] & fonts["test"]
    assert sum(len(d) for d in parts.values()) == sum(SPEC.counts)
    assert all(len(d) > 0 for d in parts.values())
    again = NotMNIST(root_with_archive, split="test", verbose=False)   # no validation split: the same test split
    assert [again.path_of(i) for i in range(len(again))] == [parts["test"].path_of(i) for i in range(len(again))]
    every = NotMNIST(root_with_archive, split="all", verbose=False)
    assert len(every) == sum(SPEC.counts)


def test_font_of_real_and_synthetic_names():
    assert font_of("RnJlaWdodERpc3BCb29rSXRhbGljLnR0Zg==.png") == "FreightDispBookItalic.ttf"
    assert font_of("Um9tYW5hIEJvbGQucGZi.png") == "Romana Bold.pfb"
    from course_tools.synth import notmnist_file_name

    assert font_of(notmnist_file_name("DejaVuSans-Bold.ttf", 7)) == "DejaVuSans-Bold 00007.ttf"  # a plain decode
    assert font_of("RGVqYVZ1U2Fucy1Cb2xkIzAwMDEyLnR0Zg==.png") == "DejaVuSans-Bold#00012.ttf"  # as notebook 05
    assert font_of("not base64!.png") == "not base64!"


def test_split_fractions_on_many_fonts():
    names = [f"font{i}.png" for i in range(2000)]
    ids = np.repeat(np.arange(2000), 10)
    codes = split_codes(names, ids, test_fraction=0.1, val_fraction=0.1)
    np.testing.assert_array_equal(np.bincount(codes, minlength=3) / len(codes), [0.8, 0.1, 0.1])
    for font in range(0, 2000, 97):
        assert len(set(codes[ids == font])) == 1
    np.testing.assert_array_equal(codes, split_codes(names, ids, test_fraction=0.1, val_fraction=0.1))
    with pytest.raises(ValueError, match="leave fonts for training"):
        split_codes(names, ids, 0.5, 0.5)
    unused = split_codes(names + ["only a bad file.png"], ids, test_fraction=0.1)   # fonts of bad files do not count
    np.testing.assert_array_equal(unused, split_codes(names, ids, test_fraction=0.1))


def test_missing_data_gives_the_exact_call(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        NotMNIST(tmp_path, variant="large")
    message = str(info.value)
    assert f"NotMNIST({str(tmp_path)!r}, variant='large', download=True)" in message
    assert "NotMNIST.embedded(split='train')" in message


def test_download_fetches_the_archive(tmp_path, archive, monkeypatch):
    calls = []

    def fake_fetch(name, dest_dir):
        calls.append(name)
        target = dest_dir / "notMNIST_small.tar.gz"
        shutil.copy(archive, target)
        return {target.name: target}

    monkeypatch.setattr(nm, "registry_fetch", fake_fetch)
    data = NotMNIST(tmp_path, download=True, split="all", verbose=False)
    assert calls == ["notmnist_small"] and len(data) == sum(SPEC.counts)


def test_truncated_archive_is_reported_and_leaves_no_cache(tmp_path, archive):
    (tmp_path / archive.name).write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(ValueError, match=r"truncated or damaged.*8,458,043.*download=True"):
        NotMNIST(tmp_path, verbose=False)
    assert [p.name for p in tmp_path.iterdir()] == [archive.name]


def test_a_header_too_large_to_read_is_reported_not_read(tmp_path):
    import gzip

    header = tarfile.TarInfo("././@LongLink")
    header.type, header.size = tarfile.GNUTYPE_LONGNAME, 64 * 1024**2  # claims 64 MB of file name
    with gzip.open(tmp_path / "notMNIST_small.tar.gz", "wb") as out:
        out.write(header.tobuf(format=tarfile.USTAR_FORMAT) + bytes(1 << 20))
    with pytest.raises(ValueError, match=r"truncated or damaged \(HeaderRefused: is a GNU long name of 67,108,864"):
        NotMNIST(tmp_path, verbose=False)


def test_bad_arguments():
    with pytest.raises(ValueError, match="'small' or 'large'"):
        NotMNIST(variant="medium")
    with pytest.raises(ValueError, match="'train'"):
        NotMNIST(split="validation")
    with pytest.raises(ValueError, match="notMNIST_small layout only"):
        NotMNIST(variant="large", source="embedded")
    with pytest.raises(ValueError, match="needs validation fonts"):
        NotMNIST(split="val")


def test_batched_paths_agree_with_items(root_with_archive):
    data = NotMNIST(root_with_archive, split="train", verbose=False)
    picks = [3, 0, len(data) - 1]
    x, y = data.get_batch(picks)
    for row, index in enumerate(picks):
        image, label = data[index]
        assert torch.equal(x[row], image) and int(y[row]) == label
    loaded = next(iter(torch.utils.data.DataLoader(data, batch_size=len(data))))
    assert torch.equal(loaded[0], torch.stack([data[i][0] for i in range(len(data))]))
    seen = torch.cat([yb for _, yb in BatchLoader(data, batch_size=16, shuffle=True, seed=1)])
    assert sorted(seen.tolist()) == sorted(data.targets.tolist())
    subset = torch.utils.data.Subset(data, [5, 6, 7])
    xs, ys = next(iter(BatchLoader(subset, batch_size=8)))
    assert torch.equal(xs, data.get_batch([5, 6, 7])[0])


def test_transform_applies_per_item(root_with_archive):
    data = NotMNIST(root_with_archive, split="test", verbose=False, transform=lambda x: 1 - x)
    plain = NotMNIST(root_with_archive, split="test", verbose=False)
    assert torch.allclose(data[0][0], 1 - plain[0][0])
    assert torch.allclose(data.get_batch([0])[0][0], 1 - plain[0][0])


def test_embedded_sample():
    data = NotMNIST.embedded(split="all")
    assert data.is_embedded and data.cache_dir is None
    assert len(data) == 1800 and len(data.bad_files) == 3
    assert "NOT the real notMNIST" in data.description
    parts = [NotMNIST.embedded(split=s) for s in ("train", "test")]
    assert [len(p) for p in parts] == [1440, 360]   # 16 and 4 typefaces of 9 variants x 10 letters

"""The MNIST dataset: embedded stand-in, real-layout files, missing files, download path, batches."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.data import base as base_module
from course_utils.data.idx import write_idx
from course_utils.data.loader import BatchLoader
from course_utils.data.mnist import FILES, MNIST


def _write_fake_mnist(folder, n_train=30, n_test=12):
    rng = np.random.default_rng(1)
    for train, n in ((True, n_train), (False, n_test)):
        images_name, labels_name = FILES[train]
        write_idx(folder / images_name, rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(folder / labels_name, (np.arange(n) % 10).astype(np.uint8))


def test_embedded_train_and_test():
    train, test = MNIST.embedded(train=True), MNIST.embedded(train=False)
    assert len(train) == 5000 and len(test) == 1000
    assert train.is_embedded and train.source == "embedded"
    assert "NOT the real MNIST" in train.description and "source='real'" in train.description
    image, label = train[0]
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32
    assert 0.0 <= float(image.min()) and float(image.max()) <= 1.0 and float(image.max()) > 0.5
    assert isinstance(label, int) and 0 <= label <= 9
    assert sorted(torch.bincount(train.targets).tolist()) == [500] * 10
    assert train.classes[3] == "3 - three"


def test_real_files_in_root(tmp_path):
    _write_fake_mnist(tmp_path / "MNIST")
    data = MNIST(tmp_path, train=False)
    assert len(data) == 12 and not data.is_embedded
    assert "real dataset" in data.description
    image, label = data[5]
    assert label == 5
    raw = data.data[5].numpy()
    np.testing.assert_allclose(image[0].numpy(), raw / 255.0, atol=1e-6)


def test_torchvision_raw_layout_is_found(tmp_path):
    _write_fake_mnist(tmp_path / "MNIST" / "raw")
    assert len(MNIST(tmp_path, train=True)) == 30


def test_missing_files_give_the_exact_call(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        MNIST(tmp_path, train=False)
    message = str(info.value)
    assert f"MNIST({str(tmp_path)!r}, train=False, download=True)" in message
    assert "MNIST.embedded(train=False)" in message


def test_download_uses_the_registry(tmp_path, monkeypatch):
    calls = []

    def fake_fetch(name, dest_dir):
        calls.append((name, dest_dir))
        _write_fake_mnist(dest_dir)
        return {n: dest_dir / n for pair in FILES.values() for n in pair}

    monkeypatch.setattr(base_module, "registry_fetch", fake_fetch)
    data = MNIST(tmp_path, train=True, download=True)
    assert calls == [("mnist", tmp_path / "MNIST")] and len(data) == 30
    MNIST(tmp_path, train=True, download=True)  # present now: no second download
    assert len(calls) == 1


def test_mismatched_files_are_reported(tmp_path):
    _write_fake_mnist(tmp_path / "MNIST")
    write_idx(tmp_path / "MNIST" / FILES[True][1], np.zeros(7, dtype=np.uint8))
    with pytest.raises(ValueError, match="do not belong together"):
        MNIST(tmp_path, train=True)


def test_unknown_source():
    with pytest.raises(ValueError, match="source='real'"):
        MNIST(source="kaggle")


def test_transform_gets_the_float_tensor(tmp_path):
    _write_fake_mnist(tmp_path / "MNIST")
    data = MNIST(tmp_path, train=True, transform=lambda x: x * 2 - 1, target_transform=lambda y: y + 100)
    image, label = data[3]
    assert float(image.min()) >= -1.0 and label == 103
    x, y = data.get_batch([3, 4])
    assert x.shape == (2, 1, 28, 28) and y.tolist() == [103, 104]


def test_batches_match_items_and_dataloader(tmp_path):
    _write_fake_mnist(tmp_path / "MNIST")
    data = MNIST(tmp_path, train=True)
    x, y = data.get_batch([4, 0, 9])
    for row, index in enumerate([4, 0, 9]):
        assert torch.equal(x[row], data[index][0]) and y[row] == data[index][1]
    via_loader = next(iter(torch.utils.data.DataLoader(data, batch_size=8)))  # uses __getitems__
    per_item = torch.stack([data[i][0] for i in range(8)])
    assert torch.equal(via_loader[0], per_item) and via_loader[1].tolist() == list(range(8))
    batches = list(BatchLoader(data, batch_size=8, shuffle=True, seed=0))
    assert [len(b[1]) for b in batches] == [8, 8, 8, 6]
    assert sorted(torch.cat([b[1] for b in batches]).tolist()) == sorted(data.targets.tolist())

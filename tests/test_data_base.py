"""ImageDataset: a new dataset is a registry entry plus a short subclass (the README's example)."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pytest
import torch
from _http_server import LocalHTTPServer

from course_utils.data import MNIST, ImageDataset
from course_utils.data.registry import REGISTRY, DatasetFiles, RemoteFile


# --------------------------------------------------------------------------- the README's example
class Squares(ImageDataset):
    """8x8 hollow (label 0) and filled (label 1) squares, from one .npz file."""

    registry_name = "squares"  # its files, sizes and SHA-256 are the registry entry "squares"
    title = "Squares"
    classes = ["hollow", "filled"]
    embedded_contents = "images of squares drawn by a script"

    def split_files(self):
        return ("squares.npz",)

    def read(self, folder):
        with np.load(folder / "squares.npz") as arrays:
            return arrays[f"{self.split}_images"], arrays[f"{self.split}_labels"]


def _squares_npz() -> bytes:
    filled = np.full((8, 8), 255, dtype=np.uint8)
    hollow = filled.copy()
    hollow[1:-1, 1:-1] = 0
    arrays = {}
    for split, n in (("train", 6), ("test", 4)):
        labels = np.arange(n) % 2
        arrays[f"{split}_images"] = np.stack([filled if label else hollow for label in labels])
        arrays[f"{split}_labels"] = labels.astype(np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.fixture
def squares_registered(monkeypatch):
    """Serve squares.npz on a local server and register it as REGISTRY["squares"]."""
    data = _squares_npz()
    with LocalHTTPServer() as server:
        server.add("files/squares.npz", data)
        entry = DatasetFiles(name="squares", description="test squares", checks_source="computed in the test",
                             files=(RemoteFile(name="squares.npz", size=len(data),
                                               sha256=hashlib.sha256(data).hexdigest(),
                                               mirrors=(server.url("files/"),)),))
        monkeypatch.setitem(REGISTRY, "squares", entry)
        monkeypatch.setenv("COURSE_PROGRESS", "none")
        yield server


def test_a_new_dataset_downloads_through_its_registry_entry(tmp_path, squares_registered):
    train = Squares(tmp_path, "train", download=True)
    assert (tmp_path / "Squares" / "squares.npz").is_file()
    assert train.root == tmp_path and train.folder == tmp_path / "Squares"
    assert len(train) == 6 and train.targets.tolist() == [0, 1, 0, 1, 0, 1]
    image, label = train[1]
    assert image.shape == (1, 8, 8) and image.dtype == torch.float32 and label == 1 and float(image.min()) == 1.0
    assert train.classes[label] == "filled"
    assert train.description == f"Squares: the real dataset, 6 train images, from {tmp_path / 'Squares'}."


def test_a_new_dataset_gets_the_batched_path_from_the_base(tmp_path, squares_registered):
    test = Squares(tmp_path, "test", download=True)
    x, y = test.get_batch([3, 0])
    assert x.shape == (2, 1, 8, 8) and y.tolist() == [1, 0]
    via_loader = next(iter(torch.utils.data.DataLoader(test, batch_size=4)))  # through __getitems__
    assert torch.equal(via_loader[0], torch.stack([test[i][0] for i in range(4)]))


def test_a_missing_dataset_names_the_download_call(tmp_path):
    with pytest.raises(FileNotFoundError) as raised:
        Squares(tmp_path, "test")
    assert f"Squares({str(tmp_path)!r}, split='test', download=True)" in str(raised.value)
    assert "Squares.embedded(split='test')" in str(raised.value)


def test_an_unknown_split_is_refused(tmp_path):
    with pytest.raises(ValueError, match="'train', 'test'"):
        Squares(tmp_path, "validation")


# --------------------------------------------------------------------------- torchvision's conventions
def test_positional_arguments_follow_torchvision(tmp_path):
    def negate(x):
        return 1 - x

    def shift(y):
        return y + 10

    data = MNIST(None, False, negate, shift, source="embedded")  # root, train, transform, target_transform
    plain = MNIST.embedded(train=False)
    image, label = data[0]
    assert torch.equal(image, 1 - plain[0][0]) and label == plain[0][1] + 10
    assert data.transform is negate and data.target_transform is shift and not data.train


def test_the_old_argument_order_is_refused_with_the_new_one(tmp_path):
    with pytest.raises(TypeError, match=r"MNIST\(root, train, transform, target_transform, download\)"):
        MNIST(tmp_path, True, True)  # the former (root, train, download) order


def test_root_is_what_the_caller_passed(tmp_path):
    assert MNIST.embedded(train=False).root is None
    (tmp_path / "MNIST").symlink_to(MNIST.embedded(train=False).folder)
    assert MNIST(tmp_path, False, source="embedded").root == tmp_path
    assert MNIST(str(tmp_path), False).root == tmp_path


def test_every_dataset_describes_itself_and_has_an_embedded_stand_in():
    data = MNIST.embedded(train=False)
    assert data.is_embedded and data.classes[0] == "0 - zero"
    assert data.description == ("MNIST stand-in: embedded offline sample, 1,000 test images of digits rendered from "
                                "fonts; NOT the real MNIST. For the real data pass source='real', download=True.")

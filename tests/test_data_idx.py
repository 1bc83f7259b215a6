"""IDX reading and writing (the MNIST file format)."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from course_utils.data.idx import IDXFormatError, decode_idx, encode_idx, read_idx, write_idx


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("name", ["a-idx3-ubyte", "a-idx3-ubyte.gz"])
def test_round_trip_every_dtype(tmp_path, dtype, name):
    array = (np.arange(2 * 3 * 4) - 5).astype(dtype).reshape(2, 3, 4)
    path = write_idx(tmp_path / name, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.shape == (2, 3, 4)
    np.testing.assert_array_equal(back, array)
    assert back.flags.writeable
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")


def test_header_is_mnist_layout():
    raw = encode_idx(np.zeros((60000, 28, 28), dtype=np.uint8)[:2])
    assert raw[:4] == bytes([0, 0, 0x08, 3])
    assert int.from_bytes(raw[4:8], "big") == 2 and int.from_bytes(raw[8:12], "big") == 28
    assert len(raw) == 16 + 2 * 784


def test_big_endian_on_disk():
    raw = encode_idx(np.array([1], dtype=np.int32))
    assert raw[-4:] == b"\x00\x00\x00\x01"


def test_gzip_output_is_reproducible(tmp_path):
    array = np.random.default_rng(0).integers(0, 255, (5, 28, 28), dtype=np.uint8)
    first = write_idx(tmp_path / "a.gz", array).read_bytes()
    second = write_idx(tmp_path / "b.gz", array).read_bytes()
    assert first == second


def test_gzip_detected_by_content_not_name(tmp_path):
    array = np.arange(10, dtype=np.uint8)
    path = tmp_path / "labels-idx1-ubyte"  # no .gz, but gzip inside
    path.write_bytes(gzip.compress(encode_idx(array)))
    np.testing.assert_array_equal(read_idx(path), array)


def test_truncated_data_says_what_to_do(tmp_path):
    raw = encode_idx(np.zeros((3, 28, 28), dtype=np.uint8))
    path = tmp_path / "x-idx3-ubyte"
    path.write_bytes(raw[:-100])
    with pytest.raises(IDXFormatError, match=r"truncated.*download"):
        read_idx(path)


def test_truncated_gzip_is_reported(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(encode_idx(np.zeros((50, 28, 28), dtype=np.uint8)))[:-30])
    with pytest.raises(IDXFormatError, match="damaged gzip"):
        read_idx(path)


def test_html_error_page_is_not_idx():
    with pytest.raises(IDXFormatError, match="magic number"):
        decode_idx(b"<html><body>Forbidden</body></html>", name="t10k-images-idx3-ubyte")


def test_trailing_bytes_are_rejected():
    with pytest.raises(IDXFormatError, match="unexpected bytes"):
        decode_idx(encode_idx(np.zeros(4, dtype=np.uint8)) + b"\x00")


def test_unsupported_dtype():
    with pytest.raises(TypeError, match="uint8"):
        encode_idx(np.zeros(3, dtype=np.uint64))


def test_write_leaves_no_temp_files(tmp_path):
    write_idx(tmp_path / "a.gz", np.zeros(3, dtype=np.uint8))
    assert [p.name for p in tmp_path.iterdir()] == ["a.gz"]

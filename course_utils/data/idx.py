"""Read and write the IDX format that MNIST is published in (optionally gzip-compressed).

An IDX file is a 4-byte magic number, one big-endian ``uint32`` per dimension, then the array
in C order, big-endian. The magic number is ``0x00 0x00 <type code> <number of dimensions>``:

========= ======== ===========
type code  dtype    item bytes
========= ======== ===========
``0x08``   uint8    1
``0x09``   int8     1
``0x0B``   int16    2 (big-endian)
``0x0C``   int32    4 (big-endian)
``0x0D``   float32  4 (big-endian)
``0x0E``   float64  8 (big-endian)
========= ======== ===========

MNIST's images are ``uint8`` of shape ``(N, 28, 28)`` (values 0-255, 0 = background) and its
labels ``uint8`` of shape ``(N,)`` (0-9). A file is treated as gzip when it starts with the
gzip magic bytes, whatever its name, so ``train-images-idx3-ubyte`` and ``...ubyte.gz`` both
work. ``write_idx`` writes reproducible bytes (no time stamp or file name in the gzip header)
through a temporary file renamed into place, so a crash never leaves a half-written file.
"""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path
from typing import Union

import numpy as np

from ..plumbing.files import atomic_write_bytes

PathLike = Union[str, "os.PathLike[str]"]

_GZIP_MAGIC = b"\x1f\x8b"

#: IDX type code -> NumPy dtype (big-endian where it matters).
IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}


class IDXFormatError(ValueError):
    """The bytes are not a valid IDX file (wrong magic number, truncated, or trailing data)."""


def _delete_hint(path: PathLike) -> str:
    return (f"Delete {os.fspath(path)} and download it again (a download that stopped early leaves a "
            "truncated file); with course_utils.data.MNIST pass download=True.")


def decode_idx(raw: bytes, *, name: str = "<bytes>") -> np.ndarray:
    """Decode the bytes of an (uncompressed) IDX file into a NumPy array.

    Args:
        raw: the file content, without gzip compression.
        name: used in error messages only.

    Returns:
        An array with the file's shape, in native byte order (``uint8`` for MNIST).

    Raises:
        IDXFormatError: the magic number, the dimensions or the length do not add up.
    """
    if len(raw) < 4:
        raise IDXFormatError(f"{name} is not an IDX file: only {len(raw)} bytes. {_delete_hint(name)}")
    zero0, zero1, code, ndim = raw[0], raw[1], raw[2], raw[3]
    if zero0 != 0 or zero1 != 0 or code not in IDX_DTYPES:
        raise IDXFormatError(
            f"{name} is not an IDX file: its magic number is {raw[:4].hex()} (expected 0000 followed by a type "
            f"code such as 08 for uint8). Was it saved as an HTML error page or another format? {_delete_hint(name)}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXFormatError(f"{name} is truncated inside its header. {_delete_hint(name)}")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(raw) - header
    if actual < expected:
        raise IDXFormatError(f"{name} is truncated: its header announces shape {shape} ({expected:,} bytes of data) "
                             f"but only {actual:,} bytes follow. {_delete_hint(name)}")
    if actual > expected:
        raise IDXFormatError(f"{name} has {actual - expected:,} unexpected bytes after the data announced by its "
                             f"header (shape {shape}). {_delete_hint(name)}")
    array = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file, gzip-compressed or not (detected from its first bytes).

    Args:
        path: e.g. ``.../train-images-idx3-ubyte.gz``.

    Returns:
        A writable array in native byte order, e.g. ``uint8`` of shape ``(60000, 28, 28)``.

    Raises:
        FileNotFoundError: the file does not exist.
        IDXFormatError: the file is not valid IDX, or its gzip stream is truncated or corrupt.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, gzip.BadGzipFile) as exc:
            raise IDXFormatError(f"{path} is a damaged gzip file ({exc}). {_delete_hint(path)}") from None
    return decode_idx(raw, name=str(path))


def encode_idx(array: np.ndarray) -> bytes:
    """The IDX bytes (uncompressed) of ``array``; its dtype must be one IDX supports."""
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _CODES:
        raise TypeError(f"IDX cannot store dtype {array.dtype}: use uint8, int8, int16, int32, float32 or float64.")
    code = _CODES[native]
    if array.ndim > 255:
        raise ValueError("IDX stores at most 255 dimensions.")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype=IDX_DTYPES[code]).tobytes()


def write_idx(path: PathLike, array: np.ndarray, *, compress: bool | None = None, level: int = 9) -> Path:
    """Write ``array`` as an IDX file, atomically.

    Args:
        path: destination; the parent folder is created.
        array: e.g. ``uint8`` images ``(N, 28, 28)`` or labels ``(N,)``.
        compress: gzip the file; ``None`` means "when the name ends with ``.gz``".
        level: gzip compression level (1-9).

    Returns:
        ``path`` as a ``Path``. The gzip header holds no time stamp or file name, so the same array
        always gives the same bytes.
    """
    path = Path(path)
    data = encode_idx(array)
    if compress is None:
        compress = path.name.endswith(".gz")
    if compress:
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=level, mtime=0) as gz:
            gz.write(data)
        data = buffer.getvalue()
    atomic_write_bytes(path, data)
    return path

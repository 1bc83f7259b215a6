"""Fresh notMNIST-style inputs for the grading questions of homework 05, drawn in the grader.

``toy(rng)`` makes a small folder in notMNIST's layout as data (``{relative path: bytes}``) together
with everything the judges need to know about it: the (path, label) pairs, the bad files and their
reasons, the pixels of every good image and the font of every file name. Font names are invented
for each submission (with names whose base64 holds ``+`` and ``/``), so no answer can be copied from
another student or from ``course_utils.checks.notmnist_toy`` (the fixed toy the visible checks use).

``WRITE_FILES`` is the (public) ask-code snippet that writes such files into the question's folder.
Only NumPy, Pillow and the standard library are used; no torch.
"""

from __future__ import annotations

import base64
import io
import tarfile
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

LETTERS = "ABCDEFGHIJ"
EMPTY, UNREADABLE = "empty file (0 bytes)", "not a readable PNG"
_SYLLABLES = ("ka", "lo", "mi", "nu", "ve", "ra", "to", "sy", "qu", "xe", "zo", "pi", "de", "fa", "gu", "ho")
_STYLES = ("", " Bold", " Italic", " Light", " Condensed", " Mono", " Black", " Oblique")
_ENDINGS = (".ttf", ".otf", ".pfb", ".TTF")
#: Ask code that writes ``inputs["files"]`` ({relative path: bytes}) under ``work / inputs["root"]``.
WRITE_FILES = ("for _rel, _data in inputs['files'].items():\n"
               "    _path = work / inputs['root'] / _rel\n"
               "    _path.parent.mkdir(parents=True, exist_ok=True)\n"
               "    _path.write_bytes(_data)\n")


def png_bytes(pixels: np.ndarray, mode: Optional[str] = None) -> bytes:
    """PNG file bytes of ``pixels`` (uint8 ``[H, W]`` gray or ``[H, W, 3]`` RGB; ``mode="P"``: a palette image)."""
    from PIL import Image

    image = Image.fromarray(pixels)
    if mode == "P":
        image = image.convert("P")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def gray_of(data: bytes) -> np.ndarray:
    """What PIL makes of PNG bytes converted to 8-bit grayscale (``"L"``), as uint8 ``[H, W]``."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return np.array(image.convert("L"), dtype=np.uint8)


def font_name(rng: np.random.Generator) -> str:
    """An invented font file name, e.g. ``"Kaloqu Bold.ttf"``."""
    word = "".join(rng.choice(_SYLLABLES) for _ in range(int(rng.integers(2, 5))))
    return word.capitalize() + str(rng.choice(_STYLES)) + str(rng.choice(_ENDINGS))


def png_name(font: str) -> str:
    """notMNIST's file name of a font: the standard base64 of its file name, plus ``.png``."""
    return base64.b64encode(font.encode("utf-8")).decode("ascii") + ".png"


def fonts(rng: np.random.Generator, count: int, *, slash: bool = False) -> list:
    """``count`` (at least 2) distinct invented font names, in random order. The notMNIST file name of one
    holds a ``+``; with ``slash``, another one's holds a ``/`` (the two characters of standard base64 beyond
    letters and digits). Without ``slash`` no name holds a ``/``: such a name cannot be a file's name."""
    found: list = []
    for need in ("+", "/") if slash else ("+",):
        while True:
            font = font_name(rng) + str(rng.choice((">>", "?>", "~~", "??", ">?", "~>")))
            name = png_name(font)
            if need in name and font not in found and (slash or "/" not in name):
                found.append(font)
                break
    while len(found) < count:
        font = font_name(rng)
        if font not in found and "/" not in png_name(font):
            found.append(font)
    return [found[i] for i in rng.permutation(len(found))]


@dataclass
class Toy:
    """A toy folder as data; see ``toy``."""

    files: dict = field(default_factory=dict)  # relative path -> bytes (every file written)
    pairs: list = field(default_factory=list)  # (relative path, label) of every .png to list, sorted
    bad: dict = field(default_factory=dict)  # relative path -> reason
    pixels: dict = field(default_factory=dict)  # relative path -> uint8 [28, 28] of each good image
    fonts: dict = field(default_factory=dict)  # file name -> font

    @property
    def good(self) -> list:
        return [(rel, label) for rel, label in self.pairs if rel not in self.bad]


def toy(rng: np.random.Generator, *, n_fonts: Optional[int] = None, letters: str = LETTERS,
        bad: bool = True, extras: bool = True) -> Toy:
    """A fresh toy folder: ``n_fonts`` invented fonts (default 4-7), one 28 x 28 image per font and
    letter of ``letters``; with ``bad``, one empty, one not-a-PNG, one truncated and one wrong-size
    (``W x H`` with ``W != H``) file; with ``extras``, a ``notes.txt`` and a macOS ``._`` file."""
    made = Toy()
    chosen = fonts(rng, int(n_fonts if n_fonts is not None else rng.integers(4, 8)))
    for letter in letters:
        for font in chosen:
            rel = f"{letter}/{png_name(font)}"
            made.pixels[rel] = rng.integers(0, 256, size=(28, 28), dtype=np.uint8)
            made.files[rel] = png_bytes(made.pixels[rel])
            made.fonts[png_name(font)] = font
    if bad:
        kinds = ("empty", "invalid", "truncated", "size")
        spots = rng.choice(list(letters), size=len(kinds))
        for kind, letter in zip(kinds, spots):
            font = font_name(rng) + " Broken"
            while "/" in png_name(font):
                font = font_name(rng) + " Broken"
            rel = f"{letter}/{png_name(font)}"
            made.fonts[png_name(font)] = font
            if kind == "empty":
                made.files[rel], made.bad[rel] = b"", EMPTY
            elif kind == "invalid":
                made.files[rel], made.bad[rel] = b"\x89PNG\r\n\x1a\n" + rng.bytes(int(rng.integers(20, 80))), UNREADABLE
            elif kind == "truncated":
                whole = png_bytes(rng.integers(0, 256, size=(28, 28), dtype=np.uint8))
                made.files[rel], made.bad[rel] = whole[: len(whole) // 2], UNREADABLE
            else:
                width, height = (int(n) for n in rng.choice(np.arange(20, 40), size=2, replace=False))
                made.files[rel] = png_bytes(rng.integers(0, 256, size=(height, width), dtype=np.uint8))
                made.bad[rel] = f"size {width}x{height}, expected 28x28"
    if extras:
        letter = str(rng.choice(list(letters)))
        made.files[f"{letter}/notes.txt"] = b"not an image"
        first = next(iter(made.fonts))
        made.files[f"{letters[0]}/._{first}"] = b"\x00\x05\x16\x07\x00\x02\x00\x00" + bytes(74)
    made.pairs = sorted(((rel, LETTERS.index(rel.split("/")[0])) for rel in made.files
                         if rel.endswith(".png") and not rel.split("/")[-1].startswith(".")),
                        key=lambda pair: (pair[1], pair[0].split("/")[-1]))
    return made


def tar_gz(members: list) -> bytes:
    """A ``.tar.gz`` archive as bytes from ``[(name, kind, data or link target)]``; ``kind`` is
    ``"file"``, ``"dir"``, ``"symlink"`` or ``"hardlink"``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, kind, data in members:
            entry = tarfile.TarInfo(name)
            entry.mtime = 1_300_000_000
            if kind == "file":
                entry.size = len(data)
                archive.addfile(entry, io.BytesIO(data))
            elif kind == "dir":
                entry.type = tarfile.DIRTYPE
                archive.addfile(entry)
            else:
                entry.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
                entry.linkname = data
                archive.addfile(entry)
    return buffer.getvalue()


def font_of(file_name: str) -> str:
    """The reference rule of task 6 (a file name's font), for the judges."""
    stem = file_name[: -len(".png")] if file_name.endswith(".png") else file_name
    try:
        return base64.b64decode(stem, validate=True).decode("utf-8")
    except ValueError:
        return stem

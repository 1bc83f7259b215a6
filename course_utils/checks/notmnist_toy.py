"""A tiny folder in notMNIST's layout with known contents, for the checks of homework 05.

``make_toy_notmnist(root)`` writes ``root/notMNIST_toy/{A..J}/<name>.png`` and returns a
``ToyNotMNIST`` that knows everything about it: which files are good, which are bad and why, the
pixels of every good image and the font of every name. The test cells of the homework build their
own toy folder with it (each in a fresh temporary folder), so they never depend on a cell you can
edit, and they use its *stand-ins* (``toy.scan``, ``toy.find_bad``, ``toy.split``, ``toy.load``,
``toy.font_of``) in place of your other functions, so that each check tests one task only. A stand-in
given something your earlier step should not have passed on (a bad file where only good pairs
belong, a path where a file name belongs) raises ``StandInError`` saying so; ``check_call`` shows it
with the line of your code that made the call.

Contents (7 fonts, named like real notMNIST files: the standard base64 of a font file name):

- 70 good images: 28 x 28 8-bit grayscale noise, one per font and letter;
- 4 bad files: ``A`` an empty file, ``C`` a 30 x 30 image, ``F`` a file that starts like a PNG but
  is not one, ``H`` a PNG cut off in the middle of its pixel data (it opens, but decoding fails);
- 2 files that are not images: ``B/notes.txt`` and ``A/._<name>.png``, the kind of "AppleDouble"
  file that macOS puts into archives (its name ends in ``.png`` too).

Only NumPy and Pillow are needed to write the folder; ``load`` needs PyTorch.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

LETTERS = "ABCDEFGHIJ"
#: The toy's fonts (file names as in real notMNIST; "Zeta>>.ttf" gives a base64 name with "+").
FONTS = ("Alpha.ttf", "Beta Bold.ttf", "Gamma Italic.otf", "Delta.pfb", "Epsilon Mono.ttf", "Zeta>>.ttf",
         "Eta Light.ttf")
#: The planted bad files: (letter, font file name of the name, kind).
BAD = (("A", "Broken Empty.ttf", "empty"), ("C", "Broken Size.ttf", "size"), ("F", "Broken Invalid.ttf", "invalid"),
       ("H", "Broken Truncated.ttf", "truncated"))
#: What ``check_image`` should say for each kind of bad file.
REASONS = {"empty": "empty file (0 bytes)", "size": "size 30x30, expected 28x28", "invalid": "not a readable PNG",
           "truncated": "not a readable PNG"}
#: The test fonts of the homework's split rule for the fractions the checks use (stored, not computed).
TEST_FONTS = {0.4: ("Zeta>>.ttf", "Eta Light.ttf", "Beta Bold.ttf"), 0.2: ("Zeta>>.ttf",),
              0.01: ("Zeta>>.ttf",)}


class StandInError(ValueError):
    """A stand-in was given something that the student's code should not have passed to it; the message says
    what and why. (``check_call`` recognises it by ``_course_stand_in`` and names the student's calling line.)"""

    _course_stand_in = True


def png_name(font_file: str) -> str:
    """The notMNIST file name of a font: standard base64 of the font file name, plus ``.png``."""
    return base64.b64encode(font_file.encode("utf-8")).decode("ascii") + ".png"


def _png(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class ToyNotMNIST:
    """What a toy folder contains; see the module docstring.

    Attributes:
        folder: the folder holding ``A`` .. ``J``.
        pairs: every ``(path, label)`` of a real ``.png`` file (bad ones included, the ``._`` file
            and ``notes.txt`` not), sorted by label, then file name.
        good_pairs: the pairs of the good images, in the same order.
        bad: ``{path: kind}`` of the bad files (``"empty"``, ``"size"``, ``"invalid"``, ``"truncated"``).
        pixels: ``{path: uint8 array [28, 28]}`` of every good image.
        fonts: ``{file name: font}`` of every good file name.
        not_images: the files that must not be listed (``notes.txt`` and the ``._`` file).
    """

    folder: Path
    pairs: list = field(default_factory=list)
    good_pairs: list = field(default_factory=list)
    bad: dict = field(default_factory=dict)
    pixels: dict = field(default_factory=dict)
    fonts: dict = field(default_factory=dict)
    not_images: list = field(default_factory=list)

    # ----------------------------------------------------------------- stand-ins for the tasks
    def _refuse(self, stand_in: str, value, needs: str = "file") -> None:
        """Raise ``StandInError``: ``stand_in`` (the function it replaces) cannot take ``value``."""
        head = f"the check's stand-in for {stand_in} was given {_shown(value)}"
        path = Path(value) if isinstance(value, (str, Path)) else None
        bad = {p.name: kind for p, kind in self.bad.items()}
        if path is not None and path.name in bad:
            raise StandInError(f"{head}, a bad file ({bad[path.name]}): only the good pairs (the first list "
                               "find_bad_files returns) should reach this step.")
        if needs == "name" and path is not None and path.name in self.fonts:
            raise StandInError(f"{head}, a path: {stand_in} takes a file name such as {path.name!r} "
                               "(Path(path).name), not a path.")
        if needs == "pair":
            raise StandInError(f"{head}: it takes a list of (path, label) pairs, as scan_folders returns them.")
        raise StandInError(f"{head}, which is not a file of the toy folder.")

    def scan(self, folder=None) -> list:
        """Stand-in for ``scan_folders``: the known pairs."""
        return list(self.pairs)

    def reason(self, path) -> Optional[str]:
        """Stand-in for ``check_image``: the known verdict of a toy file."""
        if Path(path) not in self.bad and Path(path) not in self.pixels:
            self._refuse("check_image", path)
        kind = self.bad.get(Path(path))
        return None if kind is None else REASONS[kind]

    def find_bad(self, pairs) -> tuple:
        """Stand-in for ``find_bad_files``: ``(good pairs, [(path, reason), ...])`` from what is known."""
        pairs = list(pairs)
        for pair in pairs:
            if not (isinstance(pair, tuple) and len(pair) == 2):
                self._refuse("find_bad_files", pair, needs="pair")
            self.reason(pair[0])
        good = [(p, label) for p, label in pairs if Path(p) not in self.bad]
        bad = [(p, REASONS[self.bad[Path(p)]]) for p, _ in pairs if Path(p) in self.bad]
        return good, bad

    def font_of(self, file_name: str) -> str:
        """Stand-in for ``font_of``: the known font of a toy file name."""
        if file_name not in self.fonts:
            self._refuse("font_of", file_name, needs="name")
        return self.fonts[file_name]

    def split(self, pairs, test_fraction: float = 0.2) -> tuple:
        """Stand-in for ``split_by_font``: the known split for the fractions the checks use."""
        known = TEST_FONTS.get(round(test_fraction, 4)) if isinstance(test_fraction, (int, float)) else None
        if known is None:
            raise StandInError(f"the check's stand-in for split_by_font was given test_fraction={test_fraction!r}; "
                               "this check passes 0.2 (the default): pass on the test_fraction your code was given.")
        pairs = list(pairs)
        for pair in pairs:
            if not (isinstance(pair, tuple) and len(pair) == 2):
                self._refuse("split_by_font", pair, needs="pair")
            if Path(pair[0]).name not in self.fonts:
                self._refuse("split_by_font", pair[0])
        test_fonts = set(known)
        return ([pl for pl in pairs if self.fonts[Path(pl[0]).name] not in test_fonts],
                [pl for pl in pairs if self.fonts[Path(pl[0]).name] in test_fonts])

    def expected_image(self, path):
        """The tensor ``load_image(path)`` should give: float32 ``[1, 28, 28]`` in [0, 1]."""
        import torch

        return torch.as_tensor(self.pixels[Path(path)].astype(np.float32) / np.float32(255.0)).reshape(1, 28, 28)

    def load(self, path):
        """Stand-in for ``load_image``: the known pixels of a good toy image."""
        if Path(path) not in self.pixels:
            self._refuse("load_image", path)
        return self.expected_image(path).clone()


def _shown(value) -> str:
    if isinstance(value, Path):
        return f"{value.parent.name}/{value.name}"
    text = repr(value)
    return text if len(text) <= 80 else text[:76] + " ..."


def make_toy_notmnist(root, seed: int = 0) -> ToyNotMNIST:
    """Write a toy notMNIST folder under ``root`` (``root/notMNIST_toy``) and say what is in it.

    Args:
        root: an existing folder, e.g. a fresh ``tempfile.mkdtemp()``.
        seed: seed of the noise images.

    Returns:
        A ``ToyNotMNIST`` describing the folder (see its attributes).
    """
    rng = np.random.default_rng(seed)
    toy = ToyNotMNIST(folder=Path(root) / "notMNIST_toy")
    for letter in LETTERS:
        (toy.folder / letter).mkdir(parents=True, exist_ok=True)
        for font in FONTS:
            path = toy.folder / letter / png_name(font)
            toy.pixels[path] = rng.integers(0, 256, size=(28, 28), dtype=np.uint8)
            path.write_bytes(_png(toy.pixels[path]))
            toy.fonts[path.name] = font
    for letter, font, kind in BAD:
        path = toy.folder / letter / png_name(font)
        if kind == "empty":
            path.write_bytes(b"")
        elif kind == "size":
            path.write_bytes(_png(rng.integers(0, 256, size=(30, 30), dtype=np.uint8)))
        elif kind == "invalid":
            path.write_bytes(b"\x89PNG\r\n\x1a\n" + rng.bytes(40))  # a PNG signature, then garbage
        else:  # truncated: the header is intact, the pixel data stops half-way
            whole = _png(rng.integers(0, 256, size=(28, 28), dtype=np.uint8))
            path.write_bytes(whole[: len(whole) // 2])
        toy.bad[path] = kind
    notes = toy.folder / "B" / "notes.txt"
    notes.write_text("not an image")
    apple = toy.folder / "A" / ("._" + png_name(FONTS[0]))
    apple.write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00" + bytes(74))  # an AppleDouble header, not a PNG
    toy.not_images = [notes, apple]
    everything = [*toy.pixels, *toy.bad]
    toy.pairs = sorted(((p, LETTERS.index(p.parent.name)) for p in everything), key=lambda pl: (pl[1], pl[0].name))
    toy.good_pairs = [(p, label) for p, label in toy.pairs if p not in toy.bad]
    return toy

"""Homework 05's font rule, in one place for the instructor's tools: the font of a notMNIST file name, and
which fonts go to the test split.

.. important:: Homework answer (tasks ``hw05.font`` and ``hw05.split`` of notebook 05); it lives in
   ``course_tools``, which the student edition never ships. The notebook's own solution is *the* answer:
   this module follows it rule for rule, so that the reference ``NotMNIST`` and the embedded stand-in's
   generator (``course_tools.synth``) split exactly as a student's correct ``NotMNISTDataset`` does.
   ``tests/test_nb05_reference.py`` runs the notebook's solution cells beside this module on tricky names
   (``#`` in a name, missing base64 padding, the URL-safe alphabet, bytes that are not UTF-8, variants).

The rules (notebook 05, tasks 6 and 7):

- ``font_of(file_name)``: the name without ``.png``, decoded as standard base64 with ``validate=True`` and then
  as UTF-8; a name that is not valid base64 (or not UTF-8 once decoded) is its own font. Nothing else: no
  padding is added, no other alphabet is tried, no part of the decoded name is cut off.
- The split: the distinct fonts, sorted by the SHA-256 hex digest of their UTF-8 name; the first
  ``max(1, round(test_fraction * number of fonts))`` are test fonts. ``split_fonts`` adds an optional
  validation part taken from the fonts right after the test fonts, so a validation split never changes the
  test split.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Iterable

#: The notebook's default share of the fonts that go to the test split.
TEST_FRACTION = 0.2


def font_of(file_name: str) -> str:
    """The font a notMNIST file name stands for: ``"RnJlaWdodERpc3BCb29rSXRhbGljLnR0Zg==.png"`` ->
    ``"FreightDispBookItalic.ttf"``; a name that is not base64 (``"not base64!.png"``) -> ``"not base64!"``."""
    stem = file_name.removesuffix(".png")
    try:
        return base64.b64decode(stem, validate=True).decode("utf-8")
    except ValueError:  # binascii.Error or UnicodeDecodeError: not a base64 name
        return stem


def font_digest(font: str) -> str:
    """The key fonts are sorted by: the SHA-256 hex digest of the font's UTF-8 name."""
    return hashlib.sha256(font.encode("utf-8")).hexdigest()


def ranked_fonts(fonts: Iterable[str]) -> list[str]:
    """The distinct ``fonts`` in the split's order (by ``font_digest``)."""
    return sorted(set(fonts), key=font_digest)


def split_fonts(fonts: Iterable[str], test_fraction: float = TEST_FRACTION, val_fraction: float = 0.0) -> dict:
    """``{font: "test" | "val" | "train"}`` for the distinct ``fonts``.

    The first ``max(1, round(test_fraction * n))`` fonts of ``ranked_fonts`` are test fonts (notebook 05's
    rule), the next ``max(1, round(val_fraction * n))`` validation fonts when ``val_fraction > 0``, the rest
    train fonts. (``round`` is Python's: 2.5 rounds to 2.)

    Raises:
        ValueError: fractions outside [0, 1) or leaving no room for training fonts.
    """
    if not (0.0 <= test_fraction < 1.0 and 0.0 <= val_fraction < 1.0 and test_fraction + val_fraction < 1.0):
        raise ValueError(f"test_fraction={test_fraction!r} and val_fraction={val_fraction!r} must be shares in "
                         "[0, 1) that leave fonts for training (their sum below 1).")
    ranked = ranked_fonts(fonts)
    n_test = max(1, round(test_fraction * len(ranked)))
    n_val = max(1, round(val_fraction * len(ranked))) if val_fraction > 0 else 0
    return {font: "test" if rank < n_test else "val" if rank < n_test + n_val else "train"
            for rank, font in enumerate(ranked)}

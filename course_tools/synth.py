"""Synthetic glyph images in the real notMNIST and MNIST formats, rendered from matplotlib's fonts.

notMNIST itself was made by rendering letters from many fonts; this module does the same with
the fonts that ship inside matplotlib (DejaVu Sans/Serif/Mono, STIX General, Computer Modern),
adding distortions so the task is not trivially easy: a random affine transform (rotation,
shear, anisotropic scale), stroke width (thicker via a stroke, thinner via erosion), placement
jitter, cropping (a glyph larger than the frame), blur, contrast and Gaussian noise. Images are
28x28 8-bit grayscale, light glyph on a dark background, like both datasets.

What it makes:

- ``write_notmnist_archive(path, spec)``: a real ``.tar.gz`` laid out like notMNIST,
  ``notMNIST_small/{A..J}/<base64 name>.png``, with planted bad files (0 bytes, invalid PNG,
  wrong size). Used for the embedded sample and for the full-size 529,119-file benchmark.
- ``write_mnist(folder, spec)``: the four MNIST IDX ``.gz`` files, with MNIST's file names.
- ``generate_embedded(folder)``: the small offline data committed in ``data/embedded``.
  ``python -m course_tools.synth`` regenerates it; ``--check`` verifies the committed copy.

File names and fonts. A notMNIST file name is the standard base64 of a font file name plus
``.png``, and the same name appears in every letter folder (one font draws all ten letters). Here
every (font, distortion variant) pair stands for one font of its own, named like a real font file:
``"<font stem> <number><ext>"``, e.g. ``DejaVuSans-Bold 00012.ttf``, so the font of a file is a
plain base64 decode of its name, exactly as for the real archives, and no course-specific rule is
needed to read it. A split by font (notebook 05's rule, ``course_tools.reference.fonts``: fonts sorted
by the SHA-256 of their name, the first fifth to test) would then put the variants of one matplotlib
typeface on both sides, and the test would measure fonts the model has seen in other variants. So
a spec may name ``test_fonts``: the variant numbers of those typefaces are chosen among the names
whose digest starts with ``0``, those of the others among the rest, so every variant of a test
typeface sorts before every variant of a training typeface; ``write_notmnist_archive`` checks that
the rule then puts exactly the test typefaces' variants in the test split.

Determinism: every image draws its random numbers from a generator seeded by (seed, dataset,
font, variant, character), so the output does not depend on the number of worker processes;
tar and gzip headers carry fixed times, owners and modes. The same Python packages give the
same bytes; another Pillow/FreeType/matplotlib version may render slightly different pixels.

This module must not import ``course_tools.reference.notmnist`` (it imports PyTorch); the font rule it
needs is in ``course_tools.reference.fonts``.
"""

from __future__ import annotations

import argparse
import base64
import functools
import gzip
import io
import json
import math
import multiprocessing
import os
import sys
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from course_tools.reference.fonts import TEST_FRACTION, font_digest, split_fonts
from course_utils.plumbing.files import atomic_write_bytes, atomic_writer, sha256_file
from course_utils.plumbing.system import usable_cpu_count

LETTERS = "ABCDEFGHIJ"
DIGITS = "0123456789"

#: matplotlib fonts that draw real A-J glyphs (Display, LastResort, STIXNonUni*, STIXSiz* and
#: cmex10 do not). Order matters: it fixes which font a file name refers to.
LETTER_FONTS: tuple[str, ...] = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf",
    "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf",
    "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSansMono-Oblique.ttf", "DejaVuSansMono-BoldOblique.ttf",
    "STIXGeneral.ttf", "STIXGeneralBol.ttf", "STIXGeneralItalic.ttf", "STIXGeneralBolIta.ttf",
    "cmr10.ttf", "cmb10.ttf", "cmss10.ttf", "cmtt10.ttf", "cmti10.ttf", "cmmi10.ttf", "cmsy10.ttf",
)
#: cmsy10 has calligraphic capitals but maps its digit positions to math symbols.
DIGIT_FONTS: tuple[str, ...] = tuple(name for name in LETTER_FONTS if name != "cmsy10.ttf")
#: The embedded notMNIST sample's 20 typefaces: the text faces of ``LETTER_FONTS`` (the math fonts cmsy10 and
#: cmmi10 left out) without DejaVuSansMono-BoldOblique. 20, because the test split takes a fifth of the fonts and
#: must hold whole typefaces: 4 of 20 typefaces x 9 variants = 36 = 0.2 x 180 fonts.
EMBEDDED_LETTER_FONTS: tuple[str, ...] = tuple(
    name for name in LETTER_FONTS if name not in ("cmsy10.ttf", "cmmi10.ttf", "DejaVuSansMono-BoldOblique.ttf"))
#: Its test typefaces: the first 4 of the 20 by the SHA-256 of their file names (the split's own rule, applied to
#: typefaces); the variants of each are named so that the split puts all of them in the test split.
EMBEDDED_TEST_FONTS: tuple[str, ...] = ("cmtt10.ttf", "DejaVuSans.ttf", "DejaVuSansMono-Oblique.ttf",
                                        "STIXGeneral.ttf")

_SUPERSAMPLE = 2          # glyphs are drawn at twice the final resolution, then reduced
_FONT_SIZES = (40, 48, 56)  # point sizes at the supersampled resolution
_SIZE = 28                # final image side, pixels


# --------------------------------------------------------------------------- the renderer
@dataclass(frozen=True)
class Style:
    """Distortion ranges for one kind of image.

    Attributes:
        layout: ``"notmnist"`` scales the glyph to fill the 28x28 frame (minus a margin);
            ``"mnist"`` fits it in a 20x20 box and puts its centre of mass at the centre, as MNIST does.
        rotation_deg: rotation uniform in +-this many degrees.
        shear: horizontal shear factor uniform in +-this.
        scale_jitter: x and y scales each uniform in [1 - j, 1 + j] (aspect-ratio change).
        max_stroke: extra stroke width, 0..max pixels at the supersampled resolution.
        thin_prob: probability of thinning the strokes (erosion) when no stroke was added.
        margin_max: notmnist layout: empty border of 0..this many pixels.
        crop_prob: notmnist layout: probability that the glyph is 10-35 % larger than the frame
            and gets cut at the edges.
        shift_max: placement jitter, +-pixels in x and y.
        blur_max: Gaussian blur radius uniform in [0, blur_max] pixels (below 0.25: no blur).
        contrast_min: the glyph's brightest value is scaled by a factor in [contrast_min, 1].
        noise_prob: probability of adding Gaussian noise.
        noise_max: noise standard deviation uniform in [0, noise_max] (0-255 scale).
    """

    layout: str = "notmnist"
    rotation_deg: float = 10.0
    shear: float = 0.3
    scale_jitter: float = 0.15
    max_stroke: int = 3
    thin_prob: float = 0.2
    margin_max: int = 2
    crop_prob: float = 0.15
    shift_max: int = 2
    blur_max: float = 0.9
    contrast_min: float = 0.6
    noise_prob: float = 0.5
    noise_max: float = 16.0


NOTMNIST_STYLE = Style()
MNIST_STYLE = Style(layout="mnist", rotation_deg=15.0, shear=0.35, scale_jitter=0.2, max_stroke=3,
                    margin_max=0, crop_prob=0.0, shift_max=1, blur_max=0.8, contrast_min=0.75,
                    noise_prob=0.3, noise_max=10.0)


def font_path(font_file: str) -> Path:
    """Path of one of matplotlib's bundled fonts, e.g. ``font_path("DejaVuSans.ttf")``."""
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / font_file
    if not path.is_file():
        raise FileNotFoundError(f"matplotlib does not ship the font {font_file} at {path}: "
                                "reinstall matplotlib (pip install --force-reinstall matplotlib).")
    return path


@functools.lru_cache(maxsize=None)
def _font(font_file: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(font_file)), size)


def _affine(image: Image.Image, rng: np.random.Generator, style: Style) -> Image.Image:
    theta = math.radians(rng.uniform(-style.rotation_deg, style.rotation_deg))
    shear = rng.uniform(-style.shear, style.shear)
    sx = 1.0 + rng.uniform(-style.scale_jitter, style.scale_jitter)
    sy = 1.0 + rng.uniform(-style.scale_jitter, style.scale_jitter)
    cos, sin = math.cos(theta), math.sin(theta)
    # forward map (about the centre): rotation @ shear @ scale
    forward = np.array([[cos, -sin], [sin, cos]]) @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag([sx, sy])
    w, h = image.size
    corners = np.array([[-w, -h], [w, -h], [-w, h], [w, h]], dtype=float) / 2.0
    moved = corners @ forward.T
    out_w = int(math.ceil(moved[:, 0].max() - moved[:, 0].min())) + 2
    out_h = int(math.ceil(moved[:, 1].max() - moved[:, 1].min())) + 2
    inverse = np.linalg.inv(forward)
    # PIL wants, for each output pixel (x, y), the input pixel: inverse @ ((x, y) - c_out) + c_in
    c_out = np.array([out_w, out_h]) / 2.0
    c_in = np.array([w, h]) / 2.0
    offset = c_in - inverse @ c_out
    data = (inverse[0, 0], inverse[0, 1], offset[0], inverse[1, 0], inverse[1, 1], offset[1])
    return image.transform((out_w, out_h), Image.Transform.AFFINE, data, resample=Image.Resampling.BILINEAR)


def _paste(canvas: np.ndarray, glyph: np.ndarray, top: int, left: int) -> None:
    """Paste ``glyph`` into ``canvas`` at (top, left), clipping whatever falls outside."""
    h, w = glyph.shape
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + h, canvas.shape[0]), min(left + w, canvas.shape[1])
    if y1 > y0 and x1 > x0:
        canvas[y0:y1, x0:x1] = glyph[y0 - top:y1 - top, x0 - left:x1 - left]


def render(char: str, font_file: str, rng: np.random.Generator, style: Style = NOTMNIST_STYLE) -> np.ndarray:
    """Render one distorted glyph.

    Args:
        char: a single character, e.g. ``"A"`` or ``"7"``.
        font_file: one of matplotlib's fonts (see ``LETTER_FONTS``).
        rng: the source of every random choice (seed it for reproducible output).
        style: distortion ranges and layout.

    Returns:
        ``uint8`` array of shape ``(28, 28)``, 0 = background, up to 255 = glyph.
    """
    font = _font(font_file, _FONT_SIZES[int(rng.integers(len(_FONT_SIZES)))])
    stroke = int(rng.integers(0, style.max_stroke + 1))
    left, top, right, bottom = font.getbbox(char, stroke_width=stroke)
    pad = 4
    image = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(image).text((pad - left, pad - top), char, font=font, fill=255,
                               stroke_width=stroke, stroke_fill=255)
    if stroke == 0 and rng.random() < style.thin_prob:
        image = image.filter(ImageFilter.MinFilter(3))
    image = _affine(image, rng, style)
    box = image.getbbox()
    if box is None:  # thinning removed everything: fall back to the plain glyph
        image = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
        ImageDraw.Draw(image).text((pad - left, pad - top), char, font=font, fill=255)
        box = image.getbbox()
    image = image.crop(box)
    w, h = image.size

    canvas = np.zeros((_SIZE, _SIZE), dtype=np.float32)
    if style.layout == "mnist":
        target = 20.0 - float(rng.integers(0, 3))
        scale = target / max(w, h)
    else:
        target = _SIZE - 2.0 * float(rng.integers(0, style.margin_max + 1))
        if rng.random() < style.crop_prob:
            target *= rng.uniform(1.1, 1.35)
        scale = target / max(w, h)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    glyph = np.asarray(image.resize((new_w, new_h), Image.Resampling.LANCZOS), dtype=np.float32)
    dy = int(rng.integers(-style.shift_max, style.shift_max + 1))
    dx = int(rng.integers(-style.shift_max, style.shift_max + 1))
    if style.layout == "mnist":
        mass = glyph.sum()
        ys, xs = np.indices(glyph.shape)
        cy = (ys * glyph).sum() / mass if mass > 0 else new_h / 2.0
        cx = (xs * glyph).sum() / mass if mass > 0 else new_w / 2.0
        top, left = round(_SIZE / 2 - cy) + dy, round(_SIZE / 2 - cx) + dx
    else:
        top, left = (_SIZE - new_h) // 2 + dy, (_SIZE - new_w) // 2 + dx
    _paste(canvas, glyph, top, left)

    radius = rng.uniform(0.0, style.blur_max)
    if radius >= 0.25:
        blurred = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(radius))
        canvas = np.asarray(blurred, dtype=np.float32)
    peak = canvas.max()
    if peak > 0:
        canvas *= 255.0 * rng.uniform(style.contrast_min, 1.0) / peak
    if rng.random() < style.noise_prob:
        canvas += rng.normal(0.0, rng.uniform(0.0, style.noise_max), canvas.shape).astype(np.float32)
    return np.clip(np.rint(canvas), 0, 255).astype(np.uint8)


def _rng(*key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(list(key)))


def png_bytes(image: np.ndarray) -> bytes:
    """Encode a 2-D ``uint8`` array as an 8-bit grayscale PNG (Pillow's default compression)."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8)).save(buffer, format="PNG")  # 2-D uint8: mode "L"
    return buffer.getvalue()


# --------------------------------------------------------------------------- notMNIST-format archives
_NOTMNIST_TAG = 1
_MNIST_TRAIN_TAG = 2
_MNIST_TEST_TAG = 3
BAD_KINDS = ("empty", "invalid", "size")


@dataclass(frozen=True)
class NotMNISTSpec:
    """What ``write_notmnist_archive`` writes.

    Attributes:
        folder: top folder inside the archive, ``"notMNIST_small"`` or ``"notMNIST_large"``.
        counts: number of good images for each letter A..J.
        bad: planted bad files as ``(letter, kind)``; kind is ``"empty"`` (0 bytes),
            ``"invalid"`` (non-empty, not a PNG) or ``"size"`` (a valid 30x30 PNG).
        seed: base seed of every random choice.
        fonts: fonts to cycle through; name number k uses ``fonts[k % len(fonts)]``, variant ``k // len(fonts)``.
        style: distortion ranges.
        test_fonts: fonts of ``fonts`` whose variants are named to land in the test split of notebook 05's
            rule, all other fonts' variants in the training split (see the module docstring); empty: variant v
            is simply named ``"<stem> <v:05d><ext>"``.
    """

    folder: str
    counts: tuple[int, ...]
    bad: tuple[tuple[str, str], ...] = ()
    seed: int = 0
    fonts: tuple[str, ...] = LETTER_FONTS
    style: Style = field(default=NOTMNIST_STYLE)
    test_fonts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.counts) != len(LETTERS):
            raise ValueError(f"counts needs one number per letter A-J, got {len(self.counts)}.")
        for letter, kind in self.bad:
            if letter not in LETTERS or kind not in BAD_KINDS:
                raise ValueError(f"bad file ({letter!r}, {kind!r}): letter must be A-J and kind one of {BAD_KINDS}.")
        unknown = sorted(set(self.test_fonts) - set(self.fonts))
        if unknown:
            raise ValueError(f"test_fonts {unknown} are not in fonts.")

    def file_name(self, font_file: str, variant: int) -> str:
        """The PNG name of variant ``variant`` (0, 1, ...) of ``font_file`` in this spec."""
        if not self.test_fonts:
            return notmnist_file_name(font_file, variant)
        return notmnist_file_name(font_file, _variant_numbers(font_file, font_file in self.test_fonts, variant)[-1])

    @property
    def total_files(self) -> int:
        return sum(self.counts) + len(self.bad)


#: Full-size notMNIST_large layout: the real per-letter counts of readable images and the same
#: kinds of unreadable files in the same letters (`FACTS.md`): 529,114 + 5 = 529,119 files.
LARGE_SPEC = NotMNISTSpec(
    folder="notMNIST_large",
    counts=(52909, 52911, 52912, 52911, 52912, 52912, 52912, 52912, 52912, 52911),
    bad=(("A", "invalid"), ("A", "empty"), ("A", "empty"), ("B", "empty"), ("D", "empty")),
    seed=2011,
)

#: The embedded notMNIST_small sample: 20 typefaces x 9 variants per letter, plus 3 bad files; the variants of 4
#: typefaces are the test split of notebook 05's rule, the other 16 typefaces' the training split.
EMBEDDED_NOTMNIST_SPEC = NotMNISTSpec(
    folder="notMNIST_small",
    counts=(180,) * 10,
    bad=(("A", "empty"), ("C", "size"), ("F", "invalid")),
    seed=908,
    fonts=EMBEDDED_LETTER_FONTS,
    test_fonts=EMBEDDED_TEST_FONTS,
)


def variant_font_name(font_file: str, number: int) -> str:
    """The font file name that stands for one variant: ``"<stem> <number:05d><ext>"``, e.g.
    ``"DejaVuSans-Bold 00012.ttf"``."""
    stem, ext = os.path.splitext(font_file)
    return f"{stem} {number:05d}{ext}"


def notmnist_file_name(font_file: str, number: int) -> str:
    """The PNG name of one (font, variant number), shaped like real notMNIST's: the standard base64 of
    ``variant_font_name(font_file, number)`` plus ``.png``."""
    return base64.b64encode(variant_font_name(font_file, number).encode()).decode("ascii") + ".png"


#: A variant of a test font gets a number whose name's SHA-256 digest sorts below this; of other fonts, above it.
_TEST_DIGEST_BELOW = "1"


@functools.lru_cache(maxsize=None)
def _variant_numbers(font_file: str, test: bool, variant: int) -> tuple[int, ...]:
    """The numbers of variants 0..``variant`` of ``font_file``: the smallest numbers whose font name's digest lies
    on the test side (``test``) or the training side of ``_TEST_DIGEST_BELOW``."""
    numbers: list[int] = list(_variant_numbers(font_file, test, variant - 1)) if variant > 0 else []
    number = numbers[-1] + 1 if numbers else 0
    while (font_digest(variant_font_name(font_file, number)) < _TEST_DIGEST_BELOW) != test:
        number += 1
    return (*numbers, number)


def check_font_split(spec: NotMNISTSpec, test_fraction: float = TEST_FRACTION) -> None:
    """Raise ``ValueError`` unless notebook 05's split rule, applied to the fonts of ``spec``'s good images,
    puts exactly the variants of ``spec.test_fonts`` in the test split (nothing to check without test fonts)."""
    if not spec.test_fonts:
        return
    n_fonts = len(spec.fonts)
    names = {(spec.fonts[k % n_fonts], k // n_fonts) for count in spec.counts for k in range(count)}
    decoded = {variant_font_name(font, _variant_numbers(font, font in spec.test_fonts, v)[-1]): font
               for font, v in names}
    side = split_fonts(decoded, test_fraction)
    wrong = sorted(name for name, font in decoded.items() if (side[name] == "test") != (font in spec.test_fonts))
    if wrong:
        raise ValueError(f"with these counts the split by font does not keep typefaces together ({len(wrong)} "
                         f"variant(s) on the wrong side, e.g. {wrong[:3]}): the test fonts' variants must be exactly "
                         f"{test_fraction:g} of all (font, variant) pairs.")


def _bad_file(kind: str, key: Sequence[int]) -> bytes:
    if kind == "empty":
        return b""
    rng = _rng(*key)
    if kind == "invalid":  # starts like a PNG, then garbage: PIL cannot decode it
        return b"\x89PNG\r\n\x1a\n" + rng.integers(0, 256, 120, dtype=np.uint8).tobytes()
    return png_bytes(rng.integers(0, 256, (30, 30), dtype=np.uint8))


def _notmnist_chunk(args: tuple) -> list[bytes]:
    spec, letter_index, start, stop = args
    letter = LETTERS[letter_index]
    good = spec.counts[letter_index]
    bad_here = [kind for bad_letter, kind in spec.bad if bad_letter == letter]
    out = []
    n_fonts = len(spec.fonts)
    for k in range(start, stop):
        key = (spec.seed, _NOTMNIST_TAG, k % n_fonts, k // n_fonts, letter_index)
        if k < good:
            out.append(png_bytes(render(letter, spec.fonts[k % n_fonts], _rng(*key), spec.style)))
        else:
            out.append(_bad_file(bad_here[k - good], key))
    return out


def _tar_info(name: str, size: int, *, directory: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = 0 if directory else size
    info.type = tarfile.DIRTYPE if directory else tarfile.REGTYPE
    info.mode = 0o755 if directory else 0o644
    info.mtime = 1315440000  # 2011-09-08, the day notMNIST was announced; fixed for reproducible bytes
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _pool(workers: int):
    return multiprocessing.get_context().Pool(workers)


def _default_workers() -> int:
    return usable_cpu_count()


def write_notmnist_archive(path: "str | os.PathLike[str]", spec: NotMNISTSpec, *, workers: Optional[int] = None,
                           compresslevel: int = 9, chunk: int = 1000,
                           progress: Optional[Callable[[int, int], None]] = None) -> dict:
    """Write a notMNIST-format ``.tar.gz``: ``<folder>/{A..J}/<name>.png``, atomically.

    Args:
        path: destination ``.tar.gz``.
        spec: counts, planted bad files, seed, fonts and style.
        workers: rendering processes; ``None`` = all CPUs, 1 = in this process. The bytes do
            not depend on it.
        compresslevel: gzip level (1 fastest, 9 smallest).
        chunk: images per task sent to a worker.
        progress: called as ``progress(done, total)`` after each chunk.

    Returns:
        A summary: ``files``, ``good``, ``bad`` (list of member names), ``bytes``, ``sha256``.
    """
    path = Path(path)
    check_font_split(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    workers = _default_workers() if workers is None else max(1, workers)
    tasks = []
    for li, letter in enumerate(LETTERS):
        n = spec.counts[li] + sum(1 for bad_letter, _ in spec.bad if bad_letter == letter)
        tasks.extend((spec, li, s, min(s + chunk, n)) for s in range(0, n, chunk))
    total = spec.total_files
    bad_names = []
    pool = _pool(workers) if workers > 1 else None
    try:
        results: Iterator[list[bytes]] = pool.imap(_notmnist_chunk, tasks) if pool else map(_notmnist_chunk, tasks)
        with atomic_writer(path) as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=compresslevel, mtime=0) as gz, \
                tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tar:
            tar.addfile(_tar_info(spec.folder, 0, directory=True))
            done = 0
            current = -1
            n_fonts = len(spec.fonts)
            for (_, li, start, _stop), blobs in zip(tasks, results):
                letter = LETTERS[li]
                if li != current:
                    tar.addfile(_tar_info(f"{spec.folder}/{letter}", 0, directory=True))
                    current = li
                for offset, blob in enumerate(blobs):
                    k = start + offset
                    name = f"{spec.folder}/{letter}/{spec.file_name(spec.fonts[k % n_fonts], k // n_fonts)}"
                    if k >= spec.counts[li]:
                        bad_names.append(name)
                    tar.addfile(_tar_info(name, len(blob)), io.BytesIO(blob))
                done += len(blobs)
                if progress is not None:
                    progress(done, total)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return {"files": total, "good": sum(spec.counts), "bad": bad_names,
            "bytes": path.stat().st_size, "sha256": sha256_file(path)}


# --------------------------------------------------------------------------- MNIST-format digits
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}


@dataclass(frozen=True)
class MNISTSpec:
    """What ``write_mnist`` writes.

    Attributes:
        train_per_class: training images per digit.
        test_per_class: test images per digit. Train and test use the same fonts with
            independent random distortions (MNIST's test writers are new people; here the
            distortions are new, the typefaces are not).
        seed: base seed.
        fonts: fonts to cycle through.
        style: distortion ranges.
    """

    train_per_class: int
    test_per_class: int
    seed: int = 0
    fonts: tuple[str, ...] = DIGIT_FONTS
    style: Style = field(default=MNIST_STYLE)


#: The embedded MNIST stand-in: 5,000 training and 1,000 test digits.
EMBEDDED_MNIST_SPEC = MNISTSpec(train_per_class=500, test_per_class=100, seed=1998)


def _mnist_chunk(args: tuple) -> np.ndarray:
    spec, tag, items = args
    n_fonts = len(spec.fonts)
    out = np.empty((len(items), _SIZE, _SIZE), dtype=np.uint8)
    for row, (digit, k) in enumerate(items):
        key = (spec.seed, tag, k % n_fonts, k // n_fonts, digit)
        out[row] = render(DIGITS[digit], spec.fonts[k % n_fonts], _rng(*key), spec.style)
    return out


def generate_mnist(spec: MNISTSpec, *, workers: int = 1) -> dict[str, np.ndarray]:
    """Render MNIST-format digits.

    Returns:
        ``{"train_images": uint8 (N, 28, 28), "train_labels": uint8 (N,), "test_images": ...,
        "test_labels": ...}``, each split shuffled by a fixed permutation (MNIST is not sorted by label).
    """
    out = {}
    for split, per_class, tag in (("train", spec.train_per_class, _MNIST_TRAIN_TAG),
                                  ("test", spec.test_per_class, _MNIST_TEST_TAG)):
        items = [(digit, k) for digit in range(10) for k in range(per_class)]
        order = _rng(spec.seed, tag, 99).permutation(len(items))
        items = [items[i] for i in order]
        chunks = [(spec, tag, items[s:s + 500]) for s in range(0, len(items), 500)]
        if workers > 1 and len(chunks) > 1:
            with _pool(workers) as pool:
                parts = pool.map(_mnist_chunk, chunks)
        else:
            parts = [_mnist_chunk(c) for c in chunks]
        out[f"{split}_images"] = np.concatenate(parts) if parts else np.zeros((0, _SIZE, _SIZE), np.uint8)
        out[f"{split}_labels"] = np.array([digit for digit, _ in items], dtype=np.uint8)
    return out


def write_mnist(folder: "str | os.PathLike[str]", spec: MNISTSpec, *, workers: int = 1) -> dict[str, Path]:
    """Write the four MNIST ``.gz`` IDX files (MNIST's own names) into ``folder``; returns their paths."""
    from course_utils.data.idx import write_idx

    folder = Path(folder)
    arrays = generate_mnist(spec, workers=workers)
    return {key: write_idx(folder / name, arrays[key]) for key, name in MNIST_FILES.items()}


# --------------------------------------------------------------------------- the embedded data
def _versions() -> dict[str, str]:
    import matplotlib
    import PIL

    return {"python": ".".join(map(str, sys.version_info[:2])), "numpy": np.__version__,
            "pillow": PIL.__version__, "matplotlib": matplotlib.__version__}


def generate_embedded(folder: "str | os.PathLike[str]", *, notmnist: NotMNISTSpec = EMBEDDED_NOTMNIST_SPEC,
                      mnist: MNISTSpec = EMBEDDED_MNIST_SPEC, workers: int = 1) -> dict:
    """Write the embedded offline data into ``folder`` and return its manifest.

    Files: ``<folder>/notMNIST_small.tar.gz``, ``<folder>/MNIST/<the four MNIST .gz files>`` and
    ``<folder>/MANIFEST.json`` (sizes, SHA-256, counts, the generator's settings and versions).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / f"{notmnist.folder}.tar.gz"
    summary = write_notmnist_archive(archive, notmnist, workers=workers)
    paths = write_mnist(folder / "MNIST", mnist, workers=workers)
    files = {}
    for path in [archive, *paths.values()]:
        files[path.relative_to(folder).as_posix()] = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
    manifest = {
        "generator": "make embedded (the instructor repository's generator of synthetic data)",
        "note": "Synthetic stand-ins rendered from matplotlib's fonts; NOT the real MNIST or notMNIST.",
        "files": files,
        "notMNIST_small": {"good": summary["good"], "bad": summary["bad"], "spec": asdict(notmnist)},
        "MNIST": {"train": 10 * mnist.train_per_class, "test": 10 * mnist.test_per_class, "spec": asdict(mnist)},
        "versions": _versions(),
    }

    atomic_write_bytes(folder / "MANIFEST.json", (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
    return manifest


def _default_folder() -> Path:
    from course_utils.env import repo_root

    repo = repo_root()
    if repo is None:
        raise SystemExit("No git clone found: pass --out FOLDER to choose where the embedded data goes.")
    return repo / "data" / "embedded"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.synth", description=(
        "Regenerate the embedded offline data (data/embedded) deterministically, check it, or write a "
        "full-size notMNIST_large-format archive for the benchmark."))
    parser.add_argument("--out", type=Path, default=None, help="folder to write (default: <repo>/data/embedded)")
    parser.add_argument("--check", action="store_true",
                        help="regenerate into a temporary folder and compare with the committed files")
    parser.add_argument("--large", type=Path, default=None, metavar="PATH.tar.gz",
                        help="write the 529,119-file notMNIST_large-format archive to PATH instead")
    parser.add_argument("--workers", type=int, default=None, help="rendering processes (default: all CPUs)")
    args = parser.parse_args(argv)
    workers = _default_workers() if args.workers is None else args.workers
    if args.large is not None:
        step = max(1, LARGE_SPEC.total_files // 20)
        marks = iter(range(step, LARGE_SPEC.total_files + step, step))
        state = {"next": next(marks)}

        def report(done: int, total: int) -> None:
            if done >= state["next"] or done == total:
                print(f"  {done:,}/{total:,} files", flush=True)
                while state["next"] <= done:
                    state["next"] = next(marks, total + 1)

        summary = write_notmnist_archive(args.large, LARGE_SPEC, workers=workers, compresslevel=6, chunk=2000,
                                         progress=report)
        print(f"Wrote {args.large}: {summary['files']:,} files ({summary['good']:,} good, {len(summary['bad'])} bad), "
              f"{summary['bytes']:,} bytes")
        return 0
    folder = args.out or _default_folder()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = generate_embedded(tmp, workers=workers)
        committed = json.loads((folder / "MANIFEST.json").read_text())
        same = fresh["files"] == committed["files"]
        actual = {name: sha256_file(folder / name) for name in committed["files"]}
        intact = all(actual[name] == info["sha256"] for name, info in committed["files"].items())
        print(f"committed files match their manifest: {intact}; regenerated bytes identical: {same}")
        if not same:
            print(f"(generated with {committed['versions']}, this environment has {fresh['versions']})")
        return 0 if (same and intact) else 1
    manifest = generate_embedded(folder, workers=workers)
    for name, info in manifest["files"].items():
        print(f"{folder / name}: {info['bytes']:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

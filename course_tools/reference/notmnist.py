"""notMNIST letters A-J as a torchvision-style ``Dataset``, with a uint8 cache and a font-wise split.

.. important:: Homework answer. Notebook 05 asks students to write their own notMNIST
   ``Dataset`` class. Everything that *is the answer* lives in this one file: scanning the
   class folders, finding bad files, the split by font, decoding PNGs, and the class itself.
   It lives in ``course_tools`` (never shipped to students); no module of ``course_utils``
   imports it. Do not move these helpers into ``course_utils``.

The class is a ``course_utils.data.base.ImageDataset`` (torchvision's argument order
``(root, split, transform, target_transform, download)``, ``embedded()``, ``description``,
batched ``get_batch``/``__getitems__``); it overrides ``prepare`` to find its data its own way.

The real archives (``notMNIST_small.tar.gz``: 18,724 readable images; ``notMNIST_large.tar.gz``:
529,114) hold ``notMNIST_<variant>/{A..J}/<base64 of a font file name>.png``: 28x28 8-bit
grayscale, light letter on a dark background; the letter folder is the label (A=0 ... J=9).

What the class does, once, at its first construction:

1. finds the data: a valid cache, else an extracted folder, else the ``.tar.gz`` (read as a
   stream, member by member: no 529k small files are written), else downloads the archive
   when ``download=True``, else raises an error that gives the exact call;
2. decodes every PNG (in parallel on all cores) and skips bad files (0 bytes, not a readable
   PNG, not 28x28), reporting them in ``bad_files``;
3. stores the images as one ``uint8`` array ``[N, 28, 28]`` (raw bytes, ``images.u8``) next to the labels
   and font names in ``<local data dir>/notMNIST_<variant>.cache/``, written to a temporary
   folder first and renamed into place. Later constructions load it (memory-mapped for
   ``large``, so 415 MB are read only as they are used): near instant.

The split is by font: the same file name appears in every letter folder (one font drew all ten
letters), so splitting files at random would test on fonts seen in training. Each font goes wholly
to one split, by notebook 05's rule (``course_tools.reference.fonts``, shared with the stand-in's
generator): the font of a file is its base64-decoded name (a name that is not base64 is its own
font); the fonts sorted by the SHA-256 of their name; the first ``round(test_fraction * fonts)`` are
test fonts, the next ``round(val_fraction * fonts)`` validation fonts (none by default), the rest
train fonts. With the defaults, ``split="train"``/``"test"`` hold exactly the images of the
notebook's ``NotMNISTDataset(folder, split)``.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import tarfile
import zlib
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence

import numpy as np
import torch
from PIL import Image

from course_tools.reference.fonts import TEST_FRACTION, font_of, split_fonts
from course_utils.data.archive import CappedTarInfo, HeaderRefused
from course_utils.data.base import ImageDataset, data_dirs, registry_fetch
from course_utils.plumbing.system import usable_cpu_count

LETTERS = "ABCDEFGHIJ"
VARIANTS = {"small": "notMNIST_small", "large": "notMNIST_large"}
SPLITS = ("train", "val", "test", "all")
#: Published sizes of the real archives, the only integrity check notMNIST has.
ARCHIVE_BYTES = {"small": 8_458_043, "large": 247_336_696}
CACHE_VERSION = 2
_SHAPE = (28, 28)
_PIXELS = 28 * 28
#: The cache's image file: raw uint8 bytes, shape [count, 28, 28] (count in meta.json).
IMAGES_FILE = "images.u8"
_PARALLEL_FROM = 4000  # fewer files than this are decoded in this process (a pool costs more)


# --------------------------------------------------------------------------- the split
def split_codes(file_names: Sequence[str], file_ids: np.ndarray, test_fraction: float = TEST_FRACTION,
                val_fraction: float = 0.0) -> np.ndarray:
    """Assign every image to train (0), val (1) or test (2) by its font (``course_tools.reference.fonts``).

    Args:
        file_names: file names (``"<base64>.png"``), bad files' included.
        file_ids: for each (readable) image, the index of its name in ``file_names``; only the fonts of these
            images take part in the split, as in the notebook, which splits the good files.
        test_fraction, val_fraction: shares of the fonts (see ``split_fonts``).

    Returns:
        ``uint8`` array, one code per image.
    """
    file_ids = np.asarray(file_ids, dtype=np.int64)
    used = np.unique(file_ids)
    fonts = {int(i): font_of(file_names[int(i)]) for i in used}
    side = split_fonts(fonts.values(), test_fraction, val_fraction)
    code_of = {"train": 0, "val": 1, "test": 2}
    code_by_id = np.zeros(len(file_names), dtype=np.uint8)
    for i, font in fonts.items():
        code_by_id[i] = code_of[side[font]]
    return code_by_id[file_ids]


# --------------------------------------------------------------------------- decoding and bad files
def decode_png(source) -> np.ndarray:
    """Decode one notMNIST image.

    Args:
        source: a path or the file's bytes.

    Returns:
        ``uint8`` array ``(28, 28)``.

    Raises:
        ValueError: the file is empty, not a readable image, or not 28x28; the message is the reason.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise ValueError("empty file (0 bytes)")
        import io

        handle = io.BytesIO(source)
    else:
        handle = source
    try:
        with Image.open(handle) as image:
            image.load()
            if image.size != _SHAPE:
                raise ValueError(f"size {image.size[0]}x{image.size[1]}, expected 28x28")
            if image.mode != "L":
                image = image.convert("L")
            return np.asarray(image)
    except ValueError:
        raise
    except (OSError, SyntaxError, EOFError, zlib.error) as exc:  # PIL's ways of saying "corrupt file"
        if not isinstance(source, (bytes, bytearray, memoryview)) and os.path.getsize(source) == 0:
            raise ValueError("empty file (0 bytes)") from None
        raise ValueError(f"not a readable PNG ({type(exc).__name__})") from None


def scan_folder(folder: "str | os.PathLike[str]") -> list[tuple[int, str]]:
    """List ``(label, file name)`` of every ``.png`` in ``folder/{A..J}``, sorted by label then name.

    Raises:
        FileNotFoundError: a letter folder is missing (a partial extraction).
    """
    folder = Path(folder)
    missing = [letter for letter in LETTERS if not (folder / letter).is_dir()]
    if missing:
        raise FileNotFoundError(f"{folder} lacks the letter folder(s) {', '.join(missing)}: the extraction is "
                                "incomplete. Delete the folder and extract (or download) the archive again.")
    items = []
    for label, letter in enumerate(LETTERS):
        names = sorted(name for name in os.listdir(folder / letter)
                       if name.endswith(".png") and not name.startswith("."))
        items.extend((label, name) for name in names)
    return items


# --------------------------------------------------------------------------- workers (module level: picklable)
def _decode_files_into(args: tuple) -> list[tuple[int, str]]:
    """Worker: decode ``folder/letter/name`` for consecutive rows and write them into the output file.

    The rows are decoded into a local array and written with one ``write`` at their offset (much
    cheaper than writing through a memory map, which faults in every page of a new file). Bad
    files leave a row of zeros and are returned as ``(row, reason)``.
    """
    out_path, folder, letter, names, first_row = args
    images = np.zeros((len(names), *_SHAPE), dtype=np.uint8)
    base = os.path.join(folder, letter)
    bad = []
    for offset, name in enumerate(names):
        try:
            images[offset] = decode_png(os.path.join(base, name))
        except ValueError as exc:
            bad.append((first_row + offset, str(exc)))
    with open(out_path, "r+b") as handle:  # each task owns its rows: no two writers overlap
        handle.seek(first_row * _PIXELS)
        handle.write(memoryview(images).cast("B"))
    return bad


def _decode_blobs(blobs: list[bytes]) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Worker: decode PNG bytes; returns the images (bad ones zero) and ``(position, reason)`` of bad ones."""
    images = np.zeros((len(blobs), *_SHAPE), dtype=np.uint8)
    bad = []
    for i, blob in enumerate(blobs):
        try:
            images[i] = decode_png(blob)
        except ValueError as exc:
            bad.append((i, str(exc)))
    return images, bad


def _workers(num_workers: Optional[int]) -> int:
    return max(1, int(num_workers)) if num_workers is not None else usable_cpu_count()


def _pool(workers: int):
    import multiprocessing

    return multiprocessing.get_context().Pool(workers)


# --------------------------------------------------------------------------- building the cache
def _write_cache_files(tmp: Path, *, image_rows: int, rows: np.ndarray, labels: np.ndarray, file_ids: np.ndarray,
                       file_names: list[str], bad: list, variant: str, source: dict) -> None:
    """Save the per-image arrays (one entry per readable image) and ``meta.json`` beside ``images.u8``.

    ``rows[k]`` is the row of image k in ``images.u8`` (bad files keep a zero row there, so nothing
    has to be moved after decoding), ``labels[k]`` its letter (0-9), ``file_ids[k]`` the index of
    its file name in ``file_names``.
    """
    np.save(tmp / "rows.npy", np.asarray(rows, dtype=np.int64))
    np.save(tmp / "labels.npy", np.asarray(labels, dtype=np.uint8))
    np.save(tmp / "file_ids.npy", np.asarray(file_ids, dtype=np.int32))
    counts = np.bincount(labels, minlength=len(LETTERS)).tolist() if len(labels) else [0] * len(LETTERS)
    meta = {"version": CACHE_VERSION, "variant": variant, "count": int(len(rows)), "image_rows": int(image_rows),
            "counts": counts, "file_names": file_names, "bad_files": bad, "source": source}
    (tmp / "meta.json").write_text(json.dumps(meta))


def build_cache_from_folder(folder: Path, tmp: Path, variant: str, workers: int) -> None:
    """Decode ``folder/{A..J}/*.png`` into ``tmp/images.u8`` (+ labels, names, meta) on ``workers`` processes.

    The parent lists one letter folder at a time and hands out its decoding while it lists the
    next, so listing overlaps decoding; workers write straight into the output file.
    """
    missing = [letter for letter in LETTERS if not (folder / letter).is_dir()]
    if missing:
        raise FileNotFoundError(f"{folder} lacks the letter folder(s) {', '.join(missing)}: the extraction is "
                                "incomplete. Delete the folder and extract (or download) the archive again.")
    out_path = tmp / IMAGES_FILE
    open(out_path, "wb").close()
    pool = None
    pending: list = []
    n = 0
    counts: list[int] = []
    names: list[str] = []
    file_ids: list[int] = []
    ids: dict[str, int] = {}
    try:
        for letter in LETTERS:
            entries = sorted(name for name in os.listdir(folder / letter)
                             if name.endswith(".png") and not name.startswith("."))
            if pool is None and workers > 1 and len(entries) * len(LETTERS) >= _PARALLEL_FROM:
                pool = _pool(workers)
            first = n
            n += len(entries)
            os.truncate(out_path, n * _PIXELS)
            step = 2000
            for start in range(0, len(entries), step):
                task = (str(out_path), str(folder), letter, entries[start:start + step], first + start)
                pending.append(pool.apply_async(_decode_files_into, (task,)) if pool else _decode_files_into(task))
            counts.append(len(entries))
            names.extend(entries)
            file_ids.extend([ids.setdefault(name, len(ids)) for name in entries])  # overlaps the decoding
        bad_rows = sorted(item for result in pending
                          for item in (result.get() if hasattr(result, "get") else result))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    if n == 0:
        raise FileNotFoundError(f"{folder} has letter folders but no .png files in them: delete it and extract "
                                "(or download) the archive again.")
    labels = np.repeat(np.arange(len(LETTERS), dtype=np.uint8), counts)
    good = np.ones(n, dtype=bool)
    good[[row for row, _ in bad_rows]] = False
    rows = np.flatnonzero(good)
    bad = [[f"{LETTERS[labels[row]]}/{names[row]}", reason] for row, reason in bad_rows]
    source = {"kind": "folder", "path": str(folder), "signature": _signature(folder)}
    _write_cache_files(tmp, image_rows=n, rows=rows, labels=labels[rows],
                       file_ids=np.asarray(file_ids, dtype=np.int32)[rows], file_names=list(ids), bad=bad,
                       variant=variant, source=source)


def _archive_members(path: Path, top: str, batch: int) -> Iterator[list[tuple[int, str, bytes]]]:
    """Stream ``(label, name, bytes)`` of ``top/{A..J}/*.png`` members, in batches, without extracting."""
    found = []
    with tarfile.open(path, mode="r|gz", tarinfo=CappedTarInfo) as tar:  # a header too large to read is refused
        for member in tar:
            if not member.isfile():
                continue
            parts = [p for p in member.name.split("/") if p not in ("", ".")]
            if (len(parts) != 3 or parts[0] != top or parts[1] not in LETTERS
                    or not parts[2].endswith(".png") or parts[2].startswith(".")):
                continue
            handle = tar.extractfile(member)
            data = handle.read() if handle is not None else b""
            found.append((LETTERS.index(parts[1]), parts[2], data))
            if len(found) >= batch:
                yield found
                found = []
    if found:
        yield found


def build_cache_from_archive(archive: Path, tmp: Path, variant: str, workers: int) -> None:
    """Decode the PNGs of a notMNIST ``.tar.gz`` as they stream out of it into ``tmp`` (+ labels, names, meta)."""
    top = VARIANTS[variant]
    raw_path = tmp / "unsorted.u8"
    labels: list[int] = []
    names: list[str] = []
    bad: list[list[str]] = []

    def consume(batch_items, result) -> None:
        images, bad_here = result
        bad_positions = {pos for pos, _ in bad_here}
        for pos, reason in bad_here:
            label, name, _ = batch_items[pos]
            bad.append([f"{LETTERS[label]}/{name}", reason])
        keep = [i for i in range(len(batch_items)) if i not in bad_positions]
        raw.write(images[keep].tobytes())
        labels.extend(batch_items[i][0] for i in keep)
        names.extend(batch_items[i][1] for i in keep)

    try:
        with open(raw_path, "wb") as raw:
            batches = _archive_members(archive, top, batch=2000)
            if workers > 1:
                pending: collections.deque = collections.deque()
                with _pool(workers) as pool:
                    for batch_items in batches:
                        pending.append((batch_items, pool.apply_async(_decode_blobs, ([b for _, _, b in batch_items],))))
                        while len(pending) > 2 * workers:
                            done_items, result = pending.popleft()
                            consume(done_items, result.get())
                    while pending:
                        done_items, result = pending.popleft()
                        consume(done_items, result.get())
            else:
                for batch_items in batches:
                    consume(batch_items, _decode_blobs([b for _, _, b in batch_items]))
    except (tarfile.TarError, EOFError, zlib.error, OSError, HeaderRefused) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # a real I/O error (disk full, permission denied), not a damaged archive
        size = archive.stat().st_size if archive.exists() else 0
        raise ValueError(
            f"{archive} is truncated or damaged ({type(exc).__name__}: {exc}). It has {size:,} bytes; the real "
            f"{top}.tar.gz has {ARCHIVE_BYTES[variant]:,}. Delete it and download it again with "
            f"NotMNIST(variant={variant!r}, download=True).") from None
    if not names and not bad:
        raise ValueError(f"{archive} holds no {top}/A..J/*.png files: is it the {top} archive? Delete it and "
                         f"download it again with NotMNIST(variant={variant!r}, download=True).")
    n = len(names)
    order = sorted(range(n), key=lambda i: (labels[i], names[i]))
    order_arr = np.asarray(order, dtype=np.int64)
    with open(tmp / IMAGES_FILE, "wb") as final:
        if n:
            unsorted = np.memmap(raw_path, dtype=np.uint8, mode="r", shape=(n, *_SHAPE))
            for start in range(0, n, 65536):
                final.write(unsorted[order_arr[start:start + 65536]].tobytes())
            del unsorted
    raw_path.unlink()
    bad.sort()
    stat = archive.stat()
    source = {"kind": "archive", "path": str(archive), "signature": [stat.st_size, stat.st_mtime_ns]}
    sorted_names = [names[i] for i in order]
    ids: dict[str, int] = {}
    file_ids = np.fromiter((ids.setdefault(name, len(ids)) for name in sorted_names), dtype=np.int32, count=n)
    _write_cache_files(tmp, image_rows=n, rows=np.arange(n), labels=np.asarray([labels[i] for i in order], np.uint8),
                       file_ids=file_ids, file_names=list(ids), bad=bad, variant=variant, source=source)


def _signature(folder: Path) -> list:
    """Cheap fingerprint of an extracted folder: the modification time of each letter folder."""
    return [os.stat(folder / letter).st_mtime_ns if (folder / letter).is_dir() else None for letter in LETTERS]


def _source_changed(source: dict) -> bool:
    path = Path(source.get("path", ""))
    if not path.exists():
        return False  # the cache outlives the download or the extracted folder: keep using it
    if source.get("kind") == "folder":
        return _signature(path) != source.get("signature")
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns] != source.get("signature")


def _load_cache(cache: Path, variant: str, mmap: bool) -> Optional[dict]:
    """The cache's arrays and metadata, or ``None`` when it is missing, stale or from another version."""
    try:
        meta = json.loads((cache / "meta.json").read_text())
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None
    if meta.get("version") != CACHE_VERSION or meta.get("variant") != variant:
        return None
    n, image_rows = meta.get("count"), meta.get("image_rows")
    try:
        if (cache / IMAGES_FILE).stat().st_size != image_rows * _PIXELS:
            return None
        if image_rows == 0:
            images = np.zeros((0, *_SHAPE), dtype=np.uint8)
        elif mmap:
            images = np.asarray(np.memmap(cache / IMAGES_FILE, dtype=np.uint8, mode="r", shape=(image_rows, *_SHAPE)))
        else:
            images = np.fromfile(cache / IMAGES_FILE, dtype=np.uint8).reshape(image_rows, *_SHAPE)
        rows = np.load(cache / "rows.npy")
        labels = np.load(cache / "labels.npy")
        file_ids = np.load(cache / "file_ids.npy")
    except (OSError, ValueError, TypeError):
        return None
    if rows.shape != (n,) or labels.shape != (n,) or file_ids.shape != (n,):
        return None
    return {"meta": meta, "images": images, "rows": rows, "labels": labels, "file_ids": file_ids}


def _fresh_tmp(cache: Path) -> Path:
    tmp = cache.with_name(f".{cache.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    return tmp


def _install(tmp: Path, cache: Path) -> None:
    if cache.exists():
        shutil.rmtree(cache)
    os.replace(tmp, cache)


# --------------------------------------------------------------------------- the Dataset
class NotMNIST(ImageDataset):
    """notMNIST letters A-J (labels 0-9), split by font, served from a uint8 cache.

    Args (torchvision's order, then keywords):
        root: folder holding ``notMNIST_<variant>.tar.gz`` and/or the extracted
            ``notMNIST_<variant>/``; the cache goes there too. Kept as ``self.root``. ``None``:
            archives in the course's ``data_dir`` (on Drive when mounted on Colab), extracted
            folders and the cache in ``local_data_dir`` (local disk).
        split: ``"train"``, ``"val"``, ``"test"`` (by font; see ``test_fraction``) or ``"all"``.
        transform: called on each image tensor (float32 ``[1, 28, 28]`` in [0, 1]).
        target_transform: called on each label (``int``).
        download: download the archive when nothing is found (its byte size is checked).
        variant: ``"small"`` (18,724 images, hand-cleaned) or ``"large"`` (529,114, uncleaned).
        source: ``"real"`` or ``"embedded"`` (the synthetic offline sample shipped in
            ``data/embedded``, ``small`` only; kept in memory, no cache is written).
        test_fraction: share of the fonts in the test split (notebook 05's rule and default, 0.2).
        val_fraction: share of the fonts in the validation split, taken after the test fonts in the split's
            order (0 by default: ``split="val"`` then needs a ``val_fraction``).
        cache: keep the decoded images on disk for the next construction.
        rebuild: ignore an existing cache and decode everything again.
        mmap: memory-map the cache instead of reading it; ``None``: only for ``large``.
        num_workers: decoding processes; ``None``: all CPUs.
        verbose: print a line when a cache is built (never when one is loaded).

    Attributes:
        classes: ``["A", ..., "J"]``.
        targets: ``int64`` tensor of this split's labels.
        bad_files: ``[(path, reason)]`` of the files skipped, e.g.
            ``("A/Um9tYW5h....png", "empty file (0 bytes)")``; the same for every split.
        cache_dir: where the cache is (``None`` without one).
        origin: the folder or archive the images were decoded from.
        description: one line saying which data this is.

    ``dataset[i]`` is ``(image float32 [1, 28, 28] in [0, 1], label int)``; ``get_batch(indices)``
    returns a batch at once, and ``__getitems__`` lets ``DataLoader`` use it.
    """

    title = "notMNIST"
    classes = list(LETTERS)
    splits = SPLITS
    embedded_contents = "images of letters rendered from fonts"

    def __init__(self, root: "str | os.PathLike[str] | None" = None, split: str = "train",
                 transform: Optional[Callable] = None, target_transform: Optional[Callable] = None,
                 download: bool = False, *, variant: str = "small", source: str = "real",
                 test_fraction: float = TEST_FRACTION, val_fraction: float = 0.0, cache: bool = True,
                 rebuild: bool = False,
                 mmap: Optional[bool] = None, num_workers: Optional[int] = None, verbose: bool = True) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"variant={variant!r} is not a notMNIST variant: use 'small' or 'large'.")
        if source == "embedded" and variant != "small":
            raise ValueError("The embedded sample has the notMNIST_small layout only: use variant='small' "
                             "with source='embedded', or source='real' for notMNIST_large.")
        self.variant = variant
        split_fonts([], test_fraction, val_fraction)  # checks the fractions before any work
        if split == "val" and not val_fraction > 0:
            raise ValueError("split='val' needs validation fonts: pass val_fraction, e.g. "
                             "NotMNIST(..., split='val', val_fraction=0.1) (the default splits train/test as notebook 05).")
        self.test_fraction, self.val_fraction = float(test_fraction), float(val_fraction)
        self._options = {"cache": cache, "rebuild": rebuild, "mmap": (variant == "large") if mmap is None else mmap,
                         "workers": _workers(num_workers), "verbose": verbose}
        super().__init__(root, split, transform, target_transform, download, source=source)

    # ------------------------------------------------------------------ finding and building
    def prepare(self, download: bool) -> None:
        """Load the cache, or find the folder/archive (downloading it if asked) and build the cache."""
        options = self._options
        folder_name = VARIANTS[self.variant]
        if self.is_embedded:
            archive_dir = local_dir = self.base_dir()
            cache = False
        else:
            archive_dir, local_dir = data_dirs(self.root)
            cache = options["cache"]
        self.cache_dir: Optional[Path] = local_dir / f"{folder_name}.cache" if cache else None

        loaded = None
        if self.cache_dir is not None and not options["rebuild"]:
            loaded = _load_cache(self.cache_dir, self.variant, options["mmap"])
            if loaded is not None and _source_changed(loaded["meta"]["source"]):
                if options["verbose"]:
                    print(f"{loaded['meta']['source']['path']} changed since the cache was built: rebuilding it.")
                loaded = None
        if loaded is None:
            builder, origin = self._find_source(archive_dir, local_dir, folder_name, download)
            loaded = self._build(builder, origin, options["workers"], options["mmap"], options["verbose"])

        meta = loaded["meta"]
        self._images: np.ndarray = loaded["images"]
        # a memory-mapped cache is re-opened, not copied, when the dataset is pickled (spawned workers)
        self._mmap_file = self.cache_dir / IMAGES_FILE if (options["mmap"] and self.cache_dir is not None) else None
        self._file_names: list[str] = meta["file_names"]
        self.folder = Path(meta["source"]["path"])
        self.bad_files = [tuple(item) for item in meta["bad_files"]]
        # per image of this split: its row in the uint8 array, its label, its file name's index
        self._rows, self._labels, self._file_ids = loaded["rows"], loaded["labels"], loaded["file_ids"]
        if self.split != "all":
            codes = split_codes(self._file_names, self._file_ids, self.test_fraction, self.val_fraction)
            chosen = np.flatnonzero(codes == SPLITS.index(self.split))
            self._rows, self._labels, self._file_ids = self._rows[chosen], self._labels[chosen], self._file_ids[chosen]
        self.targets = torch.from_numpy(self._labels.astype(np.int64))

    def _find_source(self, archive_dir: Path, local_dir: Path, folder_name: str, download: bool):
        folders = [local_dir / folder_name] + ([archive_dir / folder_name] if archive_dir != local_dir else [])
        for folder in folders:
            if all((folder / letter).is_dir() for letter in LETTERS):
                return build_cache_from_folder, folder
        archives = [archive_dir / f"{folder_name}.tar.gz"]
        if local_dir != archive_dir:
            archives.append(local_dir / f"{folder_name}.tar.gz")
        for archive in archives:
            if archive.is_file():
                return build_cache_from_archive, archive
        if self.source == "embedded":
            raise FileNotFoundError(f"The embedded notMNIST sample is missing from {archives[0]}. Restore it with "
                                    "`git checkout data/embedded` or regenerate it: python -m course_tools.synth")
        if not download:
            call = self.call_text(variant=self.variant)
            size_mb = ARCHIVE_BYTES[self.variant] / 1e6
            raise FileNotFoundError(
                f"notMNIST_{self.variant} is not here: looked for the folder {folders[0]} and the archive "
                f"{archives[0]}.\nDownload it ({size_mb:,.0f} MB, checked by its byte size): {call}\n"
                f"Or use the small offline sample that ships with the course: NotMNIST.embedded({self.split_arguments_text()})")
        files = registry_fetch(f"notmnist_{self.variant}", archive_dir)
        for path in [*files.values(), archives[0]]:
            if path.name.endswith(".tar.gz") and path.is_file():
                return build_cache_from_archive, path
            if path.is_dir() and all((path / letter).is_dir() for letter in LETTERS):
                return build_cache_from_folder, path
            if path.is_dir() and all((path / folder_name / letter).is_dir() for letter in LETTERS):
                return build_cache_from_folder, path / folder_name
        raise FileNotFoundError(f"The notMNIST_{self.variant} download finished but no archive is in {archive_dir}: "
                                "delete any partial files there and try again.")

    def _build(self, builder, origin: Path, workers: int, mmap: bool, verbose: bool) -> dict:
        import tempfile

        announce = verbose and self.source != "embedded"
        if announce:
            how = "decoding the archive as it streams" if builder is build_cache_from_archive else "decoding the PNGs"
            print(f"Building the notMNIST_{self.variant} cache from {origin} ({how}, once)...", flush=True)
        if self.cache_dir is None:
            with tempfile.TemporaryDirectory() as tmp:
                builder(origin, Path(tmp), self.variant, workers)
                loaded = _load_cache(Path(tmp), self.variant, mmap=False)
        else:
            self.cache_dir.parent.mkdir(parents=True, exist_ok=True)
            tmp = _fresh_tmp(self.cache_dir)
            try:
                builder(origin, tmp, self.variant, workers)
                _install(tmp, self.cache_dir)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            loaded = _load_cache(self.cache_dir, self.variant, mmap)
        if loaded is None:
            raise RuntimeError(f"The notMNIST cache just built in {self.cache_dir} cannot be read back: delete it and "
                               "try again (is the disk full?).")
        if announce:
            meta = loaded["meta"]
            shown = ", ".join(f"{path} ({reason})" for path, reason in meta["bad_files"][:5])
            more = f" and {len(meta['bad_files']) - 5} more" if len(meta["bad_files"]) > 5 else ""
            print(f"Cached {meta['count']:,} images in {self.cache_dir}; skipped {len(meta['bad_files'])} bad "
                  f"file(s){': ' + shown + more if shown else ''}.")
        return loaded

    # ------------------------------------------------------------------ describing itself
    @property
    def real_title(self) -> str:
        return f"notMNIST_{self.variant}"

    @property
    def origin(self) -> str:
        return str(self.folder)

    def description_details(self) -> str:
        return f", {len(self.bad_files)} bad file(s) skipped"

    def __repr__(self) -> str:
        return (f"NotMNIST(source={self.source!r}, variant={self.variant!r}, split={self.split!r}, n={len(self):,}, "
                f"bad_files={len(self.bad_files)}, cache_dir={str(self.cache_dir) if self.cache_dir else None!r})")

    def path_of(self, index: int) -> str:
        """``"<letter>/<file name>"`` of sample ``index`` in this split."""
        return f"{LETTERS[self._labels[index]]}/{self._file_names[self._file_ids[index]]}"

    def font_of(self, index: int) -> str:
        """The font (the split key) of sample ``index``."""
        return font_of(self._file_names[self._file_ids[index]])

    # ------------------------------------------------------------------ pickling (DataLoader workers)
    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        if self._mmap_file is not None:
            state["_images"] = tuple(self._images.shape)  # re-mapped by __setstate__, never pickled
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if isinstance(self._images, tuple):
            self._images = np.asarray(np.memmap(self._mmap_file, dtype=np.uint8, mode="r", shape=self._images))

"""Where am I running, where do files go, and which device do I use?

``setup()`` answers all of it in one call and prints one line. Everything here is free of side
effects at import: Colab detection only looks, and Google Drive is mounted only when you ask
(``setup(mount_drive=True)`` or ``mount_drive()``).

Environment variables (all optional):

=========================== ==========================================================
``COURSE_ROOT``             the course folder; wins over every other rule
``COURSE_DATA_DIR``         where datasets are downloaded (default ``<root>/data``)
``COURSE_CHECKPOINT_DIR``   where ``fit`` saves checkpoints (default ``<root>/checkpoints``)
``COURSE_COLAB``            ``1``/``0`` forces the answer of ``in_colab()`` (tests use it)
``COURSE_DEVICE``           ``cpu``/``cuda``/``mps`` forces the device (``make test`` uses cpu)
``COURSE_NUM_WORKERS``      forces the DataLoader worker default
``COURSE_DRIVE_MOUNTPOINT`` where Drive is mounted on Colab (default ``/content/drive``)
``COURSE_COLAB_CONTENT``    Colab's working folder (default ``/content``)
=========================== ==========================================================
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ._config import COURSE_DIRNAME
from .messages import set_language, text
from .plumbing.system import usable_cpu_count

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

#: The environment set by the last ``setup()`` call (``None`` before the first one).
_current: Optional["CourseEnv"] = None


# --------------------------------------------------------------------------- Colab and Drive
def _env_flag(name: str) -> Optional[bool]:
    value = os.environ.get(name)
    if value is None:
        return None
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}={os.environ[name]!r} is not understood: set it to 1 or 0.")


def in_colab() -> bool:
    """True when running in a Google Colab runtime.

    Looks without side effects, in this order: the ``COURSE_COLAB`` override; an already
    imported ``google.colab``; Colab's own environment variables; whether ``google.colab``
    could be imported (it is not imported).
    """
    forced = _env_flag("COURSE_COLAB")
    if forced is not None:
        return forced
    if "google.colab" in sys.modules:
        return True
    if os.environ.get("COLAB_RELEASE_TAG") or os.environ.get("COLAB_BACKEND_VERSION"):
        return True
    try:
        return importlib.util.find_spec("google.colab") is not None
    except (ImportError, ValueError):
        return False


def colab_content_dir() -> Path:
    """Colab's working folder, ``/content`` (where ``os.getcwd()`` points in a new runtime)."""
    return Path(os.environ.get("COURSE_COLAB_CONTENT", "/content"))


def drive_mountpoint() -> Path:
    """Where Google Drive is (or would be) mounted on Colab: ``/content/drive``."""
    return Path(os.environ.get("COURSE_DRIVE_MOUNTPOINT", str(colab_content_dir() / "drive")))


def drive_course_dir() -> Path:
    """The course folder on a mounted Drive: ``/content/drive/MyDrive/<course>``."""
    return drive_mountpoint() / "MyDrive" / COURSE_DIRNAME


def drive_mounted() -> bool:
    """True when Drive is mounted (its ``MyDrive`` folder exists)."""
    return (drive_mountpoint() / "MyDrive").is_dir()


def mount_drive(*, force_remount: bool = False, verbose: bool = True) -> Optional[Path]:
    """Mount Google Drive on Colab and return the course folder on it, or ``None``.

    Idempotent: a second call does nothing when Drive is already mounted. Never raises for a
    failed mount: it prints why and what to try, and the course continues with local storage
    (files there vanish when the Colab runtime is recycled).
    """
    return _mount_drive(force_remount=force_remount, verbose=verbose)


def _mount_drive(*, force_remount: bool, verbose: bool) -> Optional[Path]:
    if not in_colab():
        if verbose:
            print(text("drive.not_colab"))
        return None
    if drive_mounted() and not force_remount:
        course = drive_course_dir()
        course.mkdir(parents=True, exist_ok=True)
        return course
    try:
        from google.colab import drive  # only importable on Colab

        drive.mount(str(drive_mountpoint()), force_remount=force_remount)
    except Exception as exc:  # any failure: say why, keep going locally
        if verbose:
            print(text("drive.failed", error=f"{type(exc).__name__}: {exc}"))
        return None
    if not drive_mounted():
        if verbose:
            print(text("drive.missing", folder=drive_mountpoint() / "MyDrive"))
        return None
    course = drive_course_dir()
    course.mkdir(parents=True, exist_ok=True)
    if verbose:
        print(text("drive.mounted", folder=course))
    return course


# --------------------------------------------------------------------------- paths
def repo_root() -> Optional[Path]:
    """The git clone this package runs from, or ``None`` when it is installed as a package.

    A clone is recognised by ``pyproject.toml`` and ``notebooks/`` next to the package folder;
    a folder inside ``site-packages`` never counts.
    """
    here = Path(__file__).resolve().parent.parent
    if "site-packages" in here.parts or "dist-packages" in here.parts:
        return None
    if (here / "pyproject.toml").is_file() and (here / "notebooks").is_dir():
        return here
    return None


def resolve_root(colab: Optional[bool] = None) -> tuple[Path, str]:
    """The course root and a short reason, independent of the working directory.

    Order: ``COURSE_ROOT``; on Colab the Drive course folder when Drive is mounted; the clone
    the package runs from; otherwise ``/content/<course>`` on Colab or ``~/<course>``.
    """
    override = os.environ.get("COURSE_ROOT")
    if override:
        return Path(override).expanduser().resolve(), "COURSE_ROOT"
    colab = in_colab() if colab is None else colab
    if colab and drive_mounted():
        return drive_course_dir(), "Google Drive"
    repo = repo_root()
    if repo is not None:
        return repo, "repository clone"
    if colab:
        return colab_content_dir() / COURSE_DIRNAME, "Colab local disk"
    return Path.home() / COURSE_DIRNAME, "home folder"


def _dir_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def embedded_data_dir() -> Path:
    """The small offline datasets committed in the repository (``<clone>/data/embedded``).

    Raises ``FileNotFoundError`` with the fix when the package was installed without a clone.
    """
    repo = repo_root()
    if repo is None or not (repo / "data" / "embedded").is_dir():
        raise FileNotFoundError(
            "The course's embedded offline data ships with the git repository, not with the pip package. "
            "Run the notebook's first cell (on Colab it clones the repository), or clone it yourself: "
            "git clone <repository URL> && cd <folder> && make lab"
        )
    return repo / "data" / "embedded"


def course_path(*parts: "str | os.PathLike[str]") -> Path:
    """Join ``parts`` under the course root, whatever the working directory is.

    ``course_path("data", "notMNIST_small")`` is the ``os.path.join`` lesson of the study notes
    done once: on Colab the working directory is ``/content``, so a bare relative path like
    ``"data/x.png"`` points somewhere else than your files. Parts must be relative.
    """
    for part in parts:
        if Path(part).is_absolute():
            raise ValueError(
                f"course_path() joins parts under the course root, but {str(part)!r} is an absolute path. "
                "Pass relative parts such as course_path('data', 'images'), or use the absolute path directly."
            )
    root = _current.root if _current is not None else resolve_root()[0]
    return root.joinpath(*parts)


# --------------------------------------------------------------------------- workers and seeds
def default_num_workers(cpu_count: Optional[int] = None, platform: str = sys.platform,
                        colab: Optional[bool] = None, start_method: Optional[str] = None) -> int:
    """A DataLoader ``num_workers`` default for this machine.

    - 0 on Windows, and wherever worker processes are started by ``spawn``/``forkserver``
      (macOS): those re-import the notebook, and a Dataset class defined in a notebook cell
      cannot be found there.
    - On Colab at most 2: its free runtime has 2 vCPUs, and more workers only add overhead.
    - Elsewhere the number of usable CPUs, at most 4.
    ``COURSE_NUM_WORKERS`` overrides the rule.
    """
    forced = os.environ.get("COURSE_NUM_WORKERS")
    if forced is not None:
        try:
            return max(0, int(forced))
        except ValueError:
            raise ValueError(f"COURSE_NUM_WORKERS={forced!r} must be a whole number such as 0 or 2.") from None
    if platform.startswith("win"):
        return 0
    if start_method is None:
        start_method = multiprocessing.get_start_method(allow_none=True) or multiprocessing.get_context().get_start_method()
    if start_method != "fork":
        return 0
    if cpu_count is None:
        cpu_count = usable_cpu_count()
    colab = in_colab() if colab is None else colab
    return max(0, min(cpu_count, 2 if colab else 4))


def seed_everything(seed: int) -> int:
    """Seed Python's ``random``, NumPy and PyTorch (CPU and every GPU) with ``seed``; returns it."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return seed


# --------------------------------------------------------------------------- setup
@dataclass
class CourseEnv:
    """What ``setup()`` found. Printed as one line.

    Attributes:
        in_colab: running on Google Colab.
        drive_mounted: Google Drive is mounted (Colab only).
        root: the course folder; ``course_path()`` joins under it.
        root_source: why that root was chosen (``"repository clone"``, ``"Google Drive"``, ...).
        data_dir: where datasets are downloaded (``<root>/data``).
        local_data_dir: fast local disk for extracted datasets: equal to ``data_dir`` except on
            Colab with Drive mounted, where archives stay on Drive and are extracted here.
        checkpoint_dir: where ``fit`` writes checkpoints (on Drive when mounted).
        device: the ``torch.device`` to train on.
        num_workers: a DataLoader ``num_workers`` default for this machine.
        seed: the seed applied to ``random``, NumPy and PyTorch.
    """

    in_colab: bool
    drive_mounted: bool
    root: Path
    root_source: str
    data_dir: Path
    local_data_dir: Path
    checkpoint_dir: Path
    device: "object"  # torch.device; kept untyped so this module imports without torch
    num_workers: int
    seed: Optional[int]
    notes: list = field(default_factory=list, repr=False)

    def __str__(self) -> str:
        where = "Colab" + (" + Drive" if self.drive_mounted else "") if self.in_colab else text("setup.local")
        workers = text("setup.workers.one" if self.num_workers == 1 else "setup.workers.many", n=self.num_workers)
        return text("setup.summary", version=_version(), where=where, device=self.device, workers=workers,
                    seed=self.seed, root=self.root)

    __repr__ = __str__


def _version() -> str:
    from ._version import __version__

    return __version__


def setup(*, seed: Optional[int] = 42, device: Optional[str] = None, mount_drive: bool = False,
          quiet: bool = False, lang: Optional[str] = None) -> CourseEnv:
    """The one call at the top of every notebook.

    Args:
        lang: the language of every later message (``"en"``, ``"ko"``): each notebook's setup cell names its
            own. ``None`` keeps the current choice (``COURSE_LANG``, else English). See ``course_utils.messages``.
        seed: applied to ``random``, NumPy and PyTorch; ``None`` leaves the generators alone.
        device: ``None`` picks CUDA, then MPS, then CPU; ``"cuda"``/``"mps"``/``"cpu"`` requires
            that device and raises with instructions when it is missing.
        mount_drive: on Colab, mount Google Drive first so files survive the runtime (opt-in).
        quiet: do not print the summary line.

    Returns:
        A ``CourseEnv``; its folders exist when this returns.
    """
    global _current
    from .device import pick_device

    if lang is not None:
        set_language(lang)

    colab = in_colab()
    notes = []
    if mount_drive:
        _mount_drive(force_remount=False, verbose=not quiet)
    mounted = colab and drive_mounted()
    root, source = resolve_root(colab)
    data_dir = _dir_from_env("COURSE_DATA_DIR", root / "data")
    checkpoint_dir = _dir_from_env("COURSE_CHECKPOINT_DIR", root / "checkpoints")
    if colab and mounted and source == "Google Drive":
        local_data_dir = colab_content_dir() / COURSE_DIRNAME / "data"
    else:
        local_data_dir = data_dir
    for folder in (data_dir, local_data_dir, checkpoint_dir):
        folder.mkdir(parents=True, exist_ok=True)
    dev = pick_device(device)
    # The hint only when the device was picked automatically: not when device="cpu" or
    # COURSE_DEVICE=cpu asked for the CPU on purpose.
    automatic = device is None and not os.environ.get("COURSE_DEVICE")
    if colab and dev.type == "cpu" and automatic:
        notes.append(text("setup.no_gpu"))
    if seed is not None:
        seed_everything(seed)
    env = CourseEnv(in_colab=colab, drive_mounted=mounted, root=root, root_source=source,
                    data_dir=data_dir, local_data_dir=local_data_dir, checkpoint_dir=checkpoint_dir,
                    device=dev, num_workers=default_num_workers(colab=colab), seed=seed, notes=notes)
    _current = env
    if not quiet:
        print(env)
        for note in notes:
            print(note)
    return env


def current_env() -> CourseEnv:
    """The environment of the last ``setup()`` call, or a quiet ``setup(seed=None)`` if none ran."""
    return _current if _current is not None else setup(seed=None, quiet=True)

"""Checkpoints that survive a dead runtime: atomic writes, exact resumption, safe loading.

A checkpoint is one ``.pt`` file holding the model, optimizer, grad scaler and scheduler
states, the number of finished epochs, the ``History`` so far and every random-number
generator state (Python, NumPy, PyTorch CPU/CUDA/MPS and the data loaders' own generators).
Restoring all of it makes the next epoch draw exactly the same random numbers as an
uninterrupted run would have, so ``fit(..., resume=True)`` continues where it stopped.

Writes go to a temporary file in the same folder, are flushed to disk, then renamed over the
old file (``os.replace`` is atomic): a crash mid-write leaves the previous checkpoint intact.
Files are read with ``torch.load(weights_only=True)``, which cannot run code hidden in a file.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Iterable, Optional, Union

import numpy as np
import torch

from ..plumbing.files import atomic_writer

#: Bumped when the layout of the saved dictionary changes.
FORMAT_VERSION = 1

PathLike = Union[str, "os.PathLike[str]"]


class CheckpointError(RuntimeError):
    """A checkpoint cannot be read or does not fit the model/optimizer given (the message says what to do)."""


def checkpoint_path(checkpoint, checkpoint_dir: Optional[PathLike], model: torch.nn.Module) -> Optional[Path]:
    """Where ``fit`` keeps its checkpoint, or ``None`` for no checkpoint.

    Args:
        checkpoint: ``None`` or ``False`` for none (nothing is written); ``True`` for
            ``<checkpoint_dir>/<model class, lower case>.pt``; a bare name such as ``"mlp"`` for
            ``<checkpoint_dir>/mlp.pt``; a path with a folder or a ``.pt``/``.pth`` suffix is used
            as it is (relative to ``checkpoint_dir`` when that is given).
        checkpoint_dir: the folder (default: ``course_utils.env.current_env().checkpoint_dir``,
            which is on Google Drive when it is mounted on Colab).
        model: used for the default name.

    Returns:
        The file path (its folder is created), or ``None`` when ``checkpoint`` is ``None``/``False``.
    """
    if checkpoint is None or checkpoint is False:
        return None
    if checkpoint is not True and not isinstance(checkpoint, (str, os.PathLike)):
        raise TypeError(f"checkpoint must be a name such as 'mlp', a path, True (a name from the model's class) or "
                        f"None/False (no checkpoint); got {checkpoint!r}.")
    if checkpoint is True:
        checkpoint = None
    name = Path(checkpoint) if checkpoint is not None else Path(type(model).__name__.lower())
    if name.is_absolute() or len(name.parts) > 1 or name.suffix in (".pt", ".pth", ".ckpt"):
        path = name.expanduser()
        if not path.is_absolute() and checkpoint_dir is not None:
            path = Path(checkpoint_dir).expanduser() / path
    else:
        if checkpoint_dir is None:
            from ..env import current_env

            checkpoint_dir = current_env().checkpoint_dir
        path = Path(checkpoint_dir).expanduser() / f"{name}.pt"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------------------- atomic file writes
def atomic_save(obj: object, path: PathLike) -> Path:
    """``torch.save(obj)`` to ``path`` atomically (``course_utils.plumbing.files.atomic_writer``).

    If anything fails (disk full, Ctrl+C, a dead runtime) the previous file at ``path`` is untouched
    and the temporary file is removed (after a hard crash a hidden ``.<name>.*.tmp`` may be left).
    """
    with atomic_writer(path) as handle:
        torch.save(obj, handle)
    return Path(path)


# --------------------------------------------------------------------------- random states
def loader_generators(*loaders) -> list[torch.Generator]:
    """The ``torch.Generator`` objects a data loader shuffles with (its own, its sampler's), without duplicates."""
    found: list[torch.Generator] = []
    for loader in loaders:
        if loader is None:
            continue
        candidates = [getattr(loader, "generator", None), getattr(loader, "_generator", None)]
        sampler = getattr(loader, "sampler", None)
        candidates.append(getattr(sampler, "generator", None))
        batch_sampler = getattr(loader, "batch_sampler", None)
        candidates.append(getattr(getattr(batch_sampler, "sampler", None), "generator", None))
        for gen in candidates:
            if isinstance(gen, torch.Generator) and all(gen is not seen for seen in found):
                found.append(gen)
    return found


def capture_rng(generators: Iterable[torch.Generator] = ()) -> dict:
    """Every random state as tensors and plain numbers (loadable with ``weights_only=True``)."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    state = {
        "python": random.getstate(),
        "numpy": {"name": name, "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        "torch": torch.get_rng_state(),
        "generators": [gen.get_state() for gen in generators],
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    mps = getattr(torch, "mps", None)
    if mps is not None and getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        state["mps"] = mps.get_rng_state()
    return state


def restore_rng(state: dict, generators: Iterable[torch.Generator] = ()) -> None:
    """Undo ``capture_rng``: set every generator back to the saved state."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    numpy_state = state["numpy"]
    np.random.set_state((numpy_state["name"], numpy_state["keys"].numpy().astype(np.uint32), numpy_state["pos"],
                         numpy_state["has_gauss"], numpy_state["cached_gaussian"]))
    torch.set_rng_state(state["torch"])
    generators = list(generators)
    saved = state.get("generators", [])
    for gen, gen_state in zip(generators, saved):
        gen.set_state(gen_state)
    if "cuda" in state and torch.cuda.is_available():
        cuda_states = state["cuda"]
        if len(cuda_states) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(cuda_states)
    if "mps" in state and getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        torch.mps.set_rng_state(state["mps"])


# --------------------------------------------------------------------------- save / load
def build_checkpoint(*, model: torch.nn.Module, optimizer: torch.optim.Optimizer, epoch: int, epochs: int,
                     history_state: dict, scaler=None, scheduler=None,
                     generators: Iterable[torch.Generator] = ()) -> dict:
    """The dictionary ``fit`` writes after each epoch (see the module docstring)."""
    return {
        "format_version": FORMAT_VERSION,
        "torch_version": str(torch.__version__),
        "model_class": type(model).__name__,
        "epoch": int(epoch),
        "epochs": int(epochs),
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scaler": scaler.state_dict() if scaler is not None else None,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "history": history_state,
        "rng": capture_rng(generators),
    }


def load_checkpoint(path: PathLike) -> dict:
    """Read a checkpoint written by ``fit`` onto the CPU (``weights_only=True``: no code runs).

    Raises:
        FileNotFoundError: no file at ``path``.
        CheckpointError: the file is damaged, not a ``fit`` checkpoint, or from a newer version.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No checkpoint at {path}. Train first (fit(..., checkpoint=...)) or check the name "
                                "and course_utils.setup().checkpoint_dir.")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for a damaged or foreign file
        raise CheckpointError(f"Cannot read the checkpoint {path} ({type(exc).__name__}: {exc}). It may be damaged "
                              "or written by something else than course_utils.fit: delete it (or pass resume=False / "
                              "retrain=True) to train from scratch.") from exc
    if not isinstance(state, dict) or "format_version" not in state or "model" not in state:
        raise CheckpointError(f"{path} is not a checkpoint written by course_utils.fit. Use another name, or delete "
                              "the file to train from scratch.")
    if state["format_version"] > FORMAT_VERSION:
        raise CheckpointError(f"{path} was written by a newer course_utils (format {state['format_version']}). "
                              "Update the package (git pull && make setup) or delete the file.")
    return state


def restore_training_state(state: dict, *, path: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                           scaler=None, scheduler=None, generators: Iterable[torch.Generator] = ()) -> None:
    """Load a checkpoint's states into the model, optimizer, scaler, scheduler and random generators."""
    try:
        model.load_state_dict(state["model"])
    except RuntimeError as exc:
        raise CheckpointError(
            f"The weights in {path.name} do not fit this {type(model).__name__}: the checkpoint was saved from a "
            f"different model (a {state.get('model_class')} with other layers or sizes).\n{exc}\n"
            f"Use another checkpoint name for the new model, or delete {path} (or pass resume=False / retrain=True) "
            "to train from scratch.") from exc
    try:
        optimizer.load_state_dict(state["optimizer"])
    except (ValueError, KeyError, RuntimeError) as exc:
        raise CheckpointError(
            f"The optimizer state in {path.name} does not fit this optimizer ({exc}). Create the same optimizer as "
            f"when the checkpoint was written, or delete {path} to train from scratch.") from exc
    if scaler is not None and state.get("scaler"):
        scaler.load_state_dict(state["scaler"])
    if scheduler is not None and state.get("scheduler") is not None:
        scheduler.load_state_dict(state["scheduler"])
    restore_rng(state["rng"], generators)

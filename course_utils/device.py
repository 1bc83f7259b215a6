"""Choosing the device to compute on: CUDA, then Apple's MPS, then the CPU.

Unlike helpers that return an empty list when there is no GPU, everything here always gives a
usable device: the CPU is the answer of last resort, never an error, unless you *require* a GPU.
"""

from __future__ import annotations

import os
from typing import Optional

import torch

_KINDS = ("cuda", "mps", "cpu")

_HOW_TO_GET = {
    "cuda": ("No CUDA GPU is available here. On Colab: Runtime > Change runtime type > Hardware accelerator: "
             "T4 GPU > Save, then run the notebook from the top. Locally you need an NVIDIA GPU and a CUDA "
             "build of PyTorch. Or call setup() without device= to use what is available."),
    "mps": ("Apple's MPS backend is not available: it needs a Mac with Apple silicon (M1 or newer), macOS 12.3+ "
            "and a recent PyTorch. Or call setup() without device= to use what is available."),
}


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def available_devices() -> list[torch.device]:
    """Every usable device, best first; always ends with the CPU, so it is never empty."""
    found = [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []
    if _mps_available():
        found.append(torch.device("mps"))
    found.append(torch.device("cpu"))
    return found


def pick_device(require: Optional[str] = None) -> torch.device:
    """The device to use.

    Args:
        require: ``None`` picks the best available (CUDA, then MPS, then CPU); ``"cuda"``,
            ``"cuda:1"``, ``"mps"`` or ``"cpu"`` demands that one. The ``COURSE_DEVICE``
            environment variable acts as ``require`` when the argument is not given.

    Raises:
        RuntimeError: a required device is missing; the message says how to get one.
        ValueError: an unknown device name.
    """
    wanted = require if require is not None else (os.environ.get("COURSE_DEVICE") or None)
    if wanted is None:
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(wanted)
    except RuntimeError:
        raise ValueError(f"Unknown device {wanted!r}: use one of 'cuda', 'cuda:0', 'mps' or 'cpu'.") from None
    if device.type not in _KINDS:
        raise ValueError(f"Unsupported device {wanted!r}: this course uses 'cuda', 'mps' or 'cpu'.")
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError(f"device={wanted!r} was required. {_HOW_TO_GET['cuda']}")
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise RuntimeError(f"device={wanted!r} was required, but this machine has {count} CUDA GPU(s): "
                               f"use an index from 0 to {count - 1}.")
    if device.type == "mps" and not _mps_available():
        raise RuntimeError(f"device={wanted!r} was required. {_HOW_TO_GET['mps']}")
    return device

"""Where and how training computes: the device policy, resolved once and read by every loop.

``resolve_policy(device, amp)`` turns ``fit``'s and ``evaluate``'s ``device=`` and ``amp=``
arguments into one frozen ``DevicePolicy``:

============================  =====================  ====================  ==================
field                         CPU                    CUDA                  MPS
============================  =====================  ====================  ==================
``non_blocking`` copies       no                     yes                   no
``pin_memory`` for loaders    no                     yes                   no
``amp_dtype`` (``"auto"``)    none                   bf16, else fp16       none
``use_scaler``                no                     with fp16             no
``sync_each_step``            yes (reading is free)  no                    no
============================  =====================  ====================  ==================

``sync_each_step``: whether the loss is read (``.item()``) after every forward pass. On the CPU
a read waits for nothing, and a NaN then stops training before ``backward()`` touches the
weights. On an accelerator a read makes Python wait for the device, so the values stay on the
device and are read in bulk (``read``) every ``read_interval_s`` seconds and at the end of the
epoch.

The policy is also a public hook: ``fit(..., device=policy)`` accepts a ``DevicePolicy``, e.g.
``dataclasses.replace(resolve_policy("cpu"), sync_each_step=False)`` to run the accelerator's
reading schedule on the CPU, or a subclass whose ``read``/``read_one`` count the loops' device
reads (every value the loops take from the device goes through these two methods).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Optional, Union

import torch

AMP_CHOICES = ("auto", "bf16", "fp16", True, False, None)

#: Seconds between bulk reads of the pending values on an accelerator (progress and NaN check).
READ_INTERVAL_S = 1.0


def requested_device(device: Union[str, torch.device, None]) -> torch.device:
    """``device`` as a ``torch.device``; ``None``: ``course_utils.setup()``'s device."""
    if device is None:
        from ..env import current_env

        return torch.device(current_env().device)
    from ..device import pick_device

    return pick_device(str(device))


def resolve_amp(amp, device: torch.device) -> tuple[Optional[torch.dtype], bool]:
    """``(autocast dtype or None, use a GradScaler)`` for ``amp`` on ``device``.

    ``"auto"``/``True``: bf16 on CUDA GPUs that support it, else fp16 with a grad scaler; off on
    the CPU and MPS. ``"bf16"``/``"fp16"`` force a type; ``False``/``None`` turn it off.
    """
    if amp not in AMP_CHOICES:
        raise ValueError(f"amp={amp!r} is not understood: use 'auto', 'bf16', 'fp16' or False.")
    if amp in (False, None):
        return None, False
    if amp in ("auto", True):
        if device.type != "cuda":
            return None, False
        amp = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if amp == "bf16":
        if device.type == "cuda" and not torch.cuda.is_bf16_supported():
            raise ValueError("amp='bf16' needs a GPU with bfloat16 support (Ampere or newer, e.g. A100, L4); this one "
                             "has none: use amp='fp16' or amp='auto'.")
        return torch.bfloat16, False
    if device.type not in ("cuda", "mps"):
        raise ValueError(f"amp='fp16' needs a CUDA or MPS device; training runs on {device}. Use amp=False on the "
                         "CPU (or amp='bf16' where the CPU supports it).")
    return torch.float16, device.type == "cuda"


@dataclass(frozen=True)
class DevicePolicy:
    """Everything the loops need to know about the device, decided once.

    Attributes:
        device: where the model and every batch live.
        amp_dtype: the autocast type (``torch.bfloat16``/``torch.float16``), ``None`` for float32.
        use_scaler: scale fp16 losses with a ``GradScaler`` (CUDA with fp16 only).
        non_blocking: copy batches with ``non_blocking=True`` (asynchronous from pinned memory).
        pin_memory: let ``DataLoader``s pin their batches (what makes those copies asynchronous).
        sync_each_step: read the loss after every forward pass (see the module docstring).
        read_interval_s: otherwise, seconds between bulk reads of the pending values.
    """

    device: torch.device
    amp_dtype: Optional[torch.dtype] = None
    use_scaler: bool = False
    non_blocking: bool = False
    pin_memory: bool = False
    sync_each_step: bool = True
    read_interval_s: float = READ_INTERVAL_S

    @classmethod
    def for_device(cls, device: torch.device, amp="auto") -> "DevicePolicy":
        """The course's policy for ``device`` (a ``torch.device``) with mixed precision ``amp``."""
        amp_dtype, use_scaler = resolve_amp(amp, device)
        cuda = device.type == "cuda"
        return cls(device=device, amp_dtype=amp_dtype, use_scaler=use_scaler, non_blocking=cuda, pin_memory=cuda,
                   sync_each_step=device.type == "cpu")

    def on(self, device: torch.device) -> "DevicePolicy":
        """The same policy on another device of the same type (e.g. ``cuda:LOCAL_RANK`` under torchrun)."""
        return self if device == self.device else replace(self, device=device)

    # ------------------------------------------------------------------ used by the loops
    def autocast(self):
        """The mixed-precision context of a forward pass (a no-op context without AMP)."""
        if self.amp_dtype is None:
            return nullcontext()
        return torch.autocast(self.device.type, dtype=self.amp_dtype)

    def to_device(self, obj):
        """A tensor, or a (nested) tuple/list of tensors, on the device; anything else unchanged."""
        if isinstance(obj, torch.Tensor):
            return obj.to(self.device, non_blocking=self.non_blocking)
        if isinstance(obj, (tuple, list)):
            return type(obj)(self.to_device(item) for item in obj)
        return obj

    def make_scaler(self):
        """A ``torch.amp.GradScaler`` when the policy asks for one, else ``None``."""
        return torch.amp.GradScaler(self.device.type) if self.use_scaler else None

    def pin(self, loader) -> None:
        """Let a ``DataLoader`` put its batches in pinned memory when the policy asks for it.

        Only the ``pin_memory`` flag of a loader that is not iterating yet is changed, never the
        batches' content; anything that is not a ``DataLoader`` is left alone.
        """
        if (self.pin_memory and isinstance(loader, torch.utils.data.DataLoader) and not loader.pin_memory
                and getattr(loader, "_iterator", None) is None):
            loader.pin_memory = True

    def read_one(self, tensor: torch.Tensor) -> float:
        """One 0-dim tensor as a Python number (waits for the device; the per-step read on the CPU)."""
        return tensor.item()

    def read(self, tensors: list) -> list[float]:
        """One device-to-host read of a list of 0-dim tensors (the only place a loop waits for the device)."""
        if not tensors:
            return []
        try:
            stacked = torch.stack(tensors)  # the usual case: 0-dim tensors on the device (dtypes are promoted)
        except (TypeError, RuntimeError):  # a metric gave a Python number, or tensors of different shapes
            stacked = None
        if stacked is None or stacked.ndim != 1:
            stacked = torch.stack([torch.as_tensor(t, dtype=torch.float32, device=self.device).reshape(())
                                   for t in tensors])  # raises for a value that is not one number
        return stacked.to(torch.float32).tolist()

    def synchronize(self) -> None:
        """Wait until the device has finished the work queued so far (for honest timings)."""
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        elif self.device.type == "mps":
            torch.mps.synchronize()


def resolve_policy(device: Union[str, torch.device, DevicePolicy, None] = None, amp="auto") -> DevicePolicy:
    """The ``DevicePolicy`` for ``fit``/``evaluate``'s ``device=`` and ``amp=`` arguments.

    Args:
        device: ``None`` (``course_utils.setup()``'s device), a name such as ``"cuda"``, a
            ``torch.device``, or a ``DevicePolicy`` (returned as it is; ``amp`` is then ignored).
        amp: ``"auto"``, ``"bf16"``, ``"fp16"`` or ``False`` (see ``resolve_amp``).
    """
    if isinstance(device, DevicePolicy):
        return device
    return DevicePolicy.for_device(requested_device(device), amp)

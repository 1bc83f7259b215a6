"""Checks ``fit`` runs before the first optimizer step, each with an error that says what to do.

They catch the mistakes that otherwise fail deep inside PyTorch (or, worse, silently train
nonsense): an empty loader, an optimizer built for another model, a tensor left on another
device, outputs and targets that do not match the loss, labels beyond the last class.
"""

from __future__ import annotations

import re
from typing import Optional

import torch
from torch import nn
from torch.nn import functional as F


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite during training (the message names the epoch and step)."""


# --------------------------------------------------------------------------- arguments and loaders
def check_epochs(epochs) -> int:
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1 (passes over the training data); got {epochs!r}.")
    return epochs


def loader_length(loader, name: str) -> Optional[int]:
    """``len(loader)`` (batches per epoch), ``None`` when unknown; raises when the loader is empty or not one."""
    if loader is None or isinstance(loader, torch.Tensor):
        raise TypeError(f"{name} must be a DataLoader (or any iterable of (inputs, targets) batches); got "
                        f"{type(loader).__name__}. Wrap the data: DataLoader(TensorDataset(x, y), batch_size=64).")
    if isinstance(loader, torch.utils.data.Dataset) and not isinstance(loader, torch.utils.data.IterableDataset):
        raise TypeError(f"{name} is a Dataset ({type(loader).__name__}), which gives one sample at a time. Pass a "
                        "loader that makes batches: DataLoader(dataset, batch_size=64, shuffle=True).")
    if not hasattr(loader, "__iter__"):
        raise TypeError(f"{name} must be iterable (a DataLoader); got {type(loader).__name__}.")
    try:
        length = len(loader)
    except TypeError:  # an iterable without a length, e.g. over an IterableDataset
        return None
    if length == 0:
        raise ValueError(empty_loader_message(loader, name))
    return length


def empty_loader_message(loader, name: str) -> str:
    dataset = getattr(loader, "dataset", None)
    details = ""
    if dataset is not None:
        try:
            details = f" Its dataset has {len(dataset)} samples"
        except TypeError:
            details = " Its dataset"
        batch_size = getattr(loader, "batch_size", None)
        if batch_size is not None:
            details += f", batch_size={batch_size}, drop_last={getattr(loader, 'drop_last', False)}"
        details += "."
    return (f"{name} has no batches, so there is nothing to train or evaluate on.{details} Check that the dataset "
            "found its files (print len(dataset); is the data folder right?), and with drop_last=True that "
            "batch_size is not larger than the dataset.")


# --------------------------------------------------------------------------- model, optimizer, device
def check_optimizer(model: nn.Module, optimizer) -> None:
    """The optimizer must update at least one of the model's parameters."""
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim optimizer such as torch.optim.Adam(model.parameters(), "
                        f"lr=1e-3); got {type(optimizer).__name__}.")
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    if not trainable:
        raise ValueError("The model has no trainable parameters (all have requires_grad=False), so training cannot "
                         "change it. Unfreeze some layers: for p in model.parameters(): p.requires_grad_(True).")
    in_optimizer = {id(p) for group in optimizer.param_groups for p in group["params"]}
    if not trainable & in_optimizer:
        raise ValueError("The optimizer does not hold any parameter of this model, so training would not change it. "
                         "This happens when the model is created again after the optimizer: create the optimizer "
                         "right after the model, e.g. optimizer = torch.optim.Adam(model.parameters(), lr=1e-3).")


def check_model_device(model: nn.Module, device: torch.device) -> None:
    """Every parameter and buffer must be on ``device`` (after ``model.to(device)``)."""
    wrong = [(name, t.device) for name, t in list(model.named_parameters()) + list(model.named_buffers())
             if not same_device(t.device, device)]
    if wrong:
        listed = ", ".join(f"{name} on {dev}" for name, dev in wrong[:5]) + (" ..." if len(wrong) > 5 else "")
        raise RuntimeError(f"The model is on the wrong device: training runs on {device}, but {listed}. "
                           f"Move the whole model with model.to({str(device)!r}) (fit does this itself unless a "
                           "layer refuses), and do not keep copies of tensors made on another device.")


def same_device(a: torch.device, b: torch.device) -> bool:
    """``cuda`` and ``cuda:0`` count as the same device when index 0 is the current one."""
    if a.type != b.type:
        return False
    if a.index is None or b.index is None:
        return True
    return a.index == b.index


def move_optimizer_state(optimizer, device: torch.device) -> None:
    """Move the optimizer's per-parameter state (e.g. Adam's moments) to ``device``.

    Needed when a model trained on one device continues on another; scalar ``step`` counters stay
    where PyTorch keeps them (on the CPU unless the optimizer is ``capturable``/``fused``).
    """
    for state in optimizer.state.values():
        for key, value in state.items():
            if isinstance(value, torch.Tensor) and value.ndim > 0 and not same_device(value.device, device):
                state[key] = value.to(device)


_DEVICE_ERROR = re.compile(r"same device|expected device|device type|should be the same|on device", re.I)


def explain_device_error(exc: RuntimeError, model: nn.Module, device: torch.device) -> Optional[RuntimeError]:
    """A clear error for a device mismatch met in the first forward pass, or ``None`` if ``exc`` is another error."""
    if not _DEVICE_ERROR.search(str(exc)):
        return None
    return RuntimeError(
        f"The model and the batch are on {device}, but the forward pass met a tensor on another device "
        f"(PyTorch says: {exc}).\nA tensor stored as a plain attribute in __init__ (self.mask = torch.ones(...)) "
        "is not moved by model.to(device): register it with self.register_buffer('mask', torch.ones(...)), or make "
        "it inside forward on the input's device (torch.ones(..., device=x.device)).")


# --------------------------------------------------------------------------- batches
def split_batch(batch):
    """``(inputs, targets)`` of a batch, with a clear error for other shapes of batch."""
    if isinstance(batch, (tuple, list)) and len(batch) == 2:
        return batch[0], batch[1]
    if isinstance(batch, dict):
        got = f"a dict with keys {sorted(batch)}"
    elif isinstance(batch, (tuple, list)):
        got = f"a {type(batch).__name__} of {len(batch)} items"
    else:
        got = type(batch).__name__
    raise TypeError(f"fit expects every batch to be (inputs, targets); the loader gave {got}. Make the Dataset's "
                    "__getitem__ return (x, y), or wrap the loader: ((b['x'], b['y']) for b in loader).")


def batch_size(targets) -> int:
    """Samples in a batch, read from the targets' shape (no device access)."""
    if isinstance(targets, torch.Tensor):
        return int(targets.shape[0]) if targets.ndim else 1
    return len(targets)


# --------------------------------------------------------------------------- outputs, targets, loss
_CLASSIFICATION = (nn.CrossEntropyLoss, nn.NLLLoss)
_CLASSIFICATION_FN = (F.cross_entropy, F.nll_loss)
_ELEMENTWISE = (nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss, nn.BCELoss, nn.BCEWithLogitsLoss)
_ELEMENTWISE_FN = (F.mse_loss, F.l1_loss, F.smooth_l1_loss, F.huber_loss, F.binary_cross_entropy,
                   F.binary_cross_entropy_with_logits)


def _shape(t: torch.Tensor) -> list:
    return list(t.shape)


def check_outputs(outputs, targets, loss_fn) -> None:
    """Outputs and targets must fit each other and the loss; raises ``ValueError``/``TypeError`` with the fix.

    Reads the smallest and largest label once (a one-time device read) for classification losses.
    """
    if not isinstance(outputs, torch.Tensor):
        raise TypeError(f"The model returned {type(outputs).__name__}, but fit needs one tensor of outputs "
                        "(e.g. logits [batch, classes]). If forward returns several things, return only the "
                        "prediction, or pass a loss_fn that accepts them.")
    if not isinstance(targets, torch.Tensor):
        raise TypeError(f"The targets of a batch are {type(targets).__name__}, not a tensor: make the Dataset "
                        "return labels as numbers or tensors so the DataLoader can stack them.")
    if outputs.ndim and targets.ndim and outputs.shape[0] != targets.shape[0]:
        raise ValueError(
            f"The model returned {outputs.shape[0]} outputs for a batch of {targets.shape[0]} targets (outputs "
            f"{_shape(outputs)}, targets {_shape(targets)}). A reshape in forward probably mixed up the batch: "
            "flatten images with x.flatten(1) or x.view(x.size(0), -1), not x.view(-1, N) with a wrong N.")
    classification = isinstance(loss_fn, _CLASSIFICATION) or loss_fn in _CLASSIFICATION_FN
    elementwise = isinstance(loss_fn, _ELEMENTWISE) or loss_fn in _ELEMENTWISE_FN
    if classification:
        _check_classification(outputs, targets, loss_fn)
    elif elementwise and outputs.shape != targets.shape:
        fix = ""
        if outputs.ndim == targets.ndim + 1 and outputs.shape[-1] == 1:
            fix = " Squeeze the outputs (return x.squeeze(-1) from forward) or unsqueeze the targets (y.unsqueeze(1))."
        elif targets.ndim == outputs.ndim + 1 and targets.shape[-1] == 1:
            fix = " Squeeze the targets (y.squeeze(-1)) or give the outputs the same shape."
        raise ValueError(f"{type(loss_fn).__name__ if isinstance(loss_fn, nn.Module) else loss_fn.__name__} "
                         f"compares outputs and targets element by element, but outputs are {_shape(outputs)} "
                         f"and targets {_shape(targets)}; PyTorch would broadcast them and compute a wrong loss."
                         + fix)
    if elementwise and not targets.is_floating_point():
        raise TypeError(f"The targets are {targets.dtype}, but this loss needs floating-point targets: "
                        "convert them with y.float().")


def _check_classification(outputs: torch.Tensor, targets: torch.Tensor, loss_fn) -> None:
    name = type(loss_fn).__name__ if isinstance(loss_fn, nn.Module) else loss_fn.__name__
    if outputs.ndim < 2:
        raise ValueError(f"{name} needs one score per class, outputs [batch, classes], but the model returned "
                         f"{_shape(outputs)}. The last layer should be nn.Linear(..., number_of_classes).")
    if targets.is_floating_point():
        if targets.shape == outputs.shape:
            return  # class probabilities ("soft labels") are allowed
        raise TypeError(f"{name} needs class indices as targets (torch.long, shape {_shape(outputs)[:1]}); got "
                        f"{targets.dtype} {_shape(targets)}. Convert them with y.long().")
    expected = list(outputs.shape[:1]) + list(outputs.shape[2:])
    if list(targets.shape) != expected:
        fix = " Use y.squeeze(1)." if list(targets.shape) == expected + [1] else ""
        raise ValueError(f"{name} needs targets of shape {expected} (one class index per sample) for outputs "
                         f"{_shape(outputs)}, but got {_shape(targets)}.{fix}")
    if targets.numel() == 0:
        return
    ignore = getattr(loss_fn, "ignore_index", -100)
    valid = targets[targets != ignore]
    if valid.numel() == 0:
        return
    low, high = (int(v) for v in torch.stack([valid.min(), valid.max()]).tolist())
    classes = outputs.shape[1]
    if low < 0 or high >= classes:
        raise ValueError(f"The labels in the first batch go from {low} to {high}, but the model outputs {classes} "
                         f"scores per sample (classes 0 to {classes - 1}). Give the last layer enough outputs "
                         f"(nn.Linear(..., {max(high + 1, classes)})) or map the labels to 0..{classes - 1}.")


def check_loss(loss, needs_grad: bool = True) -> None:
    """The loss must be one floating-point number, differentiable when ``needs_grad`` (training)."""
    if not isinstance(loss, torch.Tensor):
        raise TypeError(f"loss_fn returned {type(loss).__name__}, not a tensor. Return the loss tensor itself "
                        "(not loss.item()), so that backward() can compute gradients.")
    if loss.numel() != 1:
        raise ValueError(f"loss_fn returned a tensor of shape {_shape(loss)}; it must return one number. Use "
                         "reduction='mean' (the default) or take .mean() of the per-sample losses.")
    if not loss.is_floating_point():
        raise TypeError(f"loss_fn returned a {loss.dtype} tensor; a loss must be floating point to be differentiated.")
    if needs_grad and not loss.requires_grad:
        raise ValueError("The loss does not depend on any trainable parameter, so backward() cannot train the model. "
                         "Look for .detach(), .item(), .numpy() or torch.no_grad() between the model's output "
                         "and the loss.")


def non_finite_message(value: float, epoch: int, step: int, steps: Optional[int], checkpoint,
                       weights_intact: bool = False) -> str:
    """What to say when the loss becomes NaN/inf at ``epoch``/``step``."""
    where = f"epoch {epoch}, step {step}" + (f" of {steps}" if steps else "")
    memory = ("the model in memory stopped just before that step" if weights_intact
              else "the model's weights in memory may be damaged")
    if checkpoint is not None and epoch > 1:
        kept = f"The last good checkpoint (end of epoch {epoch - 1}) is kept in {checkpoint}; {memory}."
    else:
        kept = f"No checkpoint of a finished epoch exists yet; {memory}."
    return (f"The loss became {value} at {where}, so training stopped. {kept}\nWhat to try: a smaller learning rate "
            "(e.g. 10x lower); gradient clipping (fit(..., grad_clip=1.0)); check the inputs for NaN/inf "
            "(torch.isfinite(x).all()) and their scale (normalise them); give CrossEntropyLoss raw scores (logits), "
            "not softmax or log outputs; with fp16 mixed precision, try amp='bf16' or amp=False.")

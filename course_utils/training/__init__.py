"""The course's training engine: ``fit``, ``evaluate``, ``History`` and ``train_or_load``.

::

    from course_utils.training import fit, evaluate
    history = fit(model, train_loader, loss_fn=nn.CrossEntropyLoss(),
                  optimizer=torch.optim.Adam(model.parameters(), lr=1e-3), epochs=5, val_loader=val_loader)
    print(history.table(timing=False))   # reproducible; print(history) adds time_s and samples/s
    history.plot();
    evaluate(model, test_loader, loss_fn=nn.CrossEntropyLoss())   # {"loss": ..., "acc": ..., "samples": ...}

Submodules: ``engine`` (``fit``/``evaluate``/``train_or_load``: arguments, epochs, checkpoints),
``policy`` (the device policy, resolved once: device, non-blocking copies, mixed precision,
grad scaler, when values are read, pinned loaders), ``loops`` (the checked first forward pass,
the training epoch, the evaluation pass), ``accumulate`` (epoch means read in bulk),
``history``, ``checkpoint`` (atomic save/load, random states), ``progress`` (bar vs plain
lines), ``preflight`` (errors before the first step), ``metrics``, ``distributed``
(torchrun/DDP). Importing this package has no side effects.
"""

from .checkpoint import CheckpointError, load_checkpoint
from .engine import evaluate, fit, train_or_load
from .history import History
from .metrics import accuracy
from .policy import DevicePolicy, resolve_policy
from .preflight import NonFiniteLossError

__all__ = [
    "CheckpointError",
    "DevicePolicy",
    "History",
    "NonFiniteLossError",
    "accuracy",
    "evaluate",
    "fit",
    "load_checkpoint",
    "resolve_policy",
    "train_or_load",
]

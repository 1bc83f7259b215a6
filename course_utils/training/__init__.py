"""The course's training engine: ``fit``, ``evaluate``, ``History`` and ``train_or_load``.

::

    from course_utils.training import fit, evaluate
    history = fit(model, train_loader, loss_fn=nn.CrossEntropyLoss(),
                  optimizer=torch.optim.Adam(model.parameters(), lr=1e-3), epochs=5, val_loader=val_loader)
    print(history.table(timing=False))   # reproducible; print(history) adds time_s and samples/s
    history.plot();
    evaluate(model, test_loader, loss_fn=nn.CrossEntropyLoss())   # {"loss": ..., "acc": ..., "samples": ...}

Submodules: ``engine`` (the loops), ``history``, ``checkpoint`` (atomic save/load, random
states), ``progress`` (bar vs plain lines), ``checks`` (errors before the first step),
``metrics``, ``distributed`` (torchrun/DDP). Importing this package has no side effects.
"""

from .checkpoint import CheckpointError, load_checkpoint
from .engine import evaluate, fit, train_or_load
from .history import History
from .metrics import accuracy
from .preflight import NonFiniteLossError

__all__ = [
    "CheckpointError",
    "History",
    "NonFiniteLossError",
    "accuracy",
    "evaluate",
    "fit",
    "load_checkpoint",
    "train_or_load",
]

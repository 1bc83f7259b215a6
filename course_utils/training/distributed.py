"""Multi-GPU and multi-machine training with PyTorch's own engine (``torchrun`` + DDP).

Launch the same script once per GPU with ``torchrun``; each copy (a *rank*) reads the
``RANK``, ``LOCAL_RANK`` and ``WORLD_SIZE`` variables torchrun sets. Inside ``fit``:

- the process group is started (NCCL on CUDA, Gloo on the CPU) unless it already is;
- rank *r* uses ``cuda:LOCAL_RANK`` (or the CPU);
- the model is wrapped in ``DistributedDataParallel``, which averages gradients over ranks;
- a training ``DataLoader`` is rebuilt with a ``DistributedSampler`` (each rank a disjoint
  share, reshuffled every epoch with ``set_epoch``); a validation loader is split without
  padding, so validation numbers are exact;
- losses and metrics are summed over all ranks, so every rank holds the same ``History``;
- only rank 0 prints and writes checkpoints.

``batch_size`` is per process: with 2 processes and ``batch_size=128`` each optimizer step
sees 256 samples, like a single process with ``batch_size=256``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class DistInfo:
    """Where this process stands: ``enabled`` is False for an ordinary single-process run."""

    enabled: bool = False
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0: the process that prints and writes files."""
        return self.rank == 0


def launched_by_torchrun() -> bool:
    """True when this process is one of several started by ``torchrun`` (``WORLD_SIZE`` > 1)."""
    try:
        return int(os.environ.get("WORLD_SIZE", "1")) > 1 and "RANK" in os.environ
    except ValueError:
        return False


def current() -> DistInfo:
    """The ``DistInfo`` of an initialised process group (or of a single process)."""
    if dist.is_available() and dist.is_initialized():
        return DistInfo(True, dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))
    return DistInfo()


def init(mode="auto", device: Optional[torch.device] = None) -> DistInfo:
    """Start the process group when ``fit`` runs under torchrun (``mode="auto"``) or ``mode=True``.

    Args:
        mode: ``"auto"`` (distributed exactly when launched by torchrun), ``True`` (require it)
            or ``False`` (never, even under torchrun: each process trains alone).
        device: the requested device; decides the backend (NCCL for CUDA, Gloo otherwise).
    """
    if mode is False:
        return DistInfo()
    if mode not in ("auto", True):
        raise ValueError(f"distributed={mode!r} is not understood: use 'auto', True or False.")
    if dist.is_available() and dist.is_initialized():
        return current()
    if not launched_by_torchrun():
        if mode is True:
            raise RuntimeError("distributed=True needs the script to be started by torchrun, e.g. "
                               "`torchrun --nproc_per_node=2 train.py` (WORLD_SIZE and RANK are not set).")
        return DistInfo()
    if not dist.is_available():
        raise RuntimeError("This PyTorch build has no torch.distributed: install a standard PyTorch build.")
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = torch.cuda.is_available() and (device is None or torch.device(device).type == "cuda")
    if use_cuda:
        torch.cuda.set_device(local_rank)
    dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    return current()


def rank_device(info: DistInfo, requested: Optional[torch.device]) -> Optional[torch.device]:
    """The device of this rank: ``cuda:LOCAL_RANK`` for CUDA, the request otherwise."""
    if not info.enabled:
        return requested
    if requested is None:
        requested = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    if requested.type == "cuda":
        return torch.device("cuda", info.local_rank)
    return requested


class ShardSampler(torch.utils.data.Sampler):
    """Indices ``rank, rank + world, ...`` of a dataset, in order and without padding (for evaluation)."""

    def __init__(self, length: int, rank: int, world_size: int) -> None:
        self.length, self.rank, self.world_size = length, rank, world_size

    def __iter__(self):
        return iter(range(self.rank, self.length, self.world_size))

    def __len__(self) -> int:
        return len(range(self.rank, self.length, self.world_size))


def distribute_loader(loader, info: DistInfo, *, train: bool, pin_memory: bool = False):
    """A copy of ``loader`` that gives this rank its share of the data (pinned when ``pin_memory``,
    the device policy's choice, asks for it).

    Only ``torch.utils.data.DataLoader`` over a map-style dataset can be split; anything else
    raises ``TypeError`` with the fix.
    """
    from torch.utils.data import DataLoader, DistributedSampler, RandomSampler

    name = "train_loader" if train else "val_loader"
    if not isinstance(loader, DataLoader) or isinstance(loader.dataset, torch.utils.data.IterableDataset):
        raise TypeError(f"Under torchrun, fit splits {name} between processes, which needs a "
                        f"torch.utils.data.DataLoader over a map-style Dataset; got {type(loader).__name__}. "
                        "Use DataLoader(dataset, batch_size=..., shuffle=True) for training.")
    if loader.batch_size is None:
        raise TypeError(f"Under torchrun, {name} must be a DataLoader made with batch_size=... (not a custom "
                        "batch_sampler), so that fit can give each process its share.")
    if isinstance(loader.sampler, (DistributedSampler, ShardSampler)):
        return loader
    if train:
        sampler = DistributedSampler(loader.dataset, num_replicas=info.world_size, rank=info.rank,
                                     shuffle=isinstance(loader.sampler, RandomSampler), seed=0)
    else:
        sampler = ShardSampler(len(loader.dataset), info.rank, info.world_size)
    options = dict(batch_size=loader.batch_size, sampler=sampler, num_workers=loader.num_workers,
                   collate_fn=loader.collate_fn, pin_memory=loader.pin_memory or pin_memory,
                   drop_last=loader.drop_last, timeout=loader.timeout, worker_init_fn=loader.worker_init_fn,
                   multiprocessing_context=loader.multiprocessing_context, generator=loader.generator,
                   persistent_workers=loader.persistent_workers)
    if loader.num_workers > 0:
        options["prefetch_factor"] = loader.prefetch_factor
    return DataLoader(loader.dataset, **options)


def wrap_model(model: torch.nn.Module, info: DistInfo, device: torch.device) -> torch.nn.Module:
    """``model`` wrapped in ``DistributedDataParallel`` (parameters are broadcast from rank 0)."""
    from torch.nn.parallel import DistributedDataParallel

    if not info.enabled:
        return model
    if device.type == "cuda":
        return DistributedDataParallel(model, device_ids=[device.index], output_device=device.index)
    return DistributedDataParallel(model)


def all_reduce_sum(values: torch.Tensor) -> torch.Tensor:
    """Sum a tensor over every rank (no-op without a process group)."""
    if dist.is_available() and dist.is_initialized():
        dist.all_reduce(values, op=dist.ReduceOp.SUM)
    return values


def barrier() -> None:
    """Wait for every rank (no-op without a process group)."""
    if dist.is_available() and dist.is_initialized():
        dist.barrier()


def shutdown() -> None:
    """Close the process group at the end of a torchrun script (no-op without one)."""
    if dist.is_available() and dist.is_initialized():
        # every rank reaches this point before any rank tears the group down: with gloo, a rank that
        # destroys its group after its peer has exited can wait forever (seen with torch 2.3)
        dist.barrier()
        dist.destroy_process_group()

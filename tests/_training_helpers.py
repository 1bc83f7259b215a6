"""Tiny models and data for the training-engine tests (each fit takes milliseconds on the CPU)."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FEATURES, CLASSES = 12, 3


def dataset(n: int = 96, seed: int = 0) -> TensorDataset:
    """``n`` samples ``[FEATURES]`` labelled by a fixed random linear teacher (learnable)."""
    gen = torch.Generator().manual_seed(seed)
    teacher = torch.randn(FEATURES, CLASSES, generator=torch.Generator().manual_seed(99))
    x = torch.randn(n, FEATURES, generator=gen)
    return TensorDataset(x, (x @ teacher).argmax(1))


def loaders(n: int = 96, batch_size: int = 16, shuffle: bool = True):
    """``(train_loader, val_loader)``; the training loader shuffles with PyTorch's global generator."""
    return (DataLoader(dataset(n, seed=0), batch_size=batch_size, shuffle=shuffle),
            DataLoader(dataset(n // 2, seed=1), batch_size=batch_size))


def model(seed: int = 0, dropout: float = 0.0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(FEATURES, 16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, CLASSES))


def params(module: nn.Module) -> dict:
    """A detached copy of every parameter and buffer."""
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def same_params(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


class RaiseAt:
    """Wrap a loader and raise ``exc`` at batch ``step`` (1-based) of epoch ``epoch`` (1-based, counted by iter())."""

    def __init__(self, loader, *, epoch: int, step: int, exc: BaseException) -> None:
        self.loader, self.epoch, self.step, self.exc = loader, epoch, step, exc
        self.sampler = getattr(loader, "sampler", None)
        self.epochs_started = 0

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        self.epochs_started += 1
        for index, batch in enumerate(self.loader, 1):
            if self.epochs_started == self.epoch and index == self.step:
                raise self.exc
            yield batch

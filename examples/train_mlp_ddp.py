"""Train the course MLP (784 -> 256 -> ReLU -> 10) with ``course_utils.training.fit``, on one
process or on several with ``torchrun`` (DistributedDataParallel, PyTorch's own engine).

    python examples/train_mlp_ddp.py                                  # one process
    torchrun --nproc_per_node=2 examples/train_mlp_ddp.py             # 2 processes: 2 GPUs, or the CPU (gloo)
    torchrun --nnodes=2 --node_rank=0 --nproc_per_node=4 \\
             --rdzv-backend=c10d --rdzv-endpoint=<first machine>:29500 examples/train_mlp_ddp.py
                                                                      # 2 machines x 4 GPUs (node_rank 1 on the other)

Nothing in the script changes between these: ``fit`` sees the variables torchrun sets, wraps the
model in DDP, gives every process its share of the data, averages the numbers over all
processes and lets only rank 0 print and write checkpoints. ``--batch-size`` is the number of
samples per optimizer step over all processes (each gets ``batch-size / processes``), so a run
on 2 processes follows the same path as a run on one.

Data: ``--data synthetic`` (default; random 28x28 images labelled by a fixed random linear
"teacher", so the MLP can learn them, offline and instant), ``--data mnist-embedded`` (the
course's offline stand-in) or ``--data mnist`` (the real MNIST, downloaded once).
``--out DIR`` makes rank 0 write ``history.json`` and ``model.pt`` there (the test compares them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a clone without `pip install -e .`
    sys.path.insert(0, str(REPO))

from course_utils.env import seed_everything  # noqa: E402
from course_utils.training import distributed, fit  # noqa: E402
from course_utils.training.checkpoint import atomic_save  # noqa: E402


class MLP(nn.Module):
    """The course MLP: ``[B, 1, 28, 28]`` (or ``[B, 784]``) images -> ``[B, 10]`` logits.

    784 -> 256 -> ReLU -> 10 with Kaiming-normal weights and zero biases: 203,530 parameters.
    """

    def __init__(self, hidden: int = 256, classes: int = 10) -> None:
        super().__init__()
        self.hidden = nn.Linear(28 * 28, hidden)
        self.out = nn.Linear(hidden, classes)
        for layer in (self.hidden, self.out):
            nn.init.kaiming_normal_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.relu(self.hidden(x.flatten(1))))


def synthetic(samples: int, seed: int) -> tuple[TensorDataset, TensorDataset]:
    """``(train, val)``: images ``[N, 1, 28, 28]`` and labels from a random linear teacher (same for every seed)."""
    gen = torch.Generator().manual_seed(seed)
    teacher = torch.randn(28 * 28, 10, generator=torch.Generator().manual_seed(1234))
    x = torch.randn(samples + samples // 4, 1, 28, 28, generator=gen)
    y = (x.flatten(1) @ teacher).argmax(1)
    return TensorDataset(x[:samples], y[:samples]), TensorDataset(x[samples:], y[samples:])


def datasets(kind: str, samples: int, seed: int):
    if kind == "synthetic":
        return synthetic(samples, seed)
    from course_utils.data import MNIST

    if kind == "mnist-embedded":
        return MNIST(train=True, source="embedded"), MNIST(train=False, source="embedded")
    if kind == "mnist":
        if distributed.launched_by_torchrun():
            # Every process would download at once: fetch it first with one process.
            return MNIST(train=True), MNIST(train=False)
        return MNIST(train=True, download=True), MNIST(train=False, download=True)
    raise SystemExit(f"--data {kind!r} is not one of synthetic, mnist-embedded, mnist")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="synthetic", choices=["synthetic", "mnist-embedded", "mnist"])
    parser.add_argument("--samples", type=int, default=8192, help="training samples of the synthetic data")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256, help="samples per step over all processes")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-shuffle", action="store_true",
                        help="visit the samples in order (a single process then sees exactly the batches of a "
                             "multi-process run, which the agreement test needs)")
    parser.add_argument("--device", default=None, help="cpu, cuda, mps (default: course_utils' choice)")
    parser.add_argument("--checkpoint-dir", default=None, help="default: the course's checkpoints folder")
    parser.add_argument("--no-checkpoint", action="store_true")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="rank 0 writes history.json and model.pt here")
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    world = int(os.environ.get("WORLD_SIZE", "1")) if distributed.launched_by_torchrun() else 1
    if args.batch_size % world:
        raise SystemExit(f"--batch-size {args.batch_size} must be divisible by the {world} processes.")
    seed_everything(args.seed)  # the same initial weights on every process (DDP also broadcasts rank 0's)
    train_set, val_set = datasets(args.data, args.samples, args.seed)
    per_process = args.batch_size // world
    train_loader = DataLoader(train_set, batch_size=per_process, shuffle=not args.no_shuffle)
    val_loader = DataLoader(val_set, batch_size=512)
    model = MLP()
    history = fit(model, train_loader, loss_fn=nn.CrossEntropyLoss(),
                  optimizer=torch.optim.Adam(model.parameters(), lr=args.lr), epochs=args.epochs,
                  val_loader=val_loader, device=args.device, resume=args.resume,
                  checkpoint=False if args.no_checkpoint else "mlp_ddp_example", checkpoint_dir=args.checkpoint_dir)
    info = distributed.current()
    if args.out is not None and info.is_main:
        args.out.mkdir(parents=True, exist_ok=True)
        atomic_save({k: v.detach().cpu() for k, v in model.state_dict().items()}, args.out / "model.pt")
        result = {"world_size": info.world_size, "history": history.without_timing().rows}
        (args.out / "history.json").write_text(json.dumps(result, indent=1))
    if info.is_main:
        last = history[-1]
        print(f"done: {info.world_size} process(es), {last['samples_per_s']:,.0f} samples/s in the last epoch")
    distributed.shutdown()
    return {"history": history, "world_size": info.world_size}


if __name__ == "__main__":
    main()

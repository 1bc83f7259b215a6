"""Overhead of ``course_utils.training.fit`` against a minimal hand-written PyTorch loop.

    python benchmarks/bench_fit.py              # CPU, one thread, 3 epochs per call, 60 rounds: minutes
    python benchmarks/bench_fit.py --device cuda
    python benchmarks/bench_fit.py --quick      # a few seconds, a smoke test

Both train the course MLP (784 -> 256 -> ReLU -> 10, Adam, batch 256) on the same in-memory
random data, from the same initial weights, with the same batch iterator (a pre-shuffled
tensor sliced per batch, so that data loading does not hide the loop's own cost), for 3 epochs
per call, on one CPU thread by default (``--threads``). Many short rounds (8,192 samples, 60
rounds) rather than a few long ones: on a busy machine the best of many short runs comes much
closer to the undisturbed time than the best of a few long ones. Rounds are interleaved in this
process (hand loop, fit, fit with a checkpoint, then the next round in the reverse order) after
one untimed warm-up round. Both compute the epoch's mean loss and accuracy: the hand loop the usual
way (``loss.item()`` and a correct-count per step), ``fit`` its own way.

Reported per variant and clock (wall-clock time, and on the CPU also the process's CPU time,
which other processes on a shared machine do not inflate): the best and the median over rounds
of (time of the whole call / epochs), i.e. including fit's checks and History, samples per
second, the ratio of best rounds (the headline: other processes only add time, so the best
round is the cleanest figure) and the median of per-round ratios (how noisy the machine was).
Goal: ``fit`` (no checkpoint, its default) <= 1.02x the hand loop per epoch.
``fit, checkpoint`` also writes a checkpoint atomically after every epoch (a cost on disk, not
in the loop). On CUDA a ``fit, amp=False`` variant runs too.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from course_utils.training import fit  # noqa: E402


class TensorBatches:
    """``(x, y)`` batches sliced from in-memory tensors, reshuffled every epoch with its own generator."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int, seed: int = 0) -> None:
        self.x, self.y, self.batch_size = x, y, batch_size
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def __iter__(self):
        order = torch.randperm(len(self.x), generator=self.generator)
        x, y = self.x[order], self.y[order]
        for start in range(0, len(x), self.batch_size):
            yield x[start:start + self.batch_size], y[start:start + self.batch_size]


def make_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def hand_loop(model, loader, epochs: int, device: torch.device) -> float:
    """The minimal loop: returns the last epoch's mean loss."""
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    mean = 0.0
    for _ in range(epochs):
        model.train()
        total, correct, seen = 0.0, 0, 0
        for x, y in loader:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            outputs = model(x)
            loss = loss_fn(outputs, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
            correct += (outputs.argmax(1) == y).sum().item()
            seen += len(y)
        mean = total / seen
    return mean


def run_fit(model, loader, epochs: int, device: torch.device, **options) -> float:
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=epochs, device=device,
                  progress="none", **options)
    return history[-1]["train_loss"]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=8192)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=3, help="epochs per timed call")
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (default 1: steadier figures on a busy machine; 0: torch's default)")
    parser.add_argument("--quick", action="store_true", help="4,096 samples, 2 rounds")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
        try:
            torch.set_num_interop_threads(args.threads)
        except RuntimeError:  # already set in this process
            pass
    if args.quick:
        args.samples, args.rounds = 4096, 2
    device = torch.device(args.device)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(args.samples, 1, 28, 28, generator=gen).to(device)
    y = torch.randint(0, 10, (args.samples,), generator=gen).to(device)
    ckpt_dir = Path(tempfile.mkdtemp(prefix="bench_fit_"))

    variants = {
        "hand loop": lambda m, ld: hand_loop(m, ld, args.epochs, device),
        "fit": lambda m, ld: run_fit(m, ld, args.epochs, device),
        "fit, checkpoint": lambda m, ld: run_fit(m, ld, args.epochs, device, checkpoint="bench",
                                                 checkpoint_dir=ckpt_dir),
    }
    if device.type == "cuda":
        variants["fit, amp=False"] = lambda m, ld: run_fit(m, ld, args.epochs, device, checkpoint=False, amp=False)

    print(f"torch {torch.__version__} | device {device} | {torch.get_num_threads()} CPU threads | "
          f"{args.samples:,} samples, batch {args.batch_size}, {args.epochs} epochs per call, {args.rounds} rounds")
    # wall: wall-clock seconds; cpu: this process's CPU seconds, which other processes on a shared machine
    # do not inflate by taking the core away (with one thread all the work runs in this process)
    clocks = {"wall": time.perf_counter, "cpu": time.process_time} if device.type == "cpu" else \
        {"wall": time.perf_counter}
    times: dict[str, dict[str, list[float]]] = {clock: {name: [] for name in variants} for clock in clocks}
    losses: dict[str, float] = {}
    for round_index in range(args.rounds + 1):  # round 0 is the untimed warm-up
        order = list(variants) if round_index % 2 == 0 else list(reversed(variants))
        for name in order:
            model = make_model(seed=round_index)
            loader = TensorBatches(x, y, args.batch_size, seed=round_index)
            if device.type == "cuda":
                torch.cuda.synchronize()
            starts = {clock: read() for clock, read in clocks.items()}
            losses[name] = variants[name](model, loader)
            if device.type == "cuda":
                torch.cuda.synchronize()
            if round_index:
                for clock, read in clocks.items():
                    times[clock][name].append((read() - starts[clock]) / args.epochs)
        if round_index:
            print(f"round {round_index}: " + "  ".join(f"{n} {times['wall'][n][-1]:.3f}s" for n in order), flush=True)

    # Other processes only ever add time, so the best round is the cleanest estimate (as timeit does);
    # the median of the per-round ratios (each round runs every variant back to back) shows the noise.
    results: dict = {}
    for clock, per_variant in times.items():
        base = min(per_variant["hand loop"])
        results[clock] = {}
        print(f"\n{clock} clock\n{'variant':<24}{'best s/epoch':>14}{'median':>9}{'samples/s':>12}{'ratio':>8}"
              f"{'paired':>8}")
        for name, values in per_variant.items():
            best = min(values)
            paired = statistics.median(v / h for v, h in zip(values, per_variant["hand loop"]))
            results[clock][name] = {"seconds_per_epoch": best, "median_seconds_per_epoch": statistics.median(values),
                                    "samples_per_s": args.samples / best, "ratio": best / base,
                                    "paired_ratio": paired}
            print(f"{name:<24}{best:>14.3f}{statistics.median(values):>9.3f}{args.samples / best:>12,.0f}"
                  f"{best / base:>8.3f}{paired:>8.3f}")
    print()
    for clock in times:
        fit_result = results[clock]["fit"]
        ratio = fit_result["ratio"]
        print(f"fit / hand loop ({clock} clock) = {ratio:.3f} per epoch, best rounds (median of paired rounds "
              f"{fit_result['paired_ratio']:.3f}); goal <= 1.02: {'OK' if ratio <= 1.02 else 'ABOVE GOAL'}")
    print(f"last-epoch train loss, same weights and batches: hand loop {losses['hand loop']:.5f}, "
          f"fit {losses['fit']:.5f}")
    shutil.rmtree(ckpt_dir, ignore_errors=True)
    return results

if __name__ == "__main__":
    main()

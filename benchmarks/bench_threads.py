"""One PyTorch CPU thread or two, for the MLP of homework 04: which is faster, and does it change the figures?

    python benchmarks/bench_threads.py            # 8 interleaved rounds of 3 epochs per setting: about a minute
    python benchmarks/bench_threads.py --quick    # 2 rounds, a smoke test

Notebooks 04 and 05 call ``torch.set_num_threads(1)`` on the CPU. This script measures what that costs
or saves here: it trains homework 04's model (784 -> 256 -> ReLU -> 10, Adam lr 1e-3, batch 256) on the
embedded MNIST stand-in (5,000 images) for 3 epochs with 1 and with 2 threads, alternating the order
round by round, and prints, per setting, the best and median wall-clock time per epoch, the ratio
(2 threads / 1 thread: below 1 means two threads were faster), the load average before and after (how
busy the machine was; with 2 CPUs, a load near 2 or more means no CPU was free), and whether the two
settings trained to bit-identical weights (threads can split sums differently, so the last bits may differ).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from course_utils.data import MNIST  # noqa: E402


def train(x: torch.Tensor, y: torch.Tensor, threads: int, epochs: int = 3) -> tuple[float, torch.Tensor]:
    """``(seconds per epoch, final first-layer weights)`` for one seeded run on ``threads`` threads."""
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(0)
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=order)
        for i in range(0, len(x), 256):
            batch = perm[i:i + 256]
            opt.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            opt.step()
    return (time.perf_counter() - start) / epochs, model[1].weight.detach().clone()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="2 rounds")
    args = parser.parse_args(argv)
    rounds = 2 if args.quick else args.rounds
    data = MNIST.embedded(train=True)
    x, y = data.get_batch(range(len(data)))
    print(f"{len(data):,} images ({data.description.split(':')[0]}); CPUs usable: {len(os.sched_getaffinity(0))}")
    load_before = os.getloadavg()[0]
    train(x, y, 1, epochs=1)                     # warm-up: first-call costs stay out of the timings
    times = {1: [], 2: []}
    weights = {}
    for r in range(rounds):
        for threads in ((1, 2) if r % 2 == 0 else (2, 1)):
            seconds, weights[threads] = train(x, y, threads)
            times[threads].append(seconds)
    load_after = os.getloadavg()[0]
    for threads, t in times.items():
        print(f"{threads} thread{'s' if threads > 1 else ' '}: best {min(t):.3f} s/epoch, median {statistics.median(t):.3f}")
    print(f"2 threads / 1 thread: {min(times[2]) / min(times[1]):.2f} (best), "
          f"{statistics.median(times[2]) / statistics.median(times[1]):.2f} (median)")
    print(f"load average (1 min): {load_before:.2f} before, {load_after:.2f} after")
    print("same weights with 1 and 2 threads, bit for bit:", torch.equal(weights[1], weights[2]),
          f"(largest difference {float((weights[1] - weights[2]).abs().max()):.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Grading throughput: submissions per minute, in the sandbox, one at a time vs. in parallel.

Releases a homework notebook into a temporary folder, makes N copies of its solution as
submissions, and grades them in the same process four ways: sandboxed with ``--jobs 1`` (the
baseline), sandboxed with ``--jobs J`` (default: the usable CPUs, 2 on the course CI; the figure
the grader is held to: at least 15 MLP submissions a minute on 2 cores), the same with
``run_all`` (``grade --run-all``: the cells after the last test run too, which the grader skips by
default because they cannot change a score), and with ``--jobs J`` without the sandbox (what the
sandbox costs). It prints the rates and their ratios, and the CPU time
the kernels used per submission: on a machine busy with other work the wall-clock rate drops, while
``60 * cores / CPU seconds`` is what the same cores grade per minute when they are free.

    python benchmarks/bench_grading.py                      # notebooks/04_mlp_homework.ipynb, else the fixture
    python benchmarks/bench_grading.py --notebook notebooks/05_notmnist_dataset_homework.ipynb --copies 4

Each submission gets its own kernel, so the figure includes kernel start-up (and importing torch
in it), which dominates for small homework.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from course_tools.homework.grade import default_jobs, grade  # noqa: E402
from course_tools.homework.release import release  # noqa: E402

DEFAULT = REPO / "notebooks" / "04_mlp_homework.ipynb"
FIXTURE = REPO / "tests" / "fixtures" / "homework" / "notebooks" / "90_fixture_homework.ipynb"


def timed_grade(subs: list, key: Path, csv_path: Path, jobs: int, cell_timeout: float,
                sandbox: bool = True, run_all: bool = False) -> tuple[float, float, dict]:
    """Wall seconds, CPU seconds of the kernels (and their sandboxes) and the results of one run."""
    start = time.perf_counter()
    results = grade(subs, key, csv_path, jobs=jobs, cell_timeout=cell_timeout, total_timeout=3600, force=True,
                    unsafe_no_sandbox=not sandbox, run_all=run_all, log=lambda line: None)
    return time.perf_counter() - start, sum(r.cpu_seconds for r in results.values()), results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notebook", type=Path, default=DEFAULT if DEFAULT.exists() else FIXTURE)
    parser.add_argument("--copies", type=int, default=6, help="submissions per run (default 6)")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="parallel run's jobs (default: CPUs)")
    parser.add_argument("--cell-timeout", type=float, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        (tmp / "notebooks").mkdir()
        shutil.copy(args.notebook, tmp / "notebooks" / args.notebook.name)
        result = release(tmp / "notebooks", tmp / "dist" / "student", root=REPO)
        subs = []
        for i in range(args.copies):
            subs.append(tmp / "subs" / f"student{i:02d}.ipynb")
            subs[-1].parent.mkdir(exist_ok=True)
            shutil.copy(args.notebook, subs[-1])
        # warm-up (untimed): fills the OS file cache
        timed_grade(subs[:1], result.key_path, tmp / "warm.csv", 1, args.cell_timeout)
        print(f"notebook: {args.notebook.relative_to(REPO) if args.notebook.is_relative_to(REPO) else args.notebook}")
        print(f"submissions per run: {args.copies}; usable CPUs: {default_jobs()}")
        rates = {}
        ways = (("sandbox, jobs=1", 1, True, False), (f"sandbox, jobs={args.jobs}", args.jobs, True, False),
                (f"sandbox, jobs={args.jobs}, run_all", args.jobs, True, True),
                (f"no sandbox, jobs={args.jobs}", args.jobs, False, False))
        for name, jobs, sandbox, run_all in ways:
            seconds, cpu, results = timed_grade(subs, result.key_path, tmp / f"run{len(rates)}.csv", jobs,
                                                args.cell_timeout, sandbox, run_all)
            totals = sorted({r.total for r in results.values()})
            statuses = sorted({r.status for r in results.values()})
            rates[name] = args.copies / seconds * 60
            print(f"{name:31s}: {seconds:6.1f} s for {args.copies} submissions = {rates[name]:6.1f} submissions/min "
                  f"({seconds / args.copies:.2f} s each; statuses {statuses}, totals {totals}); kernel CPU time "
                  f"{cpu / args.copies:.2f} s per submission, i.e. {60 * jobs * args.copies / cpu:.1f}/min on {jobs} "
                  "otherwise idle core(s)")
        names = list(rates)
        print(f"speed-up of {names[1]} over {names[0]}: {rates[names[1]] / rates[names[0]]:.2f}x")
        print(f"sandbox cost at jobs={args.jobs}: {names[3]} / {names[1]} = {rates[names[3]] / rates[names[1]]:.2f}x")
        print(f"what skipping the cells after the last test saves: {names[1]} / {names[2]} = "
              f"{rates[names[1]] / rates[names[2]]:.2f}x")
        goal = rates[names[1]]
        print(f"goal (at least 15 submissions/min with the sandbox on {args.jobs} cores): "
              f"{'met' if goal >= 15 else 'MISSED'} ({goal:.1f}/min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

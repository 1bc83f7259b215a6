"""The grader's limits measured: what honest submissions use, what the watch costs, what intake saves.

Prints three tables:

1. **Honest peaks**: the instructor's solutions of the homework notebooks graded in the sandbox with
   ``--run-all`` (every cell, training demos included), and the largest figures the limits watch saw
   for each: processes + threads, memory of the whole process tree (PSS), disk used in the private
   folder, files there; next to the caps in ``course_tools/homework/config.py``. The caps must sit
   well above these.
2. **The watch's cost**: the time one look of the watch takes on a live PyTorch kernel, and the share
   of one core it takes at ``config.LIMIT_POLL_SECONDS``.
3. **The grader's own memory for a crafted file**: peak memory (max RSS) of a process that reads a
   submission holding one 4 MB code cell and runs the static scan on it, the old way (parse in the
   grader, no cell limit) and with ``intake`` (parsed in a child, the cell refused before the scan).

    python benchmarks/bench_limits.py                    # notebooks 04 and 05
    python benchmarks/bench_limits.py --skip-honest      # tables 2 and 3 only (seconds)
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from course_tools.homework import config, limits  # noqa: E402
from course_tools.homework.grade import grade  # noqa: E402
from course_tools.homework.kernel import KernelSession  # noqa: E402
from course_tools.homework.release import release  # noqa: E402
from course_tools.homework.sandbox import Sandbox  # noqa: E402

NOTEBOOKS = ["04_mlp_homework.ipynb", "05_notmnist_dataset_homework.ipynb"]
MiB = 1024**2


def honest_peaks(tmp: Path) -> None:
    (tmp / "notebooks").mkdir(parents=True)
    for name in NOTEBOOKS:
        shutil.copy(REPO / "notebooks" / name, tmp / "notebooks" / name)
    key = release(tmp / "notebooks", tmp / "dist" / "student", root=REPO).key_path
    peaks: list = []
    original_stop = limits.Watch.stop

    def stop_and_record(self):
        original_stop(self)
        peaks.append(dict(self.peak))

    limits.Watch.stop = stop_and_record
    print("1. Honest peaks (the instructor's solution, sandboxed, --run-all: every cell runs)")
    print(f"   {'notebook':38s} {'score':>7s} {'seconds':>8s} {'tasks':>6s} {'memory':>9s} {'disk':>8s} {'files':>6s}")
    try:
        for name in NOTEBOOKS:
            peaks.clear()
            started = time.perf_counter()
            results = grade([tmp / "notebooks" / name], key, tmp / f"{name}.csv", jobs=1, cell_timeout=600,
                            total_timeout=3600, run_all=True, notebook=name, log=lambda line: None)
            seconds = time.perf_counter() - started
            (result,) = results.values()
            peak = peaks[-1]
            print(f"   {name:38s} {result.total:>3g}/{result.max_points:<3g} {seconds:8.1f} {peak['tasks']:6d} "
                  f"{peak['memory'] / MiB:6.0f} MiB {peak['disk'] / MiB:4.1f} MiB {peak['files']:6d}")
    finally:
        limits.Watch.stop = original_stop
    print(f"   {'caps (config.py)':38s} {'':7s} {'':8s} {config.KERNEL_TASKS:6d} "
          f"{config.KERNEL_TREE_MEMORY_BYTES / MiB:6.0f} MiB {config.KERNEL_DISK_BYTES / MiB:4.0f} MiB "
          f"{config.KERNEL_DISK_FILES:6d}")


def watch_cost() -> None:
    with KernelSession(Sandbox(edition=REPO)) as session:
        session.run_student("import torch\nx = torch.ones(1000, 1000) @ torch.ones(1000, 1000)", timeout=120)
        watch = limits.Watch(session.proc.pid, session.scratch, limits.Limits.from_config(), lambda reason: None)
        rounds = 50
        started = time.perf_counter()
        for _ in range(rounds):
            assert watch.check() is None
        each = (time.perf_counter() - started) / rounds
    print("2. The watch's cost on a live PyTorch kernel (sandboxed)")
    print(f"   one look: {each * 1000:.2f} ms; every {config.LIMIT_POLL_SECONDS:g} s that is "
          f"{100 * each / config.LIMIT_POLL_SECONDS:.1f}% of one core; peak seen: {watch.peak['tasks']} tasks, "
          f"{watch.peak['memory'] / MiB:.0f} MiB, {watch.peak['disk'] / MiB:.1f} MiB on disk")


#: Runs in a child: reads the submission the old way or with intake, scans its cells, prints max RSS.
_READER = r"""
import json, resource, sys
sys.path.insert(0, sys.argv[3])
path, how = sys.argv[1], sys.argv[2]
from course_tools.homework.scan import scan
if how == "old":
    data = json.loads(open(path, "rb").read().decode("utf-8"))
    cells = [{"cell_type": c["cell_type"], "source": "".join(c["source"]) if isinstance(c["source"], list)
              else c["source"]} for c in data["cells"]]
    problem = None
else:
    from course_tools.homework.intake import load_submission
    nb, problem = load_submission(path)
    cells = nb["cells"] if nb else []
flags = scan((i, c["source"]) for i, c in enumerate(cells, 1) if c["cell_type"] == "code")
print(json.dumps({"max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "refused": bool(problem)}))
"""


def crafted_file(tmp: Path) -> None:
    source = "f();" * 1_000_000  # 4 MB of the code that costs the parser the most memory per character
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "source": source, "metadata": {}, "outputs": [], "execution_count": None}]}
    path = tmp / "big_cell.ipynb"
    path.write_text(json.dumps(nb))
    print(f"3. The grader's own memory for one submission with a 4 MB code cell ({path.stat().st_size:,} bytes)")
    for how, words in (("old", "parse and scan in the grader, no cell limit"),
                       ("intake", f"intake: child process, cells of at most {config.MAX_CELL_CHARS:,} characters")):
        done = subprocess.run([sys.executable, "-c", _READER, str(path), how, str(REPO)], capture_output=True,
                              text=True, timeout=600)
        figures = json.loads(done.stdout)
        print(f"   {words:72s} peak {figures['max_rss_mib']:7.0f} MiB"
              + ("  (refused with a note)" if figures["refused"] else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-honest", action="store_true", help="skip grading the solutions (table 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-limits-") as tmp:
        if not args.skip_honest:
            honest_peaks(Path(tmp) / "honest")
        watch_cost()
        crafted_file(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Strict nbval under several CPU settings: committed outputs must not depend on the CPU.

A notebook's committed outputs are compared character by character (``make test``). A float32
training run gives slightly different numbers on another CPU, because the vector width of the
kernels (SSE, AVX2, AVX-512, Arm NEON) changes the order of additions. This command reruns strict
nbval with PyTorch, oneDNN, MKL and NumPy held to other instruction sets, so a figure that moves
with the CPU is found here and not on a student's laptop::

    python -m course_tools.cpu_matrix                      # every setting below (make test-cpus)
    python -m course_tools.cpu_matrix default avx2         # some of them
    python -m course_tools.cpu_matrix --list               # what each setting changes

Each setting is one ``pytest notebooks --nbval`` run with extra environment variables, in the
same Python as this command. Exit status 0 when every setting passed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence

ROOT = Path(__file__).resolve().parents[1]

#: name -> (environment variables, what it stands for)
SETTINGS: Dict[str, tuple] = {
    "native": ({}, "this machine's best instruction set (what make test runs)"),
    "default": ({"ATEN_CPU_CAPABILITY": "default"},
                "PyTorch's portable kernels without AVX (any x86-64, and close to what Arm builds run)"),
    "avx2": ({"ATEN_CPU_CAPABILITY": "avx2"}, "PyTorch's AVX2 kernels (most laptops and CI runners)"),
    "onednn-avx2": ({"ONEDNN_MAX_CPU_ISA": "AVX2"}, "oneDNN (convolutions, some matmuls) held to AVX2"),
    "oldest": ({"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41",
                "MKL_ENABLE_INSTRUCTIONS": "SSE4_2", "MKL_CBWR": "COMPATIBLE",
                "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"},
               "everything held to SSE4.2: PyTorch, oneDNN, MKL and NumPy (an old CPU)"),
}
REQUIRED = ("native", "default", "avx2", "onednn-avx2")


def _numpy_features_to_disable(wanted: str) -> str:
    """Keep only the NumPy dispatch targets this NumPy build knows (it refuses unknown names)."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__ as known  # numpy >= 2
    except ImportError:  # pragma: no cover - numpy 1.x
        try:
            from numpy.core._multiarray_umath import __cpu_dispatch__ as known
        except ImportError:
            return ""
    return " ".join(name for name in wanted.split() if name in known)


def environment(name: str, base: Dict[str, str] | None = None) -> Dict[str, str]:
    """The environment of one setting: ``base`` (default: this process's) plus its variables."""
    env = dict(os.environ if base is None else base)
    for key, value in SETTINGS[name][0].items():
        if key == "NPY_DISABLE_CPU_FEATURES":
            value = _numpy_features_to_disable(value)
            if not value:
                continue
        env[key] = value
    return env


def nbval_command(notebooks: Sequence[str], extra: Sequence[str] = ()) -> List[str]:
    return [sys.executable, "-m", "pytest", *notebooks, "--nbval", "--nbval-current-env",
            "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), "-q", "-p", "no:cacheprovider",
            *extra]


def run(names: Sequence[str], notebooks: Sequence[str], extra: Sequence[str] = ()) -> int:
    results = []
    for name in names:
        print(f"\n=== {name}: {SETTINGS[name][1]}", flush=True)
        shown = {k: v for k, v in environment(name).items() if k in SETTINGS[name][0]}
        print("    " + (" ".join(f"{k}={v!r}" for k, v in shown.items()) or "(no variable set)"), flush=True)
        start = time.monotonic()
        proc = subprocess.run(nbval_command(notebooks, extra), cwd=ROOT, env=environment(name),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        seconds = time.monotonic() - start
        failed = re.findall(r"^FAILED (.+?)(?: - .*)?$", proc.stdout, flags=re.M)
        summary = re.findall(r"^=* ?(\d+ (?:passed|failed).*?) ?=*$", proc.stdout, flags=re.M) or ["no summary"]
        print(f"    {summary[-1]}  ({seconds:.0f} s)")
        for item in failed:
            print(f"    FAILED {item}")
        if proc.returncode and not failed:
            print(proc.stdout[-3000:])
        results.append((name, proc.returncode, len(failed)))
    print("\nsetting        result")
    for name, code, n_failed in results:
        print(f"{name:14s} {'passed' if code == 0 else f'FAILED ({n_failed} cells)'}")
    return 0 if all(code == 0 for _, code, _ in results) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("settings", nargs="*", help=f"settings to run (default: all: {', '.join(SETTINGS)})")
    parser.add_argument("--notebooks", nargs="+", default=["notebooks"], help="notebooks or folders (default: notebooks)")
    parser.add_argument("--list", action="store_true", help="list the settings and exit")
    parser.add_argument("--pytest-args", default="", help="extra pytest arguments, e.g. '-x'")
    args = parser.parse_args(argv)
    if args.list:
        for name, (variables, text) in SETTINGS.items():
            mark = "required" if name in REQUIRED else "extra"
            print(f"{name:12s} ({mark}) {text}\n             {variables or '(nothing set)'}")
        return 0
    unknown = [s for s in args.settings if s not in SETTINGS]
    if unknown:
        parser.error(f"unknown setting(s) {', '.join(unknown)}: choose from {', '.join(SETTINGS)}")
    return run(args.settings or list(SETTINGS), args.notebooks, args.pytest_args.split())


if __name__ == "__main__":
    sys.exit(main())

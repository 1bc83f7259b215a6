"""Which PyTorch build ``make setup`` installs, decided before anything else is installed.

Run as a script with the new virtual environment's Python (standard library only: the venv is
still empty)::

    .venv/bin/python course_utils/plumbing/torch_install.py --requirements requirements.txt

It prints one shell command on stdout (the Makefile runs it) and, on stderr, one line saying
which build that is, why, and roughly how much it downloads. The rule:

- Linux on x86_64 without an NVIDIA GPU: the CPU build from PyTorch's own CPU index. PyPI's
  Linux wheel is the CUDA build, about 2.7 GB of downloads and a 5 GB ``.venv``; the CPU build
  is about 0.2 GB and a 1.3 GB ``.venv``.
- Linux with an NVIDIA GPU (``nvidia-smi`` or the driver's ``/proc`` entry is present): the CUDA
  build, which is PyPI's default.
- macOS and Windows: PyPI's default, which is already the right build there (Apple's MPS on
  macOS, the CPU on Windows).
- When the pip sources already configured (``pip.conf``, ``PIP_*`` variables) resolve the pinned
  version to a CPU build, or the venv already holds it, the plain PyPI command is used: it needs
  no other index and downloads nothing more.

``COURSE_TORCH=cpu|cuda|auto`` (default ``auto``) overrides the rule.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

#: PyTorch's index of CPU-only wheels (Linux and Windows).
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
#: The variable that overrides the automatic choice.
OVERRIDE_VAR = "COURSE_TORCH"
CHOICES = ("auto", "cpu", "cuda")

# Rough sizes for the message, measured for torch 2.13 on Linux x86_64 / Python 3.11.
_SIZE_CPU_LINUX = "about 0.2 GB to download, 1.3 GB in .venv"
_SIZE_CUDA_LINUX = "about 2.7 GB to download (torch + NVIDIA libraries), 5 GB in .venv"
_SIZE_MACOS = "about 0.1 GB to download"
_SIZE_WINDOWS = "about 0.2 GB to download"


@dataclass
class Decision:
    """What to install and why.

    Attributes:
        args: pip arguments after ``pip install`` (requirement first).
        build: ``"cpu"``, ``"cuda"`` or ``"default"`` (PyPI's build for this system).
        reason: one sentence for the person waiting.
        size: rough download/disk size, or ``""`` when nothing needs downloading.
    """

    args: list
    build: str
    reason: str
    size: str = ""
    notes: list = field(default_factory=list)

    def command(self, python: str) -> str:
        """The whole shell command, quoted, e.g. ``.venv/bin/python -m pip install torch==2.13.0``."""
        return shlex.join([python, "-m", "pip", "install", "--disable-pip-version-check", *self.args])

    def message(self) -> str:
        size = f"; {self.size}" if self.size else ""
        return f"PyTorch: {self.reason}{size}."


def torch_requirement(requirements: Path) -> str:
    """The ``torch==X`` line of a requirements file (``torch==2.13.0``).

    Raises ``ValueError`` when the file pins no torch version.
    """
    for line in Path(requirements).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if re.fullmatch(r"torch\s*==\s*[0-9][0-9A-Za-z.]*", line):
            return line.replace(" ", "")
    raise ValueError(f"{requirements} has no 'torch==<version>' line: pin torch there.")


def _pinned_version(requirement: str) -> str:
    return requirement.split("==", 1)[1]


def _same_release(installed: str, pinned: str) -> bool:
    """``2.13.0+cpu`` is version ``2.13.0`` (a local label such as ``+cpu`` names a build, not another version)."""
    return installed.split("+", 1)[0] == pinned.split("+", 1)[0]


def decide(requirement: str, *, system: str, machine: str, has_nvidia_gpu: bool, override: str = "auto",
           installed: Optional[str] = None, resolves_to: Optional[str] = None) -> Decision:
    """The install decision, from facts gathered elsewhere (pure: the unit tests call this).

    Args:
        requirement: the pinned requirement, ``torch==2.13.0``.
        system: ``platform.system()``: ``"Linux"``, ``"Darwin"`` or ``"Windows"``.
        machine: ``platform.machine()``: ``"x86_64"``, ``"aarch64"``, ``"arm64"``, ``"AMD64"``...
        has_nvidia_gpu: an NVIDIA driver is present.
        override: the value of ``COURSE_TORCH`` (``auto``, ``cpu`` or ``cuda``).
        installed: the torch version already in the venv (``"2.13.0+cpu"``), or ``None``.
        resolves_to: the version pip's configured sources pick for ``requirement`` (``"2.13.0+cpu"``
            when they already hold a CPU wheel), or ``None`` when unknown.
    """
    override = (override or "auto").strip().lower()
    if override not in CHOICES:
        raise ValueError(f"{OVERRIDE_VAR}={override!r} is not understood: use one of {', '.join(CHOICES)} "
                         f"(or leave it unset for auto).")
    pinned = _pinned_version(requirement)
    plain = [requirement]
    if installed is not None and _same_release(installed, pinned):
        # PyPI's Linux CUDA build carries no label ("2.13.0"); the CPU index's build is "2.13.0+cpu".
        wrong_build = system == "Linux" and ((override == "cpu" and not installed.endswith("+cpu"))
                                             or (override == "cuda" and installed.endswith("+cpu")))
        if not wrong_build:
            return Decision(plain, "installed", f"torch {installed} is already installed, nothing to download")
    if system == "Darwin":
        if override == "cuda":
            raise ValueError(f"{OVERRIDE_VAR}=cuda: there is no CUDA build of PyTorch for macOS. "
                             f"Unset {OVERRIDE_VAR}: the default build uses the Apple GPU (MPS).")
        return Decision(plain, "default", f"installing {requirement} from PyPI (the macOS build, CPU + Apple GPU)",
                        _SIZE_MACOS)
    if system == "Windows":
        decision = Decision(plain, "default", f"installing {requirement} from PyPI (the Windows build runs on the CPU)",
                            _SIZE_WINDOWS)
        if override == "cuda":
            decision.notes.append("PyPI's Windows build has no CUDA. For the GPU build, follow "
                                  "https://pytorch.org/get-started/locally/ after `make setup`.")
        return decision
    want_cpu = override == "cpu" or (override == "auto" and not has_nvidia_gpu)
    why = {"cpu": f"{OVERRIDE_VAR}=cpu", "cuda": f"{OVERRIDE_VAR}=cuda",
           "auto": "an NVIDIA GPU was found" if has_nvidia_gpu else "no NVIDIA GPU was found"}[override]
    if not want_cpu:
        return Decision(plain, "cuda", f"installing {requirement}, the CUDA build from PyPI ({why}; "
                        f"set {OVERRIDE_VAR}=cpu for the small CPU build)", _SIZE_CUDA_LINUX)
    if resolves_to is not None and _same_release(resolves_to, pinned) and resolves_to.endswith("+cpu"):
        return Decision(plain, "cpu", f"installing {requirement} as the CPU build {resolves_to} that the "
                        f"configured package sources already hold ({why})", _SIZE_CPU_LINUX)
    if machine.lower() not in ("x86_64", "amd64"):
        return Decision(plain, "default", f"installing {requirement} from PyPI ({why}; on {machine} "
                        "PyPI's Linux build is the CPU build)", "")
    return Decision([f"{requirement}+cpu", "--extra-index-url", CPU_INDEX], "cpu",
                    f"installing {requirement}+cpu, the CPU build from PyTorch's CPU index ({why}; "
                    f"set {OVERRIDE_VAR}=cuda for the CUDA build)", _SIZE_CPU_LINUX)


# --------------------------------------------------------------------------- facts about this machine
def has_nvidia_gpu(run: Callable = subprocess.run, driver_file: Path = Path("/proc/driver/nvidia/version")) -> bool:
    """True when an NVIDIA driver answers: ``/proc/driver/nvidia/version`` or ``nvidia-smi -L``."""
    if driver_file.exists():
        return True
    if shutil.which("nvidia-smi") is None:
        return False
    try:
        result = run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0 and "GPU" in result.stdout


def installed_torch(python: str) -> Optional[str]:
    """The torch version installed for ``python``, or ``None``."""
    code = ("import importlib.metadata as m\ntry: print(m.version('torch'))\n"
            "except m.PackageNotFoundError: pass")
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def resolved_torch(python: str, requirement: str) -> Optional[str]:
    """The version pip's configured sources would install for ``requirement``, without installing.

    Uses ``pip install --dry-run --report``; reads metadata only (PyPI serves it separately), so
    no wheel is downloaded. ``None`` when pip cannot say (old pip, no network).
    """
    with tempfile.TemporaryDirectory(prefix="torch-resolve-") as tmp:
        report = Path(tmp) / "report.json"
        cmd = [python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", "--dry-run",
               "--no-deps", "--ignore-installed", "--report", str(report), requirement]
        try:
            subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=True)
            data = json.loads(report.read_text())
            return data["install"][0]["metadata"]["version"]
        except (OSError, subprocess.SubprocessError, ValueError, KeyError, IndexError):
            return None


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description="Print the pip command that installs the right PyTorch build.")
    parser.add_argument("--requirements", type=Path, default=Path("requirements.txt"),
                        help="file with the torch==X pin (default: requirements.txt)")
    parser.add_argument("--python", default=sys.executable,
                        help="the venv's Python that will run pip (default: this one)")
    args = parser.parse_args(argv)
    try:
        requirement = torch_requirement(args.requirements)
        override = os.environ.get(OVERRIDE_VAR, "auto")
        system, machine = platform.system(), platform.machine()
        gpu = has_nvidia_gpu() if system == "Linux" else False
        installed = installed_torch(args.python)
        resolves_to = None
        if (system == "Linux" and installed is None and override.strip().lower() != "cuda"
                and (override.strip().lower() == "cpu" or not gpu)):
            print("PyTorch: checking which build the configured package sources offer ...", file=sys.stderr,
                  flush=True)
            resolves_to = resolved_torch(args.python, requirement)
        decision = decide(requirement, system=system, machine=machine, has_nvidia_gpu=gpu, override=override,
                          installed=installed, resolves_to=resolves_to)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(decision.message(), file=sys.stderr)
    for note in decision.notes:
        print(f"note: {note}", file=sys.stderr)
    print(decision.command(args.python))
    return 0


if __name__ == "__main__":
    sys.exit(main())

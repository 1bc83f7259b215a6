"""``make test-compat``: do the version ranges of ``pyproject.toml`` tell the truth?

Builds three virtual environments the way Colab installs the course (a stack already installed,
then ``pip install -e '.[notebooks]'`` with no constraints file), and in each runs every notebook
top to bottom (errors fail, output is not compared) and the unit tests:

- ``newest``: ``pip install -e '.[notebooks]'`` alone, so pip takes the newest versions the ranges
  allow (torch: the newest the configured package sources offer; where a cap on torch is
  configured, that cap). Its summary names each direct dependency that a cap outside the
  project held below the newest version the package index offers.
- ``floors``: every dependency first pinned at the floor its range declares (``numpy>=1.22`` ->
  ``numpy==1.22``), on the Python of ``requires-python`` when one is found, then the same Colab
  command; the run fails if that command moved any of them off its floor, since the floor would
  then be one that was never run.
- ``colab``: Colab's own stack first, pinned in ``course_tools/colab_stack.txt`` (the packages of
  a Colab image the course touches, with the date and source of the list, on the Python it names),
  then the notebooks' own bootstrap cell, executed as on Colab (``google.colab`` simulated; the
  clone already in place), performs the install. The run fails if that install moved any of
  Colab's pinned packages. The notebooks run with ``COURSE_COLAB=1``.

Run from the repository root with any Python 3.10+ (standard library only: it runs before the
environments exist)::

    python3 -m course_tools.compat_envs               # all three environments
    python3 -m course_tools.compat_envs floors --no-tests

The environments are cached under ``.compat/`` (ignored by git) and rebuilt only when the
dependency lists, Colab's list, the bootstrap cell or the recipe change. ``COMPAT_DIR`` moves the
cache, ``COMPAT_FLOOR_PYTHON`` and ``COMPAT_COLAB_PYTHON`` name the interpreters for ``floors`` and
``colab``. Executed notebooks go to a temporary folder that is removed afterwards; the committed
notebooks are never written.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

#: Bump when the way an environment is built changes, so cached ones are rebuilt.
RECIPE_VERSION = "1"
ENV_NAMES = ("newest", "floors", "colab")
#: Colab's pinned stack (see the file's header for its date, source and the Python it names).
COLAB_STACK = Path(__file__).resolve().parent / "colab_stack.txt"
#: The notebook whose bootstrap cell the ``colab`` environment executes (every notebook has the same cell).
BOOTSTRAP_NOTEBOOK = "notebooks/01_bayes_theorem.ipynb"
BOOTSTRAP_MARKER = "# Course bootstrap"
#: Tools the checks need that the package itself does not depend on: pytest, and the Jupyter kernel
#: (Colab has one; ipywidgets 8 no longer brings it). Installed after Colab's command, in every run
#: (a no-op when present), so adding one does not rebuild an environment.
TEST_TOOLS = ("pytest", "ipykernel")
#: Environment of the notebook kernels and the unit tests: CPU, plain progress lines, fixed hashing.
RUN_ENV = {"COURSE_DEVICE": "cpu", "COURSE_PROGRESS": "plain", "PYTHONHASHSEED": "0"}
#: Seconds one notebook cell may run, one whole notebook, and the unit tests of one environment.
CELL_TIMEOUT = 600
NOTEBOOK_TIMEOUT = 900
TESTS_TIMEOUT = 2400

_REQ_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*(;.*)?$")


# --------------------------------------------------------------------------- reading pyproject.toml
def read_project(pyproject: Path) -> dict:
    """The ``[project]`` table of ``pyproject.toml`` (``tomllib`` on 3.11+, a small reader on 3.10)."""
    text = Path(pyproject).read_text()
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        return _read_project_fallback(text)
    return tomllib.loads(text)["project"]


def _read_project_fallback(text: str) -> dict:
    """Just the keys this module needs: ``requires-python``, ``dependencies``, optional dependencies."""
    project: dict = {"optional-dependencies": {}}
    section = None
    for match in re.finditer(r"(?ms)^\[([^\]]+)\]\s*$|^([A-Za-z0-9_-]+)\s*=\s*(\[.*?\]|\"[^\"]*\")", text):
        if match.group(1):
            section = match.group(1).strip()
            continue
        key, raw = match.group(2), match.group(3)
        value = re.findall(r'"([^"]*)"', raw) if raw.startswith("[") else raw.strip('"')
        if section == "project" and key in ("requires-python", "dependencies"):
            project[key] = value
        elif section == "project.optional-dependencies":
            project["optional-dependencies"][key] = value
    return project


@dataclass
class Requirement:
    name: str
    specifier: str

    @property
    def floor(self) -> Optional[str]:
        """The version after ``>=``, or ``None`` when the range has no lower bound."""
        match = re.search(r">=\s*([0-9][0-9A-Za-z.]*)", self.specifier)
        return match.group(1) if match else None


def parse_requirement(text: str) -> Requirement:
    match = _REQ_RE.match(text)
    if not match:
        raise ValueError(f"cannot read the requirement {text!r}")
    return Requirement(match.group(1), match.group(3).replace(" ", ""))


def course_requirements(project: dict, extra: str = "notebooks") -> list:
    """The package's dependencies plus those of ``extra``, as ``Requirement``\\ s."""
    texts = list(project.get("dependencies", [])) + list(project.get("optional-dependencies", {}).get(extra, []))
    return [parse_requirement(t) for t in texts]


def floor_pins(requirements: list) -> list:
    """``name==floor`` for each requirement; ``ValueError`` naming any without a ``>=`` floor."""
    missing = [r.name for r in requirements if r.floor is None]
    if missing:
        raise ValueError(f"no '>=' floor for {', '.join(missing)} in pyproject.toml: every dependency needs one "
                         "so that the floors environment can install it")
    return [f"{r.name}=={r.floor}" for r in requirements]


def python_floor(project: dict) -> Optional[str]:
    """``"3.10"`` from ``requires-python = ">=3.10"``."""
    match = re.search(r">=\s*(3\.\d+)", project.get("requires-python", ""))
    return match.group(1) if match else None


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _release(version: str) -> tuple:
    """``"1.22"`` and ``"1.22.0"`` compare equal; a local label is ignored."""
    parts = [int(p) for p in re.findall(r"\d+", version.split("+")[0].split("rc")[0])]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def version_mismatches(expected: list, installed: dict, wanted: str) -> list:
    """Lines naming each ``(name, version)`` of ``expected`` not installed at that release.

    ``wanted`` words the expected version in the line: ``"floor is"`` gives
    ``"numpy: 1.26.4 installed, floor is 1.22"``.
    """
    problems = []
    for name, version in expected:
        have = installed.get(_normalize(name))
        if have is None:
            problems.append(f"{name}: not installed")
        elif _release(have) != _release(version):
            problems.append(f"{name}: {have} installed, {wanted} {version}")
    return problems


def off_floor(requirements: list, installed: dict) -> list:
    """Lines naming each dependency whose installed version is not its floor."""
    return version_mismatches([(r.name, r.floor) for r in requirements], installed, "floor is")


# --------------------------------------------------------------------------- Colab's stack
@dataclass
class PinnedList:
    """A list of ``name==version`` pins and the Python it was taken on (``"3.13"``, or ``None``)."""

    python: Optional[str]
    pins: list  # (name, version)

    def lines(self) -> list:
        return [f"{name}=={version}" for name, version in self.pins]


def read_pinned_list(path: Path) -> PinnedList:
    """Read ``colab_stack.txt``: a ``# python: 3.13`` comment line and one ``name==version`` a line.

    Raises ``ValueError`` naming the line for anything else, so the list stays exact.
    """
    python, pins = None, []
    for number, raw in enumerate(Path(path).read_text().splitlines(), 1):
        line = raw.strip()
        match = re.fullmatch(r"#\s*python:\s*(3\.\d+)\s*", line)
        if match:
            python = match.group(1)
        if not line or line.startswith("#"):
            continue
        pin = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][0-9A-Za-z.+!-]*)", line)
        if not pin:
            raise ValueError(f"{path}, line {number}: {line!r} is not an exact pin 'name==version': "
                             "every line of the list pins one package")
        pins.append((pin.group(1), pin.group(2)))
    if not pins:
        raise ValueError(f"{path} pins no package")
    return PinnedList(python, pins)


def bootstrap_cell(notebook: Path) -> str:
    """The source of ``notebook``'s bootstrap cell (its first code cell), read with ``json`` alone."""
    cells = json.loads(Path(notebook).read_text())["cells"]
    code = next((c for c in cells if c.get("cell_type") == "code"), None)
    source = "".join(code["source"]) if code and isinstance(code["source"], list) else (code or {}).get("source", "")
    if not source.startswith(BOOTSTRAP_MARKER):
        raise ValueError(f"{notebook}: the first code cell is not the bootstrap cell (it must start with "
                         f"{BOOTSTRAP_MARKER!r}); run `make badges`")
    return source


def bootstrap_for_clone(source: str, clone: Path) -> str:
    """The bootstrap cell with its clone folder (``repo = "/content/..."``) pointed at ``clone``.

    The folder exists, so the cell skips its ``git clone`` and goes straight to its install, as on a
    Colab runtime that has the clone already. Raises ``ValueError`` when the cell has no such line.
    """
    pattern = re.compile(r'^(\s*repo\s*=\s*)"[^"\n]*"\s*$', re.M)
    if len(pattern.findall(source)) != 1:
        raise ValueError("the bootstrap cell has no single 'repo = \"<folder>\"' line: update "
                         "course_tools/compat_envs.py (bootstrap_for_clone) to the new cell")
    return pattern.sub(lambda m: m.group(1) + json.dumps(str(clone)), source)


#: Runs the bootstrap cell as Colab's kernel would: ``google.colab`` is importable, so the cell acts.
_COLAB_DRIVER = """\
import sys, types
google = types.ModuleType("google")
google.__path__ = []
google.colab = types.ModuleType("google.colab")
sys.modules.update({"google": google, "google.colab": google.colab})
exec(compile(sys.argv[1], "<the notebooks' bootstrap cell>", "exec"), {"__name__": "__main__"})
"""


# --------------------------------------------------------------------------- caps outside the project
def newest_offered(python: str, name: str) -> Optional[str]:
    """The newest release of ``name`` the configured package index offers (``pip index versions``).

    ``pip index versions`` ignores constraint files, so this is the newest released version for
    this Python, whatever caps pip is configured with. ``None`` when pip cannot say (offline).
    """
    try:
        out = subprocess.run([python, "-m", "pip", "index", "versions", "--disable-pip-version-check", name],
                             capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(rf"^{re.escape(name)}\s+\(([^)]+)\)", out.stdout, re.M | re.I)
    return match.group(1) if out.returncode == 0 and match else None


def configured_caps(python: str) -> dict:
    """``{name: "file: line"}`` for each line of the constraint files pip is configured with."""
    files = [f for f in os.environ.get("PIP_CONSTRAINT", "").split() if f]
    try:
        out = subprocess.run([python, "-m", "pip", "config", "list"], capture_output=True, text=True, timeout=60)
        for value in re.findall(r"^[\w.:-]*constraint\s*=\s*'?([^'\n]*)'?$", out.stdout, re.M):
            files += value.split()
    except (OSError, subprocess.SubprocessError):
        pass
    caps = {}
    for file in files:
        try:
            lines = Path(file).read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            text = line.split("#", 1)[0].strip()
            try:
                name = parse_requirement(text).name if text and not text.startswith("-") else ""
            except ValueError:
                continue
            if name:
                caps.setdefault(_normalize(name), f"{file}: {text}")
    return caps


def held_back(requirements: list, installed: dict, offered: dict, caps: dict) -> list:
    """Notes on each dependency installed below the newest release the index offers.

    ``offered`` maps a normalized name to the newest offered version, or ``None`` when unknown;
    ``caps`` maps it to the configured constraint line that caps it, when one does.
    """
    notes = []
    for req in requirements:
        key = _normalize(req.name)
        have, newest = installed.get(key), offered.get(key)
        if "<" in req.specifier or "==" in req.specifier:
            continue  # capped by pyproject.toml itself: not a cap outside the project
        if newest is None:
            notes.append(f"{req.name}: newest release unknown (pip index versions gave no answer)")
        elif have is not None and _release(have) < _release(newest):
            why = f"pip's configured constraint {caps[key]}" if key in caps else (
                "a cap outside pyproject.toml (another package's requirement or pip's configuration)")
            notes.append(f"{req.name}: {have} installed, {newest} released; held back by {why}")
    return notes


# --------------------------------------------------------------------------- interpreters and venvs
def find_python(version: str, override_var: str = "COMPAT_FLOOR_PYTHON") -> Optional[str]:
    """A Python ``version`` (``"3.10"``) interpreter that runs, or ``None``; ``override_var`` is tried first."""
    candidates = [os.environ.get(override_var) or "", f"python{version}"]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"), reverse=True)
    candidates += [f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"]
    for candidate in filter(None, candidates):
        exe = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if exe is None:
            continue
        try:
            out = subprocess.run([exe, "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"],
                                 capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            continue
        if out.returncode == 0 and out.stdout.strip() == version:
            return exe
    return None


@dataclass
class EnvResult:
    name: str
    python: str = ""
    versions: dict = field(default_factory=dict)
    install_s: float = 0.0
    cached: bool = False
    notebooks: list = field(default_factory=list)  # (name, seconds, problem or "")
    tests: str = ""
    tests_ok: Optional[bool] = None
    tests_s: float = 0.0
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # information that does not fail the run

    @property
    def ok(self) -> bool:
        return not self.problems and all(not p for _, _, p in self.notebooks) and self.tests_ok is not False


class Runner:
    """Builds one environment and runs the checks in it. Logs go to ``<venv>/logs/``."""

    def __init__(self, repo: Path, cache: Path, name: str, base_python: str):
        self.repo, self.name, self.base_python = repo, name, base_python
        self.project = read_project(repo / "pyproject.toml")
        self.requirements = course_requirements(self.project)
        self.venv = cache / name
        self.py = str(self.venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
        self.logs = self.venv / "logs"

    # ---- building
    def recipe_key(self) -> str:
        recipe = {"recipe": RECIPE_VERSION, "env": self.name, "python": self.base_python,
                  "requirements": [f"{r.name}{r.specifier}" for r in self.requirements]}
        if self.name == "colab":
            recipe["colab"] = {"pins": read_pinned_list(COLAB_STACK).lines(),
                               "bootstrap": bootstrap_cell(self.repo / BOOTSTRAP_NOTEBOOK)}
        data = json.dumps(recipe, sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()[:16]

    def _pip(self, *args: str, log: str) -> None:
        cmd = [self.py, "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off", *args]
        print(f"  $ {' '.join(cmd[1:])}", flush=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        with open(self.logs / log, "a") as out:
            done = subprocess.run(cmd, cwd=self.repo, stdout=out, stderr=subprocess.STDOUT)
        if done.returncode != 0:
            tail = (self.logs / log).read_text().splitlines()[-25:]
            raise RuntimeError(f"pip failed (exit {done.returncode}); last lines of {self.logs / log}:\n"
                               + "\n".join(tail))

    def build(self, result: EnvResult) -> None:
        stamp = self.venv / ".compat-stamp"
        key = self.recipe_key()
        if stamp.is_file() and stamp.read_text().strip() == key and Path(self.py).is_file():
            result.cached = True
            print(f"[{self.name}] cached environment {self.venv}", flush=True)
            self._pip("--quiet", *TEST_TOOLS, log="install.log")
            return
        start = time.monotonic()
        shutil.rmtree(self.venv, ignore_errors=True)
        print(f"[{self.name}] creating {self.venv} with {self.base_python}", flush=True)
        subprocess.run([self.base_python, "-m", "venv", str(self.venv)], check=True)
        if self.name == "floors":
            pins = floor_pins(self.requirements)
            print(f"[{self.name}] the 'preinstalled' stack, every dependency at its floor "
                  "(torch's floor is a CUDA build from PyPI: about 3.5 GB of downloads the first time, then pip's cache)",
                  flush=True)
            self._pip(*pins, log="install.log")
        if self.name == "colab":
            self._install_colab_stack()
            self._run_bootstrap_cell()
        else:
            print(f"[{self.name}] Colab's command: pip install -e '.[notebooks]' (no constraints)", flush=True)
            self._pip("-e", ".[notebooks]", log="install.log")
        self._pip(*TEST_TOOLS, log="install.log")
        result.install_s = time.monotonic() - start
        stamp.write_text(key + "\n")

    def _install_colab_stack(self) -> None:
        """Colab's image, as far as the course touches it: pip first (it runs the rest), then the list."""
        stack = read_pinned_list(COLAB_STACK)
        print(f"[{self.name}] the 'preinstalled' stack: {len(stack.pins)} packages pinned as on Colab "
              f"({COLAB_STACK.name}; torch is PyPI's CUDA build of Colab's version: about 3 GB of downloads "
              "the first time, then pip's cache)", flush=True)
        pip_pin = [line for line in stack.lines() if _normalize(line.split("==")[0]) == "pip"]
        if pip_pin:
            self._pip(*pip_pin, log="install.log")
        self._pip("-r", str(COLAB_STACK), log="install.log")

    def _run_bootstrap_cell(self) -> None:
        """Execute the notebooks' bootstrap cell as Colab's kernel would, with this clone in place.

        It runs in a scratch folder (as on Colab, the clone is not the working directory), so the
        course is importable afterwards only if the cell's own install worked.
        """
        source = bootstrap_for_clone(bootstrap_cell(self.repo / BOOTSTRAP_NOTEBOOK), self.repo)
        print(f"[{self.name}] the notebooks' bootstrap cell, as on Colab (google.colab simulated, clone in place)",
              flush=True)
        log = self.logs / "install.log"
        with tempfile.TemporaryDirectory(prefix="course-compat-bootstrap-") as scratch, open(log, "a") as out:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "COURSE_"))}
            for cmd in ([self.py, "-c", _COLAB_DRIVER, source],
                        [self.py, "-c", "import course_utils; print('course_utils from', course_utils.__file__)"]):
                done = subprocess.run(cmd, cwd=scratch, env=env, stdout=out, stderr=subprocess.STDOUT)
                if done.returncode != 0:
                    tail = log.read_text().splitlines()[-25:]
                    raise RuntimeError(f"the bootstrap cell's install failed (exit {done.returncode}); last lines "
                                       f"of {log}:\n" + "\n".join(tail))

    def installed(self) -> dict:
        code = ("import importlib.metadata as m, json\n"
                "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))")
        out = subprocess.run([self.py, "-c", code], capture_output=True, text=True, check=True)
        return {_normalize(k): v for k, v in json.loads(out.stdout).items()}

    # ---- checks
    def _env(self, tmp: Path, notebooks: bool = False) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_", "PYTHON", "JUPYTER", "MPL"))}
        env.update(RUN_ENV)
        if notebooks and self.name == "colab":  # the kernel takes Colab's code paths (no Drive mounted)
            env.update({"COURSE_COLAB": "1", "COURSE_COLAB_CONTENT": str(tmp / "content")})
        env["COURSE_CHECKPOINT_DIR"] = str(tmp / "checkpoints")
        env["COURSE_DATA_DIR"] = str(tmp / "data")  # nothing is written into the clone's data/
        env["TMPDIR"] = str(tmp)
        env["JUPYTER_PATH"] = str(tmp / "jupyter")
        env["PATH"] = str(Path(self.py).parent) + os.pathsep + env.get("PATH", "")
        return env

    def run_notebooks(self, result: EnvResult, tmp: Path) -> None:
        """Each notebook top to bottom in a copy; errors and anything printed on stderr are problems."""
        work = tmp / "notebooks"
        shutil.copytree(self.repo / "notebooks", work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        # The kernel spec that this environment's ipykernel writes itself (its protocol version
        # matters: without it, kernel shutdown can hang), under a name no user setting can shadow.
        kernel_dir = tmp / "jupyter" / "kernels" / "course-compat"
        kernel_dir.mkdir(parents=True)
        spec = subprocess.run([self.py, "-c", "import json; from ipykernel.kernelspec import get_kernel_dict; "
                               "print(json.dumps(get_kernel_dict()))"], capture_output=True, text=True, check=True)
        (kernel_dir / "kernel.json").write_text(spec.stdout)
        for path in sorted(work.glob("*.ipynb")):
            start = time.monotonic()
            print(f"[{self.name}] notebook {path.name} ...", flush=True)
            done = _run([self.py, "-m", "course_tools.compat_envs", "_execute", str(path)], cwd=self.repo,
                        env=self._env(tmp, notebooks=True), timeout=NOTEBOOK_TIMEOUT)
            seconds = time.monotonic() - start
            problem = ""
            if done.returncode != 0:
                lines = (done.stdout + done.stderr).strip().splitlines()
                if len(lines) > 30:
                    lines = lines[:5] + ["..."] + lines[-20:]
                problem = "\n".join(lines) or f"exit {done.returncode}"
            print(f"[{self.name}] notebook {path.name}: {'OK' if not problem else 'FAILED'} ({seconds:.0f} s)",
                  flush=True)
            if problem:
                print(_indent(problem), flush=True)
            result.notebooks.append((path.name, seconds, problem))

    def run_tests(self, result: EnvResult, tmp: Path) -> None:
        start = time.monotonic()
        print(f"[{self.name}] unit tests ...", flush=True)
        cmd = [self.py, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "--basetemp", str(tmp / "pytest")]
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / "tests.log"
        with open(log, "w") as out:
            done = _run(cmd, cwd=self.repo, env=self._env(tmp), timeout=TESTS_TIMEOUT, stdout=out)
        lines = [line for line in log.read_text().splitlines() if line.strip()]
        result.tests = lines[-1] if lines else "(no output)"
        result.tests_ok = done.returncode == 0
        result.tests_s = time.monotonic() - start
        print(f"[{self.name}] unit tests: {result.tests} ({result.tests_s:.0f} s)", flush=True)
        if not result.tests_ok:
            failed = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
            print(_indent("\n".join(failed[:30]) + f"\n(full log: {log})"), flush=True)


def _run(cmd: list, *, cwd: Path, env: dict, timeout: float, stdout=None) -> subprocess.CompletedProcess:
    """Run ``cmd`` in its own process group; on timeout kill the whole group (kernels, torchrun workers)."""
    import signal

    capture = stdout is None
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, start_new_session=True, text=True,
                            stdout=subprocess.PIPE if capture else stdout,
                            stderr=subprocess.PIPE if capture else subprocess.STDOUT)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        err = (err or "") + f"\nkilled after {timeout:.0f} s (the time limit of this step)"
        return subprocess.CompletedProcess(cmd, -9, out or "", err)
    finally:
        try:  # anything the step left running (a kernel, a worker) goes with it
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return subprocess.CompletedProcess(cmd, proc.returncode, out or "", err or "")


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def execute_notebook(path: Path) -> int:
    """Run in the environment's Python: execute ``path`` in its own folder; non-zero on a problem.

    A problem is a cell error, or text on stderr (a warning the student would see).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="course-compat",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        print(str(exc)[-3000:])
        return 1
    finally:
        nbformat.write(nb, str(path))  # the temporary copy, for a look after a failure
    stderr = []
    for number, cell in enumerate(nb.cells, 1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                stderr.append(f"cell {number}: {output.get('text', '').strip()[:800]}")
    if stderr:
        print("text on stderr (warnings a student would see):\n" + "\n".join(stderr))
        return 1
    return 0


def _versions_of_interest(installed: dict) -> dict:
    names = ("torch", "numpy", "matplotlib", "pillow", "ipywidgets", "ipykernel", "ipython", "nbclient",
             "nbformat", "jupyter-client", "torchinfo", "tqdm", "requests", "psutil")
    return {n: installed.get(n, "-") for n in names}


def summary(results: list) -> str:
    lines = ["", "compat summary"]
    for r in results:
        total_nb = sum(s for _, s, _ in r.notebooks)
        nb_ok = sum(1 for _, _, p in r.notebooks if not p)
        built = "cached" if r.cached else f"built in {r.install_s:.0f} s"
        lines.append(f"  {r.name}: {'PASS' if r.ok else 'FAIL'}  python {r.python}, environment {built}")
        lines.append("    " + ", ".join(f"{k} {v}" for k, v in r.versions.items()))
        if r.notebooks:
            lines.append(f"    notebooks: {nb_ok}/{len(r.notebooks)} ran clean in {total_nb:.0f} s ("
                         + ", ".join(f"{n[:2]} {s:.0f} s" for n, s, _ in r.notebooks) + ")")
        if r.tests:
            lines.append(f"    unit tests: {r.tests} ({r.tests_s:.0f} s)")
        for note in r.notes:
            lines.append(f"    note: {note}")
        for problem in r.problems:
            lines.append(f"    problem: {problem}")
    return "\n".join(lines)


def base_python(repo: Path, name: str) -> str:
    """The interpreter an environment is built on: the floor of requires-python for ``floors``,
    the Python that Colab's list names for ``colab``, this one otherwise (and when not found)."""
    if name == "floors":
        wanted, why, var = python_floor(read_project(repo / "pyproject.toml")), "the floor of requires-python", \
            "COMPAT_FLOOR_PYTHON"
    elif name == "colab":
        wanted, why, var = read_pinned_list(COLAB_STACK).python, f"Colab's, named in {COLAB_STACK.name}", \
            "COMPAT_COLAB_PYTHON"
    else:
        return sys.executable
    found = find_python(wanted, var) if wanted else None
    if found:
        return found
    print(f"[{name}] Python {wanted} ({why}) was not found: using {sys.version.split()[0]}. "
          f"Set {var} to a python{wanted} to test it.", flush=True)
    return sys.executable


def check_installed(runner: "Runner", result: EnvResult, installed: dict) -> None:
    """What each environment promises about its versions, checked after the course's install."""
    if runner.name == "floors":
        for problem in off_floor(runner.requirements, installed):
            result.problems.append(f"not at its floor after Colab's install: {problem}")
    elif runner.name == "colab":
        for problem in version_mismatches(read_pinned_list(COLAB_STACK).pins, installed, "Colab has"):
            result.problems.append(f"Colab's stack moved by the course's install: {problem} (pyproject.toml's "
                                   "ranges must accept Colab's version, or the bootstrap cell replaces it)")
    elif runner.name == "newest":
        offered = {_normalize(r.name): newest_offered(runner.py, r.name) for r in runner.requirements}
        result.notes += held_back(runner.requirements, installed, offered, configured_caps(runner.py))


def run_env(repo: Path, cache: Path, name: str, *, notebooks: bool, tests: bool) -> EnvResult:
    result = EnvResult(name)
    try:
        runner = Runner(repo, cache, name, base_python(repo, name))
        runner.build(result)
    except (RuntimeError, subprocess.CalledProcessError, ValueError) as exc:
        result.problems.append(f"environment not built: {exc}")
        return result
    installed = runner.installed()
    result.versions = _versions_of_interest(installed)
    result.python = subprocess.run([runner.py, "-c", "import sys; print(sys.version.split()[0])"],
                                   capture_output=True, text=True).stdout.strip()
    check_installed(runner, result, installed)
    with tempfile.TemporaryDirectory(prefix=f"course-compat-{name}-") as tmp:
        if notebooks:
            runner.run_notebooks(result, Path(tmp))
        if tests:
            runner.run_tests(result, Path(tmp))
    return result


def main(argv: Optional[list] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_execute"]:  # internal: run inside an environment
        return execute_notebook(Path(argv[1]))
    parser = argparse.ArgumentParser(prog="python -m course_tools.compat_envs", description=__doc__.split("\n")[0])
    parser.add_argument("envs", nargs="*", metavar="ENV", help=f"any of {', '.join(ENV_NAMES)} (default: all)")
    parser.add_argument("--no-notebooks", action="store_true", help="skip running the notebooks")
    parser.add_argument("--no-tests", action="store_true", help="skip the unit tests")
    args = parser.parse_args(argv)
    unknown = [e for e in args.envs if e not in ENV_NAMES]
    if unknown:
        parser.error(f"unknown environment {', '.join(unknown)}: choose from {', '.join(ENV_NAMES)}")
    repo = Path(__file__).resolve().parent.parent
    cache = Path(os.environ.get("COMPAT_DIR") or repo / ".compat").resolve()
    results = []
    start = time.monotonic()
    for name in args.envs or ENV_NAMES:
        results.append(run_env(repo, cache, name, notebooks=not args.no_notebooks, tests=not args.no_tests))
    print(summary(results))
    print(f"  total {time.monotonic() - start:.0f} s")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

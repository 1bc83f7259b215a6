"""The student edition is a project of its own, and never points at the instructor's repository.

- ``release`` refuses without a student repository URL; ``--no-url`` writes an edition that names no
  repository at all. The control: the files the edition is made from carry the instructor's URL, so an edition
  that copied them as they are (what release did without ``--repo-url``) would send students to the solutions.
- Its README, Makefile, pyproject.toml and requirements.txt are the student project's own; no file names an
  instructor command or module (the control: the instructor's own files do).
- In a fresh copy of the edition, every target its ``make help`` lists works (integration: a real ``make setup``
  into the edition's own .venv, about 1.5 min and 1.3 GB, removed again by ``make clean``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from course_tools.homework import config
from course_tools.homework.__main__ import main
from course_tools.homework.release import NO_URL_BOOTSTRAP
from course_utils import _config

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10, the floor of requires-python
    tomllib = pytest.importorskip("tomli", reason="reading pyproject.toml needs tomllib (3.11+) or tomli")

REPO = Path(__file__).resolve().parent.parent
STUDENT_URL = "https://github.com/teacher/dl-basics-student"
INSTRUCTOR_SLUG = _config.repo_slug(_config.REPO_URL)
#: Instructor commands and modules that no file of the edition may name (whole words).
INSTRUCTOR_WORDS = re.compile(rb"(?<![\w-])(release|grade|hw-lint|hw-audit|course_tools)(?![\w-])")
HOMEWORK = ("04_mlp_homework.ipynb", "05_notmnist_dataset_homework.ipynb")


def _files(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _words(files: dict) -> dict:
    """``{file: sorted instructor words}`` over text files (binary data files are skipped, as `grep -I` does)."""
    found = {}
    for rel, data in files.items():
        if b"\0" in data[:8000]:
            continue
        words = sorted({m.group(1).decode() for m in INSTRUCTOR_WORDS.finditer(data)})
        if words:
            found[rel] = words
    return found


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """Two releases of this repository: with the student repository's URL, and with --no-url."""
    base = tmp_path_factory.mktemp("editions")
    assert main(["release", str(REPO / "notebooks"), "--out", str(base / "student"), "--repo-url", STUDENT_URL]) == 0
    assert main(["release", str(REPO / "notebooks"), "--out", str(base / "nourl"), "--no-url"]) == 0
    return base


# --------------------------------------------------------------------------- the URL
def test_release_refuses_without_a_student_repository_url_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "dist" / "student"
    assert main(["release", str(REPO / "notebooks"), "--out", str(out)]) == 1
    said = capsys.readouterr().err
    assert "STUDENT_REPO_URL" in said and "--repo-url" in said and "--no-url" in said and "private" in said
    assert not out.exists() and not (tmp_path / "dist" / ("student" + config.KEY_SUFFIX)).exists()
    assert main(["release", str(REPO / "notebooks"), "--out", str(out), "--repo-url", STUDENT_URL, "--no-url"]) == 1
    assert not out.exists()


def test_release_refuses_the_instructors_own_url(tmp_path, capsys):
    out = tmp_path / "dist" / "student"
    assert main(["release", str(REPO / "notebooks"), "--out", str(out), "--repo-url", _config.REPO_URL + "/"]) == 1
    assert "this repository's own URL" in capsys.readouterr().err and not out.exists()


def test_make_release_names_the_url_it_needs():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = makefile[makefile.index("\nrelease:"):].split("\n\n")[0]
    assert "$(if $(STUDENT_REPO_URL),--repo-url $(STUDENT_REPO_URL),)" in recipe and "$(RELEASE_ARGS)" in recipe


def test_no_edition_carries_the_instructors_url(editions, capsys):
    # control: what the edition is made from carries the instructor's URL, in every notebook and in _config.py
    sources = {p.name: p.read_text(encoding="utf-8") for p in [*sorted((REPO / "notebooks").glob("*.ipynb")),
                                                                REPO / "course_utils" / "_config.py"]}
    assert all(INSTRUCTOR_SLUG in text for text in sources.values()), "the control finds the URL in the sources"
    for name in ("student", "nourl"):
        leaks = [rel for rel, data in _files(editions / name).items() if INSTRUCTOR_SLUG.encode() in data]
        assert leaks == [], f"the {name} edition names the instructor's repository in {leaks}"
    student = _files(editions / "student")
    assert f'REPO_URL = "{STUDENT_URL}"' in student["course_utils/_config.py"].decode()
    for name in sources:
        if name.endswith(".ipynb"):
            assert "colab.research.google.com/github/teacher/dl-basics-student" in student[f"notebooks/{name}"].decode()


def test_an_edition_without_url_names_no_repository_and_says_so(editions, tmp_path, capsys):
    nourl = _files(editions / "nourl")
    assert 'REPO_URL = ""' in nourl["course_utils/_config.py"].decode()
    import json

    for rel, data in nourl.items():
        if rel.endswith(".ipynb"):
            text = data.decode()
            assert "colab.research.google.com" not in text and "github.com" not in text, rel
            cells = json.loads(text)["cells"]
            boot = next(c for c in cells if c["cell_type"] == "code")
            assert "".join(boot["source"]) == NO_URL_BOOTSTRAP, rel
            assert "\n\n\n" not in "".join(cells[0]["source"]), "the badge left no hole in the title cell"
    assert main(["release", str(REPO / "notebooks"), "--out", str(tmp_path / "e"), "--no-url"]) == 0
    assert "names no repository" in capsys.readouterr().out


# --------------------------------------------------------------------------- a project of its own
def test_the_edition_has_the_student_projects_own_files(editions):
    edition = editions / "nourl"
    for source in config.STUDENT_FILES.rglob("*"):
        if source.is_file():
            rel = source.relative_to(config.STUDENT_FILES)
            assert (edition / rel).read_bytes() == source.read_bytes(), rel
    assert not (edition / "course_tools").exists() and not (edition / "tests").exists()
    assert (edition / "constraints.txt").read_text().startswith("# The exact versions this course was tested with")


def test_no_file_of_the_edition_names_an_instructor_command_or_module(editions):
    # control: the instructor's own README, Makefile and pyproject.toml name them
    instructors = _words({name: (REPO / name).read_bytes() for name in ("README.md", "Makefile", "pyproject.toml")})
    assert set(instructors) == {"README.md", "Makefile", "pyproject.toml"}, instructors
    for name in ("student", "nourl"):
        assert _words(_files(editions / name)) == {}, name


def test_the_students_links_resolve_inside_the_edition(editions):
    edition = editions / "student"
    readme = (edition / "README.md").read_text(encoding="utf-8")
    targets = [t for t in re.findall(r"\]\(([^)\s]+)\)", readme) if not re.match(r"^[a-z]+:", t)]
    assert targets, "the student README links the facts file"
    for target in targets:
        assert (edition / target.split("#")[0]).is_file(), target


def test_student_packaging_has_only_what_students_need_at_the_instructors_versions():
    def pins(path: Path) -> dict:
        return dict(line.split("==", 1) for line in path.read_text().splitlines() if re.match(r"^[\w.-]+==", line))

    mine, theirs = pins(config.STUDENT_FILES / "requirements.txt"), pins(REPO / "requirements.txt")
    assert set(mine) < set(theirs) and all(theirs[name] == version for name, version in mine.items()), mine
    assert not {"pytest", "nbval", "ruff"} & set(mine)
    assert {"torch", "jupyterlab", "nbclient", "nbformat"} <= set(mine), "make lab and make check need these"
    student = tomllib.loads((config.STUDENT_FILES / "pyproject.toml").read_text())["project"]
    instructor = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert set(student["dependencies"]) < set(instructor["dependencies"])
    assert not any(dep.startswith(("nbformat", "nbclient")) for dep in student["dependencies"]), "only the grader's"
    assert student["optional-dependencies"] == instructor["optional-dependencies"]
    assert student["requires-python"] == instructor["requires-python"]


def _help_targets(edition: Path) -> list[str]:
    done = subprocess.run(["make", "-s", "help"], cwd=edition, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, MAKEFLAGS=""))
    assert done.returncode == 0, done.stderr
    return re.findall(r"(?m)^make (\w[\w-]*)", done.stdout)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_only_student_targets(editions):
    assert _help_targets(editions / "nourl") == ["lab", "check", "setup", "clean"]


# --------------------------------------------------------------------------- every target works
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _make(edition: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS")}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(REPO)))
    return subprocess.run(["make", *args], cwd=edition, capture_output=True, text=True, timeout=timeout,
                          env=dict(env, COURSE_DEVICE="cpu", COURSE_PROGRESS="plain"))


def _lab_answers(edition: Path) -> str:
    """Start ``make lab`` headless on a free port, wait until JupyterLab answers, stop it; its notebook list."""
    port, token = _free_port(), "student-edition-test"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "MAKEFLAGS")}
    env.update(JUPYTER_RUNTIME_DIR=str(edition / ".runtime"), JUPYTERLAB_SETTINGS_DIR=str(edition / ".settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(edition / ".workspaces"), JUPYTER_CONFIG_DIR=str(edition / ".config"))
    proc = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS=--no-browser --ip=127.0.0.1 --port={port} "
                             f"--IdentityProvider.token={token}"], cwd=edition, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=5) as page:
                    assert page.status == 200
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=5) as r:
                    return r.read().decode()
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("make lab did not start JupyterLab: " + proc.stdout.read().decode()[-3000:])
                time.sleep(0.5)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.integration
@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_every_target_make_help_lists_works_in_a_fresh_copy(editions, tmp_path):
    edition = tmp_path / "student"
    shutil.copytree(editions / "nourl", edition)
    blank = {name: (edition / "notebooks" / name).read_bytes() for name in HOMEWORK}
    targets = _help_targets(edition)
    tried = []

    setup = _make(edition, "setup")
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    assert (edition / ".venv" / ".course-installed").is_file()
    tried.append("setup")

    check = _make(edition, "check")
    assert check.returncode != 0, "the blanks are not done: make check says so and fails"
    for name in HOMEWORK:
        assert name in check.stdout and (edition / "notebooks" / name).read_bytes() == blank[name], name
    assert "0 of 6 task checks passed" in check.stdout and "0 of 8 task checks passed" in check.stdout
    tasks = sum(1 for path in (edition / "notebooks").glob("*.ipynb")   # make check: the English notebooks
                for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
                if cell["cell_type"] == "code" and "".join(cell["source"]).startswith("# TASK "))
    assert tasks >= 16, "04 (6), 05 (8) and lesson 03's two graded exercises"
    assert check.stdout.count("not done yet") == tasks and "Fill in the blank in the cell `# TASK mlp.model`" in check.stdout
    solution = edition / "solution_04.ipynb"
    shutil.copy(REPO / "notebooks" / HOMEWORK[0], solution)
    solved = _make(edition, "check", f"NOTEBOOK={solution}")
    assert solved.returncode == 0, solved.stdout[-3000:] + solved.stderr[-3000:]
    assert "6 of 6 task checks passed" in solved.stdout and "not done yet" not in solved.stdout
    solution.unlink()
    tried.append("check")

    assert all(name in _lab_answers(edition) for name in HOMEWORK)
    tried.append("lab")

    clean = _make(edition, "clean")
    assert clean.returncode == 0 and not (edition / ".venv").exists()
    tried.append("clean")
    assert sorted(tried) == sorted(targets)

"""Make the student edition of the course and the instructor's grading key.

``release(notebooks_dir, out)`` writes, atomically:

- ``out``: a folder that is a project of its own: it can be pushed as its own repository and opened in
  Colab. Every notebook has its outputs cleared; in homework notebooks each solution is a stub raising
  ``NotImplementedError("<task id>: <what to write>")`` and the questions cells are gone. Beside the
  notebooks it holds the files listed in ``config.STUDENT_EDITION_PATHS`` (the package, embedded data,
  the license, the pinned versions) and the student project's own files from ``config.STUDENT_FILES``
  (its README, Makefile, pyproject.toml, requirements.txt, .gitignore). The instructor's tools
  (``course_tools``), README, Makefile and packaging are never copied.
- The edition's Colab badges, bootstrap cells and ``course_utils/_config.py`` point at the student
  repository (``repo_url``); without one, the edition names no repository at all (no badge, a bootstrap
  cell that says what to do on Colab, an empty ``REPO_URL``). Never at the instructor's repository.
- ``<out>.grading-key.json`` beside it: the canonical test cells with their checksums, and each
  task's grading questions (the source of its ``# QUESTIONS`` cell and its requirements), for
  ``grade``. Instructor only: never publish it.

Questions cells are run once here (``questions.load_questions``), so a malformed one, or requirements
whose points do not add up to the task's, stop the release with a message.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from course_utils.plumbing.files import atomic_write_text, sha256_file

from . import config
from .markers import (
    CODE_MARKER,
    MD_MARKER,
    Homework,
    MarkerError,
    answer_prompt,
    cell_source,
    checksum,
    parse_notebook,
    stub_message,
    student_code,
    student_markdown,
)

#: The grading key's format; ``grade`` accepts exactly this one (release again after an upgrade).
KEY_FORMAT = "course_tools.homework/grading-key/3"


class ReleaseError(RuntimeError):
    """The release cannot be made; the message says why and what to do."""


@dataclass
class ReleaseResult:
    """What ``release`` wrote."""

    out: Path
    key_path: Path
    notebooks: list = field(default_factory=list)  # relative paths in the edition
    homework: dict = field(default_factory=dict)  # notebook file name -> (number of tasks, points)
    notes: list = field(default_factory=list)


# --------------------------------------------------------------------------- helpers
def _ignored(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in config.EXCLUDED_NAMES)


def find_notebooks(folder: Path) -> list[Path]:
    """The ``*.ipynb`` files under ``folder``, sorted, without checkpoint copies."""
    folder = Path(folder)
    return sorted(p for p in folder.rglob("*.ipynb")
                  if not any(_ignored(part) for part in p.relative_to(folder).parts))


def load_notebook(path: Path):
    """Read a notebook file as an nbformat v4 node; a clear ``ReleaseError`` if it cannot be read."""
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReleaseError(f"{path}: cannot read this notebook ({type(exc).__name__}: {exc}). "
                           "Open it in Jupyter and save it again, or restore it from git.") from None


def notebook_text(nb: Any) -> str:
    """The file text of a notebook as ``release`` writes it (deterministic)."""
    import nbformat

    return nbformat.writes(nb) + "\n"


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (``course_utils.plumbing.files``)."""
    atomic_write_text(path, text)


def default_key_path(out: Path) -> Path:
    """``dist/student`` -> ``dist/student.grading-key.json``."""
    out = Path(out)
    return out.parent / (out.name + config.KEY_SUFFIX)


def _relpath(path: Path, notebooks_dir: Path) -> str:
    """Where a notebook goes in the edition: ``notebooks/<path under notebooks_dir>``."""
    return "notebooks/" + Path(path).resolve().relative_to(Path(notebooks_dir).resolve()).as_posix()


# --------------------------------------------------------------------------- notebooks
def student_notebook(homework: Homework, lang: str = "en") -> Any:
    """The student version of a parsed notebook: outputs cleared, solutions stubbed, questions cells removed;
    stubs and answer prompts in the notebook's language ``lang``."""
    nb = copy.deepcopy(homework.nb)
    nb.metadata.pop("widgets", None)
    kept = []
    for info, cell in zip(homework.cells, nb.cells):
        if info.role == "questions":
            continue
        kept.append(cell)
        for key in ("execution", "ExecuteTime", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        source = cell_source(cell)
        if info.role == "task":
            cell.source = student_code(source, info, lang)
        elif cell.cell_type == "markdown" and info.regions:
            cell.source = student_markdown(source, info, lang)
    nb.cells = kept
    for number, cell in enumerate(nb.cells):
        for line in cell_source(cell).splitlines():
            if CODE_MARKER.match(line) or MD_MARKER.match(line):  # defence in depth: never ship a marker
                raise ReleaseError(f"{homework.name}, cell {number + 1}: a solution/hidden-test marker would ship "
                                   "to students; fix the markers (python -m course_tools.homework audit)")
    return nb


#: How a written question declares its maximum, in its own text: ``**Question 1** (2 points)`` (more words may
#: follow inside the brackets: ``(2 points, graded by hand)``).
WRITTEN_POINTS_RE = re.compile(r"\(\s*(?P<points>\d+(?:\.\d+)?)\s*points?\b[^)\n]*\)")
_BOLD_LABEL = re.compile(r"^\s*(\*\*[^*\n]+\*\*)")


def _written_questions(homework: Homework, lang: str = "en") -> list[dict]:
    """The markdown questions answered in words, in notebook order, each with:

    ``id`` (``<prefix>.q<n>``), ``question`` (the text before the answer region: what finds the question in a
    submission), ``title`` (its paragraph that says "question", on one line and cut at 160 characters: how
    feedback and review pages name it), ``label`` (the title's
    leading bold text, e.g. ``**Question 1**``: found even when the rest of the question was edited),
    ``points`` (the maximum, from ``(<n> points)`` in the question; 1 without one, as for tasks), ``prompt``
    (what students see in place of the answer) and ``after`` (text after the answer region in the same cell,
    which is not part of the answer).
    """
    written: list[dict] = []
    firsts = {task_id.split(".")[0] for task_id in homework.tasks if "." in task_id}
    prefix = firsts.pop() if len(firsts) == 1 and all("." in t for t in homework.tasks) else Path(homework.name).stem
    for info in homework.cells:
        if info.cell_type != "markdown" or not info.regions:
            continue
        lines = cell_source(homework.nb.cells[info.index]).splitlines()
        regions = sorted((r for r in info.regions if r.kind == "solution"), key=lambda r: r.start)
        cursor = 0
        for number_in_cell, region in enumerate(regions):
            question = "\n".join(lines[cursor:region.start]).strip()
            prompt = answer_prompt(region, lang)
            number = len(written) + 1
            paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n", question) if part.strip()]
            title = next((p for p in paragraphs if "question" in p.lower() and not p.startswith("#")),
                         next((p for p in paragraphs if "?" in p), paragraphs[0] if paragraphs
                              else f"written answer {number}"))
            title = title if len(title) <= 160 else title[:156].rstrip() + " ..."
            label = _BOLD_LABEL.match(title)
            points = WRITTEN_POINTS_RE.search(question)
            stop = regions[number_in_cell + 1].start if number_in_cell + 1 < len(regions) else len(lines)
            after = "\n".join(lines[region.end + 1:stop]).strip() if number_in_cell + 1 == len(regions) else ""
            written.append({"id": f"{prefix}.q{number}", "question": question, "title": title,
                            "label": label.group(1) if label else "", "prompt": prompt, "after": after,
                            "points": float(points.group("points")) if points else 1.0})
            cursor = region.end + 1
    return written


def task_questions(homework: Homework) -> dict:
    """``{task id: {"source", "requirements"}}``: each questions cell, run once to check it (``ReleaseError``
    naming the notebook and task when it is malformed or its points do not add up to the task's)."""
    from .questions import QuestionError, load_questions

    found = {}
    for task_id, info in homework.questions.items():
        source = cell_source(homework.nb.cells[info.index])
        try:
            loaded = load_questions(source, task_id, f"{homework.name}, cell {info.index + 1}")
        except QuestionError as exc:
            raise ReleaseError(str(exc)) from None
        points = homework.tasks[task_id].points
        if abs(loaded.points - points) > 1e-9:
            raise ReleaseError(f"{homework.name}, cell {info.index + 1}: the requirements of {task_id} add up to "
                               f"{loaded.points:g} point(s), the task is worth {points:g}: make them equal")
        found[task_id] = {"source": source, "requirements": loaded.summary()}
    return found


def key_entry(homework: Homework, relpath: str, source_sha256: str, student: Any = None) -> dict:
    """The grading key's record of one homework notebook (``student``: its edition as written, badges
    included; default: ``student_notebook(homework)``)."""
    tests = []
    for test_id, info in homework.tests.items():
        source = cell_source(homework.nb.cells[info.index])
        # checksum: the cell as students get it; source_checksum: the instructor's own cell (the same now)
        tests.append({"id": test_id, "visible": source, "checksum": checksum(source),
                      "source_checksum": checksum(source)})
    tasks = [{"id": task.id, "points": task.points, "title": task.title, "hint": hint}
             for task, hint in zip(homework.tasks.values(), _task_hints(homework).values())]
    student = student if student is not None else student_notebook(homework)
    released, released_markdown = _released(student)
    return {
        "path": relpath,
        "source_sha256": source_sha256,
        "total_points": homework.total_points,
        "tasks": tasks,
        "tests": tests,
        "questions": task_questions(homework),
        "written": _written_questions(homework),
        "cells": released,
        "markdown_cells": released_markdown,
    }


def _patch_repo_url(config_py: Path, repo_url: str) -> None:
    """Set ``REPO_URL`` in the edition's ``_config.py`` (``""``: the edition names no repository)."""
    text = config_py.read_text(encoding="utf-8")
    new, count = re.subn(r"(?m)^REPO_URL\s*=.*$", f"REPO_URL = {json.dumps(repo_url)}", text)
    if count != 1:
        raise ReleaseError(f"{config_py}: no 'REPO_URL = ...' line to point at {repo_url or 'no repository'}")
    config_py.write_text(new, encoding="utf-8")


def _own_repo_url(root: Path) -> str:
    """The instructor repository's ``REPO_URL`` (read from ``<root>/course_utils/_config.py``, not imported)."""
    config_py = Path(root) / "course_utils" / "_config.py"
    text = config_py.read_text(encoding="utf-8") if config_py.is_file() else ""
    match = re.search(r"(?m)^REPO_URL\s*=\s*[\"']([^\"']*)[\"']", text)
    return match.group(1).strip().rstrip("/").removesuffix(".git") if match else ""


#: Why ``release`` needs a student repository URL (the command line refuses without one or ``--no-url``).
NO_URL_MESSAGE = (
    "no student repository URL: the student edition's Colab badges and bootstrap cells need the address of "
    "the public student repository (this repository holds the solutions and must stay private). Give it as "
    "`make release STUDENT_REPO_URL=https://github.com/<owner>/<student-repo>` or `--repo-url ...`; or pass "
    "`--no-url` (`make release RELEASE_ARGS=--no-url`) for an edition that names no repository at all "
    "(no Colab badges; on Colab its first cell says how to get the course files).")

#: The bootstrap cell of an edition released with ``--no-url`` (it starts like every bootstrap cell).
NO_URL_BOOTSTRAP = (
    "# Course bootstrap: this copy of the course names no repository, so on Colab it cannot fetch the course\n"
    "# code and data by itself. Locally it does nothing.\n"
    "import sys\n"
    "if \"google.colab\" in sys.modules:\n"
    "    import importlib.util\n"
    "    if importlib.util.find_spec(\"course_utils\") is None:\n"
    "        raise RuntimeError(\"This copy of the course has no repository address, so Colab cannot download the \"\n"
    "                           \"course code. Ask your instructor for the link of the course repository and open \"\n"
    "                           \"the notebook from its 'Open in Colab' badge, or run the course locally (make lab).\")"
)


def remove_badges(nb: Any) -> Any:
    """Drop the "Open in Colab" badge of the first markdown cell and make the bootstrap cell the no-URL one
    (``NO_URL_BOOTSTRAP``); in place. For an edition released without a repository URL."""
    badge = re.compile(r"\n*\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)\n*")
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = badge.sub("\n\n", cell_source(cell), count=1).strip("\n")
            break
    for cell in nb.cells:
        if cell.cell_type == "code":
            if cell_source(cell).startswith("# Course bootstrap"):
                cell.source = NO_URL_BOOTSTRAP
            break
    return nb


def student_constraints(text: str) -> str:
    """The edition's ``constraints.txt``: the instructor's lock of exact versions under a student's header."""
    pins = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return ("# The exact versions this course was tested with (used by requirements.txt; `make setup` installs them).\n"
            + "\n".join(pins) + "\n")


def _check_repo_url(repo_url: str) -> str:
    url = repo_url.strip().rstrip("/")
    if url.endswith(".git"):
        url = url[:-4]
    if not re.fullmatch(r"https://github\.com/[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+", url):
        raise ReleaseError(f"--repo-url {repo_url!r} is not a GitHub repository URL: Colab badges need one "
                           "like https://github.com/<owner>/<name> (the student repository).")
    return url


# --------------------------------------------------------------------------- the edition
def _task_hints(homework: Homework, lang: str = "en") -> dict:
    """``{task id: its stubs' hints joined by "; "}``: what feedback says about a task not done yet."""
    hints = {}
    for task in homework.tasks.values():
        regions = [r for r in task.regions if r.kind == "solution"]
        hints[task.id] = "; ".join(dict.fromkeys(stub_message(task, r, lang).split(": ", 1)[1] for r in regions))
    return hints


def _released(student: Any) -> tuple[list, list]:
    """The checksums of an edition's code cells, and of its other cells, as students get them."""
    return (sorted({checksum(cell_source(c)) for c in student.cells if c.cell_type == "code"}),
            sorted({checksum(cell_source(c)) for c in student.cells if c.cell_type != "code"}))


def translation_entry(homework: Homework, student: Any, english: dict, lang: str) -> dict:
    """What the key keeps of a translated homework, beside its English source's entry (``english``): the
    edition's language, its task hints, its written questions (the same ids and points as the English ones,
    found in a submission by the translated text) and the checksums of its cells as released. The grader
    grades a submission of this edition with the English entry and these in place of the English ones
    (``editions.localize``)."""
    written = _written_questions(homework, lang)
    english_written = english.get("written", [])
    if [q["id"] for q in written] != [q["id"] for q in english_written]:
        raise ReleaseError(f"{homework.name} ({lang}) has written questions {[q['id'] for q in written]}, its English "
                           f"source {[q['id'] for q in english_written]}: a translation keeps the same questions")
    for question, source in zip(written, english_written):
        question["points"] = source["points"]
    released, released_markdown = _released(student)
    return {"lang": lang, "hints": _task_hints(homework, lang), "written": written, "cells": released,
            "markdown_cells": released_markdown}


def translation_of(rel: str) -> Optional[str]:
    """The language of a notebook in a translation folder of the notebooks (``notebooks/ko/03_x.ipynb``, as
    the edition places it: ``"ko"``; the folders ``course_tools.translation`` knows), else ``None``. A translated homework notebook is
    released with its blanks like its English source, and graded with the English source's key entry
    (the translation lint keeps its code, task ids and test cells identical)."""
    from course_tools.translation import SCRIPTS

    parts = Path(rel).parts
    parts = parts[1:] if parts[:1] == ("notebooks",) else parts
    return parts[0] if len(parts) > 1 and parts[0] in SCRIPTS else None


def parse_all(notebooks_dir: Path, root: Path) -> list[tuple[Path, str, Homework]]:
    """Parse every notebook under ``notebooks_dir``; one ``MarkerError`` listing all problems.

    Homework notebooks are told apart by file name; a translation (``translation_of``) shares its
    English source's name and must have the same tasks."""
    parsed, problems = [], []
    for path in find_notebooks(notebooks_dir):
        rel = _relpath(path, notebooks_dir)
        nb = load_notebook(path)
        try:
            parsed.append((path, rel, parse_notebook(nb, rel)))
        except MarkerError as exc:
            problems.extend(exc.problems)
    if problems:
        raise MarkerError(problems)
    names = [p.name for p, rel, hw in parsed if hw.is_homework and not translation_of(rel)]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ReleaseError(f"homework notebooks with the same file name in different folders: {duplicates}; "
                           "the grader tells homework apart by file name, so rename one")
    english = {p.name: list(hw.tasks) for p, rel, hw in parsed if hw.is_homework and not translation_of(rel)}
    for path, rel, homework in parsed:
        if homework.is_homework and translation_of(rel) and english.get(path.name) != list(homework.tasks):
            raise ReleaseError(f"{rel} is a translation with tasks {list(homework.tasks)}, but its English "
                               f"source {path.name} has {english.get(path.name)}: a translation keeps the same tasks "
                               "(python -m course_tools.translation lint says what differs)")
    return parsed


def build_edition(notebooks_dir: Path, dest: Path, *, root: Optional[Path] = None,
                  repo_url: Optional[str] = None) -> tuple[dict, ReleaseResult]:
    """Write the student edition into the empty folder ``dest``; return ``(key, result)``.

    The building block of ``release`` (which adds the atomic swap) and of ``audit``'s sync check.
    """
    notebooks_dir = Path(notebooks_dir)
    root = Path(root) if root is not None else notebooks_dir.resolve().parent
    dest = Path(dest)
    result = ReleaseResult(out=dest, key_path=default_key_path(dest))
    repo_url = _check_repo_url(repo_url) if repo_url else ""
    own = _own_repo_url(root)
    if repo_url and own and repo_url.lower() == own.lower():
        raise ReleaseError(f"--repo-url {repo_url} is this repository's own URL (REPO_URL in course_utils/_config.py), "
                           "which holds the solutions: give the student repository's URL (STUDENT_REPO_URL)")
    parsed = parse_all(notebooks_dir, root)
    if not parsed:
        raise ReleaseError(f"no notebooks found under {notebooks_dir}: pass the folder that holds the .ipynb files")
    ignore = shutil.ignore_patterns(*config.EXCLUDED_NAMES)
    for rel in config.STUDENT_EDITION_PATHS:
        src = root / rel
        if src.is_dir():
            shutil.copytree(src, dest / rel, ignore=ignore)
        elif src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
        else:
            result.notes.append(f"{rel} not found in {root}: not included")
    if (dest / "constraints.txt").is_file():
        (dest / "constraints.txt").write_text(student_constraints((dest / "constraints.txt").read_text(
            encoding="utf-8")), encoding="utf-8")
    student_files = Path(config.STUDENT_FILES)
    for src in sorted(student_files.rglob("*")):
        if src.is_file() and not any(_ignored(part) for part in src.relative_to(student_files).parts):
            target = dest / src.relative_to(student_files)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    config_py = dest / "course_utils" / "_config.py"
    if config_py.is_file():
        _patch_repo_url(config_py, repo_url)
    else:
        result.notes.append("course_utils/_config.py not in the edition: REPO_URL not set")
    if not repo_url:
        result.notes.append("no repository URL (--no-url): the edition names no repository; its notebooks have "
                            "no Colab badge, and on Colab their first cell says the course files cannot be fetched")
    apply_badges: Optional[Callable] = None
    if repo_url:
        from course_tools.notebooks import apply_badges
    key: dict[str, Any] = {
        "format": KEY_FORMAT,
        "warning": "Instructor only. Contains the grading questions and their judges: never publish this file.",
        "notebooks": {},
    }
    translated = []
    for path, rel, homework in parsed:
        nb = student_notebook(homework, translation_of(rel) or "en")
        if not repo_url:
            remove_badges(nb)
        elif apply_badges is not None:
            try:
                apply_badges(nb, rel, repo_url=repo_url)
            except ValueError as exc:
                raise ReleaseError(f"{rel}: cannot point its badge at {repo_url}: {exc}") from None
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(notebook_text(nb), encoding="utf-8")
        result.notebooks.append(rel)
        if homework.is_homework and not translation_of(rel):   # a translation is graded with its source's entry
            sha = sha256_file(path)
            key["notebooks"][path.name] = key_entry(homework, rel, sha, student=nb)
            result.homework[path.name] = (len(homework.tasks), homework.total_points)
        elif homework.is_homework:
            translated.append((path.name, translation_of(rel), homework, nb))
    for name, lang, homework, nb in translated:
        english = key["notebooks"].get(name)
        if english is not None:
            english.setdefault("translations", {})[lang] = translation_entry(homework, nb, english, lang)
    (dest / config.EDITION_MARKER).write_text(
        "This folder is the student edition of the course, generated from the instructor's notebooks.\n"
        "Do not edit it by hand: the next edition replaces it (its .git folder is kept).\n",
        encoding="utf-8")
    return key, result


def _check_out(out: Path, root: Path, notebooks_dir: Path, force: bool) -> None:
    out_r, root_r = out.resolve(), root.resolve()
    if out_r == root_r or out_r in root_r.parents:
        raise ReleaseError(f"--out {out} would replace the instructor repository itself: use e.g. dist/student")
    protected = [notebooks_dir.resolve()] + [(root_r / rel) for rel in config.STUDENT_EDITION_PATHS]
    for folder in protected:
        if out_r == folder or folder in out_r.parents:
            raise ReleaseError(f"--out {out} is inside {folder}, which the release copies: use e.g. dist/student")
    if out.exists():
        if not out.is_dir():
            raise ReleaseError(f"--out {out} is a file: give a folder path such as dist/student")
        contents = [p for p in out.iterdir() if p.name != ".git"]
        if contents and not (out / config.EDITION_MARKER).exists() and not force:
            raise ReleaseError(f"--out {out} exists and was not made by release: nothing was changed. Choose "
                               "another folder, or pass --force to replace it (its .git folder is kept).")


def release(notebooks_dir: Path, out: Path, *, root: Optional[Path] = None, repo_url: Optional[str] = None,
            key_path: Optional[Path] = None, force: bool = False) -> ReleaseResult:
    """Write the student edition to ``out`` and the grading key beside it, atomically.

    Args:
        notebooks_dir: the instructor's notebooks folder (e.g. ``notebooks/``).
        out: the student edition folder (e.g. ``dist/student``). A previous edition there is
            replaced; its ``.git`` folder is kept so the edition can be its own repository.
        root: the instructor repository (default: the parent of ``notebooks_dir``).
        repo_url: the student repository's GitHub URL: badges, bootstrap cells and
            ``course_utils/_config.py`` of the edition point at it. ``None`` or ``""``: the edition names no
            repository at all (``remove_badges``; noted in the result). The command line refuses to release
            without ``--repo-url`` or an explicit ``--no-url`` (``NO_URL_MESSAGE``).
        key_path: where the grading key goes (default ``<out>.grading-key.json``); never inside ``out``.
        force: replace ``out`` even if it was not made by ``release``.

    Returns:
        A ``ReleaseResult`` naming what was written, with notes on anything skipped.

    Raises:
        MarkerError: malformed homework markers (every problem listed, with notebook, cell, line).
        ReleaseError: anything else that stops the release; nothing is changed then.
    """
    notebooks_dir, out = Path(notebooks_dir), Path(out)
    if not notebooks_dir.is_dir():
        raise ReleaseError(f"{notebooks_dir} is not a folder: pass the folder of the instructor's notebooks")
    root = Path(root) if root is not None else notebooks_dir.resolve().parent
    key_path = Path(key_path) if key_path is not None else default_key_path(out)
    if out.resolve() == key_path.resolve() or out.resolve() in key_path.resolve().parents:
        raise ReleaseError(f"the grading key {key_path} must not be inside the student edition {out}")
    _check_out(out, root, notebooks_dir, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    old: Optional[Path] = None
    try:
        key, result = build_edition(notebooks_dir, tmp / "edition", root=root, repo_url=repo_url)
        key["edition"] = os.path.relpath(out.resolve(), key_path.resolve().parent)
        write_text_atomic(key_path, json.dumps(key, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent)) / out.name
            os.rename(out, old)
        try:
            os.rename(tmp / "edition", out)
        except OSError:
            if old is not None:
                os.rename(old, out)
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if old is not None:
        if (old / ".git").exists():
            try:
                os.rename(old / ".git", out / ".git")
            except OSError as exc:
                raise ReleaseError(f"the new edition is in {out}, but its previous .git folder could not be moved "
                                   f"back ({exc}): it is still in {old / '.git'}; move it by hand") from None
        shutil.rmtree(old.parent, ignore_errors=True)
    result.out, result.key_path = out, key_path
    return result

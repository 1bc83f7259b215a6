"""Tooling for the course notebooks themselves: Colab badges, the bootstrap cell, execution, lint.

Command line (also ``make badges``, ``make notebooks``, ``make lint``)::

    python -m course_tools.notebooks badges  notebooks/*.ipynb notebooks/ko/*.ipynb   # badge + bootstrap cell
    python -m course_tools.notebooks execute notebooks/*.ipynb   # re-run in place, in order
    python -m course_tools.notebooks lint    notebooks/*.ipynb   # the checks strict nbval relies on

Every course notebook starts with a markdown cell holding its title and an "Open in Colab" badge,
then the *bootstrap* code cell. Both are generated from ``course_utils/_config.py`` so that the
repository URL lives in one place.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Iterable, Optional

from course_utils import _config
from course_utils.checks.claims import FAILS as CLAIM_FAILS
from course_utils.plumbing.files import atomic_write_text

BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BOOTSTRAP_MARKER = "# Course bootstrap"
_BADGE_RE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")

#: Output MIME types that Colab adds and nbval would then compare: never commit them.
COLAB_ONLY_MIME = ("application/vnd.google.colaboratory.intrinsic+json",)
#: Largest text of one output, and of all outputs of a notebook, in bytes (images excluded).
MAX_OUTPUT_TEXT = 20_000
#: Largest notebook file, in bytes (figures included).
MAX_NOTEBOOK_BYTES = 3_000_000


def badge_markdown(relpath: str, repo_url: Optional[str] = None) -> str:
    """The badge line for the notebook at ``relpath`` (e.g. ``notebooks/01_bayes_theorem.ipynb``)."""
    url = _config.colab_url(relpath, repo_url or _config.REPO_URL)
    return f"[![Open In Colab]({BADGE_IMAGE})]({url})"


#: The two comments of the bootstrap cell, per language of a translated edition (``notebooks/<lang>/``);
#: the code around them is the same in every language, as the translation lint requires.
BOOTSTRAP_COMMENTS = {
    "en": ("on Colab this fetches the course code and its small data; locally it does nothing.",
           "Loose version ranges: Colab's preinstalled torch and numpy satisfy them and stay untouched."),
    "ko": ("Colab에서는 강의 코드와 작은 데이터를 받아 오고, 로컬에서는 아무것도 하지 않습니다.",
           "느슨한 버전 범위: Colab에 미리 설치된 torch와 numpy가 이를 만족하므로 그대로 둡니다."),
}


def language_of(relpath: str) -> str:
    """``"ko"`` for a translated notebook (``notebooks/ko/01_x.ipynb``), ``"en"`` for an English one."""
    parts = Path(relpath).parts
    return parts[-2] if len(parts) >= 2 and parts[-2] in BOOTSTRAP_COMMENTS else "en"


def bootstrap_source(repo_url: Optional[str] = None, lang: str = "en") -> str:
    """The first code cell of every notebook: on Colab it fetches the course, locally it does nothing.

    It clones the repository (code *and* the small embedded data: "Open in Colab" alone fetches only
    the .ipynb) and installs the helper package with loose requirements, so Colab's own torch and
    numpy stay untouched. It does not change the working directory: ``course_path()`` finds the
    files wherever the notebook runs. ``lang`` picks the language of its two comments (a key of
    ``BOOTSTRAP_COMMENTS``); the code is the same in every language.
    """
    if lang not in BOOTSTRAP_COMMENTS:
        raise ValueError(f"no bootstrap comments for language {lang!r}: add them to BOOTSTRAP_COMMENTS "
                         f"(known: {', '.join(BOOTSTRAP_COMMENTS)})")
    what, loose = BOOTSTRAP_COMMENTS[lang]
    url = repo_url or _config.REPO_URL
    folder = f"/content/{_config.repo_slug(url).split('/')[-1]}"
    return (
        f"{BOOTSTRAP_MARKER}: {what}\n"
        "import sys\n"
        "if \"google.colab\" in sys.modules:\n"
        "    import importlib.util, os, subprocess\n"
        f"    repo = \"{folder}\"\n"
        "    if importlib.util.find_spec(\"course_utils\") is None:\n"
        "        if not os.path.isdir(repo):\n"
        f"            subprocess.run([\"git\", \"clone\", \"-q\", \"--depth\", \"1\", \"{url}\", repo], check=True)\n"
        f"        # {loose}\n"
        "        subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"-q\", \"-e\", repo + \"[notebooks]\"], check=True)\n"
        "        sys.path.insert(0, repo)"
    )


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def apply_badges(nb, relpath: str, repo_url: Optional[str] = None):
    """Rewrite, in place, the badge of the first markdown cell and the bootstrap cell of ``nb``.

    ``nb`` is a notebook dict (``nbformat`` node). The first markdown cell must start with a
    ``# Title`` line; the badge goes on the line after it. A missing bootstrap cell is inserted
    right after that markdown cell. The badge opens ``relpath`` itself, so a translation
    (``notebooks/ko/01_x.ipynb``) opens the translation, and its bootstrap cell's comments are in
    its language (``language_of``). Returns ``nb``.
    """
    import nbformat

    cells = nb["cells"]
    if not cells or cells[0]["cell_type"] != "markdown" or not _source(cells[0]).startswith("# "):
        raise ValueError(f"{relpath}: the first cell must be a markdown cell starting with '# Title'.")
    badge = badge_markdown(relpath, repo_url)
    text = _source(cells[0])
    if _BADGE_RE.search(text):
        text = _BADGE_RE.sub(lambda _m: badge, text, count=1)
    else:
        title, _, rest = text.partition("\n")
        text = f"{title}\n\n{badge}\n" + (f"\n{rest.lstrip(chr(10))}" if rest.strip() else "")
    cells[0]["source"] = text
    boot = bootstrap_source(repo_url, language_of(relpath))
    index = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), None)
    if index is not None and _source(cells[index]).startswith(BOOTSTRAP_MARKER):
        cells[index]["source"] = boot
    else:
        cells.insert(1, nbformat.v4.new_code_cell(boot))
    return nb


def _relpath(path: Path) -> str:
    """Path of a notebook relative to the repository root, with forward slashes."""
    path = path.resolve()
    for parent in path.parents:
        if (parent / "pyproject.toml").is_file():
            return path.relative_to(parent).as_posix()
    return f"notebooks/{path.name}"


def _write_atomic(path: Path, nb) -> None:
    import nbformat

    atomic_write_text(path, nbformat.writes(nb) + "\n")


def update_badges(paths: Iterable[Path], repo_url: Optional[str] = None) -> list[Path]:
    """Apply ``apply_badges`` to notebook files; returns those whose text changed."""
    import nbformat

    changed = []
    for path in map(Path, paths):
        nb = nbformat.read(path, as_version=4)
        before = json.dumps(nb, sort_keys=True)
        apply_badges(nb, _relpath(path), repo_url)
        if json.dumps(nb, sort_keys=True) != before:
            _write_atomic(path, nb)
            changed.append(path)
    return changed


def execute(paths: Iterable[Path], timeout: int = 300, attempts: int = 2) -> None:
    """Re-execute notebooks in place, top to bottom, with the kernel of this Python.

    Runs with the notebook's folder as working directory, like nbval. Timing metadata is not
    recorded, so an unchanged notebook gives an unchanged file apart from its outputs.

    ``timeout`` is per cell, in seconds (the longest cell of the course takes well under a minute on a
    laptop CPU). A cell that times out, or a kernel that dies, gets the notebook executed again from the
    top in a fresh kernel, up to ``attempts`` times in all: nbclient sometimes waits forever for the reply
    of a cell that has finished (seen on notebook 01's slider cell), and a retry does not. The file is
    written only after a run that completed.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    for path in map(Path, paths):
        for attempt in range(1, attempts + 1):
            print(f"executing {path} ..." + (f" (attempt {attempt} of {attempts})" if attempt > 1 else ""), flush=True)
            nb = nbformat.read(path, as_version=4)
            client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                                    resources={"metadata": {"path": str(path.parent.resolve())}})
            try:
                client.execute()
                break
            except (CellTimeoutError, DeadKernelError) as exc:
                if attempt == attempts:
                    raise
                print(f"  {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} - running it again "
                      "from the top in a fresh kernel", flush=True)
        nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        _write_atomic(path, nb)


def _ignored_output_problems(cells: list) -> list[str]:
    """``# NBVAL_IGNORE_OUTPUT`` cells must say why on the next line (a comment), and one whose output
    depends on the CPU ("claims" in that comment) must be followed by a ``claim(...)`` cell before the
    next section heading, so that what its figures show is still compared."""
    problems = []
    for i, cell in enumerate(cells):
        lines = _source(cell).splitlines()
        if cell.get("cell_type") != "code" or not lines or lines[0].strip() != "# NBVAL_IGNORE_OUTPUT":
            continue
        reason = lines[1].strip() if len(lines) > 1 else ""
        if not reason.startswith("#"):
            problems.append(f"cell {i}: # NBVAL_IGNORE_OUTPUT without a reason: say why on the next line, as a "
                            "comment (timings, a widget, figures that move with the CPU)")
            continue
        if "claim" not in reason:
            continue
        backed = False
        for later in cells[i + 1:]:
            text = _source(later)
            if later.get("cell_type") == "markdown" and re.match(r"#{1,2} ", text):
                break
            if later.get("cell_type") == "code" and "claim(" in text:
                backed = True
                break
        if not backed:
            problems.append(f"cell {i}: its figures are not compared (# NBVAL_IGNORE_OUTPUT) and no claim(...) "
                            "follows before the next section: check what the text concludes from them")
    return problems


def lint(path: Path) -> list[str]:
    """Problems that would make strict nbval check nothing, or check the wrong thing.

    Flags: code cells never executed (nbval silently skips them); execution counts not 1, 2, 3, ...
    in order; error outputs outside ``# NBVAL_RAISES_EXCEPTION`` cells; anything on stderr;
    Colab-only output types; outputs longer than ``MAX_OUTPUT_TEXT``; a file over
    ``MAX_NOTEBOOK_BYTES``; a missing title/badge or bootstrap cell.
    """
    path = Path(path)
    problems = []
    raw = path.read_bytes()
    if len(raw) > MAX_NOTEBOOK_BYTES:
        problems.append(f"file is {len(raw):,} bytes (limit {MAX_NOTEBOOK_BYTES:,}): shrink figures or outputs")
    try:
        nb = json.loads(raw)
    except json.JSONDecodeError as exc:
        return problems + [f"not valid JSON: {exc}"]
    cells = nb.get("cells", [])
    if not cells or cells[0].get("cell_type") != "markdown" or not _source(cells[0]).startswith("# "):
        problems.append("the first cell must be markdown starting with '# Title'")
    elif not _BADGE_RE.search(_source(cells[0])):
        problems.append("the first cell has no 'Open in Colab' badge: run `make badges`")
    code = [(i, c) for i, c in enumerate(cells) if c.get("cell_type") == "code"]
    if not code or not _source(code[0][1]).startswith(BOOTSTRAP_MARKER):
        problems.append("the first code cell must be the bootstrap cell: run `make badges`")
    expected = 1
    problems += _ignored_output_problems(cells)
    for i, cell in code:
        src = _source(cell)
        count = cell.get("execution_count")
        if not src.strip():
            problems.append(f"cell {i}: empty code cell: delete it")
            continue
        if count is None:
            problems.append(f"cell {i}: never executed (strict nbval would not check it): run `make notebooks`")
        elif count != expected:
            problems.append(f"cell {i}: execution count {count}, expected {expected}: cells ran out of order, "
                            "run `make notebooks`")
        if count is not None:
            expected = count + 1
        total = 0
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error" and "NBVAL_RAISES_EXCEPTION" not in src:
                problems.append(f"cell {i}: raised {out.get('ename')}: {out.get('evalue')}")
            if kind == "stream" and out.get("name") == "stderr":
                text = "".join(out.get("text", ""))
                problems.append(f"cell {i}: wrote to stderr (warnings fail strict nbval): {text.strip()[:120]!r}")
            for mime in out.get("data", {}):
                if mime in COLAB_ONLY_MIME:
                    problems.append(f"cell {i}: Colab-only output {mime}: re-run locally with `make notebooks`")
            text_parts = [out.get("text", "")] + [v for k, v in out.get("data", {}).items() if k.startswith("text/")]
            text_parts = ["".join(t) if isinstance(t, list) else t for t in text_parts]
            total += sum(len(t) for t in text_parts)
            if any(line.startswith(CLAIM_FAILS + " ") for t in text_parts for line in t.splitlines()):
                problems.append(f"cell {i}: a claim of the text does not hold on the committed run ({CLAIM_FAILS}): "
                                "fix the text or the experiment, then run `make notebooks`")
        if total > MAX_OUTPUT_TEXT:
            problems.append(f"cell {i}: {total:,} characters of text output (limit {MAX_OUTPUT_TEXT:,}): print less")
    return problems


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.notebooks", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (("badges", "rewrite badge and bootstrap cells from course_utils/_config.py"),
                           ("execute", "re-execute notebooks in place"),
                           ("lint", "check notebooks are committed executed, in order, clean")):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("paths", nargs="+", type=Path)
        if name == "badges":
            cmd.add_argument("--repo-url", default=None, help="repository URL (default: _config.REPO_URL)")
    args = parser.parse_args(argv)
    if args.command == "badges":
        for path in update_badges(args.paths, args.repo_url):
            print(f"updated {path}")
        return 0
    if args.command == "execute":
        execute(args.paths)
        return 0
    failed = 0
    for path in args.paths:
        for problem in lint(path):
            print(f"{path}: {problem}")
            failed = 1
    return failed


if __name__ == "__main__":
    sys.exit(main())

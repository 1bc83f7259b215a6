"""Issue 23's resource and input attacks, each a real submission graded with the real grader.

Every attack is built from the blank student editions of notebooks 04 and 05 (each answer still raises),
with the attack in a cell after the imports, or is a file in the submissions folder that is not a
notebook at all (a FIFO, links). The instructor's solutions of 04 and 05 are graded before the attacks,
in the same run as them (the run goes on), and after them. Each defence's control (the attack working
without it) is shown here where it needs a grader-sized setting, and in ``test_homework_limits.py``
for the sandbox-level limits.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from _markdown import split_fences  # tests/ is on sys.path (pytest rootdir import mode)
from fixtures.homework import homework_fixture as hf  # tests/ is on sys.path (pytest rootdir import mode)

from course_tools.homework import config, intake
from course_tools.homework import grade as grade_module
from course_tools.homework import report as report_module
from course_tools.homework import submission as submission_module
from course_tools.homework.release import release
from course_tools.homework.sandbox import sandbox_problem

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
NB04, NB05 = "04_mlp_homework.ipynb", "05_notmnist_dataset_homework.ipynb"
MiB = 1024**2
SPINNER = "course-limits-spinner"
HTML = "<script>alert('feedback')</script> ![tracker](http://evil.example/t.png) <img src=x onerror=alert(1)>"

#: Nine files of 100 MB (each under the file-size limit): the watch stops the kernel at the disk limit.
FILL_FOLDER = """# attack: 900 MB into the kernel's private folder (disk), as files under the file-size limit
for i in range(9):
    with open(f'fill{i}.bin', 'wb') as fh:
        for _ in range(100):
            fh.write(b'x' * 1024**2)
"""
FILL_TMP = FILL_FOLDER.replace("the kernel's private folder (disk)", "/tmp (a tmpfs: memory)").replace(
    "open(f'fill", "open(f'/tmp/fill")
FORKS = """# attack: 300 sleeping children
import os, time
for _ in range(300):
    if os.fork() == 0:
        time.sleep(600)
        os._exit(0)
"""
IGNORES_SIGINT = f"""# attack: a cell that ignores the grader's interrupt, with children that keep running
import signal, subprocess, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
spin = 'import signal\\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\\nwhile True:\\n    pass'
children = [subprocess.Popen([sys.executable, '-c', spin, '{SPINNER}']) for _ in range(2)]
while True:
    pass
"""
RAISES_HTML = f"raise ValueError({HTML!r})"
#: 4,000,000 characters of the code that costs the parser the most memory per character (2.8 GB to scan).
BIG_CELL = "f();" * 1_000_000


def _imports_index(nb: dict) -> int:
    return next(i for i, c in enumerate(nb["cells"]) if "%matplotlib inline" in hf.src(c))


def _attack(edition: dict, *cells: str) -> dict:
    nb = copy.deepcopy(edition)
    at = _imports_index(nb) + 1
    nb["cells"][at:at] = [hf.code_cell(cell) for cell in cells]
    return nb


def _html_answers(edition: dict) -> dict:
    """Every written answer replaced by HTML and markdown, plus a cell whose error message is HTML."""
    nb = _attack(edition, RAISES_HTML)
    for cell in nb["cells"]:
        text = hf.src(cell)
        if cell["cell_type"] == "markdown" and "**Your answer**" in text:
            cell["source"] = text[:text.index("**Your answer**")] + HTML
    return nb


def _spinners() -> list:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    if SPINNER.encode() in fh.read():
                        found.append(int(entry))
            except OSError:
                continue
    return found


def _grade_bounded(paths: list, key: Path, csv_path: Path, seconds: float, **kwargs) -> tuple[dict, float, list]:
    """``grade`` in a thread: a hang fails the test instead of stopping the suite."""
    box: dict = {}
    lines: list = []

    def work():
        try:
            box["results"] = grade_module.grade(paths, key, csv_path, log=lines.append, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            box["error"] = exc

    started = time.monotonic()
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"grading did not finish within {seconds} s (it hung)"
    assert "error" not in box, box.get("error")
    return box["results"], time.monotonic() - started, lines


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    problem = sandbox_problem()
    assert problem is None, f"the attack corpus needs the sandbox: {problem}"
    base = tmp_path_factory.mktemp("limit-attacks")
    (base / "notebooks").mkdir()
    for name in (NB04, NB05):
        (base / "notebooks" / name).write_bytes((REPO / "notebooks" / name).read_bytes())
    key = release(base / "notebooks", base / "dist" / "student", root=REPO).key_path
    edition = {name: hf.load(base / "dist" / "student" / "notebooks" / name) for name in (NB04, NB05)}
    solution = {name: (REPO / "notebooks" / name).read_bytes() for name in (NB04, NB05)}
    folders = {name: base / name for name in ("before", "attacks", "after", "private")}
    for folder in folders.values():
        folder.mkdir()
    for name in (NB04, NB05):
        for when in ("before", "after"):
            (folders[when] / f"solution_{when}_{name}").write_bytes(solution[name])
        (folders["attacks"] / f"honest_{name}").write_bytes(solution[name])  # graded among the attacks
    subs = folders["attacks"]
    hf.save(_attack(edition[NB04], FILL_TMP, FILL_FOLDER), subs / "fill_04.ipynb")
    hf.save(_attack(edition[NB05], FILL_TMP, FILL_FOLDER), subs / "fill_05.ipynb")
    hf.save(_attack(edition[NB04], FORKS), subs / "forks_04.ipynb")
    hf.save(_attack(edition[NB05], FORKS), subs / "forks_05.ipynb")
    hf.save(_attack(edition[NB04], BIG_CELL), subs / "big_cell_04.ipynb")  # a 4 MB cell, in a 4.1 MB file
    hf.save(_attack(edition[NB05], BIG_CELL), subs / "big_cell_05.ipynb")
    huge = copy.deepcopy(edition[NB04])  # a 50 MB notebook: outputs that were never cleared
    huge["cells"][_imports_index(huge)]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x" * 50_000_000}]
    hf.save(huge, subs / "huge_file_04.ipynb")
    hf.save(_attack(edition[NB04], IGNORES_SIGINT), subs / "ignores_interrupts_04.ipynb")
    hf.save(_html_answers(edition[NB04]), subs / "html_04.ipynb")
    hf.save(_html_answers(edition[NB05]), subs / "html_05.ipynb")
    os.mkfifo(subs / "fifo.ipynb")
    (subs / "zero.ipynb").symlink_to("/dev/zero")
    (subs / "solution_link_04.ipynb").symlink_to(base / "notebooks" / NB04)
    (folders["private"] / "copy.ipynb").write_bytes(solution[NB04])
    (subs / "linked_folder").symlink_to(folders["private"], target_is_directory=True)

    csv_path = base / "grades" / "grades.csv"
    kwargs = dict(cell_timeout=60, total_timeout=400, jobs=2)
    results, _, _ = _grade_bounded([folders["before"]], key, csv_path, 900, **kwargs)
    attacks, seconds, log = _grade_bounded([subs], key, csv_path, 1200, **kwargs)
    spinners_after = _spinners()
    results.update(attacks)
    later, _, _ = _grade_bounded([folders["after"]], key, csv_path, 900, **kwargs)
    results.update(later)
    feedback = {p.relative_to(csv_path.with_name("grades-feedback")).as_posix(): p.read_text()
                for p in csv_path.with_name("grades-feedback").rglob("*.md")}
    return {"results": results, "attacks": attacks, "seconds": seconds, "log": log, "key": key, "base": base,
            "spinners": spinners_after, "feedback": feedback, "subs": subs}


def _notes(corpus, label):
    return " ".join(corpus["results"][label].notes)


# --------------------------------------------------------------------------- the instructor's solutions
@pytest.mark.parametrize("label", [f"{when}_{name}" for name in (NB04, NB05)
                                   for when in ("solution_before", "honest", "solution_after")])
def test_the_solutions_keep_full_marks_before_among_and_after_the_attacks(corpus, label):
    result = corpus["results"][label]
    assert result.status == "graded" and result.total == result.max_points > 0, result.notes
    assert result.notes == [], result.notes


def test_the_attack_run_finished_and_graded_every_entry(corpus):
    expected = {f"honest_{NB04}", f"honest_{NB05}", "fill_04.ipynb", "fill_05.ipynb", "forks_04.ipynb",
                "forks_05.ipynb", "big_cell_04.ipynb", "big_cell_05.ipynb", "ignores_interrupts_04.ipynb",
                "html_04.ipynb", "html_05.ipynb", "fifo.ipynb", "zero.ipynb", "solution_link_04.ipynb",
                "huge_file_04.ipynb"}
    assert set(corpus["attacks"]) == expected
    assert any("linked_folder: a symbolic link to a folder, not entered" in line for line in corpus["log"])


# --------------------------------------------------------------------------- resources
@pytest.mark.parametrize("label", ["fill_04.ipynb", "fill_05.ipynb"])
def test_filling_tmp_and_the_private_folder_stops_at_their_limits(corpus, label):
    """2 x 900 MB: /tmp refuses the writes at its size (the cell fails, grading goes on), the private
    folder's writes are stopped by the watch at the disk limit (grading stops there)."""
    result = corpus["results"][label]
    notes = _notes(corpus, label)
    assert result.total == 0.0 and result.status == "partial"
    assert f"filled a folder of the grader's sandbox (/tmp holds {config.KERNEL_TMP_BYTES // MiB} MiB" in notes
    assert f"wrote more than {config.KERNEL_DISK_BYTES // MiB} MiB of files" in notes
    assert "nothing after it ran" in notes


@pytest.mark.parametrize("label", ["forks_04.ipynb", "forks_05.ipynb"])
def test_300_fork_sleepers_stop_the_submission_with_a_note(corpus, label):
    result = corpus["results"][label]
    notes = _notes(corpus, label)
    assert result.total == 0.0 and result.status == "partial"
    assert (f"more than {config.KERNEL_TASKS} processes and threads" in notes
            or f"the grader allows {config.KERNEL_TASKS} at once" in notes), notes


def test_a_cell_that_ignores_interrupts_is_stopped_and_its_children_die_with_it(corpus):
    result = corpus["results"]["ignores_interrupts_04.ipynb"]
    assert result.total == 0.0 and result.status == "partial"
    assert "ignores interrupts" in _notes(corpus, "ignores_interrupts_04.ipynb")
    assert result.seconds < 60 + 10 + 60, "the cell limit held (plus the 10 s the interrupt is given)"
    assert corpus["spinners"] == [], "children that ignore SIGINT were killed with the sandbox"


# --------------------------------------------------------------------------- the grader's input
@pytest.mark.parametrize("label", ["big_cell_04.ipynb", "big_cell_05.ipynb"])
def test_a_4_mb_cell_is_refused_before_the_grader_parses_it(corpus, label):
    result = corpus["results"][label]
    assert result.status == "invalid" and result.total == 0.0
    assert f"holds 4,000,000 characters of code; the grader reads code cells of at most {config.MAX_CELL_CHARS:,}" \
        in _notes(corpus, label)


def test_a_50_mb_notebook_is_refused_unread(corpus):
    result = corpus["results"]["huge_file_04.ipynb"]
    assert result.status == "invalid" and result.total == 0.0
    assert f"more than a notebook should be (the grader reads at most {config.MAX_SUBMISSION_BYTES:,})" in \
        _notes(corpus, "huge_file_04.ipynb")


def test_control_the_static_scan_of_a_4_mb_cell_needs_more_than_half_a_gigabyte():
    """Without the cell limit the grader would scan this cell in its own process: under a 512 MiB
    address-space limit that scan fails, so unlimited it takes more (2.8 GB measured by
    benchmarks/bench_limits.py); intake refuses the same file within that limit."""
    program = ("import resource, sys\nresource.setrlimit(resource.RLIMIT_AS, (512 * 1024**2, 512 * 1024**2))\n"
               f"sys.path.insert(0, {str(REPO)!r})\n"
               "from course_tools.homework.scan import scan_source\n"
               f"try:\n    scan_source({BIG_CELL[:4]!r} * 1_000_000)\n    print('scanned')\n"
               "except MemoryError:\n    print('MemoryError')\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=300)
    assert done.stdout.strip() == "MemoryError", done.stderr[-500:]


def test_intake_reads_the_4_mb_cell_file_within_the_same_limit(tmp_path):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [hf.code_cell(BIG_CELL)]}
    path = hf.save(nb, tmp_path / "big.ipynb")
    program = ("import resource, sys\nresource.setrlimit(resource.RLIMIT_AS, (512 * 1024**2, 512 * 1024**2))\n"
               f"sys.path.insert(0, {str(REPO)!r})\n"
               "from course_tools.homework.intake import load_submission\n"
               f"print(load_submission({str(path)!r})[1])\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=300)
    assert "cell 1 holds 4,000,000 characters" in done.stdout, done.stderr[-500:]


@pytest.mark.parametrize("label, kind", [("fifo.ipynb", "a FIFO (named pipe)"), ("zero.ipynb", "a symbolic link"),
                                         ("solution_link_04.ipynb", "a symbolic link")])
def test_fifos_and_links_are_listed_as_refused_never_opened(corpus, label, kind):
    result = corpus["results"][label]
    assert result.status == "invalid" and result.total == 0.0
    assert f"refused: this entry is {kind}, not a regular file" in _notes(corpus, label)


def test_control_an_unprotected_open_of_the_fifo_hangs(tmp_path):
    os.mkfifo(tmp_path / "fifo.ipynb")
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run([sys.executable, "-c", f"open({str(tmp_path / 'fifo.ipynb')!r}, 'rb').read()"], timeout=3)
    assert intake.load_submission(tmp_path / "fifo.ipynb")[0] is None  # returns at once


def test_control_an_unprotected_read_of_a_link_to_dev_zero_never_ends(tmp_path):
    (tmp_path / "zero.ipynb").symlink_to("/dev/zero")
    assert (tmp_path / "zero.ipynb").stat().st_size == 0, "it passes a size check made through the link"
    program = ("import resource\nresource.setrlimit(resource.RLIMIT_AS, (256 * 1024**2, 256 * 1024**2))\n"
               f"open({str(tmp_path / 'zero.ipynb')!r}, 'rb').read()\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert "MemoryError" in done.stderr, "it reads until memory runs out"


def test_control_a_link_to_the_solution_scores_full_marks_when_followed(corpus, monkeypatch):
    """The old reader followed links: the link to the instructor's solution got full marks (14/14)."""
    link = corpus["subs"] / "solution_link_04.ipynb"
    monkeypatch.setattr(submission_module, "load_submission", lambda path: intake.parse_bytes(Path(path).read_bytes()))
    result = submission_module.grade_submission(link, json.loads(corpus["key"].read_text()),
                                                grade_module.make_sandbox(corpus["key"], grade_module.load_key(
                                                    corpus["key"])), cell_timeout=60, total_timeout=400)
    assert result.total == result.max_points == 14.0
    assert corpus["results"]["solution_link_04.ipynb"].total == 0.0


# --------------------------------------------------------------------------- feedback
@pytest.mark.parametrize("label", ["html_04.ipynb", "html_05.ipynb"])
def test_html_in_answers_and_error_messages_is_escaped_in_the_feedback(corpus, label):
    result = corpus["results"][label]
    feedback = corpus["feedback"][label.replace(".ipynb", ".md")]
    assert result.total == 0.0 and any(w.answer for w in result.written)
    outside, inside = split_fences(feedback)
    for raw in (r"<script", r"<img", r"!\[tracker", r"\]\(http"):  # markup not escaped with a backslash
        assert re.search(r"(?<!\\)" + raw, outside) is None, raw
    assert HTML in inside, "written answers are quoted as they are, in a fenced block that renders nothing"
    error = next(e for e in result.cell_errors if e.text.startswith("ValueError"))
    assert "onerror" in error.text, "the student's own line is quoted (it is their code)"
    # control: the same result rendered without escaping carries the error line's markup into the rendered text
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report_module, "escape_markdown", lambda text, one_line=False: str(text))
        assert "<img" in split_fences(report_module.feedback_markdown(label, result))[0]


def test_no_error_message_text_reaches_the_feedback(corpus):
    """Errors show their type and the student's own line, never the message the code chose."""
    for label in ("html_04.ipynb", "html_05.ipynb"):
        for error in corpus["results"][label].cell_errors:
            assert not error.text.startswith("ValueError: "), error.text


"""Issue 23's attacks on the grader, on both homework notebooks, each first shown to work (a control).

Every attack is the blank student edition of notebook 04 or 05 (every answer still raises) plus the attack's
cells. Each is graded twice:

- by ``_undefended_grader`` (a control: each task's check runs inside the student's kernel and the grader
  trusts what comes back, as before issue 23): the attack must WORK there, so the tests prove the defence and
  not a broken attack;
- by the real grader (questions asked of the kernel, answers judged outside): the attack must score 0, and
  the leak attack must leak nothing of the grading questions.

The instructor's solution keeps full marks when graded before and after the attacks. Every request sent to the
kernels is recorded, and none holds a line of the grading questions' code beyond the public ask code.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from _undefended_grader import grade_undefended  # tests/ is on sys.path (pytest rootdir import mode)

from course_tools.homework.judge import questions_of
from course_tools.homework.oracle import RUNTIME
from course_tools.homework.release import release
from course_tools.homework.report import feedback_markdown
from course_tools.homework.sandbox import Sandbox, sandbox_problem
from course_tools.homework.submission import grade_submission

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = {"04": "04_mlp_homework.ipynb", "05": "05_notmnist_dataset_homework.ipynb"}
WORTH = {"04": 14.0, "05": 16.0}
#: The task whose grading questions the control hands to the kernel, as the old hidden tests were.
SECRET_TASK = {"04": "mlp.model", "05": "hw05.extract"}
CHUNK, CHUNKS = 150, 60

EXEC_REPLACED = '''\
_real_exec = exec


def _skip_the_grader(code, *args, **kwargs):
    if getattr(code, "co_filename", "") == "<course grader>":
        return None
    return _real_exec(code, *args, **kwargs)


vars(print.__self__)["exec"] = _skip_the_grader'''

EXEC_REPLACED_ALL = '''\
_real_exec = exec


def _skip_all_but_cells(code, *args, **kwargs):
    if "ipykernel" not in getattr(code, "co_filename", "ipykernel"):
        return None   # anything that is not a notebook cell: the grader's code
    return _real_exec(code, *args, **kwargs)


vars(print.__self__)["exec"] = _skip_all_but_cells'''

FORGER = '''\
import re


def _forged(self, expressions):
    found = {}
    for name, expression in expressions.items():
        nonce = re.findall(r"'([0-9a-f]{16})'", expression)
        found[name] = {"status": "ok", "data": {"text/plain": repr(nonce[-1]) if nonce else "None"}, "metadata": {}}
    return found
'''
EXPRESSIONS_ON_THE_CLASS = FORGER + '''
from IPython.core.interactiveshell import InteractiveShell

InteractiveShell.user_expressions = _forged'''

EXPRESSIONS_BY_SETATTR = FORGER + '''

def _every_class(cls):
    for sub in type.__subclasses__(cls):
        yield sub
        yield from _every_class(sub)


_shell = next(c for c in _every_class(object) if c.__name__ == "InteractiveShell")
type.__setattr__(_shell, "user_" + "expressions", _forged)'''

AUDIT_HOOK = '''\
import sys

_seen = []


def _watch(event, args):
    if event == "compile" and len(args) >= 2:
        source, name = args[0], str(args[1])
        if isinstance(source, bytes):
            source = source.decode("utf-8", "replace")
        grader = name.startswith("<") and name not in ("<string>", "<unknown>", "<>") \\
            and not name.startswith("<ipython-input")   # not library code, not a notebook cell
        if grader and isinstance(source, str) and source not in _seen:
            _seen.append(source)


sys.addaudithook(_watch)'''
LEAK_SETUP = ('import base64, zlib\n'
              '_blob = base64.b85encode(zlib.compress("\\x00".join(_seen).encode("utf-8"), 9)).decode("ascii")')

ATTACKS = {
    "exec_replaced": {"cell": EXEC_REPLACED},
    "exec_replaced_all": {"cell": EXEC_REPLACED_ALL},
    "expressions_on_the_class": {"cell": EXPRESSIONS_ON_THE_CLASS},
    "expressions_by_setattr": {"cell": EXPRESSIONS_BY_SETATTR},
    "audit_hook_leak": {"cell": AUDIT_HOOK, "last": [LEAK_SETUP] + [
        f'raise RuntimeError("L{k:02d}:" + _blob[{k * CHUNK}:{(k + 1) * CHUNK}])' for k in range(CHUNKS)]},
}
#: The attacks that forge a passing in-kernel check: they score full marks with the control.
FORGING = ["exec_replaced", "exec_replaced_all", "expressions_on_the_class", "expressions_by_setattr"]


def _code_cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def recovered(errors: list) -> str:
    """What the leak attack got out: its chunks, in order, decompressed as far as they go."""
    chunks = {}
    for text in errors:
        match = re.search(r"RuntimeError: L(\d\d):(\S*)", text)
        if match:
            chunks[int(match.group(1))] = match.group(2)
    blob = "".join(chunks[k] for k in sorted(chunks))
    blob = blob[: len(blob) - len(blob) % 5]
    return zlib.decompressobj().decompress(base64.b85decode(blob)).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    problem = sandbox_problem()
    assert problem is None, f"the attack tests need the sandbox: {problem}"
    base = tmp_path_factory.mktemp("attacks")
    (base / "notebooks").mkdir()
    for name in NOTEBOOKS.values():
        (base / "notebooks" / name).write_bytes((REPO / "notebooks" / name).read_bytes())
    key_path = release(base / "notebooks", base / "dist" / "student", root=REPO).key_path
    key = json.loads(key_path.read_text())
    sandbox = Sandbox(edition=base / "dist" / "student")
    jobs = []
    for short, name in NOTEBOOKS.items():
        edition = json.loads((base / "dist" / "student" / "notebooks" / name).read_text())
        imports = next(i for i, c in enumerate(edition["cells"]) if "%matplotlib inline" in "".join(c["source"]))
        for attack, parts in ATTACKS.items():
            nb = copy.deepcopy(edition)
            nb["cells"].insert(imports + 1, _code_cell(parts["cell"]))
            nb["cells"].extend(_code_cell(source) for source in parts.get("last", []))
            path = base / "attacks" / f"{short}_{attack}.ipynb"
            path.parent.mkdir(exist_ok=True)
            path.write_text(json.dumps(nb))
            jobs.append(("attack", short, attack, path))
        for when in ("before", "after"):
            path = base / when / f"{short}_solution.ipynb"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes((REPO / "notebooks" / name).read_bytes())
            jobs.append((when, short, "solution", path))
    secrets = {short: {SECRET_TASK[short]: key["notebooks"][name]["questions"][SECRET_TASK[short]]["source"]}
               for short, name in NOTEBOOKS.items()}

    def real(job):
        _, short, attack, path = job
        transcript: list = []
        # the leak attack's last cells come after the last questions: run them too (the others need not)
        result = grade_submission(path, key, sandbox, run_all=bool(ATTACKS.get(attack, {}).get("last")),
                                  cell_timeout=60, total_timeout=600, transcript=transcript)
        return result, transcript, feedback_markdown(path.name, result)

    def control(job):
        _, short, _, path = job
        return grade_undefended(path, key, sandbox, secrets=secrets[short])

    results = {}
    before = [job for job in jobs if job[0] == "before"]
    after = [job for job in jobs if job[0] == "after"]
    attacks = [job for job in jobs if job[0] == "attack"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for job, found in zip(before, pool.map(real, before)):
            results[(job[0], job[1], job[2])] = found
        real_found = list(pool.map(real, attacks))
        control_found = list(pool.map(control, attacks))
        for job, found in zip(after, pool.map(real, after)):
            results[(job[0], job[1], job[2])] = found
    for job, found, undefended in zip(attacks, real_found, control_found):
        results[("attack", job[1], job[2])] = found
        results[("control", job[1], job[2])] = undefended
    return {"results": results, "key": key, "edition": base / "dist" / "student"}


def _secret_lines(key: dict) -> list:
    """Lines of the grading questions' code that a student cannot read anywhere: not in any ask code (public,
    sent to kernels), not in the student edition's notebooks."""
    asks = [q.ask for entry in key["notebooks"].values() for tq in questions_of(entry).values() for q in tq.questions]
    public = "\n".join(asks) + RUNTIME
    lines = []
    for entry in key["notebooks"].values():
        for item in entry["questions"].values():
            for line in item["source"].splitlines():
                line = line.strip()
                if len(line) >= 16 and line not in public and not line.startswith(("import ", "from ", "#")):
                    lines.append(line)
    return lines


@pytest.mark.parametrize("short", list(NOTEBOOKS))
@pytest.mark.parametrize("attack", FORGING)
def test_the_forging_attacks_work_against_the_undefended_control(attacked, short, attack):
    control = attacked["results"][("control", short, attack)]
    assert control.total == WORTH[short], control.points


@pytest.mark.parametrize("short", list(NOTEBOOKS))
def test_without_an_attack_the_control_gives_the_blank_edition_nothing(attacked, short):
    control = attacked["results"][("control", short, "audit_hook_leak")]
    assert control.total == 0.0


@pytest.mark.parametrize("short", list(NOTEBOOKS))
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_every_attack_scores_zero_with_the_real_grader_and_is_flagged(attacked, short, attack):
    result, _, _ = attacked["results"][("attack", short, attack)]
    assert result.max_points == WORTH[short]
    assert result.total == 0.0, {c.name: c.message for c in result.checks if c.passed}
    assert result.flags, "an attack must leave a flag for the instructor"


def test_the_widened_flags_name_what_each_attack_used(attacked):
    flags = {attack: " ".join(attacked["results"][("attack", "04", attack)][0].flags) for attack in ATTACKS}
    assert "builtins" in flags["exec_replaced"] and "patches-modules" in flags["exec_replaced"]
    assert "ipython-hooks" in flags["expressions_on_the_class"]
    assert "patches-classes" in flags["expressions_by_setattr"]
    assert "audit-hooks" in flags["audit_hook_leak"]


@pytest.mark.parametrize("short", list(NOTEBOOKS))
@pytest.mark.parametrize("when", ["before", "after"])
def test_the_instructors_solution_keeps_full_marks_before_and_after_the_attacks(attacked, short, when):
    result, _, _ = attacked["results"][(when, short, "solution")]
    assert result.status == "graded", result.notes
    assert result.total == result.max_points == WORTH[short], [c.message for c in result.checks if not c.passed]


@pytest.mark.parametrize("short", list(NOTEBOOKS))
def test_the_audit_hook_leaks_the_questions_from_the_control_but_nothing_secret_from_the_grader(attacked, short):
    key = attacked["key"]
    secret = key["notebooks"][NOTEBOOKS[short]]["questions"][SECRET_TASK[short]]["source"]
    control = attacked["results"][("control", short, "audit_hook_leak")]
    assert secret in recovered(control.cell_errors), "the control: the attack rebuilds the questions byte for byte"
    result, _, feedback = attacked["results"][("attack", short, "audit_hook_leak")]
    # two defences: nothing secret enters the kernel (the transcript test below), and the channel itself is shut,
    # since an error reaches the feedback as its type and the student's own line, never its message
    assert [e.text for e in result.cell_errors if "RuntimeError" in e.text]
    assert recovered([e.text for e in result.cell_errors]) == "", "only the student's own line of code is quoted"
    assert [line for line in _secret_lines(key) if line in feedback] == []


def test_no_request_sent_to_a_kernel_holds_the_questions_code(attacked):
    secret = _secret_lines(attacked["key"])
    assert len(secret) > 100
    sent = 0
    for (kind, _, _), found in attacked["results"].items():
        if kind == "control":
            continue
        _, transcript, feedback = found
        for request in transcript:
            text = request["code"] + "\n".join(request["user_expressions"].values())
            assert [line for line in secret if line in text] == []
            sent += 1
        assert [line for line in secret if line in feedback] == []
    assert sent > 500


def test_what_crosses_into_the_kernel_is_the_runtime_the_ask_code_and_the_inputs(attacked):
    from course_tools.homework.oracle import BUILTINS

    asks = {q.ask for entry in attacked["key"]["notebooks"].values() for tq in questions_of(entry).values()
            for q in tq.questions}
    _, transcript, _ = attacked["results"][("before", "05", "solution")]
    requests = [r for r in transcript if r["user_expressions"]]
    assert len(requests) == sum(len(tq.questions) for tq in questions_of(
        attacked["key"]["notebooks"][NOTEBOOKS["05"]]).values())
    for request in requests:
        (expression,) = request["user_expressions"].values()
        assert request["code"] == "" and BUILTINS in expression and repr(RUNTIME) in expression
        payload = re.search(r"ns\['run'\]\(b\.globals\(\), '([A-Za-z0-9+/=]+)'\)", expression).group(1)
        document = json.loads(base64.b64decode(payload))
        assert set(document) == {"ask", "inputs", "work", "forbid", "limit"} and document["ask"] in asks

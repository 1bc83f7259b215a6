"""The grading questions without kernels: the cell format, fresh seeds, the answer schema, judging and scoring,
and listing a folder a student's code wrote without trusting it."""

from __future__ import annotations

import base64
import json
import os
import textwrap

import numpy as np
import pytest

from course_tools.homework import oracle
from course_tools.homework.judge import InProcessOracle, ask_task, score
from course_tools.homework.questions import QuestionError, load_questions, seed_for
from course_tools.homework.snapshot import snapshot

CELL = textwrap.dedent('''\
    # QUESTIONS t.double
    def questions():
        import numpy as np
        from course_tools.homework.questions import close, question, requirement

        requirement("values", "double(x) is 2 x", points=1.5)
        requirement("kind", "the result is an array", points=0.5)

        def numbers(ctx):
            return {"x": ctx.rng.normal(size=int(ctx.rng.integers(2, 9)))}

        def twice(ctx, answer):
            return close(answer, 2 * ctx.inputs["x"]), "double(x) is not 2 x"

        def array(ctx, answer):
            return isinstance(answer, np.ndarray), f"double(x) returned a {type(answer).__name__}"

        question("values", inputs=numbers, ask="answer = double(inputs['x'])", judge=twice)
        question("kind", inputs=numbers, ask="answer = double(inputs['x'])", judge=array)
    ''')


def _answers(namespace, tmp_path, sha="a" * 64):
    questions = load_questions(CELL, "t.double")
    results, stop, malformed = ask_task(InProcessOracle(namespace, tmp_path), questions, sha)
    entry = {"tasks": [{"id": "t.double", "points": 2.0, "hint": "write it"}],
             "questions": {"t.double": {"requirements": questions.summary()}}}
    return results, score(entry, results)


def test_a_cell_declares_requirements_with_points_and_questions():
    questions = load_questions(CELL, "t.double")
    assert [(r.id, r.points) for r in questions.requirements] == [("values", 1.5), ("kind", 0.5)]
    assert [q.name for q in questions.questions] == ["values.1", "kind.1"] and questions.points == 2.0


@pytest.mark.parametrize("source, words", [
    ("# QUESTIONS t.x\nimport numpy\n", "must hold one function"),
    ("# QUESTIONS t.x\ndef questions():\n    pass\n", "declares no requirement"),
    ("# QUESTIONS t.x\ndef questions():\n    from course_tools.homework.questions import requirement\n"
     "    requirement('r', 'text')\n", "has no question"),
    ("# QUESTIONS t.x\ndef questions():\n    from course_tools.homework.questions import question\n"
     "    question('r', ask='answer = 1', judge=lambda ctx, a: True)\n", "unknown requirement 'r'"),
    ("# QUESTIONS t.x\ndef questions():\n    from course_tools.homework.questions import question, requirement\n"
     "    requirement('r', 'text')\n    question('r', ask='answer = (', judge=lambda ctx, a: True)\n", "not valid Python"),
])
def test_a_malformed_cell_says_what_to_fix(source, words):
    with pytest.raises(QuestionError, match=words):
        load_questions(source, "t.x")


def test_inputs_are_fresh_per_submission_and_the_same_for_a_regrade():
    assert seed_for("a" * 64, "t", "q.1") == seed_for("a" * 64, "t", "q.1")
    assert len({seed_for(sha, "t", "q.1") for sha in ("a" * 64, "b" * 64, "c" * 64)}) == 3
    assert seed_for("a" * 64, "t", "q.1") != seed_for("a" * 64, "t", "q.2")


def test_right_wrong_and_raising_answers_are_judged_and_scored_per_requirement(tmp_path):
    right = {"double": lambda x: 2 * x}
    results, (points, checks) = _answers(right, tmp_path)
    assert points == {"t.double": 2.0} and all(c.passed for c in checks)
    as_list = {"double": lambda x: list(2 * x)}       # the right values in the wrong kind: half the requirements
    _, (points, checks) = _answers(as_list, tmp_path)
    assert points == {"t.double": 1.5}
    assert [c.message for c in checks if not c.passed] == ["double(x) returned a list"]
    # the message of the student's error is the code's to choose: the feedback names the task and the key's hint
    blank = {"double": lambda x: (_ for _ in ()).throw(NotImplementedError("anything at all"))}
    _, (points, checks) = _answers(blank, tmp_path)
    assert points == {"t.double": 0.0} and all(c.message == "not done yet: t.double: write it" for c in checks)
    raising = {"double": lambda x: (_ for _ in ()).throw(ValueError("<b>chosen text</b>"))}
    _, (points, checks) = _answers(raising, tmp_path)
    assert points == {"t.double": 0.0}
    assert all(c.message == "your code raised ValueError. Hint: write it" for c in checks)


def test_the_ask_code_never_rebinds_the_students_names(tmp_path):
    namespace = {"double": lambda x: 2 * x, "answer": "mine", "inputs": "mine too"}
    _answers(namespace, tmp_path)
    assert namespace["answer"] == "mine" and namespace["inputs"] == "mine too"


# --------------------------------------------------------------------------- the schema of answers
def _reply(answer_json) -> str:
    return repr(base64.b64encode(json.dumps(answer_json).encode()).decode())


def test_the_runtime_encodes_what_the_grader_decodes():
    import torch

    value = {"n": 3, "x": 2.5, "nan": float("nan"), "t": (1, [True, None]), "a": np.arange(6, dtype=np.int16).reshape(2, 3),
             "s": np.float32(1.5), "T": torch.ones(2, requires_grad=True) * 2, "b": b"\x00\xff", "o": object()}
    payload = oracle.request_payload("answer = inputs['value']", {"value": 1})
    scope = {"__name__": "x"}
    exec(compile(oracle.RUNTIME, "<course oracle>", "exec"), scope)
    text = scope["run"]({"value": value}, oracle.request_payload("answer = value", {}))
    reply = oracle.decode_reply(repr(text))
    got = reply.answer
    assert got["n"] == 3 and got["x"] == 2.5 and np.isnan(got["nan"]) and got["t"] == (1, [True, None])
    assert got["a"].dtype == np.int16 and got["a"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert got["s"] == np.float32(1.5) and got["b"] == b"\x00\xff"
    assert got["T"].dtype == "torch.float32" and got["T"].requires_grad and got["T"].value.tolist() == [2.0, 2.0]
    assert got["o"].type_name == "builtins.object"
    assert json.loads(base64.b64decode(payload))["inputs"] == {"d": [["value", 1]]}


@pytest.mark.parametrize("plain", [
    "forged", "'not base64 !'", _reply([1, 2]), _reply({"answer": 1, "calls": [], "extra": 1}),
    _reply({"answer": {"a": ["float128", [1], "AAAA"]}, "calls": []}),
    _reply({"answer": {"a": ["float32", [1000000000], ""]}, "calls": []}),
    _reply({"answer": {"a": ["float32", [2], "AAAA"]}, "calls": []}),
    _reply({"answer": {"zz": 1}, "calls": []}), _reply({"answer": {"l": 1}, "calls": []}),
    _reply({"error": ["E", "m"], "calls": []}), "'" + "A" * (oracle.MAX_ANSWER_CHARS + 4) + "'",
])
def test_anything_outside_the_schema_is_malformed(plain):
    with pytest.raises(oracle.Malformed):
        oracle.decode_reply(plain)


def test_inputs_are_data_only():
    with pytest.raises(TypeError, match="cannot be sent"):
        oracle.request_payload("answer = 1", {"f": print})
    with pytest.raises(TypeError, match="dtypes"):
        oracle.request_payload("answer = 1", {"a": np.array([1 + 2j])})


def test_a_forbidden_call_fails_the_question_with_a_message(tmp_path):
    import torch

    cell = CELL.replace('judge=twice)', 'judge=twice, forbid=("torch.nn.functional.relu",))')
    questions = load_questions(cell, "t.double")
    wrapper = {"double": lambda x: 2 * torch.nn.functional.relu(torch.from_numpy(x) * 0 + 1).numpy() * x}
    results, _, _ = ask_task(InProcessOracle(wrapper, tmp_path), questions, "a" * 64)
    assert "torch.nn.functional.relu" in results[0].message and "write yourself" in results[0].message


# --------------------------------------------------------------------------- a folder written by untrusted code
def test_a_snapshot_follows_no_link_and_opens_no_fifo(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret of the grader")
    folder = tmp_path / "q"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "f.bin").write_bytes(b"data")
    (folder / "link").symlink_to(outside)
    (folder / "dirlink").symlink_to(tmp_path)
    os.mkfifo(folder / "pipe")
    found = snapshot(folder)
    assert found["a/f.bin"].data == b"data" and found["a"].kind == "dir"
    assert found["link"].kind == "symlink" and found["link"].data is None and found["link"].target == str(outside)
    assert found["dirlink"].kind == "symlink" and not any(k.startswith("dirlink/") for k in found)
    assert found["pipe"].kind == "other"
    (tmp_path / "swapped").symlink_to(folder)
    assert snapshot(tmp_path / "swapped") == {".": snapshot(tmp_path / "swapped")["."]}
    assert snapshot(tmp_path / "swapped")["."].kind == "symlink" and snapshot(tmp_path / "missing") == {}
    # a folder on the way swapped for a link (to a folder of the grader's machine) is not followed either
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "grading").symlink_to(tmp_path)
    assert snapshot(tmp_path / "private" / "grading" / "q", root=tmp_path / "private") == {".": snapshot(
        tmp_path / "private" / "grading" / "q", root=tmp_path / "private")["."]}
    assert snapshot(tmp_path / "q", root=tmp_path)["a/f.bin"].data == b"data"


def test_a_snapshot_has_limits(tmp_path):
    for n in range(30):
        (tmp_path / f"f{n:02d}").write_bytes(b"x" * 100)
    found = snapshot(tmp_path, max_entries=10, max_read=250)
    assert len(found) == 11 and found["..."].kind == "..."
    assert sum(1 for e in found.values() if e.sha256) == 2    # 250 bytes read at most

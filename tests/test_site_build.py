"""site/build.py: the landing page, the static notebook copies and the student outputs (no Sphinx needed).

The build itself, in a browser, is checked by `make test-browser` (tests/browser/test_site.py).
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("course_site_build", REPO / "site" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

URL, BRANCH = "https://github.com/owner/course", "main"
README = """# A course: week 2

```bash
make lab   # open it
## not a heading: inside a code fence
```

## The notebooks

| # | notebook | what you learn |
|---|---|---|
| 01 | [Bayes](notebooks/01_bayes.ipynb) | priors |
| 02 | History | dates, see [the facts](docs/FACTS.md#gan) |

## Homework: student edition, self-checks, grading

Answers go between `### BEGIN SOLUTION` and `### END SOLUTION`.

## When something goes wrong

Ask.
"""


def _cell(kind, source, outputs=None):
    cell = {"cell_type": kind, "source": source, "metadata": {}}
    if kind == "code":
        cell.update(outputs=outputs or [], execution_count=1 if outputs else None)
    return cell


def test_split_sections_ignores_headings_in_code_fences():
    headings = [h for h, _ in build.split_sections(README)]
    assert headings == ["", "The notebooks", "Homework: student edition, self-checks, grading",
                        "When something goes wrong"]


def test_landing_page_keeps_student_sections_links_notebooks_and_adds_colab_badges():
    page = build.landing_page(README, ["01_bayes.ipynb", "02_history.ipynb"], URL, BRANCH)
    assert "make lab" in page and "Ask." in page
    assert "SOLUTION" not in page and "Homework: student edition" not in page
    colab = "https://colab.research.google.com/github/owner/course/blob/main/notebooks/{}"
    assert f"| 01 | [Bayes](notebooks/01_bayes.ipynb) [![Open in Colab](notebooks/colab-badge.svg)]" \
           f"({colab.format('01_bayes.ipynb')}) | priors |" in page
    # a row whose notebook is not linked yet gets the link (the student README's table)
    assert f"| 02 | [History](notebooks/02_history.ipynb) [![Open in Colab](notebooks/colab-badge.svg)]" \
           f"({colab.format('02_history.ipynb')}) |" in page
    # links to files that are not pages go to the repository
    assert "[the facts](https://github.com/owner/course/blob/main/docs/FACTS.md#gan)" in page
    assert page.rstrip().endswith("notebooks/01_bayes\nnotebooks/02_history\n```")


def test_static_notebook_local_badge_no_bootstrap_no_nbval_comments_widget_note():
    nb = {"metadata": {"widgets": {"state": {}}}, "cells": [
        _cell("markdown", f"# T\n\n[![Open In Colab]({build.COLAB_BADGE_URL})](https://colab.example/x)"),
        _cell("code", "# Course bootstrap: on Colab ...\nimport sys"),
        _cell("code", "# NBVAL_IGNORE_OUTPUT\nexplorer()",
              [{"output_type": "execute_result", "data": {build.WIDGET_MIME: {"model_id": "m"},
                                                          "text/plain": "VBox(...)"}}]),
    ]}
    out = build.static_notebook(nb)
    assert build.COLAB_BADGE_URL not in out["cells"][0]["source"] and "(colab-badge.svg)" in out["cells"][0]["source"]
    assert out["cells"][1]["metadata"]["tags"] == ["remove-cell"]
    assert out["cells"][2]["source"] == "explorer()"
    assert out["cells"][2]["outputs"][0]["data"] == {"text/markdown": build.WIDGET_NOTE}
    assert "widgets" not in out["metadata"]


def test_merge_outputs_stops_at_the_first_changed_cell():
    figure = [{"output_type": "display_data", "data": {"image/png": "iVBOR"}}]
    answer = [{"output_type": "stream", "name": "stdout", "text": "42"}]
    executed = {"cells": [
        _cell("markdown", "[![Open In Colab](x)](https://colab.example/instructor/nb.ipynb)"),
        _cell("code", "plot()", figure),
        _cell("code", "x = 40 + 2  # the answer", answer),
        _cell("code", "print(x)", answer),
    ]}
    student = copy.deepcopy(executed)
    student["cells"][0]["source"] = "[![Open In Colab](x)](https://colab.example/student/nb.ipynb)"
    student["cells"][2]["source"] = "raise NotImplementedError('task: compute x')"
    for cell in student["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    assert build.merge_outputs(student, executed) == 2
    assert student["cells"][1]["outputs"] == figure
    assert student["cells"][2]["outputs"] == [] and student["cells"][3]["outputs"] == []


def test_merge_outputs_goes_on_past_a_written_answer_replaced_by_its_prompt():
    """A lesson's written question: the student edition shows a prompt instead of the model answer (a
    markdown cell that differs); the figures after it must still reach the student site."""
    figure = [{"output_type": "display_data", "data": {"image/png": "iVBOR"}}]
    executed = {"cells": [
        _cell("code", "plot()", figure),
        _cell("markdown", "**Question 1** why?\n<!-- BEGIN SOLUTION -->\nbecause\n<!-- END SOLUTION -->"),
        _cell("code", "plot_more()", figure),
        _cell("code", "x = 40 + 2  # the answer", figure),
        _cell("code", "print(x)", figure),
    ]}
    student = copy.deepcopy(executed)
    student["cells"][1]["source"] = "**Question 1** why?\n**Your answer:** _double-click this cell and write it here._"
    student["cells"][3]["source"] = "raise NotImplementedError('task: compute x')"
    for cell in student["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    assert build.merge_outputs(student, executed) == 2
    assert student["cells"][0]["outputs"] == figure and student["cells"][2]["outputs"] == figure
    assert "Your answer" in student["cells"][1]["source"] and "because" not in student["cells"][1]["source"]
    assert student["cells"][3]["outputs"] == [] and student["cells"][4]["outputs"] == []


def _graded_lesson(later: str) -> tuple:
    figure = [{"output_type": "display_data", "data": {"image/png": "iVBOR"}}]
    said = [{"output_type": "stream", "name": "stdout", "text": "correct: 42"}]
    executed = {"cells": [
        _cell("code", "plot()", figure),
        _cell("code", "# TASK l.f (1 point): f\ndef f(x):\n    ### BEGIN SOLUTION\n    return x + 41\n    ### END SOLUTION"),
        _cell("code", "# TEST l.f\ncheck('l.f', f)", said),
        _cell("code", "# QUESTIONS l.f\ndef questions():\n    pass"),
        _cell("code", later, figure),
    ]}
    student = copy.deepcopy({"cells": [c for k, c in enumerate(executed["cells"]) if k != 3]})
    student["cells"][1]["source"] = "# TASK l.f (1 point): f\ndef f(x):\n    raise NotImplementedError('l.f: f')"
    for cell in student["cells"]:
        cell["outputs"], cell["execution_count"] = [], None
    return student, executed, figure


def test_merge_outputs_goes_on_past_a_lesson_exercise_that_nothing_later_uses():
    """Lesson 03's graded exercises: the later cells use the course's tested functions, so their figures reach the
    student site; the task's own cells show nothing (the test cell's "correct" was the instructor's answer)."""
    student, executed, figure = _graded_lesson("helpers.f(1)\nplot()")
    assert build.merge_outputs(student, executed) == 3
    assert student["cells"][0]["outputs"] == figure and student["cells"][3]["outputs"] == figure
    assert student["cells"][1]["outputs"] == [] and student["cells"][2]["outputs"] == []


def test_merge_outputs_stops_at_an_exercise_whose_answer_a_later_cell_uses():
    """The control: a later cell that calls the student's f could show the answer's result, so the merge stops."""
    student, executed, figure = _graded_lesson("print(f(1))\nplot()")
    assert build.merge_outputs(student, executed) == 1
    assert student["cells"][0]["outputs"] == figure
    assert all(cell["outputs"] == [] for cell in student["cells"][1:])


def test_the_notebook_table_links_a_lettered_notebook():
    readme = "# Course\n\n## The notebooks\n\n| # | notebook | what |\n|---|---|---|\n| 03b | Data | files |\n"
    page = build.landing_page(readme, ["03_basics.ipynb", "03b_data.ipynb"], URL, BRANCH)
    assert "| 03b | [Data](notebooks/03b_data.ipynb)" in page


def test_repo_settings_read_from_the_config_file(tmp_path):
    (tmp_path / "course_utils").mkdir()
    (tmp_path / "course_utils" / "_config.py").write_text('REPO_URL = "https://github.com/a/b/"\nREPO_BRANCH = "dev"\n')
    assert build.repo_settings(tmp_path) == ("https://github.com/a/b", "dev")
    assert build.repo_settings(tmp_path / "missing") == ("", "main")


def test_build_refuses_to_replace_a_folder_it_did_not_make(tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(build.SiteError, match="not a site built by this script"):
        build.build(REPO, out)
    assert (out / "notes.txt").read_text() == "keep me"

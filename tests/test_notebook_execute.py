"""``course_tools.notebooks.execute``: a cell that hangs (nbclient waiting for a reply that never comes) gets
the notebook run again from the top; the file is written only after a run that completed."""

from __future__ import annotations

import nbclient
import nbformat
import pytest
from nbclient.exceptions import CellTimeoutError

from course_tools import notebooks


class FakeClient:
    """Stands in for ``nbclient.NotebookClient``: the first ``hangs`` runs time out, later ones complete."""

    runs = 0
    hangs = 1

    def __init__(self, nb, **kwargs):
        self.nb = nb

    def execute(self):
        FakeClient.runs += 1
        if FakeClient.runs <= FakeClient.hangs:
            raise CellTimeoutError("A cell timed out while it was being executed, after 300 seconds.")
        for cell in self.nb.cells:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"run {FakeClient.runs}\n")]
        return self.nb


@pytest.fixture
def notebook(tmp_path, monkeypatch):
    monkeypatch.setattr(nbclient, "NotebookClient", FakeClient)
    FakeClient.runs = 0
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('hello')")])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def _outputs(path):
    return [o["text"] for o in nbformat.read(path, as_version=4).cells[0].outputs]


def test_a_hang_is_retried_from_the_top_and_the_completed_run_is_written(notebook, capsys):
    FakeClient.hangs = 1
    notebooks.execute([notebook])
    assert FakeClient.runs == 2 and _outputs(notebook) == ["run 2\n"]
    assert "running it again from the top" in capsys.readouterr().out


def test_control_without_a_retry_the_hang_fails_the_run_and_writes_nothing(notebook):
    FakeClient.hangs = 1
    before = notebook.read_bytes()
    with pytest.raises(CellTimeoutError):
        notebooks.execute([notebook], attempts=1)
    assert notebook.read_bytes() == before


def test_a_notebook_that_hangs_every_time_fails_and_is_left_as_it_was(notebook):
    FakeClient.hangs = 5
    before = notebook.read_bytes()
    with pytest.raises(CellTimeoutError):
        notebooks.execute([notebook])
    assert FakeClient.runs == 2 and notebook.read_bytes() == before

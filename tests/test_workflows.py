"""The GitHub workflows keep their promises: which tests run where, the pip cache, and that the
student site is published only after the tests passed.

GitHub Actions cannot run here, so this reads the YAML and checks its structure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML reads the workflows (it is in constraints.txt, so `make test` has it)")

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
TESTS = WORKFLOWS / "tests.yml"
PAGES = WORKFLOWS / "pages.yml"
#: The files that decide what .venv holds: the pip cache is keyed on them.
DEPENDENCY_FILES = {"requirements.txt", "constraints.txt", "pyproject.toml"}


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def triggers(workflow: dict) -> dict:
    """The ``on:`` table (PyYAML reads the bare key ``on`` as the boolean ``True``)."""
    on = workflow.get("on", workflow.get(True))
    return {name: None for name in on} if isinstance(on, list) else dict(on)


def run_commands(job: dict) -> list:
    return [step["run"] for step in job.get("steps", []) if "run" in step]


def setup_python(job: dict) -> dict:
    step = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    return step["with"]


def test_tests_run_on_every_push_and_pull_request():
    on = triggers(load(TESTS))
    assert "push" in on and "pull_request" in on
    assert not (on["push"] or {}).get("branches"), "every branch's pushes are tested"


def test_linux_runs_unit_tests_and_strict_nbval_with_the_sandbox():
    job = load(TESTS)["jobs"]["linux"]
    assert job["runs-on"].startswith("ubuntu-")
    commands = run_commands(job)
    assert commands[-1].strip() == "make test", "make test runs the unit tests and strict nbval"
    install = "\n".join(commands[:-1])
    assert "apt-get install -y -q bubblewrap" in install
    assert "kernel.apparmor_restrict_unprivileged_userns=0" in install, "Ubuntu 24.04 blocks bubblewrap otherwise"
    assert setup_python(job)["python-version"] == "3.11"


def test_macos_arm64_runs_the_notebooks():
    job = load(TESTS)["jobs"]["macos"]
    assert job["runs-on"] in ("macos-14", "macos-15", "macos-latest"), "an Apple-silicon (arm64) runner"
    assert run_commands(job) == ["make nbval"]


@pytest.mark.parametrize("job", ["linux", "macos"])
def test_pip_cache_keyed_on_the_dependency_files(job):
    with_ = setup_python(load(TESTS)["jobs"][job])
    assert with_["cache"] == "pip"
    assert DEPENDENCY_FILES <= set(with_["cache-dependency-path"].split())


def test_pages_publishes_only_after_the_tests_pass_on_main():
    jobs = load(TESTS)["jobs"]
    pages = jobs["pages"]
    assert pages["uses"] == "./.github/workflows/pages.yml"
    test_jobs = {name for name, job in jobs.items() if name != "pages"}
    assert set(pages["needs"]) == test_jobs == {"linux", "macos"}
    assert "refs/heads/main" in pages["if"] and "pull_request" in pages["if"]
    assert pages["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    # pages.yml itself has no trigger of its own that could publish an untested commit.
    assert set(triggers(load(PAGES))) == {"workflow_call"}


def test_pages_still_publishes_the_student_edition_only():
    build = load(PAGES)["jobs"]["build"]
    commands = "\n".join(run_commands(build))
    assert "make release" in commands and "BEGIN SOLUTION" in commands
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "dist/student-site"


def test_no_workflow_uses_secrets():
    for path in sorted(WORKFLOWS.glob("*.y*ml")):
        assert "secrets." not in path.read_text(), f"{path.name} uses a secret: the workflows need none"

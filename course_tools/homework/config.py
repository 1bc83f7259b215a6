"""Settings of the homework tooling, in one place for the instructor to edit.

Release (``python -m course_tools.homework release``):

- ``STUDENT_EDITION_PATHS``: what the student edition copies from the instructor repository.
- ``EXCLUDED_NAMES``: file and folder names never copied (caches, build output, keys).
- ``STUB_COMMENT``, ``DEFAULT_CODE_HINT``, ``MARKDOWN_PROMPT``: the wording of stubs and prompts.

Grading (``python -m course_tools.homework grade``): default time limits, the output cap and the
environment of the grading kernels.
"""

from __future__ import annotations

#: Files and folders (relative to the repository root) that make up the student edition, besides
#: the released notebooks. Missing ones are skipped with a note.
STUDENT_EDITION_PATHS: tuple = (
    "course_utils",
    "data/embedded",
    "docs/FACTS.md",
    "README.md",
    "requirements.txt",
    "constraints.txt",
    "pyproject.toml",
    "Makefile",
    ".gitignore",
)

#: When this file exists at the repository root, the student edition ships it as its README.md
#: (instead of the instructor's README, which describes releasing and grading).
STUDENT_README = "README.student.md"

#: Names never copied into the student edition, at any depth.
EXCLUDED_NAMES: tuple = ("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info", ".DS_Store",
                         "*.grading-key.json", "*.grading-key", ".pytest_cache")

#: The file that marks a folder as a generated student edition (so ``release`` may replace it).
EDITION_MARKER = ".student-edition"
#: The grading key is written beside the ``--out`` folder: ``dist/student`` -> ``dist/student.grading-key.json``.
KEY_SUFFIX = ".grading-key.json"

#: First line of each code stub; the second raises ``NotImplementedError("<task id>: <what to write>")``.
STUB_COMMENT = "# YOUR CODE HERE: replace the line below with your answer"
#: "<what to write>" when a solution has no ``# HINT:`` line and its task no title.
DEFAULT_CODE_HINT = "write the code for this blank"
#: Replaces a markdown answer that has a ``<!-- HINT: ... -->`` line (``{hint}`` is its text).
MARKDOWN_PROMPT = "**Your answer** ({hint}): _double-click this cell and write it here._"
#: Replaces a markdown answer without a hint.
MARKDOWN_DEFAULT_PROMPT = "**Your answer:** _double-click this cell and write it here._"

#: ``lint`` fails when more than this share of the solution lines appear in the student edition.
LEAK_LIMIT = 0.10

# --------------------------------------------------------------------------- grading
#: Seconds one cell of a submission may run before it is interrupted.
CELL_TIMEOUT = 120
#: Seconds a whole submission may run (kernel start excluded).
TOTAL_TIMEOUT = 900
#: Seconds to wait for a kernel to start.
STARTUP_TIMEOUT = 60
#: Text output kept per cell while grading, in characters; the rest is dropped and noted.
MAX_OUTPUT_CHARS = 100_000
#: Largest submission file read, in bytes.
MAX_SUBMISSION_BYTES = 50_000_000
#: Address space one grading kernel (and each process it starts) may use, in bytes: beyond it the
#: student's code gets a ``MemoryError`` instead of exhausting the machine's memory. A kernel that has
#: imported PyTorch and trained notebook 04's MLP peaks near 1 GiB. 0 means no limit.
KERNEL_MEMORY_BYTES = 4 * 1024**3
#: Largest file a grading kernel may write, in bytes (``OSError: File too large`` beyond it). 0: no limit.
KERNEL_FILE_BYTES = 1024**3
#: Environment of the grading kernels (added to the minimal environment the sandbox builds).
GRADING_ENV: dict = {
    "COURSE_DEVICE": "cpu",
    "COURSE_PROGRESS": "plain",
    "COURSE_COLAB": "0",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
}
#: Seconds one grading question may run in the kernel (the student's function on the question's inputs).
QUESTION_TIMEOUT = 60

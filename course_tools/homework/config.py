"""Settings of the homework tooling, in one place for the instructor to edit.

Release (``python -m course_tools.homework release``):

- ``STUDENT_EDITION_PATHS``: what the student edition copies from the instructor repository;
  ``STUDENT_FILES``: the student project's own README, Makefile and packaging.
- ``EXCLUDED_NAMES``: file and folder names never copied (caches, build output, keys).
- ``STUB_COMMENT``, ``DEFAULT_CODE_HINT``, ``MARKDOWN_PROMPT``: the English wording of stubs and prompts (each
  language's is in ``course_utils.messages``: ``edition.*``).

Grading (``python -m course_tools.homework grade``): default time limits, the output cap, the caps
on submission files (``intake``), the limits of each grading kernel (``limits``) and the environment
of the grading kernels.
"""

from __future__ import annotations

from pathlib import Path

from course_utils.messages import catalogue as _catalogue


def _english(key: str) -> str:
    """The English template of a message (its ``{fields}`` not filled in)."""
    return _catalogue("en")[key]


#: Files and folders (relative to the repository root) that the student edition copies from the instructor
#: repository, besides the released notebooks. Missing ones are skipped with a note.
STUDENT_EDITION_PATHS: tuple = (
    "course_utils",
    "data/embedded",
    "docs/FACTS.md",
    "LICENSE",
    "constraints.txt",
)

#: The student edition's own project files (README.md, Makefile, pyproject.toml, requirements.txt, .gitignore),
#: copied to the edition's root: a student project with only student commands, never the instructor's.
STUDENT_FILES = Path(__file__).resolve().parent / "student_files"

#: Names never copied into the student edition, at any depth.
EXCLUDED_NAMES: tuple = ("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info", ".DS_Store",
                         "*.grading-key.json", "*.grading-key", ".pytest_cache")

#: The file that marks a folder as a generated student edition (so ``release`` may replace it).
EDITION_MARKER = ".student-edition"
#: The grading key is written beside the ``--out`` folder: ``dist/student`` -> ``dist/student.grading-key.json``.
KEY_SUFFIX = ".grading-key.json"

#: The wording of stubs and prompts is in the message catalogues (``course_utils.messages``: ``edition.*``), so
#: a translated homework gets them in its own language; these are the English texts.
#: First line of each code stub; the second raises ``NotImplementedError("<task id>: <what to write>")``.
STUB_COMMENT = _english("edition.stub_comment")
#: "<what to write>" when a solution has no ``# HINT:`` line and its task no title.
DEFAULT_CODE_HINT = _english("edition.default_code_hint")
#: Replaces a markdown answer that has a ``<!-- HINT: ... -->`` line (``{hint}`` is its text).
MARKDOWN_PROMPT = _english("edition.answer_prompt")
#: Replaces a markdown answer without a hint.
MARKDOWN_DEFAULT_PROMPT = _english("edition.answer_prompt_default")

#: ``lint`` fails when more than this share of a homework notebook's solution lines appear in the student edition
#: (``course_tools.homework.leaks``).
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
#: Largest submission file read, in bytes: a notebook 04 with its outputs cleared is about 90 KB, with
#: every output (figures included) about 0.6 MB. Larger files are refused without being parsed.
MAX_SUBMISSION_BYTES = 5_000_000
#: Longest code cell read, in characters. The grader parses each code cell (its static scan), which
#: takes up to about 700 bytes of memory per character for the worst code; notebook 04's longest
#: cell is about 3,000 characters. A notebook with a longer cell is refused, with the cell named.
MAX_CELL_CHARS = 100_000
#: Address space the grader's own child process may use while it parses one submission file, in bytes.
INTAKE_MEMORY_BYTES = 1024**3
#: Seconds that parse may take.
INTAKE_TIMEOUT = 60

# Limits of each grading kernel (course_tools/homework/limits.py); 0 means no limit.
#: Address space one grading kernel (and each process it starts) may use, in bytes: beyond it the
#: student's code gets a ``MemoryError`` instead of exhausting the machine's memory. A kernel that has
#: imported PyTorch and trained notebook 04's MLP peaks near 1 GiB.
KERNEL_MEMORY_BYTES = 4 * 1024**3
#: Memory of the kernel and every process it started, together (proportional set size: shared pages
#: are split between their users), in bytes. Watched from outside: above it the kernel is stopped.
#: Notebook 05's solution peaks at 1.3 GiB counted as the sum of resident sizes (an upper bound).
KERNEL_TREE_MEMORY_BYTES = 4 * 1024**3
#: Largest file a grading kernel may write, in bytes (``OSError: File too large`` beyond it).
KERNEL_FILE_BYTES = 512 * 1024**2
#: Size of the sandbox's ``/tmp`` and ``/dev/shm`` (tmpfs, so memory), in bytes: a write beyond it
#: fails with ``No space left on device``. Where bubblewrap is too old to size a tmpfs (before 0.8),
#: both are folders on disk inside the private folder instead, and count towards its limit.
KERNEL_TMP_BYTES = 512 * 1024**2
KERNEL_SHM_BYTES = 256 * 1024**2
#: Disk space of the kernel's private folder (the course folder, its data copy, what it writes, the
#: kernel's log, deleted files still held open), in bytes, and how many files and folders it may hold.
#: Watched from outside: above either the kernel is stopped. The copy of data/embedded takes ~1 MB.
KERNEL_DISK_BYTES = 512 * 1024**2
KERNEL_DISK_FILES = 20_000
#: Processes and threads of one kernel together (notebook 04's solution peaks at 16, notebook 05's with
#: its data-loader workers at 30: ``make bench-limits``). Set inside the sandbox (RLIMIT_NPROC, where
#: the Linux kernel counts per sandbox) and watched from outside: above it the kernel is stopped.
KERNEL_TASKS = 256
#: Seconds between two looks of the watch at a kernel's processes and folder.
LIMIT_POLL_SECONDS = 0.2
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

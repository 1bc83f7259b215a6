"""Command line: ``python -m course_tools.homework {release,grade,merge-manual,audit} ...`` (``--help`` on each)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

from . import config


def _release(args) -> int:
    from .markers import MarkerError
    from .release import NO_URL_MESSAGE, ReleaseError, release

    if args.repo_url and args.no_url:
        print("release failed, nothing was written:\n--repo-url and --no-url contradict each other: give one",
              file=sys.stderr)
        return 1
    if not args.repo_url and not args.no_url:
        print(f"release failed, nothing was written:\n{NO_URL_MESSAGE}", file=sys.stderr)
        return 1
    try:
        result = release(args.notebooks, args.out, root=args.root, repo_url=args.repo_url, key_path=args.key,
                         force=args.force)
    except (MarkerError, ReleaseError) as exc:
        print(f"release failed, nothing was written:\n{exc}", file=sys.stderr)
        return 1
    print(f"student edition: {result.out}  ({len(result.notebooks)} notebook(s))")
    for name, (tasks, points) in result.homework.items():
        print(f"  homework {name}: {tasks} task(s), {points:g} point(s)")
    print(f"grading key (instructor only, never publish it): {result.key_path}")
    for note in result.notes:
        print(f"note: {note}")
    return 0


#: The grader records each cell's reply through nbclient's ``on_cell_executed`` hook (nbclient 0.6.1+);
#: an older nbclient never calls it, and every check would silently score 0.
NBCLIENT_MINIMUM = "0.6.1"


def _grade(args) -> int:
    from course_utils.versions import too_old

    problem = too_old("nbclient", NBCLIENT_MINIMUM, "The grader")
    if problem:
        print(f"grading did not start: {problem}", file=sys.stderr)
        return 2
    from .grade import GradingError, grade

    try:
        results = grade(args.submissions, args.key, args.out, feedback_dir=args.feedback, jobs=args.jobs,
                        cell_timeout=args.cell_timeout, total_timeout=args.timeout, force=args.force,
                        notebook=args.notebook, unsafe_no_sandbox=args.unsafe_no_sandbox, run_all=args.run_all)
    except GradingError as exc:
        print(f"grading did not start: {exc}", file=sys.stderr)
        return 2
    failed = [label for label, r in results.items() if r.status == "failed"]
    flagged = [label for label, r in results.items() if r.flags]
    print(f"grades: {args.out}")
    if flagged:
        print(f"{len(flagged)} submission(s) have flags (see the 'flags' column; read those notebooks): "
              + ", ".join(flagged))
    if failed:
        print(f"{len(failed)} submission(s) could not be graded because of the grader ({', '.join(failed)}): "
              "run the same command again to retry them", file=sys.stderr)
        return 1
    return 0


def _merge_manual(args) -> int:
    from .manual import ManualPointsError, default_review_dir, merge_manual

    try:
        changes = merge_manual(args.grades, args.points, feedback_dir=args.feedback, review_dir=args.review)
    except ManualPointsError as exc:
        print(f"{exc}", file=sys.stderr)
        return 1
    for change in changes:
        print(change)
    print(f"{len(changes)} change(s) merged into {args.grades} (columns manual:<id>, manual_total, total_with_manual, "
          f"manual_pending), the feedback files and the review pages in {args.review or default_review_dir(args.grades)}")
    return 0


def _audit(args) -> int:
    from .audit import audit, leak_report

    problems = audit(args.notebooks, student=args.student, root=args.root, run=args.run, wrong=args.wrong,
                    jobs=args.jobs)
    report = leak_report(args.notebooks, root=args.root)
    if report:
        print(report)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("homework notebooks OK" + (f"; {args.student} is in sync" if args.student else ""))
    return 0


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.homework",
                                     description="Release a student edition, grade submissions, audit the homework.")
    sub = parser.add_subparsers(dest="command", required=True)

    rel = sub.add_parser("release", help="write the student edition and the grading key")
    rel.add_argument("notebooks", type=Path, help="the instructor's notebooks folder, e.g. notebooks/")
    rel.add_argument("--out", type=Path, required=True, help="student edition folder, e.g. dist/student")
    rel.add_argument("--repo-url", default=None, help="GitHub URL of the student repository (badges point there); "
                     "required unless --no-url")
    rel.add_argument("--no-url", action="store_true",
                     help="an edition that names no repository (no Colab badges), instead of --repo-url")
    rel.add_argument("--key", type=Path, default=None, help="grading key path (default: <out>.grading-key.json)")
    rel.add_argument("--root", type=Path, default=None, help="instructor repository (default: notebooks/..)")
    rel.add_argument("--force", action="store_true", help="replace --out even if release did not make it")
    rel.set_defaults(func=_release)

    gra = sub.add_parser("grade", help="grade submissions into a CSV and feedback files")
    gra.add_argument("submissions", nargs="+", type=Path, help="notebook files or folders of them")
    gra.add_argument("--key", type=Path, required=True, help="the grading key written by release")
    gra.add_argument("--out", type=Path, required=True, help="grades CSV (rows of earlier runs are kept)")
    gra.add_argument("--feedback", type=Path, default=None, help="feedback folder (default: <out>-feedback/)")
    gra.add_argument("--jobs", type=int, default=None, help="submissions graded at once (default: CPU count)")
    gra.add_argument("--cell-timeout", type=float, default=config.CELL_TIMEOUT, help="seconds per cell")
    gra.add_argument("--timeout", type=float, default=config.TOTAL_TIMEOUT, help="seconds per submission")
    gra.add_argument("--notebook", default=None, help="homework file name in the key, when ambiguous")
    gra.add_argument("--force", action="store_true", help="regrade submissions already graded")
    gra.add_argument("--run-all", action="store_true",
                     help="also run the cells after the last test (slower; they cannot change a score, but "
                          "their errors then show in the feedback)")
    gra.add_argument("--unsafe-no-sandbox", action="store_true",
                     help="grade without bubblewrap: students' code runs with YOUR rights and can read and change "
                          "your files, the key and the grades (only for a throw-away machine)")
    gra.set_defaults(func=_grade)

    man = sub.add_parser("merge-manual", help="merge points for written answers into the grades CSV")
    man.add_argument("grades", type=Path, help="the grades CSV written by grade")
    man.add_argument("points", type=Path,
                     help="CSV with a 'submission' column and per written question '<id>' (points), optionally "
                          "'<id> answer' (the answer code of the review page) and '<id> comment'; grade writes a "
                          "filled-in template per homework into <grades stem>-review/")
    man.add_argument("--feedback", type=Path, default=None,
                     help="feedback folder to update (default: <grades stem>-feedback/)")
    man.add_argument("--review", type=Path, default=None,
                     help="folder of the review pages (default: <grades stem>-review/)")
    man.set_defaults(func=_merge_manual)

    lin = sub.add_parser("audit", aliases=["lint"],
                         help="check markers, tests, questions, leak share and that the student edition is in sync "
                              "(`lint` is its old name)")
    lin.add_argument("notebooks", type=Path, nargs="?", default=Path("notebooks"))
    lin.add_argument("--student", type=Path, default=None, help="student edition folder to compare")
    lin.add_argument("--root", type=Path, default=None, help="instructor repository (default: notebooks/..)")
    lin.add_argument("--run", action="store_true",
                     help="also grade each solution (every question right) and each fresh student edition (zero "
                          "score, errors only at the blanks)")
    lin.add_argument("--wrong", type=Path, default=None,
                     help="folder of typical wrong solutions (<notebook stem>.txt): each must fail its task's "
                          "self-check wherever it loses points (self-check parity)")
    lin.add_argument("--jobs", type=int, default=1, help="notebooks graded at once by --wrong (default 1)")
    lin.set_defaults(func=_audit)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

"""One home for the small chores every other module needs.

- ``files``: atomic writes (``atomic_writer``, ``atomic_write_bytes``, ``atomic_write_text``) and
  ``sha256_file``.
- ``system``: ``usable_cpu_count`` (the CPUs this process may use, not the machine's).
- ``runtime``: ``in_notebook`` and ``progress_mode`` (the ``COURSE_PROGRESS`` policy).
- ``locks``: ``file_lock`` (one process at a time per download or extraction).
- ``torch_install``: the PyTorch install command ``make setup`` runs (run as a script, stdlib only).

Standard library only; importing it has no side effects.
"""

"""What the machine lets this process use."""

from __future__ import annotations

import os


def usable_cpu_count() -> int:
    """CPU cores this process may run on (at least 1).

    On Linux this honours CPU affinity and container limits set through affinity (a 2-vCPU Colab
    runtime says 2 even on a larger host); elsewhere it is ``os.cpu_count()``.
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)

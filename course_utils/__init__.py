"""course_utils: the helper package behind the course notebooks.

Importing it has no side effects: nothing is mounted, downloaded, seeded or printed until you
call a function. The usual first cell of a notebook is::

    import course_utils
    course_utils.require("0.1")
    env = course_utils.setup()
"""

from ._version import __version__
from .env import CourseEnv, course_path, in_colab, mount_drive, setup
from .device import pick_device
from .version import require

__all__ = [
    "__version__",
    "CourseEnv",
    "course_path",
    "in_colab",
    "mount_drive",
    "pick_device",
    "require",
    "setup",
]

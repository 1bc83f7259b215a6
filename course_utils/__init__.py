"""course_utils: the helper package behind the course notebooks.

Importing it has no side effects: nothing is mounted, downloaded, seeded or printed until you
call a function. The usual first cell of a notebook is::

    import course_utils
    course_utils.require("0.1")
    env = course_utils.setup(lang="en")     # lang="ko": every message in Korean

Modules by topic (each its own file or folder):

- ``env``: ``setup()``, paths (``course_path``), Colab and Drive; ``device``: ``pick_device()``;
  ``versions``: ``require()`` and the other version checks;
- ``training``: ``fit``, ``evaluate``, ``History``, ``train_or_load``, checkpoints, pre-flight checks;
- ``data``: verified downloads, safe archive extraction, MNIST, ``BatchLoader``, the embedded stand-ins;
- ``lessons``: ``bayes``, ``bayes_plots``, ``milestones`` and ``demos``, the helpers of the lesson notebooks;
- ``checks``: ``exercise`` (the lessons' exercise feedback), ``selfcheck`` (the homework's check cells),
  ``runner`` (``make check``), ``claims``, ``compare``, ``own_work``, ``notmnist_toy``;
- ``messages``: every message a student reads, one catalogue per language (``setup(lang="ko")`` chooses);
- ``plumbing``: atomic writes, hashing, CPU count, locks, progress policy, the PyTorch install.

Names that need PyTorch (``pick_device``, ``fit``, ...) are loaded on first use, so that tools
which do not train (``require``, the homework checks) start without importing torch.
"""

from importlib import import_module as _import_module

from ._version import __version__
from .env import CourseEnv, course_path, in_colab, mount_drive, setup
from .versions import require

#: Re-exported names that import torch, loaded on first access: name -> submodule.
_LAZY = {
    "pick_device": "device",
    "fit": "training",
    "evaluate": "training",
    "History": "training",
    "train_or_load": "training",
}

__all__ = [
    "__version__",
    "CourseEnv",
    "course_path",
    "in_colab",
    "mount_drive",
    "require",
    "setup",
    *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(_import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}. If a notebook expects it, your "
                         f"course_utils ({__version__}) may be older than the notebook: see course_utils.require().")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))

"""Course-wide configuration: the one place that names the repository.

Colab badges and the bootstrap cell of every notebook point at ``REPO_URL`` (the instructor's
tooling generates them from these values, and its tests check them). In a student edition,
``REPO_URL`` is the student repository's address, or empty in an edition that names no repository.
"""

#: The GitHub repository the notebooks are opened from in Colab (no trailing slash; "" when there is none).
REPO_URL = "https://github.com/boostcamp-dl-course/week2-dl-basics"
#: The branch the Colab badges point at.
REPO_BRANCH = "main"
#: Folder name used for the course on Google Drive and under /content on Colab.
COURSE_DIRNAME = "dl-basics-course"


def repo_slug(url: str = REPO_URL) -> str:
    """``"owner/name"`` of a GitHub URL, e.g. ``"owner/course"`` for ``https://github.com/owner/course``."""
    prefix = "https://github.com/"
    if not url.startswith(prefix):
        raise ValueError(f"REPO_URL must start with {prefix!r}, got {url!r}")
    return url[len(prefix):].strip("/")


def colab_url(notebook_path: str, url: str = REPO_URL, branch: str = REPO_BRANCH) -> str:
    """The 'Open in Colab' URL of a notebook given by its path in the repository (``notebooks/01_x.ipynb``)."""
    return f"https://colab.research.google.com/github/{repo_slug(url)}/blob/{branch}/{notebook_path}"

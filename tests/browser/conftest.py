"""Browser tests: the course website and JupyterLab in a real Chromium, driven by Playwright.

Run them with `make test-browser`: it installs what they need (requirements-browser.txt, Debian's
chromium), builds the site, and sets COURSE_BROWSER_TESTS=1. Without that variable this folder is
not collected, so `make test` never needs a browser.

Settings (environment): COURSE_CHROMIUM (the browser, default /usr/bin/chromium), COURSE_SITE_DIR
(the built site, default build/site), COURSE_SCREENSHOT_DIR (default build/screenshots).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _browser import REPO, path_setting, serve

collect_ignore_glob = [] if os.environ.get("COURSE_BROWSER_TESTS") == "1" else ["test_*.py"]


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    folder = path_setting("COURSE_SCREENSHOT_DIR", REPO / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (the system's, through executable_path), closed after the session."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="run `make test-browser` (installs playwright)")
    executable = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
    if not os.access(executable, os.X_OK):
        pytest.fail(f"no Chromium at {executable}: run `make test-browser` (it installs Debian's chromium), or set "
                    "COURSE_CHROMIUM to a Chromium or Chrome executable")
    with sync_api.sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        chromium = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site_dir() -> Path:
    folder = path_setting("COURSE_SITE_DIR", REPO / "build" / "site")
    if not (folder / "index.html").is_file():
        pytest.fail(f"no site in {folder}: build it with `make site` (make test-browser does)")
    return folder


@pytest.fixture(scope="session")
def site_url(site_dir):
    """The built site served on a free port of 127.0.0.1 for the whole session."""
    with serve(site_dir) as url:
        yield url

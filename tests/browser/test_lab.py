"""Notebooks 01 and 04 in JupyterLab (started by `make lab`), driven in Chromium like a student would.

Run All on a temporary copy of notebook 01, English and Korean (`notebooks/ko/`; the repository's files are never
written), no error output, then the Bayes explorer: a slider drag changes the posterior line, and at 1024 px and
1280 px every slider shows its track and no readout overlaps a label. Run All on the student
edition's notebook 04: the run ends at the first blank, whose short message is on screen.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

import pytest
from _browser import REPO

from course_utils.lessons import bayes_plots

NOTEBOOK = "01_bayes_theorem.ipynb"
#: Notebook 01 and its Korean edition, as paths in notebooks/ (the explorer test runs on each).
EXPLORER_NOTEBOOKS = [NOTEBOOK, f"ko/{NOTEBOOK}"]
#: The explorer's headline names the posterior (in English until the message catalogues translate it).
HEADLINE = re.compile("posterior|사후확률")
HOMEWORK = "04_mlp_homework.ipynb"
TOKEN = "course-browser-test"
#: A slider track narrower than this is no longer a usable track.
MIN_TRACK_PX = 80

# The label, track and readout of every slider of the explorer, as rectangles.
_SLIDER_BOXES = """() => Array.from(document.querySelectorAll('.widget-hslider')).map(s => {
  const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
                     return {x: r.x, y: r.y, w: r.width, h: r.height, text: (e.innerText || '').trim()}; };
  return {label: box(s.querySelector('.widget-label')), track: box(s.querySelector('.slider-container')),
          readout: box(s.querySelector('.widget-readout'))};
})"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _overlap(a: dict, b: dict) -> float:
    """The area two rectangles share (0 when they only touch)."""
    w = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    h = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return max(w, 0) * max(h, 0)


def layout_problems(sliders: list[dict]) -> list[str]:
    """What a student would see wrong in the slider row: a missing track, overlapping parts."""
    problems, parts = [], []
    for i, slider in enumerate(sliders):
        name = (slider["label"] or {}).get("text") or f"slider {i + 1}"
        for part in ("label", "track", "readout"):
            box = slider[part]
            if box is None or box["w"] <= 0 or box["h"] <= 0:
                problems.append(f"{name}: its {part} is not shown")
            else:
                parts.append((f"{name} {part}", box))
        if slider["track"] and 0 < slider["track"]["w"] < MIN_TRACK_PX:
            problems.append(f"{name}: its track is only {slider['track']['w']:.0f} px wide")
    for i, (name_a, a) in enumerate(parts):
        for name_b, b in parts[i + 1:]:
            if _overlap(a, b) > 1:
                problems.append(f"{name_a} overlaps {name_b}")
    return problems


def test_layout_problems_sees_overlaps_and_lost_tracks():
    def box(x, w, text=""):
        return {"x": x, "y": 0, "w": w, "h": 20, "text": text}
    good = [{"label": box(0, 100, "prior"), "track": box(100, 150), "readout": box(250, 40)}]
    assert layout_problems(good) == []
    lost = [{"label": box(0, 100, "prior"), "track": box(100, 0), "readout": box(100, 40)}]
    assert layout_problems(lost) == ["prior: its track is not shown"]
    overlapping = [{"label": box(0, 100, "prior"), "track": box(100, 150), "readout": box(240, 40)},
                   {"label": box(270, 100, "sensitivity"), "track": box(370, 150), "readout": box(520, 40)}]
    assert layout_problems(overlapping) == ["prior track overlaps prior readout",
                                            "prior readout overlaps sensitivity label"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`make lab` serving a temporary folder with copies of notebook 01 (English, Korean) and the student edition's
    notebook 04; yields (base_url, folder)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    tmp = tmp_path_factory.mktemp("lab")
    folder = tmp / "notebooks"
    folder.mkdir()
    for name in EXPLORER_NOTEBOOKS:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / "notebooks" / name, folder / name)
    from course_tools.homework.release import release

    release(REPO / "notebooks", tmp / "edition", root=REPO)      # an edition with blanks (and no URL)
    shutil.copy2(tmp / "edition" / "notebooks" / HOMEWORK, folder / HOMEWORK)
    config = tmp / "config"
    (config / "labconfig").mkdir(parents=True)
    # No "news" toast over the notebook (and no request for it: the tests run offline).
    (config / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    # Every cell in the page (JupyterLab 4 otherwise attaches only the cells near the viewport).
    settings = tmp / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port = _free_port()
    # `make lab` serves notebooks/; files and kernels are pointed at the temporary copy instead.
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={TOKEN} "
            f"--ContentsManager.root_dir={folder} --MappingKernelManager.root_dir={folder}")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), JUPYTER_CONFIG_DIR=str(config),
               JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               MAKEFLAGS="")
    log = (tmp / "lab.log").open("wb")
    proc = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=REPO, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start: " + (tmp / "lab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield base, folder
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _run_all(page) -> None:
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()


def _executed(page) -> dict:
    return page.evaluate("""() => {
      const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt'))
        .map(p => p.innerText.trim());
      return {cells: prompts.length, running: prompts.filter(t => t.includes('*')).length,
              done: prompts.filter(t => /\\[\\d+\\]/.test(t)).length};
    }""")


@pytest.mark.parametrize("notebook", EXPLORER_NOTEBOOKS, ids=["en", "ko"])
def test_notebook_01_runs_and_the_explorer_works_at_1024_and_1280_px(browser, lab, screenshot_dir, notebook):
    base, folder = lab
    before = (REPO / "notebooks" / notebook).read_bytes()
    tag = "" if notebook == NOTEBOOK else f"{notebook.split('/')[0]}-"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        # a workspace of its own (?reset): only this notebook open, so Run All runs it and no other
        page.goto(f"{base}/lab/workspaces/explorer-{tag or 'en-'}01/tree/{notebook}?reset&token={TOKEN}",
                  wait_until="load")
        page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=90_000)
        page.locator("#jp-main-statusbar", has_text="Idle").first.wait_for(timeout=90_000)
        page.locator(".lm-TabBar-tab.lm-mod-current", has_text=NOTEBOOK).first.wait_for(timeout=30_000)
        title = json.loads(before)["cells"][0]["source"]
        title = ("".join(title) if isinstance(title, list) else title).splitlines()[0].lstrip("# ").strip()
        heading = page.locator(".jp-MarkdownCell h1").first.inner_text()
        assert heading.startswith(title[:20]), f"{heading!r} is not the heading of {notebook}"
        _run_all(page)
        deadline = time.monotonic() + 300
        while True:
            state = _executed(page)
            if state["cells"] and state["done"] == state["cells"] and not state["running"]:
                break
            assert time.monotonic() < deadline, f"Run All did not finish in time: {state}"
            time.sleep(1)
        errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        assert errors.count() == 0, "error output after Run All:\n" + "\n---\n".join(
            errors.nth(i).inner_text()[:1500] for i in range(min(errors.count(), 3)))

        sliders = page.locator(".widget-hslider")
        sliders.first.wait_for(timeout=30_000)
        assert sliders.count() == 3, f"the explorer shows {sliders.count()} sliders, not 3"
        headline = page.locator(".widget-html", has_text=HEADLINE).first
        headline.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        for width in (1024, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(800)  # JupyterLab lays out again after a resize
            sliders.first.scroll_into_view_if_needed()
            explorer = page.locator(".widget-vbox").filter(has=sliders.first).first
            explorer.screenshot(path=str(screenshot_dir / f"lab-explorer-{tag}{width}px.png"))
            problems = layout_problems(page.evaluate(_SLIDER_BOXES))
            assert not problems, f"at {width} px:\n" + "\n".join(problems)
            shown = explorer.locator("img").first.evaluate(
                "img => ({natural: img.naturalWidth, shown: img.getBoundingClientRect().width})")
            text_px = bayes_plots.EXPLORER_MIN_FONT_PT / 72 * 100 * shown["shown"] / shown["natural"]
            assert text_px >= 11, f"at {width} px the figure is shrunk to {shown['shown']:.0f} of " \
                                  f"{shown['natural']} px: its smallest text is {text_px:.1f} px high"

        text_before = headline.inner_text()
        handle = sliders.first.locator(".noUi-handle").first
        box = handle.bounding_box()
        assert box, "the prior slider has no handle to drag"
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2, steps=8)
        page.mouse.up()
        page.wait_for_function("([el, old]) => el.innerText !== old", arg=[headline.element_handle(), text_before],
                               timeout=30_000)
        text_after = headline.inner_text()
        assert HEADLINE.search(text_after) and text_after != text_before
        prior = sliders.first.locator(".widget-readout").inner_text()
        assert float(prior) > 0.1, f"the prior readout did not move right: {prior}"
    finally:
        context.close()
    assert (REPO / "notebooks" / notebook).read_bytes() == before, "the repository's notebook was changed"


def test_run_all_on_a_fresh_homework_ends_on_screen_at_the_first_blank(browser, lab, screenshot_dir):
    """JupyterLab's Run All leaves the last cell active (here cell 84 of 84); the first blank's check scrolls
    the notebook back to its message, four lines naming the task and where to look, not a traceback."""
    base, _ = lab
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        # a workspace of its own (?reset): only this notebook open, so Run All runs it and not notebook 01
        page.goto(f"{base}/lab/workspaces/run-all-04/tree/{HOMEWORK}?reset&token={TOKEN}", wait_until="load")
        page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=90_000)
        page.locator("#jp-main-statusbar", has_text="Idle").first.wait_for(timeout=90_000)
        page.locator(".lm-TabBar-tab.lm-mod-current", has_text=HOMEWORK).first.wait_for(timeout=30_000)
        _run_all(page)
        errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        errors.first.wait_for(timeout=300_000)
        page.locator("#jp-main-statusbar", has_text="Idle").first.wait_for(timeout=300_000)
        page.wait_for_timeout(1500)                  # the scroll runs 0.3 s after the output is shown
        page.screenshot(path=str(screenshot_dir / "lab-04-run-all.png"))
        assert errors.count() == 1, "Run All stops at the first error"
        text = errors.first.inner_text()
        assert text.startswith("NotImplementedError: mlp.model is not done yet.") and "Traceback" not in text
        assert "# TASK mlp.model" in text and "MLP.__init__" in text and len(text.strip().splitlines()) == 4
        box = errors.first.bounding_box()
        assert box and 0 <= box["y"] and box["y"] + min(box["height"], 100) <= 900, \
            f"the message is off screen after Run All: {box}"
    finally:
        context.close()

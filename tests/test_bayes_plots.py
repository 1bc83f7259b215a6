"""course_utils.lessons.bayes_plots: every figure draws what it says, with titles and labelled axes."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.text  # noqa: E402

from course_utils.lessons import bayes, bayes_plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _labelled(ax):
    assert ax.get_title(), "missing title"
    assert ax.get_xlabel(), "missing x label"
    assert ax.get_ylabel(), "missing y label"


def _colors(collection):
    return [matplotlib.colors.to_hex(c) for c in collection.get_facecolors()]


def test_icon_array_draws_one_icon_per_person_in_outcome_order():
    counts = bayes.natural_frequencies(0.1, 0.99, 0.01)
    ax = bayes_plots.icon_array(counts)
    _labelled(ax)
    icons = ax.collections[0]
    assert len(icons.get_offsets()) == 1000
    colors = _colors(icons)
    expected = (["tp"] * 99 + ["fn"] * 1 + ["fp"] * 9 + ["tn"] * 891)
    assert colors == [bayes_plots.COLORS[k] for k in expected]
    assert "99/108 = 0.9167" in ax.get_title()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].endswith(": 99") and legend[2].endswith(": 9") and legend[3].endswith(": 891")


def test_icon_array_on_given_axes_and_other_sizes():
    fig, ax = plt.subplots()
    counts = bayes.natural_frequencies(0.3, 0.8, 0.2, population=120)
    assert bayes_plots.icon_array(counts, ax=ax, per_row=12) is ax
    offsets = ax.collections[0].get_offsets()
    assert len(offsets) == 120 and offsets[:, 0].max() == 11
    none_positive = bayes.natural_frequencies(0.0, 0.9, 0.0)
    assert "0 test positive" in bayes_plots.icon_array(none_positive).get_title()


def test_frequency_tree_shows_the_counts():
    ax = bayes_plots.frequency_tree(bayes.natural_frequencies(0.1, 0.99, 0.1))
    _labelled(ax)
    texts = [t.get_text() for t in ax.texts if "\n" in t.get_text() or "test" in t.get_text()]
    nodes = [t for t in texts if t[0].isdigit()]
    assert nodes == ["1,000\npeople", "100\ninfected θ", "900\nhealthy ¬θ", "99 test +", "1 test −",
                     "90 test +", "810 test −"]
    assert ax.get_title().endswith("99/189")


def test_posterior_vs_prior_curves_are_bayes_theorem():
    rates = (0.01, 0.1)
    ax = bayes_plots.posterior_vs_prior(0.99, rates, current=(0.1, 0.01))
    _labelled(ax)
    curves = [line for line in ax.lines if len(line.get_xdata()) > 2]
    assert len(curves) == 3  # two curves and the diagonal
    for line, f in zip(curves, rates):
        x, y = line.get_xdata(), line.get_ydata()
        np.testing.assert_allclose(y, bayes.posterior(x, 0.99, f))
    np.testing.assert_allclose(curves[2].get_ydata(), curves[2].get_xdata())
    notes = [t.get_text() for t in ax.texts]
    assert notes == ["0.9167", "0.5238"]
    assert ax.get_xscale() == "log"
    assert any(line.get_marker() == "*" for line in ax.lines)


def test_posterior_vs_prior_without_a_posterior_to_mark():
    ax = bayes_plots.posterior_vs_prior(0.99, (0.0,), current=(0.0, 0.0), mark_prior=None)
    assert not any(line.get_marker() == "*" for line in ax.lines)


def test_sequential_updates_points_and_labels():
    ax = bayes_plots.sequential_updates(0.1, 0.99, (0.01, 0.1), n_tests=3)
    _labelled(ax)
    assert len(ax.lines) == 2 and all(len(line.get_xdata()) == 4 for line in ax.lines)
    assert [t.get_text() for t in ax.texts] == ["0.9167", "0.9991", "0.99999", "0.5238", "0.9159", "0.9908"]


def test_beta_posteriors_one_density_per_checkpoint():
    flips = (np.random.default_rng(1).random(100) < 0.7).astype(int)
    ax = bayes_plots.beta_posteriors(flips, (0, 1, 5, 20, 100), true_p=0.7)
    _labelled(ax)
    assert len(ax.lines) == 6
    peaks = [line.get_ydata().max() for line in ax.lines[:5]]
    assert peaks[0] == pytest.approx(1.0) and peaks[-1] > peaks[2]
    assert ax.get_legend().get_texts()[-2].get_text().startswith(f"100 flips ({flips.sum()} heads)")
    with pytest.raises(ValueError, match="only 3"):
        bayes_plots.beta_posteriors([1, 0, 1], (0, 5))
    with pytest.raises(ValueError, match="0 \\(tails\\) or 1"):
        bayes_plots.beta_posteriors([2, 0], (1,))


def test_mle_vs_map_lines():
    ax = bayes_plots.mle_vs_map([1, 1, 1, 0], a=2, b=2)
    _labelled(ax)
    mle, map_ = ax.lines[:2]
    np.testing.assert_allclose(mle.get_ydata(), [1, 1, 1, 0.75])
    np.testing.assert_allclose(map_.get_ydata(), [2 / 3, 3 / 4, 4 / 5, 4 / 6])


def test_simpson_figure_structure():
    fig = bayes_plots.simpson_figure()
    left, right = fig.axes
    for ax in fig.axes:
        _labelled(ax)
    assert len(left.containers) == 2 and all(len(c) == 4 for c in left.containers)
    heights_a = [bar.get_height() for bar in left.containers[0]]
    assert heights_a == pytest.approx([81 / 87, 192 / 263, 273 / 350, bayes.adjusted_rates()["A"]])
    labels = [t.get_text() for t in left.texts]
    assert "68.75%" in labels and "83.25%" in labels and "77.89%" in labels
    stacked = [bar.get_height() for c in right.containers for bar in c]
    assert stacked == [87, 270, 263, 80]


def test_shift_figure_structure():
    agreements = (0.95, 0.5, 0.1)
    results = bayes.shift_experiment(0.95, agreements, n=1000, seed=0)
    fig = bayes_plots.shift_figure(results, agreements, 0.95)
    left, right = fig.axes
    for ax in fig.axes:
        _labelled(ax)
    train, test = left.containers
    assert [b.get_height() for b in train] == pytest.approx([results[m]["train"] for m in results])
    assert [b.get_height() for b in test] == pytest.approx([results[m]["test"][2] for m in results])
    assert len([line for line in right.lines if len(line.get_xdata()) == 3]) == 3


def test_explorer_figure_title_states_the_posterior():
    fig = bayes_plots.explorer_figure(0.1, 0.99, 0.01)
    assert fig._suptitle.get_text().endswith("= 0.9167")
    for ax in fig.axes:
        _labelled(ax)
    fig = bayes_plots.explorer_figure(0.0, 0.99, 0.0)
    assert "undefined" in fig._suptitle.get_text()


def test_explorer_widget_updates_when_a_slider_moves():
    pytest.importorskip("ipywidgets")
    box = bayes_plots.explorer(0.1, 0.99, 0.01)
    sliders, headline, _out = box.children
    prior, sens, far = sliders.children
    assert (prior.value, sens.value, far.value) == (0.1, 0.99, 0.01)
    assert "0.9167" in headline.value
    far.value = 0.1
    assert "0.5238" in headline.value
    sens.value = 0.0
    far.value = 0.0
    assert "undefined" in headline.value
    with pytest.raises(ValueError, match="prior"):
        bayes_plots.explorer(prior=2.0)
    with pytest.raises(ValueError, match="0.001 to 1 on a log scale"):
        bayes_plots.explorer(prior=1e-4)


def test_the_prior_slider_is_logarithmic_like_the_figure_axis():
    """The figure's prior axis is logarithmic (0.001 to 1); so is the slider: the notebook's suggested
    rare-disease prior 0.01 sits a third of the way along the track, not 3 px from its end."""
    widgets = pytest.importorskip("ipywidgets")
    prior = bayes_plots.explorer(0.01).children[0].children[0]
    assert isinstance(prior, widgets.FloatLogSlider) and prior.base == 10
    assert (prior.min, prior.max) == bayes_plots.EXPLORER_PRIOR_LOG_RANGE
    assert prior.value == pytest.approx(0.01)
    assert (math.log10(prior.value) - prior.min) / (prior.max - prior.min) == pytest.approx(1 / 3)
    ax = bayes_plots.explorer_figure(0.01).axes[1]
    assert ax.get_xscale() == "log" and ax.get_xlim() == pytest.approx((10 ** prior.min, 10 ** prior.max))
    plt.close("all")


def test_explorer_figure_text_is_readable_when_shrunk_to_a_1024_px_window():
    fig = bayes_plots.explorer_figure(0.1, 0.99, 0.01)
    width_px = fig.get_figwidth() * 100                 # the inline backend draws at 100 dpi
    page_px = 590                                       # JupyterLab's column at 1024 px, file browser open
    fig.canvas.draw()                                   # tick labels exist only once drawn
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text() and t.get_visible()]
    assert len(texts) > 10
    smallest = min(t.get_fontsize() for t in texts)
    assert smallest >= bayes_plots.EXPLORER_MIN_FONT_PT
    shown_px = smallest / 72 * 100 * min(1.0, page_px / width_px)
    assert shown_px >= 11.5, f"the smallest text would be {shown_px:.1f} px high on the page"
    plt.close(fig)


def test_modules_import_without_ipywidgets():
    code = ("import sys; sys.modules['ipywidgets'] = None\n"
            "from course_utils.lessons import bayes, bayes_plots\n"
            "try:\n    bayes_plots.explorer()\nexcept ImportError as e:\n    print('IMPORT-ERROR', e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "MPLBACKEND": "Agg"})
    assert out.returncode == 0, out.stderr
    assert "IMPORT-ERROR" in out.stdout and "pip install ipywidgets" in out.stdout


def test_explorer_sliders_stack_with_a_fixed_label_column():
    """One slider per row, labels in a px-wide column: the layout that keeps tracks and readouts clear
    of each other at any width (tests/browser/test_lab.py checks it in a real browser)."""
    widgets = pytest.importorskip("ipywidgets")
    box = bayes_plots.explorer()
    rows = box.children[0]
    assert isinstance(rows, widgets.VBox) and len(rows.children) == 3
    for slider in rows.children:
        assert isinstance(slider, (widgets.FloatSlider, widgets.FloatLogSlider))
        assert slider.style.description_width == bayes_plots.EXPLORER_LABEL_WIDTH
        assert bayes_plots.EXPLORER_LABEL_WIDTH.endswith("px")
        assert slider.layout.width == "100%"
        assert slider.layout.max_width == bayes_plots.EXPLORER_SLIDER_MAX_WIDTH
    assert len({id(s.layout) for s in rows.children}) == 3, "sliders must not share one Layout object"


# --------------------------------------------------------------------------- legends stay off the data
def _covered_by_legend(fig) -> list:
    """(axes title, artist label, points inside) for every line point or bar that a legend box covers."""
    from matplotlib.patches import Rectangle

    fig.canvas.draw()
    found = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent()
        for line in ax.get_lines():
            xy = line.get_xydata()
            if len(xy) == 0:
                continue
            pts = line.get_transform().transform(xy)
            inside = (pts[:, 0] > box.x0) & (pts[:, 0] < box.x1) & (pts[:, 1] > box.y0) & (pts[:, 1] < box.y1)
            if inside.any():
                found.append((ax.get_title(), line.get_label(), int(inside.sum())))
        for patch in ax.patches:          # bars (background spans have zorder 0 and are not data)
            if not isinstance(patch, Rectangle) or patch.get_zorder() < 1:
                continue
            b = patch.get_window_extent()
            overlap_x = min(b.x1, box.x1) - max(b.x0, box.x0)
            overlap_y = min(b.y1, box.y1) - max(b.y0, box.y0)
            if overlap_x > 2 and overlap_y > 2:
                found.append((ax.get_title(), "bar", 1))
    return found


def _lesson_figures():
    import torch

    from course_utils.lessons.demos import activations, gan, optim, residual

    rng = np.random.default_rng(2021)
    flips = (rng.random(100) < 0.7).astype(int)
    agreements = np.round(np.linspace(0, 1, 11), 2)
    ravine = optim.SURFACES["ravine"]
    yield "posterior_vs_prior", bayes_plots.posterior_vs_prior().figure
    yield "sequential_updates", bayes_plots.sequential_updates(0.1, 0.99, (0.01, 0.1), 3).figure
    yield "beta_posteriors", bayes_plots.beta_posteriors(flips, true_p=0.7).figure
    yield "mle_vs_map", bayes_plots.mle_vs_map(flips, a=2, b=2, true_p=0.7).figure
    yield "simpson_figure", bayes_plots.simpson_figure()
    yield "shift_figure", bayes_plots.shift_figure(bayes.shift_experiment(0.95, agreements, n=400), agreements,
                                                   train_agreement=0.95, shifted=0.1)
    yield "plot_trajectories", optim.plot_trajectories(ravine, optim.compare(ravine, {
        "SGD": lambda p: torch.optim.SGD(p, lr=0.9), "Adam": lambda p: torch.optim.Adam(p, lr=0.5)}, 100))
    # snapshots shaped like a real run's (near 0 at the start, near the target at the end), without training
    snapshots = {step: rng.normal(mean, std, 2000) for step, mean, std in ((0, -0.2, 0.3), (100, 1.9, 0.5),
                                                                              (400, 4.2, 0.9), (1200, 4.0, 1.15))}
    yield "gan.plot_snapshots", gan.plot_snapshots(snapshots, gan.Target())
    yield "activations", activations.plot_activation_stds(
        {i: activations.activation_stds(activations.relu_stack(20, 64, i)) for i in activations.INITS})
    yield "residual", residual.plot_comparison(residual.compare(
        {"plain, 2 layers": (2, False), "residual, 4 layers": (4, True)}, seeds=(0,), steps=40))


def test_legend_check_sees_a_covered_line():
    fig, ax = plt.subplots()
    ax.plot(np.linspace(0, 1, 50), np.full(50, 0.95), label="a line along the top")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")
    assert _covered_by_legend(fig) and _covered_by_legend(fig)[0][1] == "a line along the top"


def test_legends_do_not_cover_data():
    problems = []
    for name, fig in _lesson_figures():
        problems += [(name, *p) for p in _covered_by_legend(fig)]
        plt.close(fig)
    assert problems == []

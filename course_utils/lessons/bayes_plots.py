"""Figures of notebook 01 (Bayes' theorem), so the notebook cells stay short.

Single-panel helpers take an optional ``ax`` and return the ``Axes`` they drew on (a new figure
when ``ax`` is ``None``); multi-panel helpers return the ``Figure``. Every panel has a title and
labelled axes. Nothing is shown: call ``plt.show()`` in the notebook.

Public API::

    icon_array(counts, ax=None)                        # 1,000 people as icons, coloured by outcome
    frequency_tree(counts, ax=None)                    # the same people as a tree
    posterior_vs_prior(sensitivity, rates, ax=None)    # the static picture of the explorer
    sequential_updates(prior, sensitivity, rates)      # repeated positive tests
    beta_posteriors(flips, checkpoints, ax=None)       # the coin's posterior narrowing
    mle_vs_map(flips, a, b, ax=None)                   # frequentist vs Bayesian estimate
    simpson_figure(table)                              # kidney stones: rates and who got what
    shift_figure(results, test_agreements)             # causal vs spurious features under shift
    explorer_figure(prior, sensitivity, rate)          # one frame of the explorer
    explorer(prior, sensitivity, rate)                 # ipywidgets sliders (ipywidgets imported lazily)
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.path import Path
from matplotlib.text import Text

from ..messages import text as message
from . import bayes

#: Colours of the four cells of a confusion matrix (colour-blind friendly pairs: dark = positive test).
COLORS = {"tp": "#b2182b", "fn": "#f4a582", "fp": "#2166ac", "tn": "#d1d1d1"}
LABELS = {"tp": "infected, test + (TP)", "fn": "infected, test − (FN, type II)",
          "fp": "healthy, test + (FP, type I)", "tn": "healthy, test − (TN)"}


def _person_marker() -> Path:
    """A little person: round head over a rounded body (unit-free; matplotlib rescales markers)."""
    head = Path.circle((0.0, 0.55), 0.22)
    body = Path([(-0.32, -0.6), (-0.32, 0.12), (-0.2, 0.26), (0.2, 0.26), (0.32, 0.12), (0.32, -0.6),
                 (-0.32, -0.6)], [Path.MOVETO] + [Path.LINETO] * 5 + [Path.CLOSEPOLY])
    return Path.make_compound_path(head, body)


PERSON = _person_marker()


def _pct(p: float) -> str:
    """A rate as a short percentage for legends: 0.01 -> "1%", 0.005 -> "0.5%"."""
    return f"{100 * float(p):.4g}%"


def _axes(ax: Optional[Axes], figsize: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


# --------------------------------------------------------------------------- natural frequencies
def icon_array(counts: bayes.ConfusionCounts, ax: Optional[Axes] = None, *, per_row: int = 40,
               title: Optional[str] = None, marker_size: float = 50.0) -> Axes:
    """One icon per person, coloured by infection status and test result.

    Args:
        counts: e.g. ``bayes.natural_frequencies(0.1, 0.99, 0.01)`` (1,000 people).
        ax: where to draw; a new 6 x 4.4 inch figure when ``None``.
        per_row: icons per row.
        title: the title; by default it states the posterior as "TP of TP + FP".
        marker_size: icon area in points² (smaller for larger populations).

    Returns:
        The ``Axes``; its single scatter collection holds ``counts.total`` icons, in the order
        TP, FN, FP, TN (``ax.collections[0].get_offsets()``).
    """
    ax = _axes(ax, (6, 4.4))
    kinds = ("tp", "fn", "fp", "tn")
    n = [getattr(counts, k) for k in kinds]
    order = np.repeat(np.arange(4), n)
    idx = np.arange(counts.total)
    x, y = idx % per_row, -1.5 * (idx // per_row)  # people are taller than wide
    colors = np.array([COLORS[k] for k in kinds])[order]
    ax.scatter(x, y, s=marker_size, marker=PERSON, c=colors, linewidths=0)
    for k, count in zip(kinds, n):
        ax.scatter([], [], marker=PERSON, s=60, c=COLORS[k], label=f"{LABELS[k]}: {count:,}")
    if title is None:
        positives = counts.tp + counts.fp
        share = (f" ({counts.tp:,}/{positives:,} = {bayes.format_probability(counts.precision)})"
                 if positives else "")
        title = f"{counts.total:,} people, {positives:,} test positive:\n{counts.tp:,} of them are infected{share}"
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(f"one icon = one person ({per_row} per row)")
    ax.set_ylabel("rows of people")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal")
    rows = (counts.total - 1) // per_row + 1
    ax.set_xlim(-1, per_row)
    ax.set_ylim(-1.5 * rows + 0.5, 1)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8, frameon=False)
    return ax


def frequency_tree(counts: bayes.ConfusionCounts, ax: Optional[Axes] = None, *,
                   title: Optional[str] = None) -> Axes:
    """The natural-frequency tree: everyone -> infected / healthy -> test + / test −.

    Returns:
        The ``Axes``; its texts are the 7 node labels (root, 2 groups, 4 outcomes) in that order.
    """
    ax = _axes(ax, (8, 4))
    nodes = {
        "root": ((0.0, 0.5), f"{counts.total:,}\npeople", "white"),
        "sick": ((1.0, 0.78), f"{counts.tp + counts.fn:,}\ninfected θ", "#f7d4d4"),
        "well": ((1.0, 0.22), f"{counts.fp + counts.tn:,}\nhealthy ¬θ", "#e6e6e6"),
        "tp": ((2.0, 0.92), f"{counts.tp:,} test +", COLORS["tp"]),
        "fn": ((2.0, 0.64), f"{counts.fn:,} test −", COLORS["fn"]),
        "fp": ((2.0, 0.36), f"{counts.fp:,} test +", COLORS["fp"]),
        "tn": ((2.0, 0.08), f"{counts.tn:,} test −", COLORS["tn"]),
    }
    edges = [("root", "sick", "prior P(θ)"), ("root", "well", "1 − P(θ)"),
             ("sick", "tp", "sensitivity\nP(D|θ)"), ("sick", "fn", ""),
             ("well", "fp", "false alarm\nP(D|¬θ)"), ("well", "tn", "")]
    for a, b, label in edges:
        (x0, y0), (x1, y1) = nodes[a][0], nodes[b][0]
        ax.plot([x0 + 0.18, x1 - 0.2], [y0, y1], color="0.4", lw=1, zorder=1)
        if label:
            ax.annotate(label, ((x0 + x1) / 2, (y0 + y1) / 2), xytext=(0, 6), textcoords="offset points",
                        ha="center", va="bottom", fontsize=8, color="0.25")
    for (x, y), text, color in nodes.values():
        light = color in ("white", "#f7d4d4", "#e6e6e6", COLORS["fn"], COLORS["tn"])
        ax.text(x, y, text, ha="center", va="center", fontsize=9, zorder=2,
                color="black" if light else "white",
                bbox=dict(boxstyle="round,pad=0.35", fc=color, ec="0.4"))
    if title is None:
        positives = counts.tp + counts.fp
        title = (f"Of {positives:,} positive tests, {counts.tp:,} are infected: "
                 f"P(θ|D) = {counts.tp:,}/{positives:,}" if positives else "Nobody tests positive")
    ax.set_title(title, fontsize=10)
    ax.set_xlim(-0.35, 2.4)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xticks([0, 1, 2], ["everyone", "infection status", "test result"])
    ax.set_yticks([])
    ax.set_xlabel("split by")
    ax.set_ylabel("number of people")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return ax


# --------------------------------------------------------------------------- posterior curves
def posterior_vs_prior(sensitivity: float = 0.99, false_alarm_rates: Sequence[float] = (0.001, 0.01, 0.1, 0.3),
                       ax: Optional[Axes] = None, *, mark_prior: Optional[float] = 0.1,
                       current: Optional[tuple[float, float]] = None) -> Axes:
    """P(θ|D) against the prior P(θ) (log scale) for several false-alarm rates.

    Args:
        sensitivity: P(D|θ), the same for every curve.
        false_alarm_rates: one curve each.
        ax: where to draw; a new 7 x 4.2 inch figure when ``None``.
        mark_prior: draws a dot and the value on every curve at this prior (``None``: no dots).
        current: ``(prior, false_alarm_rate)`` to highlight with a star (the explorer's setting).

    Returns:
        The ``Axes``: one line per false-alarm rate, then the dashed diagonal "posterior = prior".
    """
    ax = _axes(ax, (7, 4.2))
    priors = np.logspace(-3, 0, 301)
    cmap = plt.get_cmap("viridis")
    for i, f in enumerate(false_alarm_rates):
        color = cmap(i / max(1, len(false_alarm_rates) - 1) * 0.85)
        try:
            curve = bayes.posterior(priors, sensitivity, f)
        except ValueError:      # sensitivity and false-alarm rate both 0: nobody tests positive, no curve
            continue
        ax.plot(priors, curve, color=color, lw=2, label=f"false alarm {_pct(f)}")
        if mark_prior is not None:
            post = bayes.posterior(mark_prior, sensitivity, f)
            ax.plot([mark_prior], [post], "o", color=color, ms=5)
            ax.annotate(bayes.format_probability(post), (mark_prior, post), xytext=(5, -11),
                        textcoords="offset points", fontsize=8, color=color)
    ax.plot(priors, priors, "--", color="0.5", lw=1, label="posterior = prior (useless test)")
    if current is not None:
        p, f = current
        try:
            ax.plot([max(p, 1e-3)], [bayes.posterior(p, sensitivity, f)], "*", color="crimson", ms=14,
                    label="your setting")
        except ValueError:  # nobody tests positive: there is no posterior to mark
            pass
    ax.set_xscale("log")
    ax.set_xlim(1e-3, 1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("prior P(θ), log scale")
    ax.set_ylabel("posterior P(θ|D)")
    ax.set_title(f"After one positive test (sensitivity {_pct(sensitivity)})", fontsize=10)
    ax.grid(alpha=0.3)
    if len(false_alarm_rates) > 1:      # several curves fill the upper left: keep the legend off the data
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
        ax.figure.tight_layout()
    else:
        ax.legend(fontsize=8, loc="upper left")
    return ax


def sequential_updates(prior: float = 0.1, sensitivity: float = 0.99,
                       false_alarm_rates: Sequence[float] = (0.01, 0.1), n_tests: int = 3,
                       ax: Optional[Axes] = None) -> Axes:
    """The posterior after 0, 1, ..., ``n_tests`` positive tests in a row, one line per false-alarm rate.

    Returns:
        The ``Axes``: one line per false-alarm rate, each with ``n_tests + 1`` points (the prior first).
    """
    ax = _axes(ax, (6, 3.6))
    steps = np.arange(n_tests + 1)
    for i, (f, marker) in enumerate(zip(false_alarm_rates, "os^dv")):
        values = np.concatenate([[prior], bayes.sequential_posteriors(prior, sensitivity, f, n_tests)])
        line, = ax.plot(steps, values, marker=marker, label=f"false alarm {_pct(f)}")
        for k, v in zip(steps[1:], values[1:]):
            ax.annotate(bayes.format_probability(v), (k, v), xytext=(4, 5 if i % 2 == 0 else -12),
                        textcoords="offset points", fontsize=8, color=line.get_color())
    ax.set_xticks(steps)
    ax.set_xlim(-0.2, n_tests + 0.45)
    ax.set_xlabel("positive tests so far")
    ax.set_ylabel("P(infected | all positives)")
    ax.set_ylim(0, 1.1)
    ax.set_title("Each posterior becomes the next prior", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return ax


# --------------------------------------------------------------------------- the coin
def beta_posteriors(flips: Sequence[int], checkpoints: Sequence[int] = (0, 1, 5, 20, 100), *,
                    a: float = 1.0, b: float = 1.0, true_p: Optional[float] = None,
                    ax: Optional[Axes] = None) -> Axes:
    """The Beta posterior of P(heads) after the first ``k`` flips, for each ``k`` in ``checkpoints``.

    Args:
        flips: the flips in order, 1 = heads, 0 = tails.
        checkpoints: how many flips each curve has seen (at most ``len(flips)``).
        a, b: the Beta(a, b) prior (1, 1: uniform).
        true_p: draws a vertical line at the coin's real bias when given.

    Returns:
        The ``Axes``: one line per checkpoint, in order (then the true-bias line, if any).
    """
    flips = np.asarray(flips, dtype=int)
    if np.any((flips != 0) & (flips != 1)):
        raise ValueError("flips must be 0 (tails) or 1 (heads).")
    if max(checkpoints) > len(flips):
        raise ValueError(f"a checkpoint asks for {max(checkpoints)} flips but only {len(flips)} were given.")
    ax = _axes(ax, (7, 4))
    x = np.linspace(0, 1, 501)
    cmap = plt.get_cmap("plasma")
    for i, k in enumerate(checkpoints):
        heads = int(flips[:k].sum())
        pa, pb = bayes.beta_posterior(heads, k - heads, a, b)
        ax.plot(x, bayes.beta_pdf(x, pa, pb), color=cmap(i / max(1, len(checkpoints) - 1) * 0.85), lw=2,
                label=f"{k} flips ({heads} heads): Beta({pa:g}, {pb:g})")
    if true_p is not None:
        ax.axvline(true_p, color="0.3", ls=":", lw=1.5, label=f"true bias {true_p:g}")
    ax.set_xlabel("θ = P(heads)")
    ax.set_ylabel("posterior density p(θ | flips)")
    ax.set_title("The posterior narrows as flips come in", fontsize=10)
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper left")
    return ax


def mle_vs_map(flips: Sequence[int], *, a: float = 2.0, b: float = 2.0, true_p: Optional[float] = None,
               ax: Optional[Axes] = None) -> Axes:
    """MLE (heads/flips) and MAP (Beta(a, b) prior) estimates after each flip.

    Returns:
        The ``Axes``: line 0 is the MLE, line 1 the MAP, each with ``len(flips)`` points (x = 1, 2, ...).
    """
    flips = np.asarray(flips, dtype=int)
    ax = _axes(ax, (7, 3.6))
    n = np.arange(1, len(flips) + 1)
    heads = np.cumsum(flips)
    ax.plot(n, [bayes.coin_mle(h, k) for h, k in zip(heads, n)], "o-", ms=3, lw=1,
            label="MLE (frequentist): heads / flips")
    ax.plot(n, [bayes.coin_map(h, k, a, b) for h, k in zip(heads, n)], "s-", ms=3, lw=1,
            label=f"MAP with a Beta({a:g}, {b:g}) prior")
    if true_p is not None:
        ax.axhline(true_p, color="0.3", ls=":", lw=1.5, label=f"true bias {true_p:g}")
    ax.set_xscale("log")
    ax.set_xlabel("number of flips (log scale)")
    ax.set_ylabel("estimate of P(heads)")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title("Few flips: the prior steadies MAP; many flips: they agree", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return ax


# --------------------------------------------------------------------------- causality
def simpson_figure(table: bayes.Table = bayes.KIDNEY_STONES,
                   names: Mapping[str, str] = bayes.TREATMENTS) -> Figure:
    """Simpson's paradox in two panels.

    Left: success rate per treatment for each stratum, overall (pooled) and adjusted for the
    stratum. Right: how many patients of each stratum got each treatment (the confounding).

    Returns:
        The ``Figure`` with two ``Axes``. Left: one bar group per column ``strata + ["overall",
        "adjusted"]``, one ``BarContainer`` per treatment. Right: stacked bars, one per treatment.
    """
    rates = bayes.success_rates(table)
    overall = bayes.overall_rates(table)
    adjusted = bayes.adjusted_rates(table)
    strata = list(next(iter(table.values())))
    groups = [f"{z} stones" for z in strata] + ["overall\n(pooled)", "adjusted\nfor size"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [2.2, 1]})
    width = 0.8 / len(table)
    x = np.arange(len(groups))
    for i, t in enumerate(table):
        values = [rates[t][z] for z in strata] + [overall[t], adjusted[t]]
        bars = left.bar(x + (i - (len(table) - 1) / 2) * width, values, width,
                        label=f"{t}: {names.get(t, t)}", color=f"C{i}")
        texts = [bayes.format_percent(v) for v in values[:-1]] + [f"{100 * values[-1]:.2f}%"]
        left.bar_label(bars, texts, fontsize=8, padding=2)
    left.axvspan(len(strata) - 0.5, len(strata) + 0.5, color="0.9", zorder=0)
    left.set_xticks(x, groups)
    left.set_ylim(0, 1.2)
    left.set_ylabel("success rate")
    left.set_xlabel("patients compared")
    left.set_title("B wins overall, A wins in every stratum", fontsize=10)
    left.legend(fontsize=8, loc="upper center", ncol=2)
    bottom = np.zeros(len(table))
    for j, z in enumerate(strata):
        sizes = np.array([table[t][z][1] for t in table], dtype=float)
        bars = right.bar(list(table), sizes, bottom=bottom, color=f"C{j + 2}", label=f"{z} stones")
        right.bar_label(bars, [f"{int(s)}" for s in sizes], label_type="center", fontsize=8)
        bottom += sizes
    right.set_xlabel("treatment")
    right.set_ylabel("patients")
    right.set_title("Who got which treatment", fontsize=10)
    right.legend(fontsize=8, loc="upper right")
    right.set_ylim(0, bottom.max() * 1.25)
    fig.tight_layout()
    return fig


def shift_figure(results: Mapping[str, Mapping[str, object]], test_agreements: Sequence[float],
                 train_agreement: float, *, shifted: Optional[float] = None) -> Figure:
    """Causal vs spurious features, from ``bayes.shift_experiment`` results.

    Left: training accuracy and accuracy in the ``shifted`` test environment (default: the lowest
    agreement), one bar pair per model. Right: test accuracy against the spurious feature's
    agreement, one line per model, the training environment marked.

    Returns:
        The ``Figure`` with two ``Axes`` (left: 2 ``BarContainer``; right: one line per model).
    """
    agreements = np.asarray(test_agreements, dtype=float)
    shifted = float(agreements.min()) if shifted is None else float(shifted)
    k = int(np.argmin(np.abs(agreements - shifted)))
    names = list(results)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    x = np.arange(len(names))
    train = [float(results[m]["train"]) for m in names]
    test = [float(np.asarray(results[m]["test"])[k]) for m in names]
    for offset, values, label, color in ((-0.2, train, f"training (agreement {train_agreement:g})", "C0"),
                                         (0.2, test, f"shifted test (agreement {agreements[k]:g})", "C3")):
        bars = left.bar(x + offset, values, 0.4, label=label, color=color)
        left.bar_label(bars, [f"{v:.2f}" for v in values], fontsize=8, padding=2)
    left.set_xticks(x, [m.replace(" feature", "\nfeature") for m in names])
    left.set_ylim(0, 1.2)
    left.set_xlabel("model")
    left.set_ylabel("accuracy")
    left.set_title("The spurious shortcut wins in training, collapses after the shift", fontsize=10)
    left.legend(fontsize=8, loc="upper left", ncol=2)
    for i, m in enumerate(names):
        right.plot(agreements, np.asarray(results[m]["test"]), marker="o", ms=3, color=f"C{i + 4}", label=m)
    right.axvline(train_agreement, color="0.4", ls=":", label="training environment")
    right.axhline(0.5, color="0.7", lw=1, label="coin flip")
    right.set_xlabel("test environment: how often the spurious feature points the right way")
    right.set_ylabel("test accuracy")
    right.set_title("Only the causal model is stable", fontsize=10)
    right.set_ylim(0, 1.02)
    right.grid(alpha=0.3)
    right.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- the explorer
#: Width of the explorer's slider labels (CSS), wide enough for "false alarm P(D|¬θ) 오탐률".
EXPLORER_LABEL_WIDTH = "200px"
#: Widest a slider row gets (label + track + readout), so the track stays a comfortable length.
EXPLORER_SLIDER_MAX_WIDTH = "640px"
#: The prior slider is logarithmic, like the figure's x-axis: 10**-3 to 10**0 (a prior of 0.01 sits a third
#: of the way along, not 3 px from the end as on a linear 0-1 track).
EXPLORER_PRIOR_LOG_RANGE = (-3.0, 0.0)
#: The explorer's figure: its size in inches and its smallest text in points. JupyterLab and Colab shrink a
#: figure to the width of the notebook column: about 590 px at a 1024 px window with JupyterLab's file browser
#: open (tests/browser/test_lab.py measures it). 12 pt on an 8-inch, 100-dpi figure still draws at about 12 px
#: there, close to the size of the surrounding text.
EXPLORER_FIGSIZE = (8.0, 5.6)
EXPLORER_MIN_FONT_PT = 12.0


def explorer_figure(prior: float = 0.1, sensitivity: float = 0.99, false_alarm_rate: float = 0.01,
                    population: int = 1000) -> Figure:
    """One frame of the explorer: the icon array and the posterior-vs-prior curve, with the setting starred.

    Returns:
        The ``Figure`` with two ``Axes`` (icon array, curve); the figure title states the posterior,
        or says that nobody tests positive (the posterior is then undefined).
    """
    counts = bayes.natural_frequencies(prior, sensitivity, false_alarm_rate, population)
    fig, (left, right) = plt.subplots(1, 2, figsize=EXPLORER_FIGSIZE, layout="constrained",
                                      gridspec_kw={"width_ratios": [1, 1.15]})
    icon_array(counts, ax=left, marker_size=40.0)
    posterior_vs_prior(sensitivity, (false_alarm_rate,), ax=right, mark_prior=None,
                       current=(prior, false_alarm_rate))
    # Both legends below their axes, one entry per line: at 12 pt they would cover the curve, and the curve
    # moves with every slider, so no place inside the axes stays free.
    for ax in (left, right):
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1, frameon=False)
    try:
        post = bayes.posterior(prior, sensitivity, false_alarm_rate)
        headline = (f"P(θ|D) = {bayes.format_probability(prior)} × {bayes.format_probability(sensitivity)}"
                    f" / {bayes.format_probability(bayes.evidence(prior, sensitivity, false_alarm_rate))}"
                    f" = {bayes.format_probability(post)}")
    except ValueError:
        headline = "Nobody tests positive: P(D) = 0, so P(θ|D) is undefined"
    fig.suptitle(headline, fontsize=EXPLORER_MIN_FONT_PT + 1)
    for ax in fig.axes:
        ax.tick_params(labelsize=EXPLORER_MIN_FONT_PT)
    for text in fig.findobj(Text):      # titles, labels, legends, annotations: all readable when shrunk
        if text.get_text() and text.get_fontsize() < EXPLORER_MIN_FONT_PT:
            text.set_fontsize(EXPLORER_MIN_FONT_PT)
    return fig


def explorer(prior: float = 0.1, sensitivity: float = 0.99, false_alarm_rate: float = 0.01,
             population: int = 1000):
    """Sliders for prior, sensitivity and false-alarm rate that redraw ``explorer_figure``.

    Works in JupyterLab, Jupyter Notebook and Colab (``ipywidgets``). Display the returned widget
    (make it the last expression of a cell). Where widgets do not render (a static HTML page, a
    PDF) use ``posterior_vs_prior()`` instead.

    The prior slider is logarithmic (``FloatLogSlider``, 0.001 to 1), like the figure's x-axis.

    Returns:
        An ``ipywidgets.VBox``: ``children[0]`` is a ``VBox`` of the three sliders (prior: a
        ``FloatLogSlider``; sensitivity, false-alarm rate: ``FloatSlider``s), ``children[1]`` an ``HTML`` line with the posterior, and
        ``children[2]`` the ``Output`` holding the figure.

    Raises:
        ImportError: ipywidgets is missing or older than 7.5; the message says what to run.
    """
    from ..versions import optional_import

    widgets = optional_import("ipywidgets", "7.5", "The explorer",
                              alternative="use bayes_plots.posterior_vs_prior() instead")
    from IPython.display import display

    for value, name in ((prior, "prior"), (sensitivity, "sensitivity"), (false_alarm_rate, "false_alarm_rate")):
        bayes.check_probability(value, name)
    low, high = (10 ** e for e in EXPLORER_PRIOR_LOG_RANGE)
    if not low <= prior <= high:
        raise ValueError(f"prior={prior}: the explorer's prior slider covers {low:g} to {high:g} on a log scale "
                         f"(the figure's axis); pick a prior in that range")
    # One slider per row, labels in a fixed-width column: the track keeps its length and no readout
    # runs into the next label at any window width (three sliders side by side lost their tracks).
    common = dict(continuous_update=False, style={"description_width": EXPLORER_LABEL_WIDTH})
    sliders = [
        widgets.FloatLogSlider(value=prior, base=10, min=EXPLORER_PRIOR_LOG_RANGE[0], max=EXPLORER_PRIOR_LOG_RANGE[1],
                               step=0.01, readout_format=".3g", description="prior P(θ) 사전확률", **common),
        widgets.FloatSlider(value=sensitivity, min=0.0, max=1.0, step=0.005, readout_format=".3f",
                            description="sensitivity P(D|θ) 민감도", **common),
        widgets.FloatSlider(value=false_alarm_rate, min=0.0, max=1.0, step=0.001, readout_format=".3f",
                            description="false alarm P(D|¬θ) 오탐률", **common),
    ]
    for slider in sliders:
        slider.layout = widgets.Layout(width="100%", max_width=EXPLORER_SLIDER_MAX_WIDTH)
    headline = widgets.HTML()
    out = widgets.Output()

    def redraw(_change=None) -> None:
        p, s, f = (w.value for w in sliders)
        try:
            post = bayes.posterior(p, s, f)
            headline.value = message("explorer.headline", posterior=bayes.format_probability(post),
                                  evidence=bayes.format_probability(bayes.evidence(p, s, f)))
        except ValueError:
            headline.value = message("explorer.undefined")
        with out:
            out.clear_output(wait=True)
            fig = explorer_figure(p, s, f, population)
            display(fig)
            plt.close(fig)

    for w in sliders:
        w.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.VBox(sliders), headline, out])

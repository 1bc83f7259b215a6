"""course_utils.lessons.bayes: every number of FACTS.md's COVID-99 and kidney-stone tables, arrays, errors."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from course_utils.lessons import bayes

FACTS = Path(__file__).resolve().parents[1] / "docs" / "FACTS.md"  # the course's verified fact sheet

PRIOR, SENS = 0.1, 0.99


# --------------------------------------------------------------------------- COVID-99 (FACTS.md)
@pytest.mark.parametrize("far, ev, post, second, third", [
    (0.01, "0.108", "0.9167", "0.9991", "0.99999"),
    (0.10, "0.189", "0.5238", "0.9159", "0.9908"),
])
def test_covid99_table(far, ev, post, second, third):
    assert bayes.format_probability(bayes.evidence(PRIOR, SENS, far)) == ev
    assert bayes.format_probability(bayes.posterior(PRIOR, SENS, far)) == post
    chain = bayes.sequential_posteriors(PRIOR, SENS, far, 3)
    assert [bayes.format_probability(p) for p in chain] == [post, second, third]
    # the same numbers as counts of 1,000 people: posterior = precision
    counts = bayes.natural_frequencies(PRIOR, SENS, far, 1000)
    assert counts.tp == 99 and counts.fn == 1 and counts.fp == round(900 * far)
    assert counts.precision == pytest.approx(bayes.posterior(PRIOR, SENS, far))
    assert (counts.tp + counts.fp) / counts.total == pytest.approx(bayes.evidence(PRIOR, SENS, far))


def test_covid99_numbers_are_the_ones_in_facts_md():
    text = FACTS.read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = line.strip().strip("|").split("|")
        if line.startswith("| ") and len(cells) >= 3:  # a label may hold a "|" itself: P(θ|D)
            rows["|".join(cells[:-2]).strip()] = [c.strip() for c in cells[-2:]]
    assert rows["evidence P(D)"] == [bayes.format_probability(bayes.evidence(PRIOR, SENS, f)) for f in (0.01, 0.1)]
    post_row = next(v for k, v in rows.items() if k.startswith("posterior"))
    assert post_row == [bayes.format_probability(bayes.posterior(PRIOR, SENS, f)) for f in (0.01, 0.1)]
    second = next(v for k, v in rows.items() if k.startswith("after a 2nd"))
    third = next(v for k, v in rows.items() if k.startswith("after a 3rd"))
    chains = [bayes.sequential_posteriors(PRIOR, SENS, f, 3) for f in (0.01, 0.1)]
    assert second == [bayes.format_probability(c[1]) for c in chains]
    assert third == [bayes.format_probability(c[2]) for c in chains]


def test_posterior_is_bayes_theorem_and_the_odds_form_agrees():
    p, s, f = 0.1, 0.99, 0.01
    assert bayes.posterior(p, s, f) == pytest.approx(p * s / (p * s + (1 - p) * f))
    odds = p / (1 - p) * bayes.likelihood_ratio(s, f) ** 3
    assert bayes.sequential_posteriors(p, s, f, 3)[-1] == pytest.approx(odds / (1 + odds))
    assert bayes.likelihood_ratio(s, f) == pytest.approx(99)


def test_negative_result_and_mixed_sequences():
    neg = bayes.posterior(0.1, 0.99, 0.01, positive=False)
    assert neg == pytest.approx(0.1 * 0.01 / (0.1 * 0.01 + 0.9 * 0.99))
    chain = bayes.sequential_posteriors(0.1, 0.99, 0.1, [True, False])
    assert chain[0] == pytest.approx(bayes.posterior(0.1, 0.99, 0.1))
    assert chain[1] == pytest.approx(bayes.posterior(chain[0], 0.99, 0.1, positive=False))
    assert bayes.sequential_posteriors(0.1, 0.99, 0.1, 0).shape == (0,)


def test_float_in_float_out_and_arrays_broadcast():
    assert isinstance(bayes.posterior(0.1, 0.99, 0.01), float)
    assert isinstance(bayes.evidence(0.1, 0.99, 0.01), float)
    priors = np.array([0.001, 0.1, 0.5])
    rates = np.array([[0.01], [0.1]])
    out = bayes.posterior(priors, 0.99, rates)
    assert out.shape == (2, 3)
    for i, f in enumerate(rates[:, 0]):
        for j, p in enumerate(priors):
            assert out[i, j] == pytest.approx(bayes.posterior(float(p), 0.99, float(f)))
    chain = bayes.sequential_posteriors(priors, 0.99, 0.1, 2)
    assert chain.shape == (2, 3)
    np.testing.assert_allclose(chain[1], bayes.posterior(chain[0], 0.99, 0.1))
    assert bayes.posterior([0.1, 0.2], 0.99, 0.01).shape == (2,)


@pytest.mark.parametrize("kwargs, bad", [
    (dict(prior=1.5, sensitivity=0.99, false_alarm_rate=0.01), "prior"),
    (dict(prior=0.1, sensitivity=-0.1, false_alarm_rate=0.01), "sensitivity"),
    (dict(prior=0.1, sensitivity=0.99, false_alarm_rate=np.array([0.01, float("nan")])), "false_alarm_rate"),
    (dict(prior="ten percent", sensitivity=0.99, false_alarm_rate=0.01), "prior"),
])
def test_probabilities_outside_0_1_are_refused_by_name(kwargs, bad):
    for fn in (bayes.posterior, bayes.evidence):
        with pytest.raises(ValueError, match=bad):
            fn(**kwargs)


def test_percentages_get_a_hint():
    with pytest.raises(ValueError, match="0.01 for 1%"):
        bayes.posterior(10, 0.99, 0.01)


def test_zero_evidence_is_a_clear_error():
    with pytest.raises(ValueError, match="evidence P\\(D\\) is 0"):
        bayes.posterior(0.0, 0.99, 0.0)
    with pytest.raises(ValueError, match="evidence"):
        bayes.posterior(np.array([0.1, 0.0]), 0.99, 0.0)
    with pytest.raises(ValueError, match="negative"):
        bayes.posterior(1.0, 1.0, 0.5, positive=False)
    with pytest.raises(ValueError, match="infinite"):
        bayes.likelihood_ratio(0.99, 0.0)
    with pytest.raises(ValueError, match="tests"):
        bayes.sequential_posteriors(0.1, 0.99, 0.01, -1)


def test_required_false_alarm_rate_reaches_the_target():
    f = bayes.required_false_alarm_rate(0.95, PRIOR, SENS)
    assert bayes.posterior(PRIOR, SENS, f) == pytest.approx(0.95)
    assert bayes.posterior(PRIOR, SENS, f * 1.01) < 0.95 < bayes.posterior(PRIOR, SENS, f * 0.99)
    assert f == pytest.approx(0.1 * 0.99 * 0.05 / (0.95 * 0.9))
    with pytest.raises(ValueError, match="strictly between"):
        bayes.required_false_alarm_rate(1.0, PRIOR, SENS)


# --------------------------------------------------------------------------- formatting
def test_format_probability_never_fakes_certainty():
    assert bayes.format_probability(0.9999907) == "0.99999"
    assert bayes.format_probability(1e-7) == "0.0000001"
    assert bayes.format_probability(0.5) == "0.5"
    assert bayes.format_probability(1.0) == "1.0"
    assert bayes.format_probability(2 / 3, digits=2) == "0.67"
    with pytest.raises(ValueError):
        bayes.format_probability(1.2)


def test_format_percent():
    assert [bayes.format_percent(x) for x in (81 / 87, 55 / 80, 0.78, 289 / 350)] == [
        "93.1%", "68.75%", "78.0%", "82.6%"]


# --------------------------------------------------------------------------- confusion matrix
def test_confusion_metrics_from_counts():
    c = bayes.ConfusionCounts(tp=99, fn=1, fp=9, tn=891)
    assert c.total == 1000
    assert c.prevalence == pytest.approx(0.1)
    assert c.sensitivity == c.recall == pytest.approx(0.99)
    assert c.miss_rate == pytest.approx(0.01)
    assert c.false_alarm_rate == pytest.approx(0.01)
    assert c.specificity == pytest.approx(0.99)
    assert c.precision == pytest.approx(99 / 108)
    assert c.accuracy == pytest.approx(990 / 1000)
    lines = c.table().splitlines()
    assert len(lines) == 4
    assert lines[1].split()[-3:] == ["99", "1", "100"]
    assert lines[3].split()[-3:] == ["108", "892", "1,000"]


def test_confusion_counts_errors():
    with pytest.raises(ValueError, match="count"):
        bayes.ConfusionCounts(tp=-1, fn=0, fp=0, tn=1)
    with pytest.raises(ValueError, match="count"):
        bayes.ConfusionCounts(tp=1.5, fn=0, fp=0, tn=1)
    with pytest.raises(ValueError, match="precision"):
        _ = bayes.ConfusionCounts(tp=0, fn=3, fp=0, tn=7).precision


def test_natural_frequencies_always_sum_to_the_population():
    rng = np.random.default_rng(3)
    for p, s, f in rng.random((50, 3)):
        c = bayes.natural_frequencies(p, s, f, 1000)
        assert c.total == 1000
        assert abs(c.tp - 1000 * p * s) < 1 and abs(c.fp - 1000 * (1 - p) * f) < 1
    with pytest.raises(ValueError, match="population"):
        bayes.natural_frequencies(0.1, 0.99, 0.01, 0)


# --------------------------------------------------------------------------- the coin
def test_beta_posterior_and_density():
    a, b = bayes.beta_posterior(7, 3, 1, 1)
    assert (a, b) == (8.0, 4.0)
    x = np.linspace(0, 1, 20001)
    pdf = bayes.beta_pdf(x, a, b)
    assert np.sum((pdf[1:] + pdf[:-1]) / 2) * (x[1] - x[0]) == pytest.approx(1, abs=1e-6)
    assert np.sum(x * pdf) * (x[1] - x[0]) == pytest.approx(bayes.beta_mean(a, b), abs=1e-4)
    assert x[np.argmax(pdf)] == pytest.approx(bayes.beta_mode(a, b), abs=1e-4)
    assert np.all(bayes.beta_pdf(x, 1, 1) == 1)
    big = bayes.beta_pdf(np.array([0.5, 0.7]), 3001, 1001)  # thousands of flips: no overflow
    assert np.all(np.isfinite(big)) and big[0] < big[1]


def test_posterior_narrows_with_flips():
    sds = [bayes.beta_sd(*bayes.beta_posterior(int(0.7 * n), n - int(0.7 * n))) for n in (0, 10, 100, 1000)]
    assert sds == sorted(sds, reverse=True)
    assert sds[0] == pytest.approx(math.sqrt(1 / 12))


def test_mle_vs_map():
    assert bayes.coin_mle(3, 3) == 1.0
    assert bayes.coin_map(3, 3, 2, 2) == pytest.approx(0.8)
    assert bayes.coin_map(700, 1000, 2, 2) == pytest.approx(bayes.coin_mle(700, 1000), abs=1e-3)
    assert bayes.coin_map(0, 0, 2, 2) == 0.5
    with pytest.raises(ValueError, match="0 flips"):
        bayes.coin_mle(0, 0)
    with pytest.raises(ValueError, match="a > 1"):
        bayes.coin_map(3, 3, 1, 1)
    with pytest.raises(ValueError, match="heads"):
        bayes.coin_mle(4, 3)
    with pytest.raises(ValueError, match="positive"):
        bayes.beta_posterior(1, 1, 0, 1)


# --------------------------------------------------------------------------- Simpson's paradox (FACTS.md)
def test_kidney_stone_table():
    rates = bayes.success_rates()
    assert {t: {z: bayes.format_percent(r) for z, r in zs.items()} for t, zs in rates.items()} == {
        "A": {"small": "93.1%", "large": "73.0%"}, "B": {"small": "86.7%", "large": "68.75%"}}
    overall = bayes.overall_rates()
    assert overall["A"] == pytest.approx(273 / 350) and overall["B"] == pytest.approx(289 / 350)
    assert [bayes.format_percent(overall[t]) for t in "AB"] == ["78.0%", "82.6%"]
    weights = bayes.stratum_weights()
    assert weights["small"] == pytest.approx(357 / 700)
    adjusted = bayes.adjusted_rates()
    assert [bayes.format_probability(adjusted[t]) for t in "AB"] == ["0.8325", "0.7789"]
    # the paradox itself: B wins pooled, A wins in each stratum and after adjustment
    assert overall["B"] > overall["A"]
    assert all(rates["A"][z] > rates["B"][z] for z in weights)
    assert adjusted["A"] > adjusted["B"]


def test_adjusted_rate_checks_its_inputs():
    assert bayes.adjusted_rate({"x": 0.5, "y": 1.0}, {"x": 0.5, "y": 0.5}) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="add up to 1"):
        bayes.adjusted_rate({"x": 0.5, "y": 1.0}, {"x": 0.5, "y": 0.6})
    with pytest.raises(ValueError, match="same strata"):
        bayes.adjusted_rate({"x": 0.5}, {"y": 1.0})
    with pytest.raises(ValueError, match="between 0"):
        bayes.success_rates({"A": {"s": (5, 4)}})
    with pytest.raises(ValueError, match="same strata"):
        bayes.success_rates({"A": {"s": (1, 4)}, "B": {"t": (1, 4)}})


def test_kidney_stone_numbers_are_the_ones_in_facts_md():
    text = FACTS.read_text(encoding="utf-8")
    for zs in bayes.KIDNEY_STONES.values():
        for wins, n in zs.values():
            assert f"{wins}/{n}" in text
    line = next(r for r in text.splitlines() if r.startswith("| adjusted for size"))
    assert re.findall(r"0\.\d{4}", line) == [bayes.format_probability(bayes.adjusted_rates()[t]) for t in "AB"]


# --------------------------------------------------------------------------- causal vs spurious
def test_fit_logistic_learns_a_separable_rule():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 2))
    y = (X[:, 0] - X[:, 1] > 0).astype(int)
    w, b = bayes.fit_logistic(X, y, steps=300)
    assert bayes.logistic_accuracy(w, b, X, y) > 0.97
    assert w[0] > 0 > w[1]
    with pytest.raises(ValueError, match="shape"):
        bayes.fit_logistic(X, y[:10])


def test_shift_data_agreement():
    rng = np.random.default_rng(1)
    X, y = bayes.shift_data(20000, 0.9, rng)
    assert X.shape == (20000, 2) and y.shape == (20000,)
    assert np.mean((X[:, 1] > 0) == (y == 1)) == pytest.approx(0.9, abs=0.01)
    assert np.mean((X[:, 0] > 0) == (y == 1)) == pytest.approx(0.841, abs=0.01)  # Phi(1)


def test_shift_experiment_spurious_wins_in_training_then_collapses():
    r = bayes.shift_experiment(0.95, (0.95, 0.1), n=2000, seed=0)
    causal, spurious, both = (r[m] for m in bayes.SHIFT_MODELS)
    assert spurious["train"] > causal["train"] + 0.05
    assert both["train"] > causal["train"]
    assert spurious["test"][1] < 0.2 and both["test"][1] < 0.6
    assert abs(causal["test"][1] - causal["train"]) < 0.05
    again = bayes.shift_experiment(0.95, (0.95, 0.1), n=2000, seed=0)
    np.testing.assert_array_equal(again["both features"]["test"], both["test"])

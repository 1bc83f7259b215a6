"""Bayes' theorem and its neighbours: the numbers behind notebook 01.

Small, pure functions (no printing, no global random state). Probabilities are floats in [0, 1]
or NumPy arrays of them; array inputs broadcast like NumPy arithmetic and give arrays back,
float inputs give floats back.

Public API::

    evidence(prior, sensitivity, false_alarm_rate)          # P(D)
    posterior(prior, sensitivity, false_alarm_rate)         # P(θ|D), Bayes' theorem
    likelihood_ratio(sensitivity, false_alarm_rate)         # P(D|θ) / P(D|¬θ)
    sequential_posteriors(prior, sensitivity, far, tests)   # posterior after each test
    required_false_alarm_rate(target, prior, sensitivity)   # how good must the test be?
    natural_frequencies(prior, sensitivity, far, 1000)      # the same as counts of people
    ConfusionCounts(tp, fn, fp, tn)                         # recall, precision, specificity, ...
    beta_posterior / beta_pdf / beta_mean / beta_sd / beta_mode, coin_mle, coin_map
    KIDNEY_STONES, success_rates, overall_rates, stratum_weights, adjusted_rate, adjusted_rates
    shift_data, fit_logistic, logistic_accuracy, shift_experiment   # why causal features are robust
    format_probability(p), format_percent(p)                # printing without fake "1.0000"

Vocabulary (COVID-99 example, θ = infected, D = positive test): prior (사전확률) P(θ);
sensitivity = recall (민감도) P(D|θ); false-alarm rate (오탐률, 위양성률) P(D|¬θ); evidence P(D);
posterior = precision (정밀도) P(θ|D).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence, Union

import numpy as np

ArrayLike = Union[float, int, Sequence[float], np.ndarray]
Probability = Union[float, np.ndarray]


# --------------------------------------------------------------------------- checks and output
def check_probability(value: ArrayLike, name: str) -> np.ndarray:
    """``value`` as a float array, after checking that every entry is a probability.

    Raises:
        ValueError: an entry is outside [0, 1] or not a number; the message names ``name``, shows
            the bad value and reminds that 1% is written ``0.01``.
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}.") from None
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > 1)
    if np.any(bad):
        first = arr[bad].flat[0] if arr.ndim else float(arr)
        hint = " Percentages must be divided by 100: write 0.01 for 1%." if 1 < first <= 100 else ""
        raise ValueError(f"{name} must be a probability between 0 and 1, got {first:g}.{hint}")
    return arr


def _out(arr: np.ndarray) -> Probability:
    """A 0-d array becomes a Python float; other arrays are returned as they are."""
    return float(arr) if np.ndim(arr) == 0 else arr


def format_probability(p: float, digits: int = 4) -> str:
    """A probability rounded to ``digits`` decimals, trailing zeros removed.

    Never prints a fake certainty: if rounding would give exactly 0 or 1 for a value that is not,
    more decimals are used (``0.9999907`` -> ``"0.99999"``). Examples: ``0.108`` -> ``"0.108"``,
    ``0.91666`` -> ``"0.9167"``, ``1.0`` -> ``"1.0"``.
    """
    p = float(check_probability(p, "p"))
    if p in (0.0, 1.0):
        return f"{p:.1f}"
    for d in range(digits, 16):
        text = f"{p:.{d}f}"
        if float(text) not in (0.0, 1.0):
            break
    text = text.rstrip("0")
    return text + "0" if text.endswith(".") else text


def format_percent(p: float) -> str:
    """``p`` (a probability) as a percentage with one decimal, or two when that is exact.

    ``81/87`` -> ``"93.1%"``, ``55/80`` -> ``"68.75%"``, ``0.78`` -> ``"78.0%"``.
    """
    pct = 100 * float(check_probability(p, "p"))
    for d in (1, 2):
        if abs(round(pct, d) - pct) < 1e-9:
            return f"{pct:.{d}f}%"
    return f"{pct:.1f}%"


# --------------------------------------------------------------------------- Bayes' theorem
def evidence(prior: ArrayLike, sensitivity: ArrayLike, false_alarm_rate: ArrayLike) -> Probability:
    """P(D), the probability of a positive result, by the law of total probability.

    ``P(D) = P(θ) P(D|θ) + P(¬θ) P(D|¬θ) = prior * sensitivity + (1 - prior) * false_alarm_rate``.

    Args:
        prior: P(θ), e.g. the share of infected people (사전확률).
        sensitivity: P(D|θ), the share of infected people who test positive (민감도, recall).
        false_alarm_rate: P(D|¬θ), the share of healthy people who test positive (오탐률, 위양성률).

    Returns:
        A float, or an array of the broadcast shape of the inputs.
    """
    p = check_probability(prior, "prior")
    s = check_probability(sensitivity, "sensitivity")
    f = check_probability(false_alarm_rate, "false_alarm_rate")
    return _out(p * s + (1 - p) * f)


def posterior(prior: ArrayLike, sensitivity: ArrayLike, false_alarm_rate: ArrayLike, *,
              positive: bool = True) -> Probability:
    """P(θ|D) by Bayes' theorem: ``prior * likelihood / evidence``.

    Args:
        prior, sensitivity, false_alarm_rate: as in ``evidence``; floats or arrays (broadcast).
        positive: ``True`` for a positive result D; ``False`` for a negative one, which uses the
            likelihoods ``1 - sensitivity`` and ``1 - false_alarm_rate``.

    Returns:
        P(θ|result): a float, or an array of the broadcast shape.

    Raises:
        ValueError: an input is not a probability, or the evidence is 0 (the result cannot happen
            with these numbers, e.g. prior 0 and false-alarm rate 0 for a positive result).
    """
    p = check_probability(prior, "prior")
    s = check_probability(sensitivity, "sensitivity")
    f = check_probability(false_alarm_rate, "false_alarm_rate")
    if not positive:
        s, f = 1 - s, 1 - f
    numerator = p * s
    total = numerator + (1 - p) * f
    if np.any(total == 0):
        result = "positive" if positive else "negative"
        raise ValueError(
            f"The evidence P(D) is 0: with these numbers nobody gets a {result} result, so there is "
            "nothing to condition on. Check the inputs: a prior of 0 (or 1) together with a "
            f"{'false-alarm rate' if positive else 'specificity'} of 0 makes this result impossible.")
    return _out(numerator / total)


def likelihood_ratio(sensitivity: ArrayLike, false_alarm_rate: ArrayLike) -> Probability:
    """The Bayes factor of a positive result, ``P(D|θ) / P(D|¬θ)``.

    Posterior odds = prior odds x likelihood ratio, so each independent positive test multiplies
    the odds by this number (99 for the COVID-99 test with a 1% false-alarm rate).

    Raises:
        ValueError: the false-alarm rate is 0 (the ratio is infinite: one positive proves θ).
    """
    s = check_probability(sensitivity, "sensitivity")
    f = check_probability(false_alarm_rate, "false_alarm_rate")
    if np.any(f == 0):
        raise ValueError("false_alarm_rate is 0, so the likelihood ratio is infinite (a positive result "
                         "would be proof). Use a small positive rate such as 0.001.")
    return _out(s / f)


def sequential_posteriors(prior: ArrayLike, sensitivity: ArrayLike, false_alarm_rate: ArrayLike,
                          tests: Union[int, Sequence[bool]]) -> np.ndarray:
    """Posterior after each of several independent tests: each posterior is the next prior.

    Args:
        prior, sensitivity, false_alarm_rate: as in ``posterior`` (floats or broadcastable arrays).
        tests: the number of positive tests in a row, or a sequence of results (``True`` = positive,
            ``False`` = negative), in order.

    Returns:
        Array of shape ``(len(tests), *broadcast_shape)``: row ``k`` is P(θ | first k+1 results).
        The prior itself is not included.
    """
    results = [True] * tests if isinstance(tests, (int, np.integer)) else [bool(t) for t in tests]
    if isinstance(tests, (int, np.integer)) and tests < 0:
        raise ValueError(f"tests must be a number of tests >= 0 or a list of results, got {tests}.")
    current = check_probability(prior, "prior")
    out = []
    for result in results:
        current = np.asarray(posterior(current, sensitivity, false_alarm_rate, positive=result))
        out.append(current)
    shape = np.broadcast(np.asarray(prior, float), np.asarray(sensitivity, float),
                         np.asarray(false_alarm_rate, float)).shape
    return np.array(out, dtype=float).reshape((len(results),) + shape)


def required_false_alarm_rate(target_posterior: float, prior: float, sensitivity: float) -> float:
    """The largest false-alarm rate for which a positive result gives ``target_posterior``.

    Solves ``target = p s / (p s + (1 - p) f)`` for ``f``: ``f = p s (1 - target) / (target (1 - p))``.

    Raises:
        ValueError: inputs are not probabilities, the target is 0 or 1, or the prior is 0 or 1.
    """
    t = float(check_probability(target_posterior, "target_posterior"))
    p = float(check_probability(prior, "prior"))
    s = float(check_probability(sensitivity, "sensitivity"))
    if t in (0.0, 1.0) or p in (0.0, 1.0):
        raise ValueError("target_posterior and prior must be strictly between 0 and 1 (a certainty cannot "
                         "be reached or changed by a test).")
    f = p * s * (1 - t) / (t * (1 - p))
    return min(f, 1.0)


# --------------------------------------------------------------------------- counts
@dataclass(frozen=True)
class ConfusionCounts:
    """A confusion matrix of counts (혼동행렬): rows = truth, columns = test result.

    ================  ==================  ==================
    truth \\ test      positive (D)        negative (¬D)
    ================  ==================  ==================
    θ (infected)      ``tp``              ``fn`` (type II)
    ¬θ (healthy)      ``fp`` (type I)     ``tn``
    ================  ==================  ==================

    Every metric is a ratio of counts; one whose denominator is 0 raises ``ValueError``.
    """

    tp: int
    fn: int
    fp: int
    tn: int

    def __post_init__(self):
        for name in ("tp", "fn", "fp", "tn"):
            value = getattr(self, name)
            if isinstance(value, bool) or not float(value).is_integer() or value < 0:
                raise ValueError(f"{name} must be a count (a whole number >= 0), got {value!r}.")

    @staticmethod
    def _ratio(num: float, den: float, what: str) -> float:
        if den == 0:
            raise ValueError(f"{what} is undefined: its denominator is 0 (no such cases in the table).")
        return num / den

    @property
    def total(self) -> int:
        return int(self.tp + self.fn + self.fp + self.tn)

    @property
    def prevalence(self) -> float:
        """P(θ) in this table: (tp + fn) / total (사전확률 as a frequency)."""
        return self._ratio(self.tp + self.fn, self.total, "prevalence")

    @property
    def sensitivity(self) -> float:
        """Recall, true-positive rate, P(D|θ) = tp / (tp + fn) (민감도)."""
        return self._ratio(self.tp, self.tp + self.fn, "sensitivity (recall)")

    recall = sensitivity

    @property
    def miss_rate(self) -> float:
        """False-negative rate, P(¬D|θ) = fn / (tp + fn): the rate of type II errors."""
        return self._ratio(self.fn, self.tp + self.fn, "miss rate")

    @property
    def false_alarm_rate(self) -> float:
        """False-positive rate, P(D|¬θ) = fp / (fp + tn) (오탐률, 위양성률): the rate of type I errors."""
        return self._ratio(self.fp, self.fp + self.tn, "false-alarm rate")

    @property
    def specificity(self) -> float:
        """True-negative rate, P(¬D|¬θ) = tn / (fp + tn) = 1 - false_alarm_rate (특이도)."""
        return self._ratio(self.tn, self.fp + self.tn, "specificity")

    @property
    def precision(self) -> float:
        """Positive predictive value, P(θ|D) = tp / (tp + fp) (정밀도): the posterior."""
        return self._ratio(self.tp, self.tp + self.fp, "precision (no positive results)")

    @property
    def accuracy(self) -> float:
        """(tp + tn) / total."""
        return self._ratio(self.tp + self.tn, self.total, "accuracy")

    def table(self) -> str:
        """The 2x2 table as aligned text, with row and column totals."""
        width = max(6, len(f"{self.total:,}"))
        rows = [("", "test +", "test -", "total"),
                ("infected θ", f"{self.tp:,}", f"{self.fn:,}", f"{self.tp + self.fn:,}"),
                ("healthy ¬θ", f"{self.fp:,}", f"{self.tn:,}", f"{self.fp + self.tn:,}"),
                ("total", f"{self.tp + self.fp:,}", f"{self.fn + self.tn:,}", f"{self.total:,}")]
        return "\n".join(f"{r[0]:<11}" + "".join(f"{c:>{width + 2}}" for c in r[1:]) for r in rows)


def natural_frequencies(prior: float, sensitivity: float, false_alarm_rate: float,
                        population: int = 1000) -> ConfusionCounts:
    """The expected confusion matrix for ``population`` people, in whole people.

    The four expected counts (``population * prior * sensitivity`` etc.) are rounded so that they
    still add up to ``population`` (largest-remainder rounding). For the COVID-99 test with a 1%
    false-alarm rate and 1,000 people: 99 true positives, 1 false negative, 9 false positives,
    891 true negatives.
    """
    p = float(check_probability(prior, "prior"))
    s = float(check_probability(sensitivity, "sensitivity"))
    f = float(check_probability(false_alarm_rate, "false_alarm_rate"))
    if isinstance(population, bool) or int(population) != population or population < 1:
        raise ValueError(f"population must be a whole number of people >= 1, got {population!r}.")
    exact = np.array([p * s, p * (1 - s), (1 - p) * f, (1 - p) * (1 - f)]) * population
    counts = np.floor(exact + 1e-9).astype(int)
    short = int(population) - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:short]] += 1
    return ConfusionCounts(*(int(c) for c in counts))


# --------------------------------------------------------------------------- the coin: Beta-Binomial
def _check_shape(a: float, b: float) -> None:
    if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"Beta parameters must be positive numbers, got a={a!r}, b={b!r}.")


def beta_posterior(heads: int, tails: int, a: float = 1.0, b: float = 1.0) -> tuple[float, float]:
    """Beta(a, b) prior + coin flips -> Beta(a + heads, b + tails) posterior (conjugacy).

    ``a = b = 1`` is the uniform prior ("any bias is equally likely"); ``a`` and ``b`` act like
    heads and tails seen before the data.
    """
    _check_shape(a, b)
    if heads < 0 or tails < 0:
        raise ValueError(f"heads and tails are counts >= 0, got heads={heads}, tails={tails}.")
    return float(a + heads), float(b + tails)


def beta_pdf(x: ArrayLike, a: float, b: float) -> np.ndarray:
    """The Beta(a, b) density at ``x`` (array, values in [0, 1]); same shape as ``x``.

    Computed in log space, so it stays finite for large ``a`` and ``b`` (thousands of flips).
    At x = 0 or 1 it is 0, or ``inf`` where ``a < 1`` (or ``b < 1``).
    """
    _check_shape(a, b)
    x = check_probability(x, "x")
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.where(a == 1, 0.0, (a - 1) * np.log(x))
        right = np.where(b == 1, 0.0, (b - 1) * np.log1p(-x))
        return np.exp(log_norm + left + right)


def beta_mean(a: float, b: float) -> float:
    """Mean of Beta(a, b): a / (a + b)."""
    _check_shape(a, b)
    return a / (a + b)


def beta_sd(a: float, b: float) -> float:
    """Standard deviation of Beta(a, b): sqrt(ab / ((a+b)^2 (a+b+1))). It shrinks like 1/sqrt(flips)."""
    _check_shape(a, b)
    return math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))


def beta_mode(a: float, b: float) -> float:
    """Mode of Beta(a, b), (a - 1) / (a + b - 2): the MAP estimate. Needs a > 1 and b > 1.

    Raises:
        ValueError: ``a <= 1`` or ``b <= 1`` (the density then peaks at 0 or 1, or is flat).
    """
    _check_shape(a, b)
    if a <= 1 or b <= 1:
        raise ValueError(f"Beta({a:g}, {b:g}) has no single interior peak (needs a > 1 and b > 1): use a "
                         "prior such as Beta(2, 2), or report the mean instead.")
    return (a - 1) / (a + b - 2)


def coin_mle(heads: int, flips: int) -> float:
    """Maximum-likelihood estimate of P(heads): heads / flips (the frequentist answer).

    Raises:
        ValueError: no flips (the likelihood is flat: the data say nothing yet), or heads > flips.
    """
    if flips <= 0:
        raise ValueError("With 0 flips the MLE is undefined (every bias fits no data equally well). "
                         "Flip the coin, or use coin_map with a prior.")
    if not 0 <= heads <= flips:
        raise ValueError(f"heads must be between 0 and flips={flips}, got {heads}.")
    return heads / flips


def coin_map(heads: int, flips: int, a: float = 2.0, b: float = 2.0) -> float:
    """Maximum a-posteriori estimate of P(heads) with a Beta(a, b) prior: the posterior's mode.

    ``(heads + a - 1) / (flips + a + b - 2)``: like the MLE with ``a - 1`` extra heads and
    ``b - 1`` extra tails; the prior's pull fades as ``flips`` grows.
    """
    if not 0 <= heads <= flips:
        raise ValueError(f"heads must be between 0 and flips={flips}, got {heads}.")
    return beta_mode(*beta_posterior(heads, flips - heads, a, b))


# --------------------------------------------------------------------------- Simpson's paradox
#: Kidney-stone treatment successes, (successes, patients), by treatment and stone size.
#: Charig CR, Webb DR, Payne SR, Wickham JEA, Br Med J (Clin Res Ed) 1986;292(6524):879-882;
#: split by size as popularised by Julious & Mullee, BMJ 1994;309:1480.
#: A = open surgery, B = percutaneous nephrolithotomy (PCNL).
KIDNEY_STONES: dict[str, dict[str, tuple[int, int]]] = {
    "A": {"small": (81, 87), "large": (192, 263)},
    "B": {"small": (234, 270), "large": (55, 80)},
}
#: Long names of the treatments in ``KIDNEY_STONES``.
TREATMENTS = {"A": "open surgery", "B": "PCNL"}

Table = Mapping[str, Mapping[str, tuple[int, int]]]


def _check_table(table: Table) -> None:
    strata = None
    for treatment, rows in table.items():
        if strata is None:
            strata = list(rows)
        if list(rows) != strata:
            raise ValueError(f"every treatment needs the same strata in the same order; {treatment!r} has "
                             f"{list(rows)}, expected {strata}.")
        for stratum, (wins, n) in rows.items():
            if n <= 0 or not 0 <= wins <= n:
                raise ValueError(f"{treatment}/{stratum}: successes must be between 0 and the number of "
                                 f"patients (> 0), got {wins}/{n}.")


def success_rates(table: Table = KIDNEY_STONES) -> dict[str, dict[str, float]]:
    """P(success | treatment, stratum) for each treatment and stratum."""
    _check_table(table)
    return {t: {z: wins / n for z, (wins, n) in rows.items()} for t, rows in table.items()}


def overall_rates(table: Table = KIDNEY_STONES) -> dict[str, float]:
    """P(success | treatment), pooling the strata (the comparison that misleads)."""
    _check_table(table)
    return {t: sum(w for w, _ in rows.values()) / sum(n for _, n in rows.values()) for t, rows in table.items()}


def stratum_weights(table: Table = KIDNEY_STONES) -> dict[str, float]:
    """P(stratum) among all patients of all treatments: the weights of the adjustment formula.

    Kidney stones: P(small) = (87 + 270) / 700 = 357/700 = 0.51.
    """
    _check_table(table)
    strata = list(next(iter(table.values())))
    sizes = {z: sum(rows[z][1] for rows in table.values()) for z in strata}
    total = sum(sizes.values())
    return {z: n / total for z, n in sizes.items()}


def adjusted_rate(rates: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The adjustment (back-door) formula: P(y | do(x)) = sum over z of P(y | x, z) P(z).

    Args:
        rates: P(y | x, z) for each stratum z.
        weights: P(z) for the same strata; they must add up to 1.
    """
    if set(rates) != set(weights):
        raise ValueError(f"rates and weights must name the same strata, got {sorted(rates)} and {sorted(weights)}.")
    for z in rates:
        check_probability(rates[z], f"rates[{z!r}]")
        check_probability(weights[z], f"weights[{z!r}]")
    if abs(sum(weights.values()) - 1) > 1e-9:
        raise ValueError(f"the weights P(z) must add up to 1, they add up to {sum(weights.values()):.6g}.")
    return float(sum(rates[z] * weights[z] for z in rates))


def adjusted_rates(table: Table = KIDNEY_STONES) -> dict[str, float]:
    """``adjusted_rate`` for every treatment, weighting strata by ``stratum_weights(table)``.

    Kidney stones: A 0.8325, B 0.7789 (B 0.826 vs A 0.780 before adjusting).
    """
    weights = stratum_weights(table)
    return {t: adjusted_rate(r, weights) for t, r in success_rates(table).items()}


# --------------------------------------------------------------------------- causal vs spurious features
def shift_data(n: int, agreement: float, rng: np.random.Generator, *,
               causal_signal: float = 1.0, spurious_noise: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """A toy world with one causal and one spurious feature ("cow on grass, camel on sand").

    The label ``y`` (0 or 1, equally likely) *causes* feature 0: ``(2y - 1) * causal_signal`` plus
    standard normal noise, the same in every environment. Feature 1 is a background that merely
    co-occurs with ``y``: it signals ``y`` with probability ``agreement`` and the wrong class
    otherwise, with ``N(0, spurious_noise^2)`` noise. Only ``agreement`` differs between training
    and test environments.

    Returns:
        ``X`` float64 of shape ``(n, 2)`` (columns: causal, spurious) and ``y`` int64 of shape ``(n,)``.
    """
    agreement = float(check_probability(agreement, "agreement"))
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}.")
    y = rng.integers(0, 2, size=n)
    sign = 2.0 * y - 1.0
    causal = causal_signal * sign + rng.standard_normal(n)
    agrees = rng.random(n) < agreement
    spurious = np.where(agrees, sign, -sign) + spurious_noise * rng.standard_normal(n)
    return np.column_stack([causal, spurious]), y.astype(np.int64)


def fit_logistic(X: np.ndarray, y: np.ndarray, *, steps: int = 500, lr: float = 0.5) -> tuple[np.ndarray, float]:
    """Logistic regression by full-batch gradient descent on the mean cross-entropy (deterministic).

    Args:
        X: features, shape ``(n, d)``.
        y: labels 0/1, shape ``(n,)``.

    Returns:
        ``(w, b)``: weights of shape ``(d,)`` and the bias; P(y=1|x) = sigmoid(x @ w + b).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must have shape (n, d) and y shape (n,), got {X.shape} and {y.shape}.")
    w = np.zeros(X.shape[1])
    b = 0.0
    for _ in range(steps):
        z = np.clip(X @ w + b, -30, 30)
        err = 1.0 / (1.0 + np.exp(-z)) - y
        w -= lr * (X.T @ err) / len(y)
        b -= lr * float(err.mean())
    return w, b


def logistic_accuracy(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> float:
    """Share of rows where ``x @ w + b > 0`` agrees with ``y == 1``."""
    return float(np.mean((np.asarray(X, float) @ w + b > 0) == (np.asarray(y) == 1)))


#: The models compared by ``shift_experiment``: the feature columns each may use.
SHIFT_MODELS = {"causal feature only": [0], "spurious feature only": [1], "both features": [0, 1]}


def shift_experiment(train_agreement: float = 0.95, test_agreements: Sequence[float] = (0.95, 0.5, 0.1),
                     n: int = 4000, seed: int = 0) -> dict[str, dict[str, object]]:
    """Train the models of ``SHIFT_MODELS`` in one environment, test them in others.

    Args:
        train_agreement: how often the spurious feature points to the right class in training.
        test_agreements: the same, for each test environment (0.5: no relation; 0.1: reversed).
        n: examples per environment.
        seed: seeds a private ``numpy.random.Generator``; the global random state is untouched.

    Returns:
        ``{model: {"weights": w, "train": accuracy, "test": array of accuracies (one per test
        environment)}}``; the same numbers for the same arguments.
    """
    rng = np.random.default_rng(seed)
    X_train, y_train = shift_data(n, train_agreement, rng)
    tests = [shift_data(n, a, rng) for a in test_agreements]
    results: dict[str, dict[str, object]] = {}
    for name, cols in SHIFT_MODELS.items():
        w, b = fit_logistic(X_train[:, cols], y_train)
        results[name] = {
            "weights": w,
            "train": logistic_accuracy(w, b, X_train[:, cols], y_train),
            "test": np.array([logistic_accuracy(w, b, X[:, cols], y) for X, y in tests]),
        }
    return results

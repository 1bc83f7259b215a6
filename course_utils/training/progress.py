"""How ``fit`` reports progress: a live bar for people, one plain line per epoch for machines.

Modes (argument ``progress=`` of ``fit``, else the ``COURSE_PROGRESS`` environment variable):

``"bar"``   a ``tqdm.auto`` bar per epoch (a widget in Jupyter/Colab, text in a terminal) with the
            running loss; it stays on screen with the epoch's results when the epoch ends.
``"plain"`` exactly one line per epoch on stdout, e.g.
            ``epoch 2/5  train_loss 0.4123  train_acc 0.8812  val_loss 0.4011  val_acc 0.8890``:
            no timings, no bar, nothing on stderr, so strict nbval can compare it.
``"none"``  nothing.
``"auto"``  (default) ``"plain"`` when the ``CI`` variable is set or output is neither a notebook
            nor a terminal; ``"bar"`` otherwise.
"""

from __future__ import annotations

import sys
from typing import Optional, Union

from ..plumbing.runtime import in_notebook, progress_mode


def resolve_mode(progress: Union[str, bool, None] = None) -> str:
    """The progress mode to use: ``"bar"``, ``"plain"`` or ``"none"`` (the policy of
    ``course_utils.plumbing.runtime.progress_mode``)."""
    return progress_mode(progress)


def format_metrics(row: dict, digits: int = 4) -> str:
    """``train_loss 0.4123  train_acc 0.8812 ...``: the reproducible numbers of a History row."""
    parts = []
    for name, value in row.items():
        if name in ("epoch", "time_s", "samples_per_s") or value is None:
            continue
        parts.append(f"{name} {value:.3g}" if name == "lr" else f"{name} {value:.{digits}f}")
    return "  ".join(parts)


def epoch_line(row: dict, epochs: int) -> str:
    """The plain-mode line of one epoch: ``epoch 2/5  train_loss 0.4123  ...`` (no timings)."""
    metrics = format_metrics(row)
    return f"epoch {row['epoch']}/{epochs}" + (f"  {metrics}" if metrics else "")


class Reporter:
    """Silent base class; ``fit`` calls these hooks (only on the main process)."""

    mode = "none"

    def epoch_start(self, epoch: int, epochs: int, total: Optional[int]) -> None:
        """An epoch of ``total`` steps (``None``: unknown) begins."""

    def step(self, count: int = 1) -> None:
        """``count`` training steps are done (host-side counter only: no device read)."""

    def running(self, values: dict) -> None:
        """Running means so far in this epoch (called at most about once per second)."""

    def epoch_end(self, row: dict, history) -> None:
        """The epoch is done; ``row`` is its History row."""

    def replay(self, history, epochs: int) -> None:
        """Epochs loaded from a checkpoint instead of trained."""

    def note(self, text: str) -> None:
        """An informative message for people (resumed, loaded); plain mode drops it so its output
        depends on the resulting History only."""

    def warn(self, text: str) -> None:
        """A message that must be seen in every mode but ``none`` (e.g. after Ctrl+C)."""

    def close(self) -> None:
        """Training ended (normally or not)."""


class PlainReporter(Reporter):
    """One line per epoch on stdout; a resumed or loaded run prints the same lines as a fresh one."""

    mode = "plain"

    def __init__(self, stream=None) -> None:
        self._stream = stream
        self._epochs = 0

    def _print(self, text: str) -> None:
        print(text, file=self._stream if self._stream is not None else sys.stdout, flush=True)

    def epoch_start(self, epoch, epochs, total):
        self._epochs = epochs

    def epoch_end(self, row, history):
        self._print(epoch_line(row, self._epochs))

    def replay(self, history, epochs):
        for row in history:
            self._print(epoch_line(row, epochs))

    def warn(self, text):
        self._print(text)


class BarReporter(Reporter):
    """A ``tqdm.auto`` bar per epoch, plus an optional live plot of the History in notebooks."""

    mode = "bar"

    def __init__(self, live_plot: bool = False) -> None:
        from tqdm.auto import tqdm

        self._tqdm = tqdm
        self._bar = None
        self._plot = LivePlot() if live_plot and in_notebook() else None

    def epoch_start(self, epoch, epochs, total):
        self.close()
        self._bar = self._tqdm(total=total, desc=f"epoch {epoch}/{epochs}", unit="batch", leave=True,
                               dynamic_ncols=True)

    def step(self, count=1):
        if self._bar is not None:
            self._bar.update(count)

    def running(self, values):
        if self._bar is not None:
            self._bar.set_postfix_str(format_metrics(values), refresh=True)

    def epoch_end(self, row, history):
        if self._bar is not None:
            self._bar.set_postfix_str(format_metrics(row), refresh=True)
            self.close()
        if self._plot is not None:
            self._plot.update(history)

    def replay(self, history, epochs):
        for row in history:
            self._tqdm.write(epoch_line(row, epochs))
        if self._plot is not None and len(history):
            self._plot.update(history)

    def note(self, text):
        self._tqdm.write(text)

    def warn(self, text):
        self._tqdm.write(text)

    def close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class LivePlot:
    """Loss and metric curves redrawn in place in a notebook output after every epoch."""

    def __init__(self) -> None:
        self._handle = None
        self._figure = None

    def update(self, history) -> None:
        from IPython.display import display
        from matplotlib.figure import Figure  # not pyplot: the figure is shown once, by display()

        names = history._metric_names()
        if not names:
            return
        if self._figure is None or len(self._figure.axes) != len(names):
            self._figure = Figure(figsize=(5 * len(names), 3.4))
            self._figure.subplots(1, len(names), squeeze=False)
        history.draw(self._figure.axes, names)
        self._figure.tight_layout()
        if self._handle is None:
            self._handle = display(self._figure, display_id=True)
        else:
            self._handle.update(self._figure)


def make_reporter(mode: str, live_plot: bool = False) -> Reporter:
    """The ``Reporter`` for a mode from ``resolve_mode``."""
    if mode == "plain":
        return PlainReporter()
    if mode == "bar":
        return BarReporter(live_plot=live_plot)
    return Reporter()

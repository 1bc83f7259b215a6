"""``History``: what ``fit`` measured, one row per epoch, printable as a table and plottable.

A row is a plain ``dict``::

    {"epoch": 3, "train_loss": 0.4123, "train_acc": 0.8812, "val_loss": 0.4011, "val_acc": 0.889,
     "time_s": 1.93, "samples_per_s": 31088.0}

``train_*``/``val_*`` are means over every sample of the epoch (the last, smaller batch weighs
what it holds). ``lr`` is recorded when ``fit`` was given a scheduler. ``time_s`` (training plus
validation, seconds) and ``samples_per_s`` (training samples per second of training) differ from
run to run; everything else is reproducible with a fixed seed on the CPU. That is why
``history.table(timing=False)`` exists: it is what a notebook checked by strict nbval prints.
"""

from __future__ import annotations

import math
from typing import Iterator, Optional, Sequence, Union

#: Columns that change from run to run (left out by ``table(timing=False)``).
TIMING_COLUMNS = ("time_s", "samples_per_s")

_LABELS = {"loss": "loss", "acc": "accuracy"}


class History:
    """Per-epoch results of ``fit``.

    Access:
        ``len(history)`` epochs; ``history[-1]`` the last row (a ``dict``);
        ``history["val_loss"]`` one column as a list (``None`` where an epoch lacks it);
        ``history.columns`` the column names; iterate for the rows.

    Output:
        ``print(history)`` the full table, timings included; ``history.table(timing=False)``
        the reproducible part only (use it in notebooks); ``history.plot()`` a matplotlib
        Figure with the loss curves and one panel per metric.
    """

    def __init__(self, rows: Optional[Sequence[dict]] = None) -> None:
        self._rows: list[dict] = [dict(row) for row in rows] if rows is not None else []

    # ------------------------------------------------------------------ container
    def append(self, row: dict) -> None:
        """Add one epoch's row (a ``dict`` with at least ``"epoch"``)."""
        if "epoch" not in row:
            raise ValueError(f"A History row needs an 'epoch' entry; got keys {sorted(row)}.")
        self._rows.append(dict(row))

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[dict]:
        return (dict(row) for row in self._rows)

    def __getitem__(self, key: Union[int, str]):
        if isinstance(key, str):
            if key not in self.columns:
                raise KeyError(f"No column {key!r} in this History; its columns are {self.columns}.")
            return [row.get(key) for row in self._rows]
        return dict(self._rows[key])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, History) and self._rows == other._rows

    @property
    def columns(self) -> list[str]:
        """Column names in first-seen order (``epoch`` first)."""
        names: list[str] = []
        for row in self._rows:
            names.extend(name for name in row if name not in names)
        return names

    @property
    def rows(self) -> list[dict]:
        """A copy of the rows."""
        return [dict(row) for row in self._rows]

    def without_timing(self) -> "History":
        """The same History without ``time_s`` and ``samples_per_s`` (compare two runs with ``==``)."""
        return History([{k: v for k, v in row.items() if k not in TIMING_COLUMNS} for row in self._rows])

    def best(self, column: str = "val_loss", mode: Optional[str] = None) -> dict:
        """The row where ``column`` is best: lowest for losses, highest otherwise (or ``mode="min"/"max"``)."""
        values = [(v, i) for i, v in enumerate(self[column]) if v is not None]
        if not values:
            raise ValueError(f"Column {column!r} has no values yet.")
        mode = mode or ("min" if column.endswith("loss") else "max")
        pick = min if mode == "min" else max
        return dict(self._rows[pick(values)[1]])

    # ------------------------------------------------------------------ serialisation
    def state_dict(self) -> dict:
        """Plain data for a checkpoint: ``{"rows": [...]}``."""
        return {"rows": self.rows}

    @classmethod
    def from_state_dict(cls, state: dict) -> "History":
        return cls(state.get("rows", []))

    # ------------------------------------------------------------------ text
    def table(self, *, timing: bool = True, columns: Optional[Sequence[str]] = None, digits: int = 4) -> str:
        """The history as a fixed-width text table, one line per epoch.

        Args:
            timing: include ``time_s`` and ``samples_per_s``. ``timing=False`` gives output that is
                identical from run to run (with the same seed on the CPU): print that in notebooks.
            columns: the columns to show, in order (default: all, ``epoch`` first).
            digits: decimals of losses and metrics.
        """
        names = list(columns) if columns is not None else self.columns
        if not timing:
            names = [n for n in names if n not in TIMING_COLUMNS]
        if "epoch" in names:
            names.remove("epoch")
        names.insert(0, "epoch")
        headers = ["samples/s" if n == "samples_per_s" else n for n in names]
        cells = [[_format(name, row.get(name), digits) for name in names] for row in self._rows]
        widths = [max([len(h)] + [len(line[i]) for line in cells]) for i, h in enumerate(headers)]
        lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths))]
        lines += ["  ".join(c.rjust(w) for c, w in zip(line, widths)) for line in cells]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table() if self._rows else "History(no epochs yet)"

    def __repr__(self) -> str:
        # Deterministic on purpose (no timings): a notebook that ends a cell with `history` stays nbval-stable.
        shown = [c for c in self.columns if c != "epoch"]
        return f"History({len(self)} epoch{'' if len(self) == 1 else 's'}: {', '.join(shown)})"

    # ------------------------------------------------------------------ plot
    def plot(self, metrics: Optional[Sequence[str]] = None, *, ax=None, title: Optional[str] = "Training history"):
        """Plot the loss curves and each metric against the epoch.

        Args:
            metrics: base names to plot, e.g. ``["loss", "acc"]`` (default: ``loss`` and every
                metric recorded). Each gets one panel with its ``train_`` and ``val_`` curves.
            ax: an Axes, or a sequence of as many Axes as panels, to draw into; default: a new
                figure (made with ``matplotlib.pyplot``, so a notebook shows it; end the line
                with ``;`` to avoid a second copy).
            title: the figure's title (``None`` for none).

        Returns:
            The matplotlib ``Figure``; every panel has a title, axis labels and a legend.
        """
        if not self._rows:
            raise ValueError("This History is empty: train at least one epoch before plotting it.")
        names = list(metrics) if metrics is not None else self._metric_names()
        if not names:
            raise ValueError(f"Nothing to plot: no train_/val_ columns in {self.columns}.")
        if ax is None:
            import matplotlib.pyplot as plt

            fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 3.6), squeeze=False)
            axes = list(axes[0])
        else:
            if hasattr(ax, "flat"):  # a NumPy array of Axes from plt.subplots
                axes = list(ax.flat)
            else:
                axes = list(ax) if isinstance(ax, (list, tuple)) else [ax]
            if len(axes) != len(names):
                raise ValueError(f"plot() draws {len(names)} panel(s) ({names}) but got {len(axes)} Axes.")
            fig = axes[0].figure
        self.draw(axes, names)
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        return fig

    def draw(self, axes: Sequence, names: Sequence[str]) -> None:
        """Draw the panels ``names`` into ``axes`` (cleared first); used by ``plot`` and the live plot."""
        from matplotlib.ticker import MaxNLocator

        epochs = self["epoch"]
        for axis, name in zip(axes, names):
            axis.clear()
            for split, style in (("train", "-o"), ("val", "--s")):
                column = f"{split}_{name}"
                if column in self.columns:
                    points = [(e, v) for e, v in zip(epochs, self[column]) if v is not None and math.isfinite(v)]
                    if points:
                        axis.plot(*zip(*points), style, markersize=3, label=split)
            label = _LABELS.get(name, name)
            axis.set_title(label.capitalize())
            axis.set_xlabel("epoch")
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
            axis.set_ylabel(label)
            axis.grid(True, alpha=0.3)
            if axis.get_legend_handles_labels()[0]:
                axis.legend()

    def _metric_names(self) -> list[str]:
        names: list[str] = []
        for column in self.columns:
            for prefix in ("train_", "val_"):
                if column.startswith(prefix) and column[len(prefix):] not in names:
                    names.append(column[len(prefix):])
        names.sort(key=lambda n: (n != "loss",))
        return names


def _format(name: str, value, digits: int) -> str:
    if value is None:
        return "-"
    if name == "epoch":
        return str(int(value))
    if name == "time_s":
        return f"{value:.2f}"
    if name == "samples_per_s":
        return f"{value:,.0f}"
    if name == "lr":
        return f"{value:.3g}"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)

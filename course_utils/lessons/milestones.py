"""Deep-learning milestones 2012-2020, kept as data, and the figures of notebook 02.

Every date, venue and author here follows the course fact sheet ``docs/FACTS.md`` (tests/test_milestones.py
checks them against it). "First public" means the first version anyone could read: usually the
arXiv preprint, which can precede the peer-reviewed venue by a year or more (DQN: arXiv in Dec 2013,
Nature in Feb 2015). That is why different sources give different years for the same idea.

Public API::

    MILESTONES                 # tuple of Milestone, in date order
    milestone(name)            # one of them, by name (case-insensitive)
    table_rows()               # list of dicts, ready for printing or pandas
    NOTES_CORRECTIONS          # where the study notes say something else, and the fact
    conv_output_size(...)      # the arithmetic behind "224 vs 227" (AlexNet's first layer)
    timeline_figure()          # the 2012-2020 timeline, by research area
    ai_ml_dl_figure()          # AI contains ML contains DL

Nothing happens at import: matplotlib is imported inside the figure functions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional, Sequence

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: Research areas used as the rows of the timeline, top to bottom.
AREAS = ("vision", "sequences & language", "reinforcement learning", "generative models",
         "optimisation", "self-supervised")


@dataclass(frozen=True)
class Milestone:
    """One milestone of the timeline.

    Attributes:
        name: short name, e.g. ``"ResNet"``.
        year: year of the first public version (preprint, report or competition entry).
        month: its month, 1-12, or ``None`` where only the year is documented.
        first_public: where it first appeared, e.g. ``"arXiv:1512.03385"`` or ``"ILSVRC-2012 entry"``.
        venue: the peer-reviewed publication, e.g. ``"CVPR 2016"``; ``None`` if there is none.
        authors: authors as usually cited, e.g. ``"He, Zhang, Ren, Sun"`` or ``"Mnih et al."``.
        title: the paper's title.
        idea: the idea in one line.
        area: one of ``AREAS``.
        notes_year: the year the study notes give (``None`` if the notes do not list it).
    """

    name: str
    year: int
    month: Optional[int]
    first_public: str
    venue: Optional[str]
    authors: str
    title: str
    idea: str
    area: str
    notes_year: Optional[int] = None

    @property
    def date(self) -> str:
        """``"Dec 2015"``, or ``"2012"`` when the month is unknown."""
        return f"{_MONTHS[self.month - 1]} {self.year}" if self.month else str(self.year)

    @property
    def decimal_year(self) -> float:
        """Position on a time axis: the middle of the month (the middle of the year if unknown)."""
        return self.year + ((self.month - 0.5) / 12 if self.month else 0.5)

    @property
    def arxiv(self) -> Optional[str]:
        """The arXiv id (``"1512.03385"``) or ``None``."""
        return self.first_public.split("arXiv:", 1)[1] if "arXiv:" in self.first_public else None

    @property
    def url(self) -> Optional[str]:
        """``https://arxiv.org/abs/<id>`` when there is an arXiv id."""
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else None

    @property
    def notes_wrong(self) -> bool:
        """True when the study notes give another year than the first public version."""
        return self.notes_year is not None and self.notes_year != self.year


MILESTONES: tuple[Milestone, ...] = (
    Milestone("AlexNet", 2012, None, "ILSVRC-2012 entry", "NIPS 2012", "Krizhevsky, Sutskever, Hinton",
              "ImageNet Classification with Deep Convolutional Neural Networks",
              "a deep CNN trained on GPUs wins ImageNet: top-5 error 15.3% vs 26.2% for the runner-up",
              "vision", notes_year=2012),
    Milestone("DQN", 2013, 12, "arXiv:1312.5602", "Nature 518, Feb 2015", "Mnih et al.",
              "Playing Atari with Deep Reinforcement Learning",
              "a CNN learns Q-values from raw Atari pixels: deep reinforcement learning",
              "reinforcement learning", notes_year=2013),
    Milestone("RNN encoder-decoder", 2014, 6, "arXiv:1406.1078", "EMNLP 2014", "Cho et al.",
              "Learning Phrase Representations using RNN Encoder-Decoder for Statistical Machine Translation",
              "one RNN encodes a sentence into a vector, another decodes it into another language (and the GRU)",
              "sequences & language", notes_year=2014),
    Milestone("GAN", 2014, 6, "arXiv:1406.2661", "NIPS 2014", "Goodfellow et al.",
              "Generative Adversarial Nets",
              "a generator and a discriminator trained against each other: the generator learns the data",
              "generative models", notes_year=2015),
    Milestone("seq2seq", 2014, 9, "arXiv:1409.3215", "NIPS 2014", "Sutskever, Vinyals, Le",
              "Sequence to Sequence Learning with Neural Networks",
              "deep LSTM encoder-decoder for translation, end to end",
              "sequences & language"),
    Milestone("Attention", 2014, 9, "arXiv:1409.0473", "ICLR 2015", "Bahdanau, Cho, Bengio",
              "Neural Machine Translation by Jointly Learning to Align and Translate",
              "the decoder looks back at every input word with learned weights instead of one fixed vector",
              "sequences & language"),
    Milestone("Adam", 2014, 12, "arXiv:1412.6980", "ICLR 2015", "Kingma, Ba",
              "Adam: A Method for Stochastic Optimization",
              "per-parameter step sizes from running averages of the gradient and its square",
              "optimisation", notes_year=2014),
    Milestone("ResNet", 2015, 12, "arXiv:1512.03385", "CVPR 2016", "He, Zhang, Ren, Sun",
              "Deep Residual Learning for Image Recognition",
              "skip connections (x + f(x)) make 100+ layer networks trainable; ILSVRC-2015 top-5 error 3.57%",
              "vision", notes_year=2015),
    Milestone("Transformer", 2017, 6, "arXiv:1706.03762", "NIPS 2017", "Vaswani et al.",
              "Attention Is All You Need",
              "attention only, no recurrence: every token attends to every other token in parallel",
              "sequences & language", notes_year=2017),
    Milestone("BERT", 2018, 10, "arXiv:1810.04805", "NAACL 2019", "Devlin, Chang, Lee, Toutanova",
              "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
              "pre-train a Transformer encoder by filling in masked words, then fine-tune it per task",
              "sequences & language", notes_year=2018),
    Milestone("GPT-2", 2019, 2, "OpenAI report", None, "Radford et al.",
              "Language Models are Unsupervised Multitask Learners",
              "a 1.5B-parameter Transformer language model: the big language model of 2019",
              "sequences & language"),
    Milestone("SimCLR", 2020, 2, "arXiv:2002.05709", "ICML 2020", "Chen, Kornblith, Norouzi, Hinton",
              "A Simple Framework for Contrastive Learning of Visual Representations",
              "learn from unlabelled images: two augmented views of one image should embed close together",
              "self-supervised", notes_year=2020),
    Milestone("GPT-3", 2020, 5, "arXiv:2005.14165", "NeurIPS 2020", "Brown et al.",
              "Language Models are Few-Shot Learners",
              "a 175B-parameter language model that does new tasks from a few examples in its prompt",
              "sequences & language", notes_year=2019),
)


@dataclass(frozen=True)
class Correction:
    """Something the study notes state that the sources contradict."""

    topic: str
    notes_say: str
    fact: str
    source: str


NOTES_CORRECTIONS: tuple[Correction, ...] = (
    Correction("AlexNet input size", "244*244", "224x224x3 (227x227 makes the conv1 arithmetic exact)",
               "Krizhevsky et al., NIPS 2012, section 3.5"),
    Correction("GAN", "2015", "2014 (arXiv:1406.2661, June; NIPS 2014)", "Goodfellow et al. 2014"),
    Correction("GPT-3", "2019", "2020 (arXiv:2005.14165, May; 175B parameters). 2019's big model is GPT-2 "
               "(Feb 2019, 1.5B parameters)", "Brown et al. 2020; Radford et al. 2019"),
)


def milestone(name: str) -> Milestone:
    """The milestone called ``name`` (case-insensitive). Raises ``KeyError`` listing the names."""
    for item in MILESTONES:
        if item.name.lower() == name.strip().lower():
            return item
    raise KeyError(f"No milestone named {name!r}. Known: {', '.join(m.name for m in MILESTONES)}.")


def table_rows(milestones: Optional[Sequence[Milestone]] = None) -> list[dict]:
    """The milestones as a list of plain dicts (keys: the ``Milestone`` fields plus ``date``)."""
    rows = []
    for item in MILESTONES if milestones is None else milestones:
        row = asdict(item)
        row["date"] = item.date
        rows.append(row)
    return rows


def format_table(milestones: Optional[Sequence[Milestone]] = None) -> str:
    """A fixed-width text table: date, name, first public version, venue, authors."""
    items = list(MILESTONES if milestones is None else milestones)
    header = ("date", "milestone", "first public", "venue", "authors")
    rows = [(m.date, m.name, m.first_public, m.venue or "-", m.authors) for m in items]
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> float:
    """Output width of a convolution, *before* rounding down: ``(size + 2*padding - kernel) / stride + 1``.

    A framework floors this number; a fractional result means the last input pixels are never
    covered. AlexNet's conv1 (kernel 11, stride 4) gives 55 exactly for a 227-pixel input,
    54.25 for 224 (no padding), and 55.25 -> 55 for 224 with padding 2 (torchvision's choice).
    """
    if min(size, kernel, stride) < 1 or padding < 0:
        raise ValueError("size, kernel and stride must be positive and padding non-negative; "
                         f"got size={size}, kernel={kernel}, stride={stride}, padding={padding}.")
    return (size + 2 * padding - kernel) / stride + 1


def timeline_figure(milestones: Optional[Sequence[Milestone]] = None, *, start: int = 2012, end: int = 2020,
                    show_notes: bool = True, figsize: tuple[float, float] = (11, 4.8)):
    """Draw the milestones from ``start`` to ``end`` (inclusive) on one row per research area.

    Each milestone is a dot at the month of its first public version, labelled with its name.
    With ``show_notes``, a milestone the study notes date differently gets a hollow red circle at
    the notes' year and an arrow to the correct date. Returns the matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt

    items = [m for m in (MILESTONES if milestones is None else milestones) if start <= m.year <= end]
    fig, ax = plt.subplots(figsize=figsize)
    rows = {area: len(AREAS) - 1 - i for i, area in enumerate(AREAS)}
    colors = plt.get_cmap("tab10")
    levels = (0.3, -0.33, 0.56)  # label offsets, cycled within a cluster of close milestones
    last: dict[str, tuple[float, int]] = {}
    for m in sorted(items, key=lambda item: item.decimal_year):
        y = rows[m.area]
        x = m.decimal_year
        ax.plot([x], [y], "o", color=colors(AREAS.index(m.area)), markersize=9, zorder=3)
        prev_x, prev_k = last.get(m.area, (-1e9, -1))
        k = prev_k + 1 if x - prev_x < 0.8 else 0
        last[m.area] = (x, k)
        ax.text(x, y + levels[k % len(levels)], m.name, ha="center", va="center", fontsize=9)
        if show_notes and m.notes_wrong:
            xn = m.notes_year + 0.5
            ax.plot([xn], [y], "o", mfc="none", mec="tab:red", markersize=11, zorder=2)
            ax.annotate("", xy=(x, y), xytext=(xn, y),
                        arrowprops={"arrowstyle": "->", "color": "tab:red", "lw": 1.2})
            ax.text(xn, y + 0.3, f"notes: {m.notes_year}", color="tab:red", ha="center", fontsize=8)
    ax.set_yticks(list(rows.values()), list(rows.keys()))
    ax.set_ylim(-0.7, len(AREAS) - 0.4)
    ax.set_xlim(start, end + 1)
    ax.set_xticks(range(start, end + 2))
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("date of the first public version (preprint, report or competition entry)")
    ax.set_ylabel("research area")
    title = f"Deep-learning milestones, {start}-{end}"
    if show_notes:
        title += " (red: the study notes' year, corrected)"
    ax.set_title(title)
    fig.tight_layout()
    return fig


def ai_ml_dl_figure(figsize: tuple[float, float] = (6.5, 4.2)):
    """Three nested ellipses: artificial intelligence contains machine learning contains deep learning.

    Returns the matplotlib ``Figure``. The sizes are not to scale.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse

    fig, ax = plt.subplots(figsize=figsize)
    layers = (
        ((0.0, 0.0), 9.0, 6.0, "#d9e6f5", "AI\nany technique that makes\ncomputers act intelligently",
         (0.0, 2.15)),
        ((0.6, -0.5), 6.4, 4.2, "#a9c8ec", "ML\nlearn the behaviour from data", (0.6, 0.95)),
        ((1.0, -1.0), 3.6, 2.0, "#5a9bd8", "DL\nML with deep neural networks", (1.0, -1.0)),
    )
    for centre, width, height, color, label, text_at in layers:
        ax.add_patch(Ellipse(centre, width, height, facecolor=color, edgecolor="#2b5d8c", lw=1.5))
        ax.text(*text_at, label, ha="center", va="center", fontsize=9)
    ax.set_xlim(-4.8, 4.8)
    ax.set_ylim(-3.3, 3.3)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("each field contains the next (areas not to scale)")
    ax.set_ylabel("more general  ->")
    ax.set_title("AI ⊃ ML ⊃ DL")
    fig.tight_layout()
    return fig

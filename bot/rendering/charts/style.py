"""How every chart looks: readable in grey scale, offline, the same bytes for the same figures.

matplotlib draws through its Agg (PNG) and SVG backends with no display and no
network, and keeps no global state here: each chart is a ``Figure`` of its own
(never pyplot), drawn inside :func:`styled`. Series differ by lightness *and*
by hatch or marker, so a chart printed in black and white still tells them
apart. SVG text stays text (``svg.fonttype = none``): smaller files, and the
words can be selected and copied. ``text.parse_math`` is off because
organisation names are data: "$" must not start mathtext.
"""

from __future__ import annotations

import io
import math
import re
from contextlib import contextmanager

import matplotlib
from matplotlib.figure import Figure

INK, MID, LIGHT, PAPER = "#1d3a56", "#5b8db8", "#c9dcec", "#ffffff"  # lightness ~23, ~56, ~86 and 100 %
GOAL = "#000000"
HATCHES = ("", "///", "---", "xx")  # line hatches: a dotted one costs ~150 kB of SVG
MARKERS = ("o", "s", "^", "D")
WIDTH_IN, HEIGHT_IN = 7.2, 2.8
LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.9}  # a label stays legible on a line
PNG_DPI = 144
# A year's report has 52 weeks: a label on every bar and every week is an unreadable smear (and most of the
# drawing time). Beyond these counts the values are left to the table under the chart and the axis is
# labelled every few weeks.
MAX_VALUE_LABELS = 16
MAX_TICK_LABELS = 13

RC = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: the layout is measured with the font the page asks for
    "font.size": 9.0,
    "axes.titlesize": 11.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.8,
    "hatch.color": INK,
    "hatch.linewidth": 0.8,
    "legend.frameon": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "supportbot-report",  # stable element ids: the same figures give the same file
    "text.parse_math": False,
    "figure.facecolor": PAPER,
}


@contextmanager
def styled():
    """Draw and save inside this: the report's style, whatever the process' own matplotlib settings."""
    with matplotlib.rc_context(RC):
        yield


# Margins in inches of the charts with fixed margins (value axis on the left: "100 %" and a label fit).
LEFT_IN, TOP_IN, TITLE_IN = 0.85, 0.2, 0.4


def figure(height: float = HEIGHT_IN, rows: int = 1, *, names: bool = False, right: float = 0.15,
           bottom: float = 0.4) -> tuple[Figure, list]:
    """A new figure and its axes (one per row). Charts with names on the left (``names``) are laid out by
    matplotlib's constrained layout, which measures them; the others get fixed margins in inches
    (``right``, ``bottom``), because constrained layout draws every chart twice: it was half the time of
    a year's report."""
    if names:
        fig = Figure(figsize=(WIDTH_IN, height), layout="constrained")
    else:
        fig = Figure(figsize=(WIDTH_IN, height))
        fig.subplots_adjust(left=LEFT_IN / WIDTH_IN, right=1 - right / WIDTH_IN, bottom=bottom / height,
                            top=1 - TOP_IN / height, hspace=0.12)
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    return fig, list(axes)


def svg(fig: Figure, prefix: str) -> str:
    """The figure as an element to put inline in a page: no XML prolog, metadata, namespaces (an HTML
    parser knows them) or fixed size, and its element ids prefixed so that several charts share a page."""
    buffer = io.StringIO()
    with styled():
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text[text.index("<svg"):], flags=re.S)
    text = re.sub(r'<svg[^>]*?( viewBox="[^"]*")[^>]*>', r"<svg\1>", text, count=1)
    return _ID_REFERENCE.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)


# id="x", xlink:href="#x", url(#x): matplotlib numbers them per figure (figure_1, axes_1, …).
_ID_REFERENCE = re.compile(r'(\bid="|href="#|url\(#)([A-Za-z_][\w.-]*)')


def png(fig: Figure, title: str | None = None) -> bytes:
    """The figure as PNG bytes, with ``title`` above it (a PNG stands alone, in Slack or a folder)."""
    with styled():
        if title:
            fig.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold")
            if fig.get_layout_engine() is None:  # fixed margins: make room above for the title
                height = fig.get_figheight()
                fig.set_figheight(height + TITLE_IN)
                fig.subplots_adjust(top=1 - (TOP_IN + TITLE_IN) / (height + TITLE_IN),
                                    bottom=fig.subplotpars.bottom * height / (height + TITLE_IN))
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return buffer.getvalue()


def bar_labels(ax, bars, texts: list[str]) -> None:
    """Write ``texts`` at the ends of ``bars``, unless there are too many bars to read them."""
    if len(texts) <= MAX_VALUE_LABELS:
        ax.bar_label(bars, labels=texts, padding=2, fontsize=8, color="#222222", label_type="edge")


def labelled(count: int) -> bool:
    """Whether a series of ``count`` points is short enough to write each value on the chart."""
    return count <= MAX_VALUE_LABELS


def thin_ticks(ax, positions: list, labels: list[str]) -> None:
    """x ticks at ``positions`` with ``labels``, every n-th only when there are more than MAX_TICK_LABELS."""
    step = max(1, math.ceil(len(positions) / MAX_TICK_LABELS))
    ax.set_xticks(positions[::step], labels[::step])


def no_data(ax, text: str = "–") -> None:
    """An empty chart: no axes to misread, only a dash where the figures would be (the title says why)."""
    ax.set_axis_off()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#777777", fontsize=14)

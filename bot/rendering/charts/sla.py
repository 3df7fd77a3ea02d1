"""Charts of the two-hour promise: kept share per week (the weekly post's chart), per line and priority,
and the first-response times with the target, median and p90 marked."""

from __future__ import annotations

import math

from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.rendering.charts.numbers import Numbers
from bot.rendering.charts.style import GOAL, HATCHES, INK, LABEL_BOX, LIGHT, MARKERS, MID, bar_labels, figure, \
    labelled, no_data, thin_ticks
from bot.rendering.charts.words import words

LINE_COLOURS = {"1": INK, "2": MID, "3": LIGHT}
LINE_HATCHES = {"1": HATCHES[0], "2": HATCHES[1], "3": HATCHES[2]}


def kept_per_week(weeks: list[str], kept_pct: list[float | None], goal_pct: float, lang: str):
    """The share kept per week as a line with markers; weeks without decided tickets are gaps."""
    f, w = Numbers(lang), words(lang)
    fig, (ax,) = figure(right=0.8)  # the goal's label sits right of the axes
    x = list(range(len(weeks)))
    y = [math.nan if value is None else value for value in kept_pct]
    few = labelled(len(weeks))
    ax.plot(x, y, color=INK, linewidth=2, marker=MARKERS[0], markersize=6 if few else 3.5, markerfacecolor="white",
            markeredgewidth=2 if few else 1.2, label=w["kept_pct"])
    for n, value in enumerate(kept_pct):
        if value is not None and few:
            ax.annotate(f.pct(value), (n, value), textcoords="offset points", xytext=(0, 8), ha="center", fontsize=8,
                        bbox=LABEL_BOX)
    _goal_line(ax, goal_pct, w["goal"].format(value=f.pct(goal_pct)))
    ax.set_ylim(0, 112)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f.pct(v)))
    thin_ticks(ax, x, [f.week(week) for week in weeks])
    ax.set_xlim(-0.5, len(weeks) - 0.5)
    if all(value is None for value in kept_pct):
        no_data(ax)
    return fig


def kept_per_cell(cells: list[tuple[str, str, float | None]], goal_pct: float, lang: str, label):
    """Horizontal bars: the share kept per (line, priority); each line its own shade and hatch."""
    f, w = Numbers(lang), words(lang)
    fig, (ax,) = figure(height=max(1.6, 0.8 + 0.34 * len(cells)), names=True)
    if not cells:
        no_data(ax)
        return fig
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    y = list(range(len(cells)))
    values = [value or 0.0 for _, _, value in cells]
    bars = ax.barh(y, values, color=[LINE_COLOURS.get(line, MID) for line, _, _ in cells],
                   hatch=None, edgecolor=INK, linewidth=0.8, height=0.62)
    for bar, (line, _, _) in zip(bars, cells):
        bar.set_hatch(LINE_HATCHES.get(line, HATCHES[3]))
    bar_labels(ax, bars, [f.pct(value) for _, _, value in cells])
    ax.set_yticks(y, [label(line, priority, lang) for line, priority, _ in cells])
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f.pct(v)))
    ax.axvline(goal_pct, color=GOAL, linestyle="--", linewidth=1.2)
    ax.text(goal_pct, -0.6, w["goal"].format(value=f.pct(goal_pct)), ha="center", va="bottom", fontsize=8)
    return fig


def shown_bins(bins: list, target: int) -> list:
    """The bins worth drawing: up to the last one with tickets, and at least to twice the target (the empty
    tail of a four-targets-wide scale only squeezes the bars that matter; the JSON keeps every bin)."""
    width = target / 4
    last = max((n for n, b in enumerate(bins) if _count(b)), default=0)
    return bins[:max(last + 1, min(len(bins), int(2 * target / width)))]


def _count(b) -> int:
    return b[2] if isinstance(b, tuple) else b.count


def response_times(bins: list[tuple[float, float | None, int]], target: int, median: float | None,
                   p90: float | None, lang: str):
    """The distribution of first-response times (business minutes): bins past the target light and hatched,
    the target, median and p90 marked."""
    f, w = Numbers(lang), words(lang)
    fig, (ax,) = figure(bottom=0.6)
    bins = shown_bins(bins, target)
    width = bins[0][1] - bins[0][0]
    late = [low >= target for low, _, _ in bins]
    bars = ax.bar([low for low, _, _ in bins], [n for _, _, n in bins], width=width * 0.92, align="edge",
                  color=[LIGHT if x else MID for x in late], edgecolor=INK, linewidth=0.6)
    for bar, is_late in zip(bars, late):
        bar.set_hatch(HATCHES[1] if is_late else "")
    bar_labels(ax, bars, [f.count(n) if n else "" for _, _, n in bins])
    ax.legend(handles=[Patch(facecolor=MID, edgecolor=INK, label=w["kept"]),
                       Patch(facecolor=LIGHT, edgecolor=INK, hatch=HATCHES[1], label=w["missed"])],
              loc="upper right", fontsize=8)
    last = bins[-1][0]
    open_ended = bins[-1][1] is None
    ticks = sorted({low for low, _, _ in bins[::2]} | {last + (0 if open_ended else width)})
    ax.set_xticks(ticks, [f.num(t, 0) + ("+" if open_ended and t == last else "") for t in ticks])
    ax.set_xlim(0, last + width)
    ax.set_xlabel(w["minutes"])
    ax.set_ylabel(w["tickets"])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    top = max([n for _, _, n in bins] + [1]) * 1.3
    ax.set_ylim(0, top)
    marks = [(target, "--", w["target"].format(value=f.num(target, 0))),
             (median, ":", w["median"].format(value=f.num(median))), (p90, "-.", w["p90"].format(value=f.num(p90)))]
    for n, (where, style, text) in enumerate(marks):
        if where is not None:
            at = min(where, last + width * 0.99)
            ax.axvline(at, color=GOAL, linestyle=style, linewidth=1.4)
            ax.text(at, top * (0.97 - 0.1 * n), " " + text, ha="left", va="top", fontsize=8, bbox=LABEL_BOX)
    return fig


def _goal_line(ax, goal: float, text: str) -> None:
    ax.axhline(goal, color=GOAL, linestyle="--", linewidth=1.2)
    ax.text(1.0, goal, " " + text, transform=ax.get_yaxis_transform(), ha="left", va="center", fontsize=8)

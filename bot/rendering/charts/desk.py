"""Charts of the queue and of the customers' ratings: backlog per day, reopenings, ratings, weekly answers."""

from __future__ import annotations

import math
from datetime import date

from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.rendering.charts.numbers import Numbers
from bot.rendering.charts.style import HATCHES, INK, LABEL_BOX, LIGHT, MARKERS, MID, bar_labels, figure, labelled, \
    no_data, thin_ticks
from bot.rendering.charts.words import words


def backlog(days: list[tuple[date, int]], period_first: date, lang: str):
    """Open tickets at the end of each day as a step line; the report's own period shaded."""
    f = Numbers(lang)
    fig, (ax,) = figure()
    x = list(range(len(days)))
    counts = [n for _, n in days]
    ax.step(x, counts, where="mid", color=INK, linewidth=2)
    start = next((n for n, (day, _) in enumerate(days) if day >= period_first), 0)
    if start > 0:  # a period as long as the window (a year's report) needs no shading, only less contrast
        ax.axvspan(start - 0.5, len(days) - 0.5, facecolor="#ececec", linewidth=0, zorder=0)
        ax.text(start - 0.3, 1.0, words(lang)["period"], transform=ax.get_xaxis_transform(), ha="left", va="top",
                fontsize=8, color="#444444")
    mondays = [n for n, (day, _) in enumerate(days) if day.weekday() == 0] or [0]
    step = max(1, math.ceil(len(mondays) / 9))
    ax.set_xticks(mondays[::step], [f.short_day(days[n][0]) for n in mondays[::step]])
    ax.set_xlim(-0.5, len(days) - 0.5)
    ax.set_ylim(0, max(counts + [1]) * 1.2)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(words(lang)["open"])
    return fig


def reopens(weeks: list[str], closed: list[int], reopened: list[int], lang: str):
    """Closed and reopened tickets per week, side by side."""
    return paired_bars(weeks, closed, reopened, words(lang)["closed"], words(lang)["reopened"], lang)


def ratings(counts: list[int], lang: str):
    """How many answers gave each rating 1–5, with the share."""
    f = Numbers(lang)
    fig, (ax,) = figure(height=2.4, bottom=0.6)
    total = sum(counts)
    bars = ax.bar([1, 2, 3, 4, 5], counts, color=[LIGHT, LIGHT, MID, INK, INK], edgecolor=INK,
                  hatch=None, linewidth=0.8, width=0.6)
    for bar, hatch in zip(bars, ("xx", "xx", "", "", "")):
        bar.set_hatch(hatch)
    bar_labels(ax, bars, [f"{f.count(n)} ({f.pct(round(100 * n / total, 1))})" if total else "0" for n in counts])
    ax.set_ylim(0, max(counts + [1]) * 1.3)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.set_xlabel(words(lang)["rating"])
    if not total:
        no_data(ax)
    return fig


def satisfaction_weeks(weeks: list[str], means: list[float | None], rates: list[float | None], lang: str):
    """Two panels: the average rating per week (1–5) and the response rate per week."""
    f, w = Numbers(lang), words(lang)
    fig, (top, bottom) = figure(height=3.6, rows=2)
    x = list(range(len(weeks)))
    few = labelled(len(weeks))
    top.plot(x, [math.nan if m is None else m for m in means], color=INK, linewidth=2, marker=MARKERS[1],
             markersize=6 if few else 3.5, markerfacecolor="white", markeredgewidth=2 if few else 1.2)
    for n, mean in enumerate(means):
        if mean is not None and few:
            top.annotate(f.num(mean, 2), (n, mean), textcoords="offset points", xytext=(0, 8), ha="center", fontsize=8,
                         bbox=LABEL_BOX)
    top.set_ylim(1, 5.6)
    top.set_yticks([1, 2, 3, 4, 5])
    top.set_ylabel(w["mean"])
    bars = bottom.bar(x, [r or 0 for r in rates], color=LIGHT, edgecolor=INK, hatch=HATCHES[2], width=0.6,
                      linewidth=0.8)
    bar_labels(bottom, bars, [f.pct(r) if r is not None else "" for r in rates])
    bottom.set_ylim(0, 125)
    bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f.pct(v)))
    bottom.set_yticks([0, 50, 100])
    bottom.set_ylabel(w["response_rate"])
    thin_ticks(bottom, x, [f.week(week) for week in weeks])
    return fig


def paired_bars(labels: list[str], first: list[int], second: list[int], first_name: str, second_name: str,
                lang: str, *, weeks: bool = True):
    """Two counts per label as side-by-side bars: light and plain, dark and hatched."""
    f = Numbers(lang)
    if not any(first) and not any(second):
        # Nothing to draw: a bare axis (or a row of zero-height bar edges) reads as broken; a short
        # figure with a dash, as the other empty charts (the title says there were none).
        fig, (ax,) = figure(height=1.0)
        no_data(ax)
        return fig
    fig, (ax,) = figure()
    x = list(range(len(labels)))
    a = ax.bar([n - 0.2 for n in x], first, width=0.38, color=LIGHT, edgecolor=INK, linewidth=0.8, label=first_name)
    b = ax.bar([n + 0.2 for n in x], second, width=0.38, color=MID, edgecolor=INK, hatch=HATCHES[1],
               linewidth=0.8, label=second_name)
    for bars, values in ((a, first), (b, second)):
        bar_labels(ax, bars, [f.count(v) if v else "" for v in values])
    if weeks:
        thin_ticks(ax, x, [f.week(label) for label in labels])
    else:
        ax.set_xticks(x, labels)
    ax.set_ylim(0, max(first + second + [1]) * 1.3)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", ncols=2, fontsize=8)
    return fig

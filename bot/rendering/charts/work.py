"""Charts of where the work comes from: channels, organisations, the portal answer, out of hours."""

from __future__ import annotations

from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.rendering.charts.desk import paired_bars
from bot.rendering.charts.numbers import Numbers
from bot.rendering.charts.style import HATCHES, INK, LIGHT, MID, bar_labels, figure, no_data, thin_ticks
from bot.rendering.charts.words import words

NAME_CHARS = 34


def channels(rows: list[tuple[str, int, int]], lang: str):
    """Tickets and new cases sent to the portal per channel."""
    w = words(lang)
    return paired_bars([w[f"channel_{c}"] for c, _, _ in rows], [t for _, t, _ in rows], [p for _, _, p in rows],
                       w["tickets"], w["sent_to_portal"], lang, weeks=False)


def organisations(rows: list[tuple[str | None, int]], others: int, lang: str):
    """Tickets of the ten organisations with most, and of all the others, as horizontal bars."""
    w = words(lang)
    names = [_short(name) if name else w["no_organisation"] for name, _ in rows] + ([w["others"]] if others else [])
    counts = [n for _, n in rows] + ([others] if others else [])
    fig, (ax,) = figure(height=max(1.6, 0.7 + 0.3 * len(names)), names=True)
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    y = list(range(len(names)))
    bars = ax.barh(y, counts, color=[INK] * len(rows) + [LIGHT] * bool(others), edgecolor=INK, linewidth=0.8,
                   height=0.62)
    if others:
        bars.patches[-1].set_hatch(HATCHES[1])
    bar_labels(ax, bars, [Numbers(lang).count(n) for n in counts])
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, max(counts + [1]) * 1.15)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not names:
        no_data(ax)
    return fig


def portal(weeks: list[str], sent: list[int], came_back: list[int], lang: str):
    """New cases sent to the portal per week, and how many of them came back through it."""
    w = words(lang)
    return paired_bars(weeks, sent, came_back, w["sent_to_portal"], w["came_back"], lang)


def out_of_hours(weeks: list[str], shares: list[float | None], lang: str):
    """The share of arrivals out of hours per week."""
    f = Numbers(lang)
    fig, (ax,) = figure()
    x = list(range(len(weeks)))
    bars = ax.bar(x, [s or 0 for s in shares], color=MID, edgecolor=INK, hatch=HATCHES[3], width=0.6, linewidth=0.8)
    bar_labels(ax, bars, [f.pct(s) if s is not None else "" for s in shares])
    ax.set_ylim(0, max([s or 0 for s in shares] + [10]) * 1.3)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f.pct(v)))
    thin_ticks(ax, x, [f.week(week) for week in weeks])
    return fig


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[:NAME_CHARS - 1].rstrip() + "…"

"""The report as one self-contained HTML page: inline SVG charts, a data table under each, no script.

Rendered from ``templates/reports/report.html.jinja`` with autoescaping: every
name and comment that came from a customer is escaped; the SVG is ours
(matplotlib escapes the text it writes into it) and goes in as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from bot.rendering.charts.figures import SECTIONS, builders
from bot.rendering.charts.findings import findings
from bot.rendering.charts.numbers import Numbers
from bot.rendering.charts.style import png, styled, svg
from bot.rendering.charts.tables import tables
from bot.rendering.charts.weekly import heading, key_figures
from bot.rendering.charts.words import words
from bot.rendering.email import BUILTIN_DIR

if TYPE_CHECKING:
    from bot.desk.reports import Report

_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(BUILTIN_DIR) / "reports")),
                          autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_html(report: Report, lang: str) -> str:
    """The whole page."""
    titles, data, draw = findings(report, lang), tables(report, lang), builders(report, lang)
    w, f = words(lang), Numbers(lang)
    with styled():
        sections = [{"id": section, "heading": w[section],
                     "charts": [{"id": chart, "title": titles[chart], "table": data[chart],
                                 "svg": Markup(_labelled(svg(draw[chart](), chart), chart))} for chart in charts]}
                    for section, charts in SECTIONS]
    weeks = report.period.weeks()
    return _ENV.get_template("report.html.jinja").render(
        lang=lang, w=w, title=heading(report, lang), key_figures=key_figures(report, lang), sections=sections,
        comments=report.satisfaction.comments, f=f,
        note=w["generated"].format(tz=report.period.tz.key, weeks=f"{f.week(weeks[0])}–{f.week(weeks[-1])}"))


def render_pngs(report: Report, lang: str) -> list[tuple[str, bytes]]:
    """Every chart as ``(file name, PNG bytes)``, titled with its finding: ``01-sla-weeks.png`` …"""
    titles, draw = findings(report, lang), builders(report, lang)
    ids = [chart for _, charts in SECTIONS for chart in charts]
    with styled():
        return [(f"{n:02d}-{chart}.png", png(draw[chart](), titles[chart])) for n, chart in enumerate(ids, 1)]


def _labelled(svg_text: str, chart: str) -> str:
    # The figure's heading names the chart for assistive technology; the table holds its figures.
    return svg_text.replace("<svg", f'<svg role="img" aria-labelledby="{chart}-title"', 1)

"""The report drawn: matplotlib charts (SVG inline in one HTML page, PNG files, the weekly post's PNG)."""

from bot.rendering.charts.figures import CHART_IDS, MAIN_CHART
from bot.rendering.charts.page import render_html, render_pngs
from bot.rendering.charts.weekly import chart_png, key_figures, post_payload

__all__ = ["CHART_IDS", "MAIN_CHART", "chart_png", "key_figures", "post_payload", "render_html", "render_pngs"]

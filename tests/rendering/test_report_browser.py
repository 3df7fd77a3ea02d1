"""The report's HTML in a real browser: headless Chromium over the DevTools protocol.

Every chart is there with its SVG and its table, nothing is fetched, no script
runs, nothing is logged to the console, and it prints. The screenshot is kept
in the test's folder (and copied to $REPORT_SCREENSHOT when set: that is how
docs/report-screenshot.png is made).
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
from datetime import date

import pytest

from bot.app.config import Settings
from bot.desk.reports import Period, build_report
from bot.domain.hours.calendar import BusinessCalendar
from bot.rendering.charts import CHART_IDS, render_html
from bot.rendering.charts.findings import findings
from tests.desk.report_week import NOW, STOCKHOLM, seed_week
from tests.support.cdp import Browser, find_chromium

DESKTOP = {"width": 1000, "height": 900, "deviceScaleFactor": 1, "mobile": False}


@pytest.fixture
def chromium():
    binary = find_chromium()
    if binary is None:
        message = "chromium is not installed (Debian: apt-get install chromium; CI runs .ci/install-chromium.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return binary


@pytest.fixture
def week_report(session_factory):
    calendar = BusinessCalendar()
    seed_week(session_factory, calendar)
    with session_factory() as session:
        return build_report(session, Settings(), calendar, Period(date(2026, 3, 9), date(2026, 3, 15), STOCKHOLM),
                            NOW)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_report_renders_in_chromium_with_every_chart_and_table(week_report, chromium, tmp_path, lang):
    page = tmp_path / "report.html"
    html = render_html(week_report, lang)
    page.write_text(html, encoding="utf-8")
    for forbidden in ("<script", "http://", "https://", "src=", "url(http", "@import"):
        assert forbidden not in html, forbidden
    charts, shot, pdf, log = asyncio.run(_look(chromium, page, tmp_path / f"report-{lang}.png"))

    errors = [e for e in log if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "warning"))
              or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] in ("error", "warning"))]
    assert errors == []
    requests = [e["params"]["request"]["url"] for e in log if e.get("method") == "Network.requestWillBeSent"]
    assert requests == [page.as_uri()]  # the page itself, nothing else
    titles = findings(week_report, lang)
    assert [c["id"] for c in charts] == list(CHART_IDS)
    for chart in charts:
        assert chart["title"] == titles[chart["id"]]
        assert chart["svg_height"] > 100 and chart["svg_width"] > 600, chart  # drawn, and wide
        assert chart["labelled_by"] == f"{chart['id']}-title"
        assert chart["rows"] >= 1 and chart["header"] >= 2, chart  # its data table
    organisations = next(c for c in charts if c["id"] == "organisations")
    assert "Kund & Co <C>" in organisations["table_text"]  # customer data shown as text, escaped in the HTML
    assert "Kund &amp; Co &lt;C&gt;" in html
    assert shot.stat().st_size > 50_000 and pdf > 20_000
    if os.environ.get("REPORT_SCREENSHOT") and lang == "sv":
        shutil.copy(shot, os.environ["REPORT_SCREENSHOT"])


CHARTS_JS = """[...document.querySelectorAll('figure.chart')].map(f => {
  const svg = f.querySelector('svg'), box = svg.getBoundingClientRect(), table = f.querySelector('table');
  return {id: f.id, title: f.querySelector('h3').textContent, svg_width: box.width, svg_height: box.height,
          labelled_by: svg.getAttribute('aria-labelledby'), rows: table.querySelectorAll('tbody tr').length,
          header: table.querySelectorAll('thead th').length, table_text: table.textContent};
})"""


async def _look(binary: str, page, shot_path):
    async with Browser(binary) as browser:
        for domain in ("Log.enable", "Network.enable"):
            await browser.send(domain)
        await browser.send("Emulation.setDeviceMetricsOverride", DESKTOP)
        await browser.navigate(page.as_uri())
        charts = await browser.evaluate(CHARTS_JS)
        assert await browser.evaluate("document.scripts.length") == 0
        height = await browser.evaluate("document.documentElement.scrollHeight")
        await browser.send("Emulation.setDeviceMetricsOverride", {**DESKTOP, "height": height})
        shot = await browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        shot_path.write_bytes(base64.b64decode(shot["data"]))
        pdf = await browser.send("Page.printToPDF", {"printBackground": True})
        return charts, shot_path, len(base64.b64decode(pdf["data"])), list(browser.log)

"""`supportbot report`: JSON that is the same for the same data, and the same numbers as `sla report` and
`survey report` on the same data (the fixture week of tests/desk/report_week.py)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.desk.report_week import seed_week

WEEK = ["--from", "2026-03-09", "--to", "2026-03-15"]


@pytest.fixture
def desk_db(db_url, session_factory):
    seed_week(session_factory)
    return db_url


def run(db_url, *args, cwd=None):
    result = CliRunner().invoke(main, list(args), env={"SUPPORTBOT_DATABASE_URL": db_url}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_json_is_stable_and_names_the_period(desk_db):
    first, second = run(desk_db, "report", *WEEK, "--json"), run(desk_db, "report", *WEEK, "--json")
    assert first.stdout == second.stdout
    figures = json.loads(first.stdout)
    assert (figures["period"]["from"], figures["period"]["to"]) == ("2026-03-09", "2026-03-15")
    assert list(figures) == ["period", "first_response", "backlog", "satisfaction", "volume"]


def test_sla_report_agrees_with_the_report(desk_db):
    figures = json.loads(run(desk_db, "report", *WEEK, "--json").stdout)
    table = list(csv.DictReader(io.StringIO(run(desk_db, "sla", "report", *WEEK, "--csv").stdout)))
    as_text = [{key: "" if value is None else str(value) for key, value in row.items()}
               for row in figures["first_response"]["lines"]]
    assert table == as_text and table[-1]["tickets"] == "7"


def test_survey_report_agrees_with_the_report(desk_db):
    figures = json.loads(run(desk_db, "report", *WEEK, "--json").stdout)
    table = list(csv.DictReader(io.StringIO(run(desk_db, "survey", "report", *WEEK, "--csv").stdout)))
    ours = [{"month": r["month"], "line": r["line"], "answers": str(r["answers"]),
             **{f"r{n}": str(count) for n, count in enumerate(r["ratings"], 1)},
             "mean": f"{r['mean']:.2f}", "csat_percent": f"{r['csat_pct']:.1f}"}
            for r in figures["satisfaction"]["survey_report"]]
    assert table == ours and table[-1]["answers"] == "3"
    total = figures["satisfaction"]["period"]
    assert (total["answers"], total["ratings"]) == (3, [0, 1, 0, 1, 1])


def test_html_and_png_files(desk_db, tmp_path):
    html, pngs = tmp_path / "week.html", tmp_path / "charts"
    result = run(desk_db, "report", *WEEK, "--html", str(html), "--png", str(pngs), "--lang", "en")
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert len(list(pngs.glob("*.png"))) == 11 and (pngs / "01-sla-weeks.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.stdout.splitlines()[0] == str(html)


def test_defaults_to_the_last_full_week_as_html_in_the_current_folder(desk_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    written = run(desk_db, "report").stdout.strip()
    assert written.startswith("report-") and written.endswith(".html") and (tmp_path / written).exists()


def test_bad_ranges(desk_db):
    result = CliRunner().invoke(main, ["report", "--from", "2026-03-15", "--to", "2026-03-09"],
                                env={"SUPPORTBOT_DATABASE_URL": desk_db})
    assert result.exit_code == 2 and "is before --from" in result.output
    result = CliRunner().invoke(main, ["report", "--from", "15 March"], env={"SUPPORTBOT_DATABASE_URL": desk_db})
    assert result.exit_code == 2


@pytest.mark.parametrize(("language", "heading"), [("sv", "<h1>Supportrapport vecka 11, 9–15 mars 2026</h1>"),
                                                   ("en", "<h1>Support report week 11, 9–15 March 2026</h1>")])
def test_the_language_is_the_desks_default(desk_db, tmp_path, language, heading):
    page = tmp_path / "week.html"
    result = CliRunner().invoke(main, ["report", *WEEK, "--html", str(page)],
                                env={"SUPPORTBOT_DATABASE_URL": desk_db, "SUPPORTBOT_DESK_DEFAULT_LANGUAGE": language},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert f'<html lang="{language}">' in html and heading in html

"""The report's words in Swedish and English (headings, axis labels, table columns)."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "sv": {
        "report": "Supportrapport", "week": "vecka", "generated": "Tidszon {tz}. Trenddiagrammen visar veckorna {weeks}.",
        "promise": "Höll vi tvåtimmarslöftet?", "queue": "Hur stor är kön?", "happy": "Är kunderna nöjda?",
        "work": "Var kommer arbetet ifrån?", "contents": "Innehåll", "table": "Tabell",
        "kept": "Inom tid", "missed": "För sent", "pending": "Väntar", "kept_pct": "Andel inom tid",
        "goal": "mål {value}", "target": "mål {value}", "median": "median {value}", "p90": "p90 {value}",
        "line": "Linje", "priority": "Prioritet", "minutes": "Arbetsminuter till första svar", "tickets": "Ärenden",
        "and_longer": "och längre",
        "date": "Datum", "open": "Öppna ärenden", "closed": "Avslutade", "reopened": "Öppnade igen",
        "reopen_pct": "Andel öppnade igen", "rating": "Betyg", "answers": "Svar", "share": "Andel",
        "mean": "Medelbetyg", "answered_closed": "Avslutade med svar", "response_rate": "Svarsfrekvens",
        "comments": "Senaste kommentarerna", "no_comments": "Inga kommentarer den här perioden.",
        "channel": "Kanal", "sent_to_portal": "Hänvisade till portalen", "came_back": "Kom tillbaka via portalen",
        "came_back_pct": "Andel som kom tillbaka", "organisation": "Organisation", "others": "Övriga",
        "no_organisation": "(ingen organisation)", "arrivals": "Inkomna", "out_of_hours": "Utanför öppettid",
        "out_of_hours_pct": "Andel utanför öppettid", "weekday": "Vecka", "kept_key": "besvarade inom tid",
        "median_key": "median till första svar", "mean_key": "medelbetyg", "of": "av",
        "priority_urgent": "brådskande", "priority_high": "hög", "priority_normal": "normal", "priority_low": "låg",
        "channel_email": "E-post", "channel_slack": "Slack", "channel_portal": "Portalen", "channel_staff": "Personal",
        "days": "mån tis ons tor fre lör sön", "period": "rapportperioden", "range_min": "Arbetsminuter",
    },
    "en": {
        "report": "Support report", "week": "week", "generated": "Time zone {tz}. Trend charts show weeks {weeks}.",
        "promise": "Did we keep the two-hour promise?", "queue": "How big is the queue?",
        "happy": "Are customers happy?", "work": "Where does the work come from?", "contents": "Contents",
        "table": "Table", "kept": "In time", "missed": "Late", "pending": "Waiting", "kept_pct": "Share in time",
        "goal": "goal {value}", "target": "target {value}", "median": "median {value}", "p90": "p90 {value}",
        "line": "Line", "priority": "Priority", "minutes": "Business minutes to first response",
        "tickets": "Tickets", "and_longer": "and longer",
        "date": "Date", "open": "Open tickets", "closed": "Closed", "reopened": "Reopened",
        "reopen_pct": "Share reopened", "rating": "Rating", "answers": "Answers", "share": "Share",
        "mean": "Average rating", "answered_closed": "Closed with an answer", "response_rate": "Response rate",
        "comments": "Latest comments", "no_comments": "No comments in this period.", "channel": "Channel",
        "sent_to_portal": "Sent to the portal", "came_back": "Came back through the portal",
        "came_back_pct": "Share that came back", "organisation": "Organisation", "others": "Others",
        "no_organisation": "(no organisation)", "arrivals": "Arrivals", "out_of_hours": "Out of hours",
        "out_of_hours_pct": "Share out of hours", "weekday": "Week", "kept_key": "answered in time",
        "median_key": "median to first response", "mean_key": "average rating", "of": "of",
        "priority_urgent": "urgent", "priority_high": "high", "priority_normal": "normal", "priority_low": "low",
        "channel_email": "E-mail", "channel_slack": "Slack", "channel_portal": "Portal", "channel_staff": "Staff",
        "days": "Mon Tue Wed Thu Fri Sat Sun", "period": "report period", "range_min": "Business minutes",
    },
}


def words(lang: str) -> dict[str, str]:
    """The vocabulary of ``lang`` (Swedish for anything else)."""
    return WORDS.get(lang, WORDS["sv"])

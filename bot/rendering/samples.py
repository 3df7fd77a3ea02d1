"""Realistic sample contexts for every e-mail template: previews and the template QA test.

Each sample also documents what a template needs: the desk-wide values
(``SAMPLE_DESK``, supplied in production by ``rendering.desk_context``) plus
the per-message values listed under the template's name.
"""

from __future__ import annotations

from datetime import datetime, time, timezone
from typing import Any

SAMPLE_DESK: dict[str, Any] = {
    "desk_name": "Kundsupport",
    "support_address": "support@example.com",
    "portal_url": "https://portal.example.com/",
    "emergency_phone": "+46 8 000 00 00",
    "opening_hours": {
        "open": time(9, 0),
        "close": time(16, 0),
        "lunch_start": time(12, 0),
        "lunch_end": time(13, 0),
        "half_day_close": time(12, 0),
    },
}

_REFERENCE = "TC-2026-00042"
# Monday 18 May 2026 09:00 in Stockholm; Friday 15 May is a klämdag.
_NEXT_OPEN_AT = datetime(2026, 5, 18, 7, 0, tzinfo=timezone.utc)
_DUE_AT = datetime(2026, 5, 18, 9, 30, tzinfo=timezone.utc)
_RATING_URLS = [f"https://support.example.com/survey/q7Hk2xP9/{n}" for n in range(1, 6)]

_SUBJECTS = {
    "sv": "Exporten till ekonomisystemet stannar på 80 %",
    "en": "Export to the ledger stops at 80%",
}
_BODIES = {
    "sv": (
        "Tack för loggfilen. Felet uppstår när en verifikation saknar kostnadsställe, "
        "och då avbryts exporten utan felmeddelande.\n\n"
        "Gå till Inställningar → Export och markera ”Hoppa över ofullständiga verifikationer”. "
        "Kör sedan exporten igen.\n"
        "Hör av dig om det inte hjälper!"
    ),
    "en": (
        "Thank you for the log file. The export stops when a voucher has no cost centre, "
        "and it does so without an error message.\n\n"
        "Go to Settings → Export and tick “Skip incomplete vouchers”, then run the export again.\n"
        "Let me know if that does not help!"
    ),
}
_NEEDED = {
    "sv": "Vilken version av programmet kör ni?\nSkicka gärna också en skärmbild av felmeddelandet.",
    "en": "Which version of the application are you running?\nPlease also send a screenshot of the error message.",
}


def _per_template(lang: str) -> dict[str, dict[str, Any]]:
    base = {"contact_name": "Anna", "reference": _REFERENCE, "subject": _SUBJECTS[lang],
            "first_response_promise": {"sv": "inom två arbetstimmar", "en": "within two business hours"}[lang]}
    return {
        "case_received": base,
        "agent_reply": {**base, "body": _BODIES[lang], "agent_name": "Erik Johansson"},
        "status_escalated": {**base, "line": 3},
        "status_waiting": {**base, "needed": _NEEDED[lang]},
        "status_closure_requested": {**base, "confirm_url": "https://support.example.com/close/Zr81kLq0"},
        "status_closed": base,
        "portal_redirect": {"contact_name": "Anna", "subject": _SUBJECTS[lang], "next_open_at": _NEXT_OPEN_AT},
        "unknown_sender": {"contact_name": "", "subject": _SUBJECTS[lang], "sender_address": "per.berg@example.org"},
        "out_of_hours": {**base, "next_open_at": _NEXT_OPEN_AT},
        "survey_invitation": {**base, "rating_urls": _RATING_URLS},
        "sla_alert": {
            "reference": _REFERENCE,
            "subject": _SUBJECTS[lang],
            "organisation": "Kommunalförbundet Norrström",
            "due_at": _DUE_AT,
            "overdue": False,
            "card_url": "https://example.slack.com/archives/C0STAFF/p1779087600000100",
        },
    }


TEMPLATE_NAMES: tuple[str, ...] = tuple(_per_template("sv"))


def sample_context(name: str, lang: str = "sv") -> dict[str, Any]:
    """Desk-wide sample values plus realistic per-message values for template ``name``."""
    samples = _per_template("en" if lang == "en" else "sv")
    if name not in samples:
        raise KeyError(f"no sample context for template {name!r}; known: {', '.join(sorted(samples))}")
    return {**SAMPLE_DESK, **samples[name]}

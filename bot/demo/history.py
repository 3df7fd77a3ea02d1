"""The demo's past: a few hundred closed cases over the eight weeks before the demo's clock, as `ticket import` lines.

Generated, not shipped as a file: deterministic (seeded), written to the demo
folder as ``history.jsonl`` and imported with `ticket import`'s code, so the new
cards of the demo show similar solved cases and the reports have survey answers,
first-response times and SLA outcomes to show. Swedish and English.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

# (language, subject, customer text, agent's final answer, line, category)
TOPICS = (
    ("sv", "Uppgradering av testservern till ny version", "Vi vill uppgradera vår testserver till senaste versionen. "
     "Hur går vi tillväga?", "Ta backup av databasen, logga ut alla användare och kör installationsprogrammet för "
     "den nya versionen på testservern; vi hjälper gärna till som beställd tjänst.", 2, "installation"),
    ("en", "Upgrading the test server", "We plan to install the new version on our test server first. "
     "Anything to think of?", "Back up the database, log every user out and run the new version's installer on the "
     "test server first.", 2, "installation"),
    ("sv", "Export till Excel stannar", "Exporten till Excel stannar på 80 % för stora rapporter.",
     "Stora exporter behöver formatet xlsx; välj det under Rapportinställningar så går exporten igenom.", 1, "export"),
    ("en", "Excel export stops halfway", "Exporting the annual report to Excel stops at 80 percent.",
     "Switch the export format to xlsx in the report settings; the old xls format has a row limit.", 1, "export"),
    ("sv", "Kontot är låst efter felaktiga inloggningar", "Min kollega kommer inte in, kontot är spärrat.",
     "Kontot låses efter fem felaktiga försök; en administratör låser upp det under Användare.", 1, None),
    ("en", "Account locked", "A user is locked out after typing the wrong password.",
     "Accounts lock after five failed attempts; an administrator unlocks them under Users.", 1, None),
    ("sv", "Fakturan blir tom som PDF", "PDF-fakturorna blir vita sidor men förhandsgranskningen ser rätt ut.",
     "Fakturamallen pekade på ett typsnitt som saknas; välj om mallen under Fakturalayout.", 1, "invoicing"),
    ("sv", "Skattetabellerna för nya året saknas", "Lönekörningen drar för lite skatt efter årsskiftet.",
     "Läs in årets skattetabeller under Lön > Skattetabeller och räkna om lönen.", 1, "payroll"),
    ("en", "Nightly backup fails, disk full", "The scheduled database backup fails because the disk is full.",
     "Old backups were never removed; set how many to keep under Maintenance.", 2, "database"),
    ("sv", "Integrationen mot webbshoppen hämtar inga ordrar", "Inga ordrar kommer in från webbutiken sedan i går.",
     "API-nyckeln hade gått ut; skapa en ny under Integrationer > Webbshop.", 2, "integration"),
    ("sv", "Licenserna räcker inte", "Ny medarbetare får meddelande om att alla licenser är upptagna.",
     "Inaktivera användare som slutat, eller beställ fler licenser i portalen.", 1, None),
    ("en", "Certificate expired on the web client", "Browsers warn that the certificate of the web client expired.",
     "Renew the TLS certificate in IIS and restart the service.", 2, "installation"),
)
OPENERS = {"sv": ("Hej!", "Hej,", "Hejsan,"), "en": ("Hi,", "Hello,", "Hi there,")}
CHANNELS = ("portal", "portal", "portal", "email", "slack")
COMMENTS = {"sv": ("Snabbt och bra svar.", "Tack för hjälpen!", None), "en": ("Quick and helpful.", "Thanks!", None)}


def history_lines(now: datetime, *, cases: int = 300, organisation: str = "1001",
                  contacts: dict[str, str] | None = None, seed: int = 20) -> list[str]:
    """``cases`` closed cases opened in the eight weeks before ``now`` (weekdays, office hours), oldest first."""
    rng = random.Random(seed)
    contacts = contacts or {"sv": "asa@vasterby.se", "en": "john@vasterby.se"}
    opened = sorted(_office_instant(rng, now - timedelta(weeks=8), now - timedelta(days=1)) for _ in range(cases))
    return [json.dumps(_case(rng, number, at, organisation, contacts), ensure_ascii=False)
            for number, at in enumerate(opened, start=1)]


def _case(rng: random.Random, number: int, opened_at: datetime, organisation: str, contacts: dict[str, str]) -> dict:
    language, subject, text, answer, line, category = rng.choice(TOPICS)
    first_response = opened_at + timedelta(minutes=rng.choice((10, 25, 40, 70, 95, 110, 150, 200)))
    closed = first_response + timedelta(hours=rng.randint(2, 72))
    case = {
        "external_reference": f"OLD-{number:05d}", "organisation": organisation, "contact": contacts[language],
        "language": language, "subject": subject, "opened_at": opened_at.isoformat(), "closed_at": closed.isoformat(),
        "line": line, "category": category, "channel": rng.choice(CHANNELS),
        "first_response_at": first_response.isoformat(),
        "first_response_due_at": (opened_at + timedelta(hours=2)).isoformat(),  # two business hours, in office hours
        "messages": [
            {"from": "customer", "at": opened_at.isoformat(), "text": f"{rng.choice(OPENERS[language])}\n\n{text}"},
            {"from": "agent", "author": "anna@vendor.example", "at": first_response.isoformat(), "text": answer},
        ],
    }
    if rng.random() < 0.6:
        case["survey"] = {"rating": rng.choices((5, 4, 3, 2, 1), (45, 30, 12, 8, 5))[0],
                          "comment": rng.choice(COMMENTS[language]), "answered_at": (closed + timedelta(hours=3)).isoformat()}
    return {key: value for key, value in case.items() if value is not None}


def _office_instant(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A random weekday instant between 08:00 and 12:00 UTC (09–13 or 10–14 in Stockholm)."""
    while True:
        day = start + timedelta(days=rng.randint(0, max(0, (end - start).days)))
        if day.weekday() < 5:
            return day.replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(minutes=rng.randint(0, 239))

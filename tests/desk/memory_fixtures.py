"""History lines and a desk with an organisation, for the memory tests."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from storage.models import Organisation

OPENED = datetime(2026, 2, 2, 9, 0, tzinfo=timezone.utc)


def history_line(reference: str, subject: str, text: str, reply: str, *, organisation: str = "1001",
                 contact: str = "eva@kund.se", language: str = "sv", **extra) -> str:
    case = {
        "external_reference": reference, "organisation": organisation, "contact": contact, "contact_name": "Eva Ek",
        "language": language, "subject": subject, "opened_at": OPENED.isoformat(),
        "closed_at": (OPENED + timedelta(hours=4)).isoformat(), "line": 1, "category": "export",
        "messages": [{"from": "customer", "at": OPENED.isoformat(), "text": text},
                     {"from": "agent", "author": "agnes@vendor.example", "at": (OPENED + timedelta(hours=1)).isoformat(),
                      "text": reply}],
        **extra,
    }
    return json.dumps(case, ensure_ascii=False)


PDF = history_line("OLD-1", "Fakturan blir tom som PDF", "När vi skriver ut fakturor till PDF blir sidan vit.",
                   "Hej Eva,\nVälj om fakturamallen under Inställningar så blir PDF:en rätt. Hör av dig annars.")
LOCKED = history_line("OLD-2", "Kontot är låst", "Jag kan inte logga in, kontot är spärrat efter fem försök.",
                      "Kontot låses efter fem försök; en administratör låser upp det under Användare.")
BACKUP = history_line("OLD-3", "Nightly backup fails", "The scheduled backup fails because the disk is full.",
                      "Old backups were never removed; set the retention count under Maintenance.", language="en")


def add_organisation(session, number: str = "1001") -> None:
    session.add(Organisation(number=number, name="Kund AB", created_at=OPENED))
    session.commit()

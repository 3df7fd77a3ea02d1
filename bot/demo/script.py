"""The demo's script, in the order README's "Running it" numbers it; each step at its own instant.

Tuesday morning (open), a Saturday (closed), then Monday morning after the weekend:
the instants are chronological, so outbox rows queued at one step are due at the next.
"""

from __future__ import annotations

from datetime import datetime

from bot.demo.context import DemoStep
from bot.demo.desk import ASA, JOHN, STOCKHOLM, STRANGER
from bot.demo.desk_steps import agent_closes_from_card, agent_reply_from_card, portal_registration
from bot.demo.scenario import MailStep


def script(reference: str) -> list[DemoStep]:
    """Every step; ``reference`` is the seeded ticket John replies to."""
    tuesday = datetime(2026, 3, 10, 10, 15, tzinfo=STOCKHOLM)
    saturday = datetime(2026, 3, 14, 11, 0, tzinfo=STOCKHOLM)
    monday = datetime(2026, 3, 16, 9, 30, tzinfo=STOCKHOLM)
    subject = f"Re: [{reference}] Export to Excel stops at 80 %"
    mails = [
        MailStep("A new case by mail from a registered contact", tuesday, ASA, "Exporten till Excel stannar på 80 %",
                 "Hej!\n\nNär jag exporterar månadsrapporten till Excel stannar det på 80 %.\n\nMvh Åsa",
                 "processed", ("portal_redirect",)),
        MailStep("A mail from an unknown sender", tuesday.replace(minute=20), STRANGER, "Fråga om licenser",
                 "Hej, hur många licenser ingår i ert avtal?\n\nKim", "processed", ("unknown_sender",)),
        MailStep("An out-of-office auto-reply", tuesday.replace(minute=25), ASA, "Automatiskt svar: Frånvarande",
                 "Jag är på semester till och med 20 mars.", "dropped",
                 headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"}),
        MailStep(f"A reply on ticket {reference} during opening hours", tuesday.replace(minute=30), JOHN, subject,
                 "Hi,\n\nHere is the log you asked for: the export stops after row 65,536.\n\nJohn", "processed"),
        MailStep(f"A reply on ticket {reference} out of hours", saturday, JOHN, subject,
                 "One more thing: the CSV export stops too.\n\nJohn", "processed", ("out_of_hours",)),
    ]
    return [
        *(mail.step() for mail in mails),
        DemoStep("A case registered in the customer portal", monday, portal_registration),
        DemoStep("Anna Lind replies from the card", monday.replace(minute=45), agent_reply_from_card),
        DemoStep("Anna Lind closes the case from the card", monday.replace(hour=10, minute=0), agent_closes_from_card),
    ]

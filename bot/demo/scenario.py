"""The demo's script: real mail over SMTP to the ingress, each effect awaited in the database.

Each step freezes the demo clock at its own instant (chronological: an open
Tuesday morning, then a closed Saturday), sends one mail with smtplib, and
polls until the mail is processed and every mail it caused has left the outbox
(the sink has it by then: the outbox marks a row sent only after the sink's 250).
A step whose outcome differs from what the desk's rules say is reported, and
the demo exits 1.
"""

from __future__ import annotations

import asyncio
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.demo.clock import DemoClock
from bot.demo.desk import ASA, JOHN, STOCKHOLM, STRANGER, SUPPORT, Person
from storage.models import OutboxRow, RawMessage

STEP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Step:
    title: str
    at: datetime
    sender: Person
    subject: str
    body: str
    expect_state: str                      # raw mail state: processed | dropped
    expect_templates: tuple[str, ...] = ()  # mails the desk must send
    headers: dict[str, str] = field(default_factory=dict)


def steps(reference: str) -> list[Step]:
    """The script; ``reference`` is the seeded ticket John replies to."""
    tuesday = datetime(2026, 3, 10, 10, 15, tzinfo=STOCKHOLM)
    saturday = datetime(2026, 3, 14, 11, 0, tzinfo=STOCKHOLM)
    return [
        Step("A new case by mail from a registered contact", tuesday, ASA, "Exporten till Excel stannar på 80 %",
             "Hej!\n\nNär jag exporterar månadsrapporten till Excel stannar det på 80 %.\n\nMvh Åsa",
             "processed", ("portal_redirect",)),
        Step("A mail from an unknown sender", tuesday.replace(minute=20), STRANGER, "Fråga om licenser",
             "Hej, hur många licenser ingår i ert avtal?\n\nKim", "processed", ("unknown_sender",)),
        Step("An out-of-office auto-reply", tuesday.replace(minute=25), ASA, "Automatiskt svar: Frånvarande",
             "Jag är på semester till och med 20 mars.", "dropped",
             headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"}),
        Step(f"A reply on ticket {reference} during opening hours", tuesday.replace(minute=30), JOHN,
             f"Re: [{reference}] Export to Excel stops at 80 %",
             "Hi,\n\nHere is the log you asked for: the export stops after row 65,536.\n\nJohn", "processed"),
        Step(f"A reply on ticket {reference} out of hours", saturday, JOHN,
             f"Re: [{reference}] Export to Excel stops at 80 %",
             "One more thing: the CSV export stops too.\n\nJohn", "processed", ("out_of_hours",)),
    ]


@dataclass
class StepResult:
    state: str
    reason: str
    mails: list[tuple[str, str, str | None]]  # (template, state, last error)


def compose(step: Step) -> EmailMessage:
    message = EmailMessage()
    message["From"] = step.sender.address
    message["To"] = SUPPORT
    message["Subject"] = step.subject
    message["Message-ID"] = make_msgid(domain=step.sender.email.partition("@")[2])
    message["Date"] = format_datetime(step.at)
    for name, value in step.headers.items():
        message[name] = value
    message.set_content(step.body)
    return message


def send(port: int, message: EmailMessage) -> None:
    """Deliver over SMTP to the ingress; returns after its 250 (the mail is committed by then)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(message)


class Scenario:
    """Runs the steps against a started service."""

    def __init__(self, sessions: sessionmaker[Session], clock: DemoClock, calendar, ingress_port: int,
                 say: Callable[[str], None]):
        self._sessions = sessions
        self._clock = clock
        self._calendar = calendar
        self._port = ingress_port
        self._say = say

    async def run(self, script: list[Step]) -> bool:
        """Run every step; True when each ended as expected."""
        ok = True
        for number, step in enumerate(script, start=1):
            ok &= await self._step(number, len(script), step)
        self._clock.release()
        return ok

    async def _step(self, number: int, total: int, step: Step) -> bool:
        self._clock.freeze(step.at)
        local = step.at.astimezone(STOCKHOLM)
        if self._calendar.is_open(step.at):
            state = "desk open"
        else:
            state = f"desk closed until {self._calendar.next_opening(step.at).astimezone(STOCKHOLM):%a %d %b %H:%M}"
        self._say(f"\n[{number}/{total}] {local:%a %d %b %Y %H:%M} ({state}) — {step.title}")
        message = compose(step)
        self._say(f"      ✉  {step.sender.address} → {SUPPORT}: {step.subject}")
        outbox_before = await asyncio.to_thread(self._last_outbox_id)
        await asyncio.to_thread(send, self._port, message)
        result = await self._wait(lambda: self._settled(message["Message-ID"], outbox_before))
        self._say(f"      → {result.state}: {result.reason}")
        return self._check(step, result)

    def _check(self, step: Step, result: StepResult) -> bool:
        sent = tuple(template for template, state, _ in result.mails if state == "sent")
        failed = [f"{template}: {error}" for template, state, error in result.mails if state == "failed"]
        if result.state == step.expect_state and sent == step.expect_templates and not failed:
            return True
        failures = f"; failed: {'; '.join(failed)}" if failed else ""
        self._say(f"      ✗ expected {step.expect_state} with {list(step.expect_templates) or 'no mail'}, "
                  f"got {result.state} with {list(sent) or 'no mail'}{failures}")
        return False

    async def _wait(self, probe: Callable[[], StepResult | None]) -> StepResult:
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while (result := await asyncio.to_thread(probe)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the step's effects did not show within {STEP_TIMEOUT_S:g} s")
            await asyncio.sleep(0.02)  # polling interval, not a synchronisation delay
        return result

    def _last_outbox_id(self) -> int:
        with self._sessions() as session:
            return session.execute(select(func.coalesce(func.max(OutboxRow.id), 0))).scalar_one()

    def _settled(self, message_id: str, outbox_after: int) -> StepResult | None:
        """The mail's outcome once it is processed and its mails have left the outbox; else None."""
        with self._sessions() as session:
            raw = session.execute(select(RawMessage.state, RawMessage.reason)
                                  .where(RawMessage.message_id == message_id)).first()
            if raw is None or raw.state == "received":
                return None
            rows = session.execute(select(OutboxRow).where(OutboxRow.id > outbox_after, OutboxRow.kind == "email")
                                   .order_by(OutboxRow.id)).scalars().all()
        if any(row.state in ("pending", "sending") for row in rows):
            return None
        return StepResult(raw.state, raw.reason or "", [(r.payload["template"], r.state, r.last_error) for r in rows])

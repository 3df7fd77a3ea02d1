"""The demo's mail steps: real mail over SMTP to the ingress, each effect awaited until delivered.

A step sends one mail with smtplib (the ingress answers 250 once it is committed),
waits until the pipeline has processed it and every mail and Slack post it caused
has been delivered (bot/demo/settle.py), then reads back what happened. A step
whose outcome differs from what the desk's rules say is reported, and the demo
exits 1.
"""

from __future__ import annotations

import asyncio
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import partial
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.demo.context import DemoContext, DemoStep
from bot.demo.desk import SUPPORT, Person
from storage.models import OutboxRow, RawMessage


@dataclass(frozen=True)
class MailStep:
    title: str
    at: datetime
    sender: Person
    subject: str
    body: str
    expect_state: str                      # raw mail state: processed | dropped
    expect_templates: tuple[str, ...] = ()  # mails the desk must send
    headers: dict[str, str] = field(default_factory=dict)

    def step(self) -> DemoStep:
        return DemoStep(self.title, self.at, partial(run_mail_step, self))


def compose(step: MailStep) -> EmailMessage:
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


async def run_mail_step(step: MailStep, demo: DemoContext) -> bool:
    message = compose(step)
    demo.say(f"      ✉  {step.sender.address} → {SUPPORT}: {step.subject}")
    mark = await demo.settler.mark()
    await asyncio.to_thread(send, demo.settings.smtp_ingress.port, message)
    await demo.settler.delivered(mark, ready=partial(_processed, message["Message-ID"]))
    state, reason, mails = await asyncio.to_thread(_outcome, demo, message["Message-ID"], mark.outbox_id)
    demo.say(f"      → {state}: {reason}")
    sent = tuple(template for template, row_state, _ in mails if row_state == "sent")
    failed = [f"{template}: {error}" for template, row_state, error in mails if row_state == "failed"]
    if state == step.expect_state and sent == step.expect_templates and not failed:
        return True
    failures = f"; failed: {'; '.join(failed)}" if failed else ""
    demo.say(f"      ✗ expected {step.expect_state} with {list(step.expect_templates) or 'no mail'}, "
             f"got {state} with {list(sent) or 'no mail'}{failures}")
    return False


def _processed(message_id: str, session: Session) -> bool:
    state = session.execute(select(RawMessage.state).where(RawMessage.message_id == message_id)).scalar()
    return state not in (None, "received")


def _outcome(demo: DemoContext, message_id: str, outbox_after: int) -> tuple[str, str, list[tuple]]:
    """The mail's state and reason, and the mails the step sent: (template, state, last error)."""
    with demo.sessions() as session:
        raw = session.execute(select(RawMessage.state, RawMessage.reason)
                              .where(RawMessage.message_id == message_id)).one()
        rows = session.execute(select(OutboxRow).where(OutboxRow.id > outbox_after, OutboxRow.kind == "email")
                               .order_by(OutboxRow.id)).scalars().all()
    return raw.state, raw.reason or "", [(row.payload["template"], row.state, row.last_error) for row in rows]

"""What new SLA alerts send: DMs, alert-channel posts, the on-call mail, card refreshes — grouped.

Pure planning: alerts in, outbox rows out (the monitor inserts them in the
transaction that recorded the alerts). Destinations:

- warning → a DM to the assignee, or to whoever is on call when nobody holds the ticket;
- breach and reminder → a post in the alerts channel mentioning whoever is on
  call, with "I'm on it" and "Escalate" buttons, and a DM to them;
- breach (the first one only) → a mail to ``oncall.email`` (template ``sla_alert``);
- every level → the card is re-rendered, so its SLA field shows due soon / overdue.

**Digests.** When more than ``sla.digest_after`` alerts in one batch go to the same
destination (the alerts channel, or one person's DMs), they become one digest
message listing them instead of a flood — the morning after a holiday, every
case that came in meanwhile breaches at the same minute. Digest keys carry the
minute (``sla:digest:<destination>:<YYYYmmddTHHMM>``), so the unique outbox key
allows at most one digest per destination per minute; the monitor moves a
second one to the next free minute. The on-call mail stays one per case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bot.domain.hours.opening_text import format_next_opening

_EMAIL_TEMPLATE = "sla_alert"


@dataclass(frozen=True, slots=True)
class NewAlert:
    """One alert just recorded, with what its messages need to know about the ticket."""

    alert_id: int
    ticket_id: int
    level: str
    occurrence: int
    reference: str
    subject: str
    organisation: str | None
    due_at: datetime
    assignee_slack_id: str | None
    card_channel: str | None
    card_ts: str | None


@dataclass(frozen=True, slots=True)
class Digest:
    """Several alerts for one destination, to be queued under the first free minute's key."""

    kind: str
    destination: str
    payload: dict


@dataclass(frozen=True, slots=True)
class Plan:
    rows: list[dict]  # outbox rows: kind, idempotency_key, payload, ticket_id
    digests: list[Digest]


def plan(alerts: list[NewAlert], oncall, settings, now: datetime, tz, threshold: int | None = None) -> Plan:
    """The outbox rows for ``alerts`` (see the module docstring); ``threshold`` defaults to ``sla.digest_after``."""
    threshold = settings.sla.digest_after if threshold is None else threshold
    rows: list[dict] = []
    groups: dict[tuple[str, str], list[NewAlert]] = {}
    slack = settings.slack.enabled
    oncall_to = oncall.target()
    for alert in alerts:
        if slack:
            rows.append(_row("slack.card", f"sla:{alert.alert_id}:card", {"ticket_id": alert.ticket_id}, alert.ticket_id))
            if alert.level != "warning":
                groups.setdefault(("slack.sla_alert", "alerts"), []).append(alert)
            to = {"user": alert.assignee_slack_id} if alert.level == "warning" and alert.assignee_slack_id else oncall_to
            if to is not None:
                groups.setdefault(("slack.dm", _destination(to)), []).append(alert)
        if alert.level == "breach" and settings.oncall.email:
            rows.append(_row("email", f"sla:{alert.alert_id}:email", email_payload(alert, settings, now, tz), None))
    digests: list[Digest] = []
    for (kind, destination), members in groups.items():
        extra = {"oncall": oncall_to} if kind == "slack.sla_alert" else {"to": _target(destination)}
        if len(members) > threshold:
            digests.append(Digest(kind, destination, {"alert_ids": [a.alert_id for a in members], **extra}))
            continue
        for alert in members:
            key = f"sla:{alert.alert_id}:post" if kind == "slack.sla_alert" else f"sla:{alert.alert_id}:dm:{destination}"
            rows.append(_row(kind, key, {"alert_ids": [alert.alert_id], **extra}, alert.ticket_id))
    return Plan(rows, digests)


def digest_key(destination: str, minute: datetime) -> str:
    """The outbox key of the one digest ``destination`` may get in ``minute`` (UTC)."""
    return f"sla:digest:{destination}:{minute:%Y%m%dT%H%M}"


def minute_slots(now: datetime, tries: int = 60):
    """(key minute, not-before) for this minute, then the following ones: where a digest may go."""
    start = now.astimezone(timezone.utc).replace(second=0, microsecond=0)
    yield start, now
    for step in range(1, tries):
        yield start + timedelta(minutes=step), start + timedelta(minutes=step)


def card_url(channel: str | None, ts: str | None, staff_channel: str) -> str:
    """A link to the card that works without asking Slack (slack.com redirects into the workspace)."""
    if channel and ts:
        return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"
    return f"https://slack.com/app_redirect?channel={staff_channel}" if staff_channel else ""


def email_payload(alert: NewAlert, settings, now: datetime, tz) -> dict:
    """The payload ``storage.repositories.mail_queue.queue_email`` would queue with ``ticket=None``.

    Built here rather than through queue_email because the monitor inserts a
    whole batch in one statement (the morning after a holiday has hundreds);
    ``tests/jobs/test_sla_monitor.py`` checks the two shapes stay the same.
    No ``reference``: the mail goes to staff, and a reply to it must not look
    like a customer's reply on the case. The due time goes in as words
    ("i dag kl. 11:00"): the payload is JSON, and the template's
    ``local_datetime`` filter prints a string as it is.
    """
    lang = settings.desk.default_language
    domain = settings.desk.support_address.rpartition("@")[2]
    context = {"reference": alert.reference, "subject": alert.subject, "organisation": alert.organisation or "–",
               "due_at": format_next_opening(alert.due_at, now, lang, tz), "overdue": True,
               "card_url": card_url(alert.card_channel, alert.card_ts, settings.slack.staff_channel)}
    return {"template": _EMAIL_TEMPLATE, "lang": lang, "to": [settings.oncall.email],
            "context": context, "message_id": f"<sb-{uuid.uuid4().hex}@{domain}>", "thread": [], "reference": None,
            "reply_token": None, "automatic": True, "auto_submitted": "auto-generated", "audit": None}


def _row(kind: str, key: str, payload: dict, ticket_id: int | None) -> dict:
    return {"kind": kind, "idempotency_key": key, "payload": payload, "ticket_id": ticket_id}


def _destination(to: dict) -> str:
    [(kind, value)] = to.items()
    return f"{kind}:{value}"


def _target(destination: str) -> dict:
    kind, _, value = destination.partition(":")
    return {kind: value}

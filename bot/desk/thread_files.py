"""A customer message's files in its card's thread: which are uploaded, which get a link, which are skipped.

Queued by the thread post's delivery (bot/slack/deliverers/staff.py), so the
files always follow the message they came with; one outbox row per attachment
(key ``file:<attachment id>``), so each is uploaded once however often it is queued.

The plan for one message is decided over all its files in order, the same way
on every attempt (nothing in it depends on what was delivered before):

- not kept on disk (over ``desk.attachment_max_bytes``, or purged): a line saying so;
- the same content twice in one message, or a signature logo (an inline image of at
  most ``files.logo_max_bytes`` the sender already sent on an earlier message): skipped;
- larger than ``files.upload_max_bytes``, refused by content (bot/domain/files/sniff.py),
  or past ``files.message_max_bytes`` for the message: a line with a signed link;
- anything else: uploaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.files.sniff import refusal
from storage.attachment_store import AttachmentStore
from storage.models import Attachment, TicketMessage
from storage.repositories import outbox

KIND = "slack.file"


@dataclass(frozen=True)
class FilePlan:
    attachment_id: int
    action: str  # upload | link | skip | missing
    reason: str = ""


def queue_message_files(session: Session, ticket_id: int, message_id: int, now: datetime) -> int:
    """Queue one ``slack.file`` row per attachment of the message; how many were new."""
    ids = session.execute(select(Attachment.id).where(Attachment.message_id == message_id)
                          .order_by(Attachment.id)).scalars().all()
    return sum(outbox.enqueue(session, KIND, f"file:{attachment_id}", {"ticket_id": ticket_id,
                              "attachment_id": attachment_id}, now, ticket_id=ticket_id) for attachment_id in ids)


def plan_message(session: Session, store: AttachmentStore, settings, message_id: int) -> dict[int, FilePlan]:
    """What becomes of each file of the message, by attachment id (see the module docstring)."""
    message = session.get(TicketMessage, message_id)
    rows = session.execute(select(Attachment).where(Attachment.message_id == message_id)
                           .order_by(Attachment.id)).scalars().all()
    limits = settings.files
    plans, seen, total = {}, set(), 0
    for row in rows:
        path = store.path(row.sha256)
        if not row.stored or not path.exists():
            plans[row.id] = FilePlan(row.id, "missing", "not kept (too large to store, or removed)")
        elif row.sha256 in seen:
            plans[row.id] = FilePlan(row.id, "skip", "the same file twice in one message")
        elif _is_logo(session, message, row, limits.logo_max_bytes):
            plans[row.id] = FilePlan(row.id, "skip", "a signature logo")
        elif row.size > limits.upload_max_bytes:
            plans[row.id] = FilePlan(row.id, "link", f"larger than {human_size(limits.upload_max_bytes)}")
        elif (why := refusal(path)) is not None:
            plans[row.id] = FilePlan(row.id, "link", f"not uploaded: {why}")
        elif total + row.size > limits.message_max_bytes:
            plans[row.id] = FilePlan(row.id, "link", "over the upload total for one message")
        else:
            total += row.size
            plans[row.id] = FilePlan(row.id, "upload")
        seen.add(row.sha256)
    return plans


def _is_logo(session: Session, message: TicketMessage | None, row: Attachment, max_bytes: int) -> bool:
    """A small inline image the same sender sent on an earlier message: a logo in every signature."""
    if message is None or not row.inline or not row.content_type.startswith("image/") or row.size > max_bytes:
        return False
    earlier = (select(Attachment.id).join(TicketMessage, Attachment.message_id == TicketMessage.id)
               .where(Attachment.sha256 == row.sha256, TicketMessage.id < message.id,
                      TicketMessage.author_email == message.author_email).limit(1))
    return message.author_email is not None and session.execute(earlier).first() is not None


def human_size(size: int) -> str:
    """``512 B``, ``14 KB``, ``3.2 MB``, ``20 MB`` (binary units: a 20 MB cap is 20 × 1024 × 1024 bytes)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    value = size / (1024 * 1024)
    return f"{value:.1f} MB" if value < 10 else f"{value:.0f} MB"

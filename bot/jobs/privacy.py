"""Personal data: removing it while the statistics stay.

Two callers: the retention job (bot/jobs/retention.py) purges the bodies of
long-closed tickets, and ``supportbot contact forget EMAIL`` removes one person.
Both keep the skeleton that reports need — tickets (reference, status, line,
priority, category, dates, SLA times), their event log, message rows
(direction, channel, dates, Message-IDs, so later mail still threads), attachment
rows (size, type, hash), raw-mail rows (the dedupe key, so a redelivered old mail
is not taken for new) and survey ratings.

Files are removed before the transaction commits: if the commit then fails, the
rows still say "stored", so the next run finds them again and finishes the job.
Attachment files are content-addressed, so a file goes only when no stored
attachment row still points at it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from typing import Any

from sqlalchemy import Text, cast, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage import search
from storage.attachment_store import AttachmentStore
from bot.jobs.privacy_scrub import identifiers, scrub_everywhere
from storage.models import (
    Attachment, AutoreplyLog, Contact, Inquiry, OutboxRow, RawMessage, SurveyResponse, Ticket, TicketEvent,
    TicketMessage, TicketParticipant,
)

CHUNK = 500  # ids per IN (…) list
FORGOTTEN = "(forgotten)"


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    """``ids`` (deduplicated, sorted) in lists of at most ``size``."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


# -- shared by retention and forget -------------------------------------------------


def purge_message_bodies(session: Session, message_ids: Iterable[int]) -> int:
    """Empty text, stripped text and HTML of these messages; return how many still had any."""
    changed = 0
    for part in chunks(message_ids):
        changed += session.execute(
            update(TicketMessage)
            .where(TicketMessage.id.in_(part),
                   (TicketMessage.text != "") | TicketMessage.stripped_text.is_not(None) | TicketMessage.html.is_not(None))
            .values(text="", stripped_text=None, html=None)
            .execution_options(synchronize_session=False)
        ).rowcount
    return changed


def purge_raw_mail(session: Session, raw_ids: Iterable[int], *, envelope: bool = False) -> int:
    """Drop the stored bytes of these raw mails (and with ``envelope`` the envelope sender); the rows stay."""
    changed = 0
    values: dict[str, Any] = {"raw": None}
    pending = RawMessage.raw.is_not(None)
    if envelope:
        values["envelope_from"] = None
        pending = pending | RawMessage.envelope_from.is_not(None)
    for part in chunks(raw_ids):
        changed += session.execute(
            update(RawMessage).where(RawMessage.id.in_(part), pending).values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
    return changed


def unstore_attachments(session: Session, store: AttachmentStore | None, message_ids: Iterable[int], *,
                        remove_files: bool = True) -> int:
    """Mark these messages' stored attachments not stored and delete files nothing else needs; return the rows."""
    found: list[tuple[int, str]] = []
    for part in chunks(message_ids):
        found += session.execute(
            select(Attachment.id, Attachment.sha256).where(Attachment.message_id.in_(part), Attachment.stored.is_(True))
        ).all()
    for part in chunks(row_id for row_id, _sha in found):
        session.execute(update(Attachment).where(Attachment.id.in_(part)).values(stored=False)
                        .execution_options(synchronize_session=False))
    hashes = sorted({sha for _id, sha in found})
    if store is None or not remove_files or not hashes:
        return len(found)
    still_needed: set[str] = set()
    for start in range(0, len(hashes), CHUNK):
        part = hashes[start:start + CHUNK]
        still_needed |= set(session.execute(
            select(Attachment.sha256).where(Attachment.sha256.in_(part), Attachment.stored.is_(True))).scalars())
    for sha in hashes:
        if sha not in still_needed:
            store.remove(sha)
    return len(found)


# -- forgetting one person ----------------------------------------------------------

FORGET_ITEMS = (
    ("contact", "contact row deleted"),
    ("tickets", "tickets kept without the contact"),
    ("messages", "their messages: bodies and author fields purged"),
    ("mails_to_them", "mails sent to them: bodies purged"),
    ("attachments", "attachment files removed from their messages"),
    ("raw_mails", "raw mails from them purged"),
    ("inquiries", "inquiries from them deleted"),
    ("participants", "ticket participant rows deleted"),
    ("autoreplies", "autoreply log rows deleted"),
    ("outbox_rows", "outbox rows naming them deleted"),
    ("events", "ticket events with their address scrubbed"),
    ("survey_comments", "survey comments cleared (ratings kept)"),
    ("scrubbed", "other stored text naming them scrubbed (reasons, errors, quotes, subjects; raw mail purged)"),
)


def forget(sessions: sessionmaker[Session], store: AttachmentStore | None, email: str, *,
           dry_run: bool = False, also: Sequence[str] = ()) -> Counter:
    """Remove a person's personal data (see FORGET_ITEMS); with ``dry_run`` count it and change nothing.

    ``also``: more strings that name them (a phone number, another spelling), scrubbed everywhere.
    """
    address = email.strip().lower()
    with sessions() as session:
        counts = _forget(session, store, address, remove_files=not dry_run, also=also)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    return counts


def _forget(session: Session, store: AttachmentStore | None, address: str, *, remove_files: bool,
            also: Sequence[str] = ()) -> Counter:
    counts: Counter = Counter()
    contact = session.execute(select(Contact).where(func.lower(Contact.email) == address)).scalar_one_or_none()
    contact_id = contact.id if contact else None
    their_tickets = list(session.execute(select(Ticket.id).where(Ticket.contact_id == contact_id)).scalars()) \
        if contact_id else []

    authored = session.execute(select(TicketMessage.id, TicketMessage.raw_message_id, TicketMessage.author_name,
                                      TicketMessage.text)
                               .where(func.lower(TicketMessage.author_email) == address)).all()
    needles = _identifiers(session, address, contact, authored, also)
    message_ids = [row.id for row in authored]
    raw_ids = {row.raw_message_id for row in authored if row.raw_message_id}

    mails_to_them = _delete_outbox_rows_naming(session, address, counts)
    counts["mails_to_them"] = purge_message_bodies(session, _message_ids_by_mid(session, mails_to_them))
    purge_message_bodies(session, message_ids)
    _clear_authors(session, message_ids)
    counts["messages"] = len(message_ids)
    counts["attachments"] = unstore_attachments(session, store, message_ids, remove_files=remove_files)
    for part in chunks(message_ids):
        session.execute(update(Attachment).where(Attachment.message_id.in_(part)).values(filename="")
                        .execution_options(synchronize_session=False))

    inquiry_filter = func.lower(Inquiry.sender_email) == address
    if contact is not None:
        inquiry_filter = inquiry_filter | (Inquiry.contact_id == contact.id)
        if contact.slack_user_id:
            inquiry_filter = inquiry_filter | (Inquiry.slack_user_id == contact.slack_user_id)
    inquiries = session.execute(select(Inquiry.id, Inquiry.raw_message_id).where(inquiry_filter)).all()
    raw_ids |= {row.raw_message_id for row in inquiries if row.raw_message_id}
    raw_ids |= set(session.execute(select(RawMessage.id).where(func.lower(RawMessage.envelope_from) == address))
                   .scalars())
    raw_ids |= set(unlinked_raw_mail_from(session, address))
    for part in chunks(row.id for row in inquiries):
        counts["inquiries"] += session.execute(delete(Inquiry).where(Inquiry.id.in_(part))).rowcount
    counts["raw_mails"] = purge_raw_mail(session, raw_ids, envelope=True)

    counts["participants"] = session.execute(
        delete(TicketParticipant).where(func.lower(TicketParticipant.email) == address)).rowcount
    counts["autoreplies"] = session.execute(
        delete(AutoreplyLog).where(func.lower(AutoreplyLog.recipient) == address)).rowcount
    counts["events"] = _scrub_events(session, address)
    for part in chunks(their_tickets):
        counts["survey_comments"] += session.execute(
            update(SurveyResponse).where(SurveyResponse.ticket_id.in_(part), SurveyResponse.comment.is_not(None))
            .values(comment=None).execution_options(synchronize_session=False)).rowcount
        counts["tickets"] += session.execute(
            update(Ticket).where(Ticket.id.in_(part)).values(contact_id=None)
            .execution_options(synchronize_session=False)).rowcount
    if contact is not None:
        session.delete(contact)
        session.flush()
        counts["contact"] = 1
    counts["scrubbed"] = scrub_everywhere(session, needles)  # what no rule above knew about
    _reindex_touched(session, [*their_tickets, *message_ids, *_message_ids_by_mid(session, mails_to_them)])
    return counts


def _reindex_touched(session: Session, ids: list[int]) -> None:
    """Rebuild the full-text documents of every ticket whose text changed (the index holds its own copy).

    ``ids`` mixes ticket and message ids the rules above touched; the scrub can
    have reached any ticket, so those whose subject or messages now say
    "(forgotten" are rebuilt too.
    """
    touched = set(session.execute(select(TicketMessage.ticket_id).where(
        TicketMessage.id.in_(ids) | TicketMessage.text.contains(FORGOTTEN[:-1])
        | TicketMessage.stripped_text.contains(FORGOTTEN[:-1]))).scalars())
    touched |= set(session.execute(select(Ticket.id).where(
        Ticket.id.in_(ids) | Ticket.subject.contains(FORGOTTEN[:-1]))).scalars())
    search.reindex(session, touched)


def _identifiers(session: Session, address: str, contact: Contact | None, authored, also: Sequence[str]) -> list[str]:
    """What names the person, read before anything is purged (see bot/jobs/privacy_scrub.py)."""
    inquiries = session.execute(select(Inquiry.sender_name, Inquiry.text)
                                .where(func.lower(Inquiry.sender_email) == address)).all()
    names = [contact.name if contact else None, *(row.author_name for row in authored),
             *(row.sender_name for row in inquiries)]
    if contact is not None and contact.phone:  # the directory's number for them, wherever it was quoted
        also = [*also, contact.phone]
    return identifiers(address, names, [*(row.text for row in authored), *(row.text for row in inquiries)], also)


def _clear_authors(session: Session, message_ids: Sequence[int]) -> None:
    for part in chunks(message_ids):
        session.execute(update(TicketMessage).where(TicketMessage.id.in_(part))
                        .values(author_email=None, author_name=None).execution_options(synchronize_session=False))


def naming(column, address: str):
    """Rows whose JSON ``column`` may mention ``address`` (a cheap prefilter; ``mentions`` decides)."""
    text = func.lower(cast(column, Text))
    escaped = json.dumps(address)[1:-1]  # how JSON stores a non-ASCII address
    forms = {address, escaped}
    return or_(*(text.contains(form, autoescape=True) for form in forms))


def mentions(value: Any, address: str) -> bool:
    """Whether a JSON value holds ``address`` anywhere (case-insensitive)."""
    if isinstance(value, str):
        return address in value.lower()
    if isinstance(value, dict):
        return any(mentions(item, address) for item in value.values())
    if isinstance(value, list):
        return any(mentions(item, address) for item in value)
    return False


def _scrubbed(value: Any, address: str) -> Any:
    if isinstance(value, str):
        return FORGOTTEN if address in value.lower() else value
    if isinstance(value, dict):
        return {key: _scrubbed(item, address) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, address) for item in value]
    return value


def _delete_outbox_rows_naming(session: Session, address: str, counts: Counter) -> list[str]:
    """Delete outbox rows naming the person (nothing more goes to them); return the Message-IDs of mail to them."""
    rows = session.execute(select(OutboxRow.id, OutboxRow.kind, OutboxRow.payload)
                           .where(naming(OutboxRow.payload, address))).all()
    rows = [row for row in rows if mentions(row.payload, address)]
    message_ids = [row.payload["message_id"] for row in rows
                   if row.kind == "email" and isinstance(row.payload, dict) and row.payload.get("message_id")
                   and any(address == str(to).lower() for to in row.payload.get("to") or ())]
    for part in chunks(row.id for row in rows):
        counts["outbox_rows"] += session.execute(delete(OutboxRow).where(OutboxRow.id.in_(part))).rowcount
    return message_ids


def _message_ids_by_mid(session: Session, rfc_ids: list[str]) -> list[int]:
    found: list[int] = []
    for start in range(0, len(rfc_ids), CHUNK):
        found += session.execute(select(TicketMessage.id).where(
            TicketMessage.message_id.in_(rfc_ids[start:start + CHUNK]))).scalars()
    return found


def _scrub_events(session: Session, address: str) -> int:
    rows = session.execute(select(TicketEvent.id, TicketEvent.data).where(naming(TicketEvent.data, address))).all()
    changed = 0
    for row in rows:
        if mentions(row.data, address):
            session.execute(update(TicketEvent).where(TicketEvent.id == row.id)
                            .values(data=_scrubbed(row.data, address))
                            .execution_options(synchronize_session=False))
            changed += 1
    return changed


_HEADER_PARSER = BytesHeaderParser(policy=compat32)  # headers only: 5–10× faster than a full parse


def unlinked_raw_mail_from(session: Session, address: str, batch: int = 500) -> Iterator[int]:
    """Raw mails no message or inquiry points at (quarantined, dropped) whose From/Sender/Reply-To is ``address``."""
    linked_to_message = exists().where(TicketMessage.raw_message_id == RawMessage.id)
    linked_to_inquiry = exists().where(Inquiry.raw_message_id == RawMessage.id)
    after = 0
    while True:
        rows = session.execute(
            select(RawMessage.id, RawMessage.raw)
            .where(RawMessage.id > after, RawMessage.raw.is_not(None), ~linked_to_message, ~linked_to_inquiry)
            .order_by(RawMessage.id).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            headers = _HEADER_PARSER.parsebytes(row.raw)
            senders = getaddresses([str(value) for name in ("From", "Sender", "Reply-To")
                                    for value in headers.get_all(name) or ()])
            if any(addr.strip().lower() == address for _name, addr in senders):
                yield row.id
        after = rows[-1].id

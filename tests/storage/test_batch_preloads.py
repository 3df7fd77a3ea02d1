"""Per-batch preloads (autoreply log, stored Message-IDs) answer exactly what the per-mail queries answer."""

from datetime import timedelta

from sqlalchemy import event

from handlers import deduplicate
from storage.repositories import autoreplies, inquiries, preloaded

WINDOW = timedelta(hours=4)


def _statements(session):
    seen = []
    event.listen(session.get_bind(), "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_autoreply_preload_agrees_with_the_query_at_the_window_edges(session, now):
    autoreplies.record(session, "Anna@kund.se", "unknown_sender", now - timedelta(hours=5))
    autoreplies.record(session, "anna@kund.se", "unknown_sender", now - timedelta(hours=3, minutes=59))
    autoreplies.record(session, "bo@kund.se", "unknown_sender", now - timedelta(hours=4, seconds=1))
    session.commit()
    asked = {(who, at): autoreplies.recently_answered(session, who, at, WINDOW)
             for who in ("anna@kund.se", "bo@kund.se", "cilla@kund.se")
             for at in (now, now + timedelta(minutes=1), now - timedelta(hours=1))}
    autoreplies.preload(session, ["ANNA@kund.se", "bo@kund.se", "cilla@kund.se"])
    statements = _statements(session)
    preloaded = {key: autoreplies.recently_answered(session, *key, WINDOW) for key in asked}
    assert preloaded == asked
    assert statements == []
    assert asked[("anna@kund.se", now)] and not asked[("bo@kund.se", now)]


def test_a_recorded_answer_counts_at_once_for_the_rest_of_the_batch(session, now):
    autoreplies.preload(session, ["cilla@kund.se"])
    assert not autoreplies.recently_answered(session, "cilla@kund.se", now, WINDOW)
    autoreplies.record(session, "cilla@kund.se", "unknown_sender", now)
    assert autoreplies.recently_answered(session, "cilla@kund.se", now + timedelta(seconds=1), WINDOW)
    preloaded.forget(session)
    assert autoreplies.recently_answered(session, "cilla@kund.se", now + timedelta(seconds=1), WINDOW)


def test_dedupe_preload_knows_stored_ids_and_asks_again_on_a_second_look(session, now):
    inquiries.create_inquiry(session, kind="unknown_sender", channel="email", created_at=now,
                             sender_email="anna@kund.se", message_id="<old@kund.se>")
    deduplicate.preload(session, ["<old@kund.se>", "<new@kund.se>"])
    statements = _statements(session)
    assert deduplicate._seen(session, "message_id", "<old@kund.se>")
    assert not deduplicate._seen(session, "message_id", "<new@kund.se>")
    assert statements == []
    inquiries.create_inquiry(session, kind="unknown_sender", channel="email", created_at=now,
                             sender_email="anna@kund.se", message_id="<new@kund.se>")
    assert deduplicate._seen(session, "message_id", "<new@kund.se>")  # asked: the preload was used up
    assert len(statements) == 2


def test_raw_mails_stored_in_one_statement_skip_known_and_repeated_keys(session, now):
    from storage.repositories import raw_messages

    [known] = raw_messages.store_many(session, [raw_messages.row(b"Subject: a\r\n\r\nA", "<a@x>", "imap", now)])
    rows = [raw_messages.row(f"Subject: {key}\r\n\r\n".encode(), f"<{key}@x>", "imap", now, uid=uid)
            for uid, key in enumerate(["b", "a", "c", "b", "d"])]
    statements = _statements(session)
    new_ids = raw_messages.store_many(session, rows)
    assert len(statements) == 1
    assert len(new_ids) == 3 and new_ids == sorted(new_ids) and known not in new_ids
    stored = raw_messages.raw_bytes(session, new_ids)
    assert [stored[raw_id].split(b"\r\n")[0] for raw_id in new_ids] == [b"Subject: b", b"Subject: c", b"Subject: d"]
    assert raw_messages.store_many(session, []) == []

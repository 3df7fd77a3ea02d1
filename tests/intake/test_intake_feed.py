"""IntakeFeed: chunks keep their order across fetch batches and are parsed ahead, a bounded number at a time."""

from __future__ import annotations

from concurrent.futures import Future

from bot.domain.mail.parse import parse_mail
from bot.mail.raw_store import FetchedMail, store_batch
from bot.intake.mail_runner import IntakeFeed
from tests.support.edge_fixtures import raw_rows, utc_clock


def _mail(number: int) -> bytes:
    return (f"From: kund{number}@example.com\r\nTo: support@example.com\r\nSubject: Fråga {number}\r\n"
            f"Message-ID: <feed{number}@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Hej, fråga nummer {number}.\r\n").encode()


class RecordingPool:
    """Parses inline, and records what was asked for and when (the feed only needs submit/result)."""

    def __init__(self):
        self.events: list[tuple[str, tuple[int, ...]]] = []
        self.in_flight = self.most_in_flight = 0

    def submit(self, raws: dict[int, bytes]) -> Future:
        self.events.append(("submit", tuple(raws)))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        future: Future = Future()
        future.set_result({raw_id: parse_mail(raw) for raw_id, raw in raws.items()})
        return future

    def result(self, future: Future) -> dict:
        self.in_flight -= 1
        parsed = future.result()
        self.events.append(("result", tuple(parsed)))
        return parsed


def _store(store, numbers) -> list[int]:
    return store_batch(store, [FetchedMail(raw=_mail(n)) for n in numbers], "imap", utc_clock())


def test_chunks_of_later_batches_are_parsed_before_the_earlier_batch_is_done(store, processor):
    pool = RecordingPool()
    feed = IntakeFeed(processor, pool, batch=2, ahead=3)
    first, second = _store(store, range(4)), _store(store, range(4, 8))
    feed.add(first)
    feed.process_next()  # first chunk of the first batch written; its second chunk is still queued
    feed.add(second)
    feed.drain()
    submitted = [ids for kind, ids in pool.events if kind == "submit"]
    results = [ids for kind, ids in pool.events if kind == "result"]
    assert results == [tuple(first[0:2]), tuple(first[2:4]), tuple(second[0:2]), tuple(second[2:4])]
    # the second batch's first chunk went to the pool before the first batch's last chunk was consumed
    assert pool.events.index(("submit", tuple(second[0:2]))) < pool.events.index(("result", tuple(first[2:4])))
    assert submitted == results
    assert pool.most_in_flight <= 3
    assert feed.counts["processed"] == 8
    assert {row.state for row in raw_rows(store)} == {"processed"}


def test_without_a_pool_the_pipeline_parses_inline(store, processor):
    feed = IntakeFeed(processor, None, batch=3)
    feed.add(_store(store, range(5)))
    assert len(feed) == 2
    assert feed.drain()["processed"] == 5
    assert not feed


def test_process_pending_tops_up_the_feed_in_arrival_order(store, processor):
    ids = _store(store, range(7))
    assert processor.process_pending(batch=2)["processed"] == 7
    assert [row.id for row in raw_rows(store, "processed")] == ids

"""The backlog handoff: stores run on the serving thread, and neither side waits forever."""

from __future__ import annotations

import threading

import pytest

from bot.mail.backlog import _Handoff


def _fetcher(handoff: _Handoff, stores, results: list) -> threading.Thread:
    def run() -> None:
        try:
            for store in stores:
                results.append(handoff.run(store))
        except BaseException as exc:  # recorded for the assertions
            results.append(exc)
        finally:
            handoff.done()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_stores_run_on_the_serving_thread_in_order():
    handoff, results, ran_on, processed = _Handoff(), [], [], []

    def store(ids):
        return lambda: ran_on.append(threading.current_thread()) or ids

    thread = _fetcher(handoff, [store([1, 2]), store([3])], results)
    handoff.serve(processed.append)
    thread.join(5)
    assert results == [[1, 2], [3]] and processed == [[1, 2], [3]]
    assert ran_on == [threading.current_thread()] * 2


def test_a_failing_store_reaches_the_fetch_thread_and_nothing_after_it_is_stored():
    handoff, results, processed = _Handoff(), [], []

    def broken():
        raise RuntimeError("database is locked")

    thread = _fetcher(handoff, [broken, lambda: [9]], results)
    handoff.serve(processed.append)
    thread.join(5)
    assert isinstance(results[0], RuntimeError) and len(results) == 1
    assert processed == []


def test_when_processing_fails_a_waiting_fetch_thread_is_released():
    handoff, results = _Handoff(), []
    second_waiting = threading.Event()

    def first():
        return [1]

    def after_store(ids):
        second_waiting.wait(5)  # the fetch thread has handed over its next batch by now
        raise ValueError("poison")

    def second():
        return [2]

    def fetch() -> None:
        try:
            results.append(handoff.run(first))
            timer = threading.Timer(0.2, second_waiting.set)
            timer.start()
            results.append(handoff.run(second))
        except BaseException as exc:
            results.append(exc)
        finally:
            handoff.done()

    thread = threading.Thread(target=fetch, daemon=True)
    thread.start()
    with pytest.raises(ValueError):
        handoff.serve(after_store)
    thread.join(5)
    assert not thread.is_alive()
    assert results[0] == [1] and isinstance(results[1], RuntimeError)

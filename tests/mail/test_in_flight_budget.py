"""The in-flight budget shared by the SMTP ingress and the IMAP poller (issue 21, point 1).

Past the budget a new SMTP transaction waits, then gets 451 and the sender retries;
the poller waits. Nothing is lost: every mail ends up stored once.
"""

from __future__ import annotations

import smtplib
import threading
import time

from bot.app.config import ImapSettings
from bot.mail.imap_poller import Backoff, ImapPoller
from bot.mail.in_flight import InFlightBudget
from bot.mail.smtp_ingress import IngressHandler, SmtpIngress
from tests.support.edge_fixtures import PollerThread, raw_rows, utc_clock, wait_until
from tests.mail.test_smtp_ingress import RunningIngress

KIB = 1024


def mail(number: int, body_bytes: int = 1000) -> bytes:
    line = b"x" * 70 + b"\r\n"
    return (f"From: asa@kund.se\r\nTo: support@example.com\r\nSubject: budget {number}\r\n"
            f"Message-ID: <budget{number}.{time.monotonic_ns()}@kund.se>\r\n\r\n").encode() \
        + line * (body_bytes // len(line))


class BudgetedIngress(RunningIngress):
    def __init__(self, session_factory, budget: InFlightBudget, wait_s: float, **settings):
        super().__init__(session_factory, **settings)
        handler = IngressHandler(self.settings, session_factory, utc_clock, budget=budget, budget_wait_s=wait_s)
        self.ingress = SmtpIngress(self.settings, handler)


def test_a_mail_over_the_budget_gets_451_then_goes_through_on_retry(store):
    budget = InFlightBudget(64 * KIB)
    first, second = mail(1, 40 * KIB), mail(2, 40 * KIB)
    with BudgetedIngress(store, budget, wait_s=0.3, max_message_bytes=64 * KIB) as running, \
            running.client() as holder, running.client() as other:
        holder.ehlo()
        assert holder.mail("asa@kund.se", [f"SIZE={len(first)}"])[0] == 250
        assert budget.used == len(first)
        try:
            other.sendmail("asa@kund.se", ["support@example.com"], second)  # declares SIZE=, over what is left
            raise AssertionError("the second mail was accepted past the budget")
        except smtplib.SMTPSenderRefused as refused:
            assert refused.smtp_code == 451 and b"4.3.1" in refused.smtp_error
        assert holder.rcpt("support@example.com")[0] == 250
        assert holder.data(first)[0] == 250
        assert budget.used == 0
        other.rset()
        assert other.sendmail("asa@kund.se", ["support@example.com"], second) == {}  # the sender's retry
    assert sorted(row.size for row in raw_rows(store)) == sorted([len(first), len(second)])
    assert budget.used == 0


def test_a_waiting_transaction_goes_on_when_the_budget_frees(store):
    budget = InFlightBudget(64 * KIB)
    first, second = mail(3, 40 * KIB), mail(4, 40 * KIB)
    answers = []
    with BudgetedIngress(store, budget, wait_s=10, max_message_bytes=64 * KIB) as running, \
            running.client() as holder, running.client() as other:
        holder.ehlo()
        holder.mail("asa@kund.se", [f"SIZE={len(first)}"])
        waiter = threading.Thread(target=lambda: answers.append(
            other.sendmail("asa@kund.se", ["support@example.com"], second)))
        waiter.start()
        time.sleep(0.5)
        assert answers == [] and raw_rows(store) == []  # waiting at MAIL FROM
        holder.rcpt("support@example.com")
        holder.data(first)
        waiter.join(10)
    assert answers == [{}]
    assert len(raw_rows(store)) == 2 and budget.used == 0


def test_a_dropped_connection_gives_its_share_back(store):
    budget = InFlightBudget(64 * KIB)
    with BudgetedIngress(store, budget, wait_s=0.3, max_message_bytes=64 * KIB) as running:
        holder = running.client()
        holder.ehlo()
        holder.mail("asa@kund.se")  # no SIZE: the whole max_message_bytes
        assert budget.used == 64 * KIB
        holder.close()  # no QUIT: the connection just ends
        wait_until(lambda: budget.used == 0, timeout=5)
        with running.client() as other:
            assert other.sendmail("asa@kund.se", ["support@example.com"], mail(5)) == {}
    assert len(raw_rows(store)) == 1


def test_the_poller_waits_for_the_budget_and_loses_nothing(imap_server, store):
    budget = InFlightBudget(256 * KIB)  # the poller takes at most a quarter at a time: 64 KiB
    mails = [mail(10 + n, 30 * KIB) for n in range(6)]
    for raw in mails:
        imap_server.append("INBOX", raw)
    held = budget.try_reserve(256 * KIB)  # the SMTP side holds it all
    settings = ImapSettings(enabled=True, host=imap_server.host, port=imap_server.port, security="plain",
                            username=imap_server.username, password=imap_server.password, timeout_s=5.0)
    poller = ImapPoller(settings, store, utc_clock, backoff=Backoff(0.05, 0.5), idle_check_s=0.1, budget=budget)
    with PollerThread(poller):
        assert poller.connected.wait(10)
        time.sleep(0.5)
        assert raw_rows(store) == []  # waiting for the budget
        budget.release(held)
        wait_until(lambda: len(raw_rows(store)) == len(mails))
    assert sorted(row.raw for row in raw_rows(store)) == sorted(mails)
    assert budget.used == 0

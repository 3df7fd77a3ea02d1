"""Puts the demo together: fresh files, sink, Slack stand-in, the real service, the scenario."""

from __future__ import annotations

import asyncio
import shutil
import smtplib
import socket
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

import aiohttp

from bot.demo.clock import DemoClock
from bot.demo.context import DemoContext, DemoStep
from bot.demo.desk import AGENTS, STOCKHOLM, SUPPORT, Ports, demo_settings, seed
from bot.demo.mail_sink import MailSink
from bot.demo.report import write_report
from bot.demo.script import script
from bot.demo.settle import Settler
from bot.demo.summary import summary_lines
from bot.devtools.mrkdwn_terminal import TerminalStyle, render

DB_NAME = "supportbot.db"
LOG_NAME = "supportbot.log"


def prepare_directory(base: Path) -> None:
    """Create ``base`` and remove what an earlier demo left there (database, log, sent mail, attachments)."""
    base.mkdir(parents=True, exist_ok=True)
    for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", LOG_NAME):
        (base / name).unlink(missing_ok=True)
    for old_report in base.glob("report-*.html"):
        old_report.unlink()
    for name in ("sent", "attachments"):
        shutil.rmtree(base / name, ignore_errors=True)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now (the settings need a number before binding)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


HISTORY_NAME = "history.jsonl"


def import_sample_history(runtime, base: Path) -> int:
    """Write the generated sample history into the demo folder and import it as `ticket import` does."""
    from bot.demo.desk import ASA, JOHN, SEEDED_AT
    from bot.demo.history import history_lines
    from bot.desk.history_import import import_history

    lines = history_lines(SEEDED_AT, contacts={"sv": ASA.email, "en": JOHN.email})
    (base / HISTORY_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_history(runtime.sessions, lines, prefix=runtime.settings.desk.reference_prefix,
                            desk_zone=runtime.settings.hours.timezone,
                            now=SEEDED_AT)
    return report.imported


async def run_demo(base: Path, *, once: bool, log_format: str, verbose: bool, say: Callable[[str], None],
                   ansi: bool = False) -> int:
    """Run the demo; 0 when every step ended as the desk's rules say (or on Ctrl-C), else 1."""
    from bot.devtools.slack_standin import SlackStandin
    from bot.app.logging_setup import secret_values, setup_logging
    from bot.app.runtime import Runtime
    from bot.app.service import Service
    from bot.app.signals import stop_on_signals
    from storage import migrate

    sink = await MailSink(base / "sent", say).start()
    style = TerminalStyle(ansi=ansi, users={a.slack_user: a.name for a in AGENTS})
    standin = await SlackStandin(printer=say, mrkdwn=partial(render, style=style),
                                 users={a.slack_user: {"email": a.email, "real_name": a.name}
                                        for a in AGENTS}).start_async()
    ports = Ports(smtp_ingress=free_port(), http=free_port(), ops=free_port(), sink=sink.port)
    settings = demo_settings(base, ports, standin.base_url)
    setup_logging(log_format, verbose, secret_values(settings), log_file=str(base / LOG_NAME))
    clock = DemoClock()
    runtime = Runtime(settings, clock)
    await asyncio.to_thread(migrate.upgrade, runtime.engine)
    reference = await asyncio.to_thread(seed, runtime.sessions, settings)
    history = await asyncio.to_thread(import_sample_history, runtime, base)
    service = Service(runtime)
    interrupted = asyncio.Event()
    restore = stop_on_signals(interrupted)
    demo = DemoContext(settings, runtime.sessions, clock, runtime.services["calendar"], standin, sink,
                       Settler(runtime.sessions, standin), say, {"seeded": reference})
    try:
        await service.start()
        await service.wait_until_up()
        say(_banner(base, ports, standin.base_url, reference))
        say(f"  history      {history} past cases imported from {base / HISTORY_NAME} (`supportbot ticket import`)")
        try:
            ok = await _until(_run_steps(demo, script(reference)), interrupted)
        except (TimeoutError, OSError, smtplib.SMTPException, aiohttp.ClientError) as exc:
            say(f"      ✗ {type(exc).__name__}: {exc} (see {base / LOG_NAME})")
            return 1
        if ok is None:
            return 0
        say(await _http_check(ports.ops))
        say("\n" + "\n".join(await asyncio.to_thread(summary_lines, runtime.sessions)))
        report = await asyncio.to_thread(write_report, runtime, base)
        say(f"  report       {report} (`supportbot report`: the sample history's last week, eight weeks of trend)")
        if not once:
            say(_invitation(ports))
            await interrupted.wait()
        return 0 if ok else 1
    finally:
        restore()
        await service.stop()
        await standin.stop_async()
        await sink.stop()
        if interrupted.is_set():
            say(f"\n⏹  Stopped: the desk shut down. Its database, log and sent mail stay in {base}.")


async def _run_steps(demo: DemoContext, steps: list[DemoStep]) -> bool:
    """Each step at its own frozen instant, numbered as README numbers them; True when all ended as expected."""
    ok = True
    for number, step in enumerate(steps, start=1):
        demo.clock.freeze(step.at)
        demo.say(f"\n[{number}/{len(steps)}] {step.at.astimezone(STOCKHOLM):%a %d %b %Y %H:%M} "
                 f"({_desk_state(demo.calendar, step.at)}) — {step.title}")
        ok &= await step.act(demo)
    demo.clock.release()
    return ok


def _desk_state(calendar, at: datetime) -> str:
    if calendar.is_open(at):
        return "desk open"
    return f"desk closed until {calendar.next_opening(at).astimezone(STOCKHOLM):%a %d %b %H:%M}"


async def _until(work, interrupted: asyncio.Event):
    """``work``'s result, or None when Ctrl-C/SIGTERM came first (the work is cancelled)."""
    task = asyncio.ensure_future(work)
    waiter = asyncio.ensure_future(interrupted.wait())
    await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if task.done():
        return task.result()
    task.cancel()
    return None


async def _http_check(port: int) -> str:
    """GET /healthz and the interesting lines of /metrics, as a user would."""
    import aiohttp

    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as client:
        async with client.get(f"{base}/healthz") as response:
            status, health = response.status, await response.json()
        async with client.get(f"{base}/metrics") as response:
            metrics = await response.text()
    wanted = ("supportbot_messages_received_total{", "supportbot_tickets{", "supportbot_outbox_depth ")
    shown = [line for line in metrics.splitlines() if line.startswith(wanted) and not line.endswith(" 0.0")]
    up = ", ".join(f"{name} {'up' if c['up'] else 'DOWN'}" for name, c in health["components"].items())
    return "\n".join([f"\nGET {base}/healthz → {status} {health['status']} ({up})",
                      f"GET {base}/metrics →", *(f"  {line}" for line in shown)])


def _banner(base: Path, ports: Ports, slack_url: str, reference: str) -> str:
    return "\n".join([
        "supportbot demo — the real service on embedded defaults",
        f"  database     {base / DB_NAME} (created fresh at every start), log in {base / LOG_NAME}",
        f"  mail in      SMTP ingress on 127.0.0.1:{ports.smtp_ingress} for {SUPPORT}",
        f"  mail out     captured by a local SMTP sink (127.0.0.1:{ports.sink}) into the Maildir {base / 'sent'}",
        f"  HTTP         customers' pages and webhooks on http://127.0.0.1:{ports.http}/; "
        f"http://127.0.0.1:{ports.ops}/healthz and /metrics for operators",
        f"  Slack API    stand-in at {slack_url}",
        f"  seeded       Västerby kommun: Åsa Andersson (sv), John Smith (en); agents Anna Lind (1st line), "
        f"Erik Berg (2nd line); ticket {reference} waiting on John",
    ])


def _invitation(ports: Ports) -> str:
    port = ports.smtp_ingress
    one_liner = (f"python3 -c \"import smtplib; smtplib.SMTP('127.0.0.1', {port}).sendmail('you@example.org', "
                 f"['{SUPPORT}'], 'From: you@example.org\\nSubject: Hej\\n\\nTestar supportbot')\"")
    return "\n".join([
        "\nThe desk keeps running on the real clock now (Ctrl-C stops it). Send it your own mail:",
        f"  swaks --server 127.0.0.1:{port} --from you@example.org --to {SUPPORT} "
        f"--header 'Subject: Hej' --body 'Testar'",
        f"  {one_liner}",
        "Write as asa@vasterby.example or john@vasterby.example to be a registered contact.",
        f"Answers show up here and in the Maildir; health and metrics at "
        f"http://127.0.0.1:{ports.ops}/healthz and /metrics.",
    ])

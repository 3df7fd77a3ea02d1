#!/usr/bin/env python3
"""Backlog ingest, side by side: supportbot vs django-helpdesk vs the raw floor, one run.

    .venv/bin/python bench/bench_ingest.py [--n 2000] [--rss-n 10000] [--latency-n 50] [--json FILE]

Uses the peer harness in ../shared/bench/peer (copied to --peer-root, built by
its bootstrap.sh when missing) and its Dovecot on 127.0.0.1:10143. Each
contestant gets a freshly generated, byte-identical mailbox (gen_mail.py --clear,
seed 42):

- floor: FETCH BODY.PEEK[] in batches of 200 + full ``email`` parse
  (policy.default) in two processes — what any bot must at least do;
- supportbot: ``supportbot mail fetch --once`` on a fresh SQLite database, wall
  time of the whole command (start-up included), every mail committed;
- peer: django-helpdesk 2.6.1 ``manage.py get_email`` on a fresh database.

Floor and supportbot run --repeat times, interleaved, each on a fresh mailbox;
the median run of each is reported (this VM's speed drifts by ±20 % from minute
to minute), the peer once (it takes over a minute).

By default every sender is unknown to a fresh desk, so each mail becomes an
inquiry with an unknown-sender answer (the desk's rule; the peer opens a ticket
for each). --registered (on by default) adds one run where every sender is a
registered contact and portal.new_case_policy = "ticket": tickets, receipts,
SLA clocks, replies threaded by In-Reply-To — the heavier path.

Also: peak RSS of supportbot over a --rss-n backlog, and IDLE latency (APPEND →
mail committed and processed) over --latency-n mails spaced randomly. A peer
that cannot be installed (no network) is reported as missing, never estimated.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from email import message_from_bytes, policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared from the main checkout, ../../shared from a worktree under /work/wt.
SHARED_PEER = next((base / "shared" / "bench" / "peer" for base in (ROOT.parent, ROOT.parent.parent)
                    if (base / "shared" / "bench" / "peer").is_dir()), ROOT.parent / "shared" / "bench" / "peer")
PYTHON = sys.executable
SUPPORTBOT = str(Path(PYTHON).parent / "supportbot")
IMAP = {"host": "127.0.0.1", "port": 10143, "user": "support", "password": "supportpass"}


def sh(cmd, env=None, cwd=None, check=True, timeout=3600):
    return subprocess.run(cmd, env={**os.environ, **(env or {})}, cwd=cwd, check=check, text=True,
                          capture_output=True, timeout=timeout)


def timed(cmd, env=None, cwd=None) -> dict:
    """Run under /usr/bin/time -v: wall seconds and peak RSS."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        result = sh(["/usr/bin/time", "-v", "-o", report.name, *cmd], env=env, cwd=cwd, check=False)
        wall = time.perf_counter() - started
        rss_kb = next((int(line.split(":")[1]) for line in report.read().splitlines()
                       if "Maximum resident set size" in line), 0)
    return {"wall_s": round(wall, 3), "rss_mb": round(rss_kb / 1024, 1), "exit": result.returncode,
            "stdout": result.stdout[-2000:], "stderr": result.stderr[-2000:]}


# -- the peer harness ---------------------------------------------------------------------

def ensure_peer(root: Path) -> str | None:
    """Build the peer set-up when missing; None when ready, else why it is missing."""
    if not (root / "bench").is_dir():
        shutil.copytree(SHARED_PEER, root / "bench")
        for path in (root / "bench").rglob("*"):
            path.chmod(path.stat().st_mode | 0o200)
    if not (root / "venv" / "bin" / "python").exists() or not (root / "peerdesk" / "manage.py").exists():
        result = sh(["bash", str(root / "bench" / "bootstrap.sh")], env={"PEER_ROOT": str(root)}, check=False)
        if result.returncode != 0:
            return f"bootstrap failed: {result.stderr.strip().splitlines()[-1:] or result.returncode}"
    sh(["bash", str(root / "bench" / "dovecot.sh"), "start"], env={"PEER_ROOT": str(root)})
    return None


def generate(root: Path, n: int, manifest: Path | None = None) -> None:
    cmd = [str(root / "venv" / "bin" / "python"), str(root / "bench" / "gen_mail.py"), "--n", str(n), "--clear"]
    if manifest:
        cmd += ["--manifest", str(manifest)]
    sh(cmd)


def run_peer(root: Path, work: Path, n: int) -> dict:
    env = {"PEER_DB": str(work / "peer.sqlite3"), "PEER_MEDIA": str(work / "media"), "PEER_LOG_DIR": str(work / "logs"),
           "IMAP_HOST": IMAP["host"], "IMAP_PORT": str(IMAP["port"]), "IMAP_USER": IMAP["user"],
           "IMAP_PASS": IMAP["password"]}
    python = str(root / "venv" / "bin" / "python")
    sh([python, str(root / "bench" / "setup_peer_db.py")], env=env)
    result = timed([python, "manage.py", "get_email", "--quiet"], env=env, cwd=root / "peerdesk")
    result["msgs_per_s"] = round(n / result["wall_s"], 1)
    return result


# -- the floor ----------------------------------------------------------------------------

def _parse_all(raws: list[bytes]) -> int:
    for raw in raws:
        message = message_from_bytes(raw, policy=policy.default)
        part = message.get_body(preferencelist=("plain", "html"))
        if part is not None:
            part.get_content()
    return len(raws)


def run_floor(n: int) -> dict:
    from imapclient import IMAPClient

    started = time.perf_counter()
    with ProcessPoolExecutor(2) as pool, IMAPClient(IMAP["host"], port=IMAP["port"], ssl=False) as client:
        client.login(IMAP["user"], IMAP["password"])
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        futures = []
        for start in range(0, len(uids), 200):
            batch = uids[start:start + 200]
            data = client.fetch(batch, ["BODY.PEEK[]"])
            futures.append(pool.submit(_parse_all, [data[uid][b"BODY[]"] for uid in batch]))
        parsed = sum(future.result() for future in futures)
    wall = time.perf_counter() - started
    return {"n": parsed, "wall_s": round(wall, 3), "msgs_per_s": round(parsed / wall, 1)}


# -- supportbot ---------------------------------------------------------------------------

def bot_env(work: Path) -> dict:
    return {
        "SUPPORTBOT_DATABASE_URL": f"sqlite:///{work / 'bot.db'}", "SUPPORTBOT_DESK_ATTACHMENTS_DIR": str(work / "att"),
        "SUPPORTBOT_IMAP_HOST": IMAP["host"], "SUPPORTBOT_IMAP_PORT": str(IMAP["port"]),
        "SUPPORTBOT_IMAP_SECURITY": "plain", "SUPPORTBOT_IMAP_USERNAME": IMAP["user"],
        "SUPPORTBOT_IMAP_PASSWORD": IMAP["password"],
    }


def run_ours(work: Path, n: int, registered: bool = False) -> dict:
    """One ``mail fetch --once``. ``registered``: every sender is a contact and new cases open tickets."""
    for name in ("bot.db", "bot.db-wal", "bot.db-shm"):
        (work / name).unlink(missing_ok=True)
    env = bot_env(work)
    sh([SUPPORTBOT, "db", "upgrade"], env=env)
    if registered:
        _register_senders(work)
        env["SUPPORTBOT_PORTAL_NEW_CASE_POLICY"] = "ticket"
    result = timed([SUPPORTBOT, "mail", "fetch", "--once"], env=env)
    if result["exit"] != 0:
        raise SystemExit(f"supportbot failed: {result['stderr']}")
    result["summary"] = result["stdout"].strip().splitlines()[-1]
    result["msgs_per_s"] = round(n / result["wall_s"], 1)
    result["committed"] = _count_processed(work)
    return result


def _register_senders(work: Path) -> None:
    """Make every sender in the mailbox a registered contact (read from the From headers, mailbox untouched)."""
    from datetime import datetime, timezone
    from email.utils import parseaddr

    from imapclient import IMAPClient
    from sqlalchemy.orm import Session

    from storage.db import make_engine
    from storage.models import Contact, Organisation

    with IMAPClient(IMAP["host"], port=IMAP["port"], ssl=False) as client:
        client.login(IMAP["user"], IMAP["password"])
        client.select_folder("INBOX", readonly=True)
        fetched = client.fetch(client.search("ALL"), ["BODY.PEEK[HEADER.FIELDS (FROM)]"])
    senders = {parseaddr(data[b"BODY[HEADER.FIELDS (FROM)]"].decode("utf-8", "replace").partition(":")[2])[1].lower()
               for data in fetched.values()}
    now = datetime.now(timezone.utc)
    engine = make_engine(f"sqlite:///{work / 'bot.db'}")
    with Session(engine) as session:
        organisation = Organisation(number="bench", name="Bench AB", created_at=now)
        session.add_all(Contact(organisation=organisation, email=email, name="Kund", created_at=now)
                        for email in sorted(senders) if email)
        session.commit()
    engine.dispose()


def _count_processed(work: Path) -> dict:
    import sqlite3

    with sqlite3.connect(work / "bot.db") as db:
        states = dict(db.execute("select state, count(*) from raw_messages group by state").fetchall())
        states["tickets"] = db.execute("select count(*) from tickets").fetchone()[0]
        states["inquiries"] = db.execute("select count(*) from inquiries").fetchone()[0]
    return states


def run_latency(work: Path, count: int, rng: random.Random) -> dict:
    """APPEND → committed and processed, with the real poller in IDLE."""
    sys.path.insert(0, str(ROOT))
    from bot.app.config import load_settings
    from bot.mail.imap_poller import ImapPoller
    from bot.app.runtime import Runtime
    from imapclient import IMAPClient

    for name in ("bot.db", "bot.db-wal", "bot.db-shm"):
        (work / name).unlink(missing_ok=True)
    env = bot_env(work)
    sh([SUPPORTBOT, "db", "upgrade"], env=env)
    runtime = Runtime(load_settings(None, environ=env))
    processed: dict[int, float] = {}

    def on_stored(ids):
        for outcome, raw_id in zip(runtime.intake.process_batch(ids), ids):
            processed[raw_id] = time.perf_counter()

    poller = ImapPoller(runtime.settings.imap, runtime.sessions, runtime.clock, on_stored=on_stored, idle_check_s=0.2)
    thread = threading.Thread(target=poller.run, daemon=True)
    thread.start()
    poller.connected.wait(10)
    latencies = []
    with IMAPClient(IMAP["host"], port=IMAP["port"], ssl=False) as client:
        client.login(IMAP["user"], IMAP["password"])
        for number in range(count):
            time.sleep(rng.uniform(0.05, 0.4))
            raw = (f"From: lat{number}@kund.se\r\nTo: support@example.com\r\nSubject: latens {number}\r\n"
                   f"Message-ID: <lat{number}.{time.time_ns()}@kund.se>\r\n\r\nHej\r\n").encode()
            before = len(processed)
            appended = time.perf_counter()
            client.append("INBOX", raw)
            deadline = appended + 10
            while len(processed) == before and time.perf_counter() < deadline:
                time.sleep(0.002)
            latencies.append((max(processed.values()) - appended) * 1000 if len(processed) > before else 10_000)
    poller.stop()
    thread.join(5)
    runtime.close()
    latencies.sort()
    return {"n": count, "p50_ms": round(statistics.median(latencies)), "p95_ms": round(latencies[int(0.95 * (count - 1))]),
            "max_ms": round(latencies[-1])}


def _median_run(runs: list[dict]) -> dict:
    """The run with the median rate (an odd count gives a real run, not an average)."""
    return sorted(runs, key=lambda run: run["msgs_per_s"])[(len(runs) - 1) // 2]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return f"{os.cpu_count()} vCPU {cpu}, Python {sys.version.split()[0]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rss-n", type=int, default=10000)
    parser.add_argument("--latency-n", type=int, default=50)
    parser.add_argument("--registered", action=argparse.BooleanOptionalAction, default=True,
                        help="also one run with every sender a registered contact and new cases opening tickets")
    parser.add_argument("--repeat", type=int, default=3,
                        help="floor and supportbot runs, interleaved; the medians are reported (this VM's speed drifts)")
    parser.add_argument("--peer-root", type=Path, default=Path("/tmp/peer"))
    parser.add_argument("--json", type=Path, help="merge the figures into this JSON file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sb-bench-"))
    results: dict = {"machine": machine(), "ingest_n": args.n}
    missing = ensure_peer(args.peer_root)
    if missing and not (args.peer_root / "venv").exists():
        raise SystemExit(f"cannot run without the peer's Dovecot and generator: {missing}")

    floors, runs = [], []
    for _ in range(args.repeat):
        generate(args.peer_root, args.n)
        floors.append(run_floor(args.n))
        generate(args.peer_root, args.n)
        runs.append(run_ours(work, args.n))
    floor = _median_run(floors)
    ours = _median_run(runs)
    if missing is None:
        generate(args.peer_root, args.n)
        peer = run_peer(args.peer_root, work, args.n)
        results["peer_msgs_per_s"] = peer["msgs_per_s"]
        results["peer_rss_mb"] = peer["rss_mb"]
    else:
        results["peer_msgs_per_s"] = None
        results["peer_missing"] = missing
    results.update(ingest_msgs_per_s=ours["msgs_per_s"], ingest_rss_mb=ours["rss_mb"], ingest_committed=ours["committed"],
                   floor_msgs_per_s=floor["msgs_per_s"], ingest_runs=[run["msgs_per_s"] for run in runs],
                   floor_runs=[run["msgs_per_s"] for run in floors])
    if args.registered:
        generate(args.peer_root, args.n)
        tickets = run_ours(work, args.n, registered=True)
        results.update(ingest_registered_msgs_per_s=tickets["msgs_per_s"], ingest_registered_committed=tickets["committed"])
    if args.rss_n:
        generate(args.peer_root, args.rss_n)
        big = run_ours(work, args.rss_n)
        results.update(rss_peak_mb_10k=big["rss_mb"], ingest_msgs_per_s_10k=big["msgs_per_s"], rss_n=args.rss_n)
    if args.latency_n:
        generate(args.peer_root, 0)
        latency = run_latency(work, args.latency_n, random.Random(7))
        results.update(idle_latency_p50_ms=latency["p50_ms"], idle_latency_p95_ms=latency["p95_ms"],
                       idle_latency_max_ms=latency["max_ms"], idle_latency_n=latency["n"])
    shutil.rmtree(work, ignore_errors=True)
    print_table(results)
    if args.json:
        merged = json.loads(args.json.read_text()) if args.json.exists() else {}
        merged.update(results)
        args.json.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")


def print_table(r: dict) -> None:
    peer = r.get("peer_msgs_per_s")
    print(f"backlog ingest, N={r['ingest_n']} ({r['machine']})")
    print(f"  supportbot     {r['ingest_msgs_per_s']:>8.1f} msg/s   RSS {r['ingest_rss_mb']} MB   {r['ingest_committed']}"
          f"   (median of {r.get('ingest_runs')})")
    if peer:
        print(f"  django-helpdesk{peer:>8.1f} msg/s   RSS {r['peer_rss_mb']} MB   → ×{r['ingest_msgs_per_s'] / peer:.1f} (target ≥ 10)")
    else:
        print(f"  django-helpdesk   missing: {r.get('peer_missing')}")
    print(f"  raw floor      {r['floor_msgs_per_s']:>8.1f} msg/s (fetch + parse, 2 processes; median of {r.get('floor_runs')}) → "
          f"{100 * r['ingest_msgs_per_s'] / r['floor_msgs_per_s']:.0f} % of floor (target ≥ 40 %)")
    if "ingest_registered_msgs_per_s" in r:
        rate = r["ingest_registered_msgs_per_s"]
        print(f"  registered senders, new cases open tickets: {rate} msg/s"
              + (f" (×{rate / peer:.1f} the peer, {100 * rate / r['floor_msgs_per_s']:.0f} % of floor)" if peer else "")
              + f"   {r['ingest_registered_committed']}")
    if "rss_peak_mb_10k" in r:
        print(f"  {r['rss_n']}-mail backlog: peak RSS {r['rss_peak_mb_10k']} MB (target < 200), "
              f"{r['ingest_msgs_per_s_10k']} msg/s")
    if "idle_latency_p95_ms" in r:
        print(f"  IDLE APPEND→processed over {r['idle_latency_n']}: p50 {r['idle_latency_p50_ms']} ms, "
              f"p95 {r['idle_latency_p95_ms']} ms, max {r['idle_latency_max_ms']} ms (target p95 < 700)")


if __name__ == "__main__":
    main()

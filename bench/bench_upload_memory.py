#!/usr/bin/env python3
"""Peak RSS of a process uploading a 20 MB customer file into a thread, streamed versus read whole.

    .venv/bin/python bench/bench_upload_memory.py [--json FILE]

The stand-in (which keeps what it receives) runs in this process; each upload
runs in a fresh child process so that its peak (``ru_maxrss``) is its own:

- ``streamed``: bot/slack/uploads.py's ``upload_file``, what the ``slack.file``
  deliverer calls — the bytes go from the file to the socket in blocks;
- ``sdk_v2``: slack_sdk's ``files_upload_v2`` on the same file, which reads it
  into memory first (the contrast, not used by the desk).

Keys written: ``rss_mb_upload_baseline`` (the child after its imports),
``rss_peak_mb_upload_20mb_streamed``, ``rss_peak_mb_upload_20mb_sdk_v2``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.devtools.slack_standin import SlackStandin  # noqa: E402

SIZE = 20 * 1024 * 1024
CHILD = r"""
import resource, sys
from pathlib import Path
from slack_sdk import WebClient
from bot.slack.uploads import upload_file
mode, base_url, token, path = sys.argv[1:5]
client = WebClient(token=token, base_url=base_url, timeout=120)
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
parent = client.chat_postMessage(channel="C0STAFF0001", text="card")["ts"]
if mode == "streamed":
    upload_file(client, Path(path), channel_id="C0STAFF0001", filename="big.bin", title="big.bin", thread_ts=parent)
else:
    client.files_upload_v2(file=path, filename="big.bin", channel="C0STAFF0001", thread_ts=parent)
print(baseline, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def measure(mode: str, standin: SlackStandin, path: Path) -> tuple[float, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, mode, standin.base_url, standin.token, str(path)],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          timeout=300)
    if done.returncode:
        raise SystemExit(done.stderr)
    baseline, peak = map(float, done.stdout.split())
    return baseline, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, SlackStandin() as standin:
        path = Path(folder) / "big.bin"
        path.write_bytes(os.urandom(SIZE))
        baseline, streamed = measure("streamed", standin, path)
        _, whole = measure("sdk_v2", standin, path)
        uploaded = [f for f in standin.uploaded_files() if f["completed"]]
        assert len(uploaded) == 2 and all(f["length"] == SIZE for f in uploaded)
    figures = {"rss_mb_upload_baseline": round(baseline, 1), "rss_peak_mb_upload_20mb_streamed": round(streamed, 1),
               "rss_peak_mb_upload_20mb_sdk_v2": round(whole, 1)}
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()

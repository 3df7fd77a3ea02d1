"""The parse pool: workers give what an inline parse gives, and start without re-running the CLI."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from bot.domain.mail.parse import parse_mail
from bot.intake.parse_pool import ParsePool

CORPUS = sorted((Path(__file__).resolve().parents[1] / "data" / "mail").glob("*.eml"))
ROOT = Path(__file__).resolve().parents[2]


def test_workers_parse_like_the_inline_parser():
    raws = {number: path.read_bytes() for number, path in enumerate(CORPUS)}
    pool = ParsePool(attachment_max_bytes=1_000_000, workers=2)
    try:
        parsed = pool.result(pool.submit(raws))
    finally:
        pool.close()
    assert parsed == {number: parse_mail(raw, attachment_max_bytes=1_000_000) for number, raw in raws.items()}


def test_a_worker_does_not_run_the_main_script_again(tmp_path):
    # multiprocessing re-executes a main script that has a file in every worker;
    # for the console script that is the whole CLI import, once per worker.
    runs = tmp_path / "runs.txt"
    script = tmp_path / "main_script.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        with open({str(runs)!r}, "a") as log:
            log.write("ran\\n")
        from bot.intake.parse_pool import ParsePool

        if __name__ == "__main__":
            pool = ParsePool(attachment_max_bytes=1000, workers=2)
            chunks = [pool.submit({{n: b"Subject: hej\\r\\n\\r\\nbody"}}) for n in range(4)]
            print(sum(len(pool.result(chunk)) for chunk in chunks))
            pool.close()
    """))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "4"
    assert runs.read_text().splitlines() == ["ran"]

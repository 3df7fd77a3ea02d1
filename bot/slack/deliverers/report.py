"""Delivers ``slack.report``: the weekly report post, three key figures and the main chart as a PNG.

One message: the chart is uploaded through Slack's upload flow
(bot/slack/uploads.py) with the figures as its ``initial_comment``, so text and
picture arrive together and a retry never leaves a text without its chart. The
PNG is drawn here from the figures stored in the row (the same figures give the
same picture) and streamed from a temporary file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from bot.jobs.outbox import GiveUp
from bot.rendering.charts import chart_png
from bot.slack.deliverers.staff import SlackDeliverer
from bot.slack.text import escape_mrkdwn
from bot.slack.uploads import upload_file
from storage.models import OutboxRow


class ReportDeliverer(SlackDeliverer):
    """A SlackDeliverer (client, pacing, error mapping) for the one kind ``slack.report``."""

    KINDS = {"slack.report": "weekly"}

    def weekly(self, row: OutboxRow, session: Session) -> dict:
        payload = row.payload
        channel = payload.get("channel") or self._settings.report.channel or self._settings.slack.staff_channel
        if not channel:
            raise GiveUp("neither report.channel nor slack.staff_channel is set")
        name = f"supportbot-{payload['week']}.png"
        with tempfile.TemporaryDirectory(prefix="supportbot-report-") as folder:
            path = Path(folder) / name
            path.write_bytes(chart_png(payload))
            self._pacer.wait(channel)
            uploaded = self._guarded("files.completeUploadExternal", lambda: upload_file(
                self._client, path, channel_id=channel, filename=name, title=payload["chart"]["title"],
                initial_comment=escape_mrkdwn(payload["text"]), alt_text=payload["chart"]["title"]))
        return {"channel": channel, "file_id": uploaded.file_id}

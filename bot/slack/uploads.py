"""Putting a file into a Slack channel or thread: Slack's current three-step upload, streamed from disk.

``files.upload`` is retired. The flow is ``files.getUploadURLExternal`` (name
and length) → POST the bytes to the ``upload_url`` it returns →
``files.completeUploadExternal`` with the channel (and the parent's ``ts`` for a
thread, never a reply's). slack_sdk's ``files_upload_v2`` wraps the same calls
but reads the whole file into memory first; here the bytes go from the file to
the socket in blocks, so a large attachment costs no more memory than a small
one. Failures surface as slack_sdk's exceptions (``SlackApiError`` from the
API calls, :class:`UploadFailed` — a ``SlackClientError`` — from the POST), so a
caller maps them to retry-or-give-up once for all three steps.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

UPLOAD_TIMEOUT_S = 60


class UploadFailed(SlackClientError):
    """The upload URL did not take the bytes (its HTTP status, or the connection failed)."""


@dataclass(frozen=True)
class UploadedFile:
    file_id: str
    title: str


def upload_file(client: WebClient, path: Path, *, channel_id: str, filename: str, title: str,
                initial_comment: str | None = None, thread_ts: str | None = None,
                alt_text: str | None = None, on_reserved: Callable[[str], None] | None = None) -> UploadedFile:
    """Share the file at ``path`` in ``channel_id`` (in the thread of ``thread_ts`` when given) as one message,
    with ``initial_comment`` as its text. ``filename`` and ``title`` are shown to people: data, never a path.
    ``on_reserved`` hears the file id before the bytes go, so a caller can record it and, after a crash,
    ask Slack whether the share was completed instead of uploading again."""
    length = path.stat().st_size
    ticket = client.files_getUploadURLExternal(filename=filename, length=length, alt_txt=alt_text).data
    if on_reserved is not None:
        on_reserved(ticket["file_id"])
    _post_bytes(ticket["upload_url"], path, length)
    client.files_completeUploadExternal(files=[{"id": ticket["file_id"], "title": title}], channel_id=channel_id,
                                        initial_comment=initial_comment, thread_ts=thread_ts)
    return UploadedFile(ticket["file_id"], title)


def _post_bytes(url: str, path: Path, length: int) -> None:
    # http.client sends a file object in blocks when the length is given, instead of reading it whole.
    with path.open("rb") as body:
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Length": str(length), "Content-Type": "application/octet-stream"})
        try:
            with urllib.request.urlopen(request, timeout=UPLOAD_TIMEOUT_S) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise UploadFailed(f"upload URL answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise UploadFailed(f"upload URL unreachable: {type(exc).__name__}") from None

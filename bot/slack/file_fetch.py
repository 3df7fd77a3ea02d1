"""Fetching an agent's Slack files (``url_private_download``, ``files:read``) into the attachment store.

A private file URL answers only with the bot token in ``Authorization: Bearer``,
so the token goes to Slack's file host and nowhere else: a URL on any other
host (or not https, except the configured Web API host — the stand-in in tests)
is refused before a byte is sent. The body is streamed to a temporary file in
the store while it is hashed, and moved under its SHA-256 name: no copy in
memory, whatever the size, and a download that stops at ``max_bytes`` leaves nothing.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from storage.attachment_store import AttachmentStore

SLACK_FILE_HOSTS = {"files.slack.com"}
CHUNK = 256 * 1024
TIMEOUT_S = 60


class FetchFailed(Exception):
    """A file could not be fetched (its name is in the message; the token never is)."""


def fetch_files(settings, store: AttachmentStore, files: list[dict[str, Any]], max_bytes: int) -> list[dict[str, Any]]:
    """Store each Slack file; ``{"sha256", "filename", "content_type", "size"}`` per file, in order.

    ``max_bytes`` caps the files together (Slack's stated sizes are checked before; this holds
    against the bytes actually received). FetchFailed on any failure: then nothing is sent.
    """
    token = settings.slack.bot_token.get_secret_value()
    stored, budget = [], max_bytes
    for item in files:
        name = str(item.get("name") or item.get("title") or "file")[:255]
        url = str(item.get("url_private_download") or "")
        if not _allowed(url, settings.slack.api_base_url):
            raise FetchFailed(f"{name}: not a Slack file URL")
        sha256, size = _download(url, token, store, budget, name)
        budget -= size
        stored.append({"sha256": sha256, "filename": name, "size": size,
                       "content_type": str(item.get("mimetype") or "application/octet-stream")[:255]})
    return stored


def _allowed(url: str, api_base_url: str) -> bool:
    parts, api = urlsplit(url), urlsplit(api_base_url)
    if parts.scheme == "https" and parts.hostname in SLACK_FILE_HOSTS:
        return True
    return bool(parts.hostname) and (parts.scheme, parts.netloc) == (api.scheme, api.netloc)


def _download(url: str, token: str, store: AttachmentStore, budget: int, name: str) -> tuple[str, int]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    store.root.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with tempfile.NamedTemporaryFile(dir=store.root, prefix=".fetch-", delete=False) as handle:
        temporary = Path(handle.name)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                while chunk := response.read(CHUNK):
                    size += len(chunk)
                    if size > budget:
                        raise FetchFailed(f"{name}: the files are larger than a reply may carry")
                    digest.update(chunk)
                    handle.write(chunk)
        except urllib.error.HTTPError as exc:
            temporary.unlink(missing_ok=True)
            raise FetchFailed(f"{name}: Slack answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            temporary.unlink(missing_ok=True)
            raise FetchFailed(f"{name}: {type(exc).__name__}") from None
        except FetchFailed:
            temporary.unlink(missing_ok=True)
            raise
    target = store.path(digest.hexdigest())
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temporary, target)
    return digest.hexdigest(), size

"""An agent's files on the outgoing mail: read from the attachment store and attached by content hash.

The mail becomes multipart/mixed (the text and HTML alternative first, then one
part per file, base64, ``Content-Disposition: attachment`` with the file name —
RFC 2231-encoded when it is not ASCII). A type that is not a plain
``type/subtype`` goes as application/octet-stream.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.message import EmailMessage
from typing import Any

from storage.attachment_store import AttachmentStore

_MIME = re.compile(r"([a-z0-9][a-z0-9!#$&^_.+-]{0,63})/([a-z0-9][a-z0-9!#$&^_.+-]{0,126})")


def attach_stored(message: EmailMessage, items: Iterable[dict[str, Any]], store: AttachmentStore) -> None:
    """Attach each stored file (``sha256``, ``filename``, ``content_type``); FileNotFoundError when one is gone."""
    for item in items:
        content = store.path(item["sha256"]).read_bytes()
        match = _MIME.fullmatch((item.get("content_type") or "").lower())
        maintype, subtype = match.groups() if match else ("application", "octet-stream")
        if maintype == "text":  # bytes as they are: no charset guessing, no line-ending rewrite
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=item["filename"] or "file")
    for part in message.walk():
        if part is not message:
            del part["MIME-Version"]  # the stdlib repeats it on parts; it belongs on the top level only

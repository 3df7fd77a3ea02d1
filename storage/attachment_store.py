"""Attachment files on disk, named by their SHA-256: customer file names never become paths."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class AttachmentStore:
    """Content-addressed files under ``root/ab/abcdef…``; writing the same content twice is a no-op."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where the content with this hash lives."""
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256

    def put(self, sha256: str, content: bytes) -> Path:
        """Store ``content`` (atomically: a crash never leaves half a file under the final name)."""
        target = self.path(sha256)
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
            handle.write(content)
            temporary = Path(handle.name)
        os.replace(temporary, target)
        return target

    def remove(self, sha256: str) -> None:
        """Delete a stored file (retention)."""
        self.path(sha256).unlink(missing_ok=True)

"""Whether a file may be handed to people as an upload: executables are refused by what they are, not their name.

A customer's ``invoice.pdf`` that starts with ``MZ`` is a Windows program, and
an ``.exe`` renamed ``.txt`` runs just the same once someone saves and opens it.
So the first bytes decide: PE (``MZ``), ELF, Mach-O (thin and fat), Windows
shortcuts and scripts with a ``#!`` line are refused; archives (zip — which is
also docx/xlsx/jar —, tar, gzip, bzip2, xz) are opened and each member's first
bytes checked the same way. Archives we cannot look into (7-Zip, RAR,
encrypted zip members, an archive inside an archive, more members than
``MAX_MEMBERS``) are refused too: such a file is still reachable through its
signed download link, just not one click away in the thread.

Only heads are read — a few bytes of each member — so a zip bomb costs nothing.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import tarfile
import zipfile
from pathlib import Path
from typing import BinaryIO

HEAD = 8
MAX_MEMBERS = 2000

EXECUTABLE_MAGIC = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xfe\xed\xfa\xce", "a macOS program"), (b"\xfe\xed\xfa\xcf", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"), (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (b"L\x00\x00\x00\x01\x14\x02\x00", "a Windows shortcut"),
    (b"#!", "a script"),
)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
COMPRESSED = ((b"\x1f\x8b", gzip.open), (b"BZh", bz2.open), (b"\xfd7zXZ\x00", lzma.open))
OPAQUE_ARCHIVES = ((b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"), (b"Rar!\x1a\x07", "a RAR archive"))


def refusal(path: Path) -> str | None:
    """Why the file at ``path`` must not be uploaded ("a Windows program", "an archive holding a script"), or None."""
    with path.open("rb") as handle:
        head = handle.read(512)
    reason = _executable(head) or _opaque(head)
    if reason:
        return reason
    if head.startswith(ZIP_MAGIC):
        return _zip_refusal(path)
    if _is_tar(head) or any(head.startswith(magic) for magic, _ in COMPRESSED):
        return _tar_or_stream_refusal(path, head)
    return None


def _executable(head: bytes) -> str | None:
    return next((what for magic, what in EXECUTABLE_MAGIC if head.startswith(magic)), None)


def _opaque(head: bytes) -> str | None:
    return next((what for magic, what in OPAQUE_ARCHIVES if head.startswith(magic)), None)


def _is_tar(head: bytes) -> bool:
    return len(head) >= 262 and head[257:262] == b"ustar"


def _member(head: bytes) -> str | None:
    """Why an archive member with these first bytes makes the archive refused."""
    inner = _executable(head)
    if inner:
        return f"an archive holding {inner}"
    if head.startswith(ZIP_MAGIC) or _opaque(head) or any(head.startswith(m) for m, _ in COMPRESSED):
        return "an archive inside an archive"
    return None


def _zip_refusal(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            if len(members) > MAX_MEMBERS:
                return "an archive with too many members to check"
            for info in members:
                if info.flag_bits & 0x1:
                    return "an encrypted archive"
                with archive.open(info) as member:
                    reason = _member(member.read(HEAD))
                if reason:
                    return reason
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, RuntimeError):
        return "an archive that cannot be read"
    return None


def _tar_or_stream_refusal(path: Path, head: bytes) -> str | None:
    try:
        with tarfile.open(path, "r:*") as archive:
            return _tar_members(archive)
    except tarfile.ReadError:
        pass  # not a tar: a single compressed file
    except (OSError, EOFError, tarfile.TarError):
        return "an archive that cannot be read"
    opener = next((open_ for magic, open_ in COMPRESSED if head.startswith(magic)), None)
    if opener is None:
        return None
    try:
        with opener(path, "rb") as stream:
            return _member(_read_head(stream))
    except (OSError, EOFError, lzma.LZMAError):
        return "an archive that cannot be read"


def _tar_members(archive: tarfile.TarFile) -> str | None:
    for count, info in enumerate(archive, start=1):
        if count > MAX_MEMBERS:
            return "an archive with too many members to check"
        if not info.isfile():
            continue
        stream = archive.extractfile(info)
        reason = _member(_read_head(stream)) if stream else None
        if reason:
            return reason
    return None


def _read_head(stream: BinaryIO) -> bytes:
    return stream.read(HEAD)

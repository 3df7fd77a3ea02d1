"""An HTTP/1.1 client that writes exactly the bytes it is given (for attacks no polite client sends).

aiohttp's and urllib's clients refuse non-ASCII header values and always send the
whole body; an attacker does neither. :func:`raw_request` writes the head and as
much of the body as asked, then reads one response (status, headers, body).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

Header = tuple[str | bytes, str | bytes]


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]  # lower-case names; the last value of a repeated header
    body: bytes


def foreign_digits(number: str, zero: str) -> str:
    """``number`` in another script's digits ("٠" Arabic-Indic, "０" full-width): int() reads them, regexes must not."""
    return number.translate(str.maketrans("0123456789", "".join(chr(ord(zero) + n) for n in range(10))))


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


async def raw_request(port: int, method: str, path: str, headers: list[Header] = (), body: bytes = b"", *,
                      content_length: int | None = None, send: int | None = None, host: str = "127.0.0.1",
                      timeout: float = 10.0) -> RawResponse:
    """One request; ``content_length`` overrides the announced length, ``send`` how many body bytes go out."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        length = len(body) if content_length is None else content_length
        head = [f"{method} {path} HTTP/1.1".encode(), f"Host: {host}:{port}".encode(),
                f"Content-Length: {length}".encode(), b"Connection: close"]
        head += [_bytes(name) + b": " + _bytes(value) for name, value in headers]
        writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body[:send])
        await writer.drain()
        return await asyncio.wait_for(_read_response(reader), timeout)
    finally:
        writer.close()


async def _read_response(reader: asyncio.StreamReader) -> RawResponse:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    size = int(headers.get("content-length", "0"))
    return RawResponse(int(status_line.split()[1]), headers, await reader.readexactly(size))

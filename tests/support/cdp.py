"""Just enough of the Chrome DevTools Protocol to drive headless Chromium from a test (aiohttp websockets).

No selenium or playwright download: Debian's ``chromium`` started with
``--remote-debugging-port=0`` prints its browser websocket on stderr; we open a
page target in flattened-session mode and send commands to it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import shutil
import tempfile
from typing import Any

import aiohttp

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage",
         "--remote-debugging-port=0")
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The browser binary, or None."""
    for name in CANDIDATES:
        if path := shutil.which(name):
            return path
    return None


class CdpError(Exception):
    pass


class Browser:
    """One headless Chromium process and a CDP connection to one page of it."""

    def __init__(self, binary: str):
        self._binary = binary
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._events: asyncio.Queue = asyncio.Queue()
        self.log: list[dict] = []  # every event received, in order (console messages, requests, …)
        self.session_id: str | None = None

    async def __aenter__(self) -> "Browser":
        self._profile = tempfile.TemporaryDirectory(prefix="sb-chromium-")
        self._process = await asyncio.create_subprocess_exec(
            self._binary, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "HOME": self._profile.name})
        url = await asyncio.wait_for(self._devtools_url(), 30)
        self._http = aiohttp.ClientSession()
        self._ws = await self._http.ws_connect(url, max_msg_size=0)
        self._reader = asyncio.create_task(self._read())
        target = await self.send("Target.createTarget", {"url": "about:blank"}, browser=True)
        attached = await self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
                                   browser=True)
        self.session_id = attached["sessionId"]
        await self.send("Page.enable")
        await self.send("Runtime.enable")
        return self

    async def __aexit__(self, *exc) -> None:
        for closing in (getattr(self, "_ws", None), getattr(self, "_http", None)):
            if closing is not None:
                await closing.close()
        if getattr(self, "_reader", None):
            self._reader.cancel()
        if self._process.returncode is None:
            self._process.terminate()
            try:
                await asyncio.wait_for(self._process.wait(), 10)
            except asyncio.TimeoutError:
                self._process.kill()
                await self._process.wait()
        self._profile.cleanup()

    async def send(self, method: str, params: dict | None = None, *, browser: bool = False) -> dict[str, Any]:
        """Send one command (to the page unless ``browser``) and return its result."""
        message_id = next(self._ids)
        message = {"id": message_id, "method": method, "params": params or {}}
        if not browser:
            message["sessionId"] = self.session_id
        future = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self._ws.send_str(json.dumps(message))
        return await asyncio.wait_for(future, 30)

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (awaiting promises)."""
        result = await self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                      "awaitPromise": True})
        if "exceptionDetails" in result:
            raise CdpError(result["exceptionDetails"].get("text", "evaluation failed"))
        return result["result"].get("value")

    async def wait_for_event(self, method: str, timeout: float = 30) -> dict:
        """The next event named ``method`` (others are dropped)."""
        async def wait():
            while True:
                event = await self._events.get()
                if event.get("method") == method:
                    return event.get("params", {})
        return await asyncio.wait_for(wait(), timeout)

    async def navigate(self, url: str) -> None:
        """Open ``url`` and wait until it has loaded."""
        self._drain()
        await self.send("Page.navigate", {"url": url})
        await self.wait_for_event("Page.loadEventFired")

    def _drain(self) -> None:
        while not self._events.empty():
            self._events.get_nowait()

    async def _devtools_url(self) -> str:
        while True:
            line = await self._process.stderr.readline()
            if not line:
                raise CdpError(f"{self._binary} exited before it offered DevTools (exit {self._process.returncode})")
            if found := re.search(rb"DevTools listening on (ws://\S+)", line):
                asyncio.create_task(self._discard_stderr())
                return found.group(1).decode()

    async def _discard_stderr(self) -> None:
        while await self._process.stderr.readline():
            pass

    async def _read(self) -> None:
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = json.loads(message.data)
            if "id" in data and data["id"] in self._pending:
                future = self._pending.pop(data["id"])
                if "error" in data:
                    future.set_exception(CdpError(f"{data['error'].get('message')}"))
                else:
                    future.set_result(data.get("result", {}))
            else:
                self.log.append(data)
                self._events.put_nowait(data)

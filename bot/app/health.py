"""The /healthz document: the supervisor's report of every component, errors through the secret mask."""

from __future__ import annotations

import asyncio
import time

from bot.app.logging_setup import SecretMask
from bot.app.supervisor import Supervisor

# The components a desk may run without; /healthz lists the ones switched off.
OPTIONAL = ("smtp_ingress", "imap", "http", "ops")


class Health:
    def __init__(self, supervisor: Supervisor, mask: SecretMask):
        self._supervisor = supervisor
        self._mask = mask

    def components(self) -> dict[str, dict]:
        """The supervisor's report, each ``last_error`` through the logs' secret mask (an exception's
        text can quote a password or a token, and /healthz is read by more people than the logs)."""
        report = self._supervisor.health()
        for status in report.values():
            if status["last_error"]:
                status["last_error"] = self._mask.mask(status["last_error"])
        return report

    def document(self) -> dict:
        """``status`` is ``ok`` when every enabled component is up, ``stopping`` during shutdown."""
        components = self.components()
        if self._supervisor.stopping:
            status = "stopping"
        else:
            status = "ok" if all(c["up"] for c in components.values()) else "degraded"
        disabled = [name for name in OPTIONAL if name not in components]
        return {"status": status, "components": components, "disabled": disabled}

    async def wait_until_up(self, timeout: float = 15.0) -> None:
        """Return once every component is up; TimeoutError naming the ones that are not."""
        deadline = time.monotonic() + timeout
        while (health := self.document())["status"] != "ok":
            if time.monotonic() > deadline:
                down = {name: c["last_error"] for name, c in health["components"].items() if not c["up"]}
                raise TimeoutError(f"components not up after {timeout:g} s: {down}")
            await asyncio.sleep(0.02)

"""The embedding job: closed cases get their vector for similar-case search soon after they close.

A batch per tick, each in its own transaction, so a desk that just imported
its history is embedded over the next minutes without holding a long
transaction (about 0.1–0.2 s of one core per case on this 2-core machine).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.desk.memory_vectors import embed_missing

INTERVAL_S = 30.0
PER_TICK = 64


@dataclass
class EmbedCases:
    sessions: object
    per_tick: int = PER_TICK

    def tick(self) -> str | None:
        with self.sessions() as session:
            done = embed_missing(session, self.per_tick)
            session.commit()
        return f"embedded {done} closed cases" if done else None

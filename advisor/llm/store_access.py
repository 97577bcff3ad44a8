"""The history store as the LLM layer uses it: failure patterns and the narrative cache.

Every store problem (corrupt file, read-only folder, lock, a connection used from another
thread) is swallowed here: a store that cannot be written must never cost the user the
narrative or the answer. The store is opened lazily, and closed here only if opened here.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from advisor.llm.secrets import scrub

log = logging.getLogger(__name__)


class SafeStore:
    def __init__(self, store: Any | None = None) -> None:
        self._store = store
        self._own = store is None
        self._broken = False

    def _get(self) -> Any | None:
        if self._store is None and not self._broken:
            try:
                from advisor.history.store import Store

                self._store = Store.open()
            except Exception as exc:  # store problems never break narration
                log.debug("history store unavailable: %s", exc)
                self._broken = True
        return self._store

    def call(self, method: str, *args: Any) -> Any:
        """``store.method(*args)``, or None if the store cannot do it."""
        store = self._get()
        if store is None:
            return None
        try:
            return getattr(store, method)(*args)
        except Exception as exc:  # StoreError, sqlite3 errors, thread misuse
            log.debug("history store %s failed: %s", method, exc)
            return None

    def record_failure(self, kind: str, model: str, span: str, detail: str) -> None:
        """Keep one failure pattern; span and detail are scrubbed of anything key-like."""
        self.call("record_failure", kind, model, scrub(span), scrub(detail))

    def failure_counts(self) -> list[tuple[str, int]]:
        counts = self.call("failure_counts")
        return list(counts) if isinstance(counts, list) else []

    def close(self) -> None:
        if self._own and self._store is not None:
            with contextlib.suppress(Exception):  # closing is best effort
                self._store.close()

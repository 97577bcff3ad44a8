"""The local history store: one SQLite file in the user's data folder.

It keeps every assessment (answers, result, the report as written), LLM failure patterns and
the narrative cache. Schema changes are small named migrations applied once each and recorded
(the approach of simonw/llm), so an old store upgrades in place. WAL mode and a busy timeout
let two processes write at once. Every problem (corrupt file, read-only folder, lock held too
long) becomes a :class:`StoreError` with a clear message; callers treat it as a warning so a
store problem never costs the user the report they asked for.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

STORE_NAME = "advisor.sqlite3"
BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The history store cannot be used (corrupt, read-only, locked, unreadable)."""


def _m001_assessments(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE assessments (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            origin TEXT NOT NULL,
            role TEXT NOT NULL,
            organization TEXT,
            tier TEXT NOT NULL,
            score INTEGER NOT NULL,
            confidence REAL NOT NULL,
            monthly_usd REAL,
            rules_digest TEXT NOT NULL,
            answers_json TEXT NOT NULL,
            result_json TEXT NOT NULL,
            report TEXT NOT NULL,
            report_format TEXT NOT NULL,
            narrative_source TEXT,
            narrative_model TEXT,
            narrative_usd REAL
        )""")
    db.execute("CREATE INDEX assessments_created ON assessments(created_at)")


def _m002_llm_failures(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE llm_failures (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            kind TEXT NOT NULL,
            model TEXT,
            span TEXT,
            detail TEXT
        )""")
    db.execute("CREATE INDEX llm_failures_kind ON llm_failures(kind)")


def _m003_narrative_cache(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE narrative_cache (
            key TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            model TEXT,
            narrative_json TEXT NOT NULL
        )""")


#: Applied in order, each once; append new ones, never edit or reorder applied ones.
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("m001_assessments", _m001_assessments),
    ("m002_llm_failures", _m002_llm_failures),
    ("m003_narrative_cache", _m003_narrative_cache),
]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def default_path() -> Path:
    from advisor.paths import data_dir

    return data_dir() / STORE_NAME


class Store:
    """A connection to the history store; use as a context manager."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        path = Path(path) if path else default_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for {path}: {exc.strerror}") from None
        try:
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the history store {path}: {exc}") from None
        store = cls(db, path)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            try:
                db.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError:
                pass  # a read-only folder cannot switch modes; reads still work
            db.execute("PRAGMA synchronous = NORMAL")
            store.migrate()
        except sqlite3.DatabaseError as exc:
            db.close()
            raise StoreError(_explain(path, exc)) from None
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, retried while another writer holds the lock."""
        try:
            for attempt in range(50):
                try:
                    self.db.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or attempt == 49:
                        raise
                    time.sleep(0.05)
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise StoreError(_explain(self.path, exc)) from None

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM _migrations ORDER BY rowid")]

    def migrate(self) -> list[str]:
        """Apply the migrations not yet recorded; return their names."""
        self.db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, "
                        "applied_at TEXT NOT NULL)")
        done = set(self.applied_migrations())
        applied = []
        for name, step in MIGRATIONS:
            if name in done:
                continue
            with self.transaction() as db:
                # Re-check inside the write lock: another process may have just applied it.
                if db.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone():
                    continue
                step(db)
                db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                           (name, now_iso()))
            applied.append(name)
        return applied

    # ------------------------------------------------------------------ assessments

    def record_assessment(self, answers: dict[str, Any], result: Any, report: str,
                          report_format: str = "md", *, origin: str = "cli") -> int:
        data = result.to_dict()
        narrative = data.get("narrative") or {}
        current = ((data.get("costs") or {}).get("current") or {})
        row = (now_iso(), origin, result.role, result.organization, result.tier, result.score,
               result.confidence, current.get("monthly_usd"), result.rules_digest,
               json.dumps(answers, ensure_ascii=False, sort_keys=True),
               json.dumps(data, ensure_ascii=False), report, report_format,
               narrative.get("source"), narrative.get("model"), narrative.get("usd"))
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO assessments (created_at, origin, role, organization, tier, score, "
                "confidence, monthly_usd, rules_digest, answers_json, result_json, report, "
                "report_format, narrative_source, narrative_model, narrative_usd) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            return int(cur.lastrowid or 0)

    # ------------------------------------------------------------------ LLM failures and cache

    def record_failure(self, kind: str, model: str | None, span: str = "",
                       detail: str = "") -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO llm_failures (created_at, kind, model, span, detail) "
                       "VALUES (?, ?, ?, ?, ?)", (now_iso(), kind, model, span[:500],
                                                  detail[:2000]))

    def failure_counts(self) -> list[tuple[str, int]]:
        """(kind, count) for every failure kind, most frequent first."""
        try:
            rows = self.db.execute("SELECT kind, COUNT(*) FROM llm_failures GROUP BY kind "
                                   "ORDER BY COUNT(*) DESC, kind").fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(_explain(self.path, exc)) from None
        return [(k, int(n)) for k, n in rows]

    def cached_narrative(self, key: str) -> dict[str, Any] | None:
        try:
            row = self.db.execute("SELECT narrative_json FROM narrative_cache WHERE key = ?",
                                  (key,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(_explain(self.path, exc)) from None
        return json.loads(row[0]) if row else None

    def cache_narrative(self, key: str, model: str | None, narrative: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO narrative_cache (key, created_at, model, "
                       "narrative_json) VALUES (?, ?, ?, ?)",
                       (key, now_iso(), model, json.dumps(narrative, ensure_ascii=False)))


def _explain(path: Path, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return f"the history store {path} is read-only"
    if "locked" in text or "busy" in text:
        return f"the history store {path} is locked by another process"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (f"the history store {path} is corrupt or not an advisor store ({text}); "
                "move it aside to start a new one")
    return f"history store {path}: {text}"

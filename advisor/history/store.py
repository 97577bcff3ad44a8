"""The local history store: one SQLite file in the user's data folder.

It keeps every assessment (answers, result, the report as written), LLM failure patterns and
the narrative cache. Schema changes are small named migrations applied once each and recorded
(the approach of simonw/llm), so an old store upgrades in place. WAL mode and a busy timeout
let two processes write at once. Every problem (corrupt file, read-only folder, lock held too
long) becomes a :class:`StoreError` with a clear message; callers treat it as a warning so a
store problem never costs the user the report they asked for.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
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


def _m004_assessment_source(db: sqlite3.Connection) -> None:
    """Where an assessment came from and where its report went.

    ``source`` names the input (a file, or ``portfolio.jsonl:17`` for a JSON-lines item);
    ``report_path`` is the absolute path of the report file, which lets an interrupted batch
    tell on resume whether an item whose report exists was already recorded.
    """
    db.execute("ALTER TABLE assessments ADD COLUMN source TEXT")
    db.execute("ALTER TABLE assessments ADD COLUMN report_path TEXT")
    db.execute("CREATE INDEX assessments_report_path ON assessments(report_path)")


def _m005_narrative_tokens(db: sqlite3.Connection) -> None:
    """Token counts of an LLM narrative, so its cost can be summed without parsing results."""
    db.execute("ALTER TABLE assessments ADD COLUMN narrative_input_tokens INTEGER")
    db.execute("ALTER TABLE assessments ADD COLUMN narrative_output_tokens INTEGER")


#: Applied in order, each once; append new ones, never edit or reorder applied ones.
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("m001_assessments", _m001_assessments),
    ("m002_llm_failures", _m002_llm_failures),
    ("m003_narrative_cache", _m003_narrative_cache),
    ("m004_assessment_source", _m004_assessment_source),
    ("m005_narrative_tokens", _m005_narrative_tokens),
]

#: Columns of ``assessments`` filled by :func:`assessment_row`, in its order.
ROW_COLUMNS = ("created_at", "origin", "role", "organization", "tier", "score", "confidence",
               "monthly_usd", "rules_digest", "answers_json", "result_json", "report",
               "report_format", "narrative_source", "narrative_model", "narrative_usd",
               "source", "report_path", "narrative_input_tokens", "narrative_output_tokens")
_INSERT = (f"INSERT INTO assessments ({', '.join(ROW_COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(ROW_COLUMNS))})")

#: The small columns ``history list`` shows (no answers, result or report text).
LIST_COLUMNS = ("id", "created_at", "origin", "source", "role", "organization", "tier", "score",
                "confidence", "monthly_usd", "report_format", "narrative_source",
                "narrative_model", "narrative_usd")


# Compact, and without the cycle check (plain data): a batch encodes thousands a second.
_ANSWERS_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, check_circular=False,
                                 separators=(",", ":"))
_RESULT_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False,
                                separators=(",", ":"))


def assessment_row(answers: dict[str, Any], result: Any, report: str, report_format: str = "md",
                   *, origin: str = "cli", source: str | None = None,
                   report_path: str | None = None,
                   result_data: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """One ``assessments`` row as a tuple in :data:`ROW_COLUMNS` order.

    A plain function, not a method, so batch workers can build rows (the JSON encoding is
    the costly part) and the parent only inserts them, many to a transaction.
    ``result_data`` is ``result.to_dict()`` when the caller already has it.
    """
    data = result_data if result_data is not None else result.to_dict()
    narrative = data.get("narrative") or {}
    current = ((data.get("costs") or {}).get("current") or {})
    return (now_iso(), origin, result.role, result.organization, result.tier, result.score,
            result.confidence, current.get("monthly_usd"), result.rules_digest,
            _ANSWERS_JSON.encode(answers), _RESULT_JSON.encode(data), report, report_format,
            narrative.get("source"), narrative.get("model"), narrative.get("usd"),
            source, report_path, narrative.get("input_tokens"), narrative.get("output_tokens"))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def default_path() -> str:
    from advisor.data.paths import data_dir

    return os.path.join(data_dir(), STORE_NAME)


class Store:
    """A connection to the history store; use as a context manager."""

    def __init__(self, db: sqlite3.Connection, path: str) -> None:
        self.db = db
        self.path = path

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> Store:
        path = os.fspath(path) if path else default_path()
        try:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for {path}: {exc.strerror}") from None
        try:
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the history store {path}: {exc}") from None
        store = cls(db, path)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # A read-only folder cannot switch modes; reads still work.
            with contextlib.suppress(sqlite3.OperationalError):
                db.execute("PRAGMA journal_mode = WAL")
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
                          report_format: str = "md", *, origin: str = "cli",
                          source: str | None = None, report_path: str | None = None) -> int:
        """Keep one assessment (its own transaction); return its id."""
        row = assessment_row(answers, result, report, report_format, origin=origin,
                             source=source, report_path=report_path)
        with self.transaction() as db:
            cur = db.execute(_INSERT, row)
            return int(cur.lastrowid or 0)

    def record_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert rows built by :func:`assessment_row`, all in one transaction.

        Batch calls this every few hundred items: one commit (one WAL sync) per group keeps
        the store from becoming the bottleneck, and a crash loses at most the open group,
        which resume then records again (see :meth:`has_report_path`).
        """
        if not rows:
            return
        with self.transaction() as db:
            db.executemany(_INSERT, rows)

    def has_report_path(self, report_path: str) -> bool:
        """Whether an assessment whose report was written to ``report_path`` is kept."""
        return self.narrative_for_report(report_path) is not None

    def narrative_for_report(self, report_path: str) -> tuple[Any, ...] | None:
        """(source, model, usd, input tokens, output tokens) of the narrative of the newest
        assessment whose report went to ``report_path``; None when there is none.

        A resumed batch counts the LLM cost of the items an earlier run finished from here.
        """
        with self._reading():
            return self.db.execute(
                "SELECT narrative_source, narrative_model, narrative_usd, "
                "narrative_input_tokens, narrative_output_tokens FROM assessments "
                "WHERE report_path = ? ORDER BY id DESC LIMIT 1", (report_path,)).fetchone()

    def list_assessments(self, *, role: str | None = None, organization: str | None = None,
                         tier: str | None = None, limit: int | None = None
                         ) -> list[dict[str, Any]]:
        """The small columns of matching assessments, newest first (the order they were kept).

        ``organization`` matches as a case-insensitive substring (LIKE, with its wildcards
        escaped, so ``50%`` means the text "50%").
        """
        where, params = [], []
        if role:
            where.append("role = ?")
            params.append(role)
        if tier:
            where.append("tier = ?")
            params.append(tier)
        if organization:
            escaped = (organization.replace("\\", "\\\\").replace("%", "\\%")
                       .replace("_", "\\_"))
            where.append("organization LIKE ? ESCAPE '\\'")
            params.append(f"%{escaped}%")
        sql = f"SELECT {', '.join(LIST_COLUMNS)} FROM assessments"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        with self._reading():
            rows = self.db.execute(sql, params).fetchall()
        return [dict(zip(LIST_COLUMNS, r, strict=True)) for r in rows]

    def get_assessment(self, assessment_id: int) -> dict[str, Any] | None:
        """Every column of one assessment, or None when there is no such id."""
        with self._reading():
            cur = self.db.execute("SELECT * FROM assessments WHERE id = ?", (assessment_id,))
            row = cur.fetchone()
            names = [d[0] for d in cur.description]
        return dict(zip(names, row, strict=True)) if row else None

    def iter_assessments(self) -> Iterator[dict[str, Any]]:
        """Every assessment, oldest first, one row at a time (export of a large store)."""
        with self._reading():
            cur = self.db.execute("SELECT * FROM assessments ORDER BY id")
            names = [d[0] for d in cur.description]
            while chunk := cur.fetchmany(200):
                for row in chunk:
                    yield dict(zip(names, row, strict=True))

    def count_assessments(self) -> int:
        with self._reading():
            return int(self.db.execute("SELECT COUNT(*) FROM assessments").fetchone()[0])

    def prune(self, *, keep: int | None = None, older_than_days: float | None = None) -> int:
        """Delete assessments beyond the newest ``keep`` and/or older than the cutoff.

        Both limits may be given; a row goes when either says so. Returns how many went.
        """
        deleted = 0
        with self.transaction() as db:
            if older_than_days is not None:
                cutoff = (datetime.now(UTC) - timedelta(days=older_than_days)).isoformat(
                    timespec="microseconds")
                deleted += db.execute("DELETE FROM assessments WHERE created_at < ?",
                                      (cutoff,)).rowcount
            if keep is not None:
                deleted += db.execute(
                    "DELETE FROM assessments WHERE id NOT IN (SELECT id FROM assessments "
                    "ORDER BY id DESC LIMIT ?)", (keep,)).rowcount
        return deleted

    def compact(self) -> None:
        """Give the space of deleted rows back to the file system (after a large prune)."""
        try:
            self.db.execute("VACUUM")
        except sqlite3.DatabaseError as exc:
            raise StoreError(_explain(self.path, exc)) from None

    @contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise StoreError(_explain(self.path, exc)) from None

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


def _explain(path: str, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return f"the history store {path} is read-only"
    if "locked" in text or "busy" in text:
        return f"the history store {path} is locked by another process"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (f"the history store {path} is corrupt or not an advisor store ({text}); "
                "move it aside to start a new one")
    return f"history store {path}: {text}"

"""The local history store: one SQLite file in the user's data folder.

It keeps every assessment (answers, result, the report as written), LLM failure patterns and
the narrative cache. An assessment is a small row in ``assessments`` (what ``history list``
shows and filters on) and one blob in ``assessment_blobs``: its three large texts compressed
with the store's own zlib dictionary, about a seventh of the bytes of plain JSON and
Markdown; listing never reads them. Schema changes
are small named migrations applied once each and recorded
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
import struct
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

STORE_NAME = "advisor.sqlite3"
BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The history store cannot be used (corrupt, read-only, locked, unreadable, newer)."""

    def __init__(self, message: str, *, read_only: bool = False) -> None:
        super().__init__(message)
        self.read_only = read_only  # the store may still be read (opened read-only)


class NewerStoreError(StoreError):
    """The store was written by a newer advisor (migrations this version does not know)."""


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


def _m006_input_digest(db: sqlite3.Connection) -> None:
    """The SHA-256 of the input an assessment was made from: batch resume compares it, so an
    edited input is assessed again even when its report exists."""
    db.execute("ALTER TABLE assessments ADD COLUMN input_sha256 TEXT")


#: The large texts of an assessment. Since m008 they are one blob in ``assessment_blobs``:
#: the three texts, length-prefixed, zlib-compressed with a preset dictionary of the store's
#: own (``payload_dicts``, made from the first assessment it keeps). Reports share most of
#: their wording (headings, rule explanations, recommendation texts), so the dictionary
#: takes a report and its result from about 19 KB to under 3 KB (plain zlib: 7.5 KB).
PAYLOAD_COLUMNS = ("answers_json", "result_json", "report")
_ZLEVEL = 6
_BLOB_V1 = b"\x01"  # then the 8-byte dictionary id, then the zlib stream
_DICT_BYTES = 32 * 1024  # zlib's window: a longer dictionary is not used
_LENGTHS = struct.Struct(">III")


def compress(text: str) -> bytes:
    """Plain zlib (the m007 format of a single payload column)."""
    return zlib.compress(text.encode("utf-8"), _ZLEVEL)


def decompress(value: Any) -> str:
    """An m007 payload column as text: zlib bytes, or text written before m007."""
    if isinstance(value, bytes | memoryview):
        return zlib.decompress(bytes(value)).decode("utf-8")
    return "" if value is None else str(value)


def _container(texts: tuple[str, str, str]) -> bytes:
    parts = [t.encode("utf-8") for t in texts]
    return _LENGTHS.pack(*(len(p) for p in parts)) + b"".join(parts)


def _uncontainer(data: bytes) -> tuple[str, str, str]:
    a, r, p = _LENGTHS.unpack_from(data)
    at = _LENGTHS.size
    if at + a + r + p != len(data):
        raise ValueError("payload lengths do not add up")
    return (data[at:at + a].decode("utf-8"), data[at + a:at + a + r].decode("utf-8"),
            data[at + a + r:].decode("utf-8"))


class PayloadCodec:
    """Packs an assessment's three texts into one compressed blob and back, with the store's
    dictionaries (read once per connection; the newest one compresses)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.dicts: dict[bytes, bytes] = {}
        self.current: tuple[bytes, bytes] | None = None

    def _load_current(self) -> None:
        if self.current is None:
            row = self.db.execute("SELECT id, data FROM payload_dicts ORDER BY rowid DESC "
                                  "LIMIT 1").fetchone()
            if row:
                self.current = (bytes(row[0]), bytes(row[1]))
                self.dicts[self.current[0]] = self.current[1]

    def pack(self, texts: tuple[str, str, str]) -> bytes:
        """The blob for ``texts``; the first one ever kept seeds the store's dictionary.
        Call inside a write transaction (a new dictionary is inserted)."""
        data = _container(texts)
        self._load_current()
        if self.current is None:
            import hashlib

            zdict = data[-_DICT_BYTES:]
            ident = hashlib.sha256(zdict).digest()[:8]
            self.db.execute("INSERT OR IGNORE INTO payload_dicts (id, data) VALUES (?, ?)",
                            (ident, zdict))
            self.current = (ident, zdict)
            self.dicts[ident] = zdict
        ident, zdict = self.current
        packer = zlib.compressobj(_ZLEVEL, zdict=zdict)
        return _BLOB_V1 + ident + packer.compress(data) + packer.flush()

    def unpack(self, blob: Any) -> tuple[str, str, str]:
        blob = bytes(blob)
        if not blob.startswith(_BLOB_V1) or len(blob) < 9:
            raise ValueError("unknown payload format")
        ident = blob[1:9]
        zdict = self.dicts.get(ident)
        if zdict is None:
            row = self.db.execute("SELECT data FROM payload_dicts WHERE id = ?",
                                  (ident,)).fetchone()
            if row is None:
                raise ValueError("the payload's dictionary is missing")
            zdict = self.dicts[ident] = bytes(row[0])
        unpacker = zlib.decompressobj(zdict=zdict)
        return _uncontainer(unpacker.decompress(blob[9:]) + unpacker.flush())


def _m007_compact_payloads(db: sqlite3.Connection) -> None:
    """Move answers, result and report out of ``assessments``, zlib-compressed.

    A history row was about 21 KB of JSON and Markdown; in a table of its own,
    ``assessments`` keeps only the small columns, so listing and filtering a million rows
    reads a few tens of megabytes, not gigabytes. (m008 packs the texts tighter.)
    """
    db.execute("""
        CREATE TABLE assessment_payloads (
            id INTEGER PRIMARY KEY,
            answers_json BLOB NOT NULL,
            result_json BLOB NOT NULL,
            report BLOB NOT NULL
        )""")
    db.create_function("advisor_compress", 1,
                       lambda v: compress(v) if isinstance(v, str) else v, deterministic=True)
    db.execute("INSERT INTO assessment_payloads (id, answers_json, result_json, report) "
               "SELECT id, advisor_compress(answers_json), advisor_compress(result_json), "
               "advisor_compress(report) FROM assessments")
    for column in PAYLOAD_COLUMNS:
        db.execute(f"ALTER TABLE assessments DROP COLUMN {column}")
    db.execute("CREATE INDEX assessments_role ON assessments(role, id)")
    db.execute("CREATE INDEX assessments_tier ON assessments(tier, id)")


def _m008_payload_blobs(db: sqlite3.Connection) -> None:
    """One blob per assessment, compressed with the store's own dictionary (PayloadCodec)."""
    db.execute("CREATE TABLE payload_dicts (id BLOB PRIMARY KEY, data BLOB NOT NULL)")
    db.execute("CREATE TABLE assessment_blobs (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
    codec = PayloadCodec(db)
    old = db.execute("SELECT id, answers_json, result_json, report FROM assessment_payloads "
                     "ORDER BY id")
    while chunk := old.fetchmany(500):
        rows = [(row_id, codec.pack((decompress(a), decompress(r), decompress(p))))
                for row_id, a, r, p in chunk]
        db.executemany("INSERT INTO assessment_blobs (id, payload) VALUES (?, ?)", rows)
    db.execute("DROP TABLE assessment_payloads")


#: Applied in order, each once; append new ones, never edit or reorder applied ones.
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("m001_assessments", _m001_assessments),
    ("m002_llm_failures", _m002_llm_failures),
    ("m003_narrative_cache", _m003_narrative_cache),
    ("m004_assessment_source", _m004_assessment_source),
    ("m005_narrative_tokens", _m005_narrative_tokens),
    ("m006_input_digest", _m006_input_digest),
    ("m007_compact_payloads", _m007_compact_payloads),
    ("m008_payload_blobs", _m008_payload_blobs),
]

#: The fields of an assessment row built by :func:`assessment_row`, in its order: the
#: columns of ``assessments`` plus the three texts (answers, result, report) that
#: :class:`PayloadCodec` packs into ``assessment_blobs`` when the row is inserted.
ROW_COLUMNS = ("created_at", "origin", "role", "organization", "tier", "score", "confidence",
               "monthly_usd", "rules_digest", "answers_json", "result_json", "report",
               "report_format", "narrative_source", "narrative_model", "narrative_usd",
               "source", "report_path", "narrative_input_tokens", "narrative_output_tokens",
               "input_sha256")
_PAYLOAD_AT = tuple(ROW_COLUMNS.index(c) for c in PAYLOAD_COLUMNS)
_META_AT = tuple(i for i in range(len(ROW_COLUMNS)) if i not in _PAYLOAD_AT)
_META_COLUMNS = tuple(ROW_COLUMNS[i] for i in _META_AT)
_INSERT = (f"INSERT INTO assessments ({', '.join(_META_COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(_META_COLUMNS))})")
_INSERT_BLOB = "INSERT INTO assessment_blobs (id, payload) VALUES (?, ?)"


def _insert(db: sqlite3.Connection, codec: PayloadCodec, row: tuple[Any, ...]) -> int:
    cur = db.execute(_INSERT, tuple(row[i] for i in _META_AT))
    row_id = int(cur.lastrowid or 0)
    a, r, p = (row[i] for i in _PAYLOAD_AT)
    db.execute(_INSERT_BLOB, (row_id, codec.pack((a, r, p))))
    return row_id

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
                   result_data: dict[str, Any] | None = None,
                   input_sha256: str | None = None) -> tuple[Any, ...]:
    """One assessment as a tuple in :data:`ROW_COLUMNS` order.

    A plain function, not a method, so batch workers can build rows (the JSON encoding is the
    costly part) and insert them many to a transaction (compression happens at insert).
    ``result_data`` is ``result.to_dict()`` when the caller already has it.
    """
    data = result_data if result_data is not None else result.to_dict()
    narrative = data.get("narrative") or {}
    current = ((data.get("costs") or {}).get("current") or {})
    from advisor.data.redact import redact_secrets

    return (now_iso(), origin, result.role, result.organization, result.tier, result.score,
            result.confidence, _finite(current.get("monthly_usd")), result.rules_digest,
            _ANSWERS_JSON.encode(answers), _RESULT_JSON.encode(data),
            _utf8(redact_secrets(report)), report_format, narrative.get("source"),
            narrative.get("model"), _finite(narrative.get("usd")), _utf8(_redacted(source)),
            _utf8(report_path),
            _count(narrative.get("input_tokens")), _count(narrative.get("output_tokens")),
            input_sha256)


def _utf8(text: str | None) -> str | None:
    """Text SQLite can store: a file name that is not UTF-8 arrives with surrogate escapes
    (``'bad\udcff.json'``), which cannot be encoded; its odd bytes become U+FFFD."""
    if text is None:
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace") \
            if _escapes_only(text) else text.encode("utf-8", "replace").decode("utf-8")
    return text


def _escapes_only(text: str) -> bool:
    try:
        text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return True


#: SQLite stores integers up to 2**63 - 1; a provider's figure above it used to crash the
#: write. Counts outside 0..this are untrusted and stored as unknown (NULL).
MAX_STORED_COUNT = 10**12


def _count(value: Any) -> int | None:
    """A token count as stored: a whole number in 0..MAX_STORED_COUNT, else unknown."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_STORED_COUNT else None


def _finite(value: Any) -> float | None:
    """A dollar figure as stored: finite and not negative, else unknown."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    import math

    return float(value) if math.isfinite(value) and value >= 0 else None



def _redacted(source: str | None) -> str | None:
    """A source that is a URL keeps no credential (a file path is kept as it is)."""
    if not source or "://" not in source:
        return source
    from advisor.data.redact import redact_urls

    return redact_urls(source)


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
        self.writable = True
        self.codec = PayloadCodec(db)

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *,
             read_only: bool = False) -> Store:
        """Open (creating or upgrading) the store. With ``read_only``, a store that cannot be
        written (a read-only file or folder) is opened for reading instead of refused."""
        path = os.fspath(path) if path else default_path()
        try:
            return cls._open(path)
        except StoreError as exc:
            if not (read_only and exc.read_only and os.path.isfile(path)):
                raise
        return cls._open_read_only(path)

    @classmethod
    def _open_read_only(cls, path: str) -> Store:
        """Open an existing store for reading only, even from a read-only folder (where a WAL
        store's shared-memory file cannot be made: then it is read as immutable)."""
        from urllib.parse import quote

        uri = "file:" + quote(os.path.abspath(path))
        last: sqlite3.DatabaseError | None = None
        for mode in ("mode=ro", "immutable=1"):
            try:
                db = sqlite3.connect(f"{uri}?{mode}", uri=True, isolation_level=None,
                                     timeout=BUSY_TIMEOUT_MS / 1000)
            except sqlite3.DatabaseError as exc:
                last = exc
                continue
            store = cls(db, path)
            store.writable = False
            try:
                done = set(store.applied_migrations())
                store._check_known(done)
                if missing := [n for n, _ in MIGRATIONS if n not in done]:
                    db.close()
                    raise StoreError(f"the history store {path} is read-only and needs an "
                                     f"upgrade ({missing[0]}) that cannot be written")
                return store
            except sqlite3.DatabaseError as exc:
                db.close()
                last = exc
        assert last is not None
        error = _error(path, last)
        raise StoreError(str(error)) from None

    @classmethod
    def _open(cls, path: str) -> Store:
        try:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for {path}: {exc.strerror}") from None
        try:
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.DatabaseError as exc:
            raise _error(path, exc) from None
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
            raise _error(path, exc) from None
        except StoreError:
            db.close()
            raise
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
            raise _error(self.path, exc) from None

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM _migrations ORDER BY rowid")]

    def migrate(self) -> list[str]:
        """Apply the migrations not yet recorded; return their names."""
        self.db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, "
                        "applied_at TEXT NOT NULL)")
        done = set(self.applied_migrations())
        self._check_known(done)
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

    def _check_known(self, done: set[str]) -> None:
        """A store a newer advisor upgraded is not written (nor read) by this one."""
        newer = sorted(done - {name for name, _ in MIGRATIONS})
        if newer:
            raise NewerStoreError(
                f"the history store {self.path} was written by a newer version of advisor "
                f"(it has {newer[-1]}); upgrade advisor to use it, or set ADVISOR_HOME to "
                "another folder")

    # ------------------------------------------------------------------ assessments

    def record_assessment(self, answers: dict[str, Any], result: Any, report: str,
                          report_format: str = "md", *, origin: str = "cli",
                          source: str | None = None, report_path: str | None = None) -> int:
        """Keep one assessment (its own transaction); return its id."""
        row = assessment_row(answers, result, report, report_format, origin=origin,
                             source=source, report_path=report_path)
        with self.transaction() as db:
            return _insert(db, self.codec, row)

    def record_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert rows built by :func:`assessment_row`, all in one transaction.

        Batch calls this every few hundred items: one commit (one WAL sync) per group keeps
        the store from becoming the bottleneck, and a crash loses at most the open group,
        which resume then records again (see :meth:`has_report_path`).
        """
        if not rows:
            return
        with self.transaction() as db:
            for row in rows:
                _insert(db, self.codec, row)

    def has_report_path(self, report_path: str) -> bool:
        """Whether an assessment whose report was written to ``report_path`` is kept."""
        return self.narrative_for_report(report_path) is not None

    def narrative_for_report(self, report_path: str) -> tuple[Any, ...] | None:
        """(source, model, usd, input tokens, output tokens, input SHA-256) of the newest
        assessment whose report went to ``report_path``; None when there is none.

        A resumed batch compares the input digest (an edited input is assessed again) and
        counts the LLM cost of the items an earlier run finished from here.
        """
        with self._reading():
            return self.db.execute(
                "SELECT narrative_source, narrative_model, narrative_usd, "
                "narrative_input_tokens, narrative_output_tokens, input_sha256 "
                "FROM assessments WHERE report_path = ? ORDER BY id DESC LIMIT 1",
                (report_path,)).fetchone()

    def list_assessments(self, *, role: str | None = None, organization: str | None = None,
                         tier: str | None = None, limit: int | None = None
                         ) -> list[dict[str, Any]]:
        """The small columns of matching assessments, newest first (the order they were kept).

        ``organization`` matches as a case-insensitive substring (LIKE, with its wildcards
        escaped, so ``50%`` means the text "50%").
        """
        where: list[str] = []
        params: list[Any] = []
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

    _FULL = ("SELECT a.*, b.payload AS _payload FROM assessments a "
             "LEFT JOIN assessment_blobs b ON b.id = a.id")

    def get_assessment(self, assessment_id: int) -> dict[str, Any] | None:
        """Every field of one assessment (payloads as text), or None when there is no such
        id. A payload that cannot be decompressed is a :class:`StoreError`."""
        with self._reading():
            cur = self.db.execute(f"{self._FULL} WHERE a.id = ?", (assessment_id,))
            row = cur.fetchone()
            names = [d[0] for d in cur.description]
        return self._decoded(dict(zip(names, row, strict=True))) if row else None

    def iter_assessments(self) -> Iterator[dict[str, Any]]:
        """Every assessment, oldest first, one row at a time (export of a large store)."""
        with self._reading():
            cur = self.db.execute(f"{self._FULL} ORDER BY a.id")
            names = [d[0] for d in cur.description]
            while chunk := cur.fetchmany(200):
                for row in chunk:
                    yield self._decoded(dict(zip(names, row, strict=True)))

    def _decoded(self, row: dict[str, Any]) -> dict[str, Any]:
        blob = row.pop("_payload", None)
        try:
            texts = self.codec.unpack(blob) if blob is not None else ("{}", "{}", "")
            row.update(zip(PAYLOAD_COLUMNS, texts, strict=True))
        except (zlib.error, UnicodeDecodeError, ValueError, struct.error,
                sqlite3.DatabaseError) as exc:
            raise StoreError(f"the history store {self.path} holds a damaged assessment "
                             f"(id {row.get('id')}): {exc}") from None
        return row

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
            if deleted:
                db.execute("DELETE FROM assessment_blobs WHERE id NOT IN "
                           "(SELECT id FROM assessments)")
        return deleted

    def compact(self) -> None:
        """Give the space of deleted rows back to the file system (after a large prune)."""
        try:
            self.db.execute("VACUUM")
        except sqlite3.DatabaseError as exc:
            raise _error(self.path, exc) from None

    @contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise _error(self.path, exc) from None

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
            raise _error(self.path, exc) from None
        return [(k, int(n)) for k, n in rows]

    def cached_narrative(self, key: str) -> dict[str, Any] | None:
        try:
            row = self.db.execute("SELECT narrative_json FROM narrative_cache WHERE key = ?",
                                  (key,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise _error(self.path, exc) from None
        if not row:
            return None
        try:
            value = json.loads(row[0])
        except (TypeError, ValueError, RecursionError):
            return None  # a damaged entry is a miss
        return value if isinstance(value, dict) else None

    def cache_narrative(self, key: str, model: str | None, narrative: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO narrative_cache (key, created_at, model, "
                       "narrative_json) VALUES (?, ?, ?, ?)",
                       (key, now_iso(), model, json.dumps(narrative, ensure_ascii=False)))


def _explain(path: str, exc: sqlite3.DatabaseError) -> str:
    return str(_error(path, exc))


def _error(path: str, exc: sqlite3.DatabaseError) -> StoreError:
    text = str(exc)
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreError(f"the history store {path} is read-only or its folder is "
                          "not writable", read_only=True)
    return StoreError(_explain_other(path, text))


def _explain_other(path: str, text: str) -> str:
    if "locked" in text or "busy" in text:
        return f"the history store {path} is locked by another process"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (f"the history store {path} is corrupt or not an advisor store ({text}); "
                "move it aside to start a new one")
    return f"history store {path}: {text}"

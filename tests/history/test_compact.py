"""The history store kept compact and healing (issue 14): payloads compressed with the store's
dictionary, an m007 store upgraded, a newer store refused clearly, a read-only store read."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from advisor.history.store import (
    MIGRATIONS,
    NewerStoreError,
    PayloadCodec,
    Store,
    StoreError,
    compress,
)
from tests.history.test_store import _result


def test_payloads_are_a_fraction_of_the_plain_text(tmp_path: Path, rulebase, prices) -> None:
    path = tmp_path / "s.sqlite3"
    rows = []
    for name in ("startup-chat-wrapper.json", "enterprise-claims-team.json",
                 "investor-gpu-cloud.json"):
        answers, result, report = _result(rulebase, prices, name)
        rows.append((answers, result, report))
    with Store.open(path) as store:
        for _ in range(20):
            for answers, result, report in rows:
                store.record_assessment(answers, result, report)
        blobs = [len(b) for (b,) in store.db.execute("SELECT payload FROM assessment_blobs")]
        again = store.get_assessment(2)
    plain = sum(len(r.encode()) for _, _, r in rows) / len(rows)
    assert sum(blobs) / len(blobs) < plain / 3
    assert again is not None and again["report"] == rows[1][2]


def test_an_m007_store_is_packed_by_m008(tmp_path: Path, rulebase, prices) -> None:
    path = tmp_path / "m007.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    names = [n for n, _ in MIGRATIONS]
    for name, step in MIGRATIONS[:names.index("m007_compact_payloads") + 1]:
        step(db)
        db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, "2026-01-01T00:00:00"))
    report = _result(rulebase, prices)[2]
    db.execute("INSERT INTO assessments (created_at, origin, role, tier, score, confidence, "
               "rules_digest, report_format) VALUES ('2026', 'cli', 'startup', 'high', 1, 1, "
               "'d', 'md')")
    db.execute("INSERT INTO assessment_payloads VALUES (1, ?, ?, ?)",
               (compress('{"a":1}'), compress('{"r":2}'), compress(report)))
    db.close()
    with Store.open(path) as store:
        row = store.get_assessment(1)
        assert row is not None
        assert (row["answers_json"], row["result_json"], row["report"]) == (
            '{"a":1}', '{"r":2}', report)
        tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
        assert "assessment_payloads" not in tables


def test_a_damaged_payload_is_a_store_error_not_a_crash(tmp_path: Path, rulebase,
                                                        prices) -> None:
    path = tmp_path / "s.sqlite3"
    answers, result, report = _result(rulebase, prices)
    with Store.open(path) as store:
        store.record_assessment(answers, result, report)
        store.db.execute("UPDATE assessment_blobs SET payload = x'01000102030405060708'")
        with pytest.raises(StoreError, match="damaged"):
            store.get_assessment(1)
        assert store.list_assessments()[0]["id"] == 1  # listing never reads payloads


def test_codec_round_trip_and_unknown_dictionary(tmp_path: Path) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE payload_dicts (id BLOB PRIMARY KEY, data BLOB NOT NULL)")
    codec = PayloadCodec(db)
    texts = ('{"x":"é"}', "{}", "# Report\n" * 100)
    blob = codec.pack(texts)
    assert PayloadCodec(db).unpack(blob) == texts
    db.execute("DELETE FROM payload_dicts")
    with pytest.raises(ValueError, match="dictionary"):
        PayloadCodec(db).unpack(blob)


def test_a_store_from_a_newer_advisor_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Store.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO _migrations VALUES ('m999_from_the_future', '2030')")
    with pytest.raises(NewerStoreError, match="newer version of advisor"):
        Store.open(path)
    with pytest.raises(NewerStoreError):
        Store.open(path, read_only=True)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files anyway")
def test_a_read_only_store_is_opened_for_reading(tmp_path: Path, rulebase, prices) -> None:
    folder = tmp_path / "home"
    folder.mkdir()
    path = folder / "s.sqlite3"
    answers, result, report = _result(rulebase, prices)
    with Store.open(path) as store:
        store.record_assessment(answers, result, report)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path.chmod(stat.S_IRUSR)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(StoreError):
            Store.open(path).record_assessment(answers, result, report)
        with Store.open(path, read_only=True) as store:
            assert len(store.list_assessments()) == 1
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)

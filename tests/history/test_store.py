"""The history store: migrations, concurrent writers, damaged stores, queries."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.cli.main import main
from advisor.core.assess import assess
from advisor.data.answers_file import validate_answers
from advisor.history.store import MIGRATIONS, Store, StoreError, assessment_row
from advisor.render.report import render
from tests.conftest import EXAMPLES, ROOT, example


def _result(rulebase, prices, name: str = "startup-chat-wrapper.json", **changes):
    doc = example(name)
    doc["answers"].update(changes)
    answers = validate_answers(doc)
    result = assess(answers, rulebase, prices)
    report = render(result, rulebase, "md")
    return answers.as_data(), result, report


# ---------------------------------------------------------------------- migrations


def test_a_new_store_applies_every_migration_once(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as store:
        assert store.applied_migrations() == [name for name, _ in MIGRATIONS]
        assert store.migrate() == []  # nothing left to apply
        columns = {r[1] for r in store.db.execute("PRAGMA table_info(assessments)")}
        assert {"source", "report_path", "narrative_input_tokens"} <= columns
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Store.open(path) as store:  # reopening applies nothing again
        assert store.applied_migrations() == [name for name, _ in MIGRATIONS]


def test_an_older_store_is_upgraded_in_place_and_keeps_its_rows(tmp_path: Path, rulebase,
                                                                 prices) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    name, step = MIGRATIONS[0]
    step(db)
    db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, "2025-01-01T00:00:00+00:00"))
    answers, result, report = _result(rulebase, prices)
    old_columns = assessment_row(answers, result, report)[:16]  # what m001 knew
    db.execute("INSERT INTO assessments (created_at, origin, role, organization, tier, score, "
               "confidence, monthly_usd, rules_digest, answers_json, result_json, report, "
               "report_format, narrative_source, narrative_model, narrative_usd) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", old_columns)
    db.close()

    with Store.open(path) as store:
        assert store.applied_migrations() == [n for n, _ in MIGRATIONS]
        old = store.get_assessment(1)
        assert old is not None and old["report"] == report and old["source"] is None
        new_id = store.record_assessment(answers, result, report, source="x.json")
        assert store.get_assessment(new_id)["source"] == "x.json"
        assert [r["id"] for r in store.list_assessments()] == [new_id, 1]


# ---------------------------------------------------------------------- concurrency

_WRITER = textwrap.dedent("""
    import sys
    from advisor.core.assess import assess
    from advisor.data.answers_file import read_answers_file
    from advisor.data.price_map import default_price_book
    from advisor.data.rules import load_rulebase
    from advisor.history.store import Store

    path, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    answers = read_answers_file(sys.argv[4])
    result = assess(answers, load_rulebase(), default_price_book())
    data = answers.as_data()
    with Store.open(path) as store:  # both open a store that does not exist yet
        for i in range(n):
            store.record_assessment(data, result, f"report {tag} {i}", source=f"{tag}:{i}")
""")


def test_two_processes_writing_at_once_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    example_file = str(EXAMPLES / "startup-chat-wrapper.json")
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), tag, "150",
                                 example_file], env=env, stderr=subprocess.PIPE, text=True)
               for tag in ("a", "b")]
    for w in writers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
    with Store.open(path) as store:
        sources = {r["source"] for r in store.list_assessments(limit=None)}
        assert store.count_assessments() == 300
        assert sources == {f"{t}:{i}" for t in "ab" for i in range(150)}
        assert store.applied_migrations() == [n for n, _ in MIGRATIONS]


# ---------------------------------------------------------------------- damaged stores


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file unwritable, even for root (who ignores permission bits)."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)],
                                                     capture_output=True).returncode:
        pytest.skip("running as root without chattr: cannot make a file read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_corrupt_store_is_a_clear_store_error(tmp_path: Path) -> None:
    path = tmp_path / "advisor.sqlite3"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 200)
    with pytest.raises(StoreError) as info:
        Store.open(path)
    assert str(path) in str(info.value)
    assert "corrupt" in str(info.value) and "move it aside" in str(info.value)


def test_a_read_only_store_reads_but_refuses_writes_clearly(tmp_path: Path, rulebase,
                                                            prices) -> None:
    path = tmp_path / "advisor.sqlite3"
    answers, result, report = _result(rulebase, prices)
    with Store.open(path) as store:
        store.record_assessment(answers, result, report)
    with read_only(path), Store.open(path) as store:
        assert store.count_assessments() == 1
        with pytest.raises(StoreError, match="read-only"):
            store.record_assessment(answers, result, report)


@pytest.mark.parametrize("damage", ["corrupt", "read-only"])
def test_assess_still_writes_its_report_when_the_store_is_unusable(
        damage: str, advisor_home: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    store_path = advisor_home / "advisor.sqlite3"
    out = tmp_path / "report.md"
    if damage == "corrupt":
        store_path.write_bytes(b"\x00garbage" * 1000)
        guard: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    else:
        Store.open(store_path).close()
        guard = read_only(store_path)
    with guard:
        code = main(["assess", str(EXAMPLES / "startup-chat-wrapper.json"), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 0
    assert out.read_text(encoding="utf-8").startswith("# AI cost exposure")
    assert "advisor: warning: not kept in history" in err and damage in err
    assert "Traceback" not in err


# ---------------------------------------------------------------------- queries


def test_list_filters_orders_and_escapes_wildcards(tmp_path: Path, rulebase, prices) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        a, r, text = _result(rulebase, prices)
        first = store.record_assessment(a, r, text)
        b, r2, text2 = _result(rulebase, prices, "investor-portfolio-vertical.json")
        second = store.record_assessment(b, r2, text2)
        r.organization = "100% AI_Labs"
        third = store.record_assessment(a, r, text)
        assert [x["id"] for x in store.list_assessments()] == [third, second, first]
        assert [x["id"] for x in store.list_assessments(role="investor")] == [second]
        assert [x["id"] for x in store.list_assessments(tier="high")] == [third, first]
        assert [x["id"] for x in store.list_assessments(organization="QUILL")] == [first]
        assert [x["id"] for x in store.list_assessments(organization="0% ai_")] == [third]
        assert store.list_assessments(organization="0%_") == []  # % and _ are literal
        assert len(store.list_assessments(limit=2)) == 2
        assert [row["id"] for row in store.iter_assessments()] == [first, second, third]


def test_rows_recorded_in_groups_and_found_by_report_path(tmp_path: Path, rulebase,
                                                          prices) -> None:
    a, r, text = _result(rulebase, prices)
    rows = [assessment_row(a, r, text, origin="batch", source=f"p.jsonl:{i}",
                           report_path=f"/out/p-{i}.md") for i in range(1, 4)]
    with Store.open(tmp_path / "s.sqlite3") as store:
        store.record_rows(rows)
        store.record_rows([])
        assert store.count_assessments() == 3
        assert store.has_report_path("/out/p-2.md")
        assert not store.has_report_path("/out/p-9.md")
        stored = store.get_assessment(2)
        assert stored["origin"] == "batch" and stored["report"] == text
        assert json.loads(stored["result_json"]) == r.to_dict()


def test_prune_by_count_and_by_age(tmp_path: Path, rulebase, prices) -> None:
    a, r, text = _result(rulebase, prices)
    with Store.open(tmp_path / "s.sqlite3") as store:
        ids = [store.record_assessment(a, r, text) for _ in range(5)]
        store.db.execute("UPDATE assessments SET created_at = '2020-01-01T00:00:00+00:00' "
                         "WHERE id = ?", (ids[0],))
        assert store.prune(older_than_days=30) == 1
        assert store.prune(keep=2) == 2
        assert [x["id"] for x in store.list_assessments()] == [ids[4], ids[3]]
        store.compact()
        assert store.prune(keep=0) == 2 and store.count_assessments() == 0

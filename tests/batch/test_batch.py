"""``advisor batch``: inputs, bad items, the summary's numbers, history, resume, the LLM path."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from advisor.batch.inputs import count_items, iter_items
from advisor.batch.output import ReportNamer, safe_stem
from advisor.batch.run import _bounded
from advisor.cli.main import main
from advisor.core.result import Narrative
from advisor.history.store import Store
from advisor.render.formatting import money
from tests.conftest import EXAMPLES, ROOT, example

EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.glob("*.json"))


def _doc(i: int) -> dict[str, Any]:
    """A valid answers object, varied by ``i`` (role, organization, volume)."""
    doc = example(EXAMPLE_NAMES[i % len(EXAMPLE_NAMES)])
    doc["organization"] = f"Company {i} | <b>#{i}</b>"
    for key in ("daily_users", "monthly_requests"):
        if key in doc["answers"]:
            doc["answers"][key] *= 1 + i % 7
    return doc


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _unknown_model(i: int) -> dict[str, Any]:
    doc = example("startup-chat-wrapper.json")
    doc["answers"]["model"] = "gpt-9-imaginary"
    doc["organization"] = f"Unknown model {i}"
    return doc


def _schema_violation() -> dict[str, Any]:
    doc = example("startup-chat-wrapper.json")
    doc["answers"]["daily_users"] = "lots"
    return doc


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        data = (data or {}).get(key)
    return data


def _plain(name: str) -> str:
    """A report name without the digest of its input's path: ``co0-3dbab492c5.md`` -> ``co0.md``."""
    return re.sub(r"-[0-9a-f]{10}(\.\w+)$", r"\1", name)


def _report(out: Path, plain: str) -> Path:
    """The report in ``out`` whose name without the path digest is ``plain``."""
    stem, ext = plain.rsplit(".", 1)
    found = [p for p in out.glob(f"{stem}-*.{ext}") if _plain(p.name) == plain]
    assert len(found) == 1, (plain, sorted(p.name for p in out.iterdir()))
    return found[0]


def _summary(out: Path) -> dict[str, Any]:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------- inputs and bad items


def test_folders_recursively_with_bad_items_mixed_in(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    inputs = tmp_path / "portfolio"
    for i in range(6):
        _write(inputs / f"team{i % 2}" / "deep" / f"co{i}.json", _doc(i))
    _write(inputs / "bad-json.json", '{"schema_version": 1, "role": ')
    _write(inputs / "team0" / "schema.json", _schema_violation())
    _write(inputs / "team1" / "model.json", _unknown_model(0))
    _write(inputs / "empty.json", "")
    _write(inputs / "notes.txt", "not an input")
    _write(inputs / ".hidden.json", "{ never read")
    _write(inputs / ".cache" / "x.json", "{ never read")
    out = tmp_path / "out"

    assert main(["batch", str(inputs), "-o", str(out), "--jobs", "2", "--no-progress"]) == 2
    summary = _summary(out)
    assert (summary["items"], summary["assessed"], summary["invalid"]) == (10, 6, 4)
    errors = {Path(e["source"]).name: e["error"] for e in summary["invalid_items"]}
    assert set(errors) == {"bad-json.json", "schema.json", "model.json", "empty.json"}
    assert "invalid JSON at line 1" in errors["bad-json.json"]
    assert "answers.daily_users" in errors["schema.json"]
    assert "unknown model 'gpt-9-imaginary'" in errors["model.json"]
    assert "the file is empty" in errors["empty.json"]
    assert all(e["error"].startswith(e["source"]) for e in summary["invalid_items"])
    reports = sorted(_plain(p.name) for p in out.glob("*.md")
                     if not p.name.startswith("summary"))
    assert reports == [f"co{i}.md" for i in range(6)]

    md = (out / "summary.md").read_text(encoding="utf-8")
    assert "## Invalid items" in md and "gpt-9-imaginary" in md
    assert "Company 3 \\| &lt;b&gt;\\#3&lt;/b&gt;" in md  # escaped with md_escape
    # Charts are tables in Markdown (issue 15): no Mermaid code in the summary.
    assert "| High risk |" in md and "| GPT-4 at launch (March 2023) |" in md
    assert "```mermaid" not in md
    captured = capsys.readouterr()
    assert "10 items: 6 assessed, 4 invalid" in captured.out
    assert captured.err.count("advisor: invalid item:") == 4


def test_shell_expanded_files_and_a_quoted_glob(tmp_path: Path) -> None:
    files = [_write(tmp_path / "in" / f"c{i}.json", _doc(i)) for i in range(3)]
    _write(tmp_path / "in" / "other.json", _doc(9))
    out = tmp_path / "out"
    # What `advisor batch in/c*.json` receives from a shell: the files themselves.
    assert main(["batch", *map(str, files), "-o", str(out), "--no-progress"]) == 0
    assert _summary(out)["items"] == 3
    out2 = tmp_path / "out2"
    # A pattern no shell expanded (quoted, or Windows): expanded here, sorted.
    assert main(["batch", str(tmp_path / "in" / "c*.json"), "-o", str(out2),
                 "--no-progress"]) == 0
    assert [r["report"] for r in _summary(out2)["table"]] != []
    assert sorted(r["source"] for r in _summary(out2)["table"]) == sorted(map(str, files))


def test_jsonl_items_named_by_line_with_bad_lines(tmp_path: Path) -> None:
    lines = [json.dumps(_doc(0)), "", json.dumps(_doc(1)), "{not json",
             json.dumps(_schema_violation()), "   ", json.dumps(_unknown_model(1)),
             json.dumps([1, 2]), json.dumps(_doc(2))]
    portfolio = _write(tmp_path / "portfolio.jsonl", "\n".join(lines) + "\n")
    out = tmp_path / "out"
    assert main(["batch", str(portfolio), "-o", str(out), "--no-progress", "--jobs", "1"]) == 2
    summary = _summary(out)
    assert summary["items"] == 7  # blank lines are not items
    assert {_plain(r["report"]) for r in summary["table"]} == {
        "portfolio-1.md", "portfolio-3.md", "portfolio-9.md"}
    errors = {e["source"]: e["error"] for e in summary["invalid_items"]}
    assert set(errors) == {f"{portfolio}:{n}" for n in (4, 5, 7, 8)}
    assert errors[f"{portfolio}:4"].startswith(f"{portfolio}:4: invalid JSON")
    assert "top level is a JSON list" in errors[f"{portfolio}:8"]
    assert "unknown model" in errors[f"{portfolio}:7"]


def test_missing_and_unreadable_inputs_are_items_not_crashes(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.json", _doc(0))
    out = tmp_path / "out"
    assert main(["batch", str(good), str(tmp_path / "missing.json"),
                 str(tmp_path / "missing.jsonl"), "-o", str(out), "--no-progress"]) == 2
    errors = [e["error"] for e in _summary(out)["invalid_items"]]
    assert len(errors) == 2 and all("no such file" in e for e in errors)


def test_all_good_exits_0_and_reports_are_real(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["batch", str(EXAMPLES), "-o", str(out), "--no-progress"]) == 0
    direct = tmp_path / "direct.md"
    assert main(["assess", str(EXAMPLES / "startup-chat-wrapper.json"), "-o", str(direct),
                 "--no-history"]) == 0
    # A batch report is exactly what `advisor assess` writes for the same file.
    assert _report(out, "startup-chat-wrapper.md").read_bytes() == direct.read_bytes()


def test_report_names_are_unique_and_safe(tmp_path: Path) -> None:
    namer = ReportNamer(".md")
    names = [namer.name_for(s) for s in
             ("acme", "acme", "ACME", "summary", "../../etc/passwd", "Société Générale",
              ".hidden", "con", "", "a" * 300)]
    assert names[:4] == ["acme.md", "acme-2.md", "ACME-3.md", "summary-2.md"]
    # With the input's real path, the name is the input's name and that path's digest:
    # the same in every run, whatever else the batch holds.
    first = namer.name_for("acme", "/data/a/acme.json")
    assert re.fullmatch(r"acme-[0-9a-f]{10}\.md", first)
    assert ReportNamer(".md").name_for("acme", "/data/a/acme.json") == first
    assert namer.name_for("acme", "/data/b/acme.json") != first
    assert names[4] == "etc_passwd.md" and names[5] == "Societe_Generale.md"
    assert names[6] == "hidden.md" and names[7] == "con_.md" and names[8] == "item.md"
    assert len(names[9]) <= 84
    assert all("/" not in n and not n.startswith(".") for n in names)
    assert safe_stem("a/b\\c:d*e?f") == "a_b_c_d_e_f"


def test_output_folder_inside_the_input_is_not_read_back(tmp_path: Path) -> None:
    for i in range(2):
        _write(tmp_path / "p" / f"c{i}.json", _doc(i))
    out = tmp_path / "p" / "reports"
    for _ in range(2):  # the second run would see summary.json and the reports otherwise
        assert main(["batch", str(tmp_path / "p"), "-o", str(out), "--format", "json",
                     "--no-progress"]) == 0
        assert _summary(out)["items"] == 2


@pytest.mark.parametrize("argv, message", [
    (["--jobs", "0"], "--jobs"),
    (["-o", "FILE"], "is not a folder"),
])
def test_usage_errors_exit_2(tmp_path: Path, argv: list[str], message: str,
                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "FILE").write_text("x")
    argv = [a.replace("FILE", str(tmp_path / "FILE")) for a in argv]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "out")]
    assert main(["batch", str(EXAMPLES), *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_bug_in_one_item_does_not_stop_the_others(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import advisor.batch.worker as worker

    real = worker.assess

    def flaky(answers: Any, rulebase: Any, prices: Any, **options: Any) -> Any:
        if answers.organization == "Company 1 | <b>#1</b>":
            raise RuntimeError("boom")
        return real(answers, rulebase, prices, **options)

    monkeypatch.setattr(worker, "assess", flaky)
    for i in range(3):
        _write(tmp_path / "in" / f"c{i}.json", _doc(i))
    out = tmp_path / "out"
    assert main(["batch", str(tmp_path / "in"), "-o", str(out), "--no-progress"]) == 1
    summary = _summary(out)
    assert summary["assessed"] == 2
    assert "internal error (RuntimeError: boom)" in summary["invalid_items"][0]["error"]


# ---------------------------------------------------------------------- the summary's numbers


def test_summary_numbers_are_the_sums_of_the_items(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    for i in range(40):
        _write(inputs / f"c{i:02d}.json", _doc(i))
    _write(inputs / "zz-bad.json", _unknown_model(0))
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "--format", "json", "--jobs", "2",
                 "--no-progress"]) == 2
    summary = _summary(out)
    results = {p.name: json.loads(p.read_text(encoding="utf-8"))
               for p in out.glob("c*.json")}
    assert len(results) == 40 == summary["assessed"]

    def total(pick: Any) -> tuple[float, int]:
        values = [pick(r) for r in results.values()]
        values = [v for v in values if v is not None]
        return sum(values), len(values)

    costs = summary["costs"]
    for key, pick in (
            ("current_monthly_usd", lambda r: _dig(r, "costs", "current", "monthly_usd")),
            ("baseline_2023_monthly_usd",
             lambda r: _dig(r, "costs", "baseline_2023", "monthly_usd")),
            ("expected_monthly_usd",
             lambda r: _dig(r, "costs", "scenarios", "expected_monthly_usd"))):
        usd, items = total(pick)
        assert costs[key]["items"] == items > 0
        assert costs[key]["usd"] == pytest.approx(usd, rel=1e-12)
    assert summary["tiers"] == {t: sum(r["tier"] == t for r in results.values())
                                for t in ("high", "medium", "lower")}
    fired = Counter(f["id"] for r in results.values() for f in r["fired_rules"])
    assert {f["id"]: f["items"] for f in summary["fired_rules"]} == dict(fired)
    recs = Counter(x["id"] for r in results.values() for x in r["recommendations"])
    assert {x["id"]: x["items"] for x in summary["recommendations"]} == dict(recs)
    # The table: every item once, most exposed first, with its own figures.
    table = summary["table"]
    assert [row["score"] for row in table] == sorted((r["score"] for r in results.values()),
                                                     reverse=True)
    for row in table:
        result = results[row["report"]]
        assert (row["score"], row["tier"], row["organization"]) == (
            result["score"], result["tier"], result["organization"])
        assert row["monthly_usd"] == _dig(result, "costs", "current", "monthly_usd")
    md = (out / "summary.md").read_text(encoding="utf-8")
    # The summary rounds as a person says it (issue 15): $1.97 million, not $1,973,975.00;
    # and totals by basis, never one "Today" adding bills to computed costs (issue 22).
    computed = costs["by_basis"]["computed_api_usd"]
    assert f"| {money(computed['usd'])} | {computed['items']} |" in md and "| Today |" not in md
    first_row = next(line for line in md.splitlines() if line.startswith("| 1 | "))
    assert f"| {table[0]['score']} |" in first_row


def test_same_inputs_give_the_same_summary_bytes(tmp_path: Path) -> None:
    for i in range(12):
        _write(tmp_path / "in" / f"c{i}.json", _doc(i))
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        assert main(["batch", str(tmp_path / "in"), "-o", str(out), "--jobs", jobs,
                     "--no-progress", "--no-history"]) == 0
        outs.append(out)
    for name in ("summary.md", "summary.json", "summary.html"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes()


# ---------------------------------------------------------------------- history and resume


def test_items_are_kept_in_history_with_their_source(tmp_path: Path) -> None:
    portfolio = _write(tmp_path / "p.jsonl", "\n".join(json.dumps(_doc(i)) for i in range(5)))
    out = tmp_path / "out"
    assert main(["batch", str(portfolio), "-o", str(out), "--no-progress"]) == 0
    with Store.open() as store:
        rows = list(store.iter_assessments())
    assert [r["source"] for r in rows] == [f"{portfolio}:{n}" for n in range(1, 6)]
    assert {r["origin"] for r in rows} == {"batch"}
    for r in rows:
        assert Path(r["report_path"]).read_text(encoding="utf-8") == r["report"]
    assert main(["batch", str(portfolio), "-o", str(tmp_path / "o2"), "--no-history",
                 "--no-progress"]) == 0
    with Store.open() as store:
        assert store.count_assessments() == 5


def test_resume_skips_complete_reports_and_keeps_the_summary(tmp_path: Path) -> None:
    for i in range(10):
        _write(tmp_path / "in" / f"c{i}.json", _doc(i))
    _write(tmp_path / "in" / "zz-bad.json", "{")
    out = tmp_path / "out"
    assert main(["batch", str(tmp_path / "in"), "-o", str(out), "--no-progress"]) == 2
    full = {n: (out / n).read_bytes() for n in ("summary.md", "summary.json")}
    stamps = {_plain(p.name): p.stat().st_mtime_ns for p in out.glob("c*.md")}

    # An interrupted run: three reports never written, one left empty by a power cut, a
    # temp file from a write in progress, no summary; and history missed the last group.
    for name in ("c2.md", "c5.md", "c9.md"):
        _report(out, name).unlink()
    _report(out, "c7.md").write_bytes(b"")
    (out / ".advisor-c8half.tmp").write_text("half a rep")
    (out / "summary.md").unlink()
    (out / "summary.json").unlink()
    with Store.open() as store:
        store.db.execute("DELETE FROM assessments WHERE report_path LIKE ?", ("%/c3-%",))
        store.db.execute("DELETE FROM assessments WHERE report_path LIKE ?", ("%/c2-%",))
        assert store.count_assessments() == 8
    time.sleep(0.01)

    assert main(["batch", str(tmp_path / "in"), "-o", str(out), "--no-progress"]) == 2
    rewritten = {_plain(p.name) for p in out.glob("c*.md")
                 if p.stat().st_mtime_ns != stamps[_plain(p.name)]}
    # c3's report is there but history lacks its row, so nothing says it matches its input:
    # it is written again (same bytes) and recorded once.
    assert rewritten == {"c2.md", "c3.md", "c5.md", "c7.md", "c9.md"}
    assert not (out / ".advisor-c8half.tmp").exists()
    for name, data in full.items():
        assert (out / name).read_bytes() == data
    with Store.open() as store:
        paths = [r["report_path"] for r in store.iter_assessments()]
    # Nothing is lost and nothing kept twice for the same report: c3 (its report was there,
    # its row was not) and c2 are recorded again; c5, c7 and c9 were rewritten, so each is a
    # second assessment next to the first run's row.
    assert len(paths) == 13
    assert Counter(_plain(Path(p).name) for p in paths) == Counter(
        {f"c{i}.md": 1 for i in (0, 1, 2, 3, 4, 6, 8)} | {"c5.md": 2, "c7.md": 2, "c9.md": 2})


def test_a_killed_batch_resumes_to_the_same_result(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    n = 1500
    portfolio = _write(inputs / "portfolio.jsonl",
                       "\n".join(json.dumps(_doc(i)) for i in range(n)) + "\n")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "advisor", "batch", str(portfolio), "-o", str(out),
           "--jobs", "1", "--no-progress"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("portfolio-*.md"))) < 700:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = len(list(out.glob("portfolio-*.md")))
    if (out / "summary.json").exists():
        pytest.skip("the batch finished before it could be interrupted")
    assert 0 < done_before < n

    assert main(["batch", str(portfolio), "-o", str(out), "--no-progress"]) == 0
    assert len(list(out.glob("portfolio-*.md"))) == n
    assert not list(out.glob(".*.tmp"))
    clean = tmp_path / "clean"
    assert main(["batch", str(portfolio), "-o", str(clean), "--no-progress",
                 "--no-history"]) == 0
    assert (out / "summary.json").read_bytes() == (clean / "summary.json").read_bytes()
    with Store.open() as store:
        sources = Counter(r["source"] for r in store.list_assessments(limit=None))
    assert len(sources) == n and set(sources.values()) == {1}  # each item kept exactly once


# ---------------------------------------------------------------------- streaming


def test_inputs_are_pulled_only_as_fast_as_results_come_back() -> None:
    pulled = count()

    def work() -> Any:
        for i in range(10_000):
            next(pulled)
            yield i

    class Done:
        def __init__(self, value: int) -> None:
            self.value = value

        def result(self) -> int:
            return self.value

    results = _bounded(Done, work(), in_flight=6)
    assert [next(results) for _ in range(3)] == [0, 1, 2]
    assert next(pulled) == 9  # 6 in flight + 3 refills, not 10,000


def test_items_are_listed_lazily_and_counted_alike(tmp_path: Path) -> None:
    big = _write(tmp_path / "big.jsonl", "\n".join(json.dumps(_doc(i)) for i in range(200)))
    items = iter_items([str(big)])
    first = next(items)
    assert first.source == f"{big}:1" and first.stem == "big-1"
    assert next(items).seq == 1
    for i in range(3):
        _write(tmp_path / "d" / f"sub{i}" / f"c{i}.json", _doc(i))
    paths = [str(big), str(tmp_path / "d"), str(tmp_path / "missing.jsonl")]
    assert count_items(paths) == len(list(iter_items(paths))) == 200 + 3 + 1


def test_no_rich_litellm_or_textual_without_a_terminal(tmp_path: Path) -> None:
    code = (
        "import sys; from advisor.cli.main import main; "
        f"rc = main(['batch', {str(EXAMPLES)!r}, '-o', {str(tmp_path / 'o')!r}]); "
        "bad = [m for m in ('rich', 'litellm', 'textual') if m in sys.modules]; "
        "print(rc, bad)")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ADVISOR_HOME": str(tmp_path / "h")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True)
    assert done.stdout.splitlines()[-1] == "0 []"
    assert done.stderr == ""


def test_a_progress_bar_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["batch", str(EXAMPLES), "-o", str(tmp_path / "o"), "--jobs", "1"]) == 0
    assert "rich" in sys.modules
    err = capsys.readouterr().err
    n = len(EXAMPLE_NAMES)
    assert "Assessing" in err and f"{n}/{n}" in err


# ---------------------------------------------------------------------- with an LLM


def test_llm_items_are_narrated_concurrently_each_falling_back_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import advisor.llm.narrative as narrative_module

    lock = threading.Lock()
    state = {"now": 0, "peak": 0, "calls": 0}

    def fake_narrate(result: Any, rulebase: Any, settings: Any) -> Narrative:
        with lock:
            state["now"] += 1
            state["calls"] += 1
            state["peak"] = max(state["peak"], state["now"])
        try:
            time.sleep(0.05)
            if "#3<" in (result.organization or ""):
                raise RuntimeError("provider exploded")
            return Narrative(source="llm", model=settings.model, input_tokens=100,
                             output_tokens=50, usd=0.001,
                             text="## Where you stand\n\nfake\n")
        finally:
            with lock:
                state["now"] -= 1

    monkeypatch.setattr(narrative_module, "narrate", fake_narrate)
    for i in range(12):
        _write(tmp_path / "in" / f"c{i:02d}.json", _doc(i))
    out = tmp_path / "out"
    argv = ["batch", str(tmp_path / "in"), "-o", str(out), "--no-progress",
            "--llm", "openai/gpt-4o-mini", "--jobs", "3"]
    assert main(argv) == 0
    assert state["calls"] == 12 and 1 < state["peak"] <= 3
    summary = _summary(out)
    assert summary["narrative"] == {"llm_items": 11, "usd": pytest.approx(0.011),
                                    "input_tokens": 1100, "output_tokens": 550}
    assert "fake" in _report(out, "c00.md").read_text(encoding="utf-8")
    fallback = _report(out, "c03.md").read_text(encoding="utf-8")
    # An LLM failure is not part of the report (issue 15): the built-in narrative, no note.
    assert "LLM narrative failed" not in fallback and "## Where you stand" in fallback
    assert "narrative: built-in." in fallback
    with Store.open() as store:
        models = {r["narrative_model"] for r in store.list_assessments(limit=None)}
    assert models == {"openai/gpt-4o-mini", None}

    first = (out / "summary.json").read_bytes()
    _report(out, "c05.md").unlink()
    state["calls"] = 0
    assert main(argv) == 0  # resumed: only the missing report costs a call
    assert state["calls"] == 1
    # The LLM cost of the items done before is counted from history: the same summary.
    assert (out / "summary.json").read_bytes() == first


def test_a_broken_store_warns_once_and_the_batch_carries_on(
        advisor_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (advisor_home / "advisor.sqlite3").write_bytes(b"garbage " * 1000)
    out = tmp_path / "out"
    assert main(["batch", str(EXAMPLES), "-o", str(out), "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("advisor: warning: items not kept in history") == 1
    assert "corrupt" in captured.err
    assert _summary(out)["assessed"] == len(EXAMPLE_NAMES)
    assert "kept in history" not in captured.out


# ---------------------------------------------------------------------- the portfolio summary
# Issue 22: totals by basis (never one "Today" total), bill gaps, confidence and top action per
# item, findings by weight, and an HTML summary with the report's escaping.

PERSONAS = ROOT / "tests" / "personas"


def _with_bill(name: str, bill: float, org: str) -> dict[str, Any]:
    doc = example(name)
    doc["answers"]["monthly_api_spend_usd"] = bill
    doc["organization"] = org
    return doc


def _portfolio(tmp_path: Path) -> tuple[Path, dict[str, dict[str, Any]]]:
    """Items of every basis: bills (one far higher, one far lower, one close), computed only,
    in house, not priced. Returns the output folder and each item's JSON result."""
    inputs = tmp_path / "in"
    _write(inputs / "higher.json", _with_bill("startup-chat-wrapper.json", 12_150, "Higher Co"))
    _write(inputs / "lower.json", _with_bill("startup-chat-wrapper.json", 675, "Lower Co"))
    _write(inputs / "close.json", _with_bill("startup-chat-wrapper.json", 2_100, "Close Co"))
    _write(inputs / "persona-bill.json", json.loads(
        (PERSONAS / "enterprise-bill-above-computed.json").read_text(encoding="utf-8")))
    _write(inputs / "computed.json", example("developer-agent-platform.json"))
    _write(inputs / "in-house.json", json.loads(
        (PERSONAS / "onprem-low-volume-council.json").read_text(encoding="utf-8")))
    _write(inputs / "unpriced.json", example("investor-portfolio-vertical.json"))
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "--format", "json", "--no-progress",
                 "--no-history"]) == 0
    results = {}
    for p in out.glob("*.json"):
        if not p.name.startswith("summary"):
            results[_plain(p.name)] = json.loads(p.read_text(encoding="utf-8"))
    return out, results


def _basis(result: dict[str, Any]) -> str:
    costs = result["costs"]
    current = _dig(costs, "current", "monthly_usd")
    if current is not None and _dig(costs, "current", "basis") == "in_house":
        return "in_house"
    if costs.get("reported_spend_usd") is not None:
        return "bill"
    return "computed" if current is not None else "not_priced"


def test_costs_are_totalled_by_basis_never_into_one_today(tmp_path: Path) -> None:
    out, results = _portfolio(tmp_path)
    assert {_basis(r) for r in results.values()} == {"bill", "computed", "in_house",
                                                     "not_priced"}
    by_basis = _summary(out)["costs"]["by_basis"]
    bills = [r["costs"]["reported_spend_usd"] for r in results.values()
             if r["costs"].get("reported_spend_usd") is not None]
    computed = [r["costs"]["current"]["monthly_usd"] for r in results.values()
                if _basis(r) == "computed"]
    in_house = [r["costs"]["current"]["monthly_usd"] for r in results.values()
                if _basis(r) == "in_house"]
    for key, values in (("bills_paid_usd", bills), ("computed_api_usd", computed),
                        ("in_house_usd", in_house)):
        assert by_basis[key]["items"] == len(values) > 0, key
        assert by_basis[key]["usd"] == pytest.approx(sum(values), rel=1e-12), key
    assert by_basis["not_priced"]["items"] == 1
    md = (out / "summary.md").read_text(encoding="utf-8")
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert "| Today |" not in md and ">Today<" not in html
    for label, values in (("Bills paid, as reported", bills),
                          ("Computed at list prices (no bill given)", computed),
                          ("In house (GPUs and operations)", in_house)):
        assert f"| {label} | {money(sum(values))} | {len(values)} |" in md
        assert (f"<td>{label}</td><td class=\"num\">{money(sum(values))}</td>"
                f"<td class=\"num\">{len(values)}</td>") in html
    # Each item's own figure says which basis it is on.
    items = md.split("## Items by exposure")[1]
    row = next(line for line in items.splitlines() if "| Higher Co |" in line)
    assert "| $12,150 (bill) |" in row


def test_bill_gaps_are_flagged_with_their_direction_and_ratio(tmp_path: Path) -> None:
    out, _ = _portfolio(tmp_path)
    summary = _summary(out)
    flagged = {row["organization"]: row["bill_gap"] for row in summary["table"]
               if row["bill_gap"]}
    assert set(flagged) == {"Higher Co", "Lower Co", "Calder & Rowe Telecom - Digital Care"}
    assert flagged["Higher Co"]["direction"] == "higher"
    assert flagged["Higher Co"]["ratio"] == pytest.approx(6.0, rel=1e-3)
    assert flagged["Lower Co"]["direction"] == "lower"
    assert flagged["Lower Co"]["ratio"] == pytest.approx(1 / 3, rel=1e-3)
    assert summary["bill_gaps"] == {"items": 3, "higher": 2, "lower": 1}
    md = (out / "summary.md").read_text(encoding="utf-8")
    gaps = md.split("## Bill gaps")[1].split("\n## ")[0]
    lines = [line for line in gaps.splitlines() if line.startswith("| ") and "$" in line]
    # The widest gap first: 6× above, 3× below, then 53% above; the close bill is not listed.
    assert [line.split(" | ")[0][2:] for line in lines] == [
        "Higher Co", "Lower Co", "Calder &amp; Rowe Telecom - Digital Care"]
    assert "| $12,150 | $2,025 | 6.0× higher |" in lines[0]
    assert "| $675 | $2,025 | 3.0× lower |" in lines[1]
    assert "| 53% higher |" in lines[2]
    assert "Close Co" not in gaps
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert '<td class="gap-lower">3.0× lower</td>' in html


def test_each_item_carries_its_confidence_and_top_action(tmp_path: Path) -> None:
    out, results = _portfolio(tmp_path)
    md = (out / "summary.md").read_text(encoding="utf-8")
    html = (out / "summary.html").read_text(encoding="utf-8")
    for row in _summary(out)["table"]:
        result = results[_plain(row["report"])]
        top = result["recommendations"][0]["title"] if result["recommendations"] else None
        assert row["confidence"] == result["confidence"]
        assert row["top_action"] == top and top
        items = md.split("## Items by exposure")[1]
        line = next(line for line in items.splitlines() if f"[{row['report']}]" in line)
        assert f"| {round(result['confidence'] * 100)}% |" in line
        assert top.replace("$", "\\$") in line or top in line
        assert f"<td>{top}</td>" in html.replace("&#39;", "'")


def test_findings_are_ordered_by_weight_never_led_by_zero_points(tmp_path: Path) -> None:
    out, _ = _portfolio(tmp_path)
    for fired in (_summary(out)["fired_rules"],):
        points = [f["points"] for f in fired]
        assert 0 in points and any(p > 0 for p in points) and any(p < 0 for p in points)
        kinds = [0 if p > 0 else 1 if p < 0 else 2 for p in points]
        assert kinds == sorted(kinds)  # drivers, then defences, then findings without points
        for kind in (0, 1):
            run = [abs(p) for p, k in zip(points, kinds, strict=True) if k == kind]
            assert run == sorted(run, reverse=True)
    md = (out / "summary.md").read_text(encoding="utf-8")
    table = md.split("| Finding | Points | Items | Share | Source |")[1].split("\n\n")[0]
    shown = [line.split(" | ")[1] for line in table.splitlines()[2:]]
    assert shown[0].startswith("+") and shown == [
        (f"+{p:g}" if p > 0 else f"{p:g}") for p in points]


def test_the_html_summary_keeps_free_text_as_text(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    doc = _with_bill("startup-chat-wrapper.json", 675,
                     '<script>alert(1)</script> & <b onmouseover="x()">Bold</b>')
    _write(inputs / "evil.json", doc)
    _write(inputs / "<img src=x onerror=alert(1)>.json", '{"schema_version": 1, "role": ')
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "--no-progress", "--no-history"]) == 2
    html = (out / "summary.html").read_text(encoding="utf-8")
    body = html.split("<body>", 1)[1]
    assert not re.search(r"<(?:script|img|b)\b", body)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b onmouseover=" in body
    assert "&lt;img src=x onerror=alert(1)&gt;.json" in body  # the invalid item, as text
    assert html.count("<a href=") == 2  # the report's link in the gap and exposure tables
    # Written atomically beside the others: nothing half-written is left behind.
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("summary")) == [
        "summary.html", "summary.json", "summary.md"]
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]

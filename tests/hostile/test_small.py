"""Family 7: small ones. Control and bidi characters from file names and free text never reach
a terminal or raw Markdown; out-of-range numbers on the command line are usage errors, never
tracebacks; "1e308 times" is not "×308"; ``--jobs`` has an upper bound (issue 14)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hostile_conftest import (
    STARTUP,
    UNSAFE_CHARS,
    assert_finite_text,
    assert_input_error,
    assert_no_crash,
    assert_usage_error,
    describe,
    doc,
    run_advisor,
    strict_json,
    write_json,
)

ESCAPES = "\x1b[2J\x1b[31m\u202eevil\u202c\u2066x\u2069\x07\x08\x9b31m"
HUGE = str(10**30)


def _clean(text: str, what: str) -> None:
    found = UNSAFE_CHARS.findall(text)
    assert not found, f"{what} carries raw control/bidi characters {found[:5]!r}"


# --------------------------------------------------------------------------- file names

@pytest.mark.parametrize("content", ["not json at all", '{"schema_version": 1}', None],
                         ids=["not-json", "schema-error", "missing-file"])
@pytest.mark.parametrize("command", ["assess", "explain"])
def test_escapes_in_a_file_name_never_reach_stderr(tmp_path: Path, content: str | None,
                                                    command: str) -> None:
    path = tmp_path / f"evil{ESCAPES.replace('/', '')}name.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    proc = run_advisor(command, path, timeout=20)
    assert_input_error(proc, "evil")  # also checks stderr holds no raw control character


def test_escapes_in_file_names_never_reach_a_batch_summary(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_json(folder / f"good{ESCAPES}.json", STARTUP)
    (folder / f"bad{ESCAPES}.json").write_text("{", encoding="utf-8")
    out = tmp_path / "out"
    proc = run_advisor("batch", folder, "-o", out, "--no-progress", "--format", "md", timeout=30)
    assert_no_crash(proc, allowed=(2,))
    _clean(proc.stderr, "stderr")
    _clean(proc.stdout, "stdout")
    _clean((out / "summary.md").read_text(encoding="utf-8"), "summary.md")
    for report in out.glob("*.md"):
        _clean(report.name, "a report's file name")


# --------------------------------------------------------------------------- free text

@pytest.fixture
def escaped_org(tmp_path: Path) -> Path:
    return write_json(tmp_path / "escaped.json", doc(organization=f"Acme {ESCAPES} Ltd"))


@pytest.mark.parametrize("command", [["assess"], ["assess", "--format", "html"], ["explain"],
                                     ["ask", "@", "what if our volume doubles?"]],
                         ids=["assess-md", "assess-html", "explain", "ask"])
def test_escapes_in_the_organization_never_reach_output(escaped_org: Path,
                                                        command: list[str]) -> None:
    args = [escaped_org if a == "@" else a for a in command]
    if "@" not in command:
        args.append(escaped_org)
    proc = run_advisor(*args, timeout=20)
    assert_no_crash(proc, allowed=(0,))
    _clean(proc.stdout, f"{command[0]} output")
    _clean(proc.stderr, "stderr")


def test_escapes_in_the_organization_never_reach_history_output(escaped_org: Path) -> None:
    assert_no_crash(run_advisor("assess", escaped_org, timeout=20), allowed=(0,))
    for args in (["history", "list"], ["history", "show", "1"],
                 ["history", "list", "--organization", "Acme"]):
        proc = run_advisor(*args, timeout=20)
        assert_no_crash(proc, allowed=(0,))
        _clean(proc.stdout, " ".join(args))


def test_escapes_in_the_organization_never_reach_a_batch_summary(tmp_path: Path,
                                                                 escaped_org: Path) -> None:
    out = tmp_path / "out"
    proc = run_advisor("batch", escaped_org, "-o", out, "--no-progress", timeout=30)
    assert_no_crash(proc, allowed=(0,))
    _clean((out / "summary.md").read_text(encoding="utf-8"), "summary.md")
    for report in out.glob("*.md"):
        _clean(report.read_text(encoding="utf-8"), report.name)


@pytest.mark.parametrize("where", ["organization-too-long", "unknown-answer-id", "model",
                                   "archetype", "role", "unknown-top-level-key"])
def test_escapes_echoed_in_an_error_are_neutralised(tmp_path: Path, where: str) -> None:
    bad: dict[str, Any] = doc()
    if where == "organization-too-long":
        bad["organization"] = ESCAPES * 40
    elif where == "unknown-answer-id":
        bad["answers"][f"mod{ESCAPES}el"] = "x"
    elif where == "model":
        bad["answers"]["model"] = f"gpt{ESCAPES}"
    elif where == "archetype":
        bad["answers"]["archetype"] = f"api{ESCAPES}"
    elif where == "role":
        bad["role"] = f"startup{ESCAPES}"
    else:
        bad[f"extra{ESCAPES}"] = 1
    path = write_json(tmp_path / "bad.json", bad)
    proc = run_advisor("assess", path, timeout=20)
    assert_input_error(proc, path.name)


def test_escapes_in_a_jsonl_item_error(tmp_path: Path) -> None:
    lines = tmp_path / "items.jsonl"
    lines.write_text(json.dumps(doc(model=f"gpt{ESCAPES}")) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run_advisor("batch", lines, "-o", out, "--no-progress", timeout=30)
    assert_no_crash(proc, allowed=(2,))
    _clean(proc.stderr, "stderr")
    _clean((out / "summary.md").read_text(encoding="utf-8"), "summary.md")


# --------------------------------------------------------------------------- command-line numbers

@pytest.fixture
def one_assessment(tmp_path: Path) -> None:
    path = write_json(tmp_path / "a.json", STARTUP)
    for _ in range(2):
        assert_no_crash(run_advisor("assess", path, timeout=20), allowed=(0,))


@pytest.mark.parametrize("args", [
    ["list", "--limit", HUGE], ["list", "--limit", "-1"], ["list", "--limit", "1e3"],
    ["show", HUGE], ["show", "-1"], ["show", "0x10"], ["show", "1" * 5000],
    ["diff", HUGE, "1"], ["diff", "1", HUGE],
    ["prune", "--older-than", "nan"], ["prune", "--older-than", "-inf"],
    ["prune", "--keep", "-1"],
], ids=lambda a: " ".join(a)[:40])
def test_history_numbers_out_of_range_are_usage_errors(one_assessment: None,
                                                       args: list[str]) -> None:
    proc = run_advisor("history", *args, timeout=20)
    assert_usage_error(proc)


@pytest.mark.parametrize("args", [
    ["prune", "--keep", HUGE], ["prune", "--older-than", HUGE],
    ["prune", "--older-than", "1e308"], ["list", "--limit", "0"],
], ids=lambda a: " ".join(a)[:40])
def test_history_numbers_at_the_edge_are_handled(one_assessment: None, args: list[str]) -> None:
    """Keep 10^30 rows, or delete what is older than 10^30 days: legal (nothing to do) or a
    usage error, never a traceback."""
    proc = run_advisor("history", *args, timeout=20)
    assert_no_crash(proc)
    if proc.returncode == 2:
        assert_usage_error(proc)
    listed = run_advisor("history", "list", "--format", "json", timeout=20)
    assert_no_crash(listed, allowed=(0,))
    assert len(strict_json(listed.stdout)) == 2, "an out-of-range prune deleted history"


@pytest.mark.parametrize("args", [["--limit", HUGE], ["--limit", "-5"], ["--limit", "nan"]],
                         ids=lambda a: " ".join(a))
def test_prices_limit_out_of_range(args: list[str]) -> None:
    proc = run_advisor("prices", "gpt-4o", "--format", "json", *args, timeout=20)
    assert_no_crash(proc)
    if proc.returncode == 2:
        assert_usage_error(proc)


# --------------------------------------------------------------------------- ask

QUESTIONS = [
    "what if volume grows 1e308 times?",
    "what if our volume grows 1e400 times?",
    "what if volume grows 10^308 times?",
    "what if volume grows 1,000,000,000,000,000,000,000,000,000,000 times?",
    "what if volume grows inf times?",
    "what if volume grows nan times?",
    "what if volume grows -5 times?",
    "what if each task took 1e308 calls?",
    "what if stabilization were 1e308%?",
    "what if we switch to " + "x" * 5000 + "?",
]


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q[:40])
def test_ask_with_absurd_numbers(tmp_path: Path, question: str) -> None:
    path = write_json(tmp_path / "a.json", STARTUP)
    proc = run_advisor("ask", path, question, timeout=20)
    assert_no_crash(proc)
    if proc.returncode == 2:
        assert_usage_error(proc)
        return
    assert_finite_text(proc.stdout, "the answer")
    assert not re.search(r"(×|\bx|\*)\s*308\b|\b308 times|\b400 times", proc.stdout), \
        f"'1e308' was read as 308{describe(proc)}"
    assert len(proc.stdout) < 20_000


# --------------------------------------------------------------------------- --jobs

@pytest.mark.parametrize("jobs", ["0", "-1", "abc", HUGE, "1e3"])
def test_jobs_out_of_range_is_a_usage_error(tmp_path: Path, jobs: str) -> None:
    path = write_json(tmp_path / "a.json", STARTUP)
    proc = run_advisor("batch", path, "-o", tmp_path / "out", "--no-progress", "--jobs", jobs,
                       timeout=20)
    assert_usage_error(proc, "jobs")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("jobs", ["100000", "5000"])
def test_jobs_has_an_upper_bound(tmp_path: Path, jobs: str) -> None:
    """Refused (exit 2) or capped: never a process per requested job. The run's process
    group is watched and killed past 48 processes."""
    folder = tmp_path / "in"
    for i in range(4):
        write_json(folder / f"item-{i}.json", doc(organization=f"Item {i}"))
    proc = run_advisor("batch", folder, "-o", tmp_path / "out", "--no-progress", "--jobs", jobs,
                       timeout=30, max_procs=48)
    assert_no_crash(proc)
    if proc.returncode == 2:
        assert_usage_error(proc, "jobs")
    else:
        assert len(list((tmp_path / "out").glob("item-*.md"))) == 4

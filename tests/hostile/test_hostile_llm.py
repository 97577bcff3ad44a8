"""Family 5: the LLM is untrusted output. The narrative is sanitised to plain paragraphs and
lists under the three headings before it is checked, rendered or cached; free text never
counts as facts; credentials are redacted from every URL shown or stored (issue 14).

The cases are data (``llm_cases.toml``). They run through the real command line against the
loopback OpenAI-compatible server of ``tests/llm/fake_openai.py`` (no network): a batch in
Markdown, a batch in HTML against a second server (so a narrative cached for one base URL must
not be served for another), a batch in HTML with both servers down (so nothing bad was
cached), and one ``assess --format json`` for the ``null`` message content.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hostile_conftest import (
    STARTUP,
    UNSAFE_CHARS,
    assert_no_crash,
    describe,
    run_advisor,
    strict_json,
    write_json,
)

HERE = Path(__file__).resolve().parent
CASES: list[dict[str, Any]] = tomllib.loads((HERE / "llm_cases.toml").read_text("utf-8"))["case"]
CASE_IDS = [c["id"] for c in CASES]
BY_ID = {c["id"]: c for c in CASES}

PASSWORD = "Sup3rSecretPW-issue14"
USER = "hostile-user"
MODEL = "openai/gpt-4o-mini"
LONG = "Extra words that nobody asked for. " * 6000  # about 200 KB
MARKER = re.compile(r"hostile-case-([a-z0-9-]+)")


def _load_fake() -> ModuleType | None:
    """tests/llm/fake_openai.py, by path (tests/llm is not a package), else as a package."""
    path = HERE.parent / "llm" / "fake_openai.py"
    if path.exists():
        spec = importlib.util.spec_from_file_location("hostile_fake_openai", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module
    try:
        from tests.llm import fake_openai  # type: ignore[import-not-found]
    except ImportError:
        return None
    return fake_openai


fake = _load_fake()
pytestmark = pytest.mark.skipif(fake is None, reason="tests/llm/fake_openai.py not found; "
                                "the cases stay listed in llm_cases.toml")


def _fill(text: str, body: dict[str, Any] | None = None) -> str:
    assert fake is not None
    if body is not None:
        text = (text.replace("@TRUTH@", fake.truthful_narrative(body))
                .replace("@TIER@", fake.engine_tier(body))
                .replace("@SCORE@", fake.engine_score(body)))
    return text.replace("@APIKEY@", fake.DUMMY_KEY).replace("@LONG@", LONG)


def _behaviour(body: dict[str, Any]) -> str | None:
    match = MARKER.search(fake.prompt_text(body)) if fake else None
    case = BY_ID.get(match.group(1)) if match else None
    if case is None:
        return fake.truthful_narrative(body)
    if "narrative" not in case:
        return None  # {"content": null}
    return _fill(case["narrative"], body)


def _organization(case: dict[str, Any]) -> str:
    return f"hostile-case-{case['id']} {case['organization']}"


@dataclass
class Runs:
    home: Path
    folder: Path
    outs: dict[str, Path] = field(default_factory=dict)
    procs: dict[str, Any] = field(default_factory=dict)
    second_server_requests: list[dict[str, Any]] = field(default_factory=list)
    exported: list[dict[str, Any]] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # where -> everything written there


def _reports_by_case(out: Path) -> dict[str, str]:
    summary = strict_json((out / "summary.json").read_text(encoding="utf-8"))
    found = {}
    for row in summary["table"]:
        match = MARKER.search(row.get("organization") or "")
        if match:
            found[match.group(1)] = (out / row["report"]).read_text(encoding="utf-8",
                                                                    errors="surrogateescape")
    return found


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    assert fake is not None
    base = tmp_path_factory.mktemp("llm-untrusted")
    home = base / "home"
    home.mkdir()
    folder = base / "in"
    for case in CASES:
        write_json(folder / f"{case['id']}.json", {**STARTUP, "organization": _organization(case)})
    env = {"ADVISOR_HOME": str(home), "OPENAI_API_KEY": fake.DUMMY_KEY}
    result = Runs(home=home, folder=folder)

    def batch(name: str, url: str | None, fmt: str) -> None:
        out = base / name
        llm = ["--llm", MODEL, "--llm-base-url", url, "--llm-timeout", "5"] if url else []
        result.outs[name] = out
        result.procs[name] = run_advisor("batch", folder, "-o", out, "--format", fmt,
                                         "--no-progress", "--jobs", "4", *llm, env=env,
                                         timeout=120)

    def with_credentials(url: str) -> str:
        return url.replace("http://", f"http://{USER}:{PASSWORD}@", 1)

    batch("builtin-md", None, "md")
    batch("builtin-html", None, "html")
    first, second = fake.FakeOpenAI().start(), fake.FakeOpenAI().start()
    first_url = with_credentials(first.base_url)
    try:
        first.behaviour = second.behaviour = _behaviour
        batch("llm-md", first_url, "md")
        batch("llm-html", with_credentials(second.base_url), "html")
        result.second_server_requests = list(second.requests)
        null_file = folder / "null-content.json"
        result.procs["assess-null"] = run_advisor(
            "assess", null_file, "--format", "json", "--llm", MODEL, "--llm-base-url", first_url,
            "--llm-timeout", "5", env=env, timeout=60)
    finally:
        first.stop()
        second.stop()
    batch("llm-html-provider-down", first_url, "html")

    for action in (["failures"], ["failures", "--format", "json"], ["list", "--format", "json"],
                   ["export"]):
        proc = run_advisor("history", *action, env=env, timeout=30)
        result.procs["history " + " ".join(action)] = proc
        result.texts["history " + " ".join(action)] = proc.stdout + proc.stderr
    export = result.procs["history export"]
    if export.returncode == 0:
        result.exported = [json.loads(line) for line in export.stdout.splitlines() if line]
    for name, proc in result.procs.items():
        result.texts[f"{name} (stdout+stderr)"] = proc.stdout + proc.stderr
    for name, out in result.outs.items():
        for path in sorted(out.iterdir()) if out.exists() else []:
            if path.is_file():
                result.texts[f"{name}/{path.name}"] = path.read_text("utf-8", "surrogateescape")
    for path in sorted(home.rglob("*")):
        if path.is_file() and "sqlite3" in path.name:
            result.texts[f"store file {path.name}"] = path.read_bytes().decode("latin-1")
    store = home / "advisor.sqlite3"
    if store.exists():
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            for table in tables:
                rows = db.execute(f'SELECT * FROM "{table}"').fetchall()
                result.texts[f"store table {table}"] = repr(rows)
    return result


# --------------------------------------------------------------------------- the runs

@pytest.mark.parametrize("name", ["llm-md", "llm-html", "llm-html-provider-down", "assess-null"])
def test_every_run_succeeds(runs: Runs, name: str) -> None:
    """An LLM that fails (or lies) is never an error by itself: exit 0, no traceback."""
    assert_no_crash(runs.procs[name], allowed=(0,))


def test_each_case_has_one_report(runs: Runs) -> None:
    for name in ("llm-md", "llm-html", "llm-html-provider-down"):
        assert sorted(_reports_by_case(runs.outs[name])) == sorted(CASE_IDS), name


def test_null_content_gives_strict_json_and_the_builtin_narrative(runs: Runs) -> None:
    """A ``null`` message must not leak warnings or library chatter into the report."""
    proc = runs.procs["assess-null"]
    assert_no_crash(proc, allowed=(0,))
    try:
        result = strict_json(proc.stdout)
    except ValueError as exc:
        pytest.fail(f"stdout is not just the JSON report: {exc}{describe(proc)}")
    assert result["narrative"]["source"] == "builtin"
    assert "warning" not in json.dumps(result["narrative"]).lower()


def test_the_narrative_cache_respects_the_base_url(runs: Runs) -> None:
    """The HTML batch used another server: the control narrative, accepted and cached from
    the first server, must be asked of the second one, not served from the cache."""
    asked = [MARKER.search(fake.prompt_text(body)) for body in runs.second_server_requests]
    assert "control" in {m.group(1) for m in asked if m}, \
        "a narrative cached for one --llm-base-url was served for another"


# --------------------------------------------------------------------------- each case

def _stored_narratives(runs: Runs, case_id: str, run: str | None = None
                       ) -> list[dict[str, Any]]:
    """The narratives history keeps for one case (from one batch run, when ``run`` is given:
    recognised by the report path the row records)."""
    found = []
    for row in runs.exported:
        result = row.get("result") or {}
        match = MARKER.search(str(result.get("organization") or ""))
        if not match or match.group(1) != case_id:
            continue
        if run is not None and f"/{run}/" not in str(row.get("report_path") or ""):
            continue
        found.append(result.get("narrative") or {})
    return found


@pytest.mark.parametrize("case_id", [c["id"] for c in CASES if "source" in c])
def test_recorded_source(runs: Runs, case_id: str) -> None:
    """The Markdown batch ran with a working provider: the control narrative is accepted
    (so the hostile ones are rejected for what they hold, not because nothing works), and a
    null or empty message falls back to the built-in narrative."""
    stored = _stored_narratives(runs, case_id, "llm-md")
    assert stored, f"no stored result for {case_id}{describe(runs.procs['history export'])}"
    assert [n.get("source") for n in stored] == [BY_ID[case_id]["source"]] * len(stored), stored


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_free_text_never_counts_as_facts(runs: Runs, case_id: str) -> None:
    case = BY_ID[case_id]
    org = _organization(case)
    for narrative in _stored_narratives(runs, case_id):
        text = (narrative.get("text") or "").replace(org, "")
        for needle in case.get("narrative_forbidden", []):
            assert needle not in text, \
                f"the narrative states {needle!r}, a figure found only in free text:\n{text}"


def _headings(markdown: str) -> tuple[Counter, bool]:
    """Headings outside code fences (ATX and setext '='), and whether every fence closed."""
    found: Counter = Counter()
    fence: str | None = None
    previous = ""
    for line in markdown.splitlines():
        stripped = line.strip()
        opener = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if fence is None and opener:
            fence = opener.group(1)[0] * len(opener.group(1))
        elif fence is not None:
            if stripped.startswith(fence) and set(stripped) <= {fence[0]}:
                fence = None
        elif re.match(r"^ {0,3}#{1,6}(\s|$)", line):
            found[stripped] += 1
        elif re.match(r"^ {0,3}=+\s*$", line) and previous.strip():
            found["setext: " + previous.strip()] += 1
        previous = line if fence is None else ""
    return found, fence is None


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_markdown_keeps_every_section(runs: Runs, case_id: str) -> None:
    llm = _reports_by_case(runs.outs["llm-md"])[case_id]
    builtin = _reports_by_case(runs.outs["builtin-md"])[case_id]
    headings, closed = _headings(llm)
    expected, _ = _headings(builtin)
    assert closed, "a code fence opened by the narrative is never closed"
    assert headings == expected, (
        f"headings differ from the built-in report's\n missing: {expected - headings}\n"
        f" added: {headings - expected}")


def _count(pattern: str, text: str) -> int:
    return len(re.findall(pattern, text, flags=re.IGNORECASE))


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_markdown_holds_no_live_markup(runs: Runs, case_id: str) -> None:
    case = BY_ID[case_id]
    llm = _reports_by_case(runs.outs["llm-md"])[case_id]
    builtin = _reports_by_case(runs.outs["builtin-md"])[case_id]
    for pattern in case.get("md_forbidden", []):
        assert _count(pattern, llm) <= _count(pattern, builtin), \
            f"{pattern!r} in the Markdown report"
    assert len(UNSAFE_CHARS.findall(llm)) <= len(UNSAFE_CHARS.findall(builtin)), \
        "control or bidi characters in the Markdown report"
    assert len(llm) <= len(builtin) + 20_000, f"the narrative added {len(llm) - len(builtin)} chars"


@pytest.mark.parametrize("run", ["llm-html", "llm-html-provider-down"])
@pytest.mark.parametrize("case_id", CASE_IDS)
def test_html_holds_no_live_markup(runs: Runs, case_id: str, run: str) -> None:
    case = BY_ID[case_id]
    html = _reports_by_case(runs.outs[run])[case_id]
    builtin = _reports_by_case(runs.outs["builtin-html"])[case_id]
    for pattern in case.get("html_forbidden", []):
        assert _count(pattern, html) <= _count(pattern, builtin), f"{pattern!r} in the HTML report"
    assert "\x00" not in html


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_forbidden_text_appears_nowhere(runs: Runs, case_id: str) -> None:
    for needle in (_fill(n) for n in BY_ID[case_id].get("forbidden", [])):
        where = [name for name, text in runs.texts.items() if needle.lower() in text.lower()]
        assert not where, f"{needle!r} found in: {where}"


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_report_forbidden_text_is_in_no_report(runs: Runs, case_id: str) -> None:
    """A link target may be named in a failure record (that is the diagnosis), never in a
    report a person opens."""
    for needle in (_fill(n) for n in BY_ID[case_id].get("report_forbidden", [])):
        where = [f"{run}/{cid}" for run in ("llm-md", "llm-html", "llm-html-provider-down")
                 for cid, text in _reports_by_case(runs.outs[run]).items()
                 if needle.lower() in text.lower()]
        assert not where, f"{needle!r} found in: {where}"


# --------------------------------------------------------------------------- credentials

@pytest.mark.parametrize("secret", [PASSWORD, f"{USER}:", "sk-test-dummy-key"])
def test_credentials_are_never_written(runs: Runs, secret: str) -> None:
    """Not in a report, the store (raw file or any table), stdout/stderr, or `history
    failures`/`export`/`list`."""
    assert runs.texts, "nothing was collected"
    where = [name for name, text in runs.texts.items() if secret in text]
    assert not where, f"{secret!r} found in: {where}"


def test_failures_were_recorded_somewhere_to_check(runs: Runs) -> None:
    """Guard for the test above: the hostile cases must have produced failure records, or the
    credential check on `history failures` proves nothing."""
    proc = runs.procs["history failures --format json"]
    assert_no_crash(proc, allowed=(0,))
    assert strict_json(proc.stdout), "no LLM failure was recorded"

"""The report a board reads (experience.md; issue 15, points 1, 2, 6 and 9).

Every example and every persona is rendered and read the way its reader would: a one-page
summary of at most 400 words before ``## Appendix``, dated, in the reader's language (no
field, rule, recommendation or section ids), no internal failures, each chart also a table,
and the same bytes for the same answers when ``SOURCE_DATE_EPOCH`` is set.
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.core.assess import assess
from advisor.core.sources import SECTION_TITLES
from advisor.data.answers_file import read_answers_file
from advisor.data.price_map import default_price_book
from advisor.render import charts, formatting
from advisor.render.report import builtin_narrative, render
from tests.conftest import EXAMPLES, ROOT, SOURCE_DATE_EPOCH

PERSONAS = ROOT / "tests" / "personas"
FILES = sorted(EXAMPLES.glob("*.json")) + sorted(PERSONAS.glob("*.json"))
IDS = [f"{p.parent.name}/{p.stem}" for p in FILES]
SUMMARY_WORDS = 400
DAY = "28 May 2026"  # what SOURCE_DATE_EPOCH (tests/conftest.py) names


def _result(path: Path, rulebase):
    return assess(read_answers_file(str(path)), rulebase, default_price_book())


@pytest.fixture(scope="module")
def reports(rulebase) -> dict[Path, str]:
    os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH  # module scope: before the autouse one
    return {p: render(_result(p, rulebase), rulebase, "md") for p in FILES}


def _summary(md: str) -> str:
    assert md.count("\n## Appendix\n") == 1, "the appendix heading is missing or repeated"
    return md.split("\n## Appendix\n")[0]


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9$€£%][^\s|]*", text))


def _ids(rulebase) -> set[str]:
    """Every id a reader must never see: rules, recommendations, questions, section keys,
    cautions. Ids that are plain English words ("model", "industry") are left out."""
    ids = ({r.id for r in rulebase.rules} | set(rulebase.recommendations)
           | set(rulebase.questionnaire.by_id) | set(SECTION_TITLES)
           | {c.id for c in rulebase.cautions} | {s.id for s in rulebase.scenarios})
    return {i for i in ids if "-" in i or "_" in i}


def test_the_files_are_there() -> None:
    assert len(list(EXAMPLES.glob("*.json"))) >= 8 and len(list(PERSONAS.glob("*.json"))) >= 12


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_summary_is_one_page_then_the_appendix(path: Path, reports: dict[Path, str]) -> None:
    md = reports[path]
    summary = _summary(md)
    assert _words(summary) <= SUMMARY_WORDS, _words(summary)
    for heading in ("## Where you stand", "## What to do next", "## What could change"):
        assert summary.count(heading) == 1, heading
    assert "**Monthly cost" in summary  # the cost now, against the bill and 2023
    appendix = md.split("\n## Appendix\n")[1]
    for heading in ("### What drives the score", "### All recommendations", "### Costs",
                    "### Scenarios for the next 12–24 months", "### Cautions",
                    "### Assumptions", "### Sources"):
        assert appendix.count(heading) == 1, heading
    # An investor reads about the company: the answers are "given", not "yours".
    assert appendix.count("### Your answers") + appendix.count("### The answers given") == 1


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_each_statement_once(path: Path, reports: dict[Path, str], rulebase) -> None:
    md = reports[path]
    result = _result(path, rulebase)
    summary, appendix = md.split("\n## Appendix\n")
    # At most three actions in the summary; every recommendation's full text once, in the appendix.
    assert len(re.findall(r"^\d+\. \*\*", summary, re.MULTILINE)) <= 3
    for rec in result.recommendations:
        assert md.count(rec.why) == 1, rec.id
    # One scenario in the summary; each scenario's description once in the whole report.
    assert sum(s.title in summary for s in result.scenarios) <= 1
    for s in result.scenarios:
        assert md.count(s.summary) == 1, s.id
        assert appendix.count(f"| {s.title} |") == 1, s.id


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_dated(path: Path, reports: dict[Path, str]) -> None:
    head = reports[path].splitlines()[:4]
    assert any(line.startswith(DAY) for line in head), head


def test_the_date_is_the_day_of_the_run_without_source_date_epoch(rulebase, monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    md = render(_result(EXAMPLES / "startup-chat-wrapper.json", rulebase), rulebase, "md")
    assert formatting.long_date(datetime.date.today()) in md.splitlines()[2]


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_ids_in_front_of_people(path: Path, reports: dict[Path, str], rulebase) -> None:
    md = reports[path]
    for rid in sorted(_ids(rulebase)):
        assert not re.search(rf"(?<![\w.\-/]){re.escape(rid)}(?![\w\-])", md), rid
    assert not re.search(r"(?<!\\)`", md), "backticks (section keys, ids) in the report"
    assert not re.search(r"answers\.[a-z]|\bgive [a-z]+_[a-z_]+", md)
    assert "litellm 1." not in md and "litellm knows" not in md
    assert "```mermaid" not in md and "xychart" not in md


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_figures_as_a_person_says_them(path: Path, reports: dict[Path, str]) -> None:
    md = reports[path]
    # No cents on amounts of $100 or more ("$48,600", not "$48,600.00").
    assert not re.search(r"\$\d{3}\.\d\d\b|\$\d{1,3}(?:,\d{3})+\.\d\d\b", md)
    assert not re.search(r"\d\.\d+ GPU-hours", md)
    assert "in line with the computed cost" not in md


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_each_chart_is_also_a_table(path: Path, reports: dict[Path, str], rulebase) -> None:
    md = reports[path]
    result = _result(path, rulebase)
    rows = "\n".join(line for line in md.splitlines() if line.startswith("|"))
    for bar in charts.cost_bars(result):
        # A projected figure is rounded as an estimate is said ($1,010, not $1,013).
        assert (formatting.money(bar.value) in rows
                or formatting.estimate(bar.value) in rows), (bar.label, bar.value)
    if charts.cost_bars(result):
        for bar in charts.price_bars(result, rulebase.anchors):
            assert formatting.per_mtok(bar.value) in rows, (bar.label, bar.value)


def test_the_html_keeps_the_charts_as_svg(rulebase) -> None:
    html = render(_result(EXAMPLES / "startup-chat-wrapper.json", rulebase), rulebase, "html")
    # The summary's small chart, then the two of the appendix (tests/render/test_charts.py).
    assert html.count("<svg") == 3 and "<h2>Appendix</h2>" in html and DAY in html
    assert "<code>" not in html


def test_the_bill_and_the_computed_cost_both_head_the_report(reports) -> None:
    md = reports[PERSONAS / "enterprise-bill-above-computed.json"]
    headline = _summary(md).split("## Where you stand")[0]
    assert "$15,600" in headline and "$10,200" in headline and "53% higher" in headline
    assert "in line" not in md


def test_the_report_says_what_the_volume_rests_on(reports, rulebase) -> None:
    md = reports[PERSONAS / "enterprise-unknown-token-sizes.json"]
    result = _result(PERSONAS / "enterprise-unknown-token-sizes.json", rulebase)
    if (result.costs or {}).get("volume_basis") == "inferred_from_bill":
        assert "inferred from" in md and "No cost figures yet" not in md
    md = reports[EXAMPLES / "startup-chat-wrapper.json"]
    if _result(EXAMPLES / "startup-chat-wrapper.json", rulebase).costs.volume_basis:
        assert "Figures rest on the volume and token sizes you gave." in md


def test_an_llm_attempt_that_was_not_used_leaves_no_trace(rulebase) -> None:
    """What narrate() returns after a failed attempt: the built-in text, with a note and the
    attempt's model and cost. The report is the one without any attempt."""
    path = EXAMPLES / "startup-chat-wrapper.json"
    for fmt in ("md", "html"):
        plain = render(_result(path, rulebase), rulebase, fmt)
        result = _result(path, rulebase)
        result.narrative = builtin_narrative(result, rulebase)
        result.narrative.model = "openai/gpt-4o-mini"
        result.narrative.input_tokens, result.narrative.output_tokens = 900, 0
        result.narrative.usd = 0.0001
        result.narrative.note = ("The LLM narrative was not used: the provider returned an "
                                 "error (no OPENAI_API_KEY); the built-in narrative is shown.")
        after = render(result, rulebase, fmt)
        for words in ("not used", "OPENAI_API_KEY", "failed", "gpt-4o-mini", "attempt"):
            assert words not in after, words
        assert after == plain


def test_assess_with_a_failing_llm_gives_the_same_report(tmp_path: Path) -> None:
    """The real command: an LLM that cannot be reached changes nothing in the report."""
    example = str(EXAMPLES / "startup-chat-wrapper.json")
    env = {**os.environ, "ADVISOR_HOME": str(tmp_path), "OPENAI_API_KEY": "sk-test-not-real"}

    def run(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "advisor", "assess", example,
                               "--no-history", *extra], capture_output=True, text=True,
                              env=env, cwd=ROOT, timeout=180)

    plain = run()
    failed = run("--llm", "openai/gpt-4o-mini", "--llm-base-url", "http://127.0.0.1:9/v1",
                 "--llm-timeout", "5")
    assert plain.returncode == 0 == failed.returncode, failed.stderr
    assert failed.stdout == plain.stdout
    assert "not used" in failed.stderr  # said on the terminal, not in the report


def test_same_answers_same_bytes_and_only_the_date_moves(tmp_path: Path) -> None:
    example = str(EXAMPLES / "enterprise-claims-team.json")

    def run(epoch: str, fmt: str) -> str:
        env = {**os.environ, "ADVISOR_HOME": str(tmp_path), "SOURCE_DATE_EPOCH": epoch}
        return subprocess.run([sys.executable, "-m", "advisor", "assess", example,
                               "--no-history", "--format", fmt], capture_output=True,
                              text=True, env=env, cwd=ROOT, timeout=120, check=True).stdout

    for fmt in ("md", "html"):
        first, second = run(SOURCE_DATE_EPOCH, fmt), run(SOURCE_DATE_EPOCH, fmt)
        assert first == second
        later = run(str(int(SOURCE_DATE_EPOCH) + 86400 * 3), fmt)
        # The date moves, and with it the countdown to a model's retirement (costs.md,
        # lifecycle); nothing else.
        moved = later.replace("31 May 2026", DAY)
        assert later != first
        assert [a for a, b in zip(moved.splitlines(), first.splitlines(), strict=True)
                if a != b and "days from now" not in a] == []


def test_the_portfolio_summary_speaks_the_same_language(tmp_path: Path, rulebase) -> None:
    from advisor.cli.main import main

    out = tmp_path / "out"
    assert main(["batch", str(EXAMPLES), "-o", str(out), "--no-progress", "--no-history"]) == 0
    md = (out / "summary.md").read_text(encoding="utf-8")
    assert md.splitlines()[2].startswith(DAY)
    # Findings carry their points: a defence (negative points) is never called a driver.
    assert "| Finding | Points | Items | Share | Source |" in md and "drivers\n" not in md
    assert "```mermaid" not in md and not re.search(r"(?<!\\)`", md)
    for rid in sorted(_ids(rulebase)):
        assert not re.search(rf"(?<![\w.\-/]){re.escape(rid)}(?![\w\-])", md), rid
    assert not re.search(r"\$\d{1,3}(?:,\d{3})+\.\d\d\b", md)


@pytest.mark.parametrize(("value", "said"), [
    (48600.0, "$48,600"), (2025.0, "$2,025"), (202.5, "$203"), (54.0, "$54"), (2.5, "$2.50"),
    (0.00675, "$0.00675"), (0.0000675, "$0.0000675"), (0.1, "$0.10"), (0, "$0"),
    (354666.67, "$354,667"), (2_880_000.0, "$2.88 million"), (None, "n/a"),
])
def test_money(value, said) -> None:
    assert formatting.money(value) == said


@pytest.mark.parametrize(("value", "said"), [
    (300_000, "300,000"), (3_000_000, "3,000,000"), (20_000, "20,000"),
    (1_234_567, "about 1.2 million"), (8_444_444_444, "about 8.4 billion"),
    (123_456, "about 123,000"),
])
def test_quantity(value, said) -> None:
    assert formatting.quantity(value) == said


def test_hours_and_percent() -> None:
    assert formatting.hours(261.11) == "261" and formatting.hours(5.34) == "5.3"
    assert formatting.whole_pct(89.29) == "89%" and formatting.whole_pct(99.6) == "99.6%"


@pytest.mark.parametrize(("name", "scenario"), [
    ("startup-chat-wrapper", "further_decline"),  # high risk: the threat
    ("investor-gpu-cloud", "further_decline"),  # GPU rental: fewer GPUs for the same work
    ("startup-clinical-specialist", "divergence"),  # regulated: do its prices fall at all?
    ("startup-consumer-free-tier", "stabilization"),  # loses money: no cut to the rescue
    ("developer-agent-platform", "stabilization"),  # otherwise the likeliest
])
def test_the_one_scenario_to_watch(name: str, scenario: str, rulebase, reports) -> None:
    from advisor.render.report import scenario_to_watch

    result = _result(EXAMPLES / f"{name}.json", rulebase)
    watched, _ = scenario_to_watch(result)
    assert watched.id == scenario
    summary = _summary(reports[EXAMPLES / f"{name}.json"])
    assert [s.title for s in result.scenarios if s.title in summary] == [watched.title]

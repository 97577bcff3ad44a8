"""The reader's voice (experience.md; issue 19): every role × every example and persona.

An investor is told about the company in the third person; no report assumes a constraint the
client never stated (regulation, on premises); a team that sells nothing hears nothing of paid
plans, competitors or customers' systems.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from advisor.core.assess import assess
from advisor.data.answers_file import validate_answers
from advisor.render.report import render

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*(ROOT / "examples").glob("*.json"), *(ROOT / "tests" / "personas").glob("*.json")])
ROLES = ("startup", "enterprise_it", "investor", "developer")

#: Second-person phrases an investor must never read (the company is the subject).
INVESTOR_NEVER = re.compile(r"\b(your bill|your GPUs|your own GPUs|running your own|you did not "
                            r"give|your monthly cost|you own|you run|your stated)\b",
                            re.IGNORECASE)
#: Regulation wording a client that stated none must never read.
REGULATION = re.compile(r"if (rules|regulation) ever allow|compliant hybrid|in a regulated field",
                        re.IGNORECASE)


def _doc(path: Path, role: str) -> dict:
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["role"] = role
    return doc


def _report(doc: dict, rulebase, prices) -> str:
    result = assess(validate_answers(doc), rulebase, prices, as_of="2026-12-05")
    return render(result, rulebase, "md")


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_an_investor_hears_about_the_company(path: Path, rulebase, prices) -> None:
    md = _report(_doc(path, "investor"), rulebase, prices)
    found = INVESTOR_NEVER.findall(md)
    assert not found, found


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_no_regulation_that_was_not_stated(path: Path, role: str, rulebase, prices) -> None:
    doc = _doc(path, role)
    answers = doc["answers"]
    if answers.get("regulated") or answers.get("on_prem_required") or answers.get(
            "industry") in ("healthcare", "legal", "financial_services"):
        pytest.skip("a regulated client")
    md = _report(doc, rulebase, prices)
    assert not REGULATION.findall(md), REGULATION.findall(md)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_a_team_that_sells_nothing_hears_nothing_of_selling(path: Path, rulebase,
                                                            prices) -> None:
    doc = _doc(path, "enterprise_it")
    doc["answers"]["archetype"] = "internal_user"
    doc["answers"]["pricing_model"] = "not_applicable"
    for key in ("monthly_revenue_usd", "gross_margin_pct", "switching_cost"):
        doc["answers"].pop(key, None)
    md = _report(doc, rulebase, prices)
    never = re.compile(r"paid plans?|competitors?|customers' systems", re.IGNORECASE)
    summary = md.split("\n## Appendix\n")[0]
    assert not never.findall(summary), never.findall(summary)

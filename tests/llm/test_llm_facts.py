"""The facts an LLM drafts from say what the user's situation is, in the report's terms."""

from __future__ import annotations

import json
from pathlib import Path

from advisor.core.assess import assess
from advisor.data.answers_file import read_answers_file
from advisor.llm.facts import build_facts

PERSONAS = Path(__file__).resolve().parents[1] / "personas"


def _facts(name: str, rulebase, prices) -> dict:
    result = assess(read_answers_file(str(PERSONAS / name)), rulebase, prices)
    return build_facts(result, rulebase).data


def test_in_house_work_is_said_to_be_out_of_reach_of_cloud_price_cuts(rulebase, prices) -> None:
    costs = _facts("onprem-high-volume-bank.json", rulebase, prices)["costs"]
    assert "cloud price cuts never lower it" in costs["cost_basis"]
    assert "saving_vs_2023_per_month" in costs or "extra_vs_2023_per_month" in costs
    assert not any(str(v).startswith("$-") for v in costs.values())


def test_a_cost_above_2023_is_an_extra_not_a_negative_saving(rulebase, prices) -> None:
    costs = _facts("onprem-low-volume-council.json", rulebase, prices)["costs"]
    assert "extra_vs_2023_per_month" in costs and "saving_vs_2023_per_month" not in costs
    text = json.dumps(costs)
    assert "-$" not in text and "$-" not in text


def test_the_cheapest_of_three_options_is_named_for_api_users(rulebase, prices) -> None:
    costs = _facts("enterprise-open-api-beats-both.json", rulebase, prices)["costs"]
    assert "cost_basis" not in costs
    # The cheapest-option finding names it with its figure (the self-hosting line keeps the
    # break-even only, so the prompt says it once).
    assert any("open-model API" in f for f in costs["findings"])
    assert "open-model API" not in costs.get("self_hosting", "")

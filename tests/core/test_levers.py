"""Levers, materiality, the bill in its direction and model retirement (issue 18), each
checked against a sum done by hand from the price map's own fields (litellm's bundled map)."""

from __future__ import annotations

import pytest

from advisor.core.assess import assess
from advisor.data.answers_file import validate_answers
from tests.conftest import answers_doc

TODAY = "2026-12-05"


def costs(rulebase, prices, role="startup", assumptions=None, **answers):
    doc = answers_doc(role, **answers)
    if assumptions:
        doc["assumptions"] = assumptions
    return assess(validate_answers(doc), rulebase, prices, as_of=TODAY).costs


# gpt-4o in the bundled map: $2.50 / $10 per M; cache read $1.25; batch $1.25 / $5.
GPT4O = {"model": "gpt-4o", "monthly_requests": 100_000, "avg_input_tokens": 2000,
         "avg_output_tokens": 500}


def test_prompt_caching_is_priced_from_the_cache_read_price(rulebase, prices) -> None:
    c = costs(rulebase, prices, cacheable_input_share=0.6, **GPT4O)
    lever = c.lever("prompt_caching")
    # 200M input tokens × 60% × ($2.50 − $1.25) per M = $150.
    assert lever.monthly_savings_usd == pytest.approx(150.0)
    assert lever.savings_per_10pct_usd == pytest.approx(25.0)
    assert lever.share == 0.6 and "60%" in lever.basis
    assert lever.source == "cache_read_input_token_cost"


def test_batch_api_is_priced_from_the_batch_prices(rulebase, prices) -> None:
    c = costs(rulebase, prices, deferrable_share=0.25, **GPT4O)
    lever = c.lever("batch_api")
    # List: 200 × 2.50 + 50 × 10 = $1,000; batch: 200 × 1.25 + 50 × 5 = $500; 25% of $500.
    assert lever.monthly_savings_usd == pytest.approx(125.0)
    assert lever.savings_if_all_usd == pytest.approx(500.0)


def test_an_unknown_share_gives_the_saving_per_ten_percent_and_the_question(rulebase,
                                                                           prices) -> None:
    c = costs(rulebase, prices, **GPT4O)
    for lever_id, per_10 in (("prompt_caching", 25.0), ("batch_api", 50.0)):
        lever = c.lever(lever_id)
        assert lever.monthly_savings_usd is None
        assert lever.savings_per_10pct_usd == pytest.approx(per_10)
        assert lever.question and "per 10%" in lever.basis


def test_a_model_without_cache_or_batch_prices_has_neither_lever(rulebase, prices) -> None:
    c = costs(rulebase, prices, model="ai21.jamba-instruct-v1:0", monthly_requests=10_000,
              avg_input_tokens=1000, avg_output_tokens=200, cacheable_input_share=0.9,
              deferrable_share=0.9)
    assert c.lever("prompt_caching") is None and c.lever("batch_api") is None


def test_levers_are_ordered_by_savings(rulebase, prices) -> None:
    c = costs(rulebase, prices, cacheable_input_share=0.9, deferrable_share=0.1, **GPT4O)
    ranked = [lv.ranking_usd for lv in c.levers]
    assert ranked == sorted(ranked, reverse=True)


def test_the_open_model_lever_says_its_quality_class(rulebase, prices) -> None:
    c = costs(rulebase, prices, **GPT4O)
    lever = c.lever("open_model_api")
    # 250M tokens at $0.10 per M = $25 against $1,000.
    assert lever.monthly_savings_usd == pytest.approx(975.0)
    assert lever.quality == "not_like_for_like"  # gpt-4o lists $10 per M output: frontier
    mini = costs(rulebase, prices, model="gpt-4o-mini", monthly_requests=100_000,
                 avg_input_tokens=2000, avg_output_tokens=500)
    assert mini.lever("open_model_api").quality == "like_for_like"


def test_the_smaller_model_keeps_the_capabilities_and_skips_retiring_models(rulebase,
                                                                            prices) -> None:
    c = costs(rulebase, prices, **GPT4O)
    lever = c.lever("smaller_model")
    assert lever is not None and lever.quality == "needs_quality_test"
    candidate = prices.lookup_full(lever.model)
    assert candidate.traits.function_calling and candidate.traits.vision
    assert not candidate.traits.deprecation_date or candidate.traits.deprecation_date >= \
        "2027-12-05"
    after = 200 * candidate.input_per_mtok + 50 * candidate.output_per_mtok
    assert lever.savings_per_10pct_usd == pytest.approx(0.1 * (1000 - after))


def test_in_house_work_has_no_api_levers(rulebase, prices) -> None:
    c = costs(rulebase, prices, model="ollama/llama3:70b", on_prem_required=True,
              monthly_requests=100_000, avg_input_tokens=2000, avg_output_tokens=500)
    assert c.levers == ()


def test_materiality(rulebase, prices) -> None:
    tiny = costs(rulebase, prices, model="gpt-4o-mini", monthly_requests=2000,
                 avg_input_tokens=1000, avg_output_tokens=200, monthly_revenue_usd=90_000)
    # 2M × $0.15 + 0.4M × $0.60 per M = $0.54 a month: under $100 and 0.0006% of revenue.
    assert tiny.materiality.level == "immaterial"
    assert tiny.materiality.revenue_share == pytest.approx(0.54 / 90_000, rel=1e-3)
    losing = costs(rulebase, prices, gross_margin_pct=-15, monthly_revenue_usd=20_000, **GPT4O)
    assert losing.materiality.level == "critical"
    assert "loses_money" in losing.materiality.reasons
    eaten = costs(rulebase, prices, gross_margin_pct=4, monthly_revenue_usd=20_000, **GPT4O)
    # Gross profit 4% of $20,000 = $800 < $1,000 of inference.
    assert eaten.materiality.gross_profit_share == pytest.approx(1000 / 800)
    assert eaten.materiality.level == "critical"
    plain = costs(rulebase, prices, monthly_revenue_usd=50_000, **GPT4O)
    assert plain.materiality.level == "material"
    assert plain.materiality.per_request_usd == pytest.approx(0.01)
    unknown = costs(rulebase, prices, **GPT4O)
    assert unknown.materiality.level is None  # no yardstick: no verdict


def test_the_bill_is_read_in_its_direction(rulebase, prices) -> None:
    higher = costs(rulebase, prices, monthly_api_spend_usd=48_000, **GPT4O)
    assert higher.bill.direction == "higher" and higher.bill.far
    assert higher.bill.ratio == pytest.approx(48.0)
    # Scenarios start from the bill: stabilisation ×1 of $48,000.
    assert higher.scenarios.basis == "bill"
    assert higher.scenarios.by_id["stabilization"].monthly_usd == pytest.approx(48_000)
    assert higher.scenarios.by_id["stabilization"].computed_monthly_usd == pytest.approx(1000)
    lower = costs(rulebase, prices, monthly_api_spend_usd=500, **GPT4O)
    assert lower.bill.direction == "lower" and not lower.bill.far
    agree = costs(rulebase, prices, monthly_api_spend_usd=1070, **GPT4O)
    assert agree.bill.direction == "agree" and agree.bill.apart_pct == pytest.approx(7.0)
    assert agree.scenarios.basis == "computed cost"
    on_prem = costs(rulebase, prices, model="ollama/llama3:70b", on_prem_required=True,
                    monthly_api_spend_usd=0, monthly_requests=1000, avg_input_tokens=100,
                    avg_output_tokens=10)
    assert on_prem.bill.direction == "no_bill" and not on_prem.bill.differs


def test_a_retiring_model_is_named_with_its_successor_and_its_cost(rulebase, prices) -> None:
    c = costs(rulebase, prices, model="o3", monthly_requests=30_000, avg_input_tokens=4000,
              avg_output_tokens=1500)
    life = c.lifecycle
    assert life.deprecation_date == "2026-12-11" and life.days_left == 6 and not life.retired
    successor = prices.lookup_full(life.successor_model)
    # 120M input and 45M output tokens at the successor's list prices.
    assert life.successor_monthly_usd == pytest.approx(
        120 * successor.input_per_mtok + 45 * successor.output_per_mtok)
    far = costs(rulebase, prices, model="gpt-4o-mini", monthly_requests=10)
    assert far.lifecycle is not None  # 2027-01-14 is within 12 months
    unknown_day = assess(validate_answers(answers_doc(model="o3", monthly_requests=10)),
                         rulebase, prices).costs
    assert unknown_day.lifecycle is None  # no report date, no countdown


def test_in_house_by_choice_rule_or_regulation(rulebase, prices) -> None:
    choice = costs(rulebase, prices, model="ollama/llama3:70b", monthly_requests=1000)
    assert choice.in_house_reason == "choice"
    policy = costs(rulebase, prices, model="gpt-4o", on_prem_required=True,
                   monthly_requests=1000)
    assert policy.in_house_reason == "on_premises"
    rule = costs(rulebase, prices, model="gpt-4o", on_prem_required=True, regulated=True,
                 monthly_requests=1000)
    assert rule.in_house_reason == "regulation"


def test_owned_gpus_beside_an_api_workload_are_not_spare(rulebase, prices) -> None:
    c = costs(rulebase, prices, self_hosted_gpus=16, **GPT4O)
    assert c.in_house is False and c.self_hosting.hybrid
    assert c.self_hosting.spare_gpus is None and c.self_hosting.always_on_gpus == 2


def test_the_article_check_still_holds(rulebase, prices) -> None:
    """gpt-4o at 1,500 / 300 tokens: break-even between 1 and 10 million requests a month
    (FAQ 2); against the open-model band's low end, own GPUs never pay."""
    c = costs(rulebase, prices, model="gpt-4o", monthly_requests=1000, avg_input_tokens=1500,
              avg_output_tokens=300)
    assert 1_000_000 < c.self_hosting.break_even_requests < 10_000_000
    # Flat cost $12,000 + $1,500 + 2 × 720 h × $2.50 = $17,100 over $0.00675 a request.
    assert c.self_hosting.break_even_requests == round(17_100 / 0.00675)
    band = costs(rulebase, prices, model="open", monthly_requests=1000, avg_input_tokens=1500,
                 avg_output_tokens=300, assumptions={"prices": {"open": {
                     "input_per_mtok": 0.10, "output_per_mtok": 0.10}}})
    assert band.self_hosting.break_even_requests is None


def test_the_calculator_takes_the_new_answers(capsys) -> None:
    from advisor.cli.main import main

    assert main(["cost", "--model", "gpt-4o", "--requests", "100k", "--input-tokens", "2000",
                 "--output-tokens", "500", "--cacheable-share", "60%", "--deferrable-share",
                 "0.25", "--revenue", "50000", "--bill", "48000", "--format", "json"]) == 0
    import json

    c = json.loads(capsys.readouterr().out)
    levers = {lv["id"]: lv for lv in c["levers"]}
    assert levers["prompt_caching"]["monthly_savings_usd"] == pytest.approx(150.0)
    assert levers["batch_api"]["monthly_savings_usd"] == pytest.approx(125.0)
    assert c["bill"]["direction"] == "higher" and c["materiality"]["level"] == "material"
    assert main(["cost", "--model", "gpt-4o", "--requests", "100k", "--cacheable-share",
                 "1.5"]) == 2

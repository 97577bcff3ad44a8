"""The report a consultant would sign (issue 19): each recommendation and rule worded for this
reader, carrying this client's figures, in the order that matters to them.

Answers are written by hand from the article and spec/result.md, spec/costs.md and
spec/experience.md; every assertion names the sentence or the order the spec asks for.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest

from advisor.core.assess import assess
from advisor.core.jsonout import dumps
from advisor.data.answers_file import validate_answers
from tests.conftest import answers_doc

TODAY = "2026-12-05"

ARCHETYPES = ("api_wrapper", "ai_middleware", "gpu_cloud", "domain_specialist",
              "workflow_integrator", "vertical_saas", "consumer_app", "internal_user")

# Situations that reach every rule and recommendation an investor can be given: bills far
# above and below the computed cost, a hybrid, in house by rule and by choice, a retiring
# model, a product that loses money, plans on each §7 assumption, a regulated field.
SITUATIONS: tuple[dict[str, Any], ...] = (
    {"differentiation_is_access": "yes", "provider_overlap": "yes", "switching_cost": "low",
     "proprietary_data": "none", "integration_depth": "none", "pricing_model": "per_call",
     "gross_margin_pct": -15, "tam_effect": "contracts", "model": "gpt-4o",
     "monthly_requests": 100_000, "monthly_api_spend_usd": 48_000,
     "assumes_linear_price_decline": True, "assumes_open_source_replaces_closed": True,
     "relies_on_cheap_ai_for_quality": True},
    {"differentiation_is_access": "partly", "integration_depth": "deep",
     "switching_cost": "high", "proprietary_data": "substantial", "pricing_model": "free_tier",
     "gross_margin_pct": 8, "tam_effect": "expands", "model": "gpt-4o",
     "monthly_requests": 100_000, "monthly_api_spend_usd": 200, "self_hosted_gpus": 8,
     "industry": "healthcare"},
    {"model": "ollama/llama3:70b", "self_hosted_gpus": 4, "monthly_requests": 3_000_000,
     "monthly_api_spend_usd": 0, "tam_effect": "unsure", "provider_overlap": "unknown"},
    {"model": "gpt-4o", "on_prem_required": True, "regulated": True,
     "monthly_requests": 20_000, "self_hosted_gpus": 2},
    {"model": "o3", "monthly_requests": 9_000_000, "gross_margin_pct": 40,
     "monthly_revenue_usd": 50_000},
    {"model": "gpt-4o-mini", "monthly_requests": 2_000, "monthly_revenue_usd": 900_000,
     "pricing_model": "subscription"},
)


def result(role: str, as_of: str | None = TODAY, **answers: Any):
    return assess(validate_answers(answers_doc(role, **answers)), _core()[0], _core()[1],
                  as_of=as_of)


_CACHE: list[Any] = []


def _core() -> Any:
    if not _CACHE:
        from advisor.data.price_map import price_book
        from advisor.data.rules import load_rulebase

        _CACHE.extend([load_rulebase(), price_book()])
    return _CACHE


def strings(node: Any) -> list[str]:
    """Every string anywhere in a JSON value."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return []


def worded(r: Any) -> list[str]:
    """What this module words for the reader: titles, why, because and rule explanations."""
    texts = [f.explanation for f in r.fired_rules]
    for x in r.recommendations:
        texts += [x.title, x.why, *x.because]
    return texts


def ids(r: Any) -> list[str]:
    return [x.id for x in r.recommendations]


def rec(r: Any, rec_id: str) -> Any:
    return next(x for x in r.recommendations if x.id == rec_id)


# ----------------------------------------------------------------- voice (experience.md)

@pytest.mark.parametrize("archetype,situation", list(itertools.product(
    ARCHETYPES, range(len(SITUATIONS)))))
def test_an_investor_is_told_about_the_company_in_the_third_person(archetype, situation) -> None:
    r = result("investor", archetype=archetype, **SITUATIONS[situation])
    for text in worded(r):
        assert not re.search(r"\byour\b", text, re.I), text
    for text in strings(json.loads(dumps(r.to_dict()))):
        low = text.lower()
        assert "your bill" not in low and "your gpus" not in low, text
        assert "your own gpus" not in low and "running your own" not in low, text


def test_the_investor_reads_the_companys_bill_and_a_founder_reads_theirs() -> None:
    answers = {"archetype": "api_wrapper", "model": "gpt-4o-mini", "monthly_requests": 30_000,
               "avg_input_tokens": 1000, "avg_output_tokens": 200,
               "monthly_api_spend_usd": 48_000}
    investor = rec(result("investor", **answers), "reconcile-bill")
    founder = rec(result("startup", **answers), "reconcile-bill")
    assert investor.title == ("Reconcile the company's $48,000 bill with the $8.10 its volume "
                              "implies")
    assert founder.title == "Reconcile the $48,000 bill with the $8.10 your volume implies"
    assert investor.because[0] == ("the company's bill ($48,000 a month) is 5,900× the $8.10 "
                                   "the company's volume implies at list prices")


@pytest.mark.parametrize("situation", range(len(SITUATIONS)))
@pytest.mark.parametrize("who", [("enterprise_it", {"archetype": "internal_user"}),
                                 ("startup", {"archetype": "internal_user"}),
                                 ("startup", {"archetype": "consumer_app",
                                              "pricing_model": "not_applicable"}),
                                 ("investor", {"archetype": "vertical_saas",
                                               "pricing_model": "not_applicable"})])
def test_a_team_that_sells_nothing_hears_of_no_customers_competitors_or_paid_plans(
        who, situation) -> None:
    role, identity = who
    answers = {**SITUATIONS[situation], **identity}
    r = result(role, **answers)
    for text in worded(r):
        low = text.lower()
        assert "customer" not in low and "competitor" not in low, text
        assert "paid plan" not in low and "conversion" not in low, text


@pytest.mark.parametrize("role", ["startup", "enterprise_it", "investor", "developer"])
def test_no_regulation_is_assumed_for_a_client_that_stated_none(role) -> None:
    """In house by choice reads "if you moved this work to an API", never a compliant hybrid;
    a field is not called regulated when the client said it is not."""
    r = result(role, archetype="internal_user", model="ollama/llama3:70b",
               self_hosted_gpus=8, monthly_requests=3_000_000, avg_input_tokens=1200,
               avg_output_tokens=200, regulated=False, industry="healthcare",
               relies_on_cheap_ai_for_quality=True)
    assert r.costs.in_house_reason == "choice"
    assert "plan-owned-capacity" in ids(r)
    for text in worded(r):
        low = text.lower()
        assert "regulat" not in low and "compliant" not in low and "compliance" not in low, text
    assert rec(r, "plan-owned-capacity").title.endswith("review yearly whether an API would "
                                                        "cost less")
    ruled = result(role, archetype="internal_user", model="ollama/llama3:70b",
                   on_prem_required=True, regulated=True, monthly_requests=3_000_000)
    assert "compliant hybrid" in rec(ruled, "plan-owned-capacity").title


def test_a_cheaper_option_is_caveated_by_what_the_client_said() -> None:
    """The quality caveat speaks of a regulated field only when one was stated."""
    answers = {"archetype": "vertical_saas", "model": "gpt-4o", "monthly_requests": 100_000,
               "avg_input_tokens": 1500, "avg_output_tokens": 300,
               "relies_on_cheap_ai_for_quality": True}
    plain = " ".join(rec(result("startup", **answers), "stay-on-api").because)
    assert "where quality is trust-critical" in plain and "regulated" not in plain
    stated = " ".join(rec(result("startup", regulated=True, **answers), "stay-on-api").because)
    assert "in a regulated field" in stated


# ----------------------------------------------------------------- invented constraints (costs.md)

def test_a_hybrid_does_not_plan_owned_capacity_for_an_api_workload() -> None:
    r = result("enterprise_it", archetype="internal_user", model="gpt-4o", self_hosted_gpus=8,
               monthly_requests=200_000, avg_input_tokens=1500, avg_output_tokens=300)
    assert r.derived["hybrid_gpus"] is True
    assert "plan-owned-capacity" not in ids(r)
    assert not any("spare" in t for t in worded(r))
    owned = result("enterprise_it", archetype="internal_user", model="ollama/llama3:70b",
                   self_hosted_gpus=8, monthly_requests=3_000_000)
    assert ids(owned)[0] == "plan-owned-capacity"


def test_a_not_for_sale_consumer_app_has_no_paid_plan_driver() -> None:
    sold = result("startup", archetype="consumer_app", pricing_model="subscription")
    free = result("startup", archetype="consumer_app", pricing_model="not_applicable")
    unknown = result("startup", archetype="consumer_app")
    assert "consumer-free-tier-pressure" in {f.id for f in sold.fired_rules}
    assert "consumer-free-tier-pressure" in {f.id for f in unknown.fired_rules}
    assert "consumer-free-tier-pressure" not in {f.id for f in free.fired_rules}
    assert free.score < sold.score


def test_vertical_saas_is_an_opportunity_with_a_competition_risk() -> None:
    r = result("startup", archetype="vertical_saas")
    points = {f.id: f.points for f in r.fired_rules}
    assert points["vertical-saas-entrants"] > 0 > points["vertical-saas-opportunity"]
    assert r.tier == "lower"


# ----------------------------------------------------------------- the new recommendations

BILL = {"archetype": "internal_user", "model": "gpt-4o-mini", "monthly_requests": 30_000,
        "avg_input_tokens": 1000, "avg_output_tokens": 200}


def test_reconcile_bill_reads_the_gap_in_its_direction() -> None:
    high = result("enterprise_it", monthly_api_spend_usd=48_000, monthly_ai_budget_usd=60_000,
                  **BILL)
    assert ids(high)[0] == "reconcile-bill"  # 2x off: nothing else can be trusted first
    assert ids(high).index("multi-provider-strategy") > 0
    assert "5,900×" in rec(high, "reconcile-bill").because[0]
    assert "retries" in rec(high, "reconcile-bill").why
    assert "caching" not in rec(high, "reconcile-bill").why
    low = result("enterprise_it", monthly_api_spend_usd=4, **BILL)  # computed: $8.10
    low_rec = rec(low, "reconcile-bill")
    assert "is 51% below the $8.10 your volume implies" in low_rec.because[0]
    assert "caching" in low_rec.why and "retries" not in low_rec.why
    assert "ceiling" in low_rec.why and "floor" not in low_rec.why


@pytest.mark.parametrize("spend,expected", [(9, False), (0, False), (None, False), (20, True)])
def test_reconcile_bill_only_for_a_gap_over_20_percent(spend, expected) -> None:
    extra = {} if spend is None else {"monthly_api_spend_usd": spend}
    r = result("developer", **BILL, **extra)
    assert ("reconcile-bill" in ids(r)) is expected


def test_no_api_bill_on_premises_has_nothing_to_reconcile() -> None:
    r = result("enterprise_it", archetype="internal_user", model="ollama/llama3:70b",
               on_prem_required=True, monthly_api_spend_usd=0, monthly_requests=1000)
    assert r.derived["bill_direction"] == "no_bill"
    assert "reconcile-bill" not in ids(r)
    assert "spend-differs-from-computed" not in {f.id for f in r.fired_rules}


def test_a_dashboard_team_gets_reconcile_bill_not_a_dashboard() -> None:
    r = result("developer", cost_monitoring="dashboard", monthly_api_spend_usd=20, **BILL)
    assert "reconcile-bill" in ids(r) and "cost-dashboard" not in ids(r)
    none = result("developer", cost_monitoring="none", monthly_api_spend_usd=20, **BILL)
    assert {"reconcile-bill", "cost-dashboard"} <= set(ids(none))


GPT4O = {"model": "gpt-4o", "monthly_requests": 100_000, "avg_input_tokens": 2000,
         "avg_output_tokens": 500}


def test_cut_cost_per_answer_names_the_lever_and_its_saving() -> None:
    # gpt-4o: 200M input tokens x 60% x ($2.50 - $1.25) per M = $150 of $1,000.
    r = result("startup", archetype="workflow_integrator", cacheable_input_share=0.6, **GPT4O)
    item = rec(r, "cut-cost-per-answer")
    assert item.title == ("Cut the cost of an answer: prompt caching alone would save about "
                          "$150 a month")
    assert "prompt caching, about $150" in item.why and "a month" not in item.why.split(":")[1]


def test_cut_cost_per_answer_comes_first_for_a_product_that_loses_money() -> None:
    r = result("startup", archetype="vertical_saas", gross_margin_pct=-15,
               cacheable_input_share=0.5, calls_per_task=12, assumes_linear_price_decline=True,
               **GPT4O)
    assert ids(r)[0] == "cut-cost-per-answer"
    assert any("-15%" in b for b in rec(r, "cut-cost-per-answer").because)
    fine = result("startup", archetype="vertical_saas", gross_margin_pct=60,
                  cacheable_input_share=0.5, calls_per_task=12,
                  assumes_linear_price_decline=True, **GPT4O)
    assert ids(fine)[0] != "cut-cost-per-answer"


def test_no_lever_and_no_loss_no_cut_cost_advice() -> None:
    r = result("startup", archetype="workflow_integrator", gross_margin_pct=30)
    assert "cut-cost-per-answer" not in ids(r)


def test_plan_model_retirement_names_the_successor_and_its_cost() -> None:
    r = result("developer", archetype="vertical_saas", model="o3", monthly_requests=30_000,
               avg_input_tokens=4000, avg_output_tokens=1500)
    item = rec(r, "plan-model-retirement")
    life = r.costs.lifecycle
    assert item.title.startswith("Plan the move off o3 before 11 December 2026: "
                                 f"{life.successor_model} would cost about $")
    assert "plan-model-retirement" not in ids(result(
        "developer", as_of=None, archetype="vertical_saas", model="o3",
        monthly_requests=30_000))
    assert "plan-model-retirement" not in ids(result(
        "developer", archetype="vertical_saas", model="claude-haiku-4-5",
        monthly_requests=30_000))


# ----------------------------------------------------------------- order (spec/result.md)

def test_an_investor_reads_the_moat_before_operator_actions() -> None:
    r = result("investor", archetype="api_wrapper", differentiation_is_access="yes",
               gross_margin_pct=-15, tam_effect="expands", assumes_linear_price_decline=True,
               cacheable_input_share=0.5, **GPT4O)
    assert ids(r)[:2] == ["reassess-moat", "cut-cost-per-answer"]
    far = result("investor", archetype="api_wrapper", differentiation_is_access="yes",
                 monthly_api_spend_usd=48_000, **GPT4O)
    assert ids(far)[:2] == ["reconcile-bill", "reassess-moat"]


def test_an_immaterial_cost_puts_strategy_before_cost_tooling() -> None:
    answers = {"archetype": "vertical_saas", "model": "gpt-4o-mini", "monthly_requests": 2000,
               "avg_input_tokens": 500, "avg_output_tokens": 100, "cost_monitoring": "none",
               "model_choice_basis": "highest_performing", "batch_sampled": True}
    small = result("developer", monthly_revenue_usd=200_000, **answers)
    assert small.derived["materiality"] == "immaterial"
    order = ids(small)
    tooling = [order.index(x) for x in ("cost-dashboard", "right-size-models", "stay-on-api")]
    assert order.index("full-corpus-batch") < min(tooling)
    big = result("developer", monthly_revenue_usd=20, **{**answers,
                                                         "monthly_requests": 2_000_000})
    assert big.derived["materiality"] != "immaterial"
    assert ids(big).index("right-size-models") < ids(big).index("full-corpus-batch")


# ----------------------------------------------------------------- cautions answered "no"

def test_a_caution_the_client_answered_no_to_is_not_shown_as_theirs() -> None:
    denied = result("startup", archetype="vertical_saas", relies_on_cheap_ai_for_quality=False)
    assert "cheap-ai-quality" not in {c.id for c in denied.cautions}
    field = result("enterprise_it", archetype="internal_user", industry="legal", regulated=True,
                   relies_on_cheap_ai_for_quality=False)
    shown = {c.id: c for c in field.cautions}
    assert shown["cheap-ai-quality"].shown_because == "your_field"
    assert not shown["cheap-ai-quality"].applies
    unanswered = result("startup", archetype="vertical_saas")
    assert {c.id: c.shown_because for c in unanswered.cautions}["cheap-ai-quality"] == \
        "unanswered"
    said = result("startup", archetype="vertical_saas", assumes_linear_price_decline=False)
    assert "linear-decline" not in {c.id for c in said.cautions}


# ----------------------------------------------------------------- confidence (issue 19)

def test_confidence_does_not_drop_for_questions_that_do_not_apply() -> None:
    """An internal team is not asked about its moat or pricing by any rule that could fire,
    and a product that is not sold has no gross margin: leaving those blank costs nothing."""
    base = {"model": "gpt-4o", "monthly_requests": 100_000, "industry": "software"}
    internal = result("startup", archetype="internal_user", **base)
    wrapper = result("startup", archetype="api_wrapper", **base)
    assert internal.confidence > wrapper.confidence
    assert result("startup", archetype="internal_user", differentiation_is_access="yes",
                  provider_overlap="no", **base).confidence >= internal.confidence
    unsold = result("startup", archetype="consumer_app", pricing_model="not_applicable", **base)
    sold = result("startup", archetype="consumer_app", pricing_model="subscription", **base)
    assert unsold.confidence > sold.confidence


def test_a_model_already_retired_is_said_as_retired_not_before_a_past_date() -> None:
    r = result("developer", as_of="2026-12-20", archetype="vertical_saas", model="o3",
               monthly_requests=30_000, avg_input_tokens=4000, avg_output_tokens=1500)
    item = rec(r, "plan-model-retirement")
    assert item.title.startswith("Move off o3, retired on 11 December 2026: ")
    assert "before" not in item.title and "retired o3 on 11 December 2026" in item.because[0]


@pytest.mark.parametrize("role", ["startup", "enterprise_it", "investor", "developer"])
@pytest.mark.parametrize("situation", range(len(SITUATIONS)))
def test_figures_are_said_as_a_person_says_them(role, situation) -> None:
    """No "about about", no "$32,256.00", no "4748% higher" (say 48×) in any worded text."""
    r = result(role, archetype="vertical_saas", **SITUATIONS[situation])
    for text in worded(r) + [s.outlook for s in r.scenarios]:
        assert "about about" not in text, text
        assert not re.search(r"\$\d{1,3}(,\d{3})+\.\d\d\b", text), text
        assert not re.search(r"\b\d{3,}% (higher|lower|above|below)", text), text
        assert "{" not in text and "}" not in text, text

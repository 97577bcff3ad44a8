"""The rules engine against the article: tiers, every recommendation id, cautions, rule checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advisor.core import conditions
from advisor.core.assess import assess
from advisor.core.errors import RulePackError
from advisor.core.rules_check import check, run_tests
from advisor.data.answers_file import validate_answers
from advisor.data.rules import load_from, load_rulebase, read_knowledge
from tests.conftest import ROOT, answers_doc


def run(rulebase, prices, role: str = "startup", assumptions: dict | None = None,
        as_of: str | None = None, **answers):
    doc = answers_doc(role, **answers)
    if assumptions:
        doc["assumptions"] = assumptions
    return assess(validate_answers(doc), rulebase, prices, as_of=as_of)


# ----------------------------------------------------------------- tiers (§2)

@pytest.mark.parametrize("archetype,tier", [
    ("api_wrapper", "high"), ("ai_middleware", "high"), ("gpu_cloud", "medium"),
    ("domain_specialist", "lower"), ("workflow_integrator", "lower"),
])
def test_archetype_alone_gives_the_articles_tier(rulebase, prices, archetype, tier) -> None:
    assert run(rulebase, prices, archetype=archetype).tier == tier


def test_thin_wrapper_with_aggravating_answers_is_high(rulebase, prices) -> None:
    r = run(rulebase, prices, archetype="api_wrapper", proprietary_data="none",
            integration_depth="none", switching_cost="low", differentiation_is_access="yes",
            provider_overlap="yes")
    assert r.tier == "high" and r.score >= 90
    assert r.fired_rules[0].id == "thin-wrapper"


@pytest.mark.parametrize("defence", [
    {"integration_depth": "deep"}, {"switching_cost": "high"},
    {"proprietary_data": "substantial"},
])
def test_each_defence_pulls_a_wrapper_down(rulebase, prices, defence) -> None:
    bare = run(rulebase, prices, archetype="api_wrapper")
    defended = run(rulebase, prices, archetype="api_wrapper", **defence)
    assert defended.score < bare.score


def test_all_defences_take_a_wrapper_to_lower(rulebase, prices) -> None:
    r = run(rulebase, prices, archetype="api_wrapper", integration_depth="deep",
            switching_cost="high", proprietary_data="substantial")
    assert r.tier == "lower"


def test_undifferentiated_middleware_is_high(rulebase, prices) -> None:
    r = run(rulebase, prices, archetype="ai_middleware", differentiation_is_access="yes",
            proprietary_data="none")
    assert r.tier == "high"


def test_domain_data_and_deep_integration_are_lower(rulebase, prices) -> None:
    r = run(rulebase, prices, archetype="vertical_saas", proprietary_data="substantial",
            integration_depth="deep", switching_cost="high")
    assert r.tier == "lower" and r.score == 0


def test_score_is_clamped(rulebase, prices) -> None:
    high = run(rulebase, prices, archetype="api_wrapper", proprietary_data="none",
               integration_depth="none", switching_cost="low", differentiation_is_access="yes",
               provider_overlap="yes", pricing_model="per_call", gross_margin_pct=-20,
               assumes_linear_price_decline=True, assumes_open_source_replaces_closed=True,
               relies_on_cheap_ai_for_quality=True)
    assert high.score == 100
    low = run(rulebase, prices, archetype="domain_specialist", proprietary_data="substantial",
              integration_depth="deep", switching_cost="high", industry="legal")
    assert low.score == 0


EXAMPLE_TIERS = {
    "startup-chat-wrapper.json": "high", "enterprise-claims-team.json": "lower",
    "investor-portfolio-vertical.json": "lower", "developer-agent-platform.json": "lower",
    "investor-gpu-cloud.json": "medium", "startup-consumer-free-tier.json": "high",
    "startup-clinical-specialist.json": "lower", "developer-middleware-sdk.json": "high",
}


def test_every_example_has_an_expected_tier() -> None:
    assert set(EXAMPLE_TIERS) == {p.name for p in (ROOT / "examples").glob("*.json")}


@pytest.mark.parametrize("name", sorted(EXAMPLE_TIERS))
def test_examples_assess(rulebase, prices, name) -> None:
    from advisor.data.answers_file import read_answers_file

    r = assess(read_answers_file(str(ROOT / "examples" / name)), rulebase, prices)
    assert r.tier == EXAMPLE_TIERS[name]


# ----------------------------------------------------------------- every rule

def _rules_on_answers(rulebase):
    from advisor.core.assess import DERIVED_IDS

    return [r for r in rulebase.rules if not set(r.reads) & (set(DERIVED_IDS) - {"role",
                                                                                "regulated_domain"})]


def test_every_rule_is_exercised(rulebase) -> None:
    on_answers = {r.id for r in _rules_on_answers(rulebase)}
    on_derived = {r.id for r in rulebase.rules} - on_answers
    # Rules that read computed figures are covered by the cost-driven tests below and by the
    # pack's own cases (rules/packs/risk.toml: retirement, levers, hybrids).
    assert on_derived == {"api-over-half-of-budget", "self-hosting-pays",
                          "below-self-hosting-break-even", "spend-differs-from-computed",
                          "runs-in-house", "model-below-open-band", "model-retiring",
                          "owned-gpus-lag-price-cuts", "big-cost-lever"}


@pytest.mark.parametrize("rule_id", sorted(r.id for r in _rules_on_answers(load_rulebase())))
def test_each_rule_fires_on_the_answers_its_condition_names(rulebase, prices, rule_id) -> None:
    from advisor.core.rules_check import firing_values

    rule = next(r for r in rulebase.rules if r.id == rule_id)
    values = firing_values(rulebase, rule.when)
    assert values is not None
    role = values.pop("role", "startup")
    if values.pop("regulated_domain", None):
        values["regulated"] = True
    values.setdefault("archetype", "internal_user")
    result = run(rulebase, prices, role, **values)
    assert rule_id in {f.id for f in result.fired_rules}, values


def test_spend_gap_rule_fires_from_computed_cost(rulebase, prices) -> None:
    r = run(rulebase, prices, "developer", model="gpt-4o", monthly_requests=1000,
            avg_input_tokens=1000, monthly_api_spend_usd=500)
    assert "spend-differs-from-computed" in {f.id for f in r.fired_rules}
    assert "reconcile-bill" in {x.id for x in r.recommendations}


def test_a_bill_more_than_20_percent_off_is_a_finding(rulebase, prices) -> None:
    """spec/costs.md: above a 20% gap the difference is a finding with its own recommendation,
    though it is under the 2x that flags the bill as far off."""
    r = run(rulebase, prices, "enterprise_it", archetype="internal_user", model="gpt-4o",
            monthly_requests=1_200_000, avg_input_tokens=1800, avg_output_tokens=400,
            monthly_api_spend_usd=15_600, cost_monitoring="dashboard")
    assert r.costs["spend_gap_flagged"] is False and r.costs["spend_differs"] is True
    reconcile = next(x for x in r.recommendations if x.id == "reconcile-bill")
    assert any("$15,600" in b and "$10,200" in b and "53% above" in b
               for b in reconcile.because)
    assert reconcile.title == "Reconcile the $15,600 bill with the $10,200 your volume implies"
    assert "cost-dashboard" not in [x.id for x in r.recommendations]  # it has a dashboard
    close = run(rulebase, prices, "enterprise_it", archetype="internal_user", model="gpt-4o",
                monthly_requests=1_200_000, avg_input_tokens=1800, avg_output_tokens=400,
                monthly_api_spend_usd=11_000, cost_monitoring="dashboard")
    assert close.costs["spend_differs"] is False
    assert "reconcile-bill" not in [x.id for x in close.recommendations]


# ----------------------------------------------------------------- every recommendation id

RECOMMENDATION_CASES = {
    "shift-to-data-and-workflow": ("startup", {"differentiation_is_access": "yes"}),
    "cost-threshold-roadmap": ("startup", {"cost_unlocks_features": "yes"}),
    "multi-provider-strategy": ("enterprise_it", {"archetype": "internal_user",
                                                  "monthly_api_spend_usd": 600,
                                                  "monthly_ai_budget_usd": 1000}),
    "reassess-deferred-use-cases": ("enterprise_it", {"deferred_use_cases": 2}),
    "reassess-moat": ("investor", {"differentiation_is_access": "yes"}),
    "track-vertical-expansion": ("investor", {"tam_effect": "expands"}),
    "right-size-models": ("developer", {"model_choice_basis": "highest_performing"}),
    "cost-dashboard": ("developer", {"cost_monitoring": "none"}),
    "build-switching-costs": ("startup", {"switching_cost": "low"}),
    "diversify-gpu-demand": ("investor", {"archetype": "gpu_cloud"}),
    "evaluate-self-hosting": ("developer", {"model": "gpt-4o", "monthly_requests": 5_000_000,
                                            "avg_input_tokens": 1500,
                                            "avg_output_tokens": 300}),
    "stay-on-api": ("developer", {"model": "gpt-4o", "monthly_requests": 100_000,
                                  "avg_input_tokens": 1500, "avg_output_tokens": 300}),
    "plan-for-agent-costs": ("developer", {"calls_per_task": 40}),
    "compliance-budget": ("enterprise_it", {"on_prem_required": True}),
    "quality-gates": ("startup", {"relies_on_cheap_ai_for_quality": True}),
    "avoid-linear-extrapolation": ("startup", {"assumes_linear_price_decline": True}),
    "hybrid-open-closed": ("startup", {"assumes_open_source_replaces_closed": True}),
    "outcome-based-pricing": ("startup", {"pricing_model": "per_call"}),
    "free-tier-line": ("startup", {"archetype": "consumer_app", "pricing_model": "free_tier"}),
    "full-corpus-batch": ("enterprise_it", {"batch_sampled": True}),
    "plan-owned-capacity": ("enterprise_it", {"archetype": "internal_user",
                                              "on_prem_required": True,
                                              "model": "ollama/mistral",
                                              "monthly_requests": 20_000,
                                              "avg_input_tokens": 1200}),
    "reconcile-bill": ("developer", {"model": "gpt-4o", "monthly_requests": 100_000,
                                     "avg_input_tokens": 1500, "avg_output_tokens": 300,
                                     "monthly_api_spend_usd": 4000}),
    "cut-cost-per-answer": ("startup", {"gross_margin_pct": -10}),
    "plan-model-retirement": ("developer", {"model": "o3", "monthly_requests": 30_000,
                                            "as_of": "2026-12-05"}),
}


def test_every_catalog_id_has_a_case(rulebase) -> None:
    assert set(RECOMMENDATION_CASES) == set(rulebase.recommendations)


@pytest.mark.parametrize("rec_id", sorted(RECOMMENDATION_CASES))
def test_recommendation_fires_when_its_condition_holds(rulebase, prices, rec_id) -> None:
    role, answers = RECOMMENDATION_CASES[rec_id]
    answers = {"archetype": "api_wrapper", **answers}
    r = run(rulebase, prices, role, **answers)  # as_of, when given, is the report's date
    ids = [x.id for x in r.recommendations]
    assert rec_id in ids
    assert len(ids) == len(set(ids))
    assert [x.priority for x in r.recommendations] == list(range(1, len(ids) + 1))


@pytest.mark.parametrize("rec_id", sorted(RECOMMENDATION_CASES))
def test_recommendation_absent_without_its_trigger(rulebase, prices, rec_id) -> None:
    role = RECOMMENDATION_CASES[rec_id][0]
    r = run(rulebase, prices, role, archetype="workflow_integrator")
    assert rec_id not in [x.id for x in r.recommendations]


def test_self_hosting_pair_is_exclusive(rulebase, prices) -> None:
    for volume in (1_000, 100_000, 3_000_000, 50_000_000):
        r = run(rulebase, prices, "developer", model="gpt-4o", monthly_requests=volume,
                avg_input_tokens=1500, avg_output_tokens=300)
        ids = {x.id for x in r.recommendations}
        assert len(ids & {"evaluate-self-hosting", "stay-on-api"}) == 1


def test_api_share_at_exactly_half_does_not_trigger(rulebase, prices) -> None:
    r = run(rulebase, prices, "enterprise_it", monthly_api_spend_usd=500,
            monthly_ai_budget_usd=1000)
    assert "multi-provider-strategy" not in [x.id for x in r.recommendations]


def test_multi_provider_fires_from_computed_spend(rulebase, prices) -> None:
    # No reported spend: the computed cost ($2,025) against a $3,000 budget is 67%.
    r = run(rulebase, prices, "enterprise_it", archetype="internal_user", model="gpt-4o",
            daily_users=1000, requests_per_user_per_day=10, avg_input_tokens=1500,
            avg_output_tokens=300, monthly_ai_budget_usd=3000)
    assert r.costs["api_share_of_ai_budget"] == pytest.approx(0.675)
    assert "multi-provider-strategy" in [x.id for x in r.recommendations]


def test_recommendations_follow_relevance(rulebase, prices) -> None:
    """spec/result.md (issue 12): ordered by the weight of the rules that selected them, the
    catalogue order only breaking ties; each with its reasons in words."""
    r = run(rulebase, prices, "startup", differentiation_is_access="yes", switching_cost="low",
            pricing_model="per_call", assumes_linear_price_decline=True)
    keys = [(-x.relevance, rulebase.recommendations[x.id].rank) for x in r.recommendations]
    assert keys == sorted(keys)
    rule_ids = {rule.id for rule in rulebase.rules}
    for x in r.recommendations:
        assert x.because and not set(x.because) & rule_ids
        assert all(b.startswith(("you answered", "the ", "API ")) or b[0].isdigit()
                   for b in x.because), x.because


def test_the_central_action_comes_first(rulebase, prices) -> None:
    """Issue 12 pt 6: the action that matters most is not held back by catalogue order."""
    clinical = run(rulebase, prices, archetype="domain_specialist", industry="healthcare",
                   relies_on_cheap_ai_for_quality=True, cost_unlocks_features="yes")
    assert clinical.recommendations[0].id == "quality-gates"
    free = run(rulebase, prices, archetype="consumer_app", pricing_model="free_tier",
               differentiation_is_access="partly", switching_cost="low",
               cost_unlocks_features="yes")
    assert free.recommendations[0].id == "free-tier-line"


def test_constraints_remove_conflicting_advice(rulebase, prices) -> None:
    """spec/result.md: never stay-on-api or multi-provider-strategy under an on-prem mandate."""
    r = run(rulebase, prices, "enterprise_it", archetype="internal_user", on_prem_required=True,
            model="gpt-4o", monthly_requests=100_000, avg_input_tokens=1500,
            avg_output_tokens=300, monthly_api_spend_usd=9000, monthly_ai_budget_usd=10_000)
    ids = [x.id for x in r.recommendations]
    assert ids[0] == "plan-owned-capacity"
    assert not {"stay-on-api", "multi-provider-strategy", "evaluate-self-hosting"} & set(ids)
    assert r.costs["current"]["basis"] == "in_house"


def test_gpu_rental_is_not_scored_as_a_wrapper(rulebase, prices) -> None:
    """Issue 12 pt 2: the wrapper signals of §2-high do not move a GPU renter (§2-medium)."""
    r = run(rulebase, prices, "investor", archetype="gpu_cloud", provider_overlap="yes",
            switching_cost="low", integration_depth="none", proprietary_data="none",
            pricing_model="per_call")
    assert r.tier == "medium"
    assert not {"provider-overlap", "low-switching-cost", "no-integration"} & {
        f.id for f in r.fired_rules}
    assert "build-switching-costs" not in [x.id for x in r.recommendations]


# ----------------------------------------------------------------- cautions (§7)

def test_cautions_listed_when_unknown_and_dropped_when_ruled_out(rulebase, prices) -> None:
    unknown = run(rulebase, prices)
    assert {c.id for c in unknown.cautions} == {"linear-decline", "open-source-replacement",
                                                "cheap-ai-quality"}
    assert not any(c.applies for c in unknown.cautions)
    ruled_out = run(rulebase, prices, assumes_linear_price_decline=False,
                    assumes_open_source_replaces_closed=False,
                    relies_on_cheap_ai_for_quality=False, regulated=False, industry="software")
    assert ruled_out.cautions == []
    applies = run(rulebase, prices, assumes_linear_price_decline=True)
    assert [c.id for c in applies.cautions if c.applies] == ["linear-decline"]


def test_a_caution_shown_for_the_field_does_not_apply(rulebase, prices) -> None:
    """Issue 12 pt 7: lawyers who review every output are not told the caution applies."""
    r = run(rulebase, prices, "enterprise_it", archetype="internal_user", industry="legal",
            relies_on_cheap_ai_for_quality=False)
    quality = next(c for c in r.cautions if c.id == "cheap-ai-quality")
    assert quality.applies is False and quality.shown_because == "your_field"
    relies = run(rulebase, prices, relies_on_cheap_ai_for_quality=True)
    quality = next(c for c in relies.cautions if c.id == "cheap-ai-quality")
    assert quality.applies is True and quality.shown_because == "your_plans"


def test_scenarios_have_outlooks_for_the_position(rulebase, prices) -> None:
    wrapper = run(rulebase, prices, archetype="api_wrapper")
    specialist = run(rulebase, prices, archetype="domain_specialist", industry="healthcare")
    assert [s.id for s in wrapper.scenarios] == ["stabilization", "further_decline",
                                                 "divergence"]
    assert all(s.outlook for s in wrapper.scenarios + specialist.scenarios)
    assert wrapper.scenarios[2].outlook != specialist.scenarios[2].outlook
    assert [s.probability for s in wrapper.scenarios] == [0.5, 0.3, 0.2]


def test_confidence_falls_as_answers_go_missing(rulebase, prices) -> None:
    few = run(rulebase, prices)
    many = run(rulebase, prices, industry="software", proprietary_data="none",
               integration_depth="light", switching_cost="low", regulated=False)
    assert 0 < few.confidence < many.confidence <= 1


# ----------------------------------------------------------------- the pack's own cases and checks

def test_pack_cases_pass(rulebase, prices) -> None:
    outcomes = run_tests(rulebase, prices)
    assert outcomes and all(o.passed for o in outcomes), [o for o in outcomes if not o.passed]


def test_shipped_rules_check_clean(rulebase) -> None:
    assert check(rulebase, read_knowledge(ROOT / "rules")) == []


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", target)
    return target


def _append_rule(folder: Path, text: str) -> None:
    pack = folder / "packs" / "risk.toml"
    body = pack.read_text()
    head, sep, tail = body.partition("# " + "-" * 65 + " the pack's own test cases")
    pack.write_text(head + text + "\n" + sep + tail)


@pytest.mark.parametrize("rule,problem", [
    ('[[rules]]\nid = "x1"\nwhen = \'archetyp == "api_wrapper"\'\npoints = 1\nsource = "s2-high"\n'
     'explanation = "e"\n', "unknown id 'archetyp'"),
    ('[[rules]]\nid = "x2"\nwhen = \'archetype == "wrapper"\'\npoints = 1\nsource = "s2-high"\n'
     'explanation = "e"\n', "has no option 'wrapper'"),
    ('[[rules]]\nid = "thin-wrapper"\nwhen = \'archetype == "api_wrapper"\'\npoints = 1\n'
     'source = "s2-high"\nexplanation = "e"\n', "duplicate id"),
    ('[[rules]]\nid = "x3"\nwhen = [\'switching_cost == "low"\', \'switching_cost == "high"\']\n'
     'points = 1\nsource = "s2-high"\nexplanation = "e"\n', "can never fire"),
    ('[[rules]]\nid = "x4"\nwhen = \'regulated == "yes"\'\npoints = 1\nsource = "s2-high"\n'
     'explanation = "e"\n', "not a boolean"),
    ('[[rules]]\nid = "x5"\nwhen = \'archetype == "api_wrapper"\'\npoints = 1\nsource = "s9"\n'
     'explanation = "e"\n', "unknown source section 's9'"),
    ('[[rules]]\nid = "x6"\nwhen = \'archetype == "api_wrapper"\'\npoints = 0\nsource = "s2-high"\n'
     'recommends = ["no-such-rec"]\nexplanation = "e"\n', "recommends unknown id"),
    ('[[rules]]\nid = "x7"\nwhen = [\'gross_margin_pct > 50\', \'gross_margin_pct < 10\']\n'
     'points = 1\nsource = "s5-scenarios"\nexplanation = "e"\n', "can never fire"),

    # per-reader wordings (issue 19): their conditions are checked like any other
    ('[[rules]]\nid = "x8"\nwhen = \'archetype == "api_wrapper"\'\npoints = 1\n'
     'source = "s2-high"\nexplanations = [{ when = \'role == "banker"\', text = "t" }]\n'
     'explanation = "e"\n', "role has no option 'banker'"),
    ('[[rules]]\nid = "x9"\nwhen = \'archetype == "api_wrapper"\'\npoints = 0\n'
     'source = "s2-high"\nrecommends = ["reconcile-bill"]\n'
     'becauses = [{ when = \'bill_direction == "sideways"\', text = "t" }]\n'
     'explanation = "e"\n', "bill_direction has no option 'sideways'"),
])
def test_rules_check_finds_problems(rules_copy: Path, rule: str, problem: str) -> None:
    _append_rule(rules_copy, rule)
    problems = check(load_from(rules_copy))
    assert any(problem in p.message for p in problems), problems


def test_rules_check_reads_recommendation_wordings_and_order(rules_copy: Path) -> None:
    recs = rules_copy / "recommendations.toml"
    recs.write_text(recs.read_text().replace(
        "lead_when = 'spend_gap_flagged == true'", "lead_when = 'spend_gap == true'").replace(
        "{ when = 'role == \"investor\"', text = \"Reconcile the company's",
        "{ when = 'materiality == \"huge\"', text = \"Reconcile the company's"))
    messages = [p.message for p in check(load_from(rules_copy))]
    assert any("unknown id 'spend_gap'" in m for m in messages), messages
    assert any("materiality has no option 'huge'" in m for m in messages), messages


def test_a_wording_without_a_plain_fallback_is_a_pack_error(rules_copy: Path) -> None:
    recs = rules_copy / "recommendations.toml"
    recs.write_text(recs.read_text().replace(
        'title = "Reconcile the bill with the computed cost"\n', ""))
    with pytest.raises(RulePackError, match="plain wording"):
        load_from(rules_copy)


def test_rules_check_covers_the_knowledge_base(rules_copy: Path) -> None:
    kb = rules_copy / "knowledge.toml"
    kb.write_text(kb.read_text() + '\n[[entries]]\nid = "x"\nsection = "s99"\n'
                  'keywords = ["a"]\ntext = "t"\n')
    problems = check(load_from(rules_copy), read_knowledge(rules_copy))
    assert any("unknown section 's99'" in p.message for p in problems), problems


def test_rules_test_reports_a_failing_case(rules_copy: Path, prices) -> None:
    pack = rules_copy / "packs" / "risk.toml"
    pack.write_text(pack.read_text() + '\n[[tests]]\nname = "wrong on purpose"\nrole = "startup"\n'
                    'answers = { archetype = "api_wrapper" }\ntier = "lower"\n')
    outcomes = run_tests(load_from(rules_copy), prices)
    failed = [o for o in outcomes if not o.passed]
    assert [o.name for o in failed] == ["wrong on purpose"]
    assert "expected lower" in failed[0].failures[0]


def test_malformed_clause_is_a_pack_error() -> None:
    with pytest.raises(RulePackError):
        conditions.parse("archetype === 'x'")
    with pytest.raises(RulePackError):
        conditions.parse("archetype in 'x'")
    with pytest.raises(RulePackError):
        conditions.parse({"either": []})


def test_three_valued_logic() -> None:
    c = conditions.parse({"any": ['a == 1', 'b == 2']})
    assert c.evaluate({"a": 1}) is True
    assert c.evaluate({"a": 0}) is None
    assert c.evaluate({"a": 0, "b": 0}) is False
    d = conditions.parse(['a == 1', 'b == 2'])
    assert d.evaluate({"a": 0}) is False
    assert d.evaluate({"a": 1}) is None
    assert conditions.parse("a == null").evaluate({}) is True
    assert conditions.parse("a != null").evaluate({"a": 0}) is True
    assert conditions.parse("a != null").evaluate({}, open_world=True) is None
    assert conditions.parse('a in ["x", "y"]').evaluate({"a": "y"}) is True
    assert conditions.parse("a == true").evaluate({"a": 1}) is False


def test_built_rule_base_cache_follows_rules_and_format(rules_copy: Path, monkeypatch) -> None:
    """The cached build is used only for the same rule files, package version and cache format,
    and a damaged cache file is a miss, never an error."""
    import glob
    import os

    from advisor.data import paths
    from advisor.data import rules as rules_loader

    first = load_from(rules_copy)
    cached = glob.glob(os.path.join(paths.cache_dir(), "rulebase-*.pickle"))
    assert len(cached) == 1 and load_from(rules_copy) == first

    _append_rule(rules_copy, '[[rules]]\nid = "x9"\nwhen = \'archetype == "gpu_cloud"\'\n'
                 'points = 1\nsource = "s2-middle"\nexplanation = "e"\n')
    edited = load_from(rules_copy)
    assert edited.digest != first.digest and "x9" in [r.id for r in edited.rules]

    built: list[str] = []
    real_build = rules_loader.build
    monkeypatch.setattr(rules_loader, "build", lambda *a: built.append("b") or real_build(*a))
    monkeypatch.setattr(rules_loader, "CACHE_FORMAT", rules_loader.CACHE_FORMAT + 1)
    assert load_from(rules_copy) == edited and built == ["b"]  # new format: rebuilt

    for path in glob.glob(os.path.join(paths.cache_dir(), "rulebase-*.pickle")):
        with open(path, "wb") as fh:
            fh.write(b"\x80\x05not a pickle")
    assert load_from(rules_copy) == edited and built == ["b", "b"]

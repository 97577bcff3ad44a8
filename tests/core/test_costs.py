"""The cost model (spec/costs.md) against the article's own numbers, and its properties."""

from __future__ import annotations

import functools
import json
import math
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.core.assess import assess
from advisor.core.costs import compute_costs, merge_assumptions
from advisor.core.errors import InputError
from advisor.core.prices import Price
from advisor.data.answers_file import validate_answers
from advisor.data.price_map import load_price_overrides, price_book
from tests.conftest import ROOT, answers_doc


def costs_for(rulebase, prices, assumptions=None, **answers):
    doc = answers_doc("startup", **answers)
    if assumptions:
        doc["assumptions"] = assumptions
    return assess(validate_answers(doc), rulebase, prices).costs.to_dict()


PROLOGUE = {"daily_users": 1000, "requests_per_user_per_day": 10, "avg_input_tokens": 1500}


def test_prologue_at_gpt4_launch_prices(rulebase, prices) -> None:
    c = costs_for(rulebase, prices, model="gpt-4", **PROLOGUE)
    assert c["monthly_requests"] == 300_000
    assert c["monthly_input_tokens"] == 450_000_000
    assert c["current"]["input_per_mtok"] == pytest.approx(30.0)
    assert c["current"]["monthly_usd"] == pytest.approx(13_500.00)
    assert c["current"]["monthly_usd"] / 30 == pytest.approx(450.0)
    assert c["baseline_2023"]["monthly_usd"] == pytest.approx(13_500.00)
    assert c["open_model_band"]["low_usd"] == pytest.approx(45.00)
    assert c["open_model_band"]["high_usd"] == pytest.approx(225.00)
    assert c["reduction_vs_2023_pct"] == 0


def test_launch_workload_on_a_30_cent_model_is_a_99_percent_reduction(rulebase, prices) -> None:
    c = costs_for(rulebase, prices, model="cheap-open",
                  assumptions={"prices": {"cheap-open": {"input_per_mtok": 0.30,
                                                         "output_per_mtok": 0.30}}},
                  **PROLOGUE)
    assert c["current"]["monthly_usd"] == pytest.approx(135.00)
    assert c["reduction_vs_2023_pct"] == pytest.approx(99.0)
    assert 97 <= c["reduction_vs_2023_pct"] <= 99


def test_monthly_requests_wins_over_users(rulebase, prices) -> None:
    c = costs_for(rulebase, prices, model="gpt-4o", monthly_requests=1234, daily_users=1000,
                  requests_per_user_per_day=10, avg_input_tokens=100)
    assert c["monthly_requests"] == 1234


def test_gpt4o_example_to_the_cent(rulebase, prices) -> None:
    c = costs_for(rulebase, prices, model="gpt-4o", daily_users=1000,
                  requests_per_user_per_day=10, avg_input_tokens=1500, avg_output_tokens=300)
    # 450M input x $2.50/M + 90M output x $10/M
    assert c["current"]["monthly_usd"] == 2025.00
    assert c["baseline_2023"]["monthly_usd"] == 18_900.00  # 450 x 30 + 90 x 60
    assert c["per_task_usd"] == pytest.approx(0.00675)
    assert c["reduction_vs_2023_pct"] == pytest.approx(89.29, abs=0.01)


def test_calls_per_task_multiplies_volume_and_per_task_cost(rulebase, prices) -> None:
    one = costs_for(rulebase, prices, model="gpt-4o", monthly_requests=1000,
                    avg_input_tokens=1000, avg_output_tokens=100)
    forty = costs_for(rulebase, prices, model="gpt-4o", monthly_requests=1000,
                      avg_input_tokens=1000, avg_output_tokens=100, calls_per_task=40)
    assert forty["monthly_calls"] == 40_000
    assert forty["per_task_usd"] == pytest.approx(40 * one["per_task_usd"])
    assert forty["current"]["monthly_usd"] == pytest.approx(40 * one["current"]["monthly_usd"])


def test_self_hosting_break_even_is_several_million_for_gpt4o(rulebase, prices) -> None:
    c = costs_for(rulebase, prices, model="gpt-4o", monthly_requests=100_000,
                  avg_input_tokens=1500, avg_output_tokens=300)
    be = c["self_hosting"]["break_even_requests"]
    assert 1_000_000 <= be <= 10_000_000
    assert c["self_hosting"]["verdict"] == "stay on API"
    big = costs_for(rulebase, prices, model="gpt-4o", monthly_requests=be + 1,
                    avg_input_tokens=1500, avg_output_tokens=300)
    assert big["self_hosting"]["verdict"] == "self-hosting pays"
    # At the break-even volume, self-hosting and the API cost the same.
    assert big["self_hosting"]["monthly_usd"] == pytest.approx(big["current"]["monthly_usd"],
                                                               rel=1e-3)


def _open_api(rulebase, prices, price: float):
    return costs_for(rulebase, prices, model="open-api", monthly_requests=50_000_000,
                     avg_input_tokens=1500, avg_output_tokens=300,
                     assumptions={"prices": {"open-api": {"input_per_mtok": price,
                                                          "output_per_mtok": price}}})


def test_self_hosting_never_pays_against_the_cheapest_open_model_apis(rulebase, prices) -> None:
    c = _open_api(rulebase, prices, 0.10)
    assert c["self_hosting"]["break_even_requests"] is None
    assert c["self_hosting"]["verdict"] == "never pays"
    assert "never pays" in c["notes"]["self_hosting.break_even_requests"]


def test_self_hosting_barely_competes_with_the_top_of_the_band(rulebase, prices) -> None:
    """At $0.50/M a request of 1,500 + 300 tokens costs $0.0009 on the API and 0.8 GPU-seconds
    at peak (1,500/15,000 + 300/1,000, ×2) = $0.000556 on a GPU: the margin is $0.000344. Two
    blocks of GPUs (ops $12,000 + 2 × $1,500) pay off at 15,000 / 0.000344 = 43.5 million."""
    c = _open_api(rulebase, prices, 0.50)
    assert c["self_hosting"]["break_even_requests"] == pytest.approx(
        15_000 / (0.0009 - 0.8 / 3600 * 2.5), rel=1e-6)
    assert c["self_hosting"]["break_even_requests"] > 10_000_000


def test_self_hosting_overrides_move_break_even(rulebase, prices) -> None:
    base = costs_for(rulebase, prices, model="gpt-4o", avg_input_tokens=1500,
                     avg_output_tokens=300)["self_hosting"]["break_even_requests"]
    cheaper = costs_for(rulebase, prices, model="gpt-4o", avg_input_tokens=1500,
                        avg_output_tokens=300,
                        assumptions={"self_hosting": {"fixed_monthly_usd": 9000}}
                        )["self_hosting"]["break_even_requests"]
    # spec/costs.md: the flat cost is operations plus the always-on GPUs, and only the
    # operations part was overridden (two GPUs x 720 h x $2.50 = $3,600 a month; the default
    # operations for one block are $12,000 + $1,500).
    assert cheaper == pytest.approx(base * (9000 + 3600) / (13_500 + 3600), rel=1e-3)


def test_scenarios_and_expectation(rulebase, prices) -> None:
    c = costs_for(rulebase, prices, model="gpt-4o", daily_users=1000,
                  requests_per_user_per_day=10, avg_input_tokens=1500, avg_output_tokens=300)
    s = c["scenarios"]
    assert s["stabilization"]["monthly_usd"] == 2025.00
    assert s["further_decline"]["monthly_usd"] == 202.50
    assert s["divergence"]["monthly_usd"] == 1012.50
    assert s["expected_monthly_usd"] == pytest.approx(0.5 * 2025 + 0.3 * 202.5 + 0.2 * 1012.5)


def test_overridden_probabilities_and_regulated_divergence(rulebase, prices) -> None:
    c = costs_for(rulebase, prices, model="gpt-4o", monthly_requests=400_000,
                  avg_input_tokens=2500, avg_output_tokens=400, industry="financial_services",
                  assumptions={"scenario_probabilities": {"stabilization": 0.4,
                                                          "further_decline": 0.4,
                                                          "divergence": 0.2}})
    s = c["scenarios"]
    assert c["current"]["monthly_usd"] == 4100.00
    assert s["divergence"]["multiplier"] == 1.0
    assert s["expected_monthly_usd"] == pytest.approx(0.4 * 4100 + 0.4 * 410 + 0.2 * 4100)


def test_multiplier_overrides(rulebase, prices) -> None:
    c = costs_for(rulebase, prices, model="gpt-4o", monthly_requests=1000, avg_input_tokens=1000,
                  assumptions={"scenario_multipliers": {"further_decline": 0.25}})
    assert c["scenarios"]["further_decline"]["multiplier"] == 0.25
    assert c["scenarios"]["divergence"]["multiplier"] == 0.5


def test_reported_spend_gap_and_budget_share(rulebase, prices) -> None:
    c = costs_for(rulebase, prices, model="gpt-4o", daily_users=1000,
                  requests_per_user_per_day=10, avg_input_tokens=1500, avg_output_tokens=300,
                  monthly_api_spend_usd=9000, monthly_ai_budget_usd=12000)
    assert c["reported_spend_usd"] == 9000
    assert c["spend_gap_flagged"] is True
    assert c["api_share_of_ai_budget"] == pytest.approx(0.75)
    close = costs_for(rulebase, prices, model="gpt-4o", daily_users=1000,
                      requests_per_user_per_day=10, avg_input_tokens=1500,
                      avg_output_tokens=300, monthly_api_spend_usd=2500)
    assert close["spend_gap_flagged"] is False


def test_missing_inputs_give_nulls_with_reasons(rulebase, prices) -> None:
    c = costs_for(rulebase, prices)
    assert c["current"] is None and c["baseline_2023"] is None and c["scenarios"] is None
    assert "model" in c["notes"]["current"]
    only_model = costs_for(rulebase, prices, model="gpt-4o")
    assert only_model["current"]["monthly_usd"] is None
    assert "requests" in only_model["notes"]["monthly_requests"]
    spend_only = costs_for(rulebase, prices, monthly_api_spend_usd=1000)
    assert spend_only["scenarios"]["basis"] == "reported spend"
    assert spend_only["scenarios"]["further_decline"]["monthly_usd"] == 100


def test_zero_budget_is_not_a_division_error(rulebase, prices) -> None:
    c = costs_for(rulebase, prices, monthly_api_spend_usd=100, monthly_ai_budget_usd=0)
    assert c["api_share_of_ai_budget"] is None
    assert "zero" in c["notes"]["api_share_of_ai_budget"]


@pytest.mark.parametrize("answers", [
    {"model": "gpt-4o", "monthly_requests": 0, "avg_input_tokens": 1000},
    {"model": "gpt-4o", "monthly_requests": 1000, "avg_input_tokens": 0, "avg_output_tokens": 0},
    {"model": "free-local", "monthly_requests": 1000, "avg_input_tokens": 1000},
    {"model": "gpt-4o", "monthly_requests": 10**12, "avg_input_tokens": 100_000,
     "avg_output_tokens": 100_000, "calls_per_task": 1000},
])
def test_edge_volumes_stay_finite(rulebase, prices, answers) -> None:
    c = costs_for(rulebase, prices, assumptions={"prices": {"free-local": {
        "input_per_mtok": 0, "output_per_mtok": 0}}}, **answers)
    # A model served in house at a tiny volume costs more than the 2023 API did: a negative
    # reduction is a finding, not a cost.
    assert c["reduction_vs_2023_pct"] is None or math.isfinite(c["reduction_vs_2023_pct"])
    c["reduction_vs_2023_pct"] = None
    for value in _numbers(c):
        assert math.isfinite(value) and value >= 0


def _numbers(obj):
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return
    if isinstance(obj, int | float):
        yield float(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _numbers(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            yield from _numbers(v)


# ----------------------------------------------------------------- prices

def test_provider_prefixed_names(prices) -> None:
    p = prices.lookup("anthropic/claude-haiku-4-5")
    assert p is not None and p.input_per_mtok == pytest.approx(1.0)
    assert prices.lookup("openai/claude-haiku-4-5") is None
    assert prices.lookup("anthropic/claude-sonnet-4-5").output_per_mtok == pytest.approx(15.0)


def test_unknown_model_lists_close_names(rulebase, prices) -> None:
    with pytest.raises(InputError) as info:
        costs_for(rulebase, prices, model="gpt-4o-mimi")
    assert info.value.path == "answers.model"
    assert "gpt-4o-mini" in info.value.message


def test_user_price_file(tmp_path, advisor_home) -> None:
    (advisor_home / "prices.toml").write_text(
        '[models."acme/private-llm"]\ninput_per_mtok = 0.2\noutput_per_mtok = 0.4\n')
    proc = subprocess.run([sys.executable, "-m", "advisor", "cost", "--model",
                           "acme/private-llm", "--requests", "1000", "--input-tokens", "1000",
                           "--format", "json"], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["current"]["monthly_usd"] == pytest.approx(0.2)


def test_bad_user_price_file_is_an_input_error(tmp_path) -> None:
    path = tmp_path / "prices.toml"
    path.write_text('[models."x"]\ninput_per_mtok = -1\noutput_per_mtok = 1\n')
    with pytest.raises(InputError):
        load_price_overrides(path)
    path.write_text("not = [toml")
    with pytest.raises(InputError):
        load_price_overrides(path)


def test_prices_are_read_without_importing_litellm() -> None:
    code = ("import sys; from advisor.data.price_map import price_book; "
            "p = price_book().lookup('gpt-4o'); assert p.input_per_mtok == 2.5; "
            "assert 'litellm' not in sys.modules, 'litellm imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


# ----------------------------------------------------------------- commands

def test_cost_command_prologue() -> None:
    proc = subprocess.run([sys.executable, "-m", "advisor", "cost", "--model", "gpt-4",
                           "--users", "1000", "--per-user", "10", "--input-tokens", "1500",
                           "--format", "json"], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)
    data = json.loads(proc.stdout)
    assert data["current"]["monthly_usd"] == 13500
    assert data["open_model_band"] == {"low_usd": 45.0, "high_usd": 225.0, "low_per_mtok": 0.1,
                                       "high_per_mtok": 0.5,
                                       "date": "late 2025 to early 2026"}


@pytest.mark.parametrize("argv,fragment", [
    (["cost", "--model", "nope-model", "--requests", "5"], "unknown model"),
    (["cost", "--model", "gpt-4o", "--users", "5"], "--per-user"),
    (["cost", "--model", "gpt-4o", "--requests", "-5"], "must be from 0 to"),
    (["cost", "--model", "gpt-4o", "--requests", "5", "--calls-per-task", "0"],
     "must be from 1 to"),
])
def test_cost_command_bad_input(argv, fragment) -> None:
    proc = subprocess.run([sys.executable, "-m", "advisor", *argv], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    assert fragment in proc.stderr and "Traceback" not in proc.stderr


def test_prices_command_filters_and_sorts() -> None:
    proc = subprocess.run([sys.executable, "-m", "advisor", "prices", "gpt-4o", "--provider",
                           "openai", "--sort", "input", "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    rows = json.loads(proc.stdout)
    assert rows and all("gpt-4o" in r["model"] and r["provider"] == "openai" for r in rows)
    assert [r["input_per_mtok"] for r in rows] == sorted(r["input_per_mtok"] for r in rows)
    text = subprocess.run([sys.executable, "-m", "advisor", "prices", "gpt-4o-mini",
                           "--format", "text"], capture_output=True, text=True, cwd=ROOT,
                          timeout=60).stdout
    assert "gpt-4o-mini" in text and "source: litellm price map" in text


# ----------------------------------------------------------------- properties

_PRICE = Price("m", 2.5, 10.0, "openai", "test")


@st.composite
def workloads(draw):
    return {
        "monthly_requests": draw(st.integers(0, 10**12)),
        "avg_input_tokens": draw(st.integers(0, 200_000)),
        "avg_output_tokens": draw(st.integers(0, 50_000)),
        "calls_per_task": draw(st.integers(1, 1000)),
        "monthly_api_spend_usd": draw(st.none() | st.floats(0, 1e9)),
        "monthly_ai_budget_usd": draw(st.none() | st.floats(0, 1e9)),
    }


@st.composite
def assumption_sets(draw, rulebase):
    a = draw(st.floats(0, 1))
    b = draw(st.floats(0, 1 - a))
    from advisor.data.answers_file import validate_answers

    over = validate_answers({"schema_version": 1, "role": "investor",
                             "answers": {"archetype": "api_wrapper"},
                             "assumptions": {"scenario_probabilities": {
                                 "stabilization": a, "further_decline": b,
                                 "divergence": max(0.0, 1 - a - b)}}}).assumptions
    return merge_assumptions(rulebase.defaults, rulebase.anchors, over)


@pytest.fixture(scope="module")
def rb():
    from advisor.data.rules import load_rulebase

    return load_rulebase()


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_costs_never_negative_nan_or_infinite(rb, data) -> None:
    values = data.draw(workloads())
    a = data.draw(assumption_sets(rb))
    price = Price("m", data.draw(st.floats(0, 1000)), data.draw(st.floats(0, 1000)), "", "t")
    c = compute_costs(values, price, a, regulated_domain=data.draw(st.booleans())).to_dict()
    # A model dearer than GPT-4 at launch has a negative reduction: that is not a cost.
    assert c["reduction_vs_2023_pct"] is None or math.isfinite(c["reduction_vs_2023_pct"])
    c["reduction_vs_2023_pct"] = None
    for v in _numbers(c):
        assert math.isfinite(v) and v >= 0


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_cost_is_monotone_in_volume_and_tokens(rb, data) -> None:
    a = merge_assumptions(rb.defaults, rb.anchors, None)
    values = data.draw(workloads())
    key = data.draw(st.sampled_from(["monthly_requests", "avg_input_tokens",
                                     "avg_output_tokens", "calls_per_task"]))
    more = {**values, key: values[key] + data.draw(st.integers(0, 10**6))}
    c1 = compute_costs(values, _PRICE, a, regulated_domain=False).to_dict()
    c2 = compute_costs(more, _PRICE, a, regulated_domain=False).to_dict()
    assert c2["current"]["monthly_usd"] >= c1["current"]["monthly_usd"]
    assert c2["baseline_2023"]["monthly_usd"] >= c1["baseline_2023"]["monthly_usd"]


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_expectation_lies_between_scenarios(rb, data) -> None:
    values = data.draw(workloads())
    a = data.draw(assumption_sets(rb))
    s = compute_costs(values, _PRICE, a,
                      regulated_domain=data.draw(st.booleans())).to_dict()["scenarios"]
    costs = [s[k]["monthly_usd"] for k in ("stabilization", "further_decline", "divergence")]
    tolerance = 1e-6 * max(1.0, max(costs))
    assert min(costs) - tolerance <= s["expected_monthly_usd"] <= max(costs) + tolerance


def test_price_book_handles_a_missing_map(tmp_path) -> None:
    book = price_book(map_path=str(tmp_path / "missing.json"))
    assert book.lookup("gpt-4o") is None
    assert book.closest("gpt-4o") == []


def test_a_price_book_reads_the_map_once(monkeypatch, advisor_home) -> None:
    """A batch prices the same few models for every item: the map is read once a process,
    and one model is found without building every row."""
    from advisor.data import price_map

    price_map._table_for.cache_clear()
    calls: list[int] = []
    built: list[int] = []
    real, real_rows = price_map._table_for.__wrapped__, price_map.read_price_map
    monkeypatch.setattr(price_map, "_table_for",
                        functools.cache(lambda *a: calls.append(1) or real(*a)))
    monkeypatch.setattr(price_map, "read_price_map",
                        lambda *a: built.append(1) or real_rows(*a))
    book = price_map.default_price_book()
    first = book.lookup("gpt-4o")
    assert all(book.lookup("gpt-4o") == first for _ in range(50))
    assert calls == [1] and built == [] and first is not None and first.input_per_mtok > 0
    assert book.lookup("anthropic/claude-haiku-4-5") is not None  # provider prefix, same table
    assert calls == [1]


# ----------------------------------------------------------------- issue 12: the costs.md changes

def test_always_on_gpus_are_charged_once(rulebase, prices) -> None:
    """Self-host cost = operations + max(always-on, GPUs busy) x hours x price."""
    small = costs_for(rulebase, prices, model="gpt-4o", monthly_requests=1000,
                      avg_input_tokens=1500, avg_output_tokens=300)["self_hosting"]
    assert small["monthly_usd"] == pytest.approx(13_500 + 2 * 720 * 2.5)  # the flat part only
    assert small["monthly_usd"] == 17_100  # a reader's sum: 12,000 + 1,500 + 2 × 30 × 24 × 2.50
    big = costs_for(rulebase, prices, model="gpt-4o", monthly_requests=20_000_000,
                    avg_input_tokens=1500, avg_output_tokens=300)["self_hosting"]
    # Prefill 1,500 / 15,000 tok/s + decode 300 / 1,000 tok/s = 0.4 GPU-seconds a request.
    busy = 20_000_000 * 0.4 / 3600 / 720
    assert big["gpus_busy"] == pytest.approx(busy, rel=1e-3)
    assert big["gpus_at_peak"] == pytest.approx(2 * busy, rel=1e-3) and 2 * busy > 2
    assert big["monthly_usd"] == pytest.approx(13_500 + 2 * busy * 720 * 2.5, rel=1e-6)


def test_three_options_name_the_cheapest(rulebase, prices) -> None:
    """Issue 12 pt 4: self-hosting is never advised where an open-model API is cheaper."""
    c = costs_for(rulebase, prices, model="gpt-4o", monthly_requests=8_000_000,
                  avg_input_tokens=2000, avg_output_tokens=400)
    h = c["self_hosting"]
    assert h["verdict"] == "self-hosting pays"
    assert h["monthly_usd"] < c["current"]["monthly_usd"]
    assert h["cheapest_option"] == "open_model_api"
    assert h["options"]["open_model_api"] == c["open_model_band"]["low_usd"]
    assert "open-model API is the cheapest at about $1,920 a month" in h["summary"]
    llama = "deepinfra/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo"
    cheap = costs_for(rulebase, prices, model=llama, monthly_requests=900_000,
                      avg_input_tokens=1000, avg_output_tokens=150)
    assert cheap["self_hosting"]["cheapest_option"] == "current_api"


def test_break_even_in_requests_and_calls(rulebase, prices) -> None:
    c = costs_for(rulebase, prices, model="claude-sonnet-4-5", monthly_requests=20_000,
                  calls_per_task=150, avg_input_tokens=3000, avg_output_tokens=500)
    h = c["self_hosting"]
    assert h["break_even_calls"] == pytest.approx(150 * h["break_even_requests"], rel=1e-3)


@pytest.mark.parametrize("answers,assumptions", [
    ({"on_prem_required": True, "model": "ollama/mistral"}, None),
    ({"model": "ollama/mistral"}, None),
    ({"model": "private-13b"}, {"prices": {"private-13b": {"input_per_mtok": 0,
                                                           "output_per_mtok": 0}}}),
    ({"on_prem_required": True, "model": "gpt-4o"}, None),
])
def test_in_house_work_is_costed_on_its_gpus(rulebase, prices, answers, assumptions) -> None:
    """spec/costs.md, owned or on-premises capacity: a list price of 0 is never the cost."""
    c = costs_for(rulebase, prices, assumptions=assumptions, monthly_requests=6_000_000,
                  avg_input_tokens=1000, avg_output_tokens=250, self_hosted_gpus=16,
                  industry="financial_services", **answers)
    assert c["current"]["basis"] == "in_house"
    # 16 owned GPUs are two blocks of eight: operations $12,000 + 2 × $1,500.
    assert c["current"]["monthly_usd"] == pytest.approx(15_000 + 16 * 720 * 2.5)
    assert 0 < c["reduction_vs_2023_pct"] < 99
    s = c["scenarios"]
    assert {s[k]["multiplier"] for k in ("stabilization", "further_decline", "divergence")} == {1}
    assert s["expected_monthly_usd"] == pytest.approx(c["current"]["monthly_usd"])
    h = c["self_hosting"]
    assert h["status"] == "in_house" and h["cheapest_option"] == "self_hosting"
    # 6M requests × (1,000 / 15,000 + 250 / 1,000) GPU-seconds, at peak (×2), over 720 hours.
    at_peak = 2 * 6_000_000 * (1000 / 15_000 + 250 / 1000) / 3600 / 720
    assert h["spare_gpus"] == pytest.approx(16 - at_peak, rel=1e-3)


def test_volume_basis(rulebase, prices) -> None:
    answered = costs_for(rulebase, prices, model="gpt-4o", monthly_requests=1000,
                         avg_input_tokens=100)
    assert answered["volume_basis"] == "answered"
    billed = costs_for(rulebase, prices, model="gpt-4o", monthly_requests=1_500_000,
                       monthly_api_spend_usd=38_000)
    assert billed["volume_basis"] == "inferred_from_bill"
    assert billed["current"]["monthly_usd"] == pytest.approx(38_000)
    assert billed["monthly_input_tokens"] == pytest.approx(5 * billed["monthly_output_tokens"])
    default = costs_for(rulebase, prices, model="gpt-4o", monthly_requests=1000)
    assert default["volume_basis"] == "default_sizes"
    assert default["monthly_input_tokens"] == 1_500_000
    assert default["monthly_output_tokens"] == 300_000
    overridden = costs_for(rulebase, prices, model="gpt-4o", monthly_requests=1000,
                           assumptions={"default_sizes": {"input_tokens": 500}})
    assert overridden["monthly_input_tokens"] == 500_000


def test_no_model_gives_no_figure_and_says_what_is_missing(rulebase, prices) -> None:
    """Issue 12 pt 9: never "$0.00" for an unpriced workload."""
    c = costs_for(rulebase, prices, monthly_requests=2_000_000)
    assert c["current"] is None and c["scenarios"] is None and c["self_hosting"] is None
    assert "model" in c["notes"]["current"] and "answers." not in c["notes"]["current"]

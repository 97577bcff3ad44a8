"""Property tests over the answer space: the engine never crashes, is deterministic, more risk
never lowers the score, and fewer answers never raise confidence."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from advisor.core.assess import assess
from advisor.data.answers_file import validate_answers
from advisor.data.price_map import price_book
from advisor.data.rules import load_rulebase
from advisor.render.report import render

RULEBASE = load_rulebase()
PRICES = price_book()
QUESTIONS = RULEBASE.questionnaire.questions
MODELS = ["gpt-4o", "gpt-4o-mini", "gpt-4", "claude-haiku-4-5", "anthropic/claude-sonnet-4-5"]


def _value(q) -> st.SearchStrategy[Any]:
    if q.type == "choice":
        return st.sampled_from(q.option_values())
    if q.type == "bool":
        return st.booleans()
    if q.type == "string":
        return st.sampled_from(MODELS)
    lo = q.min if q.min is not None else 0
    hi = q.max if q.max is not None else 10**9
    if q.type == "int":
        return st.integers(int(lo), int(min(hi, 10**9)))
    return st.floats(lo, min(hi, 1e9), allow_nan=False, allow_infinity=False)


@st.composite
def answer_sets(draw) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in QUESTIONS:
        if q.required or draw(st.booleans()):
            answers[q.id] = draw(_value(q))
    return answers


roles = st.sampled_from(RULEBASE.questionnaire.roles)


def _assess(role: str, answers: dict[str, Any]):
    doc = validate_answers({"schema_version": 1, "role": role, "answers": answers})
    return assess(doc, RULEBASE, PRICES)


@settings(max_examples=300, deadline=None)
@given(role=roles, answers=answer_sets())
def test_never_crashes_and_stays_in_range(role, answers) -> None:
    r = _assess(role, answers)
    assert 0 <= r.score <= 100
    assert r.tier == RULEBASE.tier_for(r.score)
    assert 0 < r.confidence <= 1
    ids = [x.id for x in r.recommendations]
    assert len(ids) == len(set(ids))
    render(r, RULEBASE, "md")


@settings(max_examples=100, deadline=None)
@given(role=roles, answers=answer_sets())
def test_deterministic(role, answers) -> None:
    a, b = _assess(role, answers), _assess(role, answers)
    assert render(a, RULEBASE, "md") == render(b, RULEBASE, "md")
    assert render(a, RULEBASE, "json") == render(b, RULEBASE, "json")


RANKED = [q for q in QUESTIONS if q.risk]
NUMERIC_RISK = {"gross_margin_pct": -1}  # lower margin = more exposed


@settings(max_examples=400, deadline=None)
@given(role=roles, answers=answer_sets(), data=st.data())
def test_riskier_answer_never_lowers_the_score(role, answers, data) -> None:
    q = data.draw(st.sampled_from(RANKED))
    i = data.draw(st.integers(0, len(q.risk) - 2))
    j = data.draw(st.integers(i + 1, len(q.risk) - 1))
    safer = _assess(role, {**answers, q.id: q.risk[i]})
    riskier = _assess(role, {**answers, q.id: q.risk[j]})
    assert riskier.score >= safer.score, (q.id, q.risk[i], q.risk[j])


@settings(max_examples=300, deadline=None)
@given(role=roles, answers=answer_sets(), data=st.data())
def test_adding_the_riskiest_answer_never_lowers_the_score(role, answers, data) -> None:
    q = data.draw(st.sampled_from(RANKED))
    without = {k: v for k, v in answers.items() if k != q.id}
    assert _assess(role, {**without, q.id: q.risk[-1]}).score >= _assess(role, without).score


@settings(max_examples=200, deadline=None)
@given(role=roles, answers=answer_sets(), a=st.floats(-100, 100), b=st.floats(-100, 100))
def test_lower_margin_never_lowers_the_score(role, answers, a, b) -> None:
    lo, hi = min(a, b), max(a, b)
    assert _assess(role, {**answers, "gross_margin_pct": lo}).score >= _assess(
        role, {**answers, "gross_margin_pct": hi}).score


@settings(max_examples=300, deadline=None)
@given(role=roles, answers=answer_sets(), data=st.data())
def test_removing_an_answer_never_raises_confidence(role, answers, data) -> None:
    optional = [k for k in answers if k != "archetype"]
    assume(optional)
    drop = data.draw(st.sampled_from(optional))
    fewer = {k: v for k, v in answers.items() if k != drop}
    assert _assess(role, fewer).confidence <= _assess(role, answers).confidence

"""Every question is worded for the role answering it (spec/experience.md): an investor
answers about the company assessed, enterprise IT about its own AI systems; a question that does
not fit a role is not asked of it."""

from __future__ import annotations

import copy
import re

from advisor.core.questionnaire import parse_questionnaire
from advisor.core.rules_check import check


def test_investors_answer_about_the_company_assessed(rulebase) -> None:
    for q in rulebase.questionnaire.for_role("investor"):
        prompt = q.prompt_for("investor")
        assert not re.search(r"\b(you|your|we|our)\b", prompt.replace("you are assessing", ""),
                             re.I), (q.id, prompt)


def test_enterprise_it_answers_about_its_own_ai_systems(rulebase) -> None:
    for q in rulebase.questionnaire.for_role("enterprise_it"):
        prompt = q.prompt_for("enterprise_it")
        assert not re.search(r"\b(customers?|the product|your product|competitor)\b", prompt,
                             re.I), (q.id, prompt)
    asked = {q.id for q in rulebase.questionnaire.for_role("enterprise_it")}
    # Questions about a product sold to customers are not asked of enterprise IT.
    assert not asked & {"switching_cost", "differentiation_is_access", "provider_overlap",
                        "pricing_model", "gross_margin_pct"}


def test_a_prompt_for_a_role_not_asked_is_a_rules_problem(rulebase) -> None:
    assert not [p for p in check(rulebase) if "prompts" in str(p) or "helps" in str(p)]
    broken = copy.copy(rulebase)
    questionnaire = copy.copy(rulebase.questionnaire)
    tam = copy.copy(questionnaire.by_id["tam_effect"])
    tam.prompts = {"startup": "Does falling AI cost expand your market?", "cfo": "?"}
    questionnaire.questions = tuple(tam if q.id == "tam_effect" else q
                                    for q in questionnaire.questions)
    broken.questionnaire = questionnaire
    found = [str(p) for p in check(broken) if "tam_effect" in str(p)]
    assert any("'startup', who is not asked it" in p for p in found), found
    assert any("unknown role 'cfo'" in p for p in found), found
    q = parse_questionnaire({"roles": ["startup", "investor"], "questions": [{
        "id": "x", "section": "profile", "prompt": "P", "help": "H", "type": "bool",
        "roles": ["startup"], "source": "s6-checklist",
        "prompts": {"investor": "Does the company …?", "startup": "Do you …?"}}]})
    (question,) = q.questions
    assert question.prompt_for("startup") == "Do you …?"
    assert question.prompt_for("developer") == "P" and question.help_for(None) == "H"

"""The article's section keys, which every question, rule, recommendation and fact cites.

Kept in code (not data) because they are part of the public contract (spec/answers.md) and
``rules check`` validates every ``source`` against them.
"""

from __future__ import annotations

SECTION_TITLES: dict[str, str] = {
    "exec-summary": "Execution summary",
    "prologue": "Prologue: the same question in 2023 and 2026",
    "s1-drivers": "§1 What drove the price decline",
    "s1-prices": "§1 The actual price trajectory",
    "s2-high": "§2 High risk: AI API wrapper services",
    "s2-medium": "§2 Medium risk: commodity GPU rental",
    "s2-lower": "§2 Lower risk: domain data and workflow integration",
    "s3-patterns": "§3 Markets opening up",
    "s4-business-model": "§4 Business model evolution",
    "s5-scenarios": "§5 Three scenarios for the next 12–24 months",
    "s6-checklist": "§6 Checklist by stakeholder position",
    "s7-risk-factors": "§7 Three things not to overestimate",
    "faq-q1": "FAQ 1: providers' profitability",
    "faq-q2": "FAQ 2: savings from self-hosting",
    "faq-q3": "FAQ 3: inference versus training costs",
    "faq-q4": "FAQ 4: small businesses and immediate benefits",
    "faq-q5": "FAQ 5: AI agents and inference cost",
    "faq-q6": "FAQ 6: industries where costs stay high",
    "faq-q7": "FAQ 7: tools for monitoring inference cost",
    "faq-q8": "FAQ 8: cost and quality",
    "faq-q9": "FAQ 9: the startup investment ecosystem",
}

SECTION_KEYS = frozenset(SECTION_TITLES)

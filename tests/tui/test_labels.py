"""Drivers and findings are shown by their pack's labels: plain phrases, no two alike."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from advisor.tui.screens.question import choice_rows
from advisor.tui.screens.results import summary_items
from advisor.tui.widgets.live_panel import driver_name
from tests.conftest import EXAMPLES
from tests.tui.conftest import make_app, settle


def test_every_rule_has_a_label_and_no_two_are_alike(rulebase: Any) -> None:
    labels = [rule.label for rule in rulebase.rules]
    assert all(labels), [rule.id for rule in rulebase.rules if not rule.label]
    folded = [re.sub(r"\W+", " ", label.lower()).strip() for label in labels]
    assert len(set(folded)) == len(folded)
    # The phrases the first walkers could not read are gone.
    for bad in ("Value partly access", "Below self hosting break even", "TAM contracts",
                "Compliance bound", "Compliance field"):
        assert bad not in labels


def test_the_summary_names_rules_by_their_labels(rulebase: Any) -> None:
    from advisor.core.assess import assess
    from advisor.data.answers_file import read_answers_file
    from advisor.data.price_map import default_price_book

    result = assess(read_answers_file(str(EXAMPLES / "startup-chat-wrapper.json")), rulebase,
                    default_price_book())
    labels = {rule.id: rule.label for rule in rulebase.rules}
    text = "\n".join(str(content) for _, content in summary_items(result, rulebase.questionnaire,
                                                                   labels))
    for fired in result.fired_rules:
        assert driver_name(fired.id, labels) in text
        assert driver_name(fired.id) not in text or driver_name(fired.id) == labels[fired.id]


def test_enterprise_it_reads_option_hints_about_its_own_systems(rulebase: Any) -> None:
    q = rulebase.questionnaire.by_id["integration_depth"]
    it_hints = " ".join(hint for _, _, hint in choice_rows(q, "enterprise_it"))
    founder_hints = " ".join(hint for _, _, hint in choice_rows(q, "startup"))
    assert "our" in it_hints and "users copy" in founder_hints
    assert it_hints != founder_hints


@pytest.mark.asyncio
async def test_the_live_panel_shows_labels(advisor_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.new_session("startup")
        app.answer("archetype", "api_wrapper")
        await settle(pilot)
        text = str(app.screen.query_one("#live-text").render())
        assert "A thin layer over someone else's model" in text
        assert "Thin wrapper" not in text

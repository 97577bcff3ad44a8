"""Helpers for driving the TUI with Textual's pilot, the way a person would with a keyboard."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from advisor.tui.app import AdvisorApp
from advisor.tui.assessing import Assessor

#: Answers typed or picked during a walk, by question id (None = "don't know"). Questions not
#: listed get the first option, "yes", or the number below. Two roles name a model (the cost
#: questions then apply), two do not (they are skipped).
PLANS: dict[str, dict[str, Any]] = {
    "startup": {"archetype": "api_wrapper", "model": "gpt-4o", "monthly_requests": "30,000",
                "pricing_model": "per_call", "gross_margin_pct": "35"},
    "enterprise_it": {"archetype": "internal_user", "industry": "financial_services",
                      "model": "gpt-4o-mini", "monthly_requests": "400000",
                      "monthly_ai_budget_usd": "6000", "monthly_api_spend_usd": "4200"},
    "investor": {"archetype": "vertical_saas", "industry": "legal", "model": None,
                 "tam_effect": "expands", "gross_margin_pct": "62"},
    "developer": {"archetype": "workflow_integrator", "model": None,
                  "cost_monitoring": "none"},
}

DEFAULT_NUMBER = "1200"
SIZE = (120, 36)


_ASSESSOR: Assessor | None = None


def make_app() -> AdvisorApp:
    """An app with the cursor blink off (snapshots) and one shared Assessor.

    Sharing the Assessor (rule base and price book, both read-only once loaded) spares every
    test from re-reading litellm's price map; each test still has its own ADVISOR_HOME.
    """
    global _ASSESSOR
    if _ASSESSOR is None:
        _ASSESSOR = Assessor()
        _ASSESSOR.warm_up()
    return AdvisorApp(cursor_blink=False, assessor=_ASSESSOR)


async def settle(pilot: Pilot[Any]) -> None:
    """Let the workers (file and draft reading, history) finish and the screen catch up."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def pick_role(pilot: Pilot[Any], role: str) -> None:
    """On the start screen, choose ``role`` in the role list with the keyboard."""
    app: Any = pilot.app
    roles = app.assessor.rulebase.questionnaire.roles
    app.screen.query_one("#roles").focus()
    await pilot.pause()
    for _ in range(roles.index(role)):  # the list highlights its first role when focused
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


async def answer_current(pilot: Pilot[Any], plan: dict[str, Any]) -> str:
    """Answer the question on screen as ``plan`` says (keyboard only); return its id."""
    app: Any = pilot.app
    screen = app.screen
    q = screen.question
    wanted = plan.get(q.id, _default(q))
    if wanted is None:
        await pilot.press("ctrl+o")
    elif q.type in ("choice", "bool"):
        values = [o.value for o in q.options] if q.type == "choice" else [True, False]
        # Arrow keys are exercised in the review and start-screen tests; here the option is
        # highlighted directly and chosen with Enter, which keeps a full walk fast.
        screen.query_one("#choices").highlighted = values.index(wanted)
        await pilot.press("enter")
    else:
        # Typing key by key is exercised in test_app's validation test; here the text is put
        # in the box and submitted with Enter, which keeps a full walk fast.
        screen.query_one("#value").value = str(wanted)
        await pilot.press("enter")
    return q.id


def _default(q: Any) -> Any:
    if q.type == "choice":
        return q.options[0].value
    if q.type == "bool":
        return True
    if q.type == "string":
        return "gpt-4o"
    return DEFAULT_NUMBER if q.max is None else str(int(q.max // 2))


async def walk_questions(pilot: Pilot[Any], plan: dict[str, Any], limit: int = 60) -> list[str]:
    """Answer questions until the review screen; return the ids answered, in order."""
    from advisor.tui.screens.question import QuestionScreen

    asked = []
    for _ in range(limit):
        if not isinstance(pilot.app.screen, QuestionScreen):
            break
        asked.append(await answer_current(pilot, plan))
    return asked

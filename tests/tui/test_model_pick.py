"""The model box lists the closest names as they are typed; the keyboard picks one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.tui.conftest import make_app, settle

pytestmark = pytest.mark.asyncio


async def model_question(pilot: Any, **answers: Any) -> Any:
    app: Any = pilot.app
    app.new_session("enterprise_it")
    await settle(pilot)
    for qid, value in {"archetype": "internal_user", **answers}.items():
        assert app.answer(qid, value) is None
    app.show_question("model")
    await settle(pilot)
    return app.screen


async def test_an_open_weight_model_served_in_house_is_picked_from_the_list(
        advisor_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await model_question(pilot, on_prem_required=True)
        listed = screen.query_one("#suggestions")
        assert not listed.has_class("-shown")
        await pilot.press(*"llama 3.1 70b")
        await settle(pilot)
        names = [str(o.prompt) for o in listed.options]
        assert listed.has_class("-shown") and names[0] == "Llama 3.1 70B", names
        await pilot.press("down")  # into the list, the closest highlighted
        assert listed.has_focus and listed.highlighted == 0
        await pilot.press("up")  # back to typing
        assert screen.query_one("#value").has_focus
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.session.answers["model"] == "Llama 3.1 70B"
        assert app.screen.qid != "model"


async def test_the_closest_size_comes_first_in_the_cloud(advisor_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await model_question(pilot)
        await pilot.press(*"gpt-4o")
        await settle(pilot)
        names = [str(o.prompt) for o in screen.query_one("#suggestions").options]
        assert names and names[0] == "gpt-4o", names
        await pilot.press("enter")  # Enter in the box takes what is typed
        await settle(pilot)
        assert app.session.answers["model"] == "gpt-4o"


async def test_the_list_goes_with_the_model_question(advisor_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await model_question(pilot, on_prem_required=True)
        await pilot.press(*"llama 3.1 70b")
        await settle(pilot)
        assert screen.query_one("#suggestions").has_class("-shown")
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen.qid != "model"
        assert not app.screen.query_one("#suggestions").has_class("-shown")
        assert not app.screen.query_one("#suggest-hint").display


async def test_gpus_of_its_own_come_before_the_model(advisor_home: Path) -> None:
    """Asked first, GPUs of its own make an open-weight name acceptable when the model is
    asked (a hospital running Llama 3.1 70B on its own GPUs, not required on premises)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.new_session("enterprise_it")
        await settle(pilot)
        for qid, value in (("archetype", "internal_user"), ("on_prem_required", False)):
            assert app.answer(qid, value) is None
        order = [q.id for q in app.session.relevant_questions()]
        assert order.index("self_hosted_gpus") < order.index("model")
        assert app.answer("self_hosted_gpus", 8) is None
        app.show_question("model")
        await settle(pilot)
        await pilot.press(*"llama 3.1 70b")
        await settle(pilot)
        names = [str(o.prompt) for o in app.screen.query_one("#suggestions").options]
        assert names[0] == "Llama 3.1 70B", names
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.answers["model"] == "llama 3.1 70b"

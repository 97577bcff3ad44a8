"""Ask with an LLM that works through tools, end to end over real HTTP (loopback server).

The fake model asks for tool calls (recompute a what-if, read a part of the result, look up an
article section), reads their results back like a real model, and writes the answer from them;
the guard checks every figure against the tool results and the assessment.
"""

from __future__ import annotations

import pytest
from fake_openai import example, tool_call_completion, tool_results

from advisor.ask.conversation import Conversation, answer
from advisor.data.answers_file import validate_answers
from advisor.llm.settings import LLMSettings

MODEL = "openai/gpt-4o-mini"


@pytest.fixture(scope="module")
def startup():
    return validate_answers(example("startup-chat-wrapper.json"))


def settings(server) -> LLMSettings:
    return LLMSettings(model=MODEL, base_url=server.base_url, timeout=10)


def test_the_model_recomputes_through_a_tool_and_answers_from_it(server, startup, rulebase,
                                                                 prices) -> None:
    def model(body):
        done = tool_results(body)
        if not done:
            return tool_call_completion([("recompute_what_if", {"market_price_factor": 0.1}),
                                         ("article_section", {"key": "s5-scenarios"})])
        monthly = done[0]["monthly_usd"]
        return (f"If prices fall another 10x, your monthly cost drops to about ${monthly:,.0f} "
                "[s5-scenarios].")

    server.behaviour = model
    reply = answer("What if prices fall another 10x?", startup, rulebase, prices,
                   settings(server))
    assert reply.source == "llm", reply.note
    assert "$203" in reply.text or "$202" in reply.text
    assert reply.sources == ["s5-scenarios"]
    assert reply.recomputed is not None
    assert reply.recomputed.costs["current"]["monthly_usd"] == pytest.approx(202.5)
    first, second = server.requests[0], server.requests[1]
    assert {t["function"]["name"] for t in first["tools"]} == {
        "recompute_what_if", "read_result", "article_section"}
    roles = [m["role"] for m in second["messages"]]
    assert roles.count("tool") == 2 and "assistant" in roles
    results = tool_results(second)
    assert results[0]["changes"][0].startswith("market prices fall")
    assert results[1]["key"] == "s5-scenarios" and results[1]["facts"]
    assert reply.input_tokens and reply.input_tokens > 0


def test_a_figure_not_in_any_tool_result_falls_back(server, startup, rulebase, prices) -> None:
    def model(body):
        if not tool_results(body):
            return tool_call_completion([("read_result", {"part": "costs"})])
        return "Self-hosting would save you $7,777 a month [faq-q2]."

    server.behaviour = model
    reply = answer("Should we self-host?", startup, rulebase, prices, settings(server))
    assert reply.source == "offline"
    assert "Stay on the API at your volume" in reply.text
    assert "invented the figure $7,777" in reply.note


def test_a_tool_error_goes_back_to_the_model_as_data(server, startup, rulebase, prices) -> None:
    def model(body):
        done = tool_results(body)
        if not done:
            return tool_call_completion([("recompute_what_if", {"model": "gpt-9-ultra"})])
        assert "error" in done[0] and "gpt-9-ultra" in done[0]["error"]
        return "I cannot price that model: it is not in the price table [s1-prices]."

    server.behaviour = model
    reply = answer("What if we switch to gpt-9-ultra?", startup, rulebase, prices,
                   settings(server))
    assert reply.source == "llm"
    assert "cannot price" in reply.text


def test_huge_factors_are_refused_by_the_tool(server, startup, rulebase, prices) -> None:
    def model(body):
        done = tool_results(body)
        if not done:
            return tool_call_completion([("recompute_what_if", {"volume_factor": 1e308})])
        return "That change is too large to compute [s5-scenarios]."

    server.behaviour = model
    reply = answer("What if volume grows 1e308 times?", startup, rulebase, prices,
                   settings(server))
    assert "beyond what can be computed" in tool_results(server.requests[1])[0]["error"]
    assert reply.source == "llm"


def test_a_model_that_never_stops_calling_tools_falls_back(server, startup, rulebase,
                                                           prices) -> None:
    server.behaviour = lambda body: tool_call_completion([("read_result", {"part": "summary"})])
    reply = answer("Why this tier?", startup, rulebase, prices, settings(server))
    assert reply.source == "offline"
    assert "kept calling tools" in reply.note
    assert reply.text.startswith("Your tier is **high**")


def test_a_follow_up_builds_on_the_what_if_in_force(server, startup, rulebase, prices) -> None:
    def model(body):
        done = tool_results(body)
        if not done:
            return tool_call_completion([("recompute_what_if", {"volume_factor": 2,
                                                                "build_on_current": True})])
        return f"That brings the monthly cost to ${done[0]['monthly_usd']:,.0f} [s5-scenarios]."

    chat = Conversation(startup, rulebase, prices)
    first = chat.ask("What if our volume doubles?")  # offline: no LLM in this conversation
    assert first.figures["monthly_usd"] == pytest.approx(4050)
    chat.settings = settings(server)
    server.behaviour = model
    reply = chat.ask("and if it doubles again?")
    assert reply.source == "llm", reply.note
    assert "$8,100" in reply.text
    assert tool_results(server.requests[1])[0]["monthly_requests"] == 1_200_000


def test_the_command_uses_the_tools_and_prints_json(server, capsys) -> None:
    import json

    from fake_openai import EXAMPLES

    from advisor.cli.main import main

    def model(body):
        done = tool_results(body)
        if not done:
            return tool_call_completion([("recompute_what_if", {"volume_factor": 2})])
        return f"Doubling the volume costs ${done[0]['monthly_usd']:,.0f} a month [s5-scenarios]."

    server.behaviour = model
    rc = main(["ask", str(EXAMPLES / "startup-chat-wrapper.json"), "what if our volume doubles?",
               "--llm", MODEL, "--llm-base-url", server.base_url, "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert data["source"] == "llm" and "$4,050" in data["answer"]
    assert data["recomputed"]["costs"]["monthly_requests"] == 600_000
    assert data["sources"] == [{"key": "s5-scenarios",
                                "title": "§5 Three scenarios for the next 12–24 months"}]


def test_api_advice_to_an_on_premises_organisation_falls_back(server, rulebase,
                                                              prices) -> None:
    from pathlib import Path

    onprem = str(Path(__file__).resolve().parents[1] / "ask" / "assessments"
                 / "enterprise-onprem-gpus.json")
    server.behaviour = lambda body: "You should stay on the API and use a multi-provider setup."
    reply = answer("should we self-host or use an API?", onprem, rulebase, prices,
                   settings(server))
    assert reply.source == "offline"
    assert "must stay on-premises" in reply.note
    assert "stay on the API" not in reply.text


def test_a_zero_cost_for_an_assessment_without_a_model_falls_back(server, rulebase,
                                                                  prices) -> None:
    from pathlib import Path

    no_model = str(Path(__file__).resolve().parents[1] / "ask" / "assessments"
                   / "developer-no-model.json")
    server.behaviour = lambda body: "Your workload costs $0.00 a month [s1-prices]."
    reply = answer("how much will this cost us per month?", no_model, rulebase, prices,
                   settings(server))
    assert reply.source == "offline"
    assert reply.text.startswith("I cannot give a monthly cost")
    assert "$0 cost" in reply.note


# ---------------------------------------------------------------- one state, one edit form


class _Failures:
    """A history store that only keeps the failures it is told about."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def record_failure(self, kind, model, span="", detail="") -> None:
        self.rows.append((kind, model, span, detail))

    def failure_counts(self) -> list:
        return []


def _raw_tool_call(name: str, arguments: str) -> dict:
    reply = tool_call_completion([(name, {})])
    reply["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = arguments
    return reply


def test_the_models_what_if_becomes_the_conversations_state(server, startup, rulebase,
                                                            prices) -> None:
    def model(body):
        done = tool_results(body)
        if not done:
            return tool_call_completion([("recompute_what_if", {"volume_factor": 10})])
        return f"That comes to ${done[0]['monthly_usd']:,.0f} a month [s5-scenarios]."

    server.behaviour = model
    chat = Conversation(startup, rulebase, prices, settings=settings(server), store=_Failures())
    reply = chat.ask("what if we tenfold our footprint?")  # the parser finds no change here
    assert reply.source == "llm", reply.note
    data = reply.to_dict()
    assert data["figures"]["monthly_usd"] == pytest.approx(20250)
    assert "$20,250" in data["answer"]
    assert data["what_if"] and data["what_if"][0].startswith("volume ×10")
    assert data["recomputed"]["costs"]["current"]["monthly_usd"] == pytest.approx(20250)
    chat.settings = None  # the next question, offline, reads the same state
    assert chat.ask("what's our monthly bill?").figures["monthly_usd"] == pytest.approx(20250)


def test_a_tool_call_changing_what_was_not_asked_goes_back_as_an_error(server, startup,
                                                                       rulebase, prices) -> None:
    def model(body):
        done = tool_results(body)
        if not done:
            return tool_call_completion([("recompute_what_if", {"volume_factor": 2,
                                                                "model": "gpt-4o-mini"})])
        if len(done) == 1:
            return tool_call_completion([("recompute_what_if", {"volume_factor": 2})])
        return f"Doubled, it costs ${done[1]['monthly_usd']:,.0f} a month [s5-scenarios]."

    server.behaviour = model
    store = _Failures()
    chat = Conversation(startup, rulebase, prices, settings=settings(server), store=store)
    reply = chat.ask("What if our volume doubles?")
    assert "did not ask about" in tool_results(server.requests[1])[0]["error"]
    assert reply.source == "llm" and "$4,050" in reply.text
    assert chat.whatif is not None and [e.form() for e in chat.edits] == ["volume*2"]
    assert any(kind == "tool_error" for kind, *_ in store.rows)


def test_malformed_arguments_go_back_to_the_model(server, startup, rulebase, prices) -> None:
    def model(body):
        done = tool_results(body)
        if not done:
            return _raw_tool_call("recompute_what_if", "{volume_factor: two")
        if len(done) == 1:
            return tool_call_completion([("recompute_what_if", {"volume_factor": 2})])
        return f"Doubled, it costs ${done[1]['monthly_usd']:,.0f} a month [s5-scenarios]."

    server.behaviour = model
    store = _Failures()
    reply = answer("What if our volume doubles?", startup, rulebase, prices, settings(server),
                   store=store)
    assert "not JSON" in tool_results(server.requests[1])[0]["error"]
    assert reply.source == "llm" and "$4,050" in reply.text
    recorded = [r for r in store.rows if r[0] == "tool_error"]
    assert recorded and "spent so far: 700 input and 40 output tokens" in recorded[0][3]


def test_unknown_tools_and_loops_are_recorded_with_their_cost(server, startup, rulebase,
                                                              prices) -> None:
    server.behaviour = lambda body: tool_call_completion([("delete_everything", {})])
    store = _Failures()
    reply = answer("Why this tier?", startup, rulebase, prices, settings(server), store=store)
    assert reply.source == "offline" and "kept calling tools" in reply.note
    kinds = [r[0] for r in store.rows]
    assert "tool_error" in kinds and "tool_loop" in kinds
    assert all("spent so far" in r[3] for r in store.rows)
    assert reply.usd != 0.0 and reply.input_tokens > 0


def test_a_figure_echoed_by_a_tool_error_is_not_a_fact(server, startup, rulebase,
                                                       prices) -> None:
    def model(body):
        if not tool_results(body):
            return tool_call_completion([("recompute_what_if", {"model": "gpt-7777"})])
        return "On gpt-7777 the monthly cost would be $7,777 [s1-prices]."

    server.behaviour = model
    reply = answer("What if we switch to gpt-7777?", startup, rulebase, prices,
                   settings(server), store=_Failures())
    assert "7777" in tool_results(server.requests[1])[0]["error"]
    assert reply.source == "offline" and "$7,777" not in reply.text

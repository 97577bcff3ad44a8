"""The narrative over real HTTP: litellm -> a loopback OpenAI-compatible server.

Every case ends with a report and never with an exception: good text is used; an invented
figure, a wrong tier or missing headings get one retry that names the problem, then the
built-in narrative; HTTP 500, 429, a hang past the timeout and malformed JSON fall back too.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
from fake_openai import DUMMY_KEY

from advisor.history.failures import failures_json, failures_text
from advisor.history.store import Store
from advisor.llm.narrative import narrate
from advisor.llm.settings import LLMSettings
from advisor.render.report import NARRATIVE_HEADINGS, render

MODEL = "openai/gpt-4o-mini"


def settings(server, timeout: float = 5.0) -> LLMSettings:
    return LLMSettings(model=MODEL, base_url=server.base_url, timeout=timeout)


def test_good_text_is_used(server, rulebase, fresh_startup_result) -> None:
    server.behaviour = "truth"
    n = narrate(fresh_startup_result, rulebase, settings(server))
    assert n.source == "llm", n.note
    assert n.text.startswith("## Where you stand")
    assert (n.input_tokens, n.output_tokens) == (900, 120)  # the server's usage
    assert n.usd == pytest.approx(900 * 0.15e-6 + 120 * 0.6e-6)
    (body,) = server.requests
    assert body["model"] == "gpt-4o-mini"
    assert body["max_tokens"] == 700
    assert "<facts>" in body["messages"][1]["content"]
    assert server.headers_seen[0]["authorization"] == f"Bearer {DUMMY_KEY}"


def test_an_invented_figure_gets_one_retry_naming_it(server, rulebase,
                                                     fresh_startup_result) -> None:
    server.behaviour = "invent"
    n = narrate(fresh_startup_result, rulebase, settings(server))
    assert n.source == "builtin"
    assert "invented the figure $12,345" in n.note
    assert len(server.requests) == 2
    retry = server.requests[1]["messages"][-1]["content"]
    assert "rejected" in retry and "$12,345" in retry
    assert (n.input_tokens, n.output_tokens) == (1800, 240)  # both calls counted


def test_a_retry_that_fixes_the_draft_is_used(server, rulebase, fresh_startup_result) -> None:
    server.behaviour = ["wrong_tier", "truth"]
    resets: list[bool] = []
    n = narrate(fresh_startup_result, rulebase, settings(server),
                on_reset=lambda: resets.append(True))
    assert n.source == "llm" and n.note is None
    assert resets == [True]  # called before the retry
    assert n.input_tokens == 1800
    assert "medium" in server.requests[1]["messages"][-1]["content"]


@pytest.mark.parametrize(("behaviour", "kind", "words"), [
    ("wrong_tier", "wrong_tier", "called the tier medium"),
    ("no_headings", "missing_headings", "headings"),
    ("500", "provider_error", "provider returned an error"),
    ("malformed", "malformed_response", "could not be read"),
])
def test_failures_fall_back_with_a_reason(server, rulebase, fresh_startup_result, behaviour,
                                         kind, words) -> None:
    server.behaviour = behaviour
    n = narrate(fresh_startup_result, rulebase, settings(server))
    assert n.source == "builtin"
    assert words in n.note
    assert n.note.startswith("The LLM narrative was not used: ")
    assert n.note.endswith("; the built-in narrative is shown.")
    with Store.open() as store:
        assert kind in dict(store.failure_counts())


def test_rate_limits_are_retried_a_bounded_number_of_times(server, rulebase,
                                                           fresh_startup_result) -> None:
    server.behaviour = "429"
    n = narrate(fresh_startup_result, rulebase, settings(server))
    assert n.source == "builtin"
    assert "rate limits after 3 attempts" in n.note
    assert len(server.requests) == 3  # one call and max_retries=2 retries
    server.requests.clear()
    server.behaviour = ["429", "truth"]
    n = narrate(fresh_startup_result, rulebase, settings(server))
    assert n.source == "llm"
    assert len(server.requests) == 2


def test_a_hanging_server_hits_the_timeout(server, rulebase, fresh_startup_result) -> None:
    server.behaviour = "hang"
    server.delay = 4.0
    started = time.monotonic()
    n = narrate(fresh_startup_result, rulebase, settings(server, timeout=1))
    took = time.monotonic() - started
    assert n.source == "builtin"
    assert "did not answer within 1 second" in n.note
    assert took < 3.5
    assert len(server.requests) == 1  # a timeout is not retried


def test_a_streamed_reply_arrives_in_chunks(server, rulebase, fresh_startup_result) -> None:
    server.behaviour = "truth"
    chunks: list[str] = []
    n = narrate(fresh_startup_result, rulebase, settings(server), on_chunk=chunks.append)
    assert n.source == "llm"
    assert len(chunks) > 3
    assert "".join(chunks) == n.text
    assert server.requests[0]["stream"] is True
    assert (n.input_tokens, n.output_tokens) == (900, 120)  # usage from the final chunk


def test_a_rejected_stream_is_reset_before_the_retry(server, rulebase,
                                                     fresh_startup_result) -> None:
    server.behaviour = ["invent", "truth"]
    view: list[str] = []
    n = narrate(fresh_startup_result, rulebase, settings(server), on_chunk=view.append,
                on_reset=view.clear)
    assert n.source == "llm"
    assert "".join(view) == n.text
    assert "$12,345" not in n.text


def test_identical_facts_are_served_from_the_cache(server, rulebase,
                                                   fresh_startup_result) -> None:
    server.behaviour = "truth"
    first = narrate(fresh_startup_result, rulebase, settings(server))
    second = narrate(fresh_startup_result, rulebase, settings(server))
    assert len(server.requests) == 1
    assert second.cached and not first.cached
    assert second.text == first.text
    assert (second.input_tokens, second.output_tokens, second.usd) == (0, 0, 0.0)
    other_model = LLMSettings(model="openai/gpt-4o", base_url=server.base_url, timeout=5)
    assert not narrate(fresh_startup_result, rulebase, other_model).cached
    assert len(server.requests) == 2


def test_recorded_failures_shape_the_next_prompt(server, rulebase, fresh_startup_result) -> None:
    from advisor.llm.prompt import STANDING_INSTRUCTIONS

    server.behaviour = "invent"
    narrate(fresh_startup_result, rulebase, settings(server))
    server.requests.clear()
    server.behaviour = "truth"
    narrate(fresh_startup_result, rulebase, settings(server))
    system = server.requests[0]["messages"][0]["content"]
    assert STANDING_INSTRUCTIONS["invented_figure"] in system
    assert STANDING_INSTRUCTIONS["wrong_tier"] not in system


def test_failures_are_grouped_for_history(server, rulebase, fresh_startup_result) -> None:
    for behaviour in ("invent", "500", "500", "wrong_tier"):
        server.behaviour = behaviour
        narrate(fresh_startup_result, rulebase, settings(server))
    with Store.open() as store:
        groups = {g["kind"]: g for g in failures_json(store)}
        text = failures_text(store)
    assert groups["provider_error"]["count"] == 2
    assert groups["invented_figure"]["count"] == 2  # the draft and its retry
    assert groups["invented_figure"]["example_span"] == "$12,345"
    assert groups["wrong_tier"]["models"] == [MODEL]
    assert list(groups) == ["invented_figure", "provider_error", "wrong_tier"]  # ties: by name
    assert groups["wrong_tier"]["count"] == 2
    assert "invented_figure  ×2" in text and "provider_error  ×2" in text


def test_no_failures_recorded(advisor_home) -> None:
    with Store.open() as store:
        assert failures_json(store) == []
        assert failures_text(store) == "No LLM failures recorded.\n"


def test_the_api_key_is_never_written_or_printed(server, rulebase, fresh_startup_result,
                                                 advisor_home: Path, capfd, caplog) -> None:
    """The server's 500 echoes the key, as some providers do: it must be scrubbed everywhere."""
    caplog.set_level(logging.DEBUG)
    reports = []
    for behaviour in ("500", "truth", "invent", "malformed", "429"):
        server.behaviour = behaviour
        result = fresh_startup_result
        result.narrative = narrate(result, rulebase, settings(server))
        for fmt in ("md", "json", "html"):
            reports.append(render(result, rulebase, fmt))
        with Store.open() as store:
            store.record_assessment({"archetype": "api_wrapper"}, result, reports[-3], "md")
        result.narrative = None
    with Store.open() as store:
        details = [d for (d,) in store.db.execute("SELECT detail FROM llm_failures")]
    assert any("[redacted]" in d for d in details)  # the echo was there, and was scrubbed
    out, err = capfd.readouterr()
    blobs = [*reports, out, err, caplog.text]
    blobs += [p.read_bytes().decode("utf-8", "replace") for p in advisor_home.rglob("*")
              if p.is_file()]
    for blob in blobs:
        assert DUMMY_KEY not in blob
        assert "dummy-key" not in blob


def test_the_report_shows_the_narratives_cost(server, rulebase, fresh_startup_result) -> None:
    server.behaviour = "truth"
    fresh_startup_result.narrative = narrate(fresh_startup_result, rulebase, settings(server))
    md = render(fresh_startup_result, rulebase, "md")
    assert "narrative: openai/gpt-4o-mini, 900 tokens in, 120 out, $0.000207" in md
    data = json.loads(render(fresh_startup_result, rulebase, "json"))
    assert data["narrative"]["source"] == "llm"
    assert data["narrative"]["usd"] == pytest.approx(0.000207)
    assert NARRATIVE_HEADINGS[0] in data["narrative"]["text"]

"""Issue 21 class 1 and 5: a call ends within its deadline whatever the server does, and the
figures a provider reports are believed only when they are plausible."""

from __future__ import annotations

import time

import pytest
from fake_openai import DUMMY_KEY, FakeOpenAI

from advisor.llm import client
from advisor.llm.settings import LLMSettings

MESSAGES = [{"role": "user", "content": 'say hi "tier": "high" "score": 71'}]


def _settings(server: FakeOpenAI, timeout: float) -> LLMSettings:
    return LLMSettings(model="openai/gpt-4o-mini", base_url=server.base_url, timeout=timeout)


@pytest.mark.parametrize("stream", [False, True])
def test_a_dripping_server_ends_at_the_deadline(server: FakeOpenAI, stream: bool) -> None:
    server.behaviour = "drip"
    client._litellm()  # the import is not part of the call's deadline
    started = time.monotonic()
    with pytest.raises(client.LLMFailure) as failure:
        client.complete(_settings(server, 1.0), MESSAGES,
                        on_chunk=(lambda _t: None) if stream else None)
    elapsed = time.monotonic() - started
    assert failure.value.kind == "timeout"
    assert elapsed < 1.0 + client.DEADLINE_GRACE_S + 1.0, elapsed


def test_a_huge_answer_is_refused_not_kept(server: FakeOpenAI) -> None:
    server.behaviour = "huge"
    with pytest.raises(client.LLMFailure) as failure:
        client.complete(_settings(server, 20.0), MESSAGES)
    assert failure.value.kind in ("malformed_response", "timeout")


def test_absurd_usage_figures_are_unknown_not_believed(server: FakeOpenAI) -> None:
    server.behaviour = "absurd_usage"
    done = client.complete(_settings(server, 20.0), MESSAGES)
    assert 0 <= done.input_tokens <= client.MAX_REPORTED_TOKENS
    assert 0 <= done.output_tokens <= client.MAX_REPORTED_TOKENS
    assert done.input_tokens > 0  # counted locally instead of the reported -5
    assert done.usd is None or 0 <= done.usd <= client.MAX_CALL_USD


@pytest.mark.parametrize("value,expected", [
    (10**30, None), (-5, None), (1.5, None), (True, None), ("12", None),
    (float("inf"), None), (float("nan"), None), (120, 120), (120.0, 120)])
def test_reported_tokens(value: object, expected: int | None) -> None:
    assert client._reported_tokens(value) == expected


def test_a_key_echoed_into_an_answer_is_a_text_to_scrub(server: FakeOpenAI) -> None:
    from advisor.llm.secrets import scrub

    server.behaviour = "echo_key"
    done = client.complete(_settings(server, 20.0), MESSAGES)
    assert DUMMY_KEY in done.text  # the client returns what was said ...
    assert DUMMY_KEY not in scrub(done.text)  # ... and every writer scrubs it


def test_a_reply_with_thousands_of_tool_calls_is_refused() -> None:
    from types import SimpleNamespace

    call = SimpleNamespace(id="c", function=SimpleNamespace(name="t", arguments="{}"))
    message = SimpleNamespace(tool_calls=[call] * 5000)
    with pytest.raises(client.LLMFailure) as failure:
        client._tool_calls(message)
    assert failure.value.kind == "malformed_response"
    assert client._tool_calls(SimpleNamespace(tool_calls=[call] * 3))


def test_deeply_nested_tool_arguments_are_a_tool_error_not_a_crash() -> None:
    from types import SimpleNamespace

    deep = "[" * 100_000 + "]" * 100_000
    call = SimpleNamespace(id="c", function=SimpleNamespace(name="t", arguments=deep))
    (parsed,) = client._tool_calls(SimpleNamespace(tool_calls=[call]))
    assert parsed.error


def test_a_deadline_longer_than_threads_can_wait_does_not_crash() -> None:
    deadline = client._Deadline(1e12)
    assert deadline.run(lambda: 42) == 42

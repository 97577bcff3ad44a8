"""One chat completion through litellm, with the limits and bookkeeping advisor needs.

litellm is imported here, inside :func:`complete`, after pinning it offline
(``LITELLM_LOCAL_MODEL_COST_MAP``, ``LITELLM_OFFLINE_MODE``): otherwise importing it fetches a
price map over the network. Every call passes ``timeout`` (litellm's own default is 6000 s)
and ``max_retries=0`` so the provider SDK does not retry behind our back; rate limits are
retried here, a bounded number of times with bounded backoff. Every failure becomes an
:class:`LLMFailure` with a kind and a scrubbed one-line detail: callers never see a provider
exception, and no message that might echo an API key leaves this module unscrubbed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from advisor.llm.secrets import scrub
from advisor.llm.settings import LLMSettings

BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 8.0
#: The most text one reply may carry (characters): a narrative or an Ask answer is a few
#: thousand; a provider that sends megabytes is broken or hostile, and its reply is refused.
MAX_RESPONSE_CHARS = 200_000
#: The largest token count a provider may report for one call; above it (or negative, or not
#: a whole number) the figure is treated as unknown and counted locally instead.
MAX_REPORTED_TOKENS = 10_000_000
#: The largest cost one call may be said to have cost (USD); beyond it the cost is unknown.
MAX_CALL_USD = 10_000.0
#: How long after its deadline a call that ignores its own timeout is waited for before the
#: caller moves on without it (its thread is a daemon: it cannot keep the process alive).
DEADLINE_GRACE_S = 0.5

FAILURE_KINDS = ("timeout", "rate_limit", "provider_error", "malformed_response")


class LLMFailure(Exception):
    """A call that produced no usable text. ``kind`` is one of :data:`FAILURE_KINDS`."""

    def __init__(self, kind: str, detail: str, *, attempts: int = 1) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = scrub(detail)
        self.attempts = attempts


@dataclass
class Completion:
    text: str
    input_tokens: int
    output_tokens: int
    usd: float | None  # None when litellm has no price for the model
    truncated: bool  # the provider stopped at max_tokens
    attempts: int = 1


def seconds(value: float) -> str:
    """'1 second', '2.5 seconds'."""
    return f"{value:g} second" + ("" if value == 1 else "s")


def _litellm() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
    import logging

    import litellm

    litellm.suppress_debug_info = True  # no "Give Feedback / Get Help" banners on stdout
    logging.getLogger("LiteLLM").setLevel(logging.CRITICAL)
    return litellm


_PREFIXES = re.compile(r"^(?:litellm\.\w+:\s*|\w+(?:Error|Exception)\s*[:-]\s*)+")


def _message(exc: BaseException) -> str:
    """The provider's message without litellm's stacked class-name prefixes, scrubbed."""
    text = " ".join(str(exc).split())
    return scrub(_PREFIXES.sub("", text) or type(exc).__name__)


def _classify(exc: BaseException, settings: LLMSettings, litellm: Any) -> LLMFailure:
    ex = litellm.exceptions
    message = _message(exc)
    text = f"{type(exc).__name__}: {message}"
    lowered = f"{type(exc).__name__} {exc}".lower()
    if isinstance(exc, ex.RateLimitError):
        return LLMFailure("rate_limit", text)
    if (isinstance(exc, ex.Timeout) or "timed out" in lowered
            or "timeout" in type(exc).__name__.lower()):
        return LLMFailure("timeout", f"no answer within {seconds(settings.timeout)}")
    if ("expecting value" in lowered or "jsondecodeerror" in lowered or "[200 ok]" in lowered
            or "unterminated string" in lowered or "invalid json" in lowered):
        return LLMFailure("malformed_response", text)
    if "missing credentials" in lowered or ("api_key" in lowered and "must be set" in lowered):
        return LLMFailure("provider_error", "no API key found: set the provider's usual "
                          "environment variable (for example OPENAI_API_KEY)")
    if "provider not provided" in lowered:
        return LLMFailure("provider_error", f"litellm does not know which provider serves "
                          f"{settings.model!r}: name it as provider/model, for example "
                          "openai/gpt-4o-mini")
    if isinstance(exc, ex.AuthenticationError):
        return LLMFailure("provider_error", "authentication failed: check the provider's API "
                          "key environment variable")
    if "connection error" in lowered or "connection refused" in lowered or isinstance(
            exc, ex.APIConnectionError):
        from advisor.data.redact import redact_url

        where = f" at {redact_url(settings.base_url)}" if settings.base_url else ""
        return LLMFailure("provider_error", f"cannot connect to the provider{where}: {message}")
    return LLMFailure("provider_error", text)


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    try:
        return float(headers.get("retry-after"))
    except (TypeError, ValueError):
        return None


def _usage_and_cost(litellm: Any, settings: LLMSettings, messages: Sequence[dict[str, str]],
                    text: str, usage: Any) -> tuple[int, int, float | None]:
    prompt_tokens = _reported_tokens(getattr(usage, "prompt_tokens", None) if usage else None)
    completion_tokens = _reported_tokens(
        getattr(usage, "completion_tokens", None) if usage else None)
    try:
        if prompt_tokens is None:
            prompt_tokens = litellm.token_counter(model=settings.model, messages=list(messages))
        if completion_tokens is None:
            completion_tokens = litellm.token_counter(model=settings.model, text=text)
    except Exception:  # a tokenizer problem must not lose the text
        prompt_tokens, completion_tokens = prompt_tokens or 0, completion_tokens or 0
    try:
        cost_in, cost_out = litellm.cost_per_token(model=settings.model,
                                                   prompt_tokens=int(prompt_tokens),
                                                   completion_tokens=int(completion_tokens))
        usd: float | None = round(float(cost_in) + float(cost_out), 8)
    except Exception:  # litellm raises several types for "no price"
        usd = None
    if usd is not None and not (0.0 <= usd <= MAX_CALL_USD):  # NaN fails both comparisons
        usd = None
    return (_sane_count(prompt_tokens), _sane_count(completion_tokens), usd)


def _reported_tokens(value: Any) -> int | None:
    """A provider's token count if it is a plausible whole number, else None (unknown).

    Provider figures are untrusted: 10**30, -5, 1.5, "many" or True must not reach the
    footer, the history store (SQLite integers stop at 2**63) or a cost computation.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    try:
        count = int(value)
    except (OverflowError, ValueError):  # inf, nan
        return None
    return count if 0 <= count <= MAX_REPORTED_TOKENS else None


def _sane_count(value: Any) -> int:
    """A token count from a tokenizer or a provider, clamped into 0..MAX_REPORTED_TOKENS."""
    try:
        count = int(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    return max(0, min(count, MAX_REPORTED_TOKENS))


def _too_large() -> LLMFailure:
    return LLMFailure("malformed_response",
                      f"the answer was longer than {MAX_RESPONSE_CHARS:,} characters")


def _once(litellm: Any, settings: LLMSettings, messages: Sequence[dict[str, str]],
          on_chunk: Callable[[str], None] | None, extra: dict[str, Any],
          deadline: _Deadline) -> Completion:
    kwargs: dict[str, Any] = {"model": settings.model, "messages": list(messages),
                              "timeout": deadline.remaining(),
                              "max_tokens": settings.max_output_tokens,
                              "max_retries": 0, **extra}
    if settings.base_url:
        kwargs["api_base"] = settings.base_url
    if on_chunk is None:
        response = litellm.completion(**kwargs)
        try:
            choice = response.choices[0]
            text = choice.message.content
            finish = choice.finish_reason
        except (AttributeError, IndexError, KeyError, TypeError):
            raise LLMFailure("malformed_response", "the response had no message") from None
        if isinstance(text, str) and len(text) > MAX_RESPONSE_CHARS:
            raise _too_large()
        usage = getattr(response, "usage", None)
    else:
        kwargs.update(stream=True, stream_options={"include_usage": True})
        stream = litellm.completion(**kwargs)
        parts: list[str] = []
        size = 0
        usage = None
        finish = None
        for chunk in stream:
            if deadline.passed():
                _close(stream)
                raise LLMFailure("timeout", "no complete answer within "
                                 f"{seconds(settings.timeout)}")
            if getattr(chunk, "usage", None):
                usage = chunk.usage
            choices = getattr(chunk, "choices", None) or []
            if not choices:
                continue
            delta = getattr(choices[0].delta, "content", None)
            finish = getattr(choices[0], "finish_reason", None) or finish
            if delta:
                if not isinstance(delta, str):
                    _close(stream)
                    raise LLMFailure("malformed_response", "the response text was not a string")
                size += len(delta)
                if size > MAX_RESPONSE_CHARS:
                    _close(stream)
                    raise _too_large()
                parts.append(delta)
                on_chunk(delta)
        text = "".join(parts)
    if not isinstance(text, str) or not text.strip():
        raise LLMFailure("malformed_response", "the response had no text")
    tokens_in, tokens_out, usd = _usage_and_cost(litellm, settings, messages, text, usage)
    return Completion(text=text, input_tokens=tokens_in, output_tokens=tokens_out, usd=usd,
                      truncated=finish == "length")


def _close(stream: Any) -> None:
    closer = getattr(stream, "close", None) or getattr(
        getattr(stream, "completion_stream", None), "close", None)
    if callable(closer):
        with contextlib.suppress(Exception):  # closing a dead stream is best effort
            closer()


def complete(settings: LLMSettings, messages: Sequence[dict[str, str]], *,
             on_chunk: Callable[[str], None] | None = None,
             sleep: Callable[[float], None] = time.sleep, **extra: Any) -> Completion:
    """The model's reply to ``messages``; :class:`LLMFailure` for anything else.

    Rate limits are retried ``settings.max_retries`` times, waiting the provider's
    ``Retry-After`` or an exponential backoff, never more than :data:`BACKOFF_CAP_S` nor the
    call timeout. ``extra`` goes to litellm as is (tests pass ``mock_response``).
    """
    return _with_retries(settings, sleep, lambda litellm, deadline: _once(
        litellm, settings, messages, deadline.guard(on_chunk), extra, deadline))


_T = TypeVar("_T", "Completion", "ToolTurn")


class _Deadline:
    """The wall-clock end of one whole call (every attempt, wait and byte of the reply).

    litellm's ``timeout`` bounds each socket read, not the reply: a server that drips one
    byte a second, or sends megabytes slowly, would keep a call going for hours. So each
    attempt runs in a daemon thread the caller stops waiting for at the deadline; the
    thread's further chunks are dropped (``guard``) and it dies with the process.
    """

    def __init__(self, seconds_: float) -> None:
        self.seconds = seconds_
        self.end = time.monotonic() + seconds_
        self.abandoned = False

    def remaining(self) -> float:
        return max(0.05, self.end - time.monotonic())

    def passed(self) -> bool:
        return self.abandoned or time.monotonic() >= self.end

    def guard(self, on_chunk: Callable[[str], None] | None) -> Callable[[str], None] | None:
        """``on_chunk`` that stops passing text on once the caller has given up."""
        if on_chunk is None:
            return None
        callback = on_chunk

        def guarded(text: str) -> None:
            if self.passed():
                raise LLMFailure("timeout", "no complete answer within "
                                 f"{seconds(self.seconds)}")
            callback(text)

        return guarded

    def run(self, call: Callable[[], _T]) -> _T:
        """``call()`` in a daemon thread, its result or exception; a timeout at the deadline."""
        import threading

        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["result"] = call()
            except BaseException as exc:  # handed to the caller's thread as is
                box["error"] = exc

        worker = threading.Thread(target=target, name="advisor-llm-call", daemon=True)
        worker.start()
        worker.join(min(max(0.0, self.end - time.monotonic()) + DEADLINE_GRACE_S,
                        threading.TIMEOUT_MAX))
        if worker.is_alive():
            self.abandoned = True
            raise LLMFailure("timeout", f"no complete answer within {seconds(self.seconds)}")
        if "error" in box:
            raise box["error"]
        return box["result"]


def _with_retries(settings: LLMSettings, sleep: Callable[[float], None],
                  call: Callable[[Any, _Deadline], _T]) -> _T:
    """Run one provider call, retrying rate limits, all within ``settings.timeout`` of wall
    clock; every other error becomes LLMFailure."""
    try:
        litellm = _litellm()
    except Exception as exc:  # a broken install is a provider problem here
        raise LLMFailure("provider_error", f"litellm cannot be loaded: {exc}") from None
    deadline = _Deadline(settings.timeout)
    attempts = 0
    while True:
        attempts += 1
        try:
            result = deadline.run(lambda: call(litellm, deadline))
            result.attempts = attempts
            return result
        except LLMFailure as failure:
            failure.attempts = attempts
            raise
        except Exception as exc:  # every provider error becomes a failure
            classified = _classify(exc, settings, litellm)
            classified.attempts = attempts
            if classified.kind != "rate_limit" or attempts > settings.max_retries:
                if classified.kind == "rate_limit":
                    classified = LLMFailure("rate_limit", f"still rate-limited after "
                                            f"{attempts} attempts", attempts=attempts)
                raise classified from None
            wait = _retry_after(exc)
            backoff = BACKOFF_BASE_S * 2 ** (attempts - 1)
            pause = max(0.0, min(wait if wait is not None else backoff, BACKOFF_CAP_S,
                                 settings.timeout))
            if time.monotonic() + pause >= deadline.end:
                raise LLMFailure("rate_limit", f"still rate-limited after {attempts} attempts "
                                 f"within {seconds(settings.timeout)}",
                                 attempts=attempts) from None
            sleep(pause)


# ---------------------------------------------------------------------------- tool calling


@dataclass
class ToolCall:
    """One function call the model asked for."""

    id: str
    name: str
    arguments: dict[str, Any]
    #: why the arguments could not be read (not JSON, not an object): the caller answers the
    #: call with this as a tool error, so the model can correct itself
    error: str = ""


@dataclass
class ToolTurn:
    """One reply in a tool-calling exchange: tool calls to run, or the final text."""

    text: str
    tool_calls: list[ToolCall]
    message: dict[str, Any]  # the assistant message, to send back with the tool results
    input_tokens: int
    output_tokens: int
    usd: float | None
    truncated: bool
    attempts: int = 1


#: The most tool calls one reply may ask for: Ask's tools answer in a handful; thousands of
#: calls in one reply would each be run, so such a reply is refused.
MAX_TOOL_CALLS = 16


def _tool_calls(message: Any) -> list[ToolCall]:
    calls: list[ToolCall] = []
    raws = getattr(message, "tool_calls", None) or []
    if not isinstance(raws, list):
        raise LLMFailure("malformed_response", "the tool calls were not a list")
    if len(raws) > MAX_TOOL_CALLS:
        raise LLMFailure("malformed_response", f"the reply asked for {len(raws):,} tool calls "
                         f"(at most {MAX_TOOL_CALLS})")
    for raw in raws:
        function = getattr(raw, "function", None)
        name = getattr(function, "name", None)
        arguments = getattr(function, "arguments", None) or "{}"
        if not isinstance(name, str) or not name:
            raise LLMFailure("malformed_response", "a tool call had no function name")
        call_id = str(getattr(raw, "id", "") or f"call_{len(calls)}")
        try:
            if isinstance(arguments, str) and len(arguments) > MAX_RESPONSE_CHARS:
                raise _too_large()
            parsed = json.loads(arguments) if isinstance(arguments, str) else dict(arguments)
            json.dumps(parsed)  # nested past the recursion limit fails here, not later
        except (ValueError, TypeError, RecursionError):
            calls.append(ToolCall(call_id, name, {}, f"the arguments of the tool call {name!r} "
                                                     "are not JSON"))
            continue
        if not isinstance(parsed, dict):
            calls.append(ToolCall(call_id, name, {}, f"the arguments of the tool call {name!r} "
                                                     "are not an object"))
            continue
        calls.append(ToolCall(call_id, name, parsed))
    return calls


def _once_tools(litellm: Any, settings: LLMSettings, messages: Sequence[dict[str, Any]],
                tools: Sequence[dict[str, Any]], extra: dict[str, Any],
                deadline: _Deadline) -> ToolTurn:
    kwargs: dict[str, Any] = {"model": settings.model, "messages": list(messages),
                              "tools": list(tools), "tool_choice": "auto",
                              "timeout": deadline.remaining(),
                              "max_tokens": settings.max_output_tokens, "max_retries": 0, **extra}
    if settings.base_url:
        kwargs["api_base"] = settings.base_url
    response = litellm.completion(**kwargs)
    try:
        choice = response.choices[0]
        message = choice.message
        finish = choice.finish_reason
    except (AttributeError, IndexError, KeyError, TypeError):
        raise LLMFailure("malformed_response", "the response had no message") from None
    calls = _tool_calls(message)
    text = getattr(message, "content", None) or ""
    if not isinstance(text, str):
        raise LLMFailure("malformed_response", "the response text was not a string")
    if len(text) + sum(len(json.dumps(c.arguments)) for c in calls) > MAX_RESPONSE_CHARS:
        raise _too_large()
    if not calls and not text.strip():
        raise LLMFailure("malformed_response", "the response had neither text nor tool calls")
    assistant: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        assistant["tool_calls"] = [{"id": c.id, "type": "function",
                                    "function": {"name": c.name,
                                                 "arguments": json.dumps(c.arguments)}}
                                   for c in calls]
    usage = getattr(response, "usage", None)
    tokens_in, tokens_out, usd = _usage_and_cost(litellm, settings, messages, text, usage)
    return ToolTurn(text=text, tool_calls=calls, message=assistant, input_tokens=tokens_in,
                    output_tokens=tokens_out, usd=usd, truncated=finish == "length")


def complete_with_tools(settings: LLMSettings, messages: Sequence[dict[str, Any]],
                        tools: Sequence[dict[str, Any]], *,
                        sleep: Callable[[float], None] = time.sleep, **extra: Any) -> ToolTurn:
    """One turn of a tool-calling exchange (OpenAI-style ``tools``), with the same timeout,
    rate-limit retries and failure kinds as :func:`complete`."""
    return _with_retries(settings, sleep, lambda litellm, deadline: _once_tools(
        litellm, settings, messages, tools, extra, deadline))


def warm_up() -> bool:
    """Import litellm now (it takes seconds), pinned offline; False if it cannot be loaded.

    The TUI calls this in a background thread as soon as an LLM is configured, so the first
    question does not wait for the import.
    """
    try:
        _litellm()
    except Exception:  # the first real call reports the problem properly
        return False
    return True

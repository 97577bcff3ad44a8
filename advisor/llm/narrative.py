"""The LLM-drafted narrative: prompt, call, guard, one retry, cache, and the fallback.

:func:`narrate` never raises for an LLM problem. Whatever happens (a provider error, a
timeout, rate limits, a draft that invents a figure twice) the report gets a narrative: the
model's, if it passed the guard, else the built-in one with a one-sentence note saying why.
Each guard violation and provider failure is recorded in the history store as a failure
pattern, and the most frequent kinds feed back into the prompt as standing instructions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor.core.result import Narrative, Result
from advisor.core.rulebase import RuleBase
from advisor.llm import guard
from advisor.llm.client import Completion, LLMFailure, complete, seconds
from advisor.llm.facts import build_facts
from advisor.llm.prompt import (
    PROMPT_VERSION,
    cache_key,
    narrative_messages,
    retry_messages,
    standing_from_counts,
)
from advisor.llm.sanitize import sanitize
from advisor.llm.secrets import scrub
from advisor.llm.settings import LLMSettings
from advisor.llm.store_access import SafeStore

_NOTE = "The LLM narrative was not used: {reason}; the built-in narrative is shown."


def _fallback(builtin: Narrative, reason: str, model: str, spent: list[Completion]) -> Narrative:
    """The built-in narrative, saying why, and what the failed attempts cost."""
    builtin.note = scrub(_NOTE.format(reason=reason))
    builtin.model = model
    if spent:
        builtin.input_tokens = sum(c.input_tokens for c in spent)
        builtin.output_tokens = sum(c.output_tokens for c in spent)
        costs = [c.usd for c in spent if c.usd is not None]
        builtin.usd = None if len(costs) < len(spent) else round(sum(costs), 8)
    return builtin


def _failure_reason(failure: LLMFailure, settings: LLMSettings) -> str:
    if failure.kind == "timeout":
        return f"the model did not answer within {seconds(settings.timeout)}"
    if failure.kind == "rate_limit":
        return f"the provider kept refusing with rate limits after {failure.attempts} attempts"
    if failure.kind == "malformed_response":
        return "the provider's response could not be read"
    detail = failure.detail.splitlines()[0] if failure.detail else "unknown error"
    if len(detail) > 160:
        detail = detail[:160].rsplit(" ", 1)[0] + " …"
    return f"the provider returned an error ({detail})"


def _cache_model(settings: LLMSettings) -> str:
    """What the cache key says about where the narrative came from: the model, and the
    server when one is named (its redacted form: the key never holds a credential)."""
    if not settings.base_url:
        return settings.model
    from advisor.data.redact import redact_url

    return f"{settings.model}@{redact_url(settings.base_url)}"


def _from_cache(entry: Any, allowed: guard.FactFigures, tier: str,
                headings: tuple[str, ...]) -> str | None:
    """A cached narrative's text, sanitized and checked again; None (a miss) for anything
    damaged, unreadable or no longer passing the guard."""
    if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
        return None
    text = sanitize(entry["text"], headings)
    if not text or guard.check(text, facts=allowed, tier=tier, headings=headings,
                               max_chars=guard.DEFAULT_MAX_CHARS):
        return None
    return text


def narrate(result: Result, rulebase: RuleBase, settings: LLMSettings | None, *,
            on_chunk: Callable[[str], None] | None = None, store: Any | None = None,
            on_reset: Callable[[], None] | None = None, **llm_extra: Any) -> Narrative:
    """A narrative for ``result``: the model's if it passes the guard, else the built-in one.

    ``on_chunk`` receives each piece of text as it streams in, on the call's worker thread (the
    whole call runs under one wall-clock deadline): a UI hands it on with call_from_thread. The
    streamed text is provisional: when the guard rejects a draft, ``on_reset`` is called
    before the retry streams (clear the view then), and in any case the returned narrative's
    text is the one to show once this returns.
    ``llm_extra`` is passed to litellm (tests use ``mock_response``).
    """
    from advisor.render.report import NARRATIVE_HEADINGS, ROLE_LABELS, builtin_narrative

    builtin = builtin_narrative(result, rulebase)
    if settings is None:
        return builtin
    access = SafeStore(store)
    try:
        return _narrate(result, rulebase, settings, builtin, access, on_chunk, on_reset,
                        llm_extra, NARRATIVE_HEADINGS, ROLE_LABELS.get(result.role, result.role))
    finally:
        access.close()


def _narrate(result: Result, rulebase: RuleBase, settings: LLMSettings, builtin: Narrative,
             access: SafeStore, on_chunk: Callable[[str], None] | None,
             on_reset: Callable[[], None] | None, llm_extra: dict[str, Any],
             headings: tuple[str, ...], role: str) -> Narrative:
    model = settings.model
    facts = build_facts(result, rulebase)
    counts = access.failure_counts()
    messages = narrative_messages(facts, role=role, headings=headings,
                                  standing=standing_from_counts(counts),
                                  voice=result.voice.get("prompt"))
    key = cache_key(messages, _cache_model(settings), PROMPT_VERSION)
    allowed = guard.FactFigures(facts.texts())
    cached = _from_cache(access.call("cached_narrative", key), allowed, result.tier, headings)
    if cached is not None:
        if on_chunk is not None:
            on_chunk(cached)
        return Narrative(source="llm", text=cached, model=model, input_tokens=0,
                         output_tokens=0, usd=0.0, cached=True)
    spent: list[Completion] = []
    attempt_messages = messages
    violations: list[guard.Violation] = []
    for attempt in range(2):
        try:
            completion = complete(settings, attempt_messages, on_chunk=on_chunk, **llm_extra)
        except LLMFailure as failure:
            access.record_failure(failure.kind, model, "", failure.detail)
            return _fallback(builtin, _failure_reason(failure, settings), model, spent)
        spent.append(completion)
        # Untrusted output: reduced to plain paragraphs and lists under the headings before
        # it is checked, rendered or cached.
        text = sanitize(guard.canonical_headings(guard.normalize(completion.text), headings),
                        headings)
        violations = guard.check(text, facts=allowed, tier=result.tier, headings=headings,
                                 max_chars=guard.DEFAULT_MAX_CHARS,
                                 truncated=completion.truncated)
        for v in violations:
            access.record_failure(v.kind, model, v.span, f"attempt {attempt + 1}: {v.message}")
        if not violations:
            narrative = Narrative(
                source="llm", text=text, model=model,
                input_tokens=sum(c.input_tokens for c in spent),
                output_tokens=sum(c.output_tokens for c in spent),
                usd=None if any(c.usd is None for c in spent)
                else round(sum(c.usd for c in spent if c.usd is not None), 8))
            access.call("cache_narrative", key, model,
                        {"text": text, "prompt_version": PROMPT_VERSION})
            return narrative
        if attempt == 0:
            attempt_messages = retry_messages(messages, [v.message for v in violations])
            if on_reset is not None:
                on_reset()
    return _fallback(builtin, violations[0].message, model, spent)

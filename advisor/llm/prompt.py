"""Build the prompts (templates/prompts/*.j2) and the key that caches what they produce.

A prompt is an input contract: objective, audience, sources, output format. The wording lives
in templates a user can read; this module supplies the data and the standing instructions
learnt from recorded failures: for the guard violations seen most often, one extra rule each.
Only which kinds are included affects the text (not their counts, and always in a fixed
order), so the prompt, and with it the cache key, changes only when that set changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from advisor.llm.facts import Facts

PROMPT_VERSION = "narrative-v1"
NARRATIVE_MAX_WORDS = 300  # with the headline and the date line, the summary stays under 400
ASK_MAX_WORDS = 200
MAX_STANDING = 3

#: The extra rule for each guard violation kind, in the order they appear in a prompt.
STANDING_INSTRUCTIONS: dict[str, str] = {
    "invented_figure": ("Earlier drafts were rejected for figures not in the facts: copy every "
                        "figure from the facts, never round differently or calculate."),
    "wrong_tier": ("Earlier drafts were rejected for naming the wrong tier: mention only the "
                   "tier in the facts, and no other tier name at all."),
    "missing_headings": ("Earlier drafts were rejected for their headings: start directly with "
                         "the first heading and use the three headings exactly as written."),
    "link": "Earlier drafts were rejected for links: write no URL and no Markdown link.",
    "html": "Earlier drafts were rejected for HTML: write plain Markdown only.",
    "too_long": ("Earlier drafts were rejected for length: stay well under the word limit, "
                 "two or three short paragraphs or lists in all."),
    "contradicts_constraint": ("Earlier answers were rejected for ignoring the person's "
                               "constraints: never advise an API to an organisation that must "
                               "stay on-premises, and never state a $0 cost where none is "
                               "computed."),
}

Messages = list[dict[str, str]]


def standing_from_counts(counts: Sequence[tuple[str, int]]) -> list[str]:
    """The standing instructions for the most frequent guard failures, in a fixed order."""
    ranked = sorted((-n, kind) for kind, n in counts if kind in STANDING_INSTRUCTIONS and n > 0)
    top = [kind for _, kind in ranked[:MAX_STANDING]]
    return [text for kind, text in STANDING_INSTRUCTIONS.items() if kind in top]


def _render(name: str, **context: Any) -> str:
    from advisor.render.report import environment

    return environment().get_template(f"prompts/{name}").render(**context).strip() + "\n"


def narrative_messages(facts: Facts, *, role: str, headings: Sequence[str],
                       standing: Sequence[str] = (), voice: str | None = None) -> Messages:
    system = _render("narrative_system.j2", role=role, voice=voice, headings=list(headings),
                     max_words=NARRATIVE_MAX_WORDS, standing=list(standing))
    user = _render("narrative_user.j2", facts_json=facts.as_json())
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def retry_messages(messages: Messages, problems: Sequence[str]) -> Messages:
    """The first prompt again, plus a note naming what was wrong with the rejected draft."""
    return [*messages, {"role": "user", "content": _render("retry.j2", problems=list(problems))}]


def cache_key(messages: Messages, model: str, version: str = PROMPT_VERSION) -> str:
    """sha256 of the prompt text, the model and the prompt version."""
    h = hashlib.sha256()
    for part in (version, model, *(f"{m['role']}\n{m['content']}" for m in messages)):
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def ask_tools_messages(facts_json: str, *, role: str, question: str, entries: Sequence[Any],
                       computed: str, standing: Sequence[str] = ()) -> Messages:
    """The Ask prompt when the model works through tools (``advisor.ask.grounded``)."""
    system = _render("ask_tools_system.j2", role=role, max_words=ASK_MAX_WORDS,
                     standing=list(standing))
    user = _render("ask_user.j2", facts_json=facts_json, entries=list(entries),
                   computed=computed or "(nothing computed for this question)",
                   question=question)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]

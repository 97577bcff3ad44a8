"""Say: facts into the reader's words, from ``rules/ask/wording.toml``.

Topic handlers hand over figures and choices; the phrases here word them, in the reader's
voice (an investor hears about "the company", in the third person), with figures said as the
report says them (``core.wording``). The last pass over every answer drops ids a reader must
never see ("(faq-q2)", "[s1-prices]"), puts the text in the reader's voice, and keeps to "in
two sentences" when the question asked for it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from advisor.ask.lexicon import read
from advisor.core import wording


def voice_of(result: Any) -> str:
    """``company`` for an investor reading about the company assessed, else ``you`` (the
    replacement table for the answers still written as sentences)."""
    return "company" if getattr(result, "role", None) == "investor" else "you"


def reader(result: Any, rulebase: Any) -> dict[str, str]:
    """The reader's words from ``rules/voice.toml`` ("your" or "the company's"), the same the
    report uses; plus ``You_are``."""
    from advisor.core.findings import voice_for

    words = dict(voice_for(getattr(rulebase, "voices", ()),
                           {**getattr(result, "answers", {}), "role": result.role}))
    words.setdefault("your", "your")
    words.setdefault("Your", "Your")
    words.setdefault("you_are", "you are")
    words["You_are"] = words["you_are"][:1].upper() + words["you_are"][1:]
    words.setdefault("you_run", "you run")
    words["You_run"] = words["you_run"][:1].upper() + words["you_run"][1:]
    words.setdefault("you_pay", "you pay")
    words["You_pay"] = words["you_pay"][:1].upper() + words["you_pay"][1:]
    words.setdefault("you", "you")
    second = words["you"] == "you"
    words.setdefault("you_have", "you have" if second else f"{words['you']} has")
    words.setdefault("you_serve", "you serve" if second else f"{words['you']} serves")
    return words


def phrase(key: str, voice: dict[str, str] | str, **facts: Any) -> str:
    """The phrase ``key`` (dotted for a nested one), filled from the reader's words and
    ``facts``."""
    node: Any = read("wording.toml")["phrases"]
    for part in key.split("."):
        node = node[part]
    words = voice if isinstance(voice, dict) else {}
    values = {**words, **facts}
    return wording.fill(str(node), values) or str(node).format_map(_Blank(values))


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "n/a"


def words(section: str, key: str) -> str:
    return str(read("wording.toml")[section].get(key, key.replace("_", " ")))


def money(value: float | None) -> str:
    """Dollars as the report says them ($12.50, $48,600, $1.25 million)."""
    return wording.money(value)


def count(value: float | None) -> str:
    return wording.quantity(value)


@cache
def _ids() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in read("wording.toml")["ids"]["patterns"])


@cache
def _voice(voice: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    table = read("wording.toml")["voice"].get(voice, {})
    return tuple((re.compile(r"(?<![\w'])" + re.escape(k) + (r"(?!\w)" if k[-1].isalnum()
                                                            else "")), v)
                 for k, v in sorted(table.items(), key=lambda kv: -len(kv[0])))


def strip_ids(text: str) -> str:
    for pattern in _ids():
        text = pattern.sub("", text)
    return text


def in_voice(text: str, voice: str) -> str:
    for pattern, replacement in _voice(voice):
        text = pattern.sub(replacement, text)
    return text


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[*A-Z(\"“$0-9])")


def sentences(text: str, n: int) -> str:
    """The first ``n`` sentences of ``text``, lists and headings folded into prose."""
    flat = " ".join(line.strip().lstrip("-*0123456789. ").strip() if line.strip().startswith(
        ("-", "1", "2", "3", "4", "5")) else line.strip() for line in text.splitlines()
        if line.strip() and not line.strip().startswith("_"))
    parts = [p for p in _SENTENCE.split(flat) if p.strip()]
    return " ".join(parts[:max(1, n)]).strip() + "\n"


def finish(text: str, *, voice: str, limit: int | None) -> str:
    """The last pass over an answer: no ids, the reader's voice, the length asked for."""
    text = strip_ids(text)
    text = in_voice(text, voice)
    if limit:
        text = sentences(text, limit)
    return text if text.endswith("\n") else text + "\n"

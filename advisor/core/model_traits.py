"""What the price map says about a model beyond its list prices.

litellm's map carries cache-read and batch prices, capability flags and retirement dates for
most models. The cost levers (prompt caching, batch API, a smaller model of the same kind), the
quality class of the cheapest option and the model-retirement finding all read them
(spec/costs.md, levers; quality class and model lifecycle). They travel as one compact string
in the price table, so looking a model up stays one ``str.find`` (bench B4), and are decoded
only for the model a run prices.
"""

from __future__ import annotations

import math
from typing import Any

from advisor.core.records import Record

#: Capability flags kept, in the order of their letters in the encoded form.
CAPABILITIES = (("r", "supports_reasoning"), ("f", "supports_function_calling"),
                ("v", "supports_vision"), ("c", "supports_prompt_caching"))
_SEP = "|"


class ModelTraits(Record):
    """Prices per million tokens for the cheaper ways of buying the same tokens, capabilities,
    and the model's retirement date and successor, as the price map lists them."""

    __slots__ = ("cache_read_per_mtok", "batch_input_per_mtok", "batch_output_per_mtok",
                 "reasoning", "function_calling", "vision", "prompt_caching",
                 "deprecation_date", "successor_model")

    def __init__(self, cache_read_per_mtok: float | None = None,
                 batch_input_per_mtok: float | None = None,
                 batch_output_per_mtok: float | None = None, reasoning: bool = False,
                 function_calling: bool = False, vision: bool = False,
                 prompt_caching: bool = False, deprecation_date: str | None = None,
                 successor_model: str | None = None) -> None:
        self.cache_read_per_mtok = cache_read_per_mtok
        self.batch_input_per_mtok = batch_input_per_mtok
        self.batch_output_per_mtok = batch_output_per_mtok
        self.reasoning = reasoning
        self.function_calling = function_calling
        self.vision = vision
        self.prompt_caching = prompt_caching
        self.deprecation_date = deprecation_date
        self.successor_model = successor_model

    def capabilities(self) -> tuple[bool, bool, bool]:
        """The capabilities a replacement must keep (costs.md, smaller model)."""
        return self.reasoning, self.function_calling, self.vision

    def encode(self) -> str:
        """The compact form kept in the price table (no tabs or newlines)."""
        flags = "".join(letter for letter, name in CAPABILITIES
                        if getattr(self, _ATTR[name]))
        parts = [_num(self.cache_read_per_mtok), _num(self.batch_input_per_mtok),
                 _num(self.batch_output_per_mtok), flags, self.deprecation_date or "",
                 self.successor_model or ""]
        return _SEP.join(_clean(p) for p in parts)


_ATTR = {"supports_reasoning": "reasoning", "supports_function_calling": "function_calling",
         "supports_vision": "vision", "supports_prompt_caching": "prompt_caching"}


def _clean(text: str) -> str:
    return "".join(" " if ch in "\t\n\r|" else ch for ch in text)


def _num(x: float | None) -> str:
    return "" if x is None else repr(x)


def _per_mtok(entry: dict[str, Any], key: str) -> float | None:
    v = entry.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
        return None
    return float(v) * 1e6


def traits_from_entry(entry: dict[str, Any]) -> ModelTraits:
    """The traits of one price-map entry; anything missing or malformed is simply absent."""
    date = entry.get("deprecation_date")
    successor = entry.get("successor_model")
    return ModelTraits(
        cache_read_per_mtok=_per_mtok(entry, "cache_read_input_token_cost"),
        batch_input_per_mtok=_per_mtok(entry, "input_cost_per_token_batches"),
        batch_output_per_mtok=_per_mtok(entry, "output_cost_per_token_batches"),
        reasoning=entry.get("supports_reasoning") is True,
        function_calling=entry.get("supports_function_calling") is True,
        vision=entry.get("supports_vision") is True,
        prompt_caching=entry.get("supports_prompt_caching") is True,
        deprecation_date=date if isinstance(date, str) and _is_iso_date(date) else None,
        successor_model=successor if isinstance(successor, str) and 0 < len(successor) <= 200
        else None)


def decode(text: str) -> ModelTraits | None:
    """The traits from their compact form; None for an empty or damaged one."""
    parts = text.split(_SEP)
    if len(parts) != 6:
        return None
    try:
        nums = [float(p) if p else None for p in parts[:3]]
    except ValueError:
        return None
    flags = parts[3]
    return ModelTraits(cache_read_per_mtok=nums[0], batch_input_per_mtok=nums[1],
                       batch_output_per_mtok=nums[2], reasoning="r" in flags,
                       function_calling="f" in flags, vision="v" in flags,
                       prompt_caching="c" in flags, deprecation_date=parts[4] or None,
                       successor_model=parts[5] or None)


def _is_iso_date(text: str) -> bool:
    y, m, d = text[:4], text[5:7], text[8:10]
    return (len(text) == 10 and text[4] == text[7] == "-" and y.isdigit() and m.isdigit()
            and d.isdigit() and 1 <= int(m) <= 12 and 1 <= int(d) <= 31)

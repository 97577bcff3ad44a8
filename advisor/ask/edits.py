"""The edit form every what-if is written in, whoever understood it (the offline parser or
the LLM's tool call): ``volume*2``, ``requests=2000000``, ``calls=30``, ``model=NAME``,
``market*0.1``, ``price_in=1``, ``probs=0.3/0.6/0.1`` — the form the corpus's ``calc`` uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Edits whose kind is one of these map to the intent of that what-if.
KIND_INTENT = {
    "volume_factor": "volume_whatif", "requests": "volume_whatif", "add_requests":
    "volume_whatif", "daily_users": "volume_whatif", "per_user": "volume_whatif",
    "model": "model_whatif",
    "price": "price_per_mtok_whatif", "calls_per_task": "calls_per_task_whatif",
    "market": "price_change_whatif", "probabilities": "probabilities_whatif",
    "input_tokens": "tokens_whatif", "output_tokens": "tokens_whatif", "answer": "answer_whatif",
}
WHAT_IF_INTENTS = frozenset(KIND_INTENT.values()) | {"combined_whatif", "follow_up"}
MAX_FACTOR = 1e6  # a what-if may scale a figure up (or down) a million times, no more
SCENARIO_IDS = ("stabilization", "further_decline", "divergence")
VOLUME_KINDS = frozenset({"volume_factor", "requests", "daily_users", "add_requests",
                          "per_user"})


@dataclass
class Edit:
    """One change to the answers: ``kind`` and ``value`` (see :data:`KIND_INTENT`)."""

    kind: str
    value: Any
    said: str = ""  # the words it came from

    def form(self) -> str:
        """The edit as the corpus writes it."""
        v = self.value
        if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
            v = int(v)
        if self.kind == "volume_factor":
            return f"volume*{_n(v)}"
        if self.kind == "market":
            return f"market*{_n(v)}"
        if self.kind == "requests":
            return f"requests={_n(v)}"
        if self.kind == "add_requests":
            return f"requests+{_n(v)}"
        if self.kind == "daily_users":
            return f"daily_users={_n(v)}"
        if self.kind == "per_user":
            return f"requests_per_user={_n(v)}"
        if self.kind == "calls_per_task":
            return f"calls={_n(v)}"
        if self.kind == "model":
            return f"model={v}"
        if self.kind == "price":
            if set(v) == {"in", "out"} and v["in"] == v["out"]:
                return f"price={_n(v['in'])}"
            return " ".join(f"price_{k}={_n(v[k])}" for k in ("in", "out") if k in v)
        if self.kind == "probabilities":
            return "probs=" + "/".join(f"{_n(v[k])}" for k in SCENARIO_IDS)
        if self.kind in ("input_tokens", "output_tokens"):
            return f"{self.kind}={_n(v)}"
        return " ".join(f"{k}={w}" for k, w in v.items())


def _n(v: float) -> str:
    return f"{v:.10g}" if abs(v) < 1e15 else f"{v:g}"


def forms(edits: list[Edit]) -> str:
    return " ".join(e.form() for e in edits)


@dataclass
class Parsed:
    intent: str
    edits: list[Edit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    scenario: str | None = None  # a scenario named in the question
    follow_up: bool = False
    unknown: list[str] = field(default_factory=list)  # numbers / change words not understood
    noops: list[Edit] = field(default_factory=list)  # edits that change nothing
    sentences: int | None = None  # "in two sentences"
    topic: str | None = None  # the topic the words score highest for
    figures: dict[str, Any] = field(default_factory=dict)  # quantities a topic needs
    also: str | None = None  # a second topic asked in the same question


#: Edit kinds whose new value replaces the earlier one (the state in force keeps one of each).
_REPLACES = frozenset({"calls_per_task", "model", "requests", "daily_users", "price", "per_user",
                       "probabilities", "input_tokens", "output_tokens"})


def merged(chain: list[Edit], new: list[Edit], *, instead: bool = False) -> list[Edit]:
    """``chain`` then ``new``, where a value set anew replaces the earlier value of its kind;
    with ``instead`` ("what if it triples instead?") a factor replaces the earlier one too."""
    kinds = {e.kind for e in new if e.kind in _REPLACES or instead}
    if "requests" in kinds or "daily_users" in kinds:  # a volume set anew drops older factors
        kinds |= {"volume_factor", "add_requests", "requests", "daily_users"}
    return [e for e in chain if e.kind not in kinds] + new

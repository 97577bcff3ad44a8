"""A tiny, safe condition language for rules and question relevance.

Why our own and not a library: the whole language is a list of clauses ``answer op literal``
(ops ``== != < <= > >= in``) grouped in ``all`` / ``any`` tables. It parses with one regular
expression and :func:`json.loads` for the literal, costs nothing at import, cannot execute
code, and every clause is also valid CEL, so a later move to a CEL engine is mechanical.
Rule-engine libraries measured here cost a second at import or silently turn a missing field
into ``false``; we want the opposite.

Evaluation is three-valued (Kleene logic): a clause that reads an unknown answer is
*unknown* (``None``), ``all``/``any`` combine unknowns the usual way, and a rule fires only
when its condition is definitely true. Because removing an answer can only turn a known
result into an unknown one, "fewer answers" can never make a question more relevant-looking
or a rule more likely to fire in a surprising direction.

Two clauses test knowledge itself: ``x == null`` (x is unknown) and ``x != null`` (x is known).
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Union

from advisor.core.errors import RulePackError
from advisor.core.records import Record

Tri = bool | None  # True, False, or None for "unknown"

_CLAUSE = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*(==|!=|<=|>=|<|>|\bin\b)\s*(.+?)\s*$")

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge, "in": lambda a, b: a in b,
}


class Clause(Record):
    """One comparison of a named value against a literal."""

    __slots__ = ("name", "op", "value", "text")

    def __init__(self, name: str, op: str, value: Any, text: str) -> None:
        self.name = name
        self.op = op
        self.value = value
        self.text = text

    def evaluate(self, values: Mapping[str, Any], *, open_world: bool = False) -> Tri:
        """Compare; ``open_world`` makes ``x == null`` / ``x != null`` unknown when x is missing.

        The open-world reading is for confidence: "is daily_users needed?" is undecided while
        the answers it depends on are missing, rather than settled by their absence.
        """
        actual = values.get(self.name)
        if self.value is None:  # knowledge tests: x == null / x != null
            if actual is None and open_world:
                return None
            return (actual is None) if self.op == "==" else (actual is not None)
        if actual is None:
            return None
        if isinstance(actual, bool) != isinstance(self.value, bool) and self.op != "in":
            return False
        try:
            return bool(_COMPARE[self.op](actual, self.value))
        except TypeError:
            return False

    def names(self) -> Iterator[str]:
        yield self.name

    def clauses(self) -> Iterator[Clause]:
        yield self


class Group(Record):
    """``all`` (every part true) or ``any`` (at least one part true), in Kleene logic."""

    __slots__ = ("kind", "parts")

    def __init__(self, kind: str, parts: tuple[Condition, ...]) -> None:
        self.kind = kind
        self.parts = parts

    def evaluate(self, values: Mapping[str, Any], *, open_world: bool = False) -> Tri:
        results = [part.evaluate(values, open_world=open_world) for part in self.parts]
        if self.kind == "all":
            if False in results:
                return False
            return None if None in results else True
        if True in results:
            return True
        return None if None in results else False

    def names(self) -> Iterator[str]:
        for part in self.parts:
            yield from part.names()

    def clauses(self) -> Iterator[Clause]:
        for part in self.parts:
            yield from part.clauses()

    @property
    def text(self) -> str:
        joiner = " && " if self.kind == "all" else " || "
        inner = joiner.join(
            p.text if isinstance(p, Clause) else f"({p.text})" for p in self.parts
        )
        return inner or ("true" if self.kind == "all" else "false")


Condition = Union[Clause, Group]  # noqa: UP007 - a runtime alias used in isinstance checks

ALWAYS = Group("all", ())


def parse_clause(text: str) -> Clause:
    """Parse ``name op literal``; the literal is JSON (numbers, "strings", booleans, null, [..])."""
    match = _CLAUSE.match(text)
    if not match:
        raise RulePackError(f"cannot read clause {text!r}: expected `answer op literal`")
    name, op, raw = match.groups()
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RulePackError(f"clause {text!r}: literal {raw!r} is not valid JSON") from exc
    if op == "in" and not isinstance(value, list):
        raise RulePackError(f"clause {text!r}: `in` needs a list literal")
    if value is None and op not in ("==", "!="):
        raise RulePackError(f"clause {text!r}: null only goes with == or !=")
    if isinstance(value, list):
        value = tuple(value)
    return Clause(name, op, value, text.strip())


def parse(spec: Any) -> Condition:
    """Parse a clause string, a list (all of), or a table ``{all=[..]}`` / ``{any=[..]}``."""
    if spec is None:
        return ALWAYS
    if isinstance(spec, str):
        return parse_clause(spec)
    if isinstance(spec, list):
        return Group("all", tuple(parse(p) for p in spec))
    if isinstance(spec, dict) and len(spec) == 1:
        ((kind, parts),) = spec.items()
        if kind in ("all", "any") and isinstance(parts, list):
            return Group(kind, tuple(parse(p) for p in parts))
    raise RulePackError(f"cannot read condition {spec!r}: expected a clause, a list, "
                       "all=[...] or any=[...]")

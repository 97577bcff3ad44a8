"""The questionnaire, loaded from ``rules/questions.toml``.

The questionnaire is the single source of truth for what an answers file may hold: the
pydantic models that validate answers are built from it (``answers.py``), the TUI walks it,
``advisor questions`` and ``advisor template`` print it, and relevance conditions are written
in the same clause language as the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.core import conditions
from advisor.core.errors import RulePackError
from advisor.core.records import Record

QUESTION_TYPES = ("choice", "bool", "int", "number", "string")


class Option(Record):
    __slots__ = ("value", "label", "hint", "hints")

    def __init__(self, value: str, label: str, hint: str = "",
                 hints: dict[str, str] | None = None) -> None:
        self.value = value
        self.label = label
        self.hint = hint
        self.hints = dict(hints or {})  # role -> the hint worded for that role

    def hint_for(self, role: str | None) -> str:
        """The hint as ``role`` reads it (enterprise IT about its own systems, not customers')."""
        return self.hints.get(role or "", self.hint)


class Question(Record):
    """One question of ``rules/questions.toml``: what is asked, of whom, and how it is typed."""

    __slots__ = ("id", "section", "prompt", "help", "type", "roles", "source", "options",
                 "required", "relevant", "relevant_spec", "min", "max", "max_length", "weight",
                 "risk", "fixed", "prompts", "helps", "unit", "example", "default")

    def __init__(self, id: str, section: str, prompt: str, help: str, type: str,
                 roles: tuple[str, ...], source: str, options: tuple[Option, ...] = (),
                 required: bool = False, relevant: conditions.Condition = conditions.ALWAYS,
                 relevant_spec: Any = None, min: float | None = None, max: float | None = None,
                 max_length: int | None = None, weight: float = 1.0, risk: tuple[Any, ...] = (),
                 fixed: bool = False, prompts: dict[str, str] | None = None,
                 helps: dict[str, str] | None = None, unit: str = "", example: str = "",
                 default: Any = None) -> None:
        self.id = id
        self.section = section
        self.prompt = prompt
        self.help = help
        self.type = type
        self.roles = roles
        self.source = source
        self.options = options
        self.required = required
        self.relevant = relevant
        self.relevant_spec = relevant_spec
        self.min = min
        self.max = max
        self.max_length = max_length
        self.weight = weight
        self.risk = risk
        self.fixed = fixed
        self.prompts = dict(prompts or {})  # role -> the prompt worded for that role
        self.helps = dict(helps or {})  # role -> the help worded for that role
        # How a number is typed in the TUI: what it counts, an example, and the value the box
        # starts with (None: it starts empty). Presentation only; validation uses min/max.
        self.unit = unit
        self.example = example
        self.default = default

    def prompt_for(self, role: str | None) -> str:
        """The prompt as ``role`` is asked it (an investor about the company assessed, enterprise
        IT about its own AI systems); the general wording for anyone else."""
        return self.prompts.get(role or "", self.prompt)

    def help_for(self, role: str | None) -> str:
        return self.helps.get(role or "", self.help)

    def asked_of(self, role: str) -> bool:
        return "*" in self.roles or role in self.roles

    def option_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)

    def label_for(self, value: Any) -> str:
        """A person-readable rendering of an answer value."""
        if value is None:
            return "unknown"
        for option in self.options:
            if option.value == value:
                return option.label
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    def is_relevant(self, values: Mapping[str, Any]) -> bool:
        """Shown unless its condition is definitely false (unknown counts as relevant)."""
        return self.relevant.evaluate(values) is not False


class Section(Record):
    __slots__ = ("id", "title")

    def __init__(self, id: str, title: str) -> None:
        self.id = id
        self.title = title


class Questionnaire(Record):
    __slots__ = ("roles", "role_labels", "sections", "questions", "by_id")

    def __init__(self, roles: tuple[str, ...], role_labels: dict[str, str],
                 sections: tuple[Section, ...], questions: tuple[Question, ...],
                 by_id: dict[str, Question]) -> None:
        self.roles = roles
        self.role_labels = role_labels
        self.sections = sections
        self.questions = questions
        self.by_id = by_id

    def for_role(self, role: str) -> list[Question]:
        return [q for q in self.questions if q.asked_of(role)]

    def relevant_for(self, role: str, values: Mapping[str, Any]) -> list[Question]:
        return [q for q in self.for_role(role) if q.is_relevant(values)]

    def section_title(self, section_id: str) -> str:
        return next((s.title for s in self.sections if s.id == section_id), section_id)


def _question(raw: dict[str, Any]) -> Question:
    try:
        qtype = raw["type"]
        if qtype not in QUESTION_TYPES:
            raise RulePackError(f"question {raw.get('id')!r}: unknown type {qtype!r}")
        roles = raw.get("roles", ["*"])
        return Question(
            id=raw["id"],
            section=raw["section"],
            prompt=raw["prompt"],
            help=" ".join(raw["help"].split()),
            type=qtype,
            roles=tuple(roles),
            source=raw["source"],
            options=tuple(Option(**o) for o in raw.get("options", ())),
            required=bool(raw.get("required", False)),
            relevant=conditions.parse(raw.get("relevant")),
            relevant_spec=raw.get("relevant"),
            min=raw.get("min"),
            max=raw.get("max"),
            max_length=raw.get("max_length"),
            weight=float(raw.get("weight", 1.0)),
            risk=tuple(raw.get("risk", ())),
            fixed=bool(raw.get("fixed", False)),
            prompts={str(k): str(v) for k, v in dict(raw.get("prompts", {})).items()},
            helps={str(k): " ".join(str(v).split())
                   for k, v in dict(raw.get("helps", {})).items()},
            unit=str(raw.get("unit", "")),
            example=str(raw.get("example", "")),
            default=raw.get("default"),
        )
    except KeyError as exc:
        raise RulePackError(f"question {raw.get('id')!r} lacks field {exc.args[0]!r}") from exc


def parse_questionnaire(data: dict[str, Any]) -> Questionnaire:
    questions = tuple(_question(q) for q in data.get("questions", ()))
    return Questionnaire(
        roles=tuple(data["roles"]),
        role_labels=dict(data.get("role_labels", {})),
        sections=tuple(Section(**s) for s in data.get("sections", ())),
        questions=questions,
        by_id={q.id: q for q in questions},
    )

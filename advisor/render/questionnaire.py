"""The questionnaire rendered for people (Markdown) and scripts (JSON): ``advisor questions``."""

from __future__ import annotations

from typing import Any

from advisor.core.questionnaire import Question, Questionnaire
from advisor.core.sources import SECTION_TITLES


def _questions(q: Questionnaire, role: str | None) -> list[Question]:
    return q.for_role(role) if role else list(q.questions)


def _type_text(question: Question) -> str:
    if question.type == "choice":
        return "one of: " + ", ".join(f"`{o.value}`" for o in question.options)
    bounds = []
    if question.min is not None:
        bounds.append(f"≥ {question.min:g}")
    if question.max is not None:
        bounds.append(f"≤ {question.max:g}")
    base = {"bool": "true or false", "int": "whole number", "number": "number",
            "string": "text"}[question.type]
    return base + (f" ({', '.join(bounds)})" if bounds else "")


def questionnaire_markdown(q: Questionnaire, role: str | None) -> str:
    lines = ["# advisor questionnaire" + (f" for role `{role}`" if role else ""), ""]
    if role:
        lines += [q.role_labels.get(role, ""), ""]
    for section in q.sections:
        items = [x for x in _questions(q, role) if x.section == section.id]
        if not items:
            continue
        lines += [f"## {section.title}", ""]
        for x in items:
            req = " (required)" if x.required else ""
            lines.append(f"### `{x.id}`{req}: {x.prompt_for(role)}")
            lines.append("")
            lines.append(x.help_for(role))
            lines.append("")
            lines.append(f"- Answer: {_type_text(x)}")
            for o in x.options:
                lines.append(f"  - `{o.value}`: {o.label}. {o.hint}")
            roles = "every role" if "*" in x.roles else ", ".join(x.roles)
            lines.append(f"- Asked of: {roles}")
            if x.relevant_spec is not None:
                lines.append(f"- Shown when: `{x.relevant.text}`")
            lines.append(f"- Source: {SECTION_TITLES.get(x.source, x.source)} (`{x.source}`)")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def questionnaire_json(q: Questionnaire, role: str | None) -> dict[str, Any]:
    return {
        "role": role,
        "sections": [{"id": s.id, "title": s.title} for s in q.sections],
        "questions": [
            {"id": x.id, "section": x.section, "prompt": x.prompt_for(role),
             "help": x.help_for(role),
             "type": x.type, "required": x.required,
             "options": [{"value": o.value, "label": o.label, "hint": o.hint}
                         for o in x.options],
             "roles": list(x.roles), "source": x.source,
             "relevant": x.relevant.text if x.relevant_spec is not None else None,
             "min": x.min, "max": x.max}
            for x in _questions(q, role)
        ],
    }

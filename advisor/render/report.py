"""Render a result as Markdown, HTML or JSON, and the built-in narrative, from Jinja2 templates.

Templates live in ``templates/`` so wording is data a user can read; this module only wires
filters and context. The environment is built once per process and templates are compiled
once. Output is deterministic: the same result renders to the same bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from functools import cache
from typing import Any

from advisor import __version__
from advisor.core.result import Narrative, Result
from advisor.core.rulebase import RuleBase
from advisor.core.sources import SECTION_TITLES
from advisor.render import charts, formatting

FORMATS = ("md", "json", "html")
NARRATIVE_HEADINGS = ("## Where you stand", "## What to do next", "## What could change")

TIER_LABELS = {"high": "High risk", "medium": "Medium risk", "lower": "Lower risk"}
ROLE_LABELS = {"startup": "Startup", "enterprise_it": "Enterprise IT", "investor": "Investor",
               "developer": "Developer"}

_MERMAID_UNSAFE = re.compile(r"[^A-Za-z0-9 ._/:()+,-]")


def mermaid_label(text: Any) -> str:
    return _MERMAID_UNSAFE.sub("", formatting.single_line(text))[:40]


def _markdown(text: str) -> Any:
    """Narrative Markdown as safe HTML; imported on first use (only the HTML report needs it)."""
    from advisor.render.markdown_html import to_html

    return to_html(text)


def _lcfirst(text: str) -> str:
    """Lower-case the first letter only, for a sentence spliced into another ("AI" stays "AI")."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def section_title(key: str) -> str:
    return SECTION_TITLES.get(key, key)


def _bytecode_cache() -> Any:
    """Compiled templates cached on disk: compiling them costs more than rendering a report."""
    from jinja2 import FileSystemBytecodeCache

    from advisor.data.paths import cache_dir

    class _BestEffort(FileSystemBytecodeCache):
        def dump_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    folder = os.path.join(cache_dir(), "templates")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    return _BestEffort(folder)


@cache
def environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from advisor.data.resources import templates_dir

    env = Environment(
        bytecode_cache=_bytecode_cache(),
        auto_reload=False,  # templates do not change while a process runs
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"),
                                      default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=formatting.md_escape, usd=formatting.usd, num=formatting.number,
        percent=formatting.percent, pct=formatting.pct, per_mtok=formatting.per_mtok,
        section=section_title, mermaid=mermaid_label, one_line=formatting.single_line,
        markdown=_markdown, lcfirst=_lcfirst,
    )
    env.globals.update(TIER_LABELS=TIER_LABELS, ROLE_LABELS=ROLE_LABELS, version=__version__,
                       SECTION_TITLES=SECTION_TITLES)
    return env


def _context(result: Result, rulebase: RuleBase) -> dict[str, Any]:
    q = rulebase.questionnaire
    # result.answers keeps the questionnaire's order (it comes from the answers model's fields).
    answered = [(q.by_id[k], v) for k, v in result.answers.items() if k in q.by_id]
    sources = sorted({r.source for r in result.fired_rules}
                     | {r.source for r in result.recommendations}
                     | {c.source for c in result.cautions} | {"s1-prices", "s5-scenarios"},
                     key=lambda k: list(SECTION_TITLES).index(k) if k in SECTION_TITLES else 99)
    return {
        "r": result,
        "costs": result.costs or {},
        "answered": answered,
        "cost_bars": charts.cost_bars(result),
        "price_bars": charts.price_bars(result, rulebase.anchors),
        "anchors": rulebase.anchors,
        "sources": sources,
        "tier_high": formatting.number(rulebase.tier_high),
        "tier_medium": formatting.number(rulebase.tier_medium),
        "usd_filter": formatting.usd,
        "mtok_filter": formatting.per_mtok,
        "gap_factor": formatting.number(rulebase.defaults.get("spend_gap_factor", 2.0)),
    }


def builtin_narrative(result: Result, rulebase: RuleBase,
                      context: dict[str, Any] | None = None) -> Narrative:
    """The offline narrative: templates only, deterministic."""
    context = context or _context(result, rulebase)
    text = environment().get_template("narrative.md.j2").render(context)
    return Narrative(source="builtin", text=text.strip() + "\n", usd=0.0)


def render(result: Result, rulebase: RuleBase, fmt: str = "md") -> str:
    """Render ``result`` (its narrative filled in, built-in if absent) as ``fmt``."""
    context = _context(result, rulebase)
    if result.narrative is None:
        result.narrative = builtin_narrative(result, rulebase, context)
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    name = {"md": "report.md.j2", "html": "report.html.j2"}[fmt]
    return environment().get_template(name).render(context)

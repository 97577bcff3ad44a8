"""Narrative Markdown -> HTML for the HTML report, through markdown-it-py.

This is the HTML-escaping boundary for text advisor did not write itself (an LLM-drafted
narrative, free text quoted in it). markdown-it-py is CommonMark-exact and already installed
(Textual and Rich depend on it); it is configured so that nothing but text and plain
structure reaches the page: raw HTML is escaped (``html`` off), links and autolinks are
rendered as their text, images as their alt text, and NUL characters become U+FFFD as
CommonMark requires.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from markupsafe import Markup, escape


def _text_only(renderer: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
    """A link's opening or closing tag renders as nothing: its text stays, the target goes."""
    return ""


def _image_alt(renderer: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
    """An image renders as its alt text: the report never loads anything from elsewhere."""
    return str(escape(tokens[idx].content))


@cache
def _parser() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    for rule in ("link_open", "link_close"):
        md.add_render_rule(rule, _text_only)
    md.add_render_rule("image", _image_alt)
    return md


def to_html(markdown: str) -> Markup:
    """Safe HTML for ``markdown``: every character of the input is escaped or structural."""
    return Markup(_parser().render(markdown).rstrip("\n"))

"""The HTML-escaping boundary: whatever Markdown comes in, only text and structure go out."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.render.markdown_html import to_html

ALLOWED_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em",
                "code", "pre", "blockquote", "hr", "br", "table", "thead", "tbody", "tr",
                "th", "td"}
TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")


def _tags(html: str) -> list[tuple[str, str]]:
    """(tag, attributes) of every tag; the slash of a self-closing ``<br />`` is not one."""
    return [(tag, attrs.strip().removesuffix("/").strip()) for tag, attrs in TAG.findall(html)]


@pytest.mark.parametrize("text,expected", [
    ("## Where you stand\n\nYou are **high** risk.",
     "<h2>Where you stand</h2>\n<p>You are <strong>high</strong> risk.</p>"),
    ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
    ("1. first\n2. second", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>"),
    ("*maybe* and `code`", "<p><em>maybe</em> and <code>code</code></p>"),
    ("[the article](https://example.com)", "<p>the article</p>"),
    ("a < b & c > d", "<p>a &lt; b &amp; c &gt; d</p>"),
])
def test_the_subset_a_narrative_uses(text: str, expected: str) -> None:
    assert str(to_html(text)) == expected


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "![alt](https://tracker.example/p.png)",
    "<a href='https://evil.example'>click</a>",
    "```\nunclosed fence <b>bold</b>\n\n## Heading after",
    "text with a NUL \x00 character",
    "<!-- comment --><iframe src=x></iframe>",
    "&lt;script&gt; already escaped",
    '<div onclick="x()">',
])
def test_hostile_markdown_yields_no_markup_but_structure(hostile: str) -> None:
    html = str(to_html(hostile))
    assert all(tag.lower() in ALLOWED_TAGS for tag, _ in _tags(html)), html
    assert all(not attrs.strip() or attrs.strip().startswith('class="language-')
               for _, attrs in _tags(html)), html
    live = re.sub(r"&lt;.*?&gt;", "", html)  # escaped markup is text, not markup
    assert "href=" not in live and "src=" not in live and "onerror" not in live, html
    assert "\x00" not in html


@pytest.mark.parametrize("text", ["\\\r0", "line\\\nbreak", "two  \nspaces"])
def test_hard_line_breaks_are_allowed_markup(text: str) -> None:
    html = str(to_html(text))
    assert "<br />" in html
    _assert_allowed(html)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_renders_to_allowed_tags_only(text: str) -> None:
    _assert_allowed(str(to_html(text)))


def _assert_allowed(html: str) -> None:
    for tag, attrs in _tags(html):
        assert tag.lower() in ALLOWED_TAGS, html
        assert not attrs.strip() or attrs.strip().startswith('class="language-'), html

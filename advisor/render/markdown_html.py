"""A deliberately small Markdown -> HTML converter for narrative text in the HTML report.

Narratives (built-in or LLM-drafted) use only headings, paragraphs, lists, bold, italics and
inline code. Converting that subset ourselves keeps the HTML report self-contained and safe:
every character is HTML-escaped first, links are rendered as plain text, and raw HTML in the
narrative can never reach the page.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup, escape

_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>/])")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_ORDERED = re.compile(r"^\d+[.)]\s+")
_PLACEHOLDER = "\x00{}\x00"


def _inline(text: str) -> str:
    # Protect backslash-escaped characters from the emphasis rules, then restore them.
    stash: list[str] = []

    def keep(match: re.Match[str]) -> str:
        stash.append(match.group(1))
        return _PLACEHOLDER.format(len(stash) - 1)

    text = _ESCAPED.sub(keep, text)
    text = _LINK.sub(r"\1", text)
    text = html.unescape(text)  # entities mean their characters in Markdown, as in HTML
    out = str(escape(text))
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    out = _ITALIC.sub(r"<em>\1</em>", out)
    return re.sub("\x00(\\d+)\x00", lambda m: str(escape(stash[int(m.group(1))])), out)


def to_html(markdown: str) -> Markup:
    out: list[str] = []
    list_tag: str | None = None
    paragraph: list[str] = []

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None

    for raw in markdown.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            flush()
            level = len(heading.group(1))
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
            continue
        bullet = line.startswith(("- ", "* "))
        ordered = _ORDERED.match(line)
        if bullet or ordered:
            tag = "ul" if bullet else "ol"
            if paragraph:
                out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
                paragraph.clear()
            if list_tag != tag:
                if list_tag:
                    out.append(f"</{list_tag}>")
                out.append(f"<{tag}>")
                list_tag = tag
            item = line[2:] if bullet else line[ordered.end():]
            out.append(f"<li>{_inline(item)}</li>")
            continue
        if list_tag and not paragraph:
            out[-1] = out[-1][:-5] + " " + _inline(line) + "</li>"
            continue
        paragraph.append(line)
    flush()
    return Markup("\n".join(out))

"""An LLM draft reduced to plain paragraphs and lists under the narrative's headings.

The model's text is untrusted output. Before it is checked (:mod:`advisor.llm.guard`),
rendered or cached it passes through :func:`sanitize`, which keeps only what a narrative
needs (paragraphs, lists, emphasis, the three ``##`` headings) and drops everything that
could change the report around it or reach out of it:

- NUL, other control characters, and bidi overrides and isolates;
- code fences (an unclosed one would swallow the report's later sections) and indented
  code; setext underlines and thematic breaks; block quotes;
- raw HTML, HTML comments (closed or not) and autolinks of any scheme;
- links of every kind (inline, reference-style, shortcut, images, definitions, bare URLs):
  a link's text stays, its target goes;
- any heading but the narrative's own (a smuggled ``## Sources`` becomes plain text);
- anything that looks like a secret (:func:`advisor.llm.secrets.scrub`).

The result is Markdown that renders as text and structure only, whatever the model wrote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from advisor.llm.secrets import scrub

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e"
                      "\u2060-\u2069\ufeff\ufff9-\ufffb]")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_RULE = re.compile(r"^\s{0,3}([-*_=])(?:\s*\1){2,}\s*$")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})(?:[ \t]+|$)(.*?)[ \t]*#*[ \t]*$")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_COMMENT = re.compile(r"<!--|--!?>")
_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>")
_OPEN_ANGLE = re.compile(r"(?<!\\)<(?=\s*[A-Za-z/!?])")
_BRACKET = re.compile(r"(?<!\\)([\[\]])")
_DEFINITION = re.compile(r"^\s{0,3}\[[^\]\n]*\]:")
_REFERENCE = re.compile(r"!?\[([^\[\]\n]*)\]\s?\[[^\]\n]*\]")
_CUT = "\x00"  # where a link target was cut (NUL never survives to this point otherwise)
_LINK_TEXT = re.compile(r"!?\[([^\[\]\n]*)\]\x00")
_SPACES = re.compile(r" {2,}")
_URL = re.compile(r"(?i)(?<![\w@])(?:[a-z][a-z0-9+.-]{1,20}:(?://|(?=[^\s\d]))|www\.)"
                  r"[^\s<>\"'`]*")
_SCHEMES = re.compile(r"(?i)^(?:https?|ftp|ftps|file|javascript|vbscript|data|mailto|tel|sms|"
                      r"blob|ws|wss|about|chrome|intent|ssh|git|irc|news|nntp|telnet|"
                      r"view-source|jar|smb|ldap)$")
_BLANKS = re.compile(r"\n{3,}")


def _strip_link_targets(line: str) -> str:
    """``[text](target)`` and ``![alt](target)`` become ``text`` / ``alt``; nested
    parentheses in the target (``javascript:alert(1)``) are matched, not cut short."""
    out: list[str] = []
    i = 0
    while i < len(line):
        j = line.find("](", i)
        if j < 0:
            out.append(line[i:])
            break
        out.append(line[i:j + 1])
        depth, k = 0, j + 1
        while k < len(line):
            ch = line[k]
            if ch == "\\":
                k += 2
                continue
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        out.append(_CUT)
        i = k + 1  # past the closing parenthesis (or the end of an unclosed target)
    return _LINK_TEXT.sub(r"\1", "".join(out)).replace(_CUT, "")


def _strip_urls(line: str) -> str:
    def drop(m: re.Match[str]) -> str:
        text = m.group(0)
        if text.lower().startswith("www."):
            return ""
        scheme = text.split(":", 1)[0]
        return "" if _SCHEMES.match(scheme) or text[len(scheme) + 1:].startswith("//") else text

    return _URL.sub(drop, line)


def sanitize(text: str, headings: Sequence[str] = ()) -> str:
    """``text`` as plain Markdown paragraphs and lists under ``headings`` (see module doc).

    ``headings`` are the ``## ...`` lines kept as headings; every other heading becomes text.
    Idempotent: sanitizing the result again changes nothing.
    """
    text = scrub(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _CONTROL.sub("", text)
    text = _COMMENT.sub("", text)
    text = _TAG.sub("", text)
    keep = {h.strip() for h in headings}
    lines: list[str] = []
    for raw in text.split("\n"):
        if _FENCE.match(raw) or _RULE.match(raw) or _DEFINITION.match(raw):
            continue
        line = _QUOTE.sub("", raw)
        heading = _HEADING.match(line)
        if heading:
            whole = f"{heading.group(1)} {heading.group(2).strip()}"
            if whole in keep:
                lines.append(whole)
                continue
            line = heading.group(2)
        line = line.strip()
        line = _strip_link_targets(line)
        line = _REFERENCE.sub(r"\1", line)
        line = _SPACES.sub(" ", _strip_urls(line))
        # No bracket or angle bracket left to start a link, a reference or a tag.
        line = _BRACKET.sub(r"\\\1", line)
        line = _OPEN_ANGLE.sub("\\\\<", line)
        if line.startswith(("#", ">")):
            line = "\\" + line
        lines.append(line.rstrip())
    out = _BLANKS.sub("\n\n", "\n".join(lines)).strip()
    return out + "\n" if out else ""

"""Credentials out of URLs: whatever is shown or stored names a server, never a secret.

``https://user:s3cret@host/v1?api_key=abc`` becomes ``https://***@host/v1?api_key=***``:
the user-info part of the authority and the values of query parameters whose names look like
secrets are replaced. Used on ``--llm-base-url`` wherever it appears (reports, the history
store, failure records, error messages, the narrative cache key).
"""

from __future__ import annotations

import re
from functools import cache

MASK = "***"
_SECRET_WORDS = ("key|token|secret|password|passwd|pwd|auth|signature|sig|credential|"
                 "session")


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Compiled on first use: redaction runs on error and storage paths, never on start-up."""
    return (
        # Query parameters whose values are secrets (matched without regard to case).
        re.compile(f"({_SECRET_WORDS})", re.IGNORECASE),
        # ``scheme://userinfo@`` anywhere in free text.
        re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*://)[^/\s?#@]*@"),
        # ``?name=value`` / ``&name=value`` of a secret-looking name in free text.
        re.compile(rf"([?&;][^=&\s#]*(?:{_SECRET_WORDS})[^=&\s#]*=)[^&\s#]*", re.IGNORECASE),
    )


def redact_url(url: str | None) -> str | None:
    """``url`` with its credentials replaced by ``***``; None stays None."""
    if not url:
        return url
    from urllib.parse import parse_qsl, urlsplit, urlunsplit

    secret = _patterns()[0]
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_urls(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(secret.search(k) for k, _ in pairs):
            query = "&".join(f"{k}={MASK if secret.search(k) else v}" for k, v in pairs)
    fragment = MASK if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def redact_urls(text: str) -> str:
    """Every URL credential in free text (an error message, a log line) replaced."""
    if not text:
        return text
    has_userinfo = "://" in text and "@" in text
    # A query parameter looks like "?name=" / "&name=": a report's "?" and "=" in prose
    # (a question, "0 = least exposed") are not one, and skip the costly pattern.
    has_query = "=" in text and _QUERYISH.search(text) is not None
    if not (has_userinfo or has_query):
        return text
    _, userinfo, query = _patterns()
    if has_userinfo:
        text = userinfo.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    return query.sub(lambda m: f"{m.group(1)}{MASK}", text) if has_query else text


#: The shape of a query parameter, found without the secret-word alternation.
_QUERYISH = re.compile(r"[?&;][^=&\s#]{1,80}=")


#: How the names of environment variables that hold a secret end (OPENAI_API_KEY, HF_TOKEN).
_SECRET_ENV_ENDINGS = ("_KEY", "_TOKEN", "_SECRET", "_PASSWORD", "_PASS", "_CREDENTIAL",
                       "_CREDENTIALS")
#: Shorter values (e.g. "1", "true") would redact ordinary words and digits.
_MIN_SECRET_LEN = 6
REDACTED = "[redacted]"
#: Key shapes every provider uses: OpenAI/Anthropic ``sk-...``, bearer headers.
_KEY_SHAPES = (r"\bsk-[A-Za-z0-9_\-]{6,}", r"(?i)\bbearer\s+[A-Za-z0-9._\-]{8,}")


def _secret_values() -> list[str]:
    import os

    values = {v for k, v in os.environ.items()
              if k.upper().endswith(_SECRET_ENV_ENDINGS) and v and len(v) >= _MIN_SECRET_LEN}
    return sorted(values, key=len, reverse=True)


@cache
def _key_shapes() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in _KEY_SHAPES)


def redact_secrets(text: str) -> str:
    """``text`` with every secret it might carry replaced: the value of any environment
    variable whose name says it holds a secret, anything shaped like an API key, and URL
    credentials. The one function every writer and printer applies (files, the store, the
    terminal), so a provider that echoes the key into an answer cannot get it out."""
    if not text:
        return text
    for value in _secret_values():
        if value in text:
            text = text.replace(value, REDACTED)
    if "sk-" in text or "earer" in text or "EARER" in text:
        for pattern in _key_shapes():
            text = pattern.sub(REDACTED, text)
    return redact_urls(text)

"""Credentials out of URLs: whatever is shown or stored names a server, never a secret.

``https://user:s3cret@host/v1?api_key=abc`` becomes ``https://***@host/v1?api_key=***``:
the user-info part of the authority and the values of query parameters whose names look like
secrets are replaced. Used on ``--llm-base-url`` wherever it appears (reports, the history
store, failure records, error messages, the narrative cache key).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit, urlunsplit

MASK = "***"
#: Query parameters whose values are secrets (matched without regard to case, - or _).
_SECRET_PARAMS = re.compile(r"(key|token|secret|password|passwd|pwd|auth|signature|sig|"
                            r"credential|session)", re.IGNORECASE)
#: ``scheme://userinfo@`` anywhere in free text.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s?#@]*@")
#: ``?name=value`` / ``&name=value`` of a secret-looking name anywhere in free text.
_QUERY_SECRET = re.compile(r"(?i)([?&;][^=&\s#]*(?:key|token|secret|password|passwd|pwd|auth|"
                           r"signature|sig|credential|session)[^=&\s#]*=)[^&\s#]*")


def redact_url(url: str | None) -> str | None:
    """``url`` with its credentials replaced by ``***``; None stays None."""
    if not url:
        return url
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
        if any(_SECRET_PARAMS.search(k) for k, _ in pairs):
            query = "&".join(f"{k}={MASK if _SECRET_PARAMS.search(k) else v}" for k, v in pairs)
    fragment = MASK if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def redact_urls(text: str) -> str:
    """Every URL credential in free text (an error message, a log line) replaced."""
    if not text:
        return text
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    return _QUERY_SECRET.sub(lambda m: f"{m.group(1)}{MASK}", text)

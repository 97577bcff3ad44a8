"""Keep API keys out of everything advisor writes or prints.

Keys are read by litellm from the provider's usual environment variables; advisor never
stores them. But provider error messages sometimes echo the key back, and those messages end
up in notes, the failure log and stderr. :func:`scrub` is applied to every such string.
"""

from __future__ import annotations

import os
import re

REDACTED = "[redacted]"
_SECRET_NAME = re.compile(r"(_KEY|_TOKEN|_SECRET|_PASSWORD)$", re.IGNORECASE)
# OpenAI-style keys (sk-..., sk-proj-...), Anthropic (sk-ant-...), and bearer headers.
_KEY_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}"),
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._\-]{8,}"),
)
_MIN_SECRET_LEN = 6  # shorter values (e.g. "1") would redact ordinary words and digits


def secret_values() -> list[str]:
    """Values of environment variables whose names say they hold a secret, longest first."""
    values = {v for k, v in os.environ.items()
              if _SECRET_NAME.search(k) and v and len(v) >= _MIN_SECRET_LEN}
    return sorted(values, key=len, reverse=True)


def scrub(text: object) -> str:
    """``text`` with every secret-looking value replaced by ``[redacted]``."""
    out = str(text)
    for value in secret_values():
        out = out.replace(value, REDACTED)
    for pattern in _KEY_PATTERNS:
        out = pattern.sub(REDACTED, out)
    from advisor.data.redact import redact_urls

    return redact_urls(out)  # user:password@ and ?api_key= in any URL

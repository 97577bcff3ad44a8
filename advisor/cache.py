"""A best-effort on-disk cache of parsed data, so a cold ``advisor assess`` skips re-parsing.

Start-up time is dominated by work that gives the same answer every run: parsing the rule
packs, parsing litellm's 1.5 MB price map, compiling templates. This module stores such
results with :mod:`marshal` (plain data only, fast to load) under a key that changes whenever
the input changes. Any problem (no cache folder, a read-only disk, a stale or damaged file)
means a cache miss, never an error: the caller recomputes and carries on.
"""

from __future__ import annotations

import marshal
import sys
from pathlib import Path
from typing import Any

from advisor import __version__

_FORMAT = f"{__version__}-py{sys.version_info[0]}{sys.version_info[1]}-m{marshal.version}"


def _path(kind: str, key: str) -> Path | None:
    try:
        from advisor.paths import cache_dir

        return cache_dir() / f"{kind}-{key}-{_FORMAT}.marshal"
    except Exception:
        return None


def load(kind: str, key: str) -> Any | None:
    path = _path(kind, key)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            return marshal.load(fh)
    except (OSError, EOFError, ValueError, TypeError):
        return None


def save(kind: str, key: str, value: Any, *, prune: bool = True) -> None:
    """Store ``value``; ``prune`` removes this kind's other (stale) entries."""
    path = _path(kind, key)
    if path is None:
        return
    try:
        from advisor.files import write_atomic

        path.parent.mkdir(parents=True, exist_ok=True)
        if prune:
            for stale in path.parent.glob(f"{kind}-*.marshal"):
                if stale.name != path.name:
                    stale.unlink(missing_ok=True)
        write_atomic(path, marshal.dumps(value))
    except (OSError, ValueError):
        pass

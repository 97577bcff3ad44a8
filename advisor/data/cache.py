"""A best-effort on-disk cache of parsed data, so a cold ``advisor assess`` skips re-parsing.

Start-up time is dominated by work that gives the same answer every run: building the rule
base, parsing litellm's 1.5 MB price map, compiling templates. This module stores such
results with :mod:`marshal` (plain data, fastest to load) or :mod:`pickle` (advisor's own
objects) under a key that changes whenever the input, or the code building it, changes.
Any problem (no cache folder, a read-only disk, a stale or damaged file, a file or folder
another user could write) means a cache miss, never an error: the caller recomputes and
carries on.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from typing import Any

from advisor import __version__

_FORMAT = f"{__version__}-py{sys.version_info[0]}{sys.version_info[1]}-m{marshal.version}"


def _path(kind: str, key: str, codec: str = "marshal") -> str | None:
    try:
        from advisor.data.paths import cache_dir

        return os.path.join(cache_dir(), f"{kind}-{key}-{_FORMAT}.{codec}")
    except Exception:
        return None


def load(kind: str, key: str, *, codec: str = "marshal") -> Any | None:
    """The value saved under ``kind``/``key``, or None on any miss or damage."""
    path = _path(kind, key, codec)
    if path is None:
        return None
    if not _private(path):
        return None
    try:
        with open(path, "rb") as fh:
            if codec == "marshal":
                return marshal.load(fh)
            import pickle

            return pickle.load(fh)
    except Exception:  # a damaged or foreign file is a miss, whatever the decoder raises
        return None


def _private(path: str) -> bool:
    """True when the cache file and its folder belong to this user and no one else can write
    them: unpickling (or unmarshalling) a file another user could have planted runs their code.
    """
    uid = os.getuid() if hasattr(os, "getuid") else None
    for where in (os.path.dirname(path), path):
        try:
            st = os.stat(where)
        except OSError:
            return False
        if uid is not None and st.st_uid != uid:
            return False
        if st.st_mode & 0o022:
            return False
    return True


def save(kind: str, key: str, value: Any, *, prune: bool = True,
         codec: str = "marshal") -> None:
    """Store ``value``; ``prune`` removes this kind's other (stale) entries.

    ``codec`` "marshal" is for plain data; "pickle" for objects of advisor's own classes,
    whose key must then also cover the code that defines them.
    """
    path = _path(kind, key, codec)
    if path is None:
        return
    try:
        from advisor.data.files import write_atomic

        folder, name = os.path.split(path)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if prune:
            for other in os.listdir(folder):
                if other.startswith(f"{kind}-") and other != name:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(os.path.join(folder, other))
        if codec == "marshal":
            data = marshal.dumps(value)
        else:
            import pickle

            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(path, data)
        os.chmod(path, 0o600)
    except (OSError, ValueError, TypeError, AttributeError):
        pass

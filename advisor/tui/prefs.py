"""What the TUI remembers between runs (the theme), in ``<data folder>/tui.json``.

Any damage to the file is the same as no file: the defaults apply and nothing is raised.
"""

from __future__ import annotations

import json
import os
from typing import Any

from advisor.data import paths

_MAX_BYTES = 64 * 1024


def prefs_path() -> str:
    return os.path.join(paths.data_dir(), "tui.json")


def load_prefs() -> dict[str, Any]:
    from advisor.tui.reading import read_bounded

    try:
        data = json.loads(read_bounded(prefs_path(), _MAX_BYTES))
    except Exception:  # a damaged preferences file is no file
        return {}
    return data if isinstance(data, dict) else {}


def save_prefs(changes: dict[str, Any]) -> None:
    from advisor.data.files import write_atomic

    prefs = {**load_prefs(), **changes}
    try:
        os.makedirs(paths.data_dir(), exist_ok=True)
        write_atomic(prefs_path(), json.dumps(prefs, indent=2) + "\n")
    except OSError:
        pass  # not remembering the theme is no reason to bother the person

"""Where the data folders live, in a checkout and in an installed wheel.

The wheel carries ``rules/`` and ``templates/`` inside the package (``advisor/rules``,
``advisor/templates``); a checkout or an editable install keeps them at the top level.
``ADVISOR_RULES_DIR`` lets a user or a test point at another rules folder.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    beside = _PACKAGE.parent / name
    if beside.is_dir():
        return beside
    raise FileNotFoundError(f"advisor data folder {name!r} is missing from the installation")


@cache
def rules_dir() -> Path:
    """The folder holding questions, rule packs, recommendations, knowledge and price anchors."""
    override = os.environ.get("ADVISOR_RULES_DIR")
    return Path(override) if override else _data_dir("rules")


@cache
def templates_dir() -> Path:
    """The folder holding the Jinja2 templates for reports, narrative and prompts."""
    return _data_dir("templates")

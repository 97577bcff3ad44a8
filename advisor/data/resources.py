"""Where the data folders live, in a checkout and in an installed wheel.

The wheel carries ``rules/`` and ``templates/`` inside the package (``advisor/rules``,
``advisor/templates``); a checkout or an editable install keeps them at the top level.
``ADVISOR_RULES_DIR`` lets a user or a test point at another rules folder.
"""

from __future__ import annotations

import os
from functools import cache

_PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def _data_dir(name: str) -> str:
    inside = os.path.join(_PACKAGE, name)
    if os.path.isdir(inside):
        return inside
    beside = os.path.join(os.path.dirname(_PACKAGE), name)
    if os.path.isdir(beside):
        return beside
    raise FileNotFoundError(f"advisor data folder {name!r} is missing from the installation")


@cache
def rules_dir() -> str:
    """The folder holding questions, rule packs, recommendations, knowledge and price anchors."""
    return os.environ.get("ADVISOR_RULES_DIR") or _data_dir("rules")


@cache
def templates_dir() -> str:
    """The folder holding the Jinja2 templates for reports, narrative and prompts."""
    return _data_dir("templates")

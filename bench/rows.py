"""The one output format every bench script shares with bench/run.py: a list of row dicts.

Each row has ``id``, ``what``, ``figure``, ``budget``, ``passed`` and optionally ``detail``.
``--json -`` sends them to stdout (readable lines go to stderr); ``--json FILE`` writes a file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def emit(rows: list[dict[str, Any]], dest: str | None) -> None:
    if not dest:
        return
    text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if dest == "-":
        sys.__stdout__.write(text)
        sys.__stdout__.flush()
    else:
        Path(dest).write_text(text, encoding="utf-8")

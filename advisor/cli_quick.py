"""Read the plain ``advisor assess FILE [options]`` command line without building argparse.

``advisor assess`` is the command people script and batch, and its budget is the time Python
needs to import pydantic and jinja2. Building argparse's parsers costs about 5 ms of that
(argparse, gettext and locale imports, plus a gettext lookup per help string), more than the
whole assessment. So the common, well-formed shapes of this one command are read here, and
anything else (help, a typo, a missing value, an unknown option) returns None so that argparse
handles it and gives its usual messages. A test checks that whatever this accepts, argparse
reads the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

#: Options taking a value -> the Namespace attribute they set.
_VALUED = {"-o": "output", "--output": "output", "--format": "format", "--home": "home",
           "--llm": "llm", "--llm-base-url": "llm_base_url", "--llm-timeout": "llm_timeout"}
#: The report formats of ``assess`` and ``batch`` (cli_args uses this list too).
REPORT_FORMATS = ("md", "json", "html")


def quick_assess_args(argv: Sequence[str]) -> SimpleNamespace | None:
    """The parsed arguments of ``assess FILE ...``, or None to let argparse decide."""
    if len(argv) < 2 or argv[0] != "assess":
        return None
    found: dict[str, object] = {}
    files: list[str] = []
    items = list(argv[1:])
    i = 0
    while i < len(items):
        token = items[i]
        if token == "--no-history":
            found["no_history"] = True
        elif token in _VALUED:
            if i + 1 >= len(items) or items[i + 1].startswith("-"):
                return None
            key, value = _VALUED[token], items[i + 1]
            # argparse checks every occurrence, not only the last one that wins.
            if key == "format" and value not in REPORT_FORMATS:
                return None
            if key == "llm_timeout":
                try:
                    value = float(value)
                except ValueError:
                    return None
            found[key] = value
            i += 1
        elif token == "-" or not token.startswith("-"):
            files.append(token)
        else:
            return None  # --help, --opt=value, abbreviations, typos: argparse's job
        i += 1
    if len(files) != 1:
        return None
    return SimpleNamespace(command="assess", file=files[0], output=found.get("output"),
                            format=found.get("format", "md"),
                            no_history=bool(found.get("no_history", False)),
                            home=found.get("home"), llm=found.get("llm"),
                            llm_base_url=found.get("llm_base_url"),
                            llm_timeout=found.get("llm_timeout"))

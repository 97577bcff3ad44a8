"""Turn raw bytes into a validated answers file, or one clear :class:`InputError`.

Everything a user can get wrong in a file is caught here and phrased with the field path and
what was expected, so that no edge ever shows a traceback or a raw pydantic dump.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from pydantic_core import ValidationError

from advisor.core.answers import SUPPORTED_SCHEMA_VERSIONS, AnswersFile, field_names, validate_data
from advisor.core.errors import InputError
from advisor.core.questionnaire import Questionnaire

#: The largest answers file (or JSON-lines item) read: real ones are a few kilobytes, and a
#: file of a thousand price overrides is still under 200 KB. Larger input is refused before
#: it is parsed, so a 60 MB file costs a stat, not 30 s and gigabytes.
MAX_INPUT_BYTES = 1024 * 1024
#: The deepest nesting of arrays and objects accepted. An answers file needs 4 levels
#: (``assumptions.prices.<model>.input_per_mtok``); deeper input is refused before parsing,
#: so no reader (parser, validator, digest, renderer) can ever recurse out of stack.
MAX_DEPTH = 32
#: Longest text shown back from a user's input in an error message.
_ECHO = 60

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
#: pydantic's union-branch markers in an error location ('literal[...]', 'constrained-int',
#: 'function-after[...]'): not keys of the input (a user's key may hold any character).
_MARKER = re.compile(r"^(?:[a-z][a-z-]*\[.*\]|constrained-[a-z-]+|function-[a-z-]+)$",
                     re.DOTALL)


def clip(text: str, limit: int = _ECHO) -> str:
    """``text`` cut to ``limit`` characters for an error message (a 10 MB key is not echoed)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON ``text``, counted without parsing it.

    Strings are blanked out first (a bracket inside one does not count); what is left is
    counted in C (``accumulate`` over ``map``), so a megabyte costs milliseconds.
    """
    skeleton = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, skeleton)), default=0)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def parse_json(data: bytes | str, *, file: str) -> Any:
    """Decode UTF-8 (a byte-order mark allowed), parse strict JSON (no NaN, no duplicate keys).

    Bounded: at most :data:`MAX_INPUT_BYTES` and :data:`MAX_DEPTH` levels of nesting.
    """
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_INPUT_BYTES:
        raise InputError(f"the file is too large ({size:,} bytes)", file=file,
                         expected=f"an answers file of at most {MAX_INPUT_BYTES:,} bytes")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", file=file,
                             expected="a UTF-8 JSON file") from None
    else:
        text = data.removeprefix("\ufeff")
    if not text.strip():
        raise InputError("the file is empty", file=file, expected="a JSON object")
    if nesting_depth(text) > MAX_DEPTH:
        raise InputError(f"arrays and objects nest more than {MAX_DEPTH} levels deep", file=file,
                         expected=f"JSON nested at most {MAX_DEPTH} levels")
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise InputError("arrays and objects nest too deeply", file=file,
                         expected=f"JSON nested at most {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                         file=file) from None
    except ValueError as exc:
        raise InputError(f"invalid JSON: {clip(str(exc), 200)}", file=file) from None


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _describe(error: Any, file: str, questionnaire: Questionnaire) -> InputError:
    loc = tuple(error["loc"])
    # Drop pydantic's union-branch markers such as 'literal[...]' or 'constrained-int'.
    loc = tuple(p for p in loc if not (isinstance(p, str) and _MARKER.match(p))) or loc
    path = _path(loc) or "(top level)"
    kind = error["type"]
    ctx = error.get("ctx") or {}
    import difflib

    if kind == "extra_forbidden":
        name = str(loc[-1])
        known = field_names(loc[:-1], questionnaire)
        close = (difflib.get_close_matches(name, known, n=1, cutoff=0.5)
                 if len(name) <= 100 else [])
        hint = f"; did you mean {close[0]!r}?" if close else ""
        what = "question id" if len(loc) == 2 and loc[0] == "answers" else "key"
        path = clip(path, 120)
        return InputError(f"unknown {what} {clip(name)!r}{hint}", file=file, path=path,
                          expected="one of: " + ", ".join(known) if not close else None)
    if kind == "missing":
        return InputError("required field is missing", file=file, path=path)
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        value = error.get("input")
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
        shown = json.dumps(value, ensure_ascii=False) if isinstance(
            value, str | int | float | bool | None) else type(value).__name__
        close = (difflib.get_close_matches(str(value), options, n=1, cutoff=0.5)
                 if isinstance(value, str) and len(value) <= 100 else [])
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return InputError(f"{clip(shown)} is not an allowed value{hint}", file=file,
                          path=path, expected=f"one of {expected}")
    message = error["msg"].removeprefix("Value error, ")
    if message.startswith("Input should be "):
        got = _shown(error.get("input"))
        return InputError(f"got {got}", file=file, path=path,
                          expected=message.removeprefix("Input should be "))
    return InputError(message, file=file, path=path)


def _shown(value: Any) -> str:
    """A short rendering of an input value for a message (never a 400-digit number in full)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**21:
        return f"a {len(str(abs(value)))}-digit number"
    if isinstance(value, dict | list):
        return f"a JSON {'object' if isinstance(value, dict) else 'array'}"
    try:
        return clip(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError):
        return type(value).__name__


def validate_answers(data: Any, questionnaire: Questionnaire, *,
                     file: str = "<answers>") -> AnswersFile:
    """Validate a parsed JSON value as an answers file; raise :class:`InputError` on any problem."""
    if not isinstance(data, dict):
        raise InputError(f"the top level is a JSON {type(data).__name__}", file=file,
                         expected="a JSON object")
    version = data.get("schema_version")
    if "schema_version" in data and (type(version) is not int
                                     or version not in SUPPORTED_SCHEMA_VERSIONS):
        # ``True == 1`` in Python: only a JSON integer is a version.
        supported = ", ".join(map(str, SUPPORTED_SCHEMA_VERSIONS))
        raise InputError(f"schema_version {_shown(version)} is not supported",
                         file=file, path="schema_version", expected=f"one of: {supported}")
    try:
        return validate_data(data, questionnaire)
    except ValidationError as exc:
        # An unknown key explains more than the "missing" error it often causes.
        errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
        first = _describe(errors[0], file, questionnaire)
        first.more = len(errors) - 1
        raise first from None


def load_answers_bytes(data: bytes | str, questionnaire: Questionnaire, *,
                       file: str = "<answers>") -> AnswersFile:
    return validate_answers(parse_json(data, file=file), questionnaire, file=file)

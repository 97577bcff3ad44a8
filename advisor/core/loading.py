"""Turn raw bytes into a validated answers file, or one clear :class:`InputError`.

Everything a user can get wrong in a file is caught here and phrased with the field path and
what was expected, so that no edge ever shows a traceback or a raw pydantic dump.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic_core import ValidationError

from advisor.core.answers import SUPPORTED_SCHEMA_VERSIONS, AnswersFile, field_names, validate_data
from advisor.core.errors import InputError
from advisor.core.questionnaire import Questionnaire


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
    """Decode UTF-8 (a byte-order mark allowed), parse strict JSON (no NaN, no duplicate keys)."""
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
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                         file=file) from None
    except ValueError as exc:
        raise InputError(f"invalid JSON: {exc}", file=file) from None


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
    loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith(
        ("constrained-", "function-")))))
    path = _path(loc) or "(top level)"
    kind = error["type"]
    ctx = error.get("ctx") or {}
    import difflib

    if kind == "extra_forbidden":
        name = str(loc[-1])
        known = field_names(loc[:-1], questionnaire)
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        what = "question id" if len(loc) == 2 and loc[0] == "answers" else "key"
        return InputError(f"unknown {what} {name!r}{hint}", file=file, path=path,
                          expected="one of: " + ", ".join(known) if not close else None)
    if kind == "missing":
        return InputError("required field is missing", file=file, path=path)
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        value = error.get("input")
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return InputError(f"{json.dumps(value)} is not an allowed value{hint}", file=file,
                          path=path, expected=f"one of {expected}")
    message = error["msg"].removeprefix("Value error, ")
    if message.startswith("Input should be "):
        got = json.dumps(error.get("input"), ensure_ascii=False)
        got = got if len(got) <= 60 else got[:57] + "..."
        return InputError(f"got {got}", file=file, path=path,
                          expected=message.removeprefix("Input should be "))
    return InputError(message, file=file, path=path)


def validate_answers(data: Any, questionnaire: Questionnaire, *,
                     file: str = "<answers>") -> AnswersFile:
    """Validate a parsed JSON value as an answers file; raise :class:`InputError` on any problem."""
    if not isinstance(data, dict):
        raise InputError(f"the top level is a JSON {type(data).__name__}", file=file,
                         expected="a JSON object")
    if "schema_version" in data and data["schema_version"] not in SUPPORTED_SCHEMA_VERSIONS:
        supported = ", ".join(map(str, SUPPORTED_SCHEMA_VERSIONS))
        raise InputError(f"schema_version {json.dumps(data['schema_version'])} is not supported",
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

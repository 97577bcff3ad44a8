"""Input limits (issue 14, README "Input limits"): size, nesting, numbers, echoes, JSON out."""

from __future__ import annotations

import json
import math

import pytest

from advisor.core.answers import json_schema
from advisor.core.errors import InputError
from advisor.core.jsonout import dumps, finite, non_finite_paths
from advisor.core.loading import MAX_DEPTH, MAX_INPUT_BYTES, clip, nesting_depth, parse_json
from advisor.data.answers_file import load_answers_bytes
from tests.conftest import answers_doc


@pytest.mark.parametrize(("text", "depth"), [
    ("{}", 1), ("[]", 1), ("1", 0), ('"[[[["', 0), ('{"a": [1, {"b": []}]}', 4),
    ('["\\"[[", [[]]]', 3), ("[" * 40, 40), ('{"k\\\\": [[]]}', 3),
])
def test_nesting_depth_ignores_brackets_in_strings(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,           # deep and valid
    "[" * 100_000,                           # deep and unclosed
    '{"a":' * 50_000 + "1" + "}" * 50_000,   # deep objects
    '{"answers": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}",
])
def test_deep_nesting_is_an_input_error_not_a_recursion_error(text: str) -> None:
    if len(text) > MAX_INPUT_BYTES:
        text = text[:MAX_INPUT_BYTES]
    with pytest.raises(InputError) as caught:
        parse_json(text, file="deep.json")
    assert caught.value.file == "deep.json"


def test_nesting_at_the_limit_parses() -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_json(text, file="ok.json") is not None


@pytest.mark.parametrize("size", [MAX_INPUT_BYTES + 1, 60_000_000])
def test_more_than_the_size_limit_is_refused_before_parsing(size: int) -> None:
    data = b" " * (size - 2) + b"{}"
    with pytest.raises(InputError, match="too large") as caught:
        parse_json(data, file="big.json")
    assert str(MAX_INPUT_BYTES // 1000) in str(caught.value).replace(",", "")


@pytest.mark.parametrize("version", [True, False, 1.0, "1", [1], {"v": 1}, None, 2, 0, -1,
                                     int("9" * 400)])
def test_schema_version_must_be_the_integer_1(version: object) -> None:
    doc = answers_doc()
    doc["schema_version"] = version
    with pytest.raises(InputError) as caught:
        load_answers_bytes(json.dumps(doc), file="v.json")
    assert caught.value.path == "schema_version"
    assert len(str(caught.value)) < 300


def test_every_number_and_string_of_the_schema_has_a_maximum(rulebase) -> None:
    schema = json_schema(rulebase.questionnaire)
    unbounded: list[str] = []
    stack = [("#", schema)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            kinds = node.get("type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if {"integer", "number"} & set(kinds) and not (
                    {"maximum", "exclusiveMaximum", "const", "enum"} & set(node)):
                unbounded.append(where)
            if "string" in kinds and not ({"maxLength", "const", "enum"} & set(node)):
                unbounded.append(where)
            stack.extend((f"{where}/{k}", v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((f"{where}/{i}", v) for i, v in enumerate(node))
    assert unbounded == []


@pytest.mark.parametrize(("field", "value"), [
    ("monthly_requests", 10**13), ("daily_users", 10**11), ("avg_input_tokens", 10**9),
    ("calls_per_task", 10**7), ("monthly_api_spend_usd", 1e13), ("self_hosted_gpus", 10**9),
    ("requests_per_user_per_day", 1e7), ("deferred_use_cases", int("9" * 400)),
])
def test_a_number_past_its_maximum_names_the_field_and_the_maximum(field: str,
                                                                   value: object) -> None:
    doc = answers_doc(**{field: value})
    with pytest.raises(InputError) as caught:
        load_answers_bytes(json.dumps(doc), file="n.json")
    message = str(caught.value)
    assert caught.value.path == f"answers.{field}"
    assert "less than or equal to" in message and len(message) < 300


@pytest.mark.parametrize(("section", "value"), [
    ("prices", {"gpt-4o": {"input_per_mtok": 1e308, "output_per_mtok": 1}}),
    ("self_hosting", {"tokens_per_second_per_gpu": 5e-324}),
    ("self_hosting", {"gpu_hourly_usd": 1e308}),
    ("scenario_multipliers", {"stabilization": 1e308}),
    ("open_model_band", {"low_per_mtok": 1, "high_per_mtok": 1e308}),
    ("prices", {"m" * 201: {"input_per_mtok": 1, "output_per_mtok": 1}}),
    ("prices", {f"m{i}": {"input_per_mtok": 1, "output_per_mtok": 1} for i in range(1001)}),
])
def test_assumptions_are_bounded(section: str, value: object) -> None:
    doc = answers_doc(model="gpt-4o")
    doc["assumptions"] = {section: value}
    with pytest.raises(InputError) as caught:
        load_answers_bytes(json.dumps(doc), file="a.json")
    assert (caught.value.path or "").startswith(f"assumptions.{section}")


def test_a_huge_unknown_key_is_not_echoed() -> None:
    doc = answers_doc()
    doc["answers"]["q" * 100_000] = 1
    with pytest.raises(InputError) as caught:
        load_answers_bytes(json.dumps(doc), file="k.json")
    assert len(str(caught.value)) < 1_500


def test_a_key_with_brackets_is_named_not_a_crash() -> None:
    doc = answers_doc()
    doc["extra[2J"] = 1
    with pytest.raises(InputError, match="unknown key"):
        load_answers_bytes(json.dumps(doc), file="k.json")


def test_clip() -> None:
    assert clip("abc") == "abc"
    assert len(clip("x" * 1000)) == 60


def test_strict_json_helpers() -> None:
    data = {"a": [1.0, math.inf, {"b": -math.inf}], "c": math.nan, "d": "inf"}
    assert finite(data) == {"a": [1.0, None, {"b": None}], "c": None, "d": "inf"}
    assert non_finite_paths(data) == ["a[1]", "a[2].b", "c"]
    assert json.loads(dumps(data)) == finite(data)


def test_json_out_writes_control_and_bidi_characters_escaped() -> None:
    from advisor.core.jsonout import terminal_safe

    value = {"organization": "Acme \u202eevil\u2066 \x9b31m \x1b[2J é"}
    text = dumps(value, ensure_ascii=False)
    assert json.loads(text) == value
    assert not any(ch in text for ch in "\u202e\u2066\x9b\x1b")
    assert "é" in text
    assert terminal_safe('"plain"') == '"plain"'

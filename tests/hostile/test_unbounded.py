"""Family 1: unbounded input. Every input is bounded (file size, nesting depth, string
lengths, integers with a documented maximum per field) and every computed figure stays finite
or is refused as an input error (issue 14, spec/answers.md, spec/result.md)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hostile_conftest import (
    ENTERPRISE,
    STARTUP,
    assert_finite_text,
    assert_input_error,
    assert_no_crash,
    describe,
    doc,
    run_advisor,
    strict_json,
    write_json,
)

DEPTH = 100_000
BIG_INT = int("9" * 400)
FAST = 20  # seconds: a bounded input is refused quickly, whatever its size


# --------------------------------------------------------------------------- nesting

def _nested(kind: str) -> str:
    """Valid JSON nested DEPTH deep, placed where each reader meets it first."""
    arrays = "[" * DEPTH + "]" * DEPTH
    objects = '{"a":' * DEPTH + "1" + "}" * DEPTH
    base = json.dumps(STARTUP)
    if kind == "top-array":
        return arrays
    if kind == "top-object":
        return objects
    if kind == "in-answers-value":
        return base.replace('"api_wrapper"', arrays, 1)
    if kind == "in-organization":
        return base.replace('"Quillpad hostile test"', objects, 1)
    if kind == "in-assumptions":
        return base[:-1] + ', "assumptions": {"prices": ' + objects + "}}"
    if kind == "unknown-key":
        return base[:-1] + ', "extra": ' + arrays + "}"
    if kind == "unclosed":  # deep and truncated: the parser must not recurse to find out
        return "[" * DEPTH
    raise AssertionError(kind)


NESTING = ["top-array", "top-object", "in-answers-value", "in-organization", "in-assumptions",
           "unknown-key", "unclosed"]


@pytest.mark.parametrize("kind", NESTING)
@pytest.mark.parametrize("command", ["assess", "explain"])
def test_deep_nesting_is_an_input_error(tmp_path: Path, kind: str, command: str) -> None:
    path = tmp_path / f"deep-{kind}.json"
    path.write_text(_nested(kind), encoding="utf-8")
    proc = run_advisor(command, path, timeout=FAST)
    assert_input_error(proc, path.name)


@pytest.mark.parametrize("kind", ["top-array", "in-answers-value", "in-assumptions"])
def test_deep_nesting_on_stdin_is_an_input_error(kind: str) -> None:
    proc = run_advisor("assess", "-", stdin=_nested(kind), timeout=FAST)
    assert_input_error(proc)


@pytest.mark.parametrize("kind", ["top-array", "in-answers-value"])
def test_deep_nesting_in_ask(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "deep.json"
    path.write_text(_nested(kind), encoding="utf-8")
    proc = run_advisor("ask", path, "what if our volume doubles?", timeout=FAST)
    assert_input_error(proc, path.name)


def test_deep_nesting_in_a_batch_is_one_invalid_item(tmp_path: Path) -> None:
    """The deep file is reported as invalid; the good one beside it still gets its report."""
    folder = tmp_path / "in"
    write_json(folder / "good.json", STARTUP)
    (folder / "deep.json").write_text(_nested("top-array"), encoding="utf-8")
    (folder / "deep-lines.jsonl").write_text(_nested("in-answers-value") + "\n"
                                             + json.dumps(STARTUP) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run_advisor("batch", folder, "-o", out, "--format", "json", "--no-progress",
                       "--jobs", "1", timeout=FAST)
    assert_no_crash(proc, allowed=(2,))
    summary = strict_json((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["invalid"] == 2, describe(proc)
    assert summary["assessed"] == 2, describe(proc)


# --------------------------------------------------------------------------- huge integers

#: Every integer or number an answers file can hold, as (dotted path, a valid neighbour doc).
ANSWER_NUMBERS = ["monthly_requests", "daily_users", "requests_per_user_per_day",
                  "avg_input_tokens", "avg_output_tokens", "calls_per_task",
                  "monthly_api_spend_usd", "monthly_ai_budget_usd", "self_hosted_gpus",
                  "deferred_use_cases", "gross_margin_pct"]

ASSUMPTION_NUMBERS = [
    ("prices", {"gpt-4o": {"input_per_mtok": "X", "output_per_mtok": 1.0}}),
    ("prices", {"gpt-4o": {"input_per_mtok": 1.0, "output_per_mtok": "X"}}),
    ("self_hosting", {"gpu_hourly_usd": "X"}),
    ("self_hosting", {"tokens_per_second_per_gpu": "X"}),
    ("self_hosting", {"fixed_monthly_usd": "X"}),
    ("scenario_multipliers", {"stabilization": "X"}),
    ("scenario_multipliers", {"further_decline": "X"}),
    ("scenario_multipliers", {"divergence_general": "X"}),
    ("scenario_multipliers", {"divergence_regulated": "X"}),
    ("open_model_band", {"low_per_mtok": 0.1, "high_per_mtok": "X"}),
    ("open_model_band", {"low_per_mtok": "X", "high_per_mtok": "X"}),
    ("scenario_probabilities", {"stabilization": "X", "further_decline": 0.3,
                                "divergence": 0.2}),
]


def _with_big(value: Any, big: int) -> Any:
    if value == "X":
        return big
    if isinstance(value, dict):
        return {k: _with_big(v, big) for k, v in value.items()}
    return value


def _answer_with(field: str, value: Any) -> dict[str, Any]:
    base = doc()
    if field == "monthly_requests":
        base["answers"].pop("daily_users")
    base["answers"][field] = value
    return base


@pytest.mark.parametrize("field", ANSWER_NUMBERS)
def test_400_digit_integer_in_an_answer(tmp_path: Path, field: str) -> None:
    path = write_json(tmp_path / "big-int.json", _answer_with(field, BIG_INT))
    proc = run_advisor("assess", path, "--format", "json", timeout=FAST)
    assert_input_error(proc, path.name, field)


@pytest.mark.parametrize("field", ["monthly_requests", "avg_output_tokens", "self_hosted_gpus"])
def test_400_digit_integer_in_explain(tmp_path: Path, field: str) -> None:
    path = write_json(tmp_path / "big-int.json", _answer_with(field, BIG_INT))
    proc = run_advisor("explain", path, timeout=FAST)
    assert_input_error(proc, path.name, field)


@pytest.mark.parametrize("field", ["monthly_requests", "daily_users", "calls_per_task"])
def test_400_digit_integer_in_ask(tmp_path: Path, field: str) -> None:
    path = write_json(tmp_path / "big-int.json", _answer_with(field, BIG_INT))
    proc = run_advisor("ask", path, "what if our volume doubles?", timeout=FAST)
    assert_input_error(proc, path.name, field)


@pytest.mark.parametrize(("section", "value"), ASSUMPTION_NUMBERS,
                         ids=[f"{s}-{i}" for i, (s, _) in enumerate(ASSUMPTION_NUMBERS)])
def test_400_digit_integer_in_an_assumption(tmp_path: Path, section: str, value: Any) -> None:
    path = write_json(tmp_path / "big-assumption.json",
                      doc(assumptions={section: _with_big(value, BIG_INT)}))
    proc = run_advisor("assess", path, "--format", "json", timeout=FAST)
    assert_input_error(proc, path.name, section)


@pytest.mark.parametrize("value", [BIG_INT, -BIG_INT, 10**400])
def test_400_digit_schema_version(tmp_path: Path, value: int) -> None:
    base = doc()
    base["schema_version"] = value
    path = write_json(tmp_path / "version.json", base)
    proc = run_advisor("assess", path, timeout=FAST)
    assert_input_error(proc, path.name, "schema_version")


@pytest.mark.parametrize("flag", ["--requests", "--users", "--per-user", "--input-tokens",
                                  "--output-tokens", "--calls-per-task"])
def test_400_digit_integer_in_cost(flag: str) -> None:
    args = ["cost", "--model", "gpt-4o", "--format", "json"]
    if flag == "--per-user":
        args += ["--users", "10"]
    elif flag != "--requests" and flag != "--users":
        args += ["--requests", "1000"]
    proc = run_advisor(*args, flag, str(BIG_INT), timeout=FAST)
    assert_input_error(proc, flag.lstrip("-"), max_lines=8, max_chars=4000)


def test_schema_documents_a_maximum_for_every_number() -> None:
    """'integers (a documented maximum per field in the schema)': the JSON Schema says it."""
    proc = run_advisor("schema", timeout=FAST)
    assert_no_crash(proc, allowed=(0,))
    schema = strict_json(proc.stdout)
    unbounded = []

    def visit(node: Any, where: str) -> None:
        if isinstance(node, dict):
            types = node.get("type")
            types = types if isinstance(types, list) else [types]
            if ("integer" in types or "number" in types) and not (
                    "maximum" in node or "exclusiveMaximum" in node or "const" in node
                    or "enum" in node):
                unbounded.append(where)
            if "string" in types and "maxLength" not in node and "enum" not in node \
                    and "const" not in node:
                unbounded.append(where + " (string)")
            for key, value in node.items():
                visit(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                visit(value, f"{where}/{i}")

    visit(schema, "#")
    assert not unbounded, "numbers/strings without a documented bound:\n" + "\n".join(unbounded)


# --------------------------------------------------------------------------- overflowing figures

#: Inputs whose fields may each be acceptable but whose products leave the float range, divide
#: by zero or by a denormal. Either refused (exit 2) or every figure finite (exit 0).
OVERFLOWS: dict[str, dict[str, Any]] = {
    "requests-x-tokens": doc(daily_users=None, monthly_requests=10**18,
                             avg_input_tokens=10**9, avg_output_tokens=10**9),
    "requests-x-tokens-x-calls": doc(daily_users=None, monthly_requests=10**18,
                                     avg_input_tokens=10**9, calls_per_task=10**9),
    "users-x-per-user": doc(daily_users=10**18, requests_per_user_per_day=1e300),
    "per-user-1e308": doc(requests_per_user_per_day=1.7e308),
    "price-1e308": doc(assumptions={"prices": {"gpt-4o": {"input_per_mtok": 1e308,
                                                          "output_per_mtok": 1e308}}}),
    "price-denormal": doc(assumptions={"prices": {"gpt-4o": {"input_per_mtok": 5e-324,
                                                             "output_per_mtok": 5e-324}}}),
    "gpu-hour-1e308": doc(assumptions={"self_hosting": {"gpu_hourly_usd": 1e308}}),
    "tokens-per-second-denormal": doc(assumptions={"self_hosting": {
        "tokens_per_second_per_gpu": 5e-324}}),
    "fixed-1e308": doc(assumptions={"self_hosting": {"fixed_monthly_usd": 1e308}}),
    "multipliers-1e308": doc(assumptions={"scenario_multipliers": {
        "stabilization": 1e308, "further_decline": 1e308, "divergence_general": 1e308}}),
    "open-band-1e308": doc(assumptions={"open_model_band": {"low_per_mtok": 1e308,
                                                            "high_per_mtok": 1e308}}),
    "gpus-huge": doc(self_hosted_gpus=10**18, on_prem_required=True),
}


def _enterprise(**answers: Any) -> dict[str, Any]:
    return doc(ENTERPRISE, **answers)


OVERFLOWS["spend-over-denormal-budget"] = _enterprise(monthly_api_spend_usd=1e308,
                                                      monthly_ai_budget_usd=5e-324)
OVERFLOWS["spend-over-zero-budget"] = _enterprise(monthly_api_spend_usd=5000,
                                                  monthly_ai_budget_usd=0)
OVERFLOWS["spend-1e308-no-tokens"] = _enterprise(monthly_api_spend_usd=1e308,
                                                 avg_input_tokens=None, avg_output_tokens=None,
                                                 monthly_requests=None)
OVERFLOWS["all-zero"] = doc(daily_users=None, monthly_requests=0, avg_input_tokens=0,
                            avg_output_tokens=0,
                            assumptions={"prices": {"gpt-4o": {"input_per_mtok": 0,
                                                               "output_per_mtok": 0}}})
OVERFLOWS["zero-volume"] = doc(daily_users=0)
OVERFLOWS["zero-price-in-house"] = doc(assumptions={"prices": {"gpt-4o": {
    "input_per_mtok": 0, "output_per_mtok": 0}}})
OVERFLOWS["certain-scenario"] = doc(assumptions={"scenario_probabilities": {
    "stabilization": 1, "further_decline": 0, "divergence": 0}})
OVERFLOWS["no-cost-data"] = doc(model=None, daily_users=None, requests_per_user_per_day=None,
                                avg_input_tokens=None, avg_output_tokens=None)


def _check_accepted_or_refused(proc: Any, path: Path, *, json_out: bool) -> None:
    assert_no_crash(proc)
    if proc.returncode == 2:
        assert_input_error(proc, path.name)
        return
    if json_out:
        try:
            strict_json(proc.stdout)
        except ValueError as exc:
            pytest.fail(f"--format json is not strict JSON: {exc}{describe(proc)}")
    else:
        assert_finite_text(proc.stdout)


#: The cases every command runs; the rest run through ``assess --format json`` only.
OVERFLOW_CORE = ["requests-x-tokens", "users-x-per-user", "price-1e308",
                 "tokens-per-second-denormal", "spend-over-denormal-budget", "fixed-1e308"]


@pytest.mark.parametrize("case", sorted(OVERFLOWS))
def test_json_figures_stay_finite_or_are_refused(tmp_path: Path, case: str) -> None:
    path = write_json(tmp_path / f"{case}.json", OVERFLOWS[case])
    proc = run_advisor("assess", path, "--format", "json", timeout=FAST)
    _check_accepted_or_refused(proc, path, json_out=True)


@pytest.mark.parametrize("case", OVERFLOW_CORE)
@pytest.mark.parametrize("command", [["explain", "--format", "json"], ["explain"], ["assess"]],
                         ids=["explain-json", "explain-text", "assess-md"])
def test_figures_stay_finite_or_are_refused(tmp_path: Path, case: str, command: list[str]) -> None:
    path = write_json(tmp_path / f"{case}.json", OVERFLOWS[case])
    proc = run_advisor(*command, path, timeout=FAST)
    _check_accepted_or_refused(proc, path, json_out="json" in command)


@pytest.mark.parametrize(("case", "question"), [
    *((case, "what if our volume doubles?") for case in OVERFLOW_CORE),
    ("price-1e308", "what if we switch to gpt-4o-mini?"),
    ("requests-x-tokens", "what if each task took 50 calls?"),
    ("users-x-per-user", "what if stabilization were 70%?"),
])
def test_ask_stays_finite_or_refuses(tmp_path: Path, case: str, question: str) -> None:
    path = write_json(tmp_path / f"{case}.json", OVERFLOWS[case])
    proc = run_advisor("ask", path, question, timeout=FAST)
    _check_accepted_or_refused(proc, path, json_out=False)


@pytest.mark.parametrize(("args"), [
    ["--requests", str(10**18), "--input-tokens", str(10**9), "--output-tokens", str(10**9),
     "--calls-per-task", str(10**9)],
    ["--users", str(10**18), "--per-user", "1e300"],
    ["--users", "10", "--per-user", "1e999"],
    ["--users", "10", "--per-user", "nan"],
    ["--users", "10", "--per-user", "inf"],
    ["--requests", "-5"],
])
def test_cost_stays_finite_or_refuses(args: list[str]) -> None:
    proc = run_advisor("cost", "--model", "gpt-4o", "--format", "json", *args, timeout=FAST)
    assert_no_crash(proc)
    if proc.returncode == 2:
        assert_input_error(proc, max_lines=8, max_chars=4000)
    else:
        strict_json(proc.stdout)


def test_batch_summary_and_history_stay_finite(tmp_path: Path) -> None:
    """Each item may be finite on its own and their sum still overflow: the portfolio totals
    and the history rows stay strict JSON too."""
    folder = tmp_path / "in"
    for i in range(3):
        write_json(folder / f"rich-{i}.json",
                   doc(organization=f"Rich {i}",
                       assumptions={"prices": {"gpt-4o": {"input_per_mtok": 1.5e308,
                                                          "output_per_mtok": 1.5e308}}}))
        write_json(folder / f"volume-{i}.json",
                   doc(organization=f"Volume {i}", daily_users=None, monthly_requests=10**18,
                       avg_input_tokens=10**9, avg_output_tokens=10**9, calls_per_task=10**6))
    out = tmp_path / "out"
    proc = run_advisor("batch", folder, "-o", out, "--format", "json", "--no-progress",
                       "--jobs", "1", timeout=FAST)
    assert_no_crash(proc)
    for report in out.glob("*.json"):
        try:
            strict_json(report.read_text(encoding="utf-8"))
        except ValueError as exc:
            pytest.fail(f"{report.name} is not strict JSON: {exc}")
    assert_finite_text((out / "summary.md").read_text(encoding="utf-8"), "summary.md")
    listed = run_advisor("history", "list", "--format", "json", timeout=FAST)
    assert_no_crash(listed, allowed=(0,))
    strict_json(listed.stdout)


# --------------------------------------------------------------------------- huge strings

HUGE = 10_000_000  # characters


def _huge_string_doc(where: str) -> dict[str, Any] | str:
    s = "x" * HUGE
    if where == "organization":
        return doc(organization=s)
    if where == "model":
        return doc(model=s)
    if where == "model-near-miss":
        return doc(model="gpt-4o" + s)
    if where == "archetype":
        return doc(archetype=s)
    if where == "unknown-answer-id":
        base = doc()
        base["answers"][s] = 1
        return base
    if where == "unknown-top-level-key":
        base = doc()
        base[s] = 1
        return base
    if where == "price-model-name":
        return doc(assumptions={"prices": {s: {"input_per_mtok": 1, "output_per_mtok": 1}}})
    if where == "role":
        base = doc()
        base["role"] = s
        return base
    raise AssertionError(where)


@pytest.mark.parametrize("where", ["organization", "model", "model-near-miss", "archetype",
                                   "unknown-answer-id", "unknown-top-level-key",
                                   "price-model-name", "role"])
def test_huge_string_is_refused_quickly_and_not_echoed(tmp_path: Path, where: str) -> None:
    path = write_json(tmp_path / f"huge-{where}.json", _huge_string_doc(where))
    started = time.monotonic()
    proc = run_advisor("assess", path, timeout=FAST, memory_mb=1536)
    assert_input_error(proc, path.name)
    assert time.monotonic() - started < FAST


@pytest.mark.parametrize("args", [
    ["cost", "--model", "x" * 100_000, "--requests", "1000"],
    ["cost", "--model", "gpt-4o" + "-" * 100_000, "--requests", "1000"],
    ["prices", "y" * 100_000],
])
def test_huge_argument_is_refused_or_answered_quickly(args: list[str]) -> None:
    proc = run_advisor(*args, timeout=FAST)
    assert_no_crash(proc)
    if proc.returncode == 2:
        assert_input_error(proc, max_lines=8, max_chars=4000)


def test_huge_question_in_ask(answers_file: Path) -> None:
    proc = run_advisor("ask", answers_file, "what if " + "volume doubles " * 6_000, timeout=FAST)
    assert_no_crash(proc)
    assert len(proc.stderr) < 4000, describe(proc)


# --------------------------------------------------------------------------- file size

@pytest.fixture(scope="module")
def sixty_mb(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """About 60 MB each: unique unknown keys at the top level, unknown ids inside answers,
    and a valid file behind 60 MB of whitespace. Generated once per module run."""
    folder = tmp_path_factory.mktemp("sixty")
    keys = ",".join(f'"unknown_key_{i:08d}":{i}' for i in range(2_300_000))
    base = json.dumps(STARTUP)
    texts = {"top-level": base[:-1] + "," + keys + "}",
             "answers": base.replace('"archetype"', keys + ',"archetype"', 1),
             "whitespace": " " * 60_000_000 + base}
    out = {}
    for where, text in texts.items():
        out[where] = folder / f"sixty-{where}.json"
        out[where].write_text(text, encoding="ascii")
    return out


@pytest.mark.parametrize("where", ["top-level", "answers", "whitespace"])
def test_sixty_megabyte_file_is_refused_quickly(sixty_mb: dict[str, Path], where: str) -> None:
    path = sixty_mb[where]
    assert path.stat().st_size > 55_000_000
    started = time.monotonic()
    proc = run_advisor("assess", path, "--format", "json", timeout=FAST, memory_mb=1536)
    assert_input_error(proc, path.name)
    assert time.monotonic() - started < FAST


def test_sixty_megabyte_stdin_is_refused_quickly(sixty_mb: dict[str, Path]) -> None:
    with sixty_mb["top-level"].open("rb") as fh:
        proc = run_advisor("assess", "-", stdin=fh, timeout=FAST, memory_mb=1536)
    assert_input_error(proc)


def test_sixty_megabyte_item_in_a_batch(tmp_path: Path, sixty_mb: dict[str, Path]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.link(sixty_mb["answers"], folder / "sixty.json")
    write_json(folder / "good.json", STARTUP)
    out = tmp_path / "out"
    proc = run_advisor("batch", folder, "-o", out, "--no-progress", "--jobs", "1",
                       "--format", "json", timeout=FAST, memory_mb=1536)
    assert_no_crash(proc, allowed=(2,))
    summary = strict_json((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["assessed"], summary["invalid"]) == (1, 1), describe(proc)


# --------------------------------------------------------------------------- endless inputs

@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("command", ["assess", "explain"])
def test_endless_device_as_the_input(device: str, command: str) -> None:
    proc = run_advisor(command, device, timeout=FAST, memory_mb=1536)
    assert_input_error(proc, device)


def test_dev_zero_on_stdin() -> None:
    with open("/dev/zero", "rb") as zero:
        proc = run_advisor("assess", "-", stdin=zero, timeout=FAST, memory_mb=1536)
    assert_input_error(proc)


def test_dev_zero_in_a_batch(tmp_path: Path) -> None:
    proc = run_advisor("batch", "/dev/zero", "-o", tmp_path / "out", "--no-progress",
                       timeout=FAST, memory_mb=1536)
    assert_no_crash(proc, allowed=(2,))
    assert "/dev/zero" in proc.stderr or "/dev/zero" in (
        tmp_path / "out" / "summary.json").read_text(encoding="utf-8"), describe(proc)


def test_fifo_as_the_input_does_not_hang(tmp_path: Path) -> None:
    """Nobody ever writes to this FIFO: opening it for reading would wait for ever."""
    fifo = tmp_path / "answers.json"
    os.mkfifo(fifo)
    proc = run_advisor("assess", fifo, timeout=10)
    assert_input_error(proc, fifo.name)


def test_folder_as_the_input(tmp_path: Path) -> None:
    folder = tmp_path / "answers.json"
    folder.mkdir()
    proc = run_advisor("assess", folder, timeout=FAST)
    assert_input_error(proc, folder.name)


# --------------------------------------------------------------------------- type confusion

@pytest.mark.parametrize("value", [True, False, "1", [1], {"v": 1}, None, 2, 0, -1],
                         ids=lambda v: repr(v))
def test_schema_version_must_be_the_integer_1(tmp_path: Path, value: Any) -> None:
    base = doc()
    base["schema_version"] = value
    path = write_json(tmp_path / "version.json", base)
    proc = run_advisor("assess", path, "--format", "json", timeout=FAST)
    assert_input_error(proc, path.name, "schema_version")


@pytest.mark.parametrize(("field", "value"), [("daily_users", True), ("calls_per_task", True),
                                              ("monthly_api_spend_usd", False),
                                              ("requests_per_user_per_day", True)])
def test_a_boolean_is_not_a_number(tmp_path: Path, field: str, value: bool) -> None:
    """The JSON Schema advisor prints says integer/number, and a JSON boolean is neither."""
    path = write_json(tmp_path / "bool.json", _answer_with(field, value))
    proc = run_advisor("assess", path, "--format", "json", timeout=FAST)
    assert_input_error(proc, path.name, field)

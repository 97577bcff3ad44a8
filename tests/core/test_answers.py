"""Contract tests of the answers file (spec/answers.md) and the malformed-input corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.core.answers import json_schema
from advisor.core.errors import InputError
from advisor.data.answers_file import load_answers_bytes, validate_answers
from advisor.data.rules import load_rulebase
from tests.conftest import ROOT, answers_doc

MALFORMED = Path(__file__).parent / "malformed"

# file -> (the field path the message must name, or None for file-level problems, and a
# fragment of what the message must say)
EXPECTED = {
    "01-empty.json": (None, "empty"),
    "02-not-json.json": (None, "invalid JSON"),
    "03-array.json": (None, "JSON list"),
    "04-truncated.json": (None, "invalid JSON"),
    "05-no-version.json": ("schema_version", "missing"),
    "06-version-2.json": ("schema_version", "not supported"),
    "07-version-string.json": ("schema_version", "not supported"),
    "08-bad-role.json": ("role", "not an allowed value"),
    "09-no-archetype.json": ("answers.archetype", "missing"),
    "10-bad-archetype.json": ("answers.archetype", "not an allowed value"),
    "11-unknown-question.json": ("answers.daily_user", "did you mean 'daily_users'"),
    "12-unknown-top-key.json": ("extra", "unknown key"),
    "13-negative-users.json": ("answers.daily_users", "greater than or equal to 0"),
    "14-float-int.json": ("answers.monthly_requests", "valid integer"),
    "15-bool-as-string.json": ("answers.regulated", "valid boolean"),
    "16-nan.json": (None, "NaN"),
    "17-margin-out-of-range.json": ("answers.gross_margin_pct", "less than or equal to 100"),
    "18-probabilities-sum.json": ("assumptions.scenario_probabilities", "sum to 1"),
    "19-probability-negative.json": ("assumptions.scenario_probabilities.stabilization",
                                     "less than or equal to 1"),
    "20-unknown-assumption.json": ("assumptions.gpu_price", "unknown key"),
    "21-unknown-model.json": ("answers.model", "unknown model"),
    "22-org-too-long.json": ("organization", "at most 200"),
    "23-duplicate-key.json": (None, "duplicate key 'role'"),
    "24-answers-array.json": ("answers", "valid dictionary"),
    "25-calls-zero.json": ("answers.calls_per_task", "greater than or equal to 1"),
    "26-bad-option.json": ("answers.integration_depth", "not an allowed value"),
    "27-infinity.json": (None, "Infinity"),
    "28-price-override-negative.json": ("assumptions.prices.mine.input_per_mtok",
                                        "greater than or equal to 0"),
    "29-not-utf8.json": (None, "not UTF-8"),
    "30-org-number.json": ("organization", "valid string"),
}


def test_corpus_is_complete() -> None:
    assert sorted(p.name for p in MALFORMED.iterdir()) == sorted(EXPECTED)
    assert len(EXPECTED) >= 20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_exit_2_clear_message_nothing_written(name: str, tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    proc = subprocess.run([sys.executable, "-m", "advisor", "assess", str(MALFORMED / name),
                           "-o", str(out), "--no-history"], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    path, fragment = EXPECTED[name]
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    message = lines[0]
    assert name in message
    if path:
        assert f": {path}:" in message, message
    assert fragment in message, message
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_failed_run_does_not_truncate_existing_output(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    out.write_text("previous report\n")
    proc = subprocess.run([sys.executable, "-m", "advisor", "assess",
                           str(MALFORMED / "10-bad-archetype.json"), "-o", str(out),
                           "--no-history"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    assert out.read_text() == "previous report\n"


def _ok(doc: dict) -> object:
    return validate_answers(doc, file="t.json")


def _bad(doc: dict) -> InputError:
    with pytest.raises(InputError) as info:
        validate_answers(doc, file="t.json")
    return info.value


class TestTopLevel:
    def test_minimal_file_is_valid(self) -> None:
        model = _ok(answers_doc())
        assert model.role == "startup"
        assert model.organization is None

    @pytest.mark.parametrize("role", ["startup", "enterprise_it", "investor", "developer"])
    def test_every_role_is_accepted(self, role: str) -> None:
        assert _ok(answers_doc(role)).role == role

    def test_schema_version_names_supported_versions(self) -> None:
        err = _bad({**answers_doc(), "schema_version": 3})
        assert err.path == "schema_version" and "1" in (err.expected or "")

    def test_organization_is_free_text_up_to_200(self) -> None:
        assert _ok({**answers_doc(), "organization": "é" * 200}).organization == "é" * 200
        assert _ok({**answers_doc(), "organization": ""}).organization == ""
        assert _bad({**answers_doc(), "organization": "x" * 201}).path == "organization"

    def test_unknown_top_level_key_suggests_closest(self) -> None:
        err = _bad({**answers_doc(), "assumption": {}})
        assert "did you mean 'assumptions'" in err.message

    def test_unknown_question_suggests_closest(self) -> None:
        err = _bad(answers_doc(archetyp="api_wrapper"))
        assert err.path == "answers.archetyp" and "'archetype'" in err.message

    def test_bom_and_crlf_accepted(self) -> None:
        text = json.dumps(answers_doc(), indent=2).replace("\n", "\r\n")
        model = load_answers_bytes(b"\xef\xbb\xbf" + text.encode(), file="bom.json")
        assert model.answers["archetype"] == "api_wrapper"

    def test_unicode_and_zeros_accepted(self) -> None:
        doc = answers_doc(model="gpt-4o", monthly_requests=0, avg_input_tokens=0,
                          avg_output_tokens=0, monthly_api_spend_usd=0, gross_margin_pct=0,
                          deferred_use_cases=0, self_hosted_gpus=0)
        doc["organization"] = "Ärzte-Kollektiv 医療 🚀"
        assert _ok(doc).answers["monthly_requests"] == 0


class TestQuestionTypes:
    @pytest.mark.parametrize("qid,value", [
        ("archetype", "gpu_cloud"), ("industry", "legal"), ("proprietary_data", "some"),
        ("integration_depth", "deep"), ("switching_cost", "high"),
        ("differentiation_is_access", "partly"), ("provider_overlap", "unknown"),
        ("regulated", True), ("on_prem_required", False), ("model", "gpt-4o"),
        ("monthly_requests", 10), ("daily_users", 0), ("requests_per_user_per_day", 2.5),
        ("avg_input_tokens", 1500), ("avg_output_tokens", 300), ("calls_per_task", 1),
        ("monthly_api_spend_usd", 12.5), ("monthly_ai_budget_usd", 100), ("self_hosted_gpus", 4),
        ("cost_monitoring", "dashboard"), ("model_choice_basis", "matched_to_requirements"),
        ("deferred_use_cases", 3), ("pricing_model", "outcome_based"),
        ("gross_margin_pct", -100), ("gross_margin_pct", 100),
        ("cost_unlocks_features", "unsure"), ("tam_effect", "contracts"),
        ("assumes_linear_price_decline", True), ("assumes_open_source_replaces_closed", False),
        ("relies_on_cheap_ai_for_quality", True),
    ])
    def test_valid_values(self, qid: str, value: object) -> None:
        doc = answers_doc()
        doc["answers"][qid] = value
        assert _ok(doc).answers[qid] == value

    @pytest.mark.parametrize("qid,value", [
        ("industry", "mining"), ("proprietary_data", "lots"), ("integration_depth", True),
        ("regulated", "yes"), ("regulated", 1), ("model", 4), ("monthly_requests", -1),
        ("monthly_requests", 1.5), ("monthly_requests", True), ("daily_users", "100"),
        ("requests_per_user_per_day", -0.1), ("avg_input_tokens", -1),
        ("avg_output_tokens", 2.2), ("calls_per_task", 0), ("monthly_api_spend_usd", -1),
        ("monthly_ai_budget_usd", False), ("self_hosted_gpus", -2),
        ("cost_monitoring", "grafana"), ("model_choice_basis", "cheapest"),
        ("deferred_use_cases", -1), ("pricing_model", "per_token"),
        ("gross_margin_pct", 100.5), ("gross_margin_pct", -101), ("tam_effect", "grows"),
        ("assumes_linear_price_decline", "no"), ("model", "x" * 201),
    ])
    def test_invalid_values_name_the_field(self, qid: str, value: object) -> None:
        doc = answers_doc()
        doc["answers"][qid] = value
        assert _bad(doc).path == f"answers.{qid}"

    def test_only_archetype_is_required(self) -> None:
        assert _bad({"schema_version": 1, "role": "investor", "answers": {}}).path == \
            "answers.archetype"


class TestAssumptions:
    def test_probabilities_within_tolerance(self) -> None:
        doc = answers_doc()
        doc["assumptions"] = {"scenario_probabilities": {
            "stabilization": 0.3333333, "further_decline": 0.3333333, "divergence": 0.3333334}}
        assert _ok(doc).assumptions["scenario_probabilities"]["divergence"] == 0.3333334

    def test_probabilities_off_by_more_than_tolerance(self) -> None:
        doc = answers_doc()
        doc["assumptions"] = {"scenario_probabilities": {
            "stabilization": 0.5, "further_decline": 0.3, "divergence": 0.2001}}
        assert "sum to 1" in _bad(doc).message

    def test_multipliers_and_self_hosting_partial_overrides(self) -> None:
        doc = answers_doc()
        doc["assumptions"] = {"scenario_multipliers": {"further_decline": 0.2},
                              "self_hosting": {"gpu_hourly_usd": 1.0}}
        model = _ok(doc)
        assert model.assumptions["scenario_multipliers"]["further_decline"] == 0.2
        assert model.assumptions["self_hosting"]["fixed_monthly_usd"] is None

    def test_unknown_nested_key(self) -> None:
        doc = answers_doc()
        doc["assumptions"] = {"self_hosting": {"gpu_price": 1.0}}
        err = _bad(doc)
        assert err.path == "assumptions.self_hosting.gpu_price"


def test_schema_is_generated_from_the_models() -> None:
    schema = json_schema(load_rulebase().questionnaire)
    props = schema["properties"]
    assert set(props) == {"schema_version", "role", "organization", "answers", "assumptions"}
    answers = schema["$defs"]["Answers"]
    assert answers["additionalProperties"] is False
    assert answers["required"] == ["archetype"]
    assert set(answers["properties"]["archetype"]["enum"]) >= {"api_wrapper", "gpu_cloud"}


def test_schema_command_prints_valid_json() -> None:
    proc = subprocess.run([sys.executable, "-m", "advisor", "schema"], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["additionalProperties"] is False


def test_schema_agrees_with_validation_on_examples() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema(load_rulebase().questionnaire)
    for path in (ROOT / "examples").glob("*.json"):
        jsonschema.validate(json.loads(path.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(answers_doc(unknown_id=1), schema)

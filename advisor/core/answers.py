"""The answers file (spec/answers.md): its validator and JSON Schema, built from the questionnaire.

The ``answers`` object's fields come from ``rules/questions.toml``, so a question added there is
at once valid input, part of ``advisor schema`` and asked by the TUI: one source of truth.

The schema is written directly in pydantic-core's schema language rather than as pydantic
``BaseModel`` classes. Both run the same validators (pydantic-core is pydantic's engine), but
the model layer costs about 90 ms at start-up (importing ``pydantic.main``, building the
models, pydantic's plugin loader reading package metadata): on its own, 1.7 times the time of
importing pydantic and jinja2, the budget a whole cold ``advisor assess`` has. ``pydantic_core``
is what ``import pydantic`` loads first, and building the schema and its ``SchemaValidator``
here takes about half a millisecond.
The JSON Schema comes from pydantic's own generator run over the same core schema, so what
``advisor schema`` publishes and what validation enforces cannot drift apart.

Validation yields plain dicts: every question id is present in ``answers`` (``None`` when not
answered) and every assumptions key is present (``None`` when not given), as a model dump was.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import SchemaValidator
from pydantic_core import core_schema as cs

from advisor.core.questionnaire import Question, Questionnaire
from advisor.core.records import Record

SCHEMA_VERSION = 1
SUPPORTED_SCHEMA_VERSIONS = (1,)
SCENARIO_IDS = ("stabilization", "further_decline", "divergence")

# Documented maxima of the assumptions (answers' own maxima are in rules/questions.toml):
# far past any real figure, and low enough that every product the cost model forms stays a
# finite float (README, "Input limits"). ``advisor schema`` shows each one.
MAX_PER_MTOK = 1_000_000.0  # USD per million tokens (the dearest model lists ~$600)
MAX_GPU_HOURLY_USD = 10_000.0
MIN_TOKENS_PER_SECOND = 0.001  # a denormal throughput would make the GPU count infinite
MAX_TOKENS_PER_SECOND = 1_000_000_000.0
MAX_USD = 1_000_000_000_000.0  # any monthly amount in USD
MAX_GPUS = 100_000_000.0
MAX_TOKENS = 100_000_000.0  # tokens per LLM call
MAX_MULTIPLIER = 100.0  # a price multiplier over 12–24 months
MAX_NAME = 200  # characters of a model name
MAX_PRICE_OVERRIDES = 1_000  # models in assumptions.prices


class AnswersFile(Record):
    """A validated answers file. ``answers`` and ``assumptions`` hold every key (None if unset)."""

    __slots__ = ("schema_version", "role", "organization", "answers", "assumptions")

    def __init__(self, schema_version: int, role: str, organization: str | None,
                 answers: dict[str, Any], assumptions: dict[str, Any]) -> None:
        self.schema_version = schema_version
        self.role = role
        self.organization = organization
        self.answers = answers
        self.assumptions = assumptions

    def as_data(self) -> dict[str, Any]:
        """The file as JSON data, unset values dropped: what a user would have written."""
        data: dict[str, Any] = {"schema_version": self.schema_version, "role": self.role}
        if self.organization is not None:
            data["organization"] = self.organization
        data["answers"] = {k: v for k, v in self.answers.items() if v is not None}
        assumptions = _without_none(self.assumptions)
        if assumptions:
            data["assumptions"] = assumptions
        return data


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    return value


# --- the schema, piece by piece -------------------------------------------------------------

def _described(description: str, **more: Any) -> dict[str, Any]:
    """Core-schema metadata that pydantic's JSON Schema generator copies into the output."""
    return {"pydantic_js_updates": {"description": description, **more}}


def _optional(schema: cs.CoreSchema, description: str | None = None) -> cs.TypedDictField:
    """A field that may be omitted or null; omitted reads as None."""
    return cs.typed_dict_field(cs.with_default_schema(cs.nullable_schema(schema), default=None),
                               required=False,
                               metadata=_described(description) if description else None)


def _record(name: str, fields: dict[str, cs.TypedDictField], doc: str) -> cs.TypedDictSchema:
    """A closed JSON object: unknown keys are errors, so typos never pass silently."""
    return cs.typed_dict_schema(fields, extra_behavior="forbid", ref=name,
                                metadata=_described(doc, title=name))


def _number(*, strict: bool = True, **bounds: float | None) -> cs.FloatSchema:
    given = {k: v for k, v in bounds.items() if v is not None}
    return cs.float_schema(allow_inf_nan=False, strict=strict, ge=given.get("ge"),
                           gt=given.get("gt"), le=given.get("le"), lt=given.get("lt"))


def _sums_to_one(value: dict[str, float]) -> dict[str, float]:
    total = sum(value[k] for k in SCENARIO_IDS)
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"scenario probabilities must sum to 1, these sum to {total:g}")
    return value


def _ordered_band(value: dict[str, float]) -> dict[str, float]:
    if value["low_per_mtok"] > value["high_per_mtok"]:
        raise ValueError("low_per_mtok must not exceed high_per_mtok")
    return value


def _assumptions_schema() -> cs.CoreSchema:
    """Overrides of the cost model's documented defaults (spec/costs.md)."""
    probability = _number(ge=0, le=1)
    probabilities = cs.no_info_after_validator_function(_sums_to_one, _record(
        "ScenarioProbabilities", {k: cs.typed_dict_field(probability) for k in SCENARIO_IDS},
        "Probabilities of the three §5 scenarios; each in [0, 1], summing to 1 within 1e-6."))
    multipliers = _record("ScenarioMultipliers", {
        k: _optional(_number(ge=0, le=MAX_MULTIPLIER)) for k in
        ("stabilization", "further_decline", "divergence_general", "divergence_regulated")},
        "Price multipliers over 12–24 months; omitted ones keep the documented defaults.")
    self_hosting = _record("SelfHostingAssumptions", {
        "gpu_hourly_usd": _optional(_number(ge=0, le=MAX_GPU_HOURLY_USD)),
        "tokens_per_second_per_gpu": _optional(_number(ge=MIN_TOKENS_PER_SECOND,
                                                       le=MAX_TOKENS_PER_SECOND)),
        "fixed_monthly_usd": _optional(_number(ge=0, le=MAX_USD)),
        "always_on_gpus": _optional(_number(ge=0, le=MAX_GPUS)),
    }, "Self-hosting cost inputs (faq-q2, faq-q4); omitted ones keep the documented defaults.")
    sizes = _record("DefaultSizes", {
        "input_tokens": _optional(_number(ge=0, le=MAX_TOKENS)),
        "output_tokens": _optional(_number(ge=0, le=MAX_TOKENS)),
    }, "Tokens per LLM call assumed when token sizes are unknown (spec/costs.md, volume).")
    price = _record("PriceOverride", {
        "input_per_mtok": cs.typed_dict_field(_number(ge=0, le=MAX_PER_MTOK)),
        "output_per_mtok": cs.typed_dict_field(_number(ge=0, le=MAX_PER_MTOK)),
    }, "A user's own price for a model, in USD per million tokens (e.g. a private deployment).")
    band = cs.no_info_after_validator_function(_ordered_band, _record("OpenModelBand", {
        "low_per_mtok": cs.typed_dict_field(_number(ge=0, le=MAX_PER_MTOK)),
        "high_per_mtok": cs.typed_dict_field(_number(ge=0, le=MAX_PER_MTOK)),
    }, "The open-model price band, USD per million tokens."))
    return _record("Assumptions", {
        "scenario_probabilities": _optional(probabilities),
        "scenario_multipliers": _optional(multipliers),
        "self_hosting": _optional(self_hosting),
        "default_sizes": _optional(sizes),
        "prices": _optional(cs.dict_schema(cs.str_schema(strict=True, max_length=MAX_NAME),
                                           price, strict=True, max_length=MAX_PRICE_OVERRIDES)),
        "open_model_band": _optional(band),
    }, "Overrides of the cost model's documented defaults (spec/costs.md).")


def _question_schema(q: Question) -> cs.CoreSchema:
    if q.type == "choice":
        return cs.literal_schema(list(q.option_values()))
    if q.type == "bool":
        return cs.bool_schema(strict=True)
    if q.type == "int":
        bounds = {k: v for k, v in (("ge", q.min), ("le", q.max)) if v is not None}
        return cs.int_schema(strict=True, **bounds)  # type: ignore[arg-type]
    if q.type == "number":
        return _number(ge=q.min, le=q.max)
    return cs.str_schema(strict=True, max_length=q.max_length)


def _answers_schema(questionnaire: Questionnaire) -> cs.TypedDictSchema:
    fields: dict[str, cs.TypedDictField] = {}
    for q in questionnaire.questions:
        description = f"{q.prompt} [source: {q.source}]"
        if q.required:
            fields[q.id] = cs.typed_dict_field(_question_schema(q),
                                               metadata=_described(description))
        else:
            fields[q.id] = _optional(_question_schema(q), description)
    return _record("Answers", fields,
                   "Question id -> answer. Every question is optional except `archetype`.")


_SCHEMAS: dict[int, tuple[Questionnaire, cs.CoreSchema, SchemaValidator]] = {}


def _compiled(questionnaire: Questionnaire) -> tuple[cs.CoreSchema, SchemaValidator]:
    """Schema and validator for a questionnaire, built once per questionnaire object."""
    hit = _SCHEMAS.get(id(questionnaire))
    if hit is None or hit[0] is not questionnaire:
        schema = _file_schema(questionnaire)
        hit = _SCHEMAS[id(questionnaire)] = (questionnaire, schema, SchemaValidator(schema))
    return hit[1], hit[2]


def answers_file_schema(questionnaire: Questionnaire) -> cs.CoreSchema:
    """The whole answers file as a core schema, built from the questionnaire."""
    return _compiled(questionnaire)[0]


def _file_schema(questionnaire: Questionnaire) -> cs.CoreSchema:
    assumptions = _assumptions_schema()
    return cs.typed_dict_schema({
        "schema_version": cs.typed_dict_field(cs.literal_schema([SCHEMA_VERSION]),
                                              metadata=_described("Must be 1.")),
        "role": cs.typed_dict_field(
            cs.literal_schema(list(questionnaire.roles)),
            metadata=_described("The stakeholder position (§6 checklist).")),
        "organization": _optional(cs.str_schema(strict=True, max_length=200),
                                  "Free text printed in the report, never interpreted."),
        "answers": cs.typed_dict_field(_answers_schema(questionnaire),
                                       metadata=_described("Question id -> value.")),
        "assumptions": cs.typed_dict_field(
            cs.with_default_schema(assumptions, default={}, validate_default=True), required=False,
            metadata=_described("Overrides of the cost model's defaults.")),
    }, extra_behavior="forbid", metadata=_described(
        "The answers file: the product's public input (spec/answers.md).",
        title="advisor answers file, version 1"))


def validate_data(data: Any, questionnaire: Questionnaire) -> AnswersFile:
    """Validate parsed JSON; raises ``pydantic_core.ValidationError`` (see loading.py)."""
    value = _compiled(questionnaire)[1].validate_python(data)
    return AnswersFile(value["schema_version"], value["role"], value["organization"],
                       value["answers"], value["assumptions"])


def field_names(loc: tuple[Any, ...], questionnaire: Questionnaire) -> list[str]:
    """Keys valid in the object at ``loc`` (for 'did you mean' suggestions); [] if not an object."""
    schema: Any = answers_file_schema(questionnaire)
    for part in loc:
        schema = _unwrap(schema)
        if schema.get("type") == "dict" and isinstance(part, str):
            schema = schema["values_schema"]
            continue
        fields = schema.get("fields") if schema.get("type") == "typed-dict" else None
        if not fields or part not in fields:
            return []
        schema = fields[part]["schema"]
    schema = _unwrap(schema)
    return list(schema["fields"]) if schema.get("type") == "typed-dict" else []


def _unwrap(schema: Any) -> Any:
    while schema.get("type") in ("default", "nullable", "function-after"):
        schema = schema["schema"]
    return schema


def json_schema(questionnaire: Questionnaire) -> dict[str, Any]:
    """The JSON Schema of the answers file, generated by pydantic from the validating schema."""
    from pydantic.json_schema import GenerateJsonSchema

    schema = GenerateJsonSchema().generate(answers_file_schema(questionnaire))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema

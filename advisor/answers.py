"""Pydantic models of the answers file (spec/answers.md), built from the questionnaire.

The ``answers`` object's fields come from ``rules/questions.toml``, so a question added there is
at once valid input, part of ``advisor schema`` and asked by the TUI: one source of truth. The
same models validate files, TUI input and batch items, and generate the JSON Schema.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    create_model,
    model_validator,
)

from advisor.questions import Question, Questionnaire
from advisor.rulebase import load_rulebase

SCHEMA_VERSION = 1
SUPPORTED_SCHEMA_VERSIONS = (1,)
SCENARIO_IDS = ("stabilization", "further_decline", "divergence")

_STRICT = ConfigDict(extra="forbid", strict=True)
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class ScenarioProbabilities(BaseModel):
    """Probabilities of the three §5 scenarios; each in [0, 1], summing to 1 within 1e-6."""

    model_config = _STRICT
    stabilization: Probability
    further_decline: Probability
    divergence: Probability

    @model_validator(mode="after")
    def _sums_to_one(self) -> ScenarioProbabilities:
        total = self.stabilization + self.further_decline + self.divergence
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"scenario probabilities must sum to 1, these sum to {total:g}")
        return self


class ScenarioMultipliers(BaseModel):
    """Price multipliers over 12–24 months; omitted ones keep the documented defaults."""

    model_config = _STRICT
    stabilization: NonNegative | None = None
    further_decline: NonNegative | None = None
    divergence_general: NonNegative | None = None
    divergence_regulated: NonNegative | None = None


class SelfHostingAssumptions(BaseModel):
    """Self-hosting cost inputs (faq-q2, faq-q4); omitted ones keep the documented defaults."""

    model_config = _STRICT
    gpu_hourly_usd: NonNegative | None = None
    tokens_per_second_per_gpu: Positive | None = None
    fixed_monthly_usd: NonNegative | None = None


class PriceOverride(BaseModel):
    """A user's own price for a model, in USD per million tokens (e.g. a private deployment)."""

    model_config = _STRICT
    input_per_mtok: NonNegative
    output_per_mtok: NonNegative


class OpenModelBand(BaseModel):
    """The open-model price band, USD per million tokens."""

    model_config = _STRICT
    low_per_mtok: NonNegative
    high_per_mtok: NonNegative

    @model_validator(mode="after")
    def _ordered(self) -> OpenModelBand:
        if self.low_per_mtok > self.high_per_mtok:
            raise ValueError("low_per_mtok must not exceed high_per_mtok")
        return self


class Assumptions(BaseModel):
    """Overrides of the cost model's documented defaults (spec/costs.md)."""

    model_config = _STRICT
    scenario_probabilities: ScenarioProbabilities | None = None
    scenario_multipliers: ScenarioMultipliers | None = None
    self_hosting: SelfHostingAssumptions | None = None
    prices: dict[str, PriceOverride] | None = None
    open_model_band: OpenModelBand | None = None


def _field_type(q: Question) -> Any:
    if q.type == "choice":
        return Literal[q.option_values()]  # type: ignore[valid-type]
    if q.type == "bool":
        return StrictBool
    if q.type == "int":
        return Annotated[StrictInt, Field(ge=q.min, le=q.max)]
    if q.type == "number":
        return Annotated[float, Field(ge=q.min, le=q.max, allow_inf_nan=False, strict=True)]
    return Annotated[StrictStr, Field(max_length=q.max_length)]


def _answers_model(questionnaire: Questionnaire) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for q in questionnaire.questions:
        annotation = _field_type(q)
        info = Field(description=f"{q.prompt} [source: {q.source}]")
        fields[q.id] = (annotation, info) if q.required else (annotation | None, Field(
            default=None, description=info.description))
    return create_model(
        "Answers",
        __config__=ConfigDict(extra="forbid"),
        __doc__="Question id -> answer. Every question is optional except `archetype`.",
        **fields,
    )


@cache
def answers_file_model() -> type[BaseModel]:
    """The top-level answers-file model, built once per process from the questionnaire."""
    questionnaire = load_rulebase().questionnaire
    answers = _answers_model(questionnaire)
    roles = Literal[questionnaire.roles]  # type: ignore[valid-type]
    return create_model(
        "AnswersFile",
        __config__=ConfigDict(extra="forbid", title="advisor answers file, version 1"),
        __doc__="The answers file: the product's public input (spec/answers.md).",
        schema_version=(Literal[1], Field(description="Must be 1.")),
        role=(roles, Field(description="The stakeholder position (§6 checklist).")),
        organization=(Annotated[StrictStr, Field(max_length=200)] | None, Field(
            default=None, description="Free text printed in the report, never interpreted.")),
        answers=(answers, Field(description="Question id -> value.")),
        assumptions=(Assumptions, Field(default_factory=Assumptions,
                                        description="Overrides of the cost model's defaults.")),
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the answers file, generated from the validating models."""
    schema = answers_file_model().model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema

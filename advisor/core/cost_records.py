"""The cost model's output as typed records (spec/costs.md, ``costs`` in the result).

Every edge (report, TUI, Ask, explain, batch, the LLM's facts) reads the same fields by name,
so a figure is worked out once, in the core, and a missing one is ``None`` for all of them.
``to_dict`` gives the JSON contract, with the keys the result has always had.
"""

from __future__ import annotations

from typing import Any

from advisor.core.records import Record

#: Why the workload runs on owned hardware (spec/costs.md, owned or on-premises capacity):
#: a regulation, an on-premises policy, or the organisation's own choice.
IN_HOUSE_REASONS = ("regulation", "on_premises", "choice")


class CurrentCost(Record):
    """The model the workload runs on and what the workload costs on it a month."""

    __slots__ = ("model", "name", "input_per_mtok", "output_per_mtok", "monthly_usd",
                 "price_source", "basis", "api_monthly_usd", "quality")

    def __init__(self, model: str | None, name: str | None, input_per_mtok: float | None,
                 output_per_mtok: float | None, monthly_usd: float | None,
                 price_source: str | None, basis: str, api_monthly_usd: float | None,
                 quality: str | None) -> None:
        self.model = model  # the price map's key (or the user's own price's name)
        self.name = name  # the model as the user named it, for every sentence a person reads
        self.input_per_mtok = input_per_mtok
        self.output_per_mtok = output_per_mtok
        self.monthly_usd = monthly_usd
        self.price_source = price_source
        self.basis = basis  # "api" or "in_house"
        self.api_monthly_usd = api_monthly_usd  # in house: the same work on the model's API
        #: "reasoning", "frontier", "fine_tuned" or "standard" (spec/costs.md, quality class)
        self.quality = quality

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "name": self.name, "input_per_mtok": self.input_per_mtok,
                "output_per_mtok": self.output_per_mtok, "monthly_usd": self.monthly_usd,
                "price_source": self.price_source, "basis": self.basis,
                "api_monthly_usd": self.api_monthly_usd, "quality": self.quality}


class PricedVolume(Record):
    """The same tokens at a reference price: the 2023 baseline."""

    __slots__ = ("monthly_usd", "input_per_mtok", "output_per_mtok", "date")

    def __init__(self, monthly_usd: float | None, input_per_mtok: float,
                 output_per_mtok: float, date: str) -> None:
        self.monthly_usd = monthly_usd
        self.input_per_mtok = input_per_mtok
        self.output_per_mtok = output_per_mtok
        self.date = date

    def to_dict(self) -> dict[str, Any]:
        return {"monthly_usd": self.monthly_usd, "input_per_mtok": self.input_per_mtok,
                "output_per_mtok": self.output_per_mtok, "date": self.date}


class Band(Record):
    """The same tokens bought from open-weight models at the band's low and high ends."""

    __slots__ = ("low_usd", "high_usd", "low_per_mtok", "high_per_mtok", "date")

    def __init__(self, low_usd: float | None, high_usd: float | None, low_per_mtok: float,
                 high_per_mtok: float, date: str) -> None:
        self.low_usd = low_usd
        self.high_usd = high_usd
        self.low_per_mtok = low_per_mtok
        self.high_per_mtok = high_per_mtok
        self.date = date

    def to_dict(self) -> dict[str, Any]:
        return {"low_usd": self.low_usd, "high_usd": self.high_usd,
                "low_per_mtok": self.low_per_mtok, "high_per_mtok": self.high_per_mtok,
                "date": self.date}


#: ``BillCheck.direction``: how the bill stands against the computed cost.
BILL_DIRECTIONS = ("agree", "higher", "lower", "no_bill")


class BillCheck(Record):
    """The bill against the computed cost, in both directions (spec/costs.md)."""

    __slots__ = ("reported_usd", "computed_usd", "ratio", "direction", "apart_pct", "differs",
                 "far")

    def __init__(self, reported_usd: float | None, computed_usd: float | None,
                 ratio: float | None, direction: str | None, apart_pct: float | None,
                 differs: bool | None, far: bool | None) -> None:
        self.reported_usd = reported_usd
        self.computed_usd = computed_usd
        self.ratio = ratio  # bill ÷ computed cost
        self.direction = direction  # one of BILL_DIRECTIONS; None when there is nothing to set
        #: how far apart, in percent of the smaller figure ("7% apart", "the bill is 48×")
        self.apart_pct = apart_pct
        self.differs = differs  # more than 20% apart: both figures are shown everywhere
        self.far = far  # more than 2× apart: reconciling comes first

    def to_dict(self) -> dict[str, Any]:
        return {"reported_usd": self.reported_usd, "computed_usd": self.computed_usd,
                "ratio": self.ratio, "direction": self.direction, "apart_pct": self.apart_pct,
                "differs": self.differs, "far": self.far}


class ScenarioCost(Record):
    __slots__ = ("probability", "multiplier", "monthly_usd", "computed_monthly_usd")

    def __init__(self, probability: float, multiplier: float, monthly_usd: float | None,
                 computed_monthly_usd: float | None = None) -> None:
        self.probability = probability
        self.multiplier = multiplier
        self.monthly_usd = monthly_usd
        #: when the scenarios start from the bill, the same scenario from the computed cost
        self.computed_monthly_usd = computed_monthly_usd

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"probability": self.probability, "multiplier": self.multiplier,
                               "monthly_usd": self.monthly_usd}
        if self.computed_monthly_usd is not None:
            out["computed_monthly_usd"] = self.computed_monthly_usd
        return out


class Scenarios(Record):
    """Cost in 12–24 months under each §5 scenario, and the probability-weighted figure."""

    __slots__ = ("basis", "by_id", "expected_monthly_usd", "computed_expected_monthly_usd")

    def __init__(self, basis: str, by_id: dict[str, ScenarioCost],
                 expected_monthly_usd: float | None,
                 computed_expected_monthly_usd: float | None = None) -> None:
        #: "computed cost", "in-house cost", "reported spend" (no computed cost) or "bill"
        #: (the computed cost scaled to a bill more than 20% away from it)
        self.basis = basis
        self.by_id = by_id
        self.expected_monthly_usd = expected_monthly_usd
        self.computed_expected_monthly_usd = computed_expected_monthly_usd

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"basis": self.basis}
        out.update({sid: s.to_dict() for sid, s in self.by_id.items()})
        out["expected_monthly_usd"] = self.expected_monthly_usd
        if self.computed_expected_monthly_usd is not None:
            out["computed_expected_monthly_usd"] = self.computed_expected_monthly_usd
        return out


class SelfHosting(Record):
    """Serving the workload on one's own GPUs, against the API options (faq-q2, faq-q4)."""

    __slots__ = ("monthly_usd", "gpu_hours", "gpus_busy", "gpus_at_peak", "gpus_needed",
                 "gpus_owned", "always_on_gpus", "spare_gpus", "gpu_shortfall",
                 "operations_usd", "variable_per_request_usd", "break_even_requests",
                 "break_even_calls", "options", "cheapest_option", "status", "verdict",
                 "summary", "hybrid")

    def __init__(self, monthly_usd: float | None, gpu_hours: float | None,
                 gpus_busy: float | None, gpus_at_peak: float | None, gpus_needed: int | None,
                 gpus_owned: float | None, always_on_gpus: float, spare_gpus: float | None,
                 gpu_shortfall: float | None, operations_usd: float | None,
                 variable_per_request_usd: float | None, break_even_requests: int | None,
                 break_even_calls: int | None, options: dict[str, float | None],
                 cheapest_option: str | None, status: str | None, verdict: str | None,
                 summary: str | None, hybrid: bool) -> None:
        self.monthly_usd = monthly_usd
        self.gpu_hours = gpu_hours
        self.gpus_busy = gpus_busy  # GPU-hours ÷ hours in the month (the average load)
        self.gpus_at_peak = gpus_at_peak  # the busy GPUs times the peak-to-average factor
        self.gpus_needed = gpus_needed  # whole GPUs to provision for the peak
        self.gpus_owned = gpus_owned
        self.always_on_gpus = always_on_gpus
        self.spare_gpus = spare_gpus  # owned GPUs this workload leaves free (in house only)
        self.gpu_shortfall = gpu_shortfall
        self.operations_usd = operations_usd  # people, hosting, monitoring: grows with the fleet
        self.variable_per_request_usd = variable_per_request_usd
        self.break_even_requests = break_even_requests
        self.break_even_calls = break_even_calls
        self.options = options  # current_api / open_model_api / self_hosting -> USD a month
        self.cheapest_option = cheapest_option
        self.status = status  # pays · below_break_even · never_pays · in_house
        self.verdict = verdict
        self.summary = summary
        #: owned GPUs beside an API workload: they serve other work, not spare capacity here
        self.hybrid = hybrid

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


class Lever(Record):
    """What the workload could save without changing what it does (spec/costs.md, levers)."""

    __slots__ = ("id", "monthly_savings_usd", "savings_per_10pct_usd", "savings_if_all_usd",
                 "share", "basis", "source", "question", "model", "monthly_usd_after",
                 "quality")

    def __init__(self, id: str, monthly_savings_usd: float | None,
                 savings_per_10pct_usd: float | None, savings_if_all_usd: float | None,
                 share: float | None, basis: str, source: str, question: str | None = None,
                 model: str | None = None, monthly_usd_after: float | None = None,
                 quality: str | None = None) -> None:
        self.id = id  # prompt_caching · batch_api · smaller_model · open_model_api
        self.monthly_savings_usd = monthly_savings_usd  # None while the share is unknown
        self.savings_per_10pct_usd = savings_per_10pct_usd
        self.savings_if_all_usd = savings_if_all_usd  # the whole workload taking the lever
        self.share = share  # the share of the workload it applies to, when known
        self.basis = basis  # the answer or documented default it rests on, in words
        self.source = source  # the price-map fields (or anchors) its prices come from
        self.question = question  # the question that would pin an unknown share
        self.model = model  # the model it moves to (smaller model)
        self.monthly_usd_after = monthly_usd_after  # the workload's cost with the lever taken
        #: "not_like_for_like" when the cheaper tokens come from a lesser class of model,
        #: "needs_quality_test" when the same provider's smaller model must prove itself
        self.quality = quality

    @property
    def ranking_usd(self) -> float:
        """The figure levers are ordered by: the saving when the share is known, else the
        saving per 10% of the workload (what the team can count on without an answer)."""
        if self.monthly_savings_usd is not None:
            return self.monthly_savings_usd
        return self.savings_per_10pct_usd or 0.0

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


#: ``Materiality.level``: whether the cost matters (spec/costs.md, materiality).
MATERIALITY_LEVELS = ("immaterial", "material", "critical")


class Materiality(Record):
    """The first question a person asks of a cost: does it matter?"""

    __slots__ = ("monthly_usd", "cost_basis", "per_user_usd", "per_request_usd",
                 "revenue_share", "budget_share", "gross_profit_share", "level", "reasons")

    def __init__(self, monthly_usd: float | None, cost_basis: str | None,
                 per_user_usd: float | None, per_request_usd: float | None,
                 revenue_share: float | None, budget_share: float | None,
                 gross_profit_share: float | None, level: str | None,
                 reasons: tuple[str, ...]) -> None:
        self.monthly_usd = monthly_usd  # the figure judged: the bill, else the computed cost
        self.cost_basis = cost_basis  # "bill", "computed" or "in_house"
        self.per_user_usd = per_user_usd  # a month, per daily user
        self.per_request_usd = per_request_usd
        self.revenue_share = revenue_share  # 0-1 (or more)
        self.budget_share = budget_share
        self.gross_profit_share = gross_profit_share
        self.level = level  # one of MATERIALITY_LEVELS, None when nothing can judge it
        #: what decided the level: under_100_usd, under_1pct_revenue, under_1pct_budget,
        #: loses_money, exceeds_gross_profit, most_of_budget
        self.reasons = reasons

    def to_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in self.__slots__}
        out["reasons"] = list(self.reasons)
        return out


class Lifecycle(Record):
    """The current model's retirement, as the price map dates it (costs.md, model lifecycle)."""

    __slots__ = ("model", "deprecation_date", "retired", "days_left", "successor_model",
                 "successor_monthly_usd", "successor_input_per_mtok",
                 "successor_output_per_mtok")

    def __init__(self, model: str, deprecation_date: str, retired: bool, days_left: int,
                 successor_model: str | None, successor_monthly_usd: float | None,
                 successor_input_per_mtok: float | None,
                 successor_output_per_mtok: float | None) -> None:
        self.model = model
        self.deprecation_date = deprecation_date
        self.retired = retired  # the date is on or before the report's date
        self.days_left = days_left  # negative once retired
        self.successor_model = successor_model
        self.successor_monthly_usd = successor_monthly_usd  # this workload on the successor
        self.successor_input_per_mtok = successor_input_per_mtok
        self.successor_output_per_mtok = successor_output_per_mtok

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


class Costs(Record):
    """Every figure of spec/costs.md for one assessment; ``None`` where inputs are missing
    (``notes`` says, in plain words, which question would supply them)."""

    __slots__ = ("monthly_requests", "monthly_calls", "monthly_input_tokens",
                 "monthly_output_tokens", "volume_basis", "tokens_per_call", "in_house",
                 "in_house_reason", "current", "baseline_2023", "open_model_band",
                 "reduction_vs_2023_pct", "bill", "api_share_of_ai_budget", "per_task_usd",
                 "scenarios", "self_hosting", "levers", "materiality", "lifecycle", "notes")
    __hash__ = None  # type: ignore[assignment]  # holds dicts

    def __init__(self, monthly_requests: float | None, monthly_calls: float | None,
                 monthly_input_tokens: float | None, monthly_output_tokens: float | None,
                 volume_basis: str | None, tokens_per_call: tuple[float, float] | None,
                 in_house: bool | None, in_house_reason: str | None,
                 current: CurrentCost | None, baseline_2023: PricedVolume | None,
                 open_model_band: Band | None, reduction_vs_2023_pct: float | None,
                 bill: BillCheck, api_share_of_ai_budget: float | None,
                 per_task_usd: float | None, scenarios: Scenarios | None,
                 self_hosting: SelfHosting | None, levers: tuple[Lever, ...],
                 materiality: Materiality, lifecycle: Lifecycle | None,
                 notes: dict[str, str]) -> None:
        self.monthly_requests = monthly_requests
        self.monthly_calls = monthly_calls
        self.monthly_input_tokens = monthly_input_tokens
        self.monthly_output_tokens = monthly_output_tokens
        self.volume_basis = volume_basis  # answered · inferred_from_bill · default_sizes
        self.tokens_per_call = tokens_per_call  # (input, output)
        self.in_house = in_house
        self.in_house_reason = in_house_reason  # one of IN_HOUSE_REASONS, None when not
        self.current = current
        self.baseline_2023 = baseline_2023
        self.open_model_band = open_model_band
        self.reduction_vs_2023_pct = reduction_vs_2023_pct
        self.bill = bill
        self.api_share_of_ai_budget = api_share_of_ai_budget
        self.per_task_usd = per_task_usd
        self.scenarios = scenarios
        self.self_hosting = self_hosting
        self.levers = levers  # ordered by savings, the largest first
        self.materiality = materiality
        self.lifecycle = lifecycle
        self.notes = notes

    # The bill's figures under the names the JSON result has always used.
    @property
    def reported_spend_usd(self) -> float | None:
        return self.bill.reported_usd

    @property
    def spend_differs(self) -> bool | None:
        return self.bill.differs

    @property
    def spend_gap_flagged(self) -> bool | None:
        return self.bill.far

    @property
    def monthly_usd(self) -> float | None:
        """Today's computed monthly cost (in house: the in-house cost), or None."""
        return None if self.current is None else self.current.monthly_usd

    def lever(self, lever_id: str) -> Lever | None:
        return next((lv for lv in self.levers if lv.id == lever_id), None)

    def to_dict(self) -> dict[str, Any]:
        def opt(record: Any) -> Any:
            return None if record is None else record.to_dict()

        return {
            "monthly_requests": self.monthly_requests,
            "monthly_calls": self.monthly_calls,
            "monthly_input_tokens": self.monthly_input_tokens,
            "monthly_output_tokens": self.monthly_output_tokens,
            "volume_basis": self.volume_basis,
            "tokens_per_call": None if self.tokens_per_call is None else {
                "input": self.tokens_per_call[0], "output": self.tokens_per_call[1]},
            "in_house": self.in_house,
            "in_house_reason": self.in_house_reason,
            "current": opt(self.current),
            "baseline_2023": opt(self.baseline_2023),
            "open_model_band": opt(self.open_model_band),
            "reduction_vs_2023_pct": self.reduction_vs_2023_pct,
            "reported_spend_usd": self.bill.reported_usd,
            "spend_gap_ratio": self.bill.ratio,
            "spend_gap_flagged": self.bill.far,
            "spend_differs": self.bill.differs,
            "bill": self.bill.to_dict(),
            "api_share_of_ai_budget": self.api_share_of_ai_budget,
            "per_task_usd": self.per_task_usd,
            "scenarios": opt(self.scenarios),
            "self_hosting": opt(self.self_hosting),
            "levers": [lv.to_dict() for lv in self.levers],
            "materiality": self.materiality.to_dict(),
            "lifecycle": opt(self.lifecycle),
            "notes": dict(self.notes),
        }

    def get(self, key: str, default: Any = None) -> Any:
        """The JSON form's value for ``key``: for edges not yet reading the fields by name.

        Transitional; every reader in advisor moves to attributes, and this goes with the last.
        """
        value = self.to_dict().get(key)
        return default if value is None else value

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

"""The cost model of spec/costs.md: pure arithmetic on answers, a price and assumptions.

No I/O and no network: the caller resolves the model's price (``prices.py``) and merges the
assumptions. Every output whose inputs are missing is ``None`` with a reason in ``notes`` (in
plain words: the question to answer), never an invented figure; a documented default is used
only where the spec allows it (default token sizes per request), and labelled as such. Money
is in USD per month unless a key says otherwise.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

from advisor.core import wording
from advisor.core.cost_records import (
    Band,
    BillCheck,
    Costs,
    CurrentCost,
    Lifecycle,
    PricedVolume,
    ScenarioCost,
    Scenarios,
    SelfHosting,
)
from advisor.core.hosting import Hosting, HostingAssumptions, break_even, hosting_cost
from advisor.core.levers import levers as _levers
from advisor.core.materiality import materiality as _materiality
from advisor.core.prices import LOCAL_PROVIDERS, Price
from advisor.core.records import Record

MTOK = 1_000_000

#: litellm providers that run a model on the user's own machines: an API is not involved.

#: costs["volume_basis"]: what the token volume rests on.
VOLUME_BASES = ("answered", "inferred_from_bill", "default_sizes")


class CostAssumptions(Record):
    """The numbers the cost model runs on, defaults merged with the user's overrides."""

    __slots__ = ("probabilities", "multipliers", "hosting", "baseline_input_per_mtok",
                 "baseline_output_per_mtok", "band_low_per_mtok", "band_high_per_mtok",
                 "days_per_month", "spend_gap_factor", "overridden", "default_input_tokens",
                 "default_output_tokens", "spend_differs_pct", "frontier_output_per_mtok")

    def __init__(self, probabilities: dict[str, float], multipliers: dict[str, float],
                 hosting: HostingAssumptions, baseline_input_per_mtok: float,
                 baseline_output_per_mtok: float, band_low_per_mtok: float,
                 band_high_per_mtok: float, days_per_month: float = 30,
                 spend_gap_factor: float = 2.0,
                 overridden: frozenset[str] = frozenset(),
                 default_input_tokens: float = 1500, default_output_tokens: float = 300,
                 spend_differs_pct: float = 20,
                 frontier_output_per_mtok: float = 10.0) -> None:
        self.probabilities = probabilities
        self.multipliers = multipliers
        self.hosting = hosting
        self.baseline_input_per_mtok = baseline_input_per_mtok
        self.baseline_output_per_mtok = baseline_output_per_mtok
        self.band_low_per_mtok = band_low_per_mtok
        self.band_high_per_mtok = band_high_per_mtok
        self.days_per_month = days_per_month
        self.spend_gap_factor = spend_gap_factor
        self.overridden = overridden
        self.default_input_tokens = default_input_tokens
        self.default_output_tokens = default_output_tokens
        self.spend_differs_pct = spend_differs_pct
        #: a model listing at least this per million output tokens is frontier-class
        self.frontier_output_per_mtok = frontier_output_per_mtok

    def as_table(self) -> list[tuple[str, str, str]]:
        """(name, value, where it comes from) rows for the report's assumptions section."""

        def src(key: str, default: str) -> str:
            return "your answers file" if key in self.overridden else default

        p, m, h = self.probabilities, self.multipliers, self.hosting
        own = src("self_hosting", "advisor default")
        return [
            ("Scenario probabilities", f"{p['stabilization']:.0%} / {p['further_decline']:.0%}"
             f" / {p['divergence']:.0%}", src("scenario_probabilities", "article §5")),
            ("Price multiplier, stabilisation", f"×{m['stabilization']:g}",
             src("scenario_multipliers", "article §5")),
            ("Price multiplier, further decline", f"×{m['further_decline']:g}",
             src("scenario_multipliers", "article §5")),
            ("Price multiplier, divergence (general / regulated)",
             f"×{m['divergence_general']:g} / ×{m['divergence_regulated']:g}",
             src("scenario_multipliers", "article §5")),
            ("Owned or in-house GPUs", "×1 in every scenario: depreciated, not repriced",
             "article FAQ 4"),
            ("GPU price per hour (rented, or an owned GPU's depreciation and running cost)",
             f"${h.gpu_hourly_usd:,.2f}", own),
            ("Tokens per second per GPU, reading prompts (prefill)",
             f"{h.prefill_tokens_per_second:,.0f}", own),
            ("Tokens per second per GPU, writing answers (decode)",
             f"{h.decode_tokens_per_second:,.0f}", own),
            ("Peak-to-average load (capacity is provisioned for the busiest hour)",
             f"×{h.peak_to_average:g}", own),
            ("Always-on GPUs when self-hosting (unless more are owned)",
             f"{h.always_on_gpus:g}", own),
            ("Operating self-hosted capacity per month (people, hosting, monitoring)",
             f"${h.operations_base_usd:,.0f} plus ${h.operations_per_block_usd:,.0f} per "
             f"block of {h.gpus_per_block:g} GPUs", own),
            ("Default size of a request when token sizes are not known",
             f"{self.default_input_tokens:,.0f} input and {self.default_output_tokens:,.0f} "
             "output tokens per LLM call (a chat request)", src("default_sizes",
                                                               "advisor default")),
            ("2023 baseline (GPT-4 launch, March 2023)",
             f"${self.baseline_input_per_mtok:g} / ${self.baseline_output_per_mtok:g} per M "
             "input / output tokens", "article §1"),
            ("Open-model band (late 2025 to early 2026)",
             f"${self.band_low_per_mtok:.2f}–${self.band_high_per_mtok:.2f} per M tokens",
             src("open_model_band", "article §1")),
            ("Days per month", f"{self.days_per_month:g} ({self.hosting.hours_per_month:g} "
             "hours), for volumes and GPU-hours alike", "spec/costs.md"),
        ]


def merge_assumptions(defaults: dict[str, Any], anchors: dict[str, Any],
                      overrides: dict[str, Any] | None) -> CostAssumptions:
    """Defaults from ``rules/assumptions.toml`` and ``anchors.toml``, then the file's overrides.

    ``overrides`` is the answers file's validated ``assumptions`` object; None values are unset.
    """
    probabilities = dict(defaults["scenario_probabilities"])
    multipliers = dict(defaults["scenario_multipliers"])
    hosting = dict(defaults["self_hosting"])
    sizes = dict(defaults.get("default_sizes") or {})
    band = anchors["open_model_band"]
    band_low, band_high = band["low_per_mtok"], band["high_per_mtok"]
    overridden: set[str] = set()
    overrides = overrides or {}
    if overrides.get("scenario_probabilities") is not None:
        probabilities = dict(overrides["scenario_probabilities"])
        overridden.add("scenario_probabilities")
    for key, merged in (("scenario_multipliers", multipliers), ("self_hosting", hosting),
                        ("default_sizes", sizes)):
        given = {k: v for k, v in (overrides.get(key) or {}).items() if v is not None}
        merged.update(given)
        if given:
            overridden.add(key)
    if overrides.get("open_model_band") is not None:
        band_low = overrides["open_model_band"]["low_per_mtok"]
        band_high = overrides["open_model_band"]["high_per_mtok"]
        overridden.add("open_model_band")
    launch = anchors["gpt4_launch"]
    days = float(defaults.get("days_per_month", 30))
    return CostAssumptions(
        probabilities=probabilities, multipliers=multipliers,
        hosting=_hosting_assumptions(hosting, days),
        baseline_input_per_mtok=float(launch["input_per_mtok"]),
        baseline_output_per_mtok=float(launch["output_per_mtok"]),
        band_low_per_mtok=float(band_low), band_high_per_mtok=float(band_high),
        days_per_month=days,
        frontier_output_per_mtok=float(defaults.get("frontier_output_per_mtok", 10.0)),
        spend_gap_factor=float(defaults.get("spend_gap_factor", 2.0)),
        spend_differs_pct=float(defaults.get("spend_differs_pct", 20)),
        default_input_tokens=float(sizes.get("input_tokens", 1500)),
        default_output_tokens=float(sizes.get("output_tokens", 300)),
        overridden=frozenset(overridden),
    )


def _hosting_assumptions(h: dict[str, Any], days: float) -> HostingAssumptions:
    """The self-hosting inputs. An older override names one blended throughput
    (``tokens_per_second_per_gpu``) or one flat operations sum (``fixed_monthly_usd``): each
    still means what it said, for prompts and answers alike, for any fleet."""
    blended = h.get("tokens_per_second_per_gpu")
    flat = h.get("fixed_monthly_usd")
    return HostingAssumptions(
        gpu_hourly_usd=float(h["gpu_hourly_usd"]),
        prefill_tokens_per_second=float(blended if blended is not None
                                        else h["prefill_tokens_per_second_per_gpu"]),
        decode_tokens_per_second=float(blended if blended is not None
                                       else h["decode_tokens_per_second_per_gpu"]),
        peak_to_average=float(h.get("peak_to_average", 1.0)),
        always_on_gpus=float(h.get("always_on_gpus", 2)),
        operations_base_usd=float(flat if flat is not None else h["operations_base_usd"]),
        operations_per_block_usd=0.0 if flat is not None else float(
            h["operations_per_block_usd"]),
        gpus_per_block=float(h.get("gpus_per_block", 8)),
        hours_per_month=days * 24)


def _money(x: float | None) -> float | None:
    """Round to a millionth of a dollar: exact to the cent, but keeps tiny per-call costs."""
    if x is None:
        return None
    return round(x, 6) if math.isfinite(x) else None


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _num(values: dict[str, Any], key: str) -> float | None:
    v = values.get(key)
    return None if v is None else float(v)


def served_in_house(values: dict[str, Any], price: Price | None) -> bool | None:
    """True when an API is not an option (spec/costs.md, owned or on-premises capacity).

    On-premises required, a local provider (``ollama/…``), or a price of 0 the user set for a
    private model. None while neither the requirement nor the model is known.
    """
    if values.get("on_prem_required") is True:
        return True
    if price is not None:
        provider = price.provider or price.model.partition("/")[0]
        if provider in LOCAL_PROVIDERS or price.model.partition("/")[0] in LOCAL_PROVIDERS:
            return True
        own_price = not price.provider  # the user's own price (answers file or price file)
        return own_price and price.input_per_mtok == 0 and price.output_per_mtok == 0
    if values.get("on_prem_required") is False:
        return False
    return None


class Volume(Record):
    __slots__ = ("requests", "calls", "input_tokens", "output_tokens", "basis",
                 "input_per_call", "output_per_call")

    def __init__(self, requests: float | None, calls: float | None,
                 input_tokens: float | None, output_tokens: float | None,
                 basis: str | None = None, input_per_call: float | None = None,
                 output_per_call: float | None = None) -> None:
        self.requests = requests
        self.calls = calls
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self.basis = basis  # one of VOLUME_BASES, None without a volume
        self.input_per_call = input_per_call
        self.output_per_call = output_per_call

    def tokens(self) -> tuple[float, float] | None:
        """Input and output tokens a month, or None when they are not known."""
        if self.input_tokens is None or self.output_tokens is None:
            return None
        return self.input_tokens, self.output_tokens

    def per_call(self) -> tuple[float, float] | None:
        """Input and output tokens per LLM call, or None when they are not known."""
        if self.input_per_call is None or self.output_per_call is None:
            return None
        return self.input_per_call, self.output_per_call


def volume(values: dict[str, Any], a: CostAssumptions, notes: dict[str, str],
           price: Price | None = None, in_house: bool | None = None) -> Volume:
    """Requests, LLM calls and tokens a month, and what the token figures rest on."""
    requests = _num(values, "monthly_requests")
    if requests is None:
        users, per_user = _num(values, "daily_users"), _num(values, "requests_per_user_per_day")
        if users is not None and per_user is not None:
            requests = users * per_user * a.days_per_month
        else:
            notes["monthly_requests"] = ("how many requests the workload serves a month (or how "
                                         "many users a day, and requests per user)")
    calls_per_task = _num(values, "calls_per_task") or 1.0
    calls = None if requests is None else requests * calls_per_task
    tin, tout = _num(values, "avg_input_tokens"), _num(values, "avg_output_tokens")
    answered = tin is not None or tout is not None
    if calls is None:  # sizes without a volume still give a per-request cost and break-even
        return Volume(requests, calls, None, None, None, (tin or 0.0) if answered else None,
                      (tout or 0.0) if answered else None)
    if answered:
        tin, tout = tin or 0.0, tout or 0.0
        return Volume(requests, calls, calls * tin, calls * tout, "answered", tin, tout)
    bill = _num(values, "monthly_api_spend_usd")
    di, do = a.default_input_tokens, a.default_output_tokens
    per_default_call = (0.0 if price is None else
                        (di * price.input_per_mtok + do * price.output_per_mtok) / MTOK)
    if bill and per_default_call > 0 and not in_house:
        # Worked back from the bill at the model's price, with the default input/output ratio.
        units = bill / per_default_call
        tokens_in, tokens_out = units * di, units * do
        per_in = tokens_in / calls if calls else 0.0
        per_out = tokens_out / calls if calls else 0.0
        if math.isfinite(per_in) and math.isfinite(per_out):
            return Volume(requests, calls, tokens_in, tokens_out, "inferred_from_bill", per_in,
                          per_out)
        # A volume too small to divide a bill by: the bill says nothing about request sizes.
    return Volume(requests, calls, calls * di, calls * do, "default_sizes", di, do)


def _cost(input_tokens: float, output_tokens: float, pin: float, pout: float) -> float:
    return input_tokens / MTOK * pin + output_tokens / MTOK * pout


def in_house_reason(values: dict[str, Any], in_house: bool | None,
                    regulated: bool) -> str | None:
    """Why the work runs in house: a regulation, an on-premises policy, or a choice.

    The three read differently to a client: "if regulation ever allows an API" is right only
    for the first, and a client who chose its own GPUs was never barred from an API."""
    if not in_house:
        return None
    if values.get("on_prem_required") is True:
        return "regulation" if regulated else "on_premises"
    return "choice"


def quality_class(price: Price | None, a: CostAssumptions) -> str | None:
    """The current model's class, against which the open-model band is or is not a
    like-for-like swap (spec/costs.md, quality class): fine-tuned, reasoning, frontier."""
    if price is None:
        return None
    open_weight = getattr(price, "open_weight", None)
    if open_weight is not None:  # served in house: its class comes from rules/open_weights.toml
        return {"reasoning": "reasoning", "frontier-open": "frontier"}.get(
            getattr(open_weight, "quality", ""), "standard")
    if getattr(price, "fine_tuned", False):
        return "fine_tuned"
    if price.traits is not None and price.traits.reasoning:
        return "reasoning"
    if price.output_per_mtok >= a.frontier_output_per_mtok:
        return "frontier"
    return "standard"


def _bill(reported: float | None, computed: float | None, in_house: bool | None,
          a: CostAssumptions) -> BillCheck:
    """The bill against the computed cost, in its direction (spec/costs.md)."""
    if reported is None:
        return BillCheck(None, computed, None, None, None, None, None)
    if in_house or reported <= 0:
        # Nothing is paid to an API: there is nothing to reconcile.
        return BillCheck(reported, computed, None, "no_bill", None, False, False)
    if computed is None or computed <= 0:
        return BillCheck(reported, computed, None, None, None, None, None)
    ratio = _finite(reported / computed)
    if ratio is None:
        return BillCheck(reported, computed, None, "higher", None, True, True)
    apart = _finite((ratio - 1 if ratio >= 1 else 1 / ratio - 1) * 100) if ratio > 0 else None
    differs = abs(ratio - 1) > a.spend_differs_pct / 100
    direction = "agree" if not differs else "higher" if ratio > 1 else "lower"
    far = ratio > a.spend_gap_factor or ratio < 1 / a.spend_gap_factor
    return BillCheck(reported, computed, round(ratio, 4), direction,
                     None if apart is None else round(apart, 2), differs, far)


def _lifecycle(price: Price | None, tokens: tuple[float, float] | None,
               successor: Price | None, as_of: str | None) -> Lifecycle | None:
    """The current model's retirement when the map dates it within a year of ``as_of``."""
    if price is None or price.traits is None or not price.traits.deprecation_date or not as_of:
        return None
    try:
        retires = _dt.date.fromisoformat(price.traits.deprecation_date)
        today = _dt.date.fromisoformat(as_of)
    except ValueError:
        return None
    days = (retires - today).days
    if days > 365:
        return None
    monthly = None
    if successor is not None and tokens is not None:
        monthly = _money(_cost(*tokens, successor.input_per_mtok, successor.output_per_mtok))
    return Lifecycle(price.model, price.traits.deprecation_date, days <= 0, days,
                     price.traits.successor_model,
                     monthly, None if successor is None else successor.input_per_mtok,
                     None if successor is None else successor.output_per_mtok)


def _year_after(as_of: str | None) -> str | None:
    if not as_of:
        return None
    try:
        day = _dt.date.fromisoformat(as_of)
    except ValueError:
        return None
    return (day + _dt.timedelta(days=365)).isoformat()


def compute_costs(values: dict[str, Any], price: Price | None, a: CostAssumptions,
                  *, regulated_domain: bool, as_of: str | None = None,
                  siblings: tuple[Price, ...] = (), successor: Price | None = None,
                  model_name: str | None = None) -> Costs:
    """Every figure of spec/costs.md, ``None`` where inputs are missing (reason in ``notes``).

    ``as_of`` is the report's date (ISO), for the model-retirement finding; ``siblings`` the
    same provider's models, for the smaller-model lever; ``successor`` the retiring model's
    successor, priced; ``model_name`` the model as the user wrote it.
    """
    notes: dict[str, str] = {}
    h = a.hosting
    in_house = served_in_house(values, price)
    vol = volume(values, a, notes, price, in_house)
    tokens = vol.tokens()
    per_call = vol.per_call()
    calls_per_task = _num(values, "calls_per_task") or 1.0
    owned = _num(values, "self_hosted_gpus")
    hybrid = bool(owned) and not in_house
    # Owned GPUs are the always-on minimum only when this workload runs on them.
    always_on = owned if owned and in_house else h.always_on_gpus

    in_house_cost = None
    if in_house and tokens is not None:
        in_house_cost = hosting_cost(*tokens, h, always_on)

    quality = quality_class(price, a)
    current = None
    current_usd = api_usd = None
    if price is None:
        notes["current"] = ("which model the workload runs on, to price it" if not in_house else
                            "which model runs in house, to size the GPUs it needs")
    else:
        if tokens is not None:
            api_usd = _cost(*tokens, price.input_per_mtok, price.output_per_mtok)
        current_usd = in_house_cost.monthly if in_house_cost is not None else api_usd
        api_listed = price.input_per_mtok + price.output_per_mtok > 0
        listed = getattr(price, "api_priced", True)  # an open-weight model in house: no list
        current = CurrentCost(price.model, model_name or price.model,
                              price.input_per_mtok if listed else None,
                              price.output_per_mtok if listed else None,
                              _money(current_usd), price.source,
                              "in_house" if in_house else "api",
                              _money(api_usd) if in_house and api_usd and api_listed else None,
                              quality)
    if in_house and price is None and in_house_cost is not None:
        # On premises without a named model: the GPU cost of the tokens is still known.
        current_usd = in_house_cost.monthly
        current = CurrentCost(None, model_name, None, None, _money(current_usd), None,
                              "in_house", None, None)
        notes.pop("current", None)

    baseline = band = reduction = None
    if tokens is not None:
        base_usd = _cost(*tokens, a.baseline_input_per_mtok, a.baseline_output_per_mtok)
        baseline = PricedVolume(_money(base_usd), a.baseline_input_per_mtok,
                                a.baseline_output_per_mtok, "2023-03")
        total_tokens = sum(tokens)
        band = Band(_money(total_tokens / MTOK * a.band_low_per_mtok),
                    _money(total_tokens / MTOK * a.band_high_per_mtok),
                    a.band_low_per_mtok, a.band_high_per_mtok, "late 2025 to early 2026")
        ratio = _finite(current_usd / base_usd) if current_usd is not None and base_usd > 0 \
            else None
        if ratio is not None and not math.isfinite(100 * (1 - ratio)):
            ratio = None
        if ratio is not None:
            reduction = round(100 * (1 - ratio), 2)
        elif current_usd is not None and base_usd > 0:
            notes["reduction_vs_2023_pct"] = ("a larger monthly volume: at this one the 2023 cost "
                                              "is too small to compare with")
        elif current_usd is not None:
            notes["reduction_vs_2023_pct"] = ("how many tokens a request uses, to compare with "
                                              "2023 prices")

    reported = _num(values, "monthly_api_spend_usd")
    bill = _bill(reported, None if in_house else current_usd, in_house, a)

    budget = _num(values, "monthly_ai_budget_usd")
    spend = reported if reported is not None else (None if in_house else current_usd)
    share = None
    if budget is not None and spend is not None:
        ratio = _finite(spend / budget) if budget > 0 else None
        if ratio is not None:
            share = round(ratio, 6)
        else:
            notes["api_share_of_ai_budget"] = "the AI budget is zero (or too small to divide by)"
    elif budget is not None and not in_house:
        notes["api_share_of_ai_budget"] = ("what the API bills come to a month, or the model and "
                                           "volume to compute it")

    per_task = None
    if price is not None and per_call is not None:
        per_task = calls_per_task * _cost(*per_call, price.input_per_mtok,
                                          price.output_per_mtok)
        if in_house and in_house_cost is not None and vol.requests:
            per_task = in_house_cost.monthly / vol.requests

    scenario_base = current_usd if current_usd is not None else (
        None if in_house else reported)
    scenarios = _scenarios(scenario_base, a, regulated_domain, notes, in_house=bool(in_house),
                           bill=bill if current_usd is not None else None)
    if current_usd is None and reported is not None and scenarios is not None:
        scenarios.basis = "reported spend"
    hosting = _self_hosting(vol, price, api_usd, calls_per_task, a, notes, always_on=always_on,
                            owned=owned, in_house=bool(in_house), in_house_cost=in_house_cost,
                            band=band, hybrid=hybrid)

    like_for_like = quality == "standard"
    levers = () if in_house else _levers(
        price, tokens, api_usd, cacheable=_num(values, "cacheable_input_share"),
        deferrable=_num(values, "deferrable_share"), candidates=siblings, band=band,
        like_for_like=like_for_like, retiring_before=_year_after(as_of))

    paid = reported if reported is not None and reported > 0 and not in_house else None
    judged = paid if paid is not None else current_usd
    basis = None if judged is None else ("bill" if paid is not None else
                                         "in_house" if in_house else "computed")
    matter = _materiality(judged, basis, values, vol.requests, share)

    return Costs(
        monthly_requests=vol.requests,
        monthly_calls=vol.calls,
        monthly_input_tokens=vol.input_tokens,
        monthly_output_tokens=vol.output_tokens,
        volume_basis=vol.basis,
        tokens_per_call=None if per_call is None else (round(per_call[0], 2),
                                                       round(per_call[1], 2)),
        in_house=in_house,
        in_house_reason=in_house_reason(values, in_house, regulated_domain),
        current=current,
        baseline_2023=baseline,
        open_model_band=band,
        reduction_vs_2023_pct=reduction,
        bill=bill,
        api_share_of_ai_budget=share,
        per_task_usd=_money(per_task),
        scenarios=scenarios,
        self_hosting=hosting,
        levers=levers,
        materiality=matter,
        lifecycle=None if in_house else _lifecycle(price, tokens, successor, as_of),
        notes=notes,
    )


def _scenarios(base: float | None, a: CostAssumptions, regulated: bool,
               notes: dict[str, str], *, in_house: bool = False,
               bill: BillCheck | None = None) -> Scenarios | None:
    """Each scenario's monthly cost. When the bill is more than 20% from the computed cost,
    the scenarios start from the bill (the computed figure scaled by bill ÷ computed) and keep
    the computed figure beside them (spec/costs.md)."""
    if base is None:
        if not ("current" in notes and "api_share_of_ai_budget" in notes):  # asked already
            notes["scenarios"] = ("today's monthly cost (the model and volume, or the monthly "
                                  "API bill), to project it")
        return None
    m = a.multipliers
    mult = {"stabilization": m["stabilization"], "further_decline": m["further_decline"],
            "divergence": m["divergence_regulated"] if regulated else m["divergence_general"]}
    if in_house:  # owned hardware is depreciated, not repriced (faq-q4)
        mult = dict.fromkeys(mult, 1.0)
    scale = None
    if bill is not None and bill.differs and bill.ratio is not None:
        scale = bill.ratio
    by_id: dict[str, ScenarioCost] = {}
    expected = computed_expected = 0.0
    for sid, factor in mult.items():
        computed = base * factor
        cost = computed * scale if scale is not None else computed
        expected += a.probabilities[sid] * cost
        computed_expected += a.probabilities[sid] * computed
        by_id[sid] = ScenarioCost(a.probabilities[sid], factor, _money(cost),
                                  _money(computed) if scale is not None else None)
    basis = "in-house cost" if in_house else "bill" if scale is not None else "computed cost"
    return Scenarios(basis, by_id, _money(expected),
                     _money(computed_expected) if scale is not None else None)


_OPTION_WORDS = {"current_api": "your current model's API", "open_model_api": "an open-model API",
                 "self_hosting": "self-hosting"}


def _cheapest(options: dict[str, float]) -> str | None:
    """The cheapest option; on a tie the one needing the least change (catalogue order)."""
    if not options:
        return None
    order = list(_OPTION_WORDS)
    return min(options, key=lambda k: (options[k], order.index(k)))


def _self_hosting(vol: Volume, price: Price | None, api_usd: float | None,
                  calls_per_task: float, a: CostAssumptions, notes: dict[str, str], *,
                  always_on: float, owned: float | None, in_house: bool,
                  in_house_cost: Hosting | None, band: Band | None, hybrid: bool
                  ) -> SelfHosting | None:
    h = a.hosting
    per_call = vol.per_call()
    if per_call is None or (vol.requests is None and (in_house or price is None)):
        if "monthly_requests" not in notes:  # the same question is asked once
            notes["self_hosting"] = ("how many requests the workload serves a month, to size "
                                     "the GPUs it would need")
        return None
    if price is None and not in_house:
        if "current" not in notes:  # the same question is asked once
            notes["self_hosting"] = ("which model the workload runs on, to compare its API "
                                     "with GPUs")
        return None
    in_per_request, out_per_request = calls_per_task * per_call[0], calls_per_task * per_call[1]
    per_request_api = 0.0 if price is None else _cost(
        in_per_request, out_per_request, price.input_per_mtok, price.output_per_mtok)
    sized = vol.input_tokens is not None
    own = hosting_cost(vol.input_tokens or 0.0, vol.output_tokens or 0.0, h, always_on)
    api_priced = per_request_api > 0
    be = break_even(per_request_api, in_per_request, out_per_request, h,
                    always_on) if api_priced else None

    options: dict[str, float] = {}
    if api_usd is not None and not (in_house and not api_priced):
        options["current_api"] = api_usd  # a free API is an API all the same
    if band is not None and band.low_usd is not None:
        options["open_model_api"] = band.low_usd
    if sized:
        options["self_hosting"] = own.monthly
    cheapest = "self_hosting" if in_house else _cheapest(options)

    if in_house:
        status = "in_house"
    elif not api_priced or be is None:
        status = "never_pays"
    elif vol.requests is None:
        status = None
        notes["self_hosting.verdict"] = ("how many requests the workload serves a month, to "
                                         "compare with the break-even")
    else:
        status = "pays" if vol.requests >= be else "below_break_even"

    summary = _summary(cheapest, options, in_house, own, owned) if sized else None
    if be is None and not in_house:
        notes["self_hosting.break_even_requests"] = (
            "self-hosting never pays against this model's price: the API costs no more per "
            "request than the GPU time to serve it")
    seconds = h.gpu_seconds(in_per_request, out_per_request) * h.peak_to_average
    mine = owned if in_house else None  # owned GPUs beside an API workload serve other work
    return SelfHosting(
        monthly_usd=_money(own.monthly) if sized else None,
        gpu_hours=round(own.gpu_hours, 3) if sized else None,
        gpus_busy=round(own.gpus_busy, 3) if sized else None,
        gpus_at_peak=round(own.gpus_at_peak, 3) if sized else None,
        gpus_needed=(max(1, math.ceil(own.gpus_at_peak - 1e-9)) if own.gpus_at_peak else 0)
        if sized else None,
        gpus_owned=owned,
        always_on_gpus=always_on,
        spare_gpus=None if mine is None or not sized else round(
            max(0.0, mine - own.gpus_at_peak), 3),
        gpu_shortfall=None if mine is None or not sized else round(
            max(0.0, own.gpus_at_peak - mine), 3),
        operations_usd=_money(own.operations) if sized else None,
        variable_per_request_usd=_money(seconds / 3600 * h.gpu_hourly_usd),
        break_even_requests=None if be is None else round(be),
        break_even_calls=None if be is None else round(be * calls_per_task),
        options={k: _money(v) for k, v in options.items()},
        cheapest_option=cheapest,
        status=status,
        verdict=None if status is None else _VERDICTS.get(status),
        summary=summary,
        hybrid=hybrid)


#: ``verdict``: the break-even against the current model, as the edges have always read it;
#: ``summary`` names the cheapest of the three options with its figure.
_VERDICTS = {"pays": "self-hosting pays", "below_break_even": "stay on API",
             "never_pays": "never pays", "in_house": "in house"}


def _summary(cheapest: str | None, options: dict[str, float], in_house: bool,
             own: Hosting, owned: float | None) -> str:
    """One sentence naming the cheapest of the three options with its monthly figure."""
    if in_house:
        text = (f"run in house at about {wording.usd(own.monthly)} a month "
                f"({own.gpus_at_peak:.1f} GPUs at peak")
        if owned:
            text += f" of {owned:g} owned"
        text += ")"
        if "open_model_api" in options:
            text += (f"; an open-model API would cost about "
                     f"{wording.usd(options['open_model_api'])}")
        return text
    if cheapest is None:
        return "no option can be priced"
    others = [f"{_OPTION_WORDS[k]} {wording.usd(v)}" for k, v in options.items()
              if k != cheapest]
    text = (f"{_OPTION_WORDS[cheapest]} is the cheapest at about "
            f"{wording.usd(options[cheapest])} a month")
    if others:
        text += " (" + ", ".join(others) + ")"
    return text

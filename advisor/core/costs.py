"""The cost model of spec/costs.md: pure arithmetic on answers, a price and assumptions.

No I/O and no network: the caller resolves the model's price (``prices.py``) and merges the
assumptions. Every output whose inputs are missing is ``None`` with a reason in ``notes`` (in
plain words: the question to answer), never an invented figure; a documented default is used
only where the spec allows it (default token sizes per request), and labelled as such. Money
is in USD per month unless a key says otherwise.
"""

from __future__ import annotations

import math
from typing import Any

from advisor.core import wording
from advisor.core.prices import Price
from advisor.core.records import Record

MTOK = 1_000_000
HOURS_PER_MONTH = 730

#: litellm providers that run a model on the user's own machines: an API is not involved.
LOCAL_PROVIDERS = frozenset({"ollama", "ollama_chat", "lemonade", "lm_studio", "llamafile",
                             "hosted_vllm", "vllm", "xinference", "oobabooga"})

#: costs["volume_basis"]: what the token volume rests on.
VOLUME_BASES = ("answered", "inferred_from_bill", "default_sizes")


class CostAssumptions(Record):
    """The numbers the cost model runs on, defaults merged with the user's overrides."""

    __slots__ = ("probabilities", "multipliers", "gpu_hourly_usd", "tokens_per_second_per_gpu",
                 "fixed_monthly_usd", "baseline_input_per_mtok", "baseline_output_per_mtok",
                 "band_low_per_mtok", "band_high_per_mtok", "days_per_month",
                 "spend_gap_factor", "overridden", "always_on_gpus", "default_input_tokens",
                 "default_output_tokens", "spend_differs_pct")

    def __init__(self, probabilities: dict[str, float], multipliers: dict[str, float],
                 gpu_hourly_usd: float, tokens_per_second_per_gpu: float,
                 fixed_monthly_usd: float, baseline_input_per_mtok: float,
                 baseline_output_per_mtok: float, band_low_per_mtok: float,
                 band_high_per_mtok: float, days_per_month: float = 30,
                 spend_gap_factor: float = 2.0,
                 overridden: frozenset[str] = frozenset(), always_on_gpus: float = 2,
                 default_input_tokens: float = 1500, default_output_tokens: float = 300,
                 spend_differs_pct: float = 20) -> None:
        self.probabilities = probabilities
        self.multipliers = multipliers
        self.gpu_hourly_usd = gpu_hourly_usd
        self.tokens_per_second_per_gpu = tokens_per_second_per_gpu
        self.fixed_monthly_usd = fixed_monthly_usd  # operating self-hosted capacity, GPUs apart
        self.baseline_input_per_mtok = baseline_input_per_mtok
        self.baseline_output_per_mtok = baseline_output_per_mtok
        self.band_low_per_mtok = band_low_per_mtok
        self.band_high_per_mtok = band_high_per_mtok
        self.days_per_month = days_per_month
        self.spend_gap_factor = spend_gap_factor
        self.overridden = overridden
        self.always_on_gpus = always_on_gpus
        self.default_input_tokens = default_input_tokens
        self.default_output_tokens = default_output_tokens
        self.spend_differs_pct = spend_differs_pct

    def as_table(self) -> list[tuple[str, str, str]]:
        """(name, value, where it comes from) rows for the report's assumptions section."""

        def src(key: str, default: str) -> str:
            return "your answers file" if key in self.overridden else default

        p, m = self.probabilities, self.multipliers
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
             f"${self.gpu_hourly_usd:,.2f}", src("self_hosting", "advisor default")),
            ("Tokens per second per GPU", f"{self.tokens_per_second_per_gpu:,.0f}",
             src("self_hosting", "advisor default")),
            ("Always-on GPUs when self-hosting (unless you own more)",
             f"{self.always_on_gpus:g}", src("self_hosting", "advisor default")),
            ("Operating self-hosted capacity per month (people, hosting, monitoring)",
             f"${self.fixed_monthly_usd:,.0f}", src("self_hosting", "advisor default")),
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
            ("Days per month", f"{self.days_per_month:g}", "spec/costs.md"),
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
    return CostAssumptions(
        probabilities=probabilities, multipliers=multipliers,
        gpu_hourly_usd=float(hosting["gpu_hourly_usd"]),
        tokens_per_second_per_gpu=float(hosting["tokens_per_second_per_gpu"]),
        fixed_monthly_usd=float(hosting["fixed_monthly_usd"]),
        always_on_gpus=float(hosting.get("always_on_gpus", 2)),
        baseline_input_per_mtok=float(launch["input_per_mtok"]),
        baseline_output_per_mtok=float(launch["output_per_mtok"]),
        band_low_per_mtok=float(band_low), band_high_per_mtok=float(band_high),
        days_per_month=float(defaults.get("days_per_month", 30)),
        spend_gap_factor=float(defaults.get("spend_gap_factor", 2.0)),
        spend_differs_pct=float(defaults.get("spend_differs_pct", 20)),
        default_input_tokens=float(sizes.get("input_tokens", 1500)),
        default_output_tokens=float(sizes.get("output_tokens", 300)),
        overridden=frozenset(overridden),
    )


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
        return Volume(requests, calls, tokens_in, tokens_out, "inferred_from_bill", per_in,
                      per_out)
    return Volume(requests, calls, calls * di, calls * do, "default_sizes", di, do)


def _cost(input_tokens: float, output_tokens: float, pin: float, pout: float) -> float:
    return input_tokens / MTOK * pin + output_tokens / MTOK * pout


class Hosting(Record):
    """What serving the workload on one's own GPUs costs (spec/costs.md, self-hosting)."""

    __slots__ = ("monthly", "gpu_hours", "gpus_busy", "always_on")

    def __init__(self, monthly: float, gpu_hours: float, gpus_busy: float,
                 always_on: float) -> None:
        self.monthly = monthly
        self.gpu_hours = gpu_hours
        self.gpus_busy = gpus_busy
        self.always_on = always_on


def hosting_cost(tokens: float, a: CostAssumptions, always_on: float) -> Hosting:
    """Operations + max(always-on GPUs, GPUs busy) × hours × price: never charged twice."""
    gpu_hours = tokens / a.tokens_per_second_per_gpu / 3600
    busy = gpu_hours / HOURS_PER_MONTH
    monthly = a.fixed_monthly_usd + max(always_on, busy) * HOURS_PER_MONTH * a.gpu_hourly_usd
    return Hosting(monthly, gpu_hours, busy, always_on)


def break_even(per_request_api: float, seconds_per_request: float, a: CostAssumptions,
               always_on: float) -> float | None:
    """The lowest monthly request volume at which self-hosting costs less than the API.

    Self-hosting costs a flat amount until the always-on GPUs are busy, then grows with the
    GPU time; the API grows with every request. None when the API never costs more.
    """
    if per_request_api <= 0:
        return None
    flat = a.fixed_monthly_usd + always_on * HOURS_PER_MONTH * a.gpu_hourly_usd
    capacity = (math.inf if seconds_per_request <= 0 else
                always_on * HOURS_PER_MONTH * 3600 / seconds_per_request)
    first = flat / per_request_api
    if first <= capacity:
        return _finite(first)
    per_request_gpu = seconds_per_request / 3600 * a.gpu_hourly_usd
    if per_request_api <= per_request_gpu:
        return None
    return _finite(a.fixed_monthly_usd / (per_request_api - per_request_gpu))


def compute_costs(values: dict[str, Any], price: Price | None, a: CostAssumptions,
                  *, regulated_domain: bool) -> dict[str, Any]:
    """Every key of spec/costs.md, ``None`` where inputs are missing (reason in ``notes``)."""
    notes: dict[str, str] = {}
    in_house = served_in_house(values, price)
    vol = volume(values, a, notes, price, in_house)
    tokens = vol.tokens()
    per_call = vol.per_call()
    calls_per_task = _num(values, "calls_per_task") or 1.0
    owned = _num(values, "self_hosted_gpus")
    always_on = owned if owned else a.always_on_gpus

    in_house_cost = None
    if in_house and tokens is not None:
        in_house_cost = hosting_cost(sum(tokens), a, always_on)

    current = None
    current_usd = api_usd = None
    if price is None:
        notes["current"] = ("which model the workload runs on, to price it" if not in_house else
                            "which model runs in house, to size the GPUs it needs")
    else:
        if tokens is not None:
            api_usd = _cost(*tokens, price.input_per_mtok, price.output_per_mtok)
        current_usd = in_house_cost.monthly if in_house_cost is not None else api_usd
        current = {"model": price.model, "input_per_mtok": price.input_per_mtok,
                   "output_per_mtok": price.output_per_mtok, "monthly_usd": _money(current_usd),
                   "price_source": price.source, "basis": "in_house" if in_house else "api"}
        if in_house:
            current["api_monthly_usd"] = (_money(api_usd) if api_usd and price.input_per_mtok
                                          + price.output_per_mtok > 0 else None)
    if in_house and price is None and in_house_cost is not None:
        # On premises without a named model: the GPU cost of the tokens is still known.
        current_usd = in_house_cost.monthly
        current = {"model": None, "input_per_mtok": None, "output_per_mtok": None,
                   "monthly_usd": _money(current_usd), "price_source": None,
                   "basis": "in_house", "api_monthly_usd": None}
        notes.pop("current", None)

    baseline = band = reduction = None
    if tokens is not None:
        base_usd = _cost(*tokens, a.baseline_input_per_mtok, a.baseline_output_per_mtok)
        baseline = {"monthly_usd": _money(base_usd), "input_per_mtok": a.baseline_input_per_mtok,
                    "output_per_mtok": a.baseline_output_per_mtok, "date": "2023-03"}
        total_tokens = sum(tokens)
        band = {"low_usd": _money(total_tokens / MTOK * a.band_low_per_mtok),
                "high_usd": _money(total_tokens / MTOK * a.band_high_per_mtok),
                "low_per_mtok": a.band_low_per_mtok, "high_per_mtok": a.band_high_per_mtok,
                "date": "late 2025 to early 2026"}
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
    gap_ratio = gap_flag = differs = None
    if reported is not None and current_usd is not None and not in_house:
        if current_usd > 0 and reported > 0:
            gap_ratio = _finite(reported / current_usd)
            gap_flag = gap_ratio is None or gap_ratio > a.spend_gap_factor or (
                gap_ratio < 1 / a.spend_gap_factor)
            tolerance = a.spend_differs_pct / 100
            differs = gap_ratio is None or abs(gap_ratio - 1) > tolerance
        else:
            gap_flag = differs = (current_usd > 0) != (reported > 0)

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
    scenarios = _scenarios(scenario_base, a, regulated_domain, notes, in_house=bool(in_house))
    if current_usd is None and reported is not None and scenarios is not None:
        scenarios["basis"] = "reported spend"
    hosting = _self_hosting(vol, price, api_usd, calls_per_task, a, notes, always_on=always_on,
                            owned=owned, in_house=bool(in_house), in_house_cost=in_house_cost,
                            band=band)

    return {
        "monthly_requests": vol.requests,
        "monthly_calls": vol.calls,
        "monthly_input_tokens": vol.input_tokens,
        "monthly_output_tokens": vol.output_tokens,
        "volume_basis": vol.basis,
        "tokens_per_call": None if per_call is None else {
            "input": round(per_call[0], 2), "output": round(per_call[1], 2)},
        "in_house": in_house,
        "current": current,
        "baseline_2023": baseline,
        "open_model_band": band,
        "reduction_vs_2023_pct": reduction,
        "reported_spend_usd": reported,
        "spend_gap_ratio": None if gap_ratio is None else round(gap_ratio, 4),
        "spend_gap_flagged": gap_flag,
        "spend_differs": differs,
        "api_share_of_ai_budget": share,
        "per_task_usd": _money(per_task),
        "scenarios": scenarios,
        "self_hosting": hosting,
        "notes": notes,
    }


def _scenarios(base: float | None, a: CostAssumptions, regulated: bool,
               notes: dict[str, str], *, in_house: bool = False) -> dict[str, Any] | None:
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
    out: dict[str, Any] = {"basis": "in-house cost" if in_house else "computed cost"}
    expected = 0.0
    for sid, factor in mult.items():
        cost = base * factor
        expected += a.probabilities[sid] * cost
        out[sid] = {"probability": a.probabilities[sid], "multiplier": factor,
                    "monthly_usd": _money(cost)}
    out["expected_monthly_usd"] = _money(expected)
    return out


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
                  in_house_cost: Hosting | None, band: dict[str, Any] | None
                  ) -> dict[str, Any] | None:
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
    tokens_per_request = calls_per_task * sum(per_call)
    seconds_per_request = tokens_per_request / a.tokens_per_second_per_gpu
    per_request_api = 0.0 if price is None else calls_per_task * _cost(
        *per_call, price.input_per_mtok, price.output_per_mtok)
    sized = vol.input_tokens is not None
    own = hosting_cost((vol.input_tokens or 0) + (vol.output_tokens or 0), a, always_on)
    api_priced = per_request_api > 0
    be = break_even(per_request_api, seconds_per_request, a, always_on) if api_priced else None

    options: dict[str, float] = {}
    if api_usd is not None and not (in_house and not api_priced):
        options["current_api"] = api_usd  # a free API is an API all the same
    if band is not None:
        options["open_model_api"] = band["low_usd"]
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
    def if_sized(x: Any) -> Any:
        return x if sized else None

    out = {"monthly_usd": if_sized(_money(own.monthly)),
           "gpu_hours": if_sized(round(own.gpu_hours, 3)),
           "gpus_busy": if_sized(round(own.gpus_busy, 3)),
           "gpus_needed": if_sized(max(1, math.ceil(own.gpus_busy - 1e-9)) if own.gpus_busy
                                   else 0),
           "gpus_owned": owned,
           "always_on_gpus": always_on,
           "spare_gpus": None if owned is None or not sized else round(
               max(0.0, owned - own.gpus_busy), 3),
           "gpu_shortfall": None if owned is None or not sized else round(
               max(0.0, own.gpus_busy - owned), 3),
           "variable_per_request_usd": _money(seconds_per_request / 3600 * a.gpu_hourly_usd),
           "break_even_requests": None if be is None else round(be),
           "break_even_calls": None if be is None else round(be * calls_per_task),
           "options": {k: _money(v) for k, v in options.items()},
           "cheapest_option": cheapest,
           "status": status,
           "verdict": None if status is None else _VERDICTS.get(status),
           "summary": summary}
    return out


#: ``verdict``: the break-even against the current model, as the edges have always read it;
#: ``summary`` names the cheapest of the three options with its figure.
_VERDICTS = {"pays": "self-hosting pays", "below_break_even": "stay on API",
             "never_pays": "never pays", "in_house": "in house"}


def _summary(cheapest: str | None, options: dict[str, float], in_house: bool,
             own: Hosting, owned: float | None) -> str:
    """One sentence naming the cheapest of the three options with its monthly figure."""
    if in_house:
        text = (f"run in house at about {wording.usd(own.monthly)} a month "
                f"({own.gpus_busy:.1f} GPUs busy")
        if owned:
            text += f" of {owned:g} owned"
        text += ")"
        if "open_model_api" in options:
            text += (f"; an open-model API would cost about "
                     f"{wording.usd(options['open_model_api'])}, if an API were ever allowed")
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

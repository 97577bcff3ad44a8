"""The findings that decide things for one client, with their figures (issue 19).

A report opens with what is true of this client, not with catalogue sentences: which option is
cheapest and whether it is like-for-like, whether the cost matters at all, which way the bill
is off, idle or borrowed GPUs, the biggest lever, a model about to retire. Which findings apply
and their figures are worked out here from the typed costs; the words are data
(``rules/findings.toml``), picked per reader by conditions, in the reader's voice
(``rules/voice.toml``).
"""

from __future__ import annotations

from typing import Any

from advisor.core import conditions, wording
from advisor.core.cost_records import Costs
from advisor.core.records import Record

#: The order findings are told in: what decides the most first. No figure can be trusted
#: before the bill is reconciled; whether the cost matters comes next; a lever that changes
#: nothing else before a swap that needs a quality test.
ORDER = ("bill_gap", "materiality", "model_retirement_soon", "biggest_lever", "cheapest_option",
         "model_retirement", "no_api_bill", "idle_capacity", "hybrid_gpus")

#: A retirement this close is told before the levers: the work has to move anyway.
SOON_DAYS = 90

#: A lever is a summary finding when it saves more than this share of the monthly cost.
LEVER_FINDING_SHARE = 0.10

#: A model's quality class (costs.md), as the phrase "not like-for-like for …" ends.
QUALITY_WORDS = {"reasoning": "a reasoning model", "frontier": "a frontier model",
                 "fine_tuned": "a fine-tuned model"}
_WHY_NOT_LIKE = {"reasoning": "the quality of its reasoning on {your} own cases",
                 "frontier": "quality on {your} own cases, and data residency",
                 "fine_tuned": "the fine-tune's behaviour on {your} own cases, and data "
                               "residency"}


class Finding(Record):
    __slots__ = ("id", "text", "figures", "source")

    def __init__(self, id: str, text: str, figures: dict[str, Any], source: str) -> None:
        self.id = id
        self.text = text
        self.figures = figures  # the raw numbers the sentence rests on
        self.source = source

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "figures": dict(self.figures),
                "source": self.source}


class Variant(Record):
    __slots__ = ("when", "text", "needs", "source")

    def __init__(self, when: conditions.Condition, text: str, needs: tuple[str, ...],
                 source: str) -> None:
        self.when = when
        self.text = text
        self.needs = needs
        self.source = source


def parse_wording(data: dict[str, Any]) -> dict[str, tuple[Variant, ...]]:
    """``rules/findings.toml`` as variants per finding id (validated by ``rules check``)."""
    out: dict[str, tuple[Variant, ...]] = {}
    for fid, variants in (data.get("findings") or {}).items():
        out[fid] = tuple(Variant(conditions.parse(v.get("when")), str(v["text"]),
                                 _needs(v.get("needs")), str(v.get("source", "")))
                         for v in variants)
    return out


def parse_voices(data: dict[str, Any]) -> tuple[tuple[conditions.Condition, dict[str, str]],
                                                  ...]:
    """``rules/voice.toml``: (condition, words) per reader, the default last."""
    return tuple((conditions.parse(v.get("when")),
                  {k: str(x) for k, x in v.items() if k != "when"})
                 for v in data.get("voices") or ())


def _needs(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    return (raw,) if isinstance(raw, str) else tuple(str(x) for x in raw)


def voice_for(voices: tuple[tuple[conditions.Condition, dict[str, str]], ...],
              values: dict[str, Any]) -> dict[str, str]:
    """The reader's words: the first voice whose condition holds."""
    for when, words in voices:
        if when.evaluate(values) is True:
            return words
    return {}


def _pct(share: float | None) -> str | None:
    """A share as a percentage with the precision a small share needs (0.4%, 12%)."""
    if share is None:
        return None
    return wording.whole_pct(share * 100)


def _times(share: float, what: str) -> str:
    """"126% of the gross profit", or "12 times the gross profit" past twice."""
    if share >= 2:
        return f"{wording.quantity(round(share, 1) if share < 10 else round(share))} times {what}"
    return f"{wording.whole_pct(share * 100)} of {what}"


def _facts(costs: Costs, values: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """Each finding's slots in words, and the conditions' values (answers, derived, options)."""
    said: dict[str, str] = {}
    extra: dict[str, Any] = {}
    cur = costs.current
    model = None if cur is None else cur.name or cur.model
    if model:
        said["model"] = model
    today = costs.monthly_usd
    if today is not None:
        said["current_cost"] = wording.usd(today)
        said["computed"] = wording.usd(today)
    bill = costs.bill
    if bill.reported_usd is not None:
        said["bill"] = wording.usd(bill.reported_usd)
    if bill.ratio is not None:
        said["ratio"] = wording.ratio_words(bill.ratio)
    if costs.in_house and today is not None:
        said["in_house_cost"] = wording.usd(today)
    m = costs.materiality
    if m.monthly_usd is not None:
        said["cost"] = wording.usd(m.monthly_usd)
    for key in ("revenue_share", "budget_share", "profit_share"):
        share = getattr(m, "gross_profit_share" if key == "profit_share" else key)
        if share is not None:
            said[key] = _pct(share) or ""
    if m.per_request_usd is not None:
        said["per_request"] = wording.usd(m.per_request_usd)
    margin = values.get("gross_margin_pct")
    if margin is not None:
        said["margin"] = f"{margin:g}%"
    notes = []
    if m.revenue_share is not None:
        notes.append(f"{said['revenue_share']} of revenue")
    if m.budget_share is not None:
        notes.append(f"{said['budget_share']} of the AI budget")
    said["share_note"] = f", {' and '.join(notes)}" if notes else ""
    said["profit_note"] = (f" and {said['profit_share']} of gross profit"
                           if "profit_share" in said else "")
    if m.gross_profit_share is not None:
        said["profit_words"] = _times(m.gross_profit_share, "the product's gross profit")
    h = costs.self_hosting
    if h is not None:
        opts = h.options
        if opts.get("open_model_api") is not None:
            said["open_cost"] = wording.usd(opts["open_model_api"])
        if opts.get("self_hosting") is not None:
            said["self_cost"] = wording.usd(opts["self_hosting"])
        if h.cheapest_option and opts.get(h.cheapest_option) is not None and today:
            saving = 1 - (opts[h.cheapest_option] or 0) / today
            said["saving_pct"] = _pct(saving) or ""
        if h.gpus_owned:
            said["owned"] = wording.count(h.gpus_owned)
        if h.gpus_at_peak is not None:
            said["at_peak"] = _gpus(h.gpus_at_peak)
            said["needed"] = _gpus(h.gpus_at_peak)
        if h.spare_gpus is not None:
            said["spare"] = (f"{h.spare_gpus:.1f}".rstrip("0").rstrip(".")
                             if h.spare_gpus < 100 else wording.count(h.spare_gpus))
        extra["cheapest"] = h.cheapest_option
    quality = None if cur is None else cur.quality
    extra["like_for_like"] = quality in (None, "standard")
    if quality in QUALITY_WORDS:
        said["quality"] = QUALITY_WORDS[quality]
        said["why_not_like"] = _WHY_NOT_LIKE[quality]
    life = costs.lifecycle
    if life is not None:
        said["date"] = wording.day(life.deprecation_date)
        said["days"] = "1 day" if life.days_left == 1 else f"{life.days_left:,} days"
        if life.successor_model:
            said["successor"] = life.successor_model
        if life.successor_monthly_usd is not None:
            said["successor_cost"] = wording.usd(life.successor_monthly_usd)
            if today:
                said["successor_vs_today"] = (
                    f"{wording.ratio_words(life.successor_monthly_usd / today)} today's "
                    f"{wording.usd(today)}")
        extra["model_retired"] = life.retired
    return said, extra


def _gpus(n: float) -> str:
    if n < 0.1:
        return "less than a tenth of a GPU"
    shown = f"{n:.1f}".rstrip("0").rstrip(".") if n < 100 else wording.count(n)
    return f"{shown} GPU" if shown == "1" else f"{shown} GPUs"


def _applies(costs: Costs) -> dict[str, dict[str, Any]]:
    """Finding id -> its figures, for the findings these costs support."""
    out: dict[str, dict[str, Any]] = {}
    bill = costs.bill
    if bill.differs and bill.direction in ("higher", "lower"):
        out["bill_gap"] = {"bill_usd": bill.reported_usd, "computed_usd": bill.computed_usd,
                           "ratio": bill.ratio, "direction": bill.direction}
    if costs.in_house and costs.monthly_usd is not None:
        out["no_api_bill"] = {"in_house_usd": costs.monthly_usd}
    m = costs.materiality
    if m.level is not None:
        out["materiality"] = {"level": m.level, "monthly_usd": m.monthly_usd,
                              "revenue_share": m.revenue_share, "budget_share": m.budget_share,
                              "gross_profit_share": m.gross_profit_share,
                              "per_request_usd": m.per_request_usd}
    h = costs.self_hosting
    if (h is not None and not costs.in_house and h.cheapest_option
            and costs.monthly_usd is not None and len(h.options) > 1):
        out["cheapest_option"] = {"option": h.cheapest_option,
                                  "monthly_usd": h.options.get(h.cheapest_option),
                                  "current_usd": costs.monthly_usd}
    today = costs.monthly_usd
    best = next((lv for lv in costs.levers if lv.monthly_savings_usd is not None
                 and lv.id in ("prompt_caching", "batch_api")), None)
    if best is not None and today and best.monthly_savings_usd is not None and (
            best.monthly_savings_usd > LEVER_FINDING_SHARE * today):
        out["biggest_lever"] = {"lever": best.id, "monthly_savings_usd":
                                best.monthly_savings_usd, "share": best.share}
    if costs.lifecycle is not None:
        life = costs.lifecycle
        out["model_retirement"] = {"deprecation_date": life.deprecation_date,
                                   "days_left": life.days_left,
                                   "successor_model": life.successor_model,
                                   "successor_monthly_usd": life.successor_monthly_usd}
    if h is not None and costs.in_house and h.spare_gpus is not None and h.spare_gpus >= 1:
        out["idle_capacity"] = {"owned": h.gpus_owned, "at_peak": h.gpus_at_peak,
                                "spare": h.spare_gpus}
    if h is not None and h.hybrid and h.gpus_at_peak is not None:
        out["hybrid_gpus"] = {"owned": h.gpus_owned, "needed_at_peak": h.gpus_at_peak}
    return out


def findings(costs: Costs | None, values: dict[str, Any],
             wording_data: dict[str, tuple[Variant, ...]],
             voice: dict[str, str]) -> list[Finding]:
    """The findings these figures support, in :data:`ORDER`, each worded for this reader."""
    if costs is None:
        return []
    said, extra = _facts(costs, values)
    said.update(voice)
    out = []
    def rank(item: tuple[str, dict[str, Any]]) -> int:
        fid, figures = item
        if fid == "model_retirement" and figures["days_left"] <= SOON_DAYS:
            return ORDER.index("model_retirement_soon")
        return ORDER.index(fid)

    for fid, figures in sorted(_applies(costs).items(), key=rank):
        scope = {**values, **extra}
        if fid == "biggest_lever":
            lever = costs.lever(figures["lever"])
            scope["lever"] = figures["lever"]
            if lever is not None and costs.monthly_usd:
                said["saving"] = wording.usd(lever.monthly_savings_usd)
                said["saving_pct"] = _pct((lever.monthly_savings_usd or 0)
                                          / costs.monthly_usd) or ""
                said["lever_basis"] = lever.basis
        for v in wording_data.get(fid, ()):
            if v.when.evaluate(scope) is not True or any(n not in said for n in v.needs):
                continue
            # Slots may name the reader's words inside other slots ("{your} own cases").
            text = wording.fill(v.text, said)
            if text is None:
                continue
            text = wording.fill(text, said) or text
            out.append(Finding(fid, text, figures, v.source))
            break
    return out

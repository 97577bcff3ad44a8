"""Expected figures for the Ask corpus, computed by hand from spec/costs.md.

Independent of the `advisor` package on purpose: it reads the answers files in
`assessments/` and litellm's bundled price map, and applies the arithmetic of costs.md
(volume, current cost, 2023 baseline, open-model band, scenarios, expected cost). It does
not model self-hosting or in-house cost (those rest on overridable GPU assumptions), so the
corpus states those answers as phrases, never as figures.

Usage:
  python compute_expected.py                 # table of base figures for every assessment
  python compute_expected.py FILE "CALC"     # one figure, e.g. "volume*2 -> monthly"
  python compute_expected.py --check         # every `calc` in corpus.toml gives a figure
                                             # that is listed in that entry's must_contain

`contains()` / `verdict()` are the reference matcher for answers (import them in the test).

CALC grammar: `[edit ...] -> metric`
  edits:   volume*N · requests=N · daily_users=N · model=NAME · price=P (per million, all
           tokens) · price_in=P · price_out=P · calls_per_task=N · market*N (a market-wide
           price change: ×0.1 = "falls 10x", ×1 = "stops falling") · probs=S/D/V
  metrics: monthly · monthly_api (list-price API cost, also for in-house users) · per_task ·
           baseline_2023 · band_low · band_high · stabilization ·
           further_decline · divergence · expected · requests · calls · api_share · bill
Edits apply left to right; a conversation turn carries the whole chain so far. In corpus.toml
`calc` is one CALC string or a list of them (one per figure in must_contain).
"""
from __future__ import annotations

import json
import math
import sys
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
PRICE_MAP = Path(
    "/work/main/.venv/lib/python3.11/site-packages/litellm/model_prices_and_context_window_backup.json"
)
GPT4_2023 = (30.0, 60.0)  # $ per million input / output tokens, March 2023 (article §1)
OPEN_BAND = (0.10, 0.50)  # $ per million tokens, all tokens (article §1)
MULT = {"stabilization": 1.0, "further_decline": 0.1, "divergence": 0.5}
REGULATED_INDUSTRIES = {"healthcare", "legal", "financial_services"}
DEFAULT_PROBS = (0.5, 0.3, 0.2)


def _price_map() -> dict:
    import os

    path = Path(os.environ.get("ASK_PRICE_MAP", PRICE_MAP))
    return json.loads(path.read_text())


def price_of(model: str) -> tuple[float, float]:
    """$ per million (input, output), looked up as costs.md says."""
    table = _price_map()
    entry = table.get(model)
    if entry is None and "/" in model:
        provider, _, rest = model.partition("/")
        cand = table.get(rest)
        if cand and cand.get("litellm_provider") == provider:
            entry = cand
    if entry is None:
        raise KeyError(f"unknown model {model!r}")
    return entry["input_cost_per_token"] * 1e6, entry["output_cost_per_token"] * 1e6


class State:
    def __init__(self, file: str):
        path = Path(file)
        if not path.exists():
            path = HERE / "assessments" / file
        doc = json.loads(path.read_text())
        a = doc["answers"]
        self.a = a
        self.assumptions = doc.get("assumptions", {})
        if "monthly_requests" in a:
            self.requests = float(a["monthly_requests"])
        elif "daily_users" in a and "requests_per_user_per_day" in a:
            self.requests = float(a["daily_users"] * a["requests_per_user_per_day"] * 30)
        else:
            self.requests = None
        self.calls_per_task = float(a.get("calls_per_task", 1))
        self.tin = a.get("avg_input_tokens")
        self.tout = a.get("avg_output_tokens")
        self.model = a.get("model")
        self.pin = self.pout = None
        if self.model:
            self.pin, self.pout = price_of(self.model)
        self.market = 1.0
        p = self.assumptions.get("scenario_probabilities")
        self.probs = (
            (p["stabilization"], p["further_decline"], p["divergence"]) if p else DEFAULT_PROBS
        )
        self.bill = a.get("monthly_api_spend_usd")
        self.budget = a.get("monthly_ai_budget_usd")
        self.in_house = bool(a.get("on_prem_required")) or (
            self.model is not None and (self.pin, self.pout) == (0.0, 0.0)
        )
        if self.tin is None and self.bill is not None and self.model and self.requests:
            # inferred from the bill: only the total scales, so keep cost per request
            self.cost_per_request_from_bill = self.bill / self.requests
        else:
            self.cost_per_request_from_bill = None

    # ---- edits -----------------------------------------------------------------------
    def edit(self, token: str) -> None:
        if token.startswith("volume*"):
            self.requests *= float(token.split("*", 1)[1])
        elif token.startswith("requests="):
            self.requests = float(token.split("=", 1)[1])
        elif token.startswith("daily_users="):
            self.requests = float(token.split("=", 1)[1]) * self.a["requests_per_user_per_day"] * 30
        elif token.startswith("model="):
            self.model = token.split("=", 1)[1]
            self.pin, self.pout = price_of(self.model)
            self.market = 1.0
        elif token.startswith("price="):
            self.pin = self.pout = float(token.split("=", 1)[1])
        elif token.startswith("price_in="):
            self.pin = float(token.split("=", 1)[1])
        elif token.startswith("price_out="):
            self.pout = float(token.split("=", 1)[1])
        elif token.startswith("calls_per_task="):
            self.calls_per_task = float(token.split("=", 1)[1])
        elif token.startswith("market*"):
            self.market *= float(token.split("*", 1)[1])
        elif token.startswith("probs="):
            s, d, v = (float(x) for x in token.split("=", 1)[1].split("/"))
            assert abs(s + d + v - 1) < 1e-6, token
            self.probs = (s, d, v)
        else:
            raise ValueError(f"unknown edit {token!r}")

    # ---- metrics ---------------------------------------------------------------------
    def calls(self) -> float:
        return self.requests * self.calls_per_task

    def tokens(self) -> tuple[float, float]:
        if self.tin is None:
            raise ValueError("token sizes not answered: no token-based figure")
        return self.calls() * self.tin / 1e6, self.calls() * (self.tout or 0) / 1e6

    def monthly(self) -> float:
        if self.in_house:
            raise ValueError("in-house cost rests on GPU assumptions: state it as a phrase")
        if self.cost_per_request_from_bill is not None:
            return self.cost_per_request_from_bill * self.requests * self.market
        mi, mo = self.tokens()
        return (mi * self.pin + mo * self.pout) * self.market

    def divergence_mult(self) -> float:
        reg = self.a.get("regulated") or self.a.get("industry") in REGULATED_INDUSTRIES
        return 1.0 if reg else MULT["divergence"]

    def scenario(self, sid: str) -> float:
        m = self.divergence_mult() if sid == "divergence" else MULT[sid]
        return self.monthly() * m

    def metric(self, name: str) -> float:
        if name == "monthly":
            return self.monthly()
        if name == "monthly_api":  # for in-house users: "if regulation ever allows an API"
            mi, mo = self.tokens()
            return (mi * self.pin + mo * self.pout) * self.market
        if name == "per_task":
            return self.monthly() / self.requests
        if name == "baseline_2023":
            mi, mo = self.tokens()
            return mi * GPT4_2023[0] + mo * GPT4_2023[1]
        if name in ("band_low", "band_high"):
            mi, mo = self.tokens()
            return (mi + mo) * OPEN_BAND[0 if name == "band_low" else 1]
        if name in MULT:
            return self.scenario(name)
        if name == "expected":
            s, d, v = self.probs
            return (
                s * self.scenario("stabilization")
                + d * self.scenario("further_decline")
                + v * self.scenario("divergence")
            )
        if name == "requests":
            return self.requests
        if name == "calls":
            return self.calls()
        if name == "api_share":
            spend = self.bill if self.bill is not None else self.monthly()
            return 100 * spend / self.budget
        if name == "bill":
            return float(self.bill)
        raise ValueError(f"unknown metric {name!r}")


MONEY = {"monthly", "monthly_api", "per_task", "baseline_2023", "band_low", "band_high",
         "expected", "bill", *MULT}


def _half(x: Decimal, places: Decimal) -> bool:
    units = x / places
    return abs(units - units.to_integral_value(rounding="ROUND_FLOOR") - Decimal("0.5")) \
        < Decimal("1e-9")


def fmt(metric: str, value: float) -> str:
    """The figure as a person would say it, as the report says it (the rules of
    advisor/core/wording.py, restated here so the script stays independent of the package):
    $100 or more in whole dollars (half up), $1 to $100 with cents unless whole ("$93.60",
    "$57"), under $1 to three significant figures ("$0.012"); counts whole."""
    v = Decimal(repr(value))
    if metric in MONEY:
        if value >= 1e6:
            raise ValueError(f"{value}: said in millions, too coarse to expect as a figure")
        if value >= 100:
            if _half(v, Decimal(1)):
                raise ValueError(f"{value} ends in .5: rounding is ambiguous, pick another what-if")
            return f"${int(v.quantize(Decimal(1), rounding=ROUND_HALF_UP)):,}"
        if value >= 1:
            if _half(v, Decimal("0.01")):
                raise ValueError(f"{value}: ambiguous cents")
            cents = v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            return f"${int(cents):,}" if cents == int(cents) else f"${cents:,}"
        if value >= 0.001:
            digits = f"{float(f'{value:.3g}'):.6f}".rstrip("0")
            digits = digits + "0" if len(digits.split(".")[1]) < 2 else digits
            return f"${digits}"
        raise ValueError(f"{value} is under a tenth of a cent: too fragile to expect as a figure")
    if metric == "api_share":
        return f"{int(v.quantize(Decimal(1), rounding=ROUND_HALF_UP))}%"
    if not math.isclose(value, round(value)):
        raise ValueError(f"{metric} {value} is not whole")
    return f"{round(value):,}"


def contains(answer: str, needle: str) -> bool:
    """How the corpus matches an expected string in an answer (case-insensitive substring).

    A figure (a string starting with "$") must stand for the same amount: it may not be
    followed by a digit or by ",<digit>" ("$20" is not in "$201" or "$20,160"; "$0.00" is
    not in "$0.00064"), but it may be followed by cents ("$4,000" is in "$4,000.00").
    """
    hay, pin = answer.lower(), needle.lower()
    if not pin.startswith("$"):
        return pin in hay
    start = hay.find(pin)
    while start != -1:
        rest = hay[start + len(pin):]
        if not (rest[:1].isdigit() or (rest[:1] == "," and rest[1:2].isdigit())):
            return True
        start = hay.find(pin, start + 1)
    return False


def verdict(answer: str, entry: dict) -> tuple[list[str], list[str]]:
    """(missing must_contain strings, present must_not_contain strings) for one answer."""
    missing = [m for m in entry["must_contain"] if not contains(answer, m)]
    present = [m for m in entry.get("must_not_contain", []) if contains(answer, m)]
    return missing, present


def compute(file: str, calc: str) -> str:
    edits, _, metric = calc.partition("->")
    st = State(file)
    for tok in edits.split():
        st.edit(tok)
    metric = metric.strip()
    return fmt(metric, st.metric(metric))


def table() -> None:
    metrics = ["requests", "calls", "monthly", "per_task", "baseline_2023", "band_low",
               "band_high", "stabilization", "further_decline", "divergence", "expected",
               "api_share", "bill"]
    for path in sorted((HERE / "assessments").glob("*.json")):
        cells = []
        for m in metrics:
            try:
                cells.append(f"{m}={compute(path.name, '-> ' + m)}")
            except Exception:
                cells.append(f"{m}=-")
        print(path.name)
        print("   " + "  ".join(cells))


def check() -> int:
    corpus = tomllib.loads((HERE / "corpus.toml").read_text())
    entries = [(q["assessment"], q) for q in corpus.get("q", [])]
    for conv in corpus.get("conversation", []):
        entries += [(conv["assessment"], t) for t in conv["turn"]]
    bad = 0
    for file, e in entries:
        calcs = e.get("calc", [])
        for calc in [calcs] if isinstance(calcs, str) else calcs:
            try:
                fig = compute(file, calc)
            except Exception as exc:  # any error in a calc is reported, not raised
                print(f"ERROR {file}: {e['question']!r}: {calc}: {exc}")
                bad += 1
                continue
            if fig.lower() not in [m.lower() for m in e["must_contain"]]:
                print(f"MISMATCH {file}: {e['question']!r}: {calc} gives {fig}, "
                      f"must_contain {e['must_contain']}")
                bad += 1
    with_calc = sum("calc" in e for _, e in entries)
    print(f"{len(entries)} questions and turns, {with_calc} with a computed figure, {bad} bad")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--check":
        sys.exit(check())
    if len(sys.argv) == 3:
        print(compute(sys.argv[1], sys.argv[2]))
    else:
        table()

"""Chart data shared by the Markdown (as tables) and HTML (inline SVG) reports.

Both formats draw the same bars from the same numbers, computed here once from the result.
"""

from __future__ import annotations

from typing import Any

from advisor.core.records import Record
from advisor.core.result import Result


class Bar(Record):
    __slots__ = ("label", "value", "fraction")

    def __init__(self, label: str, value: float, fraction: float) -> None:
        self.label = label
        self.value = value
        self.fraction = fraction  # of the largest bar, 0-1, for drawing


def _bars(pairs: list[tuple[str, float | None]]) -> list[Bar]:
    known = [(label, v) for label, v in pairs if v is not None]
    top = max((v for _, v in known), default=0.0) or 1.0
    return [Bar(label, v, max(0.0, v / top)) for label, v in known]


def cost_bars(result: Result) -> list[Bar]:
    """Monthly cost of this workload: 2023, today, the open-model band, each scenario."""
    costs: dict[str, Any] = result.costs or {}
    current = (costs.get("current") or {}).get("monthly_usd")
    if current is None:
        return []
    base = (costs.get("baseline_2023") or {}).get("monthly_usd")
    band = costs.get("open_model_band") or {}
    in_house = (costs.get("current") or {}).get("basis") == "in_house"
    own = (costs.get("self_hosting") or {}).get("monthly_usd")
    pairs: list[tuple[str, float | None]] = [
        ("GPT-4, March 2023", base),
        ("Today, in house" if in_house else "Today", current),
        ("Open models, high", band.get("high_usd")),
        ("Open models, low", band.get("low_usd")),
    ]
    if not in_house and own is not None:  # the third way to buy the work (costs.md)
        pairs.append(("Own GPUs", own))
    pairs += [(s.title, s.monthly_cost_usd) for s in result.scenarios]
    return _bars(pairs)


def price_bars(result: Result, anchors: dict[str, Any]) -> list[Bar]:
    """Price per million input tokens: GPT-4 at launch, the model used today, the open band."""
    costs = result.costs or {}
    current = costs.get("current") or {}
    launch = anchors["gpt4_launch"]
    band = costs.get("open_model_band") or anchors["open_model_band"]
    pairs: list[tuple[str, float | None]] = [
        (f"GPT-4 ({launch['date']})", launch["input_per_mtok"]),
    ]
    if current and current.get("input_per_mtok"):  # a list price of 0 (in house) is no price
        pairs.append((f"{current['model']} (today)", current["input_per_mtok"]))
    pairs += [("Open models, high", band["high_per_mtok"]),
              ("Open models, low", band["low_per_mtok"])]
    return _bars(pairs)

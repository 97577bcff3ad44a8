"""Chart data shared by the Markdown (as tables), HTML (inline SVG) and TUI reports.

All formats draw the same bars from the same numbers, computed here once from the result.
The HTML report also needs a layout (issue 22): labels that stay legible at any model-name
length, the bill beside the computed costs, and a scale on which today's options stay
readable next to 2023. :func:`layout` computes that geometry in Python, where it can be
tested; ``templates/report.html.j2`` only draws it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from advisor.core.records import Record
from advisor.core.result import Result


class Bar(Record):
    """One bar: ``kind`` says what it shows (``baseline`` · ``current`` · ``bill`` · ``band`` ·
    ``own`` · ``scenario`` · ``price``), so a template can colour it and word it for its
    reader (the bill is "your bill" to a founder, "the company's bill" to an investor)."""

    __slots__ = ("label", "value", "fraction", "kind")

    def __init__(self, label: str, value: float, fraction: float, kind: str = "") -> None:
        self.label = label
        self.value = value
        self.fraction = fraction  # of the largest bar, 0-1, for drawing on a linear scale
        self.kind = kind


def _bars(items: list[tuple[str, float | None, str]]) -> list[Bar]:
    known = [(label, v, kind) for label, v, kind in items if v is not None]
    top = max((v for _, v, _ in known), default=0.0) or 1.0
    return [Bar(label, v, max(0.0, v / top), kind) for label, v, kind in known]


class Figures(Record):
    """The cost figures the charts draw: the one place that reads ``result.costs``.

    A slotted record, not a NamedTuple: defining a NamedTuple costs a millisecond on the
    cold path of every ``advisor assess`` (bench B1)."""

    __slots__ = ("baseline", "current", "in_house", "bill", "band_low", "band_high", "own",
                 "model", "input_per_mtok", "band_low_per_mtok", "band_high_per_mtok",
                 "volume_basis")

    def __init__(self, baseline: float | None, current: float | None, in_house: bool,
                 bill: float | None, band_low: float | None, band_high: float | None,
                 own: float | None, model: str | None, input_per_mtok: float | None,
                 band_low_per_mtok: float | None, band_high_per_mtok: float | None,
                 volume_basis: str | None = None) -> None:
        self.baseline = baseline
        self.current = current
        self.in_house = in_house
        self.bill = bill
        self.band_low = band_low
        self.band_high = band_high
        self.own = own
        self.model = model
        self.input_per_mtok = input_per_mtok
        self.band_low_per_mtok = band_low_per_mtok
        self.band_high_per_mtok = band_high_per_mtok
        self.volume_basis = volume_basis


def figures(result: Result) -> Figures:
    c = result.costs
    if c is None:
        return Figures(None, None, False, None, None, None, None, None, None, None, None)
    cur, band, own = c.current, c.open_model_band, c.self_hosting
    return Figures(
        baseline=c.baseline_2023.monthly_usd if c.baseline_2023 else None,
        current=cur.monthly_usd if cur else None,
        in_house=cur is not None and cur.basis == "in_house",
        bill=c.bill.reported_usd,
        band_low=band.low_usd if band else None,
        band_high=band.high_usd if band else None,
        own=own.monthly_usd if own else None,
        model=(cur.name or cur.model) if cur else None,  # as the user named it
        input_per_mtok=cur.input_per_mtok if cur else None,
        band_low_per_mtok=band.low_per_mtok if band else None,
        band_high_per_mtok=band.high_per_mtok if band else None,
        volume_basis=c.volume_basis,
    )


#: Label of the bill bar when the caller does not word it for its reader.
BILL_LABEL = "Bill, as reported"


def cost_bars(result: Result, *, with_bill: bool = False) -> list[Bar]:
    """Monthly cost of this workload: 2023, today, the bill (``with_bill``, when one was
    given), the open-model band, own GPUs, each scenario."""
    f = figures(result)
    if f.current is None:
        return []
    items: list[tuple[str, float | None, str]] = [
        ("GPT-4, March 2023", f.baseline, "baseline"),
        ("Today, in house" if f.in_house else "Today", f.current, "current"),
    ]
    if with_bill and f.bill is not None:  # said apart from the figure computed from volume
        inferred = f.volume_basis == "inferred_from_bill"
        computed = ("Today, at list prices (volume inferred from the bill)" if inferred
                    else "Today, computed from the volume")
        items[1] = ("Today, in house" if f.in_house else computed, f.current, "current")
        items.append((BILL_LABEL, f.bill, "bill"))
    items += [("Open models, high", f.band_high, "band"),
              ("Open models, low", f.band_low, "band")]
    if not f.in_house and f.own is not None:  # the third way to buy the work (costs.md)
        items.append(("Own GPUs", f.own, "own"))
    items += [(s.title, s.monthly_cost_usd, "scenario") for s in result.scenarios]
    return _bars(items)


def summary_bars(result: Result) -> list[Bar]:
    """The summary's small chart: the monthly cost now against the bill and 2023."""
    keep = {"baseline", "current", "bill"}
    bars = [b for b in cost_bars(result, with_bill=True) if b.kind in keep]
    return bars if len(bars) >= 2 else []


def price_bars(result: Result, anchors: dict[str, Any]) -> list[Bar]:
    """Price per million input tokens: GPT-4 at launch, the model used today, the open band."""
    f = figures(result)
    launch = anchors["gpt4_launch"]
    band = anchors["open_model_band"]
    items: list[tuple[str, float | None, str]] = [
        (f"GPT-4 ({launch['date']})", launch["input_per_mtok"], "baseline"),
    ]
    if f.input_per_mtok:  # a list price of 0 (in house) is no price
        items.append((f"{f.model} (today)", f.input_per_mtok, "current"))
    items += [("Open models, high", f.band_high_per_mtok or band["high_per_mtok"], "band"),
              ("Open models, low", f.band_low_per_mtok or band["low_per_mtok"], "band")]
    return _bars(items)


# ---------------------------------------------------------------------- SVG layout

#: Geometry of an HTML chart, in SVG user units (pixels at 12 px type).
WIDTH = 640  # the appendix's charts; the summary's is narrower (SUMMARY_WIDTH)
SUMMARY_WIDTH = 480
VALUE_ROOM = 140  # after the longest bar: its value, up to "$999.5 billion"
PLOT_LEFT = 2
ROW = 36  # each label on its own line above its bar: no label can run into a value
BAR_HEIGHT = 14
AXIS = 34  # tick labels and the note on the scale
FONT_PX = 12
#: Beyond this ratio of largest to smallest value a linear scale shrinks the small bars to
#: slivers (2023 against today's options is 100-1,000×): the chart switches to a log scale.
LOG_FROM_RATIO = 10.0
MIN_BAR = 2.0  # a positive value is never drawn thinner than this

_NARROW = frozenset("ijlfrtI1.,:;'|!()[]/ -")
_WIDE = frozenset("mwMW@%")


def text_width(text: str, px: float = FONT_PX) -> float:
    """A generous estimate of ``text``'s width in a sans-serif face (DejaVu Sans, among the
    widest a browser falls back to): enough to know that a label fits, without a font."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.36
        elif ch in _WIDE:
            em += 1.0
        elif ch.isupper():
            em += 0.76
        else:
            em += 0.64
    return em * px


def fit(text: str, width: float) -> str:
    """``text`` cut with "…" so that it fits ``width`` (the whole text stays in the tooltip)."""
    if text_width(text) <= width:
        return text
    room = width - text_width("…")
    out = ""
    for ch in text:
        if text_width(out + ch) > room:
            break
        out += ch
    return out.rstrip() + "…"


class Row(Record):
    """One bar as drawn: the label line, the bar and the value after it."""

    __slots__ = ("label", "value", "value_text", "kind", "label_y", "bar_y", "width",
                 "value_x", "value_y")

    def __init__(self, label: str, value: float, value_text: str, kind: str, label_y: float,
                 bar_y: float, width: float, value_x: float, value_y: float) -> None:
        self.label = label
        self.value = value
        self.value_text = value_text
        self.kind = kind
        self.label_y = label_y
        self.bar_y = bar_y
        self.width = width
        self.value_x = value_x
        self.value_y = value_y


class Tick(Record):
    __slots__ = ("x", "text")

    def __init__(self, x: float, text: str) -> None:
        self.x = x
        self.text = text


class Chart(Record):
    """A laid-out bar chart. ``log`` says which scale; the template says it in words."""

    __slots__ = ("rows", "ticks", "log", "factor", "width", "height", "plot_top",
                 "plot_bottom", "plot_left", "tick_y", "note_y")

    def __init__(self, rows: list[Row], ticks: list[Tick], log: bool, factor: float,
                 width: float, height: float) -> None:
        self.rows = rows
        self.ticks = ticks
        self.log = log
        self.factor = factor  # on a log scale, each gridline is this many times the one before
        self.width = width
        self.height = height
        self.plot_top = 0.0
        self.plot_left = float(PLOT_LEFT)
        self.plot_bottom = height - AXIS + 4
        self.tick_y = height - AXIS + 17
        self.note_y = height - 3

    def fit(self, label: str) -> str:
        """A label as drawn on its own line: whole when it fits the chart's width, else cut."""
        return fit(label, self.width - self.plot_left - 4)

    def fits(self, text: str, px: float = 11) -> bool:
        """Whether ``text`` (the note on the scale, at 11 px) fits the chart's width whole."""
        return text_width(text, px) <= self.width - self.plot_left - 4


#: The smallest figure a chart draws: costs are kept to a millionth of a dollar.
MIN_VALUE = 1e-6


def _tick_text(value: float) -> str:
    """A gridline's label, short as on any chart: $0.10 · $1 · $100 · $10k · $1M · $1B."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"${value / size:,.{_decimals(value / size)}f}{suffix}"
    return f"${value:,.{_decimals(value)}f}"


def _decimals(value: float) -> int:
    if value >= 1:
        return 0 if abs(value - round(value)) < 1e-9 else 1
    return max(2, -math.floor(math.log10(value) + 1e-9))


Scale = tuple[Callable[[float], float], list[float]]


def _log_scale(lo: float, hi: float, plot: float) -> Scale:
    """Decades from at least half a decade below the smallest value to the largest: the
    smallest bar stays a bar ($1,200 on an axis from $1,000 would be a sliver)."""
    start = math.floor(math.log10(lo) - 0.5)
    end = max(math.ceil(math.log10(hi)), start + 1)
    span = end - start
    step = 1 if span <= 6 else math.ceil(span / 6)

    def x(v: float) -> float:
        return (math.log10(v) - start) / span * plot

    return x, [10.0 ** e for e in range(start, end + 1, step)]


def _linear_scale(hi: float, plot: float) -> Scale:
    """From zero to a round figure above the largest value, in 3 to 6 round steps."""
    magnitude = 10.0 ** math.floor(math.log10(hi))
    step = next(s * magnitude for s in (0.2, 0.5, 1.0, 2.0, 5.0) if hi / (s * magnitude) <= 5)
    top = math.ceil(hi / step - 1e-9) * step

    def x(v: float) -> float:
        return max(v, 0.0) / top * plot

    return x, [i * step for i in range(round(top / step) + 1)]


def layout(bars: list[Bar], fmt: Callable[[float], str], width: int = WIDTH) -> Chart | None:
    """Place ``bars`` on a log scale when they span more than :data:`LOG_FROM_RATIO`, on a
    linear one from zero otherwise; ``fmt`` writes each value. None when nothing is drawable."""
    # Below a millionth of a dollar nothing is drawable (and a denormal's decade underflows).
    positive = [b.value for b in bars if b.value >= MIN_VALUE and math.isfinite(b.value)]
    if not positive:
        return None
    lo, hi = min(positive), max(positive)
    log = hi / lo > LOG_FROM_RATIO
    plot = width - PLOT_LEFT - VALUE_ROOM
    x, marks = _log_scale(lo, hi, plot) if log else _linear_scale(hi, plot)
    rows = []
    for i, b in enumerate(bars):
        top = i * ROW
        drawable = b.value >= MIN_VALUE and math.isfinite(b.value)
        length = max(MIN_BAR, x(b.value)) if drawable else 0.0
        rows.append(Row(b.label, b.value, fmt(b.value), b.kind, label_y=top + 12,
                        bar_y=top + 17, width=round(length, 1),
                        value_x=round(PLOT_LEFT + length + 6, 1), value_y=top + 29))
    ticks = [Tick(round(PLOT_LEFT + x(m), 1), _tick_text(m) if m else "$0") for m in marks]
    factor = marks[1] / marks[0] if log and len(marks) > 1 else 1.0
    return Chart(rows, ticks, log, round(factor), width, height=len(bars) * ROW + AXIS)

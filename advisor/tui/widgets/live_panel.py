"""The live side panel: tier, score, top three drivers and monthly cost now vs 2023.

It only draws an :class:`Outcome` the app computed; it never assesses anything itself, so every
screen that shows one shows the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from advisor.core.cost_records import Costs
from advisor.core.wording import ratio_words
from advisor.render.formats import TIER_LABELS
from advisor.render.formatting import money, percent
from advisor.tui.assessing import Outcome, describe

__all__ = ["TIER_LABELS"]
TIER_STYLES = {"high": "bold $text-error", "medium": "bold $text-warning",
               "lower": "bold $text-success"}


#: Words of rule ids that are written in capitals (or mixed case) when shown.
_CASED = {"saas": "SaaS", "tam": "TAM", "api": "API", "ai": "AI", "gpu": "GPU", "gpus": "GPUs"}


def driver_name(rule_id: str, labels: Mapping[str, str] | None = None) -> str:
    """The rule's ``label`` from its pack ("Priced per call"); for a rule without one,
    ``thin-wrapper`` -> ``Thin wrapper``, ``tam-assessed`` -> ``TAM assessed``."""
    label = (labels or {}).get(rule_id)
    if label:
        return label
    words = [_CASED.get(w, w) for w in rule_id.replace("_", "-").split("-")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def cost_note(costs: Costs | None) -> str:
    """Why there is no monthly figure yet, in the cost model's own words."""
    notes = {} if costs is None else costs.notes
    for key in ("current", "monthly_requests", "monthly_input_tokens", "baseline_2023"):
        if notes.get(key):
            return f"Still needed: {notes[key]}."
    return "no figure yet"


def panel_content(outcome: Outcome, labels: Mapping[str, str] | None = None) -> Content:
    """The panel's text for ``outcome`` (a pure function, so it is cheap to test and time);
    ``labels`` names the drivers (rule id -> label)."""
    parts: list[str | tuple[str, str]] = [("Live assessment", "bold"), "\n\n"]
    if outcome.result is None:
        if outcome.error is not None:
            parts += [("Cannot assess: ", "bold $text-error"), describe(outcome.error)]
        else:
            parts += [("No tier yet. ", "bold"), outcome.hint or ""]
        return Content.assemble(*parts)
    r = outcome.result
    parts += [("Tier  ", "dim"), (TIER_LABELS.get(r.tier, r.tier), TIER_STYLES.get(r.tier, "")),
              "\n", ("Score ", "dim"), f"{r.score} / 100", "\n",
              ("Confidence ", "dim"), percent(r.confidence), "\n\n",
              ("Top drivers", "bold"), "\n"]
    drivers = [f for f in r.fired_rules if f.points][:3]  # zero-point rules only recommend
    if not drivers:
        parts.append(("  none fired yet\n", "dim"))
    for rule in drivers:
        points = f"{rule.points:+g}"
        parts += [(f"{points:>4} ", "$text-error" if rule.points > 0 else "$text-success"),
                  driver_name(rule.id, labels), "\n"]
    parts += ["\n", ("Monthly cost", "bold"), "\n"]
    costs = r.costs
    now = None if costs is None else costs.monthly_usd
    then = None if costs is None or costs.baseline_2023 is None else \
        costs.baseline_2023.monthly_usd
    bill = None if costs is None else costs.bill
    if now is None:
        parts += [(cost_note(costs), "dim")]
    else:
        parts += [("  Today ", "dim"), money(now), "\n", ("  2023  ", "dim"), money(then)]
    if bill is not None and bill.reported_usd is not None:
        # what the invoices say, next to what the answers compute, in its direction
        parts += ["\n", ("  Bill  ", "dim"), money(bill.reported_usd)]
        if bill.direction in ("higher", "lower") and bill.ratio is not None:
            parts += ["\n", (f"  {ratio_words(bill.ratio)} computed", "dim")]
        elif bill.direction == "no_bill":
            parts += [(" (no API)", "dim")]
    return Content.assemble(*parts)


class LivePanel(VerticalScroll):
    """Shows the app's latest :class:`Outcome`; updated by the app after every answer.

    The border and height belong to this container; the text is one Static sized to its
    content, so an update repaints only the lines that hold text.
    """

    DEFAULT_CSS = """
    LivePanel {
        width: 30;
        height: 1fr;
        padding: 0 1;
        border-left: vkey $foreground 30%;
    }
    LivePanel > #live-text {
        height: auto;
    }
    """

    def __init__(self, outcome: Outcome | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._outcome = outcome or Outcome(hint="")
        self.text = Static(id="live-text")

    def compose(self) -> ComposeResult:
        yield self.text

    def on_mount(self) -> None:
        self.show(getattr(self.app, "live", self._outcome))

    def show(self, outcome: Outcome) -> None:
        self._outcome = outcome
        assessor = getattr(self.app, "assessor", None)
        labels = assessor.rule_labels if assessor is not None else None
        self.text.update(panel_content(outcome, labels))
        if self.mini is not None:
            self.mini.update(mini_content(outcome))

    #: A one-line summary shown instead of the panel where the screen is too narrow for it.
    mini: Static | None = None


def mini_content(outcome: Outcome) -> Content:
    """``High risk 70/100 · $2,325/mo``: the panel in one line, for narrow terminals."""
    r = outcome.result
    if r is None:
        return Content.assemble(("no tier yet", "dim"))
    now = None if r.costs is None else r.costs.monthly_usd
    cost = f" · {money(now)}/mo" if now is not None else ""
    return Content.assemble((TIER_LABELS.get(r.tier, r.tier), TIER_STYLES.get(r.tier, "")),
                            f" {r.score}/100{cost}")

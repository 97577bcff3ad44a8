"""Results: Summary, Recommendations, Costs, Scenarios, Report, Narrative (LLM) and Ask tabs.

Everything shown is drawn from one :class:`advisor.core.result.Result` that the app computed with
the core. Editing scenario probabilities recomputes it through the same path as an answer.
The slow parts (an LLM narrative, Ask) run in thread workers and stream back through
``call_from_thread``; their modules are imported inside the worker, so a missing or broken
LLM setup is a message in the tab, never a crash.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import math
import threading
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Markdown,
    Static,
    TabbedContent,
    TabPane,
)

from advisor.core.cost_records import Costs, SelfHosting
from advisor.core.sources import SECTION_TITLES
from advisor.core.wording import ratio_words, volume
from advisor.render.charts import cost_bars
from advisor.render.formats import LEVER_NAMES, OPTION_NAMES
from advisor.render.formatting import money, percent
from advisor.render.formatting import money as usd
from advisor.tui.widgets.cost_chart import CostChart
from advisor.tui.widgets.live_panel import TIER_LABELS, TIER_STYLES, cost_note, driver_name

TABS = ("summary", "recommendations", "costs", "scenarios", "report", "narrative", "ask")

#: The scrolling container of each tab (the keys ↑ ↓ PgUp PgDn Home End move it).
TAB_SCROLLERS = {"summary": "summary-text", "recommendations": "recommendations-text",
                 "costs": "costs-scroll", "scenarios": "scenarios-scroll",
                 "report": "report-scroll", "narrative": "narrative-scroll", "ask": "ask-log"}


def section(key: str) -> str:
    return SECTION_TITLES.get(key, key)


def summary_header(result: Any, role_label: str) -> Content:
    """The tier line: coloured by tier, with score, confidence, role and organization, and the
    monthly cost now against the bill (in its direction) and 2023 when they are known."""
    costs: Costs | None = result.costs
    now = None if costs is None else costs.monthly_usd
    then = None if costs is None or costs.baseline_2023 is None else \
        costs.baseline_2023.monthly_usd
    bill = None if costs is None else costs.bill
    money_line: list[str | tuple[str, str]] = []
    reported = None if bill is None else bill.reported_usd
    if now is not None or reported is not None:
        money_line.append(("\nMonthly cost ", "bold"))
        if now is not None:
            money_line.append(f"{money(now)} today" + (" in house" if costs and costs.in_house
                                                       else ""))
        if reported is not None and not (costs and costs.in_house):
            money_line.append(f"{' · ' if now is not None else ''}bill {money(reported)}"
                              + bill_words(costs))
        if then is not None:
            money_line.append(f" · {money(then)} at 2023 prices")
    return Content.assemble(
        (TIER_LABELS.get(result.tier, result.tier), TIER_STYLES.get(result.tier, "bold")),
        f"   score {result.score} / 100   confidence {percent(result.confidence)}\n",
        (role_label, "dim"), (f" · {result.organization}" if result.organization else "", "dim"),
        *money_line)


def summary_items(result: Any, questionnaire: Any = None,
                  labels: Any = None) -> list[tuple[str, Content]]:
    """(kind, text) blocks of the Summary tab: what drives the score (rules with points), the
    findings that matter without moving it, cautions, and the questions left unanswered."""
    drivers = [r for r in result.fired_rules if r.points]
    findings = [r for r in result.fired_rules if not r.points]
    items: list[tuple[str, Content]] = [("heading", Content("What drives the score"))]
    if not drivers:
        items.append(("item", Content("Nothing in the answers raises or lowers the exposure "
                                      "score.")))
    for rule in drivers:
        items.append(("item", Content.assemble(
            (f"{rule.points:+g} points ", "bold $text-error" if rule.points > 0
             else "bold $text-success"), (driver_name(rule.id, labels), "bold"), ": ",
            rule.explanation, (f" ({section(rule.source)})", "dim"))))
    if findings:
        items.append(("heading", Content("Findings (they shape the advice, not the score)")))
        items += [("item", Content.assemble(("• ", "bold"), (driver_name(r.id, labels), "bold"),
                                            ": ", r.explanation,
                                            (f" ({section(r.source)})", "dim")))
                  for r in findings]
    applying = [c for c in result.cautions if c.applies]
    if applying:
        items.append(("heading", Content("Cautions")))
        items += [("item", Content.assemble(c.text, (f" ({section(c.source)})", "dim")))
                  for c in applying]
    items += not_answered_items(result, questionnaire)
    return items


def not_answered_items(result: Any, questionnaire: Any = None) -> list[tuple[str, Content]]:
    """Every question that applies and was left as "don't know", each saying what it costs:
    those that lower the confidence first, then those that do not (weight 0), so none vanishes."""
    if questionnaire is None:
        lowering = [(m.prompt, True) for m in result.missing]
    else:
        lowering = [(q.prompt_for(result.role), q.weight > 0)
                    for q in questionnaire.relevant_for(result.role, result.answers or {})
                    if (result.answers or {}).get(q.id) is None]
    if not lowering:
        return []
    items: list[tuple[str, Content]] = [("heading", Content(
        f"Not answered ({len(lowering)}): answer them with ctrl+r, Edit"))]
    # All of them (none vanishes), those that cost confidence first.
    items += [("item", Content.assemble(prompt, (" (lowers the confidence)" if lowers else
                                                 " (does not change the confidence)", "dim")))
              for prompt, lowers in sorted(lowering, key=lambda pair: not pair[1])]
    return items


def recommendation_items(result: Any) -> list[tuple[str, Content]]:
    if not result.recommendations:
        return [("item", Content("No recommendation follows from these answers."))]
    return [("item", Content.assemble((f"{rec.priority}. {rec.title}", "bold"), ": ", rec.why,
                                      (f" (Article: {section(rec.source)})", "dim")))
            for rec in result.recommendations]


class ItemList(VerticalScroll):
    """Headings and indented items, one Static each: lighter than a Markdown document and
    wrapped lines stay aligned under their item."""

    DEFAULT_CSS = """
    ItemList > .heading { margin: 1 0 0 0; text-style: bold; color: $text-accent; }
    ItemList > .item { padding: 0 0 0 2; margin: 0 0 1 0; }
    """

    def show(self, items: list[tuple[str, Content]]) -> None:
        with self.app.batch_update():
            self.remove_children()
            self.mount_all([Static(text, classes=kind) for kind, text in items])


class ReportView(Static):
    """The report's Markdown drawn as one widget (Rich's renderer): a board report with its
    tables shows at once, where a Markdown widget per block took over a second."""

    DEFAULT_CSS = """
    ReportView { height: auto; padding: 0 1 1 0; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.source = ""

    def show(self, text: str) -> None:
        from rich.markdown import Markdown as RichMarkdown

        self.source = text
        self.update(RichMarkdown(text, hyperlinks=False))


def bill_words(costs: Costs | None) -> str:
    """The bill against the computed cost in its direction, for a line that shows both."""
    ratio = None if costs is None else costs.bill.ratio
    if costs is None or ratio is None or costs.volume_basis == "inferred_from_bill":
        return ""  # the computed cost was worked back from the bill: nothing to compare
    bill = costs.bill
    if bill.direction == "higher":
        return f" ({ratio_words(ratio)} the computed cost: the figures are a floor)"
    if bill.direction == "lower":
        return f" ({ratio_words(ratio)} the computed cost: the figures are a ceiling)"
    if bill.direction == "agree" and bill.apart_pct is not None:
        return f" ({bill.apart_pct:.0f}% from the computed cost)"
    return ""


def costs_content(result: Any) -> Content:
    """Today, the bill, 2023, the three ways to buy the work (costs.md), where the money is
    (levers), whether it matters, and in house the owned GPUs."""
    costs: Costs | None = result.costs
    current = None if costs is None else costs.current
    if costs is None or current is None or current.monthly_usd is None:
        return Content.assemble(("No cost figures yet: ", "bold"), cost_note(costs))
    in_house = bool(costs.in_house)
    name = current.name or current.model
    if in_house:
        today = (f"{usd(current.monthly_usd)} a month in house (GPUs and operations)"
                 + (f", running {name}" if name else "") + "\n")
    else:
        today = (f"{usd(current.monthly_usd)} a month with {name}"
                 f" ({usd(current.input_per_mtok)} / {usd(current.output_per_mtok)}"
                 " per million input / output tokens)\n")
    parts: list[str | tuple[str, str]] = [("Today ", "bold"), today]
    bill = costs.bill
    if bill.reported_usd is not None and costs.volume_basis != "inferred_from_bill":
        if in_house or bill.direction == "no_bill":
            parts += [("Bill  ", "bold"), "no API bill is paid: nothing to reconcile\n"]
        else:
            parts += [("Bill  ", "bold"), f"{usd(bill.reported_usd)} a month as reported"
                      + bill_words(costs) + "\n"]
    base = costs.baseline_2023
    parts += [("2023  ", "bold"), f"{usd(None if base is None else base.monthly_usd)} a month "
              "at GPT-4's launch prices"]
    reduction = costs.reduction_vs_2023_pct
    if reduction is not None and reduction < 0:
        parts.append(f"  ({1 - reduction / 100:.1f} times that today)")
    elif reduction is not None:
        parts.append(f"  ({reduction:.1f}% less today)")
    if costs.monthly_requests is not None:
        basis = {"inferred_from_bill": " (tokens inferred from the bill)",
                 "default_sizes": " (default request sizes assumed)"}.get(
                     costs.volume_basis or "", "")
        said = volume(costs.monthly_requests, costs.monthly_calls, exact=True)
        parts += ["\n", ("Volume ", "bold"), f"{said} a month{basis}"]
    hosting = costs.self_hosting
    if hosting is not None and hosting.options:
        options = hosting.options
        shown = ", ".join(f"{label} {usd(options[k])}" for k, label in OPTION_NAMES.items()
                          if k in options and not (in_house and k == "current_api"))
        parts += ["\n", ("Options ", "bold"), shown]
        if in_house:
            parts.append(" (an API only if this work moved to one)"
                         if costs.in_house_reason == "choice" else
                         " (an API only if the rules ever allowed one)")
        elif hosting.cheapest_option in OPTION_NAMES:
            parts.append(f"; the cheapest is {OPTION_NAMES[hosting.cheapest_option]}")
    if hosting is not None and hosting.verdict:
        parts += ["\n", ("Own GPUs " if in_house else "Self-hosting ", "bold"),
                  self_hosting_line(hosting, costs)]
    for lever in costs.levers[:4]:
        saving = (f"{money(lever.monthly_savings_usd)} a month"
                  if lever.monthly_savings_usd is not None else
                  f"{money(lever.savings_per_10pct_usd)} a month per 10% of the work")
        what = LEVER_NAMES[lever.id] + (f" ({lever.model})" if lever.model else "")
        parts += ["\n", ("Lever ", "bold"), f"{what}: {saving}"]
    if costs.materiality.level is not None:
        parts += ["\n", ("Matters ", "bold"), MATTERS_WORDS[costs.materiality.level]]
    return Content.assemble(*parts)


#: Whether the cost matters (costs.md, materiality), as the Costs tab says it.
MATTERS_WORDS = {"immaterial": "hardly: strategy before cost tooling",
                 "material": "yes: a real share of revenue or budget",
                 "critical": "most of all: the cost of an answer comes first"}


def self_hosting_line(hosting: SelfHosting, costs: Costs) -> str:
    """The self-hosting verdict with the figures behind it (faq-q2), or the owned GPUs (faq-q4)."""
    verdict, monthly = hosting.verdict, hosting.monthly_usd
    break_even, requests = hosting.break_even_requests, costs.monthly_requests
    if verdict == "in house":
        busy, owned = hosting.gpus_at_peak, hosting.gpus_owned
        if busy is None:
            return "in house: give the monthly volume to size the GPUs it needs"
        text = ("less than a tenth of a GPU busy" if busy < 0.1 else f"{busy:.1f} GPUs busy")
        text += " at the busiest hour"
        if owned:
            text += f" of {owned:,.0f} owned, {hosting.spare_gpus or 0:.1f} free"
        else:
            text += f"; {hosting.always_on_gpus:g} assumed running whatever the load"
        return text + "; owned hardware is depreciated, not repriced"
    if verdict == "never pays" or break_even is None:
        return ("never pays: the API costs no more per request than the GPU time to serve it, "
                "under the report's GPU assumptions")
    if requests is None:
        return str(verdict)
    own = f"own GPUs would cost about {usd(monthly)} a month"
    be = volume(break_even, hosting.break_even_calls, exact=True)
    said = volume(requests, costs.monthly_calls, exact=True)
    if hosting.hybrid:
        own += (f"; the {hosting.gpus_owned:,.0f} GPUs owned run other work, so they are not "
                "spare capacity here")
    if verdict == "self-hosting pays":
        return f"pays: this workload's {said} a month are past the break-even of {be}; {own}"
    return f"stay on the API: the break-even is {be} a month and this workload has {said}; {own}"


def parse_probability(text: str) -> float | None:
    """``50%`` or ``50`` -> 0.5, and ``0.5`` -> 0.5 (a fraction up to 1); None when it is not a
    number. The tab shows percentages, so a bare number above 1 is read as one."""
    raw = text.strip().replace(",", ".")
    scale = 1.0
    if raw.endswith("%"):
        raw, scale = raw[:-1].strip(), 0.01
    if len(raw) > 40:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if scale == 1.0 and value > 1:
        scale = 0.01
    return round(value * scale, 10)


def probability_text(probability: float) -> str:
    """0.5 -> ``50%``; 0.125 -> ``12.5%``."""
    value = round(probability * 100, 6)
    return f"{value:g}%"


def expected_cost(result: Any) -> Content:
    """The expected monthly cost over the scenarios, weighted by their probabilities, against
    today's: what the probabilities mean for the bill."""
    now = None if result.costs is None else result.costs.monthly_usd
    costs = [(s.probability, s.monthly_cost_usd) for s in result.scenarios]
    if now is None or not costs or any(c is None for _, c in costs):
        return Content.assemble(("No expected cost change yet: it needs today's monthly cost "
                                 "(a model and a volume).", "dim"))
    expected = sum(p * c for p, c in costs)
    change = (expected / now - 1) * 100 if now else 0.0
    direction = "down" if change < -0.5 else "up" if change > 0.5 else "about level"
    amount = f" {abs(change):.0f}%" if direction != "about level" else ""
    return Content.assemble(("Expected cost change: ", "bold"),
                            f"{direction}{amount}, to {money(expected)} a month against "
                            f"{money(now)} today (the scenarios weighted by these "
                            "probabilities).")


class ResultsScreen(Screen[None]):
    """The assessment, its report, and the optional LLM narrative and Ask chat."""

    SCOPED_CSS = False  # the rules below are nested in the screen's own selector
    DEFAULT_CSS = """
    ResultsScreen {
        #tabs {
            height: 1fr;
        }

        TabPane {
            padding: 0 1;
        }

        .intro {
            margin-bottom: 1;
        }

        .scenario {
            margin-bottom: 0;
        }

        .scenario-title {
            width: 22;
        }

        .probability {
            width: 10;
        }

        .scenario-cost {
            width: 1fr;
            padding: 0 0 0 2;
        }

        #scenario-text {
            margin-top: 1;
        }

        #llm-model {
            width: 2fr;
        }

        #llm-base-url {
            width: 2fr;
        }

        #write-narrative {
            margin-top: 1;
        }

        #narrative-status {
            margin: 1 0;
        }

        #report-scroll {
            height: 1fr;
        }

        #report-view {
            height: auto;
        }

        #ask-log {
            height: 1fr;
        }

        .ask-question {
            margin-top: 1;
        }
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save"),
        Binding("ctrl+r", "review", "Edit", id="review"),
        Binding("ctrl+l", "narrative", "Narrative", id="narrative"),
        Binding("ctrl+y", "ask", "Ask", id="ask"),
        # Every tab scrolls from the keyboard, whatever has the focus (the tab bar included).
        Binding("pagedown", "scroll_tab('page_down')", "Scroll", id="scroll", show=True),
        Binding("pageup", "scroll_tab('page_up')", "Scroll up", show=False),
        Binding("down", "scroll_tab('down')", show=False),
        Binding("up", "scroll_tab('up')", show=False),
        Binding("home", "scroll_tab('home')", show=False),
        Binding("end", "scroll_tab('end')", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._stale: set[str] = set()
        self._narrative_text = ""

    @property
    def result(self) -> Any:
        return self.app.live.result  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield Header()
        with TabbedContent(id="tabs", initial="summary"):
            with TabPane("Summary", id="summary"):
                yield Static("", id="summary-header")
                yield ItemList(id="summary-text")
            with TabPane("Actions", id="recommendations"):
                yield ItemList(id="recommendations-text")
            with TabPane("Costs", id="costs"), VerticalScroll(id="costs-scroll"):
                yield Static("Monthly cost of this workload", classes="heading")
                yield CostChart(id="chart")
                yield Static("", id="costs-text")
            with TabPane("Scenarios", id="scenarios"), VerticalScroll(id="scenarios-scroll"):
                yield Static("How likely is each scenario over the next 12–24 months (§5)? "
                             "Edit the percentages: they must add up to 100%; everything "
                             "recomputes.", classes="intro")
                for s in self.result.scenarios:
                    with Horizontal(classes="row scenario"):
                        yield Static(s.title, classes="scenario-title")
                        yield app.make_input(value=probability_text(s.probability),
                                             id=f"p-{s.id}", classes="probability",
                                             compact=True)
                        yield Static("", id=f"cost-{s.id}", classes="scenario-cost")
                yield Static("", id="scenario-error", classes="error")
                yield Static("", id="scenario-expected")
                yield Button("Reset to the documented defaults", id="reset-probabilities",
                             compact=True)
                yield Static("", id="scenario-text")
            with TabPane("Report", id="report"), VerticalScroll(id="report-scroll"):
                yield ReportView(id="report-view")
            with TabPane("Narrative", id="narrative"), VerticalScroll(id="narrative-scroll"):
                yield Static("Have an LLM write the narrative (via litellm). The tier, score "
                             "and recommendations stay the engine's.", classes="intro")
                with Horizontal(classes="row"):
                    yield app.make_input(value=app.llm_model, placeholder="LLM model, e.g. "
                                         "gpt-4o-mini", id="llm-model")
                    yield app.make_input(value=app.llm_base_url, id="llm-base-url",
                                         placeholder="base URL (optional)")
                    yield Button("Write", id="write-narrative", variant="primary",
                                 compact=True)
                yield Static("", id="narrative-status")
                yield Markdown("", id="narrative-view")
            with TabPane("Ask", id="ask"):
                with VerticalScroll(id="ask-log"):
                    yield Static(_ask_intro(), id="ask-status")
                yield app.make_input(placeholder="Ask about the result, e.g. what if our "
                                     "volume doubles?", id="ask-input")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Results"
        self.refresh_all()
        self.app.record_history()  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ drawing

    def refresh_all(self) -> None:
        """Redraw from the current result (after a probability edit, or on arrival).

        Plain-text tabs are redrawn at once; the Markdown ones (the costly widgets) are marked
        stale and drawn when shown, so the results appear without waiting for all of them.
        """
        result = self.result
        self.query_one("#chart", CostChart).set_bars(
            cost_bars(result, with_bill=True), empty="No chart: " + cost_note(result.costs))
        self.query_one("#costs-text", Static).update(costs_content(result))
        self._draw_scenarios()
        self._stale = {"summary", "recommendations", "report", "narrative"}
        self._draw_tab(self.query_one(TabbedContent).active)

    def _draw_tab(self, tab: str) -> None:
        """Draw ``tab`` if its content is out of date."""
        if tab not in self._stale:
            return
        self._stale.discard(tab)
        app: Any = self.app
        result = self.result
        if tab == "summary":
            role_label = app.session.questionnaire.role_labels.get(result.role, result.role)
            self.query_one("#summary-header", Static).update(
                summary_header(result, role_label.partition(":")[0]))
            self.query_one("#summary-text", ItemList).show(
                summary_items(result, app.session.questionnaire,
                              app.assessor.rule_labels))
        elif tab == "recommendations":
            self.query_one("#recommendations-text", ItemList).show(
                recommendation_items(result))
        elif tab == "report":
            self.query_one("#report-view", ReportView).show(app.assessor.report(result, "md"))
        elif tab == "narrative" and not self._narrative_text:
            self._show_builtin_narrative()

    def _draw_scenarios(self) -> None:
        parts: list[str | tuple[str, str]] = []
        self.query_one("#scenario-expected", Static).update(expected_cost(self.result))
        for s in self.result.scenarios:
            cost = (money(s.monthly_cost_usd) + " a month"
                    if s.monthly_cost_usd is not None else "")
            self.query_one(f"#cost-{s.id}", Static).update(cost)
            parts += [(s.title, "bold"), (f"  {probability_text(s.probability)}", "dim"), "\n",
                      s.summary, "\n"]
            if s.outlook:
                parts += [("For you: ", "italic"), s.outlook, "\n"]
            parts.append("\n")
        self.query_one("#scenario-text", Static).update(Content.assemble(*parts))

    def _show_builtin_narrative(self, *, status: bool = True) -> None:
        from advisor.render.report import builtin_narrative

        app: Any = self.app
        narrative = builtin_narrative(self.result, app.assessor.rulebase)
        self.query_one("#narrative-view", Markdown).update(narrative.text)
        if status:
            self.query_one("#narrative-status", Static).update(Content.assemble(
                ("Built-in narrative", "bold"), " (offline, deterministic). Choose a model "
                "and press Write for an LLM one."))

    @on(TabbedContent.TabActivated)
    def _tab(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id:
            self._draw_tab(event.pane.id)

    def show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def tab_scroller(self, tab: str | None = None) -> VerticalScroll:
        """The scrolling part of ``tab`` (the active one by default)."""
        tab = tab or self.query_one(TabbedContent).active
        return self.query_one(f"#{TAB_SCROLLERS.get(tab, 'summary-text')}", VerticalScroll)

    def action_scroll_tab(self, how: str) -> None:
        scroller = self.tab_scroller()
        if how == "home":
            scroller.scroll_home(animate=False)
        elif how == "end":
            scroller.scroll_end(animate=False)
        else:
            getattr(scroller, f"scroll_{how}")(animate=False)

    # ------------------------------------------------------------------ scenarios

    @on(Input.Changed, ".probability")
    def _probability_edited(self, event: Input.Changed) -> None:
        event.stop()
        app: Any = self.app
        error = self.query_one("#scenario-error", Static)
        probs: dict[str, float] = {}
        for s in self.result.scenarios:
            box = self.query_one(f"#p-{s.id}", Input)
            value = parse_probability(box.value)
            if value is None:
                error.update(f"✗ {s.title}: “{box.value}” is not a percentage (e.g. 50%).")
                return
            probs[s.id] = value
        current = {s.id: s.probability for s in self.result.scenarios}
        if probs == current:
            error.update("")
            return
        message = app.assessor.probabilities_error(app.session, probs)
        if message:
            error.update(f"✗ {message}")
            return
        error.update("")
        app.set_probabilities(probs)

    @on(Button.Pressed, "#reset-probabilities")
    def _reset_probabilities(self) -> None:
        app: Any = self.app
        app.set_probabilities(None)
        for s in self.result.scenarios:
            self.query_one(f"#p-{s.id}", Input).value = probability_text(s.probability)
        self.query_one("#scenario-error", Static).update("")

    # ------------------------------------------------------------------ narrative (LLM)

    def action_narrative(self) -> None:
        self.show_tab("narrative")
        model = self.query_one("#llm-model", Input)
        if model.value.strip():
            self._start_narrative()
        else:
            model.focus()
            self.query_one("#narrative-status", Static).update(
                "Type a model name (as litellm knows it), then Write.")

    @on(Button.Pressed, "#write-narrative")
    @on(Input.Submitted, "#llm-model")
    @on(Input.Submitted, "#llm-base-url")
    def _start_narrative(self) -> None:
        app: Any = self.app
        model = self.query_one("#llm-model", Input).value.strip()
        base_url = self.query_one("#llm-base-url", Input).value.strip()
        status = self.query_one("#narrative-status", Static)
        if not model:
            status.update("✗ Type a model name first (e.g. gpt-4o-mini, ollama/llama3.1).")
            return
        app.llm_model, app.llm_base_url = model, base_url
        self._narrative_text = ""
        self.query_one("#narrative-view", Markdown).update("")
        status.update(Content.assemble(("Writing", "bold"), f" with {model}…"))
        self.query_one("#write-narrative", Button).disabled = True
        self._narrate(copy.copy(self.result), model, base_url or None)

    @work(thread=True, exclusive=True, group="narrative", exit_on_error=False)
    def _narrate(self, result: Any, model: str, base_url: str | None) -> None:
        app: Any = self.app
        try:
            from advisor.llm.narrative import narrate
            from advisor.llm.settings import LLMSettings
        except ImportError as exc:
            app.call_from_thread(self._narrative_failed,
                                 f"The LLM narrative is not available: {exc}")
            return
        result.narrative = None
        settings = LLMSettings(model=model, base_url=base_url, timeout=60.0)

        def on_chunk(delta: str) -> None:
            app.call_from_thread(self._narrative_chunk, delta)

        def on_reset() -> None:  # the guard rejected a draft: its retry streams afresh
            app.call_from_thread(self._narrative_reset)

        extra = {"on_reset": on_reset} if _accepts(narrate, "on_reset") else {}
        try:
            narrative = narrate(result, app.assessor.rulebase, settings, on_chunk=on_chunk,
                                **extra)
        except Exception as exc:  # a provider's own exception type must not take the app down
            app.call_from_thread(self._narrative_failed, f"The LLM narrative failed: {exc}")
            return
        app.call_from_thread(self._narrative_done, narrative)

    async def _narrative_chunk(self, delta: str) -> None:
        self._narrative_text += delta
        await self.query_one("#narrative-view", Markdown).append(delta)
        scroll = self.query_one("#narrative-scroll", VerticalScroll)
        if scroll.is_vertical_scroll_end or scroll.max_scroll_y - scroll.scroll_y < 3:
            scroll.scroll_end(animate=False)

    async def _narrative_reset(self) -> None:
        self._narrative_text = ""
        await self.query_one("#narrative-view", Markdown).update("")
        self.query_one("#narrative-status", Static).update(Content.assemble(
            ("Retrying", "bold"), ": the first draft did not pass the checks…"))

    def _narrative_failed(self, message: str) -> None:
        self.query_one("#write-narrative", Button).disabled = False
        self.query_one("#narrative-status", Static).update(
            Content.assemble(("✗ ", "bold $text-error"), message))
        if not self._narrative_text:
            self._show_builtin_narrative(status=False)

    def _narrative_done(self, narrative: Any) -> None:
        app: Any = self.app
        self.query_one("#write-narrative", Button).disabled = False
        self._narrative_text = narrative.text
        self.query_one("#narrative-view", Markdown).update(narrative.text)
        app.set_narrative(narrative)
        if narrative.source == "llm":
            cost = f", {usd(narrative.usd)}" if narrative.usd is not None else ""
            tokens = (f", {narrative.input_tokens} tokens in, {narrative.output_tokens} out"
                      if narrative.input_tokens is not None else "")
            cached = " (cached)" if narrative.cached else ""
            status = Content.assemble(("LLM narrative", "bold"),
                                      f" by {narrative.model}{tokens}{cost}{cached}. It is "
                                      "in the report and in what you save.")
        else:
            status = Content.assemble(("Built-in narrative used", "bold $text-warning"),
                                      f": {narrative.note or 'the LLM gave no usable text'}")
        if narrative.note and narrative.source == "llm":
            status = Content.assemble(status, ("\nNote: ", "bold"), narrative.note)
        self.query_one("#narrative-status", Static).update(status)
        self._stale.add("report")

    # ------------------------------------------------------------------ ask

    def action_ask(self) -> None:
        self.show_tab("ask")
        self.query_one("#ask-input", Input).focus()
        self._ask_warm_llm()

    @on(TabbedContent.TabActivated)
    def _ask_tab_shown(self, event: TabbedContent.TabActivated) -> None:
        # Any tab shown means the results are up: warm litellm now if an LLM is configured,
        # so the first question (or narrative) does not wait for its import.
        self._ask_warm_llm()

    @on(Input.Changed, "#ask-input")
    def _ask_typing(self, event: Input.Changed) -> None:
        self._ask_warm_llm()

    def _ask_warm_llm(self) -> None:
        """With an LLM configured, import litellm (seconds) in a thread before it is needed."""
        app: Any = self.app
        if not app.llm_model or getattr(self, "_ask_warmed", False):
            return
        self._ask_warmed = True
        try:
            from advisor.llm.client import warm_up
        except ImportError:
            return
        self.run_worker(warm_up, thread=True, group="ask-warm-up", exit_on_error=False)

    @on(Input.Submitted, "#ask-input")
    def _ask_submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        event.input.value = ""
        log = self.query_one("#ask-log", VerticalScroll)
        asked = Static(Content.assemble(("You: ", "bold $text-accent"), question),
                       classes="ask-question")
        log.mount(asked)
        pending = Static(Content.assemble(("…thinking", "dim")), classes="ask-pending")
        log.mount(pending)
        log.scroll_end(animate=False)
        app: Any = self.app
        data = app.session.answers_file_dict()
        self._ask(question, data, asked, pending)

    @work(thread=True, group="ask", exit_on_error=False)
    def _ask(self, question: str, data: dict[str, Any], asked: Static, pending: Static) -> None:
        app: Any = self.app
        try:
            from advisor.ask import conversation
        except ImportError as exc:
            app.call_from_thread(self._ask_done, asked, pending, None,
                                 f"Ask is not available: {exc}")
            return
        try:
            with _ASK_LOCK:  # one question at a time: the conversation carries the what-if
                settings = None
                if app.llm_model:
                    # The person chose a model (config or Narrative tab): Ask may use it too,
                    # through tools that run the engine, guarded the same way.
                    from advisor.llm.settings import LLMSettings

                    settings = LLMSettings(model=app.llm_model,
                                           base_url=app.llm_base_url or None, timeout=60.0)
                key = json.dumps(data, sort_keys=True, default=str)
                chat = getattr(self, "_ask_chat", None)
                if getattr(conversation, "Conversation", None) is None:  # a one-shot Ask
                    reply = conversation.answer(question, app.assessor.validate(data),
                                                app.assessor.rulebase, app.assessor.prices)
                else:
                    if chat is None or getattr(self, "_ask_key", None) != key:
                        # new answers (an edit, other probabilities): a new conversation
                        chat = conversation.Conversation(app.assessor.validate(data),
                                                         app.assessor.rulebase,
                                                         app.assessor.prices)
                        self._ask_chat, self._ask_key = chat, key
                    chat.settings = settings
                    reply = chat.ask(question)
        except Exception as exc:  # the chat must never take the results down with it
            app.call_from_thread(self._ask_done, asked, pending, None, f"Ask failed: {exc}")
            return
        app.call_from_thread(self._ask_done, asked, pending, reply, None)

    async def _ask_done(self, asked: Static, pending: Static, reply: Any,
                        error: str | None) -> None:
        log = self.query_one("#ask-log", VerticalScroll)
        if error is not None:
            await log.mount(Static(Content.assemble(("✗ ", "bold $text-error"), error),
                                   classes="ask-answer"), after=pending)
        else:
            sources = [section(k) for k in getattr(reply, "sources", []) or []]
            text = str(reply.text)
            if sources:
                text += "\n\n*Sources: " + "; ".join(sources) + "*"
            note = getattr(reply, "note", None)
            if note:
                text += f"\n\n*Note: {note}*"
            await log.mount(Markdown(text, classes="ask-answer"), after=pending)
        await pending.remove()
        # A new answer is read from its start: the question and the answer's first lines in
        # view, not the tail of a long answer.
        self.call_after_refresh(log.scroll_to_widget, asked, animate=False, top=True)

    # ------------------------------------------------------------------ navigation

    def action_save(self) -> None:
        self.app.show_save()  # type: ignore[attr-defined]

    def action_review(self) -> None:
        from advisor.tui.session import RESULTS

        self.app.show_review(came_from=RESULTS)  # type: ignore[attr-defined]


_ASK_LOCK = threading.Lock()


def _ask_intro() -> str:
    try:
        available = importlib.util.find_spec("advisor.ask.conversation") is not None
    except (ImportError, ValueError):
        available = False
    if not available:
        return "Ask is not available in this installation."
    return ("Ask in plain words: “what if our volume doubles?”, “why this tier?”, “should we "
            "self-host?”. Follow-ups (“and if it doubles again?”) build on the last what-if "
            "until you say “reset”. Answers come from your assessment and the article.")


def _accepts(fn: Any, name: str) -> bool:
    """Whether ``fn`` takes the keyword ``name`` (the LLM modules grow optional hooks)."""
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())

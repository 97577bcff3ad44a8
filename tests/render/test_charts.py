"""The HTML report's charts and print styles (experience.md, "The report a board reads";
issue 22): labels legible at any model-name length, the bill beside the computed costs when a
bill was given (worded for the reader), a scale on which today's options stay readable next
to 2023, one small chart in the summary, and a page break before the appendix in print.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from advisor.core.assess import assess
from advisor.data.answers_file import read_answers_file, validate_answers
from advisor.data.price_map import default_price_book
from advisor.render import charts, formatting
from advisor.render.report import render
from tests.conftest import EXAMPLES, ROOT, answers_doc

PERSONAS = ROOT / "tests" / "personas"
BILL = PERSONAS / "enterprise-bill-above-computed.json"  # a bill of $15,600
NO_BILL = EXAMPLES / "startup-chat-wrapper.json"


def _result(source: Path | dict[str, Any], rulebase: Any) -> Any:
    answers = (read_answers_file(str(source)) if isinstance(source, Path)
               else validate_answers(source))
    return assess(answers, rulebase, default_price_book())


def _html(source: Path | dict[str, Any], rulebase: Any) -> str:
    return render(_result(source, rulebase), rulebase, "html")


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.S)


def _texts(svg: str, css: str) -> list[tuple[float, float, str]]:
    """(x, y, text) of every ``<text class=css>`` of an SVG."""
    return [(float(x), float(y), t) for x, y, t in re.findall(
        rf'<text x="([\d.]+)" y="([\d.]+)" class="{css}"[^>]*>([^<]*)</text>', svg)]


def _bill_rows(svg: str) -> list[str]:
    return re.findall(r'<g class="row k-bill">.*?</g>', svg, flags=re.S)


def _long_model_doc(name: str, **extra: Any) -> dict[str, Any]:
    doc = answers_doc("developer", model=name, monthly_requests=2_000_000,
                      avg_input_tokens=1500, avg_output_tokens=300, **extra)
    doc["assumptions"] = {"prices": {name: {"input_per_mtok": 2.5, "output_per_mtok": 10.0}}}
    return doc


# ---------------------------------------------------------------------- labels


def test_a_label_is_cut_only_when_it_cannot_fit() -> None:
    assert charts.fit("gpt-4o (today)", 600) == "gpt-4o (today)"
    cut = charts.fit("W" * 300, 600)
    assert cut.endswith("…") and charts.text_width(cut) <= 600 < charts.text_width("W" * 300)
    # Wide letters are counted wide: as many "i" as "W" would never fit the same width.
    assert charts.text_width("W" * 40) > 2 * charts.text_width("i" * 40)


@pytest.mark.parametrize("name", ["perplexity/llama-3.1-70b-instruct",
                                  "acme/" + "very-long-private-deployment-name-" * 5 + "v2",
                                  "ACME WIDE MODEL " * 12])
def test_long_model_names_never_run_into_their_values(name: str, rulebase) -> None:
    name = name.strip()[:200]
    html = _html(_long_model_doc(name), rulebase)
    for svg in _svgs(html):
        width = float(re.search(r'width="([\d.]+)"', svg)[1])  # type: ignore[index]
        labels, values = _texts(svg, "lbl"), _texts(svg, "val")
        assert labels and len(labels) == len(values)
        for (lx, ly, text), (_, vy, _) in zip(labels, values, strict=True):
            # Each label has a line of its own above its bar and value, and fits the chart.
            assert vy - ly >= 12, (text, ly, vy)
            assert lx + charts.text_width(text.replace("&amp;", "&")) <= width, text
    price_chart = _svgs(html)[-1]
    shown = [t for _, _, t in _texts(price_chart, "lbl") if "(today)" in t or "…" in t]
    assert len(shown) == 1
    if "…" in shown[0]:  # cut on the chart, whole in its tooltip
        assert f"<title>{name} (today): $2.50</title>" in price_chart
    else:
        assert shown[0] == f"{name} (today)"


def test_free_text_in_a_chart_is_escaped(rulebase) -> None:
    html = _html(_long_model_doc('<script>alert("x")</script>'), rulebase)
    assert "<script>" not in html and "&lt;script&gt;" in html


# ---------------------------------------------------------------------- the bill


def test_the_bill_stands_beside_the_computed_cost_when_one_was_given(rulebase) -> None:
    html = _html(BILL, rulebase)
    summary_chart, cost_chart = _svgs(html)[:2]
    for svg in (summary_chart, cost_chart):
        (row,) = _bill_rows(svg)
        assert ">Your bill</text>" in row and "$15,600" in row
        assert "Today, computed from the volume" in svg and "$10,200" in svg
    bars = charts.cost_bars(_result(BILL, rulebase), with_bill=True)
    kinds = [b.kind for b in bars]
    assert kinds[:3] == ["baseline", "current", "bill"]


def test_no_bill_no_bill_bar(rulebase) -> None:
    html = _html(NO_BILL, rulebase)
    assert not any(_bill_rows(svg) for svg in _svgs(html))
    body = html.split("</style>", 1)[1]
    assert "k-bill" not in body and "Your bill" not in body
    assert ">Today</text>" in html


def test_an_investor_reads_of_the_company_s_bill(rulebase) -> None:
    doc = answers_doc("investor", model="gpt-4o", monthly_requests=500_000,
                      avg_input_tokens=1500, avg_output_tokens=300,
                      monthly_api_spend_usd=9_000)
    html = _html(doc, rulebase)
    rows = [row for svg in _svgs(html) for row in _bill_rows(svg)]
    assert len(rows) == 2 and all(">The company&#39;s bill</text>" in r for r in rows)
    assert "Your bill" not in "".join(_svgs(html))
    # The costs table of the appendix says it the same way (rules/voice.toml).
    costs = html.split("<h3>Costs</h3>")[1].split("<h3>")[0]
    assert "<td>The company&#39;s bill</td>" in costs and "Your bill" not in costs


# ---------------------------------------------------------------------- the scale


def test_today_stays_readable_beside_2023(rulebase) -> None:
    """A linear scale draws the open-model band at 0.3% of 2023: a sliver. On the log scale
    the smallest bar is still a tenth of the largest, and the chart says which scale it is."""
    result = _result(NO_BILL, rulebase)
    bars = charts.cost_bars(result, with_bill=True)
    assert max(b.value for b in bars) / min(b.value for b in bars) > 100
    chart = charts.layout(bars, formatting.money)
    assert chart is not None and chart.log
    widths = [r.width for r in chart.rows]
    assert min(widths) >= 0.1 * max(widths)
    svg = _svgs(_html(NO_BILL, rulebase))[1]
    assert "Log scale: each gridline is 10 times the one before" in svg
    ticks = [t for _, _, t in _texts(svg, "tick")]
    assert ticks[0].startswith("$") and len(ticks) >= 3  # every gridline labelled


def test_the_smallest_bar_on_a_log_scale_is_never_a_sliver() -> None:
    """The axis starts at least half a decade below the smallest figure ($1,200 against
    $17,100 starts at $100, not $1,000), and the note on the scale fits a narrow chart."""
    bars = [charts.Bar("2023", 1_200, 0, "baseline"), charts.Bar("Today", 17_100, 0, "current")]
    for width in (charts.WIDTH, charts.SUMMARY_WIDTH):
        chart = charts.layout(bars, formatting.money, width)
        assert chart is not None and chart.log and chart.ticks[0].text == "$100"
        plot = width - charts.PLOT_LEFT - charts.VALUE_ROOM
        assert chart.rows[0].width >= 0.3 * plot
        assert chart.fits("Log scale: each gridline is 10 times the one before.")


def test_close_figures_keep_a_linear_scale_from_zero() -> None:
    bars = [charts.Bar("Today", 10_200, 0, "current"), charts.Bar("Bill", 15_600, 0, "bill")]
    chart = charts.layout(bars, formatting.money)
    assert chart is not None and not chart.log and chart.ticks[0].text == "$0"
    assert chart.rows[1].width / chart.rows[0].width == pytest.approx(15_600 / 10_200, rel=0.02)


def test_a_value_of_zero_is_written_without_a_bar() -> None:
    bars = [charts.Bar("2023", 900, 0, "baseline"), charts.Bar("Bill", 0.0, 0, "bill"),
            charts.Bar("Today", 3, 0, "current")]
    chart = charts.layout(bars, formatting.money)
    assert chart is not None and chart.log
    assert [r.width > 0 for r in chart.rows] == [True, False, True]
    assert chart.rows[1].value_text == "$0"
    assert charts.layout([charts.Bar("x", 0.0, 0)], formatting.money) is None


# ---------------------------------------------------------------------- summary and print


def _summary_and_appendix(html: str) -> tuple[str, str]:
    head, appendix = html.split('<section class="appendix">', 1)
    return head, appendix


@pytest.mark.parametrize("path", [BILL, NO_BILL, PERSONAS / "onprem-high-volume-bank.json"],
                         ids=lambda p: p.stem)
def test_one_small_chart_in_the_summary(path: Path, rulebase) -> None:
    summary, appendix = _summary_and_appendix(_html(path, rulebase))
    (svg,) = _svgs(summary)
    assert "GPT-4, March 2023" in svg and f'width="{charts.SUMMARY_WIDTH}"' in svg
    assert len(_texts(svg, "lbl")) <= 3
    assert len(_svgs(appendix)) == 2


def test_no_summary_chart_without_a_cost(rulebase) -> None:
    summary, _ = _summary_and_appendix(_html(EXAMPLES / "investor-portfolio-vertical.json",
                                             rulebase))
    assert "<svg" not in summary


def _print_css(html: str) -> str:
    style = re.search(r"<style>(.*?)</style>", html, flags=re.S)[1]  # type: ignore[index]
    start = style.index("@media print")
    depth, i = 0, style.index("{", start)
    for j in range(i, len(style)):
        depth += {"{": 1, "}": -1}.get(style[j], 0)
        if depth == 0:
            return style[i + 1:j]
    raise AssertionError("unclosed @media print")


def test_print_styles_put_the_appendix_on_a_new_page(rulebase) -> None:
    html = _html(BILL, rulebase)
    css = _print_css(html)
    rules = dict((sel.strip(), body) for sel, body in re.findall(r"([^{}]+)\{([^}]*)\}", css))
    breaking = [sel for sel, body in rules.items()
                if re.search(r"page-break-before:\s*always|break-before:\s*page", body)]
    assert any("appendix" in sel for sel in breaking), breaking
    assert re.search(r'<section class="appendix">\s*<h2>Appendix</h2>', html)
    avoid = [sel for sel, body in rules.items() if "break-inside: avoid" in body]
    assert any("table" in s and "figure" in s for s in avoid)
    summary, _ = _summary_and_appendix(html)
    for heading in ("Where you stand", "What to do next", "What could change"):
        assert f"<h2>{heading}</h2>" in summary


@pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("pdftotext")),
                    reason="needs headless Chromium and poppler's pdftotext")
@pytest.mark.parametrize("path", [BILL, EXAMPLES / "developer-middleware-sdk.json"],
                         ids=lambda p: p.stem)
def test_printed_the_summary_is_page_one_and_the_appendix_starts_page_two(
        path: Path, tmp_path: Path, rulebase) -> None:
    page = tmp_path / "report.html"
    page.write_text(_html(path, rulebase), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    assert "What could change" in pages[0] and "Appendix" not in pages[0]
    assert pages[1].strip().startswith("Appendix")

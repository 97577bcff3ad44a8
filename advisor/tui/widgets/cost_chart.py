"""A horizontal bar chart of monthly cost drawn with Unicode block characters.

The bars come from ``advisor.render.charts.cost_bars``, the same numbers the Markdown and HTML
reports draw, so the terminal chart cannot disagree with the saved report.
"""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widget import Widget

from advisor.render.formatting import money

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar_text(fraction: float, width: int) -> str:
    """A bar ``fraction`` of ``width`` cells long, to an eighth of a cell."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[rest] if rest else "")
    return text or ("▏" if fraction > 0 else "")


class CostChart(Widget):
    """Draws labelled bars; call :meth:`set_bars` with ``charts.cost_bars(result)``."""

    DEFAULT_CSS = """
    CostChart {
        height: auto;
        padding: 0 0 1 0;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._bars: list[Any] = []
        self._empty = ""

    def set_bars(self, bars: list[Any], empty: str = "") -> None:
        self._bars = list(bars)
        self._empty = empty
        self.refresh(layout=True)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return max(1, len(self._bars))

    def render(self) -> Content:
        if not self._bars:
            return Content(self._empty)
        label_width = min(max(len(b.label) for b in self._bars), 22)
        values = [money(b.value) for b in self._bars]
        value_width = max(len(v) for v in values)
        bar_width = max(4, self.content_size.width - label_width - value_width - 3)
        lines: list[Content] = []
        for i, (bar, value) in enumerate(zip(self._bars, values, strict=True)):
            style = "$text-warning" if i == 0 else "$text-accent"
            lines.append(Content.assemble(
                bar.label[:label_width].ljust(label_width), " ",
                (bar_text(bar.fraction, bar_width).ljust(bar_width), style), " ",
                value.rjust(value_width)))
        return Content("\n").join(lines)

"""``advisor assess FILE`` on a terminal: the summary rendered, the full report in a file.

A person who runs the README's first command should see the one-page summary, not 2,000 words
of raw Markdown scrolling past it. So when standard output is a terminal (and no ``-o`` or
other format was asked for), the whole Markdown report is written atomically to the reports
folder in advisor's data folder, and the summary (everything before ``## Appendix``) is
rendered with rich, followed by the path of the full report. Piped or redirected output stays
the raw Markdown, byte for byte; rich is imported only here, on the terminal path.
"""

from __future__ import annotations

import os
import re

from advisor.data import paths
from advisor.data.files import write_output

#: Where the appendix starts in the Markdown report (templates/report.md.j2).
APPENDIX = "\n## Appendix"


def report_path(source: str) -> str:
    """``<data folder>/reports/<answers file's name>.md``: the same input keeps one file."""
    stem = "stdin" if source == "-" else os.path.splitext(os.path.basename(source))[0]
    stem = re.sub(r"[^\w.-]+", "-", stem, flags=re.ASCII).strip("-.") or "report"
    return os.path.join(paths.data_dir(), "reports", f"{stem[:100]}.md")


def summary_of(report: str) -> str:
    """The report up to its appendix (the whole report when it has none)."""
    head, sep, _ = report.partition(APPENDIX)
    return head.rstrip() + "\n" if sep else report


def show(report: str, source: str) -> str:
    """Write ``report`` to its file and print the rendered summary and the path; return it."""
    path = report_path(source)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    written = write_output(path, report)
    from rich.console import Console
    from rich.markdown import Markdown
    from rich.markup import escape

    console = Console(highlight=False)
    console.print(Markdown(summary_of(report)))
    console.print()
    console.print(f"Full report (appendix: drivers, costs, scenarios, answers, sources):\n"
                  f"[bold]{escape(written)}[/bold]", markup=True, soft_wrap=True)
    console.print("[dim]Piped output, or -o FILE, gives the raw Markdown; --format html for a "
                  "page to forward.[/dim]", markup=True)
    return written

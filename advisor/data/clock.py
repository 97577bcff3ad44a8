"""The day a report is dated: today, or the day ``SOURCE_DATE_EPOCH`` names.

One place for it, because the date decides more than a heading: the model-retirement finding
counts the days to a model's retirement from it (spec/costs.md, model lifecycle), and two runs
under the same ``SOURCE_DATE_EPOCH`` must give the same bytes.
"""

from __future__ import annotations

import datetime
import os


def report_day() -> datetime.date:
    """The day of the run, or the day ``SOURCE_DATE_EPOCH`` names (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit() and len(epoch) < 16:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).date()
        except (OverflowError, OSError, ValueError):
            pass
    return datetime.date.today()


def as_of() -> str:
    """:func:`report_day` as the ISO date the core takes."""
    return report_day().isoformat()

"""The report formats and the names people read for tiers and roles: one place for each."""

from __future__ import annotations

#: Formats `assess`, `batch` and the TUI's Save write, and the file extension of each.
REPORT_FORMATS = ("md", "json", "html")
EXTENSIONS = {"md": ".md", "json": ".json", "html": ".html"}

TIER_LABELS = {"high": "High risk", "medium": "Medium risk", "lower": "Lower risk"}
ROLE_LABELS = {"startup": "Startup", "enterprise_it": "Enterprise IT", "investor": "Investor",
               "developer": "Developer"}

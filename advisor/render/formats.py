"""The report formats and the names people read for tiers and roles: one place for each."""

from __future__ import annotations

#: Formats `assess`, `batch` and the TUI's Save write, and the file extension of each.
REPORT_FORMATS = ("md", "json", "html")
EXTENSIONS = {"md": ".md", "json": ".json", "html": ".html"}

#: The three ways to buy the work (costs.md: self-hosting), as a person reads them.
OPTION_NAMES = {"current_api": "your current model's API", "open_model_api": "an open-model API",
                "self_hosting": "your own GPUs"}

TIER_LABELS = {"high": "High risk", "medium": "Medium risk", "lower": "Lower risk"}
ROLE_LABELS = {"startup": "Startup", "enterprise_it": "Enterprise IT", "investor": "Investor",
               "developer": "Developer"}

#: The cost levers of costs.md, as a person reads them (the report's "Where the money is").
LEVER_NAMES = {"prompt_caching": "Prompt caching", "batch_api": "Batch API for work that can wait",
               "smaller_model": "A smaller model of the same provider",
               "open_model_api": "An open-model API"}

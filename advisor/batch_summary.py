"""The portfolio summary of a batch, built one outcome at a time.

Counters and running sums are updated as each item finishes, and only a small row per item
is kept for the table (organization, tier, score, monthly cost, report name), never its
result. Both summary files are streamed to disk, so a 100,000-item portfolio never holds
its summary text in memory either. The content depends only on the items, in input order:
the same inputs give the same bytes, whether the run was fresh or resumed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from advisor.batch_output import open_atomic
from advisor.batch_worker import DONE, DONE_UNRECORDED, Outcome
from advisor.rulebase import RuleBase

SUMMARY_SCHEMA_VERSION = 1
TIERS = ("high", "medium", "lower")
TOP = 10  # rules and recommendations shown in summary.md (summary.json has them all)


class Row(NamedTuple):
    """One line of the exposure table: small on purpose, one is kept per item."""

    seq: int
    score: int
    tier: str
    role: str
    organization: str | None
    monthly_usd: float | None
    report: str
    source: str


class Total:
    """A running sum over the items that have the figure, and how many did."""

    __slots__ = ("items", "usd")

    def __init__(self) -> None:
        self.usd = 0.0
        self.items = 0

    def add(self, value: float | None) -> None:
        if value is not None:
            self.usd += value
            self.items += 1

    def to_json(self) -> dict[str, Any]:
        return {"usd": round(self.usd, 6), "items": self.items}


class PortfolioSummary:
    """Aggregates :class:`Outcome` values; writes ``summary.md`` and ``summary.json``."""

    def __init__(self, rulebase: RuleBase, fmt: str) -> None:
        self.rulebase = rulebase
        self.fmt = fmt
        self.items = 0
        self.resumed = 0  # reports found from an earlier run (not in the files: see module doc)
        self.bugs = 0
        self.tiers: Counter[str] = Counter()
        self.fired: Counter[str] = Counter()
        self.recommended: Counter[str] = Counter()
        self.current, self.baseline, self.expected = Total(), Total(), Total()
        self.narrative_usd = Total()
        self.llm_items = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.rows: list[Row] = []
        self.invalid: list[tuple[int, str, str]] = []

    # ------------------------------------------------------------------ aggregation

    def add(self, o: Outcome) -> None:
        self.items += 1
        if o.error is not None:
            self.invalid.append((o.seq, o.source, o.error))
            self.bugs += o.bug
            return
        if o.mode in (DONE, DONE_UNRECORDED):
            self.resumed += 1
        assert o.tier is not None and o.role is not None and o.report is not None
        self.tiers[o.tier] += 1
        self.fired.update(o.fired)
        self.recommended.update(o.recommendations)
        self.current.add(o.monthly_usd)
        self.baseline.add(o.baseline_usd)
        self.expected.add(o.expected_usd)
        if o.narrative_source == "llm":
            self.llm_items += 1
            self.narrative_usd.add(o.narrative_usd)
            self.input_tokens += o.input_tokens or 0
            self.output_tokens += o.output_tokens or 0
        self.rows.append(Row(o.seq, o.score, o.tier, o.role, o.organization, o.monthly_usd,
                             o.report, o.source))

    @property
    def assessed(self) -> int:
        return len(self.rows)

    def by_exposure(self) -> list[Row]:
        """The rows, most exposed first; equal scores keep input order (sorted in place)."""
        self.rows.sort(key=lambda r: (-r.score, r.seq))
        return self.rows

    def top_rules(self, n: int | None = None) -> list[dict[str, Any]]:
        rules = {r.id: r for r in self.rulebase.rules}
        ranked = sorted(self.fired.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        return [{"id": k, "items": v, "source": rules[k].source if k in rules else None}
                for k, v in ranked]

    def top_recommendations(self, n: int | None = None) -> list[dict[str, Any]]:
        recs = self.rulebase.recommendations
        ranked = sorted(self.recommended.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        return [{"id": k, "items": v, "title": recs[k].title if k in recs else k}
                for k, v in ranked]

    # ------------------------------------------------------------------ output

    def write(self, folder: Path) -> None:
        """Write ``summary.json`` then ``summary.md``, each atomically."""
        rows = self.by_exposure()
        with open_atomic(folder / "summary.json") as fh:
            self._write_json(fh, rows)
        with open_atomic(folder / "summary.md") as fh:
            self._write_markdown(fh, rows)

    def header(self) -> dict[str, Any]:
        return {
            "schema_version": SUMMARY_SCHEMA_VERSION,
            "report_format": self.fmt,
            "rules_digest": self.rulebase.digest,
            "items": self.items,
            "assessed": self.assessed,
            "invalid": len(self.invalid),
            "tiers": {t: self.tiers.get(t, 0) for t in TIERS},
            "costs": {
                "current_monthly_usd": self.current.to_json(),
                "baseline_2023_monthly_usd": self.baseline.to_json(),
                "expected_monthly_usd": self.expected.to_json(),
            },
            "narrative": {"llm_items": self.llm_items,
                          "usd": round(self.narrative_usd.usd, 6),
                          "input_tokens": self.input_tokens,
                          "output_tokens": self.output_tokens},
            "fired_rules": self.top_rules(),
            "recommendations": self.top_recommendations(),
        }

    def _write_json(self, fh: IO[str], rows: list[Row]) -> None:
        """A JSON object whose two long lists hold one compact item per line."""
        head = json.dumps(self.header(), indent=2, ensure_ascii=False)
        fh.write(head[:-2] + ",\n")  # reopen the object: drop the closing "\n}"
        fh.write('  "table": [')
        for i, r in enumerate(rows):
            fh.write(",\n    " if i else "\n    ")
            fh.write(json.dumps({"report": r.report, "source": r.source,
                                 "organization": r.organization, "role": r.role,
                                 "tier": r.tier, "score": r.score,
                                 "monthly_usd": r.monthly_usd}, ensure_ascii=False))
        fh.write("\n  ],\n" if rows else "],\n")
        fh.write('  "invalid_items": [')
        for i, (_, source, error) in enumerate(self.invalid):
            fh.write(",\n    " if i else "\n    ")
            fh.write(json.dumps({"source": source, "error": error}, ensure_ascii=False))
        fh.write("\n  ]\n}\n" if self.invalid else "]\n}\n")

    def _write_markdown(self, fh: IO[str], rows: list[Row]) -> None:
        from advisor.report import environment

        template = environment().get_template("summary.md.j2")
        assessed = self.assessed
        context = {
            "s": self,
            "head": self.header(),
            "tiers": [(t, self.tiers.get(t, 0)) for t in TIERS],
            "share": (lambda n: n / assessed if assessed else 0.0),
            "rules": self.top_rules(TOP),
            "recommendations": self.top_recommendations(TOP),
            "rows": _numbered(rows),
            "invalid": self.invalid,
            "link": _link,
        }
        for chunk in template.generate(context):
            fh.write(chunk)


def _numbered(rows: list[Row]) -> Iterator[tuple[int, Row]]:
    return enumerate(rows, start=1)


def _link(name: str) -> str:
    """A relative Markdown link target; report names are already [A-Za-z0-9._-] only."""
    return name.replace(os.sep, "/")

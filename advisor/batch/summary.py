"""The portfolio summary of a batch, built one outcome at a time.

Counters and running sums are updated as each item finishes. The one thing that grows with
the portfolio, a small row per item for the exposure table (and the list of invalid items),
goes to a private temporary SQLite file (:class:`RowSpill`) that sorts it at the end, so the
process's memory stays flat whether there are a thousand items or a million. Both summary
files are streamed to disk. The content depends only on the items, in input order: the same
inputs give the same bytes, whether the run was fresh or resumed.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from advisor.batch.output import SPILL_CACHE_KIB
from advisor.batch.worker import DONE, DONE_UNRECORDED, Outcome
from advisor.core.jsonout import dumps
from advisor.core.rulebase import RuleBase
from advisor.data.files import open_atomic

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


class RowSpill:
    """Per-item rows in a private temporary SQLite database, sorted by SQLite at the end.

    ``sqlite3.connect("")`` makes a temporary file that SQLite deletes when the connection
    closes; it keeps at most a small page cache in memory and sorts on disk. Nothing here
    needs to survive a crash (resume rebuilds the summary), so there is no journal and no
    sync, and everything stays in one transaction.
    """

    def __init__(self) -> None:
        self.db = sqlite3.connect("", isolation_level=None)
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute(f"PRAGMA cache_size = -{SPILL_CACHE_KIB}")
        self.db.execute("CREATE TABLE rows (seq INTEGER PRIMARY KEY, score INTEGER NOT NULL, "
                        "tier TEXT, role TEXT, organization TEXT, monthly_usd REAL, "
                        "report TEXT, source TEXT)")
        self.db.execute("CREATE TABLE invalid (seq INTEGER PRIMARY KEY, source TEXT, "
                        "error TEXT)")
        self.db.execute("BEGIN")

    def add_row(self, row: Row) -> None:
        self.db.execute("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)

    def add_invalid(self, seq: int, source: str, error: str) -> None:
        self.db.execute("INSERT INTO invalid VALUES (?, ?, ?)", (seq, source, error))

    def by_exposure(self) -> Iterator[Row]:
        """Most exposed first; equal scores keep input order."""
        for r in self.db.execute("SELECT seq, score, tier, role, organization, monthly_usd, "
                                 "report, source FROM rows ORDER BY score DESC, seq"):
            yield Row(*r)

    def invalid(self, limit: int = -1) -> Iterator[tuple[int, str, str]]:
        yield from self.db.execute("SELECT seq, source, error FROM invalid ORDER BY seq "
                                   "LIMIT ?", (limit,))

    def close(self) -> None:
        self.db.close()


class PortfolioSummary:
    """Aggregates :class:`Outcome` values; writes ``summary.md`` and ``summary.json``."""

    def __init__(self, rulebase: RuleBase, fmt: str) -> None:
        self.rulebase = rulebase
        self.fmt = fmt
        self.items = 0
        self.assessed = 0
        self.invalid = 0
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
        self.spill = RowSpill()

    def close(self) -> None:
        self.spill.close()

    # ------------------------------------------------------------------ aggregation

    def add(self, o: Outcome) -> None:
        self.items += 1
        if o.error is not None:
            self.invalid += 1
            self.bugs += o.bug
            self.spill.add_invalid(o.seq, o.source, o.error)
            return
        if o.mode in (DONE, DONE_UNRECORDED):
            self.resumed += 1
        assert o.tier is not None and o.role is not None and o.report is not None
        self.assessed += 1
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
        self.spill.add_row(Row(o.seq, o.score, o.tier, o.role, o.organization, o.monthly_usd,
                               o.report, o.source))

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
        with open_atomic(folder / "summary.json") as fh:
            self._write_json(fh)
        with open_atomic(folder / "summary.md") as fh:
            self._write_markdown(fh)

    def header(self) -> dict[str, Any]:
        return {
            "schema_version": SUMMARY_SCHEMA_VERSION,
            "report_format": self.fmt,
            "rules_digest": self.rulebase.digest,
            "items": self.items,
            "assessed": self.assessed,
            "invalid": self.invalid,
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

    def _write_json(self, fh: IO[str]) -> None:
        """A JSON object whose two long lists hold one compact item per line."""
        head = dumps(self.header(), indent=2, ensure_ascii=False)
        fh.write(head[:-2] + ",\n")  # reopen the object: drop the closing "\n}"
        fh.write('  "table": [')
        for i, r in enumerate(self.spill.by_exposure()):
            fh.write(",\n    " if i else "\n    ")
            fh.write(dumps({"report": r.report, "source": r.source,
                                 "organization": r.organization, "role": r.role,
                                 "tier": r.tier, "score": r.score,
                                 "monthly_usd": r.monthly_usd}, ensure_ascii=False))
        fh.write("\n  ],\n" if self.assessed else "],\n")
        fh.write('  "invalid_items": [')
        for i, (_, source, error) in enumerate(self.spill.invalid()):
            fh.write(",\n    " if i else "\n    ")
            fh.write(dumps({"source": source, "error": error}, ensure_ascii=False))
        fh.write("\n  ]\n}\n" if self.invalid else "]\n}\n")

    def _write_markdown(self, fh: IO[str]) -> None:
        from advisor.render.formatting import long_date
        from advisor.render.report import environment, report_date

        template = environment().get_template("summary.md.j2")
        assessed = self.assessed
        context = {
            "s": self,
            "head": self.header(),
            "tiers": [(t, self.tiers.get(t, 0)) for t in TIERS],
            "share": (lambda n: n / assessed if assessed else 0.0),
            "rules": self.top_rules(TOP),
            "recommendations": self.top_recommendations(TOP),
            "rows": enumerate(self.spill.by_exposure(), start=1),
            "invalid": self.spill.invalid(),
            "link": _link,
            "rule_text": {r.id: r.explanation for r in self.rulebase.rules},
            "rule_points": {r.id: r.points for r in self.rulebase.rules},
            "report_date": long_date(report_date()),
        }
        for chunk in template.generate(context):
            fh.write(chunk)


def _link(name: str) -> str:
    """A relative Markdown link target; report names are already [A-Za-z0-9._-] only."""
    return name.replace(os.sep, "/")

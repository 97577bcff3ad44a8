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
TOP = 10  # recommendations shown in summary.md (summary.json has them all)
TOP_GAPS = 50  # bill gaps listed in summary.md and .html (summary.json flags every item)


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
    confidence: float | None = None
    top_action: str | None = None
    in_house: bool = False
    bill_usd: float | None = None
    bill_ratio: float | None = None
    bill_differs: bool | None = None

    @property
    def basis(self) -> str:
        """What the item's monthly figure is: its bill, the in-house cost of its GPUs, the
        API cost computed from its volume, or nothing (not priced)."""
        if self.in_house and self.monthly_usd is not None:
            return "in_house"
        if self.bill_usd is not None:
            return "bill"
        return "computed" if self.monthly_usd is not None else "not_priced"

    @property
    def monthly(self) -> float | None:
        """The item's monthly figure on its own basis (the bill when one was given)."""
        return self.bill_usd if self.basis == "bill" else self.monthly_usd

    @property
    def gap(self) -> dict[str, Any] | None:
        """The bill against the computed cost when they are more than 20% apart: which way,
        and by how much (``ratio`` = bill ÷ computed; None when one of them is zero)."""
        if not self.bill_differs or self.bill_usd is None or self.monthly_usd is None:
            return None
        return {"direction": "higher" if self.bill_usd > self.monthly_usd else "lower",
                "ratio": self.bill_ratio, "bill_usd": self.bill_usd,
                "computed_usd": self.monthly_usd}


_ROW_COLUMNS = ", ".join(Row._fields)


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
                        "report TEXT, source TEXT, confidence REAL, top_action TEXT, "
                        "in_house INTEGER, bill_usd REAL, bill_ratio REAL, "
                        "bill_differs INTEGER)")
        self.db.execute("CREATE TABLE invalid (seq INTEGER PRIMARY KEY, source TEXT, "
                        "error TEXT)")
        self.db.execute("BEGIN")

    def add_row(self, row: Row) -> None:
        self.db.execute(f"INSERT INTO rows VALUES ({', '.join('?' * len(row))})", row)

    def add_invalid(self, seq: int, source: str, error: str) -> None:
        self.db.execute("INSERT INTO invalid VALUES (?, ?, ?)", (seq, source, error))

    def by_exposure(self) -> Iterator[Row]:
        """Most exposed first; equal scores keep input order."""
        for r in self.db.execute(f"SELECT {_ROW_COLUMNS} FROM rows ORDER BY score DESC, seq"):
            yield _row(r)

    def bill_gaps(self, limit: int = -1) -> Iterator[Row]:
        """Items whose bill and computed cost are more than 20% apart, the widest gap first
        (a bill or a computed cost of zero is the widest of all)."""
        for r in self.db.execute(
                f"SELECT {_ROW_COLUMNS} FROM rows WHERE bill_differs "
                "ORDER BY bill_ratio IS NOT NULL, MAX(bill_ratio, 1.0 / bill_ratio) DESC, seq "
                "LIMIT ?", (limit,)):
            yield _row(r)

    def invalid(self, limit: int = -1) -> Iterator[tuple[int, str, str]]:
        yield from self.db.execute("SELECT seq, source, error FROM invalid ORDER BY seq "
                                   "LIMIT ?", (limit,))

    def close(self) -> None:
        self.db.close()


def _row(values: tuple[Any, ...]) -> Row:
    row = Row(*values)
    return row._replace(in_house=bool(row.in_house),
                        bill_differs=None if row.bill_differs is None else bool(row.bill_differs))


class PortfolioSummary:
    """Aggregates :class:`Outcome` values; writes ``summary.json``, ``summary.md`` and
    ``summary.html``."""

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
        # Monthly cost by basis (issue 22): a bill is what was paid, a computed cost is a
        # model of an API bill, an in-house cost is owned GPUs. They are never added up.
        self.bills, self.computed_api, self.in_house = Total(), Total(), Total()
        self.not_priced = 0
        self.gaps: Counter[str] = Counter()  # bill gaps by direction: higher, lower
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
        row = Row(o.seq, o.score, o.tier, o.role, o.organization, o.monthly_usd, o.report,
                  o.source, o.confidence, o.top_action, o.in_house, o.bill_usd, o.bill_ratio,
                  o.bill_differs)
        self.bills.add(o.bill_usd)  # paid, whatever else the item runs on
        basis = row.basis
        if basis == "in_house":
            self.in_house.add(o.monthly_usd)
        elif basis == "computed":
            self.computed_api.add(o.monthly_usd)
        elif basis == "not_priced":
            self.not_priced += 1
        gap = row.gap
        if gap is not None:
            self.gaps[gap["direction"]] += 1
        self.spill.add_row(row)

    def findings(self) -> list[dict[str, Any]]:
        """Every rule that fired, by weight: risk drivers (most points first), then defences
        (most protective first), then findings without points; equal weights by how many
        items they fired in. A finding of 0 points never leads the table."""
        rules = {r.id: r for r in self.rulebase.rules}

        def weight(kv: tuple[str, int]) -> tuple[int, float, int, str]:
            points = rules[kv[0]].points if kv[0] in rules else 0
            return (0 if points > 0 else 1 if points < 0 else 2, -abs(points), -kv[1], kv[0])

        return [{"id": k, "items": v, "points": rules[k].points if k in rules else None,
                 "source": rules[k].source if k in rules else None}
                for k, v in sorted(self.fired.items(), key=weight)]

    def top_recommendations(self, n: int | None = None) -> list[dict[str, Any]]:
        recs = self.rulebase.recommendations
        ranked = sorted(self.recommended.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        return [{"id": k, "items": v, "title": recs[k].title if k in recs else k}
                for k, v in ranked]

    # ------------------------------------------------------------------ output

    def write(self, folder: Path) -> None:
        """Write ``summary.json``, ``summary.md`` and ``summary.html``, each atomically."""
        with open_atomic(folder / "summary.json") as fh:
            self._write_json(fh)
        for name in ("summary.md", "summary.html"):
            with open_atomic(folder / name) as fh:
                self._write_template(fh, name + ".j2")

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
                # Monthly cost by basis, never added together (issue 22).
                "by_basis": {
                    "bills_paid_usd": self.bills.to_json(),
                    "computed_api_usd": self.computed_api.to_json(),
                    "in_house_usd": self.in_house.to_json(),
                    "not_priced": {"items": self.not_priced},
                },
                # Sums of each item's computed figures (computed API cost or in-house cost,
                # never a bill), kept for scripts that add shards up.
                "current_monthly_usd": self.current.to_json(),
                "baseline_2023_monthly_usd": self.baseline.to_json(),
                "expected_monthly_usd": self.expected.to_json(),
            },
            "bill_gaps": {"items": sum(self.gaps.values()),
                          "higher": self.gaps.get("higher", 0),
                          "lower": self.gaps.get("lower", 0)},
            "narrative": {"llm_items": self.llm_items,
                          "usd": round(self.narrative_usd.usd, 6),
                          "input_tokens": self.input_tokens,
                          "output_tokens": self.output_tokens},
            "fired_rules": self.findings(),
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
                            "tier": r.tier, "score": r.score, "confidence": r.confidence,
                            "top_action": r.top_action, "basis": r.basis,
                            "monthly_usd": r.monthly_usd, "bill_usd": r.bill_usd,
                            "bill_gap": r.gap}, ensure_ascii=False))
        fh.write("\n  ],\n" if self.assessed else "],\n")
        fh.write('  "invalid_items": [')
        for i, (_, source, error) in enumerate(self.spill.invalid()):
            fh.write(",\n    " if i else "\n    ")
            fh.write(dumps({"source": source, "error": error}, ensure_ascii=False))
        fh.write("\n  ]\n}\n" if self.invalid else "]\n}\n")

    def _context(self) -> dict[str, Any]:
        """What both summary templates read (the long lists as fresh iterators each time)."""
        from advisor.render.formatting import long_date
        from advisor.render.report import report_date

        assessed = self.assessed
        return {
            "s": self,
            "head": self.header(),
            "tiers": [(t, self.tiers.get(t, 0)) for t in TIERS],
            "share": (lambda n: n / assessed if assessed else 0.0),
            "rules": self.findings(),
            "recommendations": self.top_recommendations(TOP),
            "rows": enumerate(self.spill.by_exposure(), start=1),
            "gaps": self.spill.bill_gaps(TOP_GAPS),
            "gap_count": sum(self.gaps.values()),
            "gap_limit": TOP_GAPS,
            "invalid": self.spill.invalid(),
            "link": _link,
            "rule_text": {r.id: r.explanation for r in self.rulebase.rules},
            "rule_points": {r.id: r.points for r in self.rulebase.rules},
            "report_date": long_date(report_date()),
        }

    def _write_template(self, fh: IO[str], name: str) -> None:
        from advisor.render.report import environment

        for chunk in environment().get_template(name).generate(self._context()):
            fh.write(chunk)


def _link(name: str) -> str:
    """A relative Markdown link target; report names are already [A-Za-z0-9._-] only."""
    return name.replace(os.sep, "/")

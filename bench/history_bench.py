"""History store at scale: bytes kept per assessment, and `advisor history list` at a million rows.

Usage:  .venv/bin/python bench/history_bench.py [ROWS] [--json OUT]

Builds a store of ROWS assessments (default 1,000,000) in a temporary folder: the examples are
assessed and rendered once, each kept through the store's own codec (so the payloads are real
compressed reports), then replicated with varied organizations, roles and tiers straight into
SQLite (inserting a million rows through the whole assess path would take an hour and measure
the assessment, not the store). Then times `advisor history list` in a subprocess (a cold
process, as a person runs it): the newest 50, filtered by role, by tier, and by an
organization substring (the one filter that scans). Budgets: under 5,000 bytes per
assessment (issue 14: it was about 21 KB), and each listing under 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rows import emit  # noqa: E402

BYTES_BUDGET = 5_000
LIST_BUDGET_S = 1.0


def _examples() -> list[tuple[tuple, int]]:
    """(row, plain bytes of its three texts) for each example, built as `assess` builds it."""
    from advisor.core.assess import assess
    from advisor.data.answers_file import read_answers_file
    from advisor.data.price_map import default_price_book
    from advisor.data.rules import load_rulebase
    from advisor.history.store import assessment_row
    from advisor.render.report import render

    rulebase, prices = load_rulebase(), default_price_book()
    out = []
    for path in sorted((ROOT / "examples").glob("*.json")):
        answers = read_answers_file(str(path))
        result = assess(answers, rulebase, prices)
        report = render(result, rulebase, "md")
        row = assessment_row(answers.as_data(), result, report, "md", origin="batch",
                             source=str(path), report_path=f"/reports/{path.stem}.md",
                             input_sha256="0" * 64)
        plain = sum(len(row[i].encode("utf-8")) for i in (9, 10, 11))
        out.append((row, plain))
    return out


def build(path: str, rows: int) -> dict[str, float]:
    from advisor.history.store import _INSERT, _META_AT, _PAYLOAD_AT, Store

    examples = _examples()
    store = Store.open(path)
    with store.transaction() as db:  # the store's own codec: its dictionary, real blobs
        blobs = [store.codec.pack(tuple(row[i] for i in _PAYLOAD_AT)) for row, _ in examples]
    metas = [tuple(row[i] for i in _META_AT) for row, _ in examples]
    org_at = list(_META_AT).index(3)  # organization
    started = time.perf_counter()
    batch = 20_000
    done = 0
    while done < rows:
        n = min(batch, rows - done)
        with store.transaction() as db:
            first = db.execute("SELECT COALESCE(MAX(id), 0) FROM assessments").fetchone()[0] + 1
            meta_rows = []
            for k in range(n):
                meta = list(metas[(done + k) % len(metas)])
                meta[org_at] = f"Company {done + k:07d}"
                meta_rows.append(meta)
            db.executemany(_INSERT, meta_rows)
            db.executemany("INSERT INTO assessment_blobs (id, payload) VALUES (?, ?)",
                           ((first + k, blobs[(done + k) % len(blobs)]) for k in range(n)))
        done += n
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    plain = statistics.mean(p for _, p in examples)
    return {"build_s": time.perf_counter() - started, "plain_bytes": plain,
            "file_bytes": os.path.getsize(path)}


def time_list(home: str, args: list[str], repeat: int = 5) -> float:
    env = {**os.environ, "ADVISOR_HOME": home}
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "advisor", "history", "list", *args], env=env,
                       stdout=subprocess.DEVNULL, check=True, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--json", metavar="OUT")
    parser.add_argument("--pairs", type=int, help="ignored (bench/run.py passes it)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="advisor-history-bench-") as home:
        path = os.path.join(home, "advisor.sqlite3")
        built = build(path, args.rows)
        per_row = built["file_bytes"] / args.rows
        listings = {
            "newest 50": time_list(home, []),
            "--role investor": time_list(home, ["--role", "investor"]),
            "--tier high": time_list(home, ["--tier", "high"]),
            "--organization 'Company 0000042'": time_list(home, ["--organization",
                                                                  "Company 0000042"]),
        }
    rows = [{"id": "B11a", "what": f"history store bytes per assessment ({args.rows:,} rows, "
                                   "Markdown reports)",
             "figure": f"{per_row:,.0f} B (plain texts {built['plain_bytes']:,.0f} B)",
             "budget": f"< {BYTES_BUDGET:,} B", "passed": per_row < BYTES_BUDGET}]
    for i, (what, seconds) in enumerate(listings.items()):
        rows.append({"id": f"B11{'bcde'[i]}", "what": f"`advisor history list {what}` at "
                                                     f"{args.rows:,} rows (cold process)",
                     "figure": f"{seconds * 1000:,.0f} ms", "budget": f"< {LIST_BUDGET_S:g} s",
                     "passed": seconds < LIST_BUDGET_S})
    for row in rows:
        print(f"{row['id']:5} {row['what']:<75} {row['figure']:>28}  {row['budget']:>10}  "
              f"{'ok' if row['passed'] else 'OVER'}", file=sys.stderr)
    print(f"(built in {built['build_s']:.1f} s)", file=sys.stderr)
    emit(rows, args.json)
    return 0 if all(r["passed"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

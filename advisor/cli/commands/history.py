"""``advisor history``: list, show, diff, failures, export and prune the local history store.

The store keeps each assessment as it was produced (answers, result, the report's exact
text); this module only reads it back and formats it. A store that cannot be opened or read
is reported in one line (exit 2), like any other unreadable input.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import IO, Any

from advisor.cli.options import add_home, non_negative_int, positive_int
from advisor.core.errors import InputError
from advisor.core.jsonout import dumps
from advisor.render.formats import TIER_LABELS
from advisor.render.formatting import number, percent, terminal_escape, usd

ANSWERS_KEY_ORDER = ("schema_version", "role", "organization", "answers", "assumptions")


def add_arguments(p: argparse.ArgumentParser) -> None:
    from advisor.cli.roles import role_ids
    add_home(p)
    hsub = p.add_subparsers(dest="history_command", metavar="ACTION", required=True,
                            parser_class=type(p))
    h = hsub.add_parser("list", help="past assessments, newest first")
    add_home(h, nested=True)
    h.add_argument("--role", choices=role_ids())
    h.add_argument("--organization", metavar="TEXT", help="organization contains TEXT")
    h.add_argument("--tier", choices=tuple(TIER_LABELS))
    h.add_argument("--limit", type=non_negative_int, default=50)
    h.add_argument("--format", choices=("text", "json"), default="text")
    h = hsub.add_parser("show", help="the stored report again")
    add_home(h, nested=True)
    h.add_argument("id", type=positive_int)
    h.add_argument("--format", choices=("md", "json", "answers"), default="md")
    h = hsub.add_parser("diff", help="what changed between two assessments")
    add_home(h, nested=True)
    h.add_argument("a", type=positive_int)
    h.add_argument("b", type=positive_int)
    h = hsub.add_parser("failures", help="LLM failure patterns, grouped by kind")
    add_home(h, nested=True)
    h.add_argument("--format", choices=("text", "json"), default="text")
    h = hsub.add_parser("export", help="every assessment as JSON lines")
    add_home(h, nested=True)
    h.add_argument("-o", "--output", metavar="FILE")
    h = hsub.add_parser("prune", help="delete old assessments")
    add_home(h, nested=True)
    h.add_argument("--keep", type=non_negative_int, metavar="N",
                   help="keep the newest N assessments")
    h.add_argument("--older-than", type=non_negative_int, metavar="DAYS",
                   help="delete assessments older than DAYS days")


def run(args: argparse.Namespace) -> int:
    from advisor.history.store import Store, StoreError

    handler = _HANDLERS[args.history_command]
    try:
        # Reading needs no write access: a read-only store is still listed and shown.
        with Store.open(read_only=args.history_command != "prune") as store:
            return handler(store, args)
    except StoreError as exc:
        raise InputError(str(exc)) from None


def _out(text: str) -> None:
    """Standard output; a closed stdout or a full device is an input error (exit 2)."""
    from advisor.cli.output import write_stdout

    write_stdout(text)


# ---------------------------------------------------------------------- list


def _local_time(iso: str) -> str:
    """A stored UTC timestamp in the reader's local time, to the minute."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso[:16]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def list_(store: Any, args: argparse.Namespace) -> int:
    rows = store.list_assessments(role=args.role, organization=args.organization,
                                  tier=args.tier, limit=args.limit or None)
    if args.format == "json":
        _out(dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return 0
    if not rows:
        filtered = any((args.role, args.organization, args.tier))
        _out(f"No assessments{' match' if filtered else ' kept yet'} in {store.path}.\n")
        return 0
    table: list[tuple[str, ...]] = [("ID", "When", "From", "Role", "Organization", "Tier",
                                     "Score", "Monthly cost")]
    for r in rows:
        table.append((str(r["id"]), _local_time(r["created_at"]), r["origin"], r["role"],
                      _clip(terminal_escape(r["organization"] or "–"), 32),
                      TIER_LABELS.get(r["tier"], r["tier"]), str(r["score"]),
                      usd(r["monthly_usd"], none="–")))
    _out(_format_table(table, right=(0, 6, 7)))
    if args.limit and len(rows) == args.limit:  # there may be more
        filtered = any((args.role, args.organization, args.tier))
        total = "" if filtered else f" of {store.count_assessments():,} kept"
        _out(f"(newest {len(rows):,} shown{total}; --limit 0 shows all)\n")
    return 0


def _format_table(rows: list[tuple[str, ...]], right: tuple[int, ...]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.rjust(w) if i in right else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- show


def _get(store: Any, assessment_id: int) -> dict[str, Any]:
    row = store.get_assessment(assessment_id)
    if row is None:
        raise InputError(f"no assessment with id {assessment_id} in the history store "
                         f"{store.path}", expected="an id that `advisor history list` shows")
    return row


def stored_json(text: Any) -> Any:
    """A JSON document from the store; a damaged or tampered one (not JSON, nested past the
    parser's recursion limit) is an input error naming the store, not a traceback."""
    try:
        return json.loads(text)
    except (ValueError, TypeError, RecursionError):
        from advisor.history.store import default_path

        raise InputError("a stored assessment is damaged (its JSON cannot be read)",
                         file=default_path()) from None


def stored_answers(row: dict[str, Any]) -> dict[str, Any]:
    """The stored answers file, keys in the order an answers file is usually written."""
    data = stored_json(row["answers_json"])
    ordered = {k: data[k] for k in ANSWERS_KEY_ORDER if k in data}
    ordered.update((k, v) for k, v in data.items() if k not in ordered)
    return ordered


def show(store: Any, args: argparse.Namespace) -> int:
    row = _get(store, args.id)
    if args.format == "json":
        text = dumps(stored_json(row["result_json"]), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "answers":
        text = dumps(stored_answers(row), indent=2, ensure_ascii=False) + "\n"
    else:
        # The report exactly as it was written, in whichever format that was.
        text = row["report"]
    from advisor.cli.output import safe_text

    sys.stdout.flush()
    sys.stdout.buffer.write(safe_text(text).encode("utf-8"))  # as written, minus secrets
    sys.stdout.buffer.flush()
    return 0


# ---------------------------------------------------------------------- diff


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and math.isfinite(value):
        return number(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           sort_keys=True)
    return terminal_escape(text)


def _money_delta(before: float | None, after: float | None) -> str:
    line = f"{usd(before)} -> {usd(after)}"
    if before is not None and after is not None:
        delta = after - before
        sign = "+" if delta >= 0 else "-"
        line += f" ({sign}{usd(abs(delta))}"
        if before:
            line += f", {delta / before * 100:+.0f}%"
        line += ")"
    return line


def _costs(result: dict[str, Any]) -> dict[str, float | None]:
    costs = result.get("costs") or {}
    return {
        "GPT-4 at launch (2023)": (costs.get("baseline_2023") or {}).get("monthly_usd"),
        "Today": (costs.get("current") or {}).get("monthly_usd"),
        "Expected, 12-24 months": (costs.get("scenarios") or {}).get("expected_monthly_usd"),
    }


def _narrative_usd(result: dict[str, Any]) -> float | None:
    return (result.get("narrative") or {}).get("usd")


def diff_text(a: dict[str, Any], b: dict[str, Any]) -> str:
    """What moved between two stored assessments: answers, rules, tier, score, costs."""
    ra, rb = stored_json(a["result_json"]), stored_json(b["result_json"])
    aa, ab = stored_answers(a), stored_answers(b)
    lines = [f"Assessment {a['id']} -> {b['id']}"]
    for row in (a, b):
        lines.append(f"  {row['id']}: {_local_time(row['created_at'])}, "
                     f"{terminal_escape(row['organization'] or '–')}, {row['role']}, "
                     f"{TIER_LABELS.get(row['tier'], row['tier'])}, score {row['score']}")
    lines.append("")
    tier = (f"{TIER_LABELS.get(a['tier'], a['tier'])} -> {TIER_LABELS.get(b['tier'], b['tier'])}"
            if a["tier"] != b["tier"] else f"{TIER_LABELS.get(a['tier'], a['tier'])} (same)")
    lines.append(f"Tier: {tier}")
    delta = b["score"] - a["score"]
    lines.append(f"Score: {a['score']} -> {b['score']} ({delta:+d})")
    lines.append(f"Confidence: {percent(a['confidence'])} -> {percent(b['confidence'])}")
    if a["rules_digest"] != b["rules_digest"]:
        lines.append(f"Rules: {a['rules_digest']} -> {b['rules_digest']} (the rule packs "
                     "changed, so some movement may come from the rules, not the answers)")

    lines += ["", "Answers changed:"]
    changed = _answer_changes(aa, ab)
    lines += [f"  {c}" for c in changed] or ["  (none)"]

    fa = {r["id"]: r for r in ra.get("fired_rules", [])}
    fb = {r["id"]: r for r in rb.get("fired_rules", [])}
    started = [k for k in fb if k not in fa]
    stopped = [k for k in fa if k not in fb]
    lines += ["", "Rules that started firing:"]
    lines += [f"  + {k} ({_points(fb[k]['points'])})" for k in started] or ["  (none)"]
    lines += ["Rules that stopped firing:"]
    lines += [f"  - {k} ({_points(fa[k]['points'])})" for k in stopped] or ["  (none)"]

    reca = [r["id"] for r in ra.get("recommendations", [])]
    recb = [r["id"] for r in rb.get("recommendations", [])]
    added = [k for k in recb if k not in reca]
    dropped = [k for k in reca if k not in recb]
    if added or dropped:
        lines += ["Recommendations:"]
        lines += [f"  + {k}" for k in added] + [f"  - {k}" for k in dropped]

    lines += ["", "Monthly cost:"]
    ca, cb = _costs(ra), _costs(rb)
    for label in ca:
        if ca[label] is None and cb[label] is None:
            continue
        lines.append(f"  {label}: {_money_delta(ca[label], cb[label])}")
    if all(v is None for v in (*ca.values(), *cb.values())):
        lines.append("  (neither is priced)")
    na, nb = _narrative_usd(ra), _narrative_usd(rb)
    if na or nb:
        lines += ["", f"Narrative cost (LLM, one-off): {_money_delta(na, nb)}"]
    return "\n".join(lines) + "\n"


def _points(points: float) -> str:
    return f"{points:+g} points" if points else "0 points"


def _answer_changes(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    out = []
    for key in ("role", "organization"):
        if a.get(key) != b.get(key):
            out.append(f"{key}: {_value(a.get(key))} -> {_value(b.get(key))}")
    qa, qb = a.get("answers") or {}, b.get("answers") or {}
    for qid in [*qa, *(k for k in qb if k not in qa)]:
        if qid not in qb:
            out.append(f"- {qid}: {_value(qa[qid])} (no longer answered)")
        elif qid not in qa:
            out.append(f"+ {qid}: {_value(qb[qid])} (newly answered)")
        elif qa[qid] != qb[qid]:
            out.append(f"{qid}: {_value(qa[qid])} -> {_value(qb[qid])}")
    if (a.get("assumptions") or {}) != (b.get("assumptions") or {}):
        out.append(f"assumptions: {_value(a.get('assumptions'))} -> "
                   f"{_value(b.get('assumptions'))}")
    return out


def diff(store: Any, args: argparse.Namespace) -> int:
    _out(diff_text(_get(store, args.a), _get(store, args.b)))
    return 0


# ---------------------------------------------------------------------- failures


def failures(store: Any, args: argparse.Namespace) -> int:
    from advisor.history.failures import failures_json, failures_text

    if args.format == "json":
        data = failures_json(store)
        _out(data if isinstance(data, str)
             else dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        text = failures_text(store)
        _out(text if text.endswith("\n") else text + "\n")
    return 0


# ---------------------------------------------------------------------- export


def export_record(row: dict[str, Any]) -> dict[str, Any]:
    """One stored assessment as a JSON-lines record: answers and result as objects."""
    record = {k: v for k, v in row.items()
              if k not in ("answers_json", "result_json", "report")}
    record["answers"] = stored_answers(row)
    record["result"] = stored_json(row["result_json"])
    record["report"] = row["report"]
    return record


def _write_lines(rows: Iterator[dict[str, Any]], fh: Any) -> int:
    n = 0
    for row in rows:
        fh.write(dumps(export_record(row), ensure_ascii=False) + "\n")
        n += 1
    return n


def export(store: Any, args: argparse.Namespace) -> int:
    if not args.output:
        _write_lines(store.iter_assessments(), _Stdout())
        return 0
    with _atomic_output(args.output) as fh:
        n = _write_lines(store.iter_assessments(), fh)
    print(f"{n:,} assessment{'s' if n != 1 else ''} exported to "
          f"{terminal_escape(args.output)}", file=sys.stderr)
    return 0


class _Stdout:
    """What ``_write_lines`` writes to when there is no ``-o``: stdout, checked (exit 2 on a
    closed stdout or a full device, as every command's output is)."""

    def write(self, text: str) -> int:
        _out(text)
        return len(text)


@contextmanager
def _atomic_output(output: str) -> Iterator[IO[str]]:
    """``-o``: atomically for a file, through for a device or FIFO (never replaced), as
    ``assess -o`` writes (advisor.data.files.check_target)."""
    from advisor.cli.output import output_errors
    from advisor.data.files import open_output

    with output_errors(output, "the export"), open_output(output) as fh:
        yield fh


# ---------------------------------------------------------------------- prune


def prune(store: Any, args: argparse.Namespace) -> int:
    if args.keep is None and args.older_than is None:
        raise InputError("history prune needs --keep N, --older-than DAYS, or both")
    deleted = store.prune(keep=args.keep, older_than_days=args.older_than)
    if deleted:
        store.compact()
    left = store.count_assessments()
    _out(f"Deleted {deleted:,} assessment{'s' if deleted != 1 else ''}; {left:,} kept.\n")
    return 0


_HANDLERS: dict[str, Callable[[Any, argparse.Namespace], int]] = {
    "list": list_, "show": show, "diff": diff, "failures": failures, "export": export,
    "prune": prune,
}

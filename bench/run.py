"""advisor's performance harness: every budget of issue 7 measured side by side.

Usage:  python bench/run.py [--pairs N] [--only B1,B3] [--json OUT]

Machines here are shared and absolute times drift, so every process-level figure is a ratio
against a baseline measured in the same loop, interleaved A B A B ... (at least 7 pairs), and
the median ratio is reported. In-process figures are medians over many repetitions. This is
not a test: nothing in pytest depends on timing. Prints one table: benchmark, figure, budget,
pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "examples" / "startup-chat-wrapper.json"
LARGEST_EXAMPLE = max((ROOT / "examples").glob("*.json"), key=lambda p: p.stat().st_size)
PYTHON = sys.executable


@dataclass
class Row:
    id: str
    what: str
    figure: str
    budget: str
    passed: bool | None
    detail: str = ""


def _run(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                   check=False)
    return time.perf_counter() - start


def interleaved_ratio(a: list[str], b: list[str], pairs: int,
                      env: dict[str, str]) -> tuple[float, float, float]:
    """Median of A/B over interleaved runs, plus the median times of each (seconds)."""
    _run(a, env), _run(b, env)  # warm the OS file cache and advisor's own caches
    ratios, ta, tb = [], [], []
    for _ in range(pairs):
        x, y = _run(a, env), _run(b, env)
        ratios.append(x / y)
        ta.append(x)
        tb.append(y)
    return statistics.median(ratios), statistics.median(ta), statistics.median(tb)


def _env(home: str) -> dict[str, str]:
    return {**os.environ, "ADVISOR_HOME": home}


def _user_env(home: str) -> dict[str, str]:
    """A user's environment: no ADVISOR_HOME, so the platform folders (platformdirs) apply,
    pointed by the XDG variables into the bench's temporary folder."""
    env = {k: v for k, v in os.environ.items() if k != "ADVISOR_HOME"}
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"),
                     ("XDG_CACHE_HOME", "cache")):
        env[var] = os.path.join(home, "xdg", sub)
    return env


def b1(pairs: int, home: str) -> Row:
    ratio, ta, tb = interleaved_ratio(
        [*_advisor(), "assess", str(EXAMPLE)],
        [PYTHON, "-c", "import pydantic, jinja2"], pairs, _user_env(home))
    return Row("B1", "cold `advisor assess FILE` (Markdown, history on) vs "
               "`python -c 'import pydantic, jinja2'`", f"ratio {ratio:.2f}", "≤ 1.3",
               ratio <= 1.3, f"{ta * 1000:.0f} ms vs {tb * 1000:.0f} ms")


def _advisor() -> list[str]:
    """The console script users run, when installed beside this Python; else ``-m advisor``."""
    script = Path(PYTHON).parent / "advisor"
    return [str(script)] if script.exists() else [PYTHON, "-m", "advisor"]


def b2(pairs: int, home: str) -> Row:
    ratio, ta, tb = interleaved_ratio([*_advisor(), "--help"],
                                      [PYTHON, "-c", "pass"], pairs, _env(home))
    return Row("B2", "cold `advisor --help` vs `python -c pass`", f"ratio {ratio:.2f}",
               "≤ 2.5", ratio <= 2.5, f"{ta * 1000:.0f} ms vs {tb * 1000:.0f} ms")


def _median_us(fn: Callable[[], object], repeat: int) -> float:
    for _ in range(min(50, repeat)):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def _prepared():
    from advisor.core.assess import assess
    from advisor.data.answers_file import load_answers_bytes
    from advisor.data.price_map import default_price_book
    from advisor.data.rules import load_rulebase

    rulebase, prices = load_rulebase(), default_price_book()
    data = EXAMPLE.read_bytes()
    answers = load_answers_bytes(data, file=str(EXAMPLE))
    result = assess(answers, rulebase, prices)
    return rulebase, prices, data, answers, result


def b3(pairs: int, home: str) -> Row:
    from advisor.core.engine import evaluate_rules

    rulebase, _, _, answers, result = _prepared()
    values = {**answers.answers, **result.derived}
    us = _median_us(lambda: evaluate_rules(rulebase, values), 5000)
    return Row("B3", f"in-process: all {len(rulebase.rules)} rules for one answers set",
               f"{us:.1f} µs", "≤ 100 µs", us <= 100)


def b4(pairs: int, home: str) -> Row:
    from advisor.core.assess import assess
    from advisor.data.answers_file import load_answers_bytes
    from advisor.render.report import render

    rulebase, prices, data, _, _ = _prepared()

    def once() -> str:
        return render(assess(load_answers_bytes(data), rulebase, prices), rulebase, "md")

    us = _median_us(once, 1000)
    return Row("B4", "in-process: answers bytes → result → Markdown", f"{us / 1000:.2f} ms",
               "≤ 2 ms", us <= 2000)


def _script_rows(script: str, pairs: int, home: str) -> list[Row]:
    """Benchmarks kept in their own scripts print JSON rows with ``--json -``."""
    path = ROOT / "bench" / script
    if not path.exists():
        return []
    proc = subprocess.run([PYTHON, str(path), "--json", "-", "--pairs", str(pairs)],
                          capture_output=True, text=True, env=_env(home), check=False)
    try:
        rows = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return [Row(script, f"{script} failed", "error", "", False,
                    (proc.stderr or proc.stdout)[-300:])]
    rename = {"B6a": "B6", "B6b": "B7"}  # the TUI script's two rows are issue 7's B6 and B7
    return [Row(**{k: r.get(k, "") for k in ("id", "what", "figure", "budget", "passed",
                                              "detail")} | {"id": rename.get(r["id"], r["id"])})
            for r in rows]


def _ensure_bytecode() -> None:
    """Compile advisor's modules, as ``pip install`` does for an installed package.

    An editable checkout relies on Python writing ``__pycache__`` on first import, which
    ``PYTHONDONTWRITEBYTECODE=1`` (set on these machines) prevents: every cold start would then
    compile advisor from source, and the start-up figures would measure the compiler.
    """
    import compileall

    import advisor

    compileall.compile_dir(os.path.dirname(advisor.__file__), quiet=1)


def _import_cost(pairs: int, home: str, module: str) -> tuple[float, float]:
    """Median extra wall time of importing ``module`` in a fresh process (ms), and its ratio."""
    ratio, ta, tb = interleaved_ratio([PYTHON, "-c", f"import {module}"],
                                      [PYTHON, "-c", "pass"], pairs, _env(home))
    return (ta - tb) * 1000, ratio


def l1(pairs: int, home: str) -> list[Row]:
    """What the libraries that replaced hand-written code cost on the cold path (issue 11)."""
    rows = []
    for lid, module, what, where in (
            ("L1", "argparse", "reads every command line", "in B1"),
            ("L2", "platformdirs", "asked off plain Linux; the XDG rule answers there",
             "not in B1")):
        extra, _ = _import_cost(pairs, home, module)
        rows.append(Row(lid, f"import {module} ({what})", f"{extra:+.1f} ms", where, None,
                        "absolute, against `python -c pass`"))
    ratio, ta, tb = interleaved_ratio(
        [*_advisor(), "assess", str(EXAMPLE), "--format", "html", "--no-history"],
        [*_advisor(), "assess", str(EXAMPLE), "--format", "md", "--no-history"],
        pairs, _env(home))
    rows.append(Row("L3", "`--format html` vs `md` (markdown-it-py renders the narrative)",
                    f"{(ta - tb) * 1000:+.0f} ms", "html only", None,
                    f"ratio {ratio:.2f}; {ta * 1000:.0f} vs {tb * 1000:.0f} ms"))
    return rows


def a1(pairs: int, home: str) -> Row:
    """Ask (issues 13, 20): the share of each question corpus answered, offline, and what a
    question costs (parse, recompute and answer)."""
    from advisor.data.price_map import default_price_book
    from advisor.data.rules import load_rulebase
    from tests.ask.test_corpus import THRESHOLD, corpora, run_corpus, share_by_intent

    rulebase, prices = load_rulebase(), default_price_book()
    start = time.perf_counter()
    per_corpus = [(path.stem, run_corpus(rulebase, prices, path)) for path in corpora()]
    seconds = time.perf_counter() - start
    rows = [r for _, rs in per_corpus for r in rs]
    ok = sum(r["ok"] for r in rows)
    share = ok / len(rows)
    shares = {name: sum(r["ok"] for r in rs) / len(rs) for name, rs in per_corpus if rs}
    weak = ", ".join(f"{k} {v:.0%}" for k, v in sorted(share_by_intent(rows).items())
                     if v < 0.9)
    each = "; ".join(f"{k} {v:.1%}" for k, v in shares.items()) if len(shares) > 1 else ""
    return Row("A1", "Ask: corpus questions answered (intent, figures, constraints)",
               f"{share:.1%} ({ok}/{len(rows)})", f"≥ {THRESHOLD:.0%} each",
               all(v >= THRESHOLD for v in shares.values()) and seconds / len(rows) < 0.005,
               f"{seconds / len(rows) * 1000:.1f} ms a question (budget 5 ms)"
               + (f"; {each}" if each else "") + (f"; below 90%: {weak}" if weak else ""))


BENCHMARKS: dict[str, Callable[[int, str], Row | list[Row]]] = {
    "B1": b1, "B2": b2, "B3": b3, "B4": b4,
    "B5": lambda p, h: _script_rows("batch_bench.py", p, h),
    "B6": lambda p, h: _script_rows("tui_bench.py", p, h),
    "B8": lambda p, h: _script_rows("llm_bench.py", p, h),
    "B11": lambda p, h: _script_rows("history_bench.py", p, h),
    "L": l1,
    "A1": a1,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=9, help="A/B pairs per ratio (≥ 7)")
    parser.add_argument("--only", help="comma-separated ids, e.g. B1,B3")
    parser.add_argument("--json", metavar="OUT", help="also write the rows as JSON")
    args = parser.parse_args(argv)
    pairs = max(7, args.pairs)
    _ensure_bytecode()
    wanted = set(args.only.split(",")) if args.only else set(BENCHMARKS)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as home:
        os.environ["ADVISOR_HOME"] = home
        for key, bench in BENCHMARKS.items():
            if key not in wanted:
                continue
            out = bench(pairs, home)
            rows.extend(out if isinstance(out, list) else [out])
    width = max(len(r.what) for r in rows) if rows else 10
    print(f"{'id':<4} {'benchmark':<{width}}  {'figure':>14}  {'budget':>12}  result")
    for r in rows:
        verdict = {True: "pass", False: "FAIL", None: "n/a"}[r.passed]
        print(f"{r.id:<4} {r.what:<{width}}  {r.figure:>14}  {r.budget:>12}  {verdict}"
              + (f"   ({r.detail})" if r.detail else ""))
    if args.json:
        text = json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

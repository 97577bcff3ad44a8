"""TUI budgets (issue 4): time to the first screen, and answer -> live panel updated.

1. Launch: ``python -m advisor`` is started in a pseudo-terminal (100×30, an empty
   ADVISOR_HOME) and timed until the start screen's last role line has been written to the
   terminal, i.e. the first screen a person sees. The baseline is
   ``python -c "import textual.app"`` run to completion. The two alternate A B A B ... for at
   least 7 pairs (one warm-up pair first) and the median of the per-pair ratios is reported.
   Budget: ratio <= 1.5.
2. Live update, in-process: in a headless app on a question screen, the time from an answer
   being given (``app.answer``: validation with the answers-file models, the core's
   ``assess``, the panel's content replaced) until the live panel's new lines are rendered
   (``render_lines`` over its whole area). Median over many answers. Budget: <= 5 ms.

    .venv/bin/python bench/tui_bench.py [--pairs N] [--repeat N] [--json OUT]

With ``--json -`` the rows go to stdout as JSON (bench/run.py reads them) and the readable
lines to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from rows import emit  # noqa: E402  (bench/ is not a package)

sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
#: Written to the terminal once the start screen's role list is painted (the last role).
MARKER = b"Developer or platform team"
_ANSI = re.compile(rb"\x1b\[[0-9;?<>=!]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]"
                   rb"|\x1b\][^\x07]*\x07")


def _env(home: str) -> dict[str, str]:
    env = {**os.environ, "ADVISOR_HOME": home, "TERM": "xterm-256color", "COLUMNS": "100",
           "LINES": "30", "PYTHONPATH": str(ROOT)}
    env.pop("TEXTUAL", None)
    return env


def time_baseline(env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([PYTHON, "-c", "import textual.app"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def time_first_screen(env: dict[str, str], timeout: float = 30.0) -> float:
    """Seconds from spawning the TUI until the start screen is on the terminal."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen([PYTHON, "-m", "advisor"], stdin=slave, stdout=slave,
                            stderr=slave, env=env, cwd=ROOT, start_new_session=True)
    os.close(slave)
    seen = b""
    elapsed: float | None = None
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            seen += chunk
            if MARKER in _ANSI.sub(b"", seen):
                elapsed = time.perf_counter() - start
                break
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        os.close(master)
    if elapsed is None:
        tail = _ANSI.sub(b"", seen)[-400:].decode("utf-8", "replace")
        raise RuntimeError(f"the start screen never appeared; last output: {tail!r}")
    return elapsed


def launch(pairs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="advisor-tui-bench-") as home:
        env = _env(home)
        time_baseline(env), time_first_screen(env)  # warm the OS file cache
        ratios, tui, base = [], [], []
        for _ in range(pairs):
            a, b = time_first_screen(env), time_baseline(env)
            ratios.append(a / b)
            tui.append(a)
            base.append(b)
    ratio = statistics.median(ratios)
    return {"id": "B6a", "what": "launch to first screen (`python -m advisor` in a 100×30 pty) "
            "vs `python -c 'import textual.app'`", "figure": f"ratio {ratio:.2f}",
            "budget": "≤ 1.5", "passed": ratio <= 1.5,
            "detail": f"median {statistics.median(tui) * 1000:.0f} ms vs "
                      f"{statistics.median(base) * 1000:.0f} ms, {pairs} interleaved pairs"}


async def _live_update(repeat: int) -> tuple[list[float], list[float]]:
    from textual.geometry import Region

    from advisor.tui.app import AdvisorApp
    from advisor.tui.widgets.live_panel import LivePanel

    app = AdvisorApp(cursor_blink=False)
    handler, to_lines = [], []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.new_session("startup", "Bench")
        await pilot.pause()
        for qid, value in (("archetype", "api_wrapper"), ("model", "gpt-4o"),
                           ("monthly_requests", 30000), ("avg_input_tokens", 1500),
                           ("avg_output_tokens", 300)):
            assert app.answer(qid, value) is None
        await pilot.pause()
        # What an answer repaints: the panel's text (its container and border do not change).
        panel = app.screen.query_one(LivePanel).text
        choices = ["api_wrapper", "domain_specialist", "consumer_app", "workflow_integrator"]
        for i in range(repeat + 20):
            value = choices[i % len(choices)]
            start = time.perf_counter()
            error = app.answer("archetype", value)
            mid = time.perf_counter()
            lines = panel.render_lines(Region(0, 0, panel.size.width, panel.size.height))
            end = time.perf_counter()
            assert error is None and lines
            text = "".join(seg.text for line in lines for seg in line)
            assert f"{app.live.result.score} / 100" in text, "the panel shows a stale score"
            if i >= 20:  # the first answers pay one-off costs (caches, price map)
                handler.append(mid - start)
                to_lines.append(end - start)
            if i % 50 == 0:
                await pilot.pause()
        app.drafts.flush()
    return handler, to_lines


def live_update(repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="advisor-tui-bench-") as home:
        os.environ["ADVISOR_HOME"] = home
        handler, to_lines = asyncio.run(_live_update(repeat))
    ms = statistics.median(to_lines) * 1000
    return {"id": "B6b", "what": "in-process: answer → live panel re-rendered (validate, "
            "assess, update, render_lines)", "figure": f"{ms:.2f} ms", "budget": "≤ 5 ms",
            "passed": ms <= 5,
            "detail": f"handler alone {statistics.median(handler) * 1000:.2f} ms; "
                      f"p90 {statistics.quantiles(to_lines, n=10)[-1] * 1000:.2f} ms; "
                      f"{len(to_lines)} answers"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=9, help="interleaved pairs (at least 7)")
    parser.add_argument("--repeat", type=int, default=300, help="answers timed in-process")
    parser.add_argument("--json", metavar="OUT", help="write the rows as JSON ('-': stdout)")
    args = parser.parse_args(argv)
    pairs = max(7, args.pairs)
    out = sys.stderr if args.json == "-" else sys.stdout
    rows = []
    for bench in (lambda: launch(pairs), lambda: live_update(args.repeat)):
        row = bench()
        rows.append(row)
        verdict = "PASS" if row["passed"] else "FAIL"
        print(f"{row['id']}  {row['what']}\n      {row['figure']}  (budget {row['budget']}, "
              f"{verdict})  {row['detail']}", file=out, flush=True)
    emit(rows, args.json)
    return 0 if all(r["passed"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

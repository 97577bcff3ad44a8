"""Where a cold ``advisor assess`` spends its time: each step's wall time in one fresh process.

    python bench/startup_profile.py [FILE]

A diagnostic companion to bench/run.py's B1: it does what ``advisor assess FILE`` does, step
by step, and prints the milliseconds each step added. Caches (rules, prices, templates) are
warmed by a first run, as they are for any user after their first assessment.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = """
import time, sys
t0 = time.perf_counter()
def lap(name, _t=[t0]):
    now = time.perf_counter()
    print(f"{name:34s} {1000 * (now - _t[0]):7.2f} ms", file=sys.stderr)
    _t[0] = now
import pydantic_core, jinja2; lap("import pydantic_core, jinja2")
from advisor.cli.parser import build_parser; lap("import advisor.cli.parser (argparse)")
args = build_parser(["assess", sys.argv[1]]).parse_args(["assess", sys.argv[1]])
lap("read the command line (argparse)")
import advisor.cli.commands.assess; lap("import advisor.cli.commands.assess")
from advisor.data.answers_file import read_answers_file; lap("import advisor.data.answers_file")
from advisor.data.rules import load_rulebase; rb = load_rulebase(); lap("rule base (cached build)")
answers = read_answers_file(sys.argv[1]); lap("read and validate the answers")
from advisor.data.price_map import default_price_book; pb = default_price_book(); lap("price book")
from advisor.core.assess import assess; lap("import advisor.core.assess")
result = assess(answers, rb, pb); lap("assess (incl. the model's price)")
from advisor.render.report import render; lap("import advisor.render.report")
text = render(result, rb, "md"); lap("render (compiled templates cached)")
from advisor.history.store import Store; lap("import advisor.history.store (sqlite3)")
with Store.open() as s:
    lap("open the history store")
    s.record_assessment(answers.as_data(), result, text, "md", source=sys.argv[1])
    lap("record the assessment")
lap("close the store (WAL checkpoint)")
print(f"{'total since interpreter start':34s} {1000 * (time.perf_counter() - t0):7.2f} ms",
      file=sys.stderr)
"""


def main() -> int:
    example = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "examples" /
                                                         "startup-chat-wrapper.json")
    cmd = [sys.executable, "-c", STEPS, example]
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "advisor")],
                   check=False)  # as pip does at install (see run.py's _ensure_bytecode)
    subprocess.run(cmd, capture_output=True, check=False)  # warm the caches
    start = time.perf_counter()
    subprocess.run(cmd, check=False)
    print(f"{'process wall time':34s} {1000 * (time.perf_counter() - start):7.1f} ms",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

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
    print(f"{name:34s} {1000 * (now - _t[0]):7.1f} ms", file=sys.stderr)
    _t[0] = now
import pydantic, jinja2; lap("import pydantic, jinja2 (baseline)")

from advisor.loading import read_answers_file; lap("import advisor.loading")
answers = read_answers_file(sys.argv[1]); lap("build models, read, validate")
from advisor.rulebase import load_rulebase; rb = load_rulebase(); lap("rules (cached parse)")
from advisor.paths import default_price_book; pb = default_price_book(); lap("price book")
from advisor.assess import assess; lap("import advisor.assess")
pb.lookup("gpt-4o"); lap("price map (cached)")
result = assess(answers, rb, pb); lap("assess")
from advisor.report import render; lap("import advisor.report")
text = render(result, rb, "md"); lap("render (compiled templates cached)")
from advisor.store import Store; lap("import advisor.store")
with Store.open() as s: s.record_assessment({}, result, text, "md")
lap("history write")
print(f"{'total since interpreter start':34s} {1000 * (time.perf_counter() - t0):7.1f} ms",
      file=sys.stderr)
"""


def main() -> int:
    example = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "examples" /
                                                         "startup-chat-wrapper.json")
    cmd = [sys.executable, "-c", STEPS, example]
    subprocess.run(cmd, capture_output=True, check=False)  # warm the caches
    start = time.perf_counter()
    subprocess.run(cmd, check=False)
    print(f"{'process wall time':34s} {1000 * (time.perf_counter() - start):7.1f} ms",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

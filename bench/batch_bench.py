"""Throughput and peak memory of ``advisor batch`` (built-in narrative, ``--jobs 2``).

Generates answers files from the examples (varied organisation, volume and model), runs
the real command in a child process for each size, and prints items per second and the
peak resident memory of the largest process of the run (parent or worker), read with
``resource.getrusage(RUSAGE_CHILDREN)`` in a fresh wrapper process per size.

    .venv/bin/python bench/batch_bench.py                 # 1,000 and 10,000 items
    .venv/bin/python bench/batch_bench.py 1000 10000 100000 --no-history

Budget (issue 6): at least 1,000 items a second with --jobs 2 on a 2-core machine, and peak
memory within 10% between 1,000 and 10,000 items.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ("gpt-4o", "gpt-4o-mini", "anthropic/claude-sonnet-4-5", "gpt-4.1-mini")

_WRAPPER = """
import resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
elapsed = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(rc, elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
"""


def generate(folder: Path, n: int) -> None:
    """``n`` valid answers files, spread over sub-folders of 1,000 like a real portfolio."""
    examples = [json.loads(p.read_text(encoding="utf-8"))
                for p in sorted((ROOT / "examples").glob("*.json"))]
    for i in range(n):
        doc = json.loads(json.dumps(examples[i % len(examples)]))
        doc["organization"] = f"Portfolio company {i:06d}"
        answers = doc["answers"]
        scale = 1 + (i * 7919) % 50
        for key in ("daily_users", "monthly_requests"):
            if key in answers:
                answers[key] = answers[key] * scale
        if "model" in answers:
            answers["model"] = MODELS[i % len(MODELS)]
        sub = folder / f"part{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"company-{i:06d}.json").write_text(json.dumps(doc), encoding="utf-8")


def measure(n: int, jobs: int, history: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
        inputs, out, home = Path(tmp, "in"), Path(tmp, "out"), Path(tmp, "home")
        inputs.mkdir()
        generate(inputs, n)
        cmd = [sys.executable, "-m", "advisor", "batch", str(inputs), "-o", str(out),
               "--jobs", str(jobs), "--no-progress"]
        if not history:
            cmd.append("--no-history")
        env = {**os.environ, "ADVISOR_HOME": str(home),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                           os.environ.get("PYTHONPATH")]))}
        line = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], env=env, check=True,
                              capture_output=True, text=True).stdout.split()
        rc, elapsed, maxrss_kib, cpu = int(line[0]), float(line[1]), int(line[2]), float(line[3])
        if rc != 0:
            raise SystemExit(f"advisor batch exited {rc} for {n} items")
        reports = sum(1 for p in out.iterdir() if p.suffix == ".md") - 1  # minus summary.md
        if reports != n:
            raise SystemExit(f"expected {n} reports, found {reports}")
        return {"items": n, "seconds": elapsed, "items_per_second": n / elapsed,
                "peak_rss_mib": maxrss_kib / 1024, "cpu_ms_per_item": cpu / n * 1e3}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-history", action="store_true")
    args = parser.parse_args()
    rows = [measure(n, args.jobs, not args.no_history) for n in args.sizes]
    print(f"advisor batch, built-in narrative, --jobs {args.jobs}, history "
          f"{'off' if args.no_history else 'on'} (wall time includes process start-up)")
    print(f"{'items':>8} {'seconds':>8} {'items/s':>8} {'peak RSS MiB':>13} "
          f"{'CPU ms/item':>12}")
    for r in rows:
        print(f"{r['items']:>8,} {r['seconds']:>8.2f} {r['items_per_second']:>8.0f} "
              f"{r['peak_rss_mib']:>13.1f} {r['cpu_ms_per_item']:>12.2f}")
    if len(rows) > 1:
        low, high = rows[0]["peak_rss_mib"], rows[-1]["peak_rss_mib"]
        print(f"peak memory growth {rows[0]['items']:,} -> {rows[-1]['items']:,} items: "
              f"{(high - low) / low * 100:+.1f}%")
    print("CPU ms/item counts every process of the run (parent and workers, user and system "
          "time); on a shared machine it is steadier than wall time.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

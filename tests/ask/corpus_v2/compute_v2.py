"""Expected figures for corpus_v2, by hand from spec/costs.md (as ../compute_expected.py).

Reuses ../compute_expected.py's State (volume, price-map lookup, scenarios, 2023 baseline,
open-model band) and adds the figures this release's costs.md defines: the levers
(`cache_saving`, `batch_saving`) and materiality (`revenue_share`). Assessments are looked up
in ./assessments first, then in ../assessments. A model that is not in the price map (an
open-weight model served in house, e.g. "Llama 3.1 70B") has no API price: only
token-based figures (baseline_2023, band_low/high) are computed for it. Independent of the
`advisor` package on purpose.

  python tests/ask/corpus_v2/compute_v2.py FILE "CALC"     # one figure
  python tests/ask/corpus_v2/compute_v2.py --check         # every calc is in its must_contain
"""
from __future__ import annotations

import json
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import compute_expected as ce  # noqa: E402

EXTRA_MONEY = {"cache_saving", "batch_saving"}
ce.MONEY |= EXTRA_MONEY


def _path(file: str) -> Path:
    for folder in (HERE / "assessments", HERE.parent / "assessments"):
        if (folder / file).is_file():
            return folder / file
    return Path(file)


class State(ce.State):
    def __init__(self, file: str):
        path = _path(file)
        try:
            super().__init__(str(path))
        except KeyError:  # not in the price map (an open-weight model in house, or a
            # provider's fine-tuned id, whose base-model pricing this script does not guess)
            model = json.loads(path.read_text())["answers"]["model"]
            doc = json.loads(path.read_text())
            doc["answers"] = {k: v for k, v in doc["answers"].items() if k != "model"}
            with tempfile.TemporaryDirectory() as folder:
                tmp = Path(folder) / path.name
                tmp.write_text(json.dumps(doc))
                super().__init__(str(tmp))
            self.model = model
            self.in_house = not model.startswith("ft:")
        self.entry = ce._price_map().get(self.model or "", {})

    def edit(self, token: str) -> None:
        super().edit(token)
        if token.startswith("model="):  # a priced API model: "if you moved this work to an API"
            self.entry = ce._price_map().get(self.model, {})
            self.in_house = bool(self.a.get("on_prem_required"))

    def metric(self, name: str) -> float:
        if name == "cache_saving":  # input tokens x cacheable share x (input - cache read)
            mi, _ = self.tokens()
            share = float(self.a["cacheable_input_share"])
            read = self.entry["cache_read_input_token_cost"] * 1e6
            return mi * share * (self.pin - read) * self.market
        if name == "batch_saving":  # deferrable share x (list cost - batch cost)
            mi, mo = self.tokens()
            bin_ = self.entry["input_cost_per_token_batches"] * 1e6
            bout = self.entry["output_cost_per_token_batches"] * 1e6
            batch = mi * bin_ + mo * bout
            return float(self.a["deferrable_share"]) * (self.monthly() - batch * self.market)
        if name == "revenue_share":
            return 100 * self.monthly() / float(self.a["monthly_revenue_usd"])
        return super().metric(name)


def compute(file: str, calc: str) -> str:
    edits, _, metric = calc.partition("->")
    st = State(file)
    for tok in edits.split():
        st.edit(tok)
    metric = metric.strip()
    value = st.metric(metric)
    return ce.fmt("api_share" if metric == "revenue_share" else metric, value)


def check() -> int:
    bad = n = 0
    for path in sorted(HERE.glob("*.toml")):
        data = tomllib.loads(path.read_text())
        entries = [(q["assessment"], q) for q in data.get("q", [])]
        for conv in data.get("conversation", []):
            entries += [(conv["assessment"], t) for t in conv["turn"]]
        for file, e in entries:
            n += 1
            if not _path(file).is_file():
                print(f"MISSING assessment {file}")
                bad += 1
            calcs = e.get("calc", [])
            for calc in [calcs] if isinstance(calcs, str) else calcs:
                try:
                    fig = compute(file, calc)
                except Exception as exc:  # reported, not raised
                    print(f"ERROR {file}: {e['question']!r}: {calc}: {exc}")
                    bad += 1
                    continue
                if fig.lower() not in [m.lower() for m in e["must_contain"]]:
                    print(f"MISMATCH {file}: {e['question']!r}: {calc} gives {fig}, "
                          f"must_contain {e['must_contain']}")
                    bad += 1
    print(f"{n} questions and turns, {bad} bad")
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(check())
    print(compute(sys.argv[1], sys.argv[2]))

"""Everything in ``rules/`` loaded into one immutable object, once per process.

The core takes a :class:`RuleBase` as an argument rather than reading files itself, so it stays
pure and a test can hand it a modified pack. ``load_rulebase()`` is the cached loader the
edges use; ``digest`` identifies the exact rules a result was computed with (stored in history).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from advisor import conditions
from advisor.errors import RulePackError
from advisor.questions import Questionnaire, parse_questionnaire
from advisor.resources import rules_dir


class Rule(NamedTuple):
    id: str
    when: conditions.Condition
    when_spec: Any
    points: float
    explanation: str
    source: str
    recommends: tuple[str, ...] = ()
    pack: str = ""
    reads: tuple[str, ...] = ()  # the ids the condition reads, in order, for traces


class Recommendation(NamedTuple):
    id: str
    title: str
    why: str
    source: str
    rank: int
    roles: tuple[str, ...] = ()

    def addressed_to(self, role: str) -> bool:
        return not self.roles or role in self.roles


class Caution(NamedTuple):
    id: str
    when: conditions.Condition
    when_spec: Any
    text: str
    source: str


class Outlook(NamedTuple):
    when: conditions.Condition
    when_spec: Any
    text: str


class Scenario(NamedTuple):
    id: str
    title: str
    summary: str
    source: str
    outlooks: tuple[Outlook, ...]


class PackTest(NamedTuple):
    pack: str
    name: str
    role: str
    answers: dict[str, Any]
    tier: str | None
    fired: tuple[str, ...]
    recommendations: tuple[str, ...]
    absent: tuple[str, ...]


class RuleBase(NamedTuple):
    questionnaire: Questionnaire
    rules: tuple[Rule, ...]
    tier_high: float
    tier_medium: float
    recommendations: dict[str, Recommendation]
    cautions: tuple[Caution, ...]
    scenarios: tuple[Scenario, ...]
    anchors: dict[str, Any]
    defaults: dict[str, Any]
    tests: tuple[PackTest, ...]
    packs: tuple[str, ...]
    digest: str

    def tier_for(self, score: float) -> str:
        if score >= self.tier_high:
            return "high"
        if score >= self.tier_medium:
            return "medium"
        return "lower"


DATA_FILES = ("questions.toml", "recommendations.toml", "scenarios.toml", "anchors.toml",
              "assumptions.toml")


def _parse(name: str, data: bytes) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulePackError(f"{name}: {exc}") from exc


def read_folder(folder: Path) -> tuple[str, dict[str, dict[str, Any]]]:
    """Every data file of a rules folder, parsed, with a digest of their exact bytes.

    Parsed TOML is cached by that digest (``advisor.cache``): identical files are parsed once.
    """
    from advisor import cache

    names = list(DATA_FILES) + sorted(
        f"packs/{p.name}" for p in (folder / "packs").glob("*.toml"))
    hasher = hashlib.sha256()
    blobs = {}
    for name in names:
        try:
            data = (folder / name).read_bytes()
        except OSError as exc:
            raise RulePackError(f"cannot read {folder / name}: {exc.strerror}") from exc
        hasher.update(name.encode() + b"\0" + data + b"\0")
        blobs[name] = data
    digest = hasher.hexdigest()[:16]
    parsed = cache.load("rules", digest)
    if parsed is None:
        parsed = {name: _parse(name, data) for name, data in blobs.items()}
        cache.save("rules", digest, parsed)
    return digest, parsed


def _cond(spec: Any, where: str) -> conditions.Condition:
    try:
        return conditions.parse(spec)
    except RulePackError as exc:
        raise RulePackError(f"{where}: {exc}") from exc


def _rules(pack_id: str, raw: list[dict[str, Any]]) -> list[Rule]:
    rules = []
    for r in raw:
        where = f"pack {pack_id!r}, rule {r.get('id')!r}"
        try:
            when = _cond(r["when"], where)
            rules.append(Rule(id=r["id"], when=when, when_spec=r["when"],
                              points=float(r["points"]), explanation=r["explanation"],
                              source=r["source"], recommends=tuple(r.get("recommends", ())),
                              pack=pack_id, reads=tuple(dict.fromkeys(when.names()))))
        except KeyError as exc:
            raise RulePackError(f"{where} lacks field {exc.args[0]!r}") from exc
    return rules


def load_from(folder: Path) -> RuleBase:
    """Build a :class:`RuleBase` from a rules folder (:func:`load_rulebase` caches it)."""
    digest, files = read_folder(folder)
    questionnaire = parse_questionnaire(files["questions.toml"])
    rules: list[Rule] = []
    tests: list[PackTest] = []
    packs: list[str] = []
    tiers: dict[str, float] = {}
    for name in sorted(n for n in files if n.startswith("packs/")):
        pack = files[name]
        pack_id = pack.get("pack", {}).get("id", Path(name).stem)
        packs.append(pack_id)
        rules.extend(_rules(pack_id, pack.get("rules", [])))
        tiers.update(pack.get("tiers", {}))
        for t in pack.get("tests", []):
            tests.append(PackTest(pack=pack_id, name=t["name"], role=t["role"],
                                  answers=t["answers"], tier=t.get("tier"),
                                  fired=tuple(t.get("fired", ())),
                                  recommendations=tuple(t.get("recommendations", ())),
                                  absent=tuple(t.get("absent", ()))))
    if "high" not in tiers or "medium" not in tiers:
        raise RulePackError("no rule pack sets [tiers] high and medium")
    catalog = files["recommendations.toml"]
    recs = {r["id"]: Recommendation(id=r["id"], title=r["title"], why=r["why"],
                                    source=r["source"], rank=i, roles=tuple(r.get("roles", ())))
            for i, r in enumerate(catalog.get("recommendations", []))}
    cautions = tuple(Caution(id=c["id"], when=_cond(c["when"], f"caution {c['id']!r}"),
                             when_spec=c["when"], text=c["text"], source=c["source"])
                     for c in catalog.get("cautions", []))
    scen = files["scenarios.toml"]
    scenarios = tuple(
        Scenario(id=s["id"], title=s["title"], summary=s["summary"], source=s["source"],
                 outlooks=tuple(Outlook(when=_cond(o.get("when"), f"scenario {s['id']!r}"),
                                        when_spec=o.get("when"), text=o["text"])
                                for o in s.get("outlooks", [])))
        for s in scen.get("scenarios", []))
    anchors = files["anchors.toml"]
    defaults = files["assumptions.toml"]
    return RuleBase(questionnaire=questionnaire, rules=tuple(rules), tier_high=tiers["high"],
                    tier_medium=tiers["medium"], recommendations=recs, cautions=cautions,
                    scenarios=scenarios, anchors=anchors, defaults=defaults, tests=tuple(tests),
                    packs=tuple(packs), digest=digest)


@cache
def load_rulebase() -> RuleBase:
    """The installed (or ``ADVISOR_RULES_DIR``) rules, parsed once per process."""
    return load_from(rules_dir())

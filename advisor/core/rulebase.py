"""The rules as one immutable object, built from the parsed data files of ``rules/``.

The core takes a :class:`RuleBase` as an argument rather than reading files itself, so it stays
pure and a test can hand it a modified pack; :mod:`advisor.data.rules` reads the folder and
caches what :func:`build` returns. ``digest`` identifies the exact rules a result was computed
with (stored in history).
"""

from __future__ import annotations

import os
from typing import Any

from advisor.core import conditions
from advisor.core.errors import RulePackError
from advisor.core.findings import parse_voices, parse_wording
from advisor.core.questionnaire import Questionnaire, parse_questionnaire
from advisor.core.records import Record


class Rule(Record):
    """One scoring rule of a pack: when its condition is definitely true, it adds points."""

    __slots__ = ("id", "when", "when_spec", "points", "explanation", "source", "recommends",
                 "pack", "reads", "weight", "because", "label")

    def __init__(self, id: str, when: conditions.Condition, when_spec: Any, points: float,
                 explanation: str, source: str, recommends: tuple[str, ...] = (),
                 pack: str = "", reads: tuple[str, ...] = (), weight: float | None = None,
                 because: tuple[str, ...] = (), label: str = "") -> None:
        self.id = id
        self.when = when
        self.when_spec = when_spec
        self.points = points
        self.explanation = explanation
        self.source = source
        self.recommends = recommends
        self.pack = pack
        self.reads = reads  # the ids the condition reads, in order, for traces
        # How much the recommendations it selects matter to the user (default: its points).
        self.weight = abs(points) if weight is None else weight
        self.because = because  # the answers behind it, in words ({name} from the facts)
        self.label = label  # what it is called where a person reads it ("Priced per call")


class Recommendation(Record):
    __slots__ = ("id", "title", "why", "source", "rank", "roles", "unless", "unless_spec")

    def __init__(self, id: str, title: str, why: str, source: str, rank: int,
                 roles: tuple[str, ...] = (), unless: conditions.Condition | None = None,
                 unless_spec: Any = None) -> None:
        self.id = id
        self.title = title
        self.why = why
        self.source = source
        self.rank = rank
        self.roles = roles
        # A stated constraint it conflicts with: when this is true it is never given.
        self.unless = unless
        self.unless_spec = unless_spec

    def addressed_to(self, role: str) -> bool:
        return not self.roles or role in self.roles


class Caution(Record):
    __slots__ = ("id", "when", "when_spec", "text", "source", "applies", "applies_spec")

    def __init__(self, id: str, when: conditions.Condition, when_spec: Any, text: str,
                 source: str, applies: conditions.Condition | None = None,
                 applies_spec: Any = None) -> None:
        self.id = id
        self.when = when
        self.when_spec = when_spec
        self.text = text
        self.source = source
        # The user's own answers showing the assumption it warns against (default: ``when``).
        self.applies = when if applies is None else applies
        self.applies_spec = when_spec if applies is None else applies_spec


class Outlook(Record):
    __slots__ = ("when", "when_spec", "text")

    def __init__(self, when: conditions.Condition, when_spec: Any, text: str) -> None:
        self.when = when
        self.when_spec = when_spec
        self.text = text


class Scenario(Record):
    __slots__ = ("id", "title", "summary", "source", "outlooks")

    def __init__(self, id: str, title: str, summary: str, source: str,
                 outlooks: tuple[Outlook, ...]) -> None:
        self.id = id
        self.title = title
        self.summary = summary
        self.source = source
        self.outlooks = outlooks


class PackTest(Record):
    __slots__ = ("pack", "name", "role", "answers", "tier", "fired", "recommendations",
                 "absent")

    def __init__(self, pack: str, name: str, role: str, answers: dict[str, Any],
                 tier: str | None, fired: tuple[str, ...], recommendations: tuple[str, ...],
                 absent: tuple[str, ...]) -> None:
        self.pack = pack
        self.name = name
        self.role = role
        self.answers = answers
        self.tier = tier
        self.fired = fired
        self.recommendations = recommendations
        self.absent = absent


class RuleBase(Record):
    __slots__ = ("questionnaire", "rules", "tier_high", "tier_medium", "recommendations",
                 "cautions", "scenarios", "anchors", "defaults", "tests", "packs", "digest",
                 "findings", "voices")

    def __init__(self, questionnaire: Questionnaire, rules: tuple[Rule, ...], tier_high: float,
                 tier_medium: float, recommendations: dict[str, Recommendation],
                 cautions: tuple[Caution, ...], scenarios: tuple[Scenario, ...],
                 anchors: dict[str, Any], defaults: dict[str, Any], tests: tuple[PackTest, ...],
                 packs: tuple[str, ...], digest: str,
                 findings: dict[str, Any] | None = None,
                 voices: tuple[Any, ...] = ()) -> None:
        self.questionnaire = questionnaire
        self.rules = rules
        self.tier_high = tier_high
        self.tier_medium = tier_medium
        self.recommendations = recommendations
        self.cautions = cautions
        self.scenarios = scenarios
        self.anchors = anchors
        self.defaults = defaults
        self.tests = tests
        self.packs = packs
        self.digest = digest
        #: finding id -> its wording variants (rules/findings.toml, core/findings.py)
        self.findings = {} if findings is None else findings
        #: (condition, words) per reader (rules/voice.toml): "your bill" or "the company's"
        self.voices = voices

    def tier_for(self, score: float) -> str:
        if score >= self.tier_high:
            return "high"
        if score >= self.tier_medium:
            return "medium"
        return "lower"


DATA_FILES = ("questions.toml", "recommendations.toml", "scenarios.toml", "anchors.toml",
              "assumptions.toml", "findings.toml", "voice.toml")


def parse_toml(name: str, data: bytes) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulePackError(f"{name}: {exc}") from exc


def _cond(spec: Any, where: str) -> conditions.Condition:
    try:
        return conditions.parse(spec)
    except RulePackError as exc:
        raise RulePackError(f"{where}: {exc}") from exc


def _texts(value: Any) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _rules(pack_id: str, raw: list[dict[str, Any]]) -> list[Rule]:
    rules = []
    for r in raw:
        where = f"pack {pack_id!r}, rule {r.get('id')!r}"
        try:
            when = _cond(r["when"], where)
            rules.append(Rule(id=r["id"], when=when, when_spec=r["when"],
                              points=float(r["points"]), explanation=r["explanation"],
                              source=r["source"], recommends=tuple(r.get("recommends", ())),
                              pack=pack_id, reads=tuple(dict.fromkeys(when.names())),
                              weight=None if r.get("weight") is None else float(r["weight"]),
                              because=_texts(r.get("because", ())),
                              label=str(r.get("label", ""))))
        except KeyError as exc:
            raise RulePackError(f"{where} lacks field {exc.args[0]!r}") from exc
    return rules


def build(files: dict[str, dict[str, Any]], digest: str) -> RuleBase:
    questionnaire = parse_questionnaire(files["questions.toml"])
    rules: list[Rule] = []
    tests: list[PackTest] = []
    packs: list[str] = []
    tiers: dict[str, float] = {}
    for name in sorted(n for n in files if n.startswith("packs/")):
        pack = files[name]
        pack_id = pack.get("pack", {}).get("id", os.path.basename(name).removesuffix(".toml"))
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
    recs = {r["id"]: Recommendation(
        id=r["id"], title=r["title"], why=r["why"], source=r["source"], rank=i,
        roles=tuple(r.get("roles", ())),
        unless=None if r.get("unless") is None else _cond(r["unless"],
                                                          f"recommendation {r['id']!r}"),
        unless_spec=r.get("unless"))
        for i, r in enumerate(catalog.get("recommendations", []))}
    cautions = tuple(Caution(
        id=c["id"], when=_cond(c["when"], f"caution {c['id']!r}"), when_spec=c["when"],
        text=c["text"], source=c["source"],
        applies=None if c.get("applies") is None else _cond(c["applies"],
                                                            f"caution {c['id']!r}"),
        applies_spec=c.get("applies"))
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
                    packs=tuple(packs), digest=digest,
                    findings=parse_wording(files.get("findings.toml") or {}),
                    voices=parse_voices(files.get("voice.toml") or {}))

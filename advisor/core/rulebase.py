"""The rules as one immutable object, built from the parsed data files of ``rules/``.

The core takes a :class:`RuleBase` as an argument rather than reading files itself, so it stays
pure and a test can hand it a modified pack; :mod:`advisor.data.rules` reads the folder and
caches what :func:`build` returns. ``digest`` identifies the exact rules a result was computed
with (stored in history).
"""

from __future__ import annotations

import os
from typing import Any

from advisor.core import conditions, wording
from advisor.core.errors import RulePackError
from advisor.core.findings import parse_voices, parse_wording
from advisor.core.questionnaire import Questionnaire, parse_questionnaire
from advisor.core.records import Record


class Worded(Record):
    """One wording of a text for the clients its condition holds for (first match wins).

    Per-reader wording is data: an investor reads about "the company", an internal team never
    hears about customers, a client in house by choice never reads about regulation. The
    ``{slot}`` names are filled from the client's facts; a variant whose slots cannot all be
    filled is passed over, so the plain wording, last, always answers.
    """

    __slots__ = ("when", "when_spec", "text")

    def __init__(self, when: conditions.Condition, when_spec: Any, text: str) -> None:
        self.when = when
        self.when_spec = when_spec
        self.text = text


def choose(variants: tuple[Worded, ...], values: Any, facts: dict[str, str]) -> str | None:
    """The first variant whose condition holds for ``values`` and whose slots ``facts`` fill."""
    for v in variants:
        if v.when.evaluate(values) is True and (text := wording.fill(v.text, facts)) is not None:
            return text
    return None


class Rule(Record):
    """One scoring rule of a pack: when its condition is definitely true, it adds points."""

    __slots__ = ("id", "when", "when_spec", "points", "explanation", "source", "recommends",
                 "pack", "reads", "weight", "because", "label", "explanations", "becauses")

    def __init__(self, id: str, when: conditions.Condition, when_spec: Any, points: float,
                 explanation: str, source: str, recommends: tuple[str, ...] = (),
                 pack: str = "", reads: tuple[str, ...] = (), weight: float | None = None,
                 because: tuple[str, ...] = (), label: str = "",
                 explanations: tuple[Worded, ...] = (),
                 becauses: tuple[Worded, ...] | None = None) -> None:
        self.id = id
        self.when = when
        self.when_spec = when_spec
        self.points = points
        self.explanation = explanation  # the plain wording (no client): catalogues, batch
        # every wording, per reader, the plain one last (choose() picks this client's)
        self.explanations = explanations or (Worded(conditions.ALWAYS, None, explanation),)
        self.source = source
        self.recommends = recommends
        self.pack = pack
        self.reads = reads  # the ids the condition reads, in order, for traces
        # How much the recommendations it selects matter to the user (default: its points).
        self.weight = abs(points) if weight is None else weight
        self.because = because  # the answers behind it, in words ({name} from the facts)
        self.becauses = (tuple(Worded(conditions.ALWAYS, None, t) for t in because)
                         if becauses is None else becauses)
        self.label = label  # what it is called where a person reads it ("Priced per call")

    def explanation_for(self, values: Any, facts: dict[str, str]) -> str:
        """The explanation worded for this client (plain wording when nothing else fits)."""
        return choose(self.explanations, values, facts) or self.explanation


class Recommendation(Record):
    __slots__ = ("id", "title", "why", "source", "rank", "roles", "unless", "unless_spec",
                 "titles", "whys", "lead", "lead_spec", "defer", "defer_spec")

    def __init__(self, id: str, title: str, why: str, source: str, rank: int,
                 roles: tuple[str, ...] = (), unless: conditions.Condition | None = None,
                 unless_spec: Any = None, titles: tuple[Worded, ...] = (),
                 whys: tuple[Worded, ...] = (), lead: conditions.Condition | None = None,
                 lead_spec: Any = None, defer: conditions.Condition | None = None,
                 defer_spec: Any = None) -> None:
        self.id = id
        self.title = title  # the plain wordings (no client): catalogues, batch summaries
        self.why = why
        self.source = source
        self.rank = rank
        self.roles = roles
        # A stated constraint it conflicts with: when this is true it is never given.
        self.unless = unless
        self.unless_spec = unless_spec
        # Every wording per reader, the plain one last; choose() picks this client's.
        self.titles = titles or (Worded(conditions.ALWAYS, None, title),)
        self.whys = whys or (Worded(conditions.ALWAYS, None, why),)
        # What matters most to this reader (spec/result.md): when ``lead`` holds it goes before
        # the weight order; when ``defer`` holds (and ``lead`` does not) it goes after it.
        self.lead = lead
        self.lead_spec = lead_spec
        self.defer = defer
        self.defer_spec = defer_spec

    def addressed_to(self, role: str) -> bool:
        return not self.roles or role in self.roles

    def title_for(self, values: Any, facts: dict[str, str]) -> str:
        return choose(self.titles, values, facts) or self.title

    def why_for(self, values: Any, facts: dict[str, str]) -> str:
        return choose(self.whys, values, facts) or self.why


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
                 "absent", "as_of", "first")

    def __init__(self, pack: str, name: str, role: str, answers: dict[str, Any],
                 tier: str | None, fired: tuple[str, ...], recommendations: tuple[str, ...],
                 absent: tuple[str, ...], as_of: str | None = None,
                 first: tuple[str, ...] = ()) -> None:
        self.pack = pack
        self.name = name
        self.role = role
        self.answers = answers
        self.tier = tier
        self.fired = fired
        self.recommendations = recommendations
        self.absent = absent
        self.as_of = as_of  # the report's date (a model's retirement counts from it)
        self.first = first  # the recommendations expected first, in this order


class RuleBase(Record):
    __slots__ = ("questionnaire", "rules", "tier_high", "tier_medium", "recommendations",
                 "cautions", "scenarios", "anchors", "defaults", "tests", "packs", "digest",
                 "findings", "voices", "words")

    def __init__(self, questionnaire: Questionnaire, rules: tuple[Rule, ...], tier_high: float,
                 tier_medium: float, recommendations: dict[str, Recommendation],
                 cautions: tuple[Caution, ...], scenarios: tuple[Scenario, ...],
                 anchors: dict[str, Any], defaults: dict[str, Any], tests: tuple[PackTest, ...],
                 packs: tuple[str, ...], digest: str,
                 findings: dict[str, Any] | None = None,
                 voices: tuple[Any, ...] = (),
                 words: dict[str, dict[str, str]] | None = None) -> None:
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
        #: names the core's sentences use ([words] in recommendations.toml: lever names)
        self.words = {} if words is None else words

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


def _worded(raw: dict[str, Any], one: str, many: str, where: str) -> tuple[Worded, ...]:
    """``many`` (a list of ``{when, text}`` tables or plain strings), then ``one`` (the plain
    wording, always last): the variants of one text, in the order they are tried."""
    out = []
    entries = list(raw.get(many) or ())
    if raw.get(one) is not None:
        entries += [raw[one]] if isinstance(raw[one], str) else list(raw[one])
    for entry in entries:
        if isinstance(entry, str):
            out.append(Worded(conditions.ALWAYS, None, entry))
        elif isinstance(entry, dict) and isinstance(entry.get("text"), str):
            out.append(Worded(_cond(entry.get("when"), f"{where} {many}"), entry.get("when"),
                              entry["text"]))
        else:
            raise RulePackError(f"{where}: {many} entries are text or {{when, text}} tables")
    return tuple(out)


def _plain(variants: tuple[Worded, ...], where: str, field: str) -> str:
    """The wording with no condition and no slot, for places that have no client."""
    for v in reversed(variants):
        if v.when_spec is None and "{" not in v.text:
            return v.text
    raise RulePackError(f"{where}: {field} needs a plain wording (no `when`, no slot) last")


def _rules(pack_id: str, raw: list[dict[str, Any]]) -> list[Rule]:
    rules = []
    for r in raw:
        where = f"pack {pack_id!r}, rule {r.get('id')!r}"
        try:
            when = _cond(r["when"], where)
            explanations = _worded(r, "explanation", "explanations", where)
            becauses = _worded(r, "because", "becauses", where)
            rules.append(Rule(id=r["id"], when=when, when_spec=r["when"],
                              points=float(r["points"]),
                              explanation=_plain(explanations, where, "explanation"),
                              source=r["source"], recommends=tuple(r.get("recommends", ())),
                              pack=pack_id, reads=tuple(dict.fromkeys(when.names())),
                              weight=None if r.get("weight") is None else float(r["weight"]),
                              because=tuple(b.text for b in becauses),
                              label=str(r.get("label", "")), explanations=explanations,
                              becauses=becauses))
        except KeyError as exc:
            raise RulePackError(f"{where} lacks field {exc.args[0]!r}") from exc
    return rules


def _recommendation(r: dict[str, Any], rank: int) -> Recommendation:
    where = f"recommendation {r.get('id')!r}"
    try:
        titles = _worded(r, "title", "titles", where)
        whys = _worded(r, "why", "whys", where)

        def cond(key: str) -> conditions.Condition | None:
            return None if r.get(key) is None else _cond(r[key], f"{where} {key}")

        return Recommendation(
            id=r["id"], title=_plain(titles, where, "title"), why=_plain(whys, where, "why"),
            source=r["source"], rank=rank, roles=tuple(r.get("roles", ())),
            unless=cond("unless"), unless_spec=r.get("unless"), titles=titles, whys=whys,
            lead=cond("lead_when"), lead_spec=r.get("lead_when"), defer=cond("defer_when"),
            defer_spec=r.get("defer_when"))
    except KeyError as exc:
        raise RulePackError(f"{where} lacks field {exc.args[0]!r}") from exc


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
                                  absent=tuple(t.get("absent", ())), as_of=t.get("as_of"),
                                  first=tuple(t.get("first", ()))))
    if "high" not in tiers or "medium" not in tiers:
        raise RulePackError("no rule pack sets [tiers] high and medium")
    catalog = files["recommendations.toml"]
    recs = {r["id"]: _recommendation(r, i)
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
                    voices=parse_voices(files.get("voice.toml") or {}),
                    words={k: {n: str(t) for n, t in v.items()}
                           for k, v in (catalog.get("words") or {}).items()})

"""Typed tokens → what-if edits, whatever the order of the words.

Each clause of the question ("…, and …", "…; …") fills one slot: what changes (the workload,
daily users, calls per task, market prices, tokens per call: the *target*, named by a word the
lexicon knows, or by the verb, or by the what-if in force) and how (a factor, a percentage, a
new value, a number to add or take away, prices that stop falling). Prices per million tokens,
scenario probabilities and model names are read across the whole question first. Every number
and change word is either used by an edit, used by the topic ("3 things", "scenario 2",
"2023"), or returned as not understood: nothing is dropped silently.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from advisor.ask.edits import MAX_FACTOR, SCENARIO_IDS, VOLUME_KINDS, Edit
from advisor.ask.lexicon import lexicon, read
from advisor.ask.tokens import Tok, Tokens, factor_of, scenario_of

DAYS_PER_MONTH = 30.0


@dataclass
class Situation:
    """What a question is asked against: the answers in force and the conversation so far."""

    answers: dict[str, Any]
    prices: Any = None
    current_model: str | None = None
    probabilities: dict[str, float] = field(default_factory=dict)
    defaults: dict[str, float] = field(default_factory=dict)
    last_kind: str | None = None
    follow_up: bool = False
    days: float = DAYS_PER_MONTH


@dataclass
class Found:
    edits: list[Edit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


ORDER = ("probabilities", "price", "calls_per_task", "volume_factor", "requests", "add_requests",
         "daily_users", "per_user", "model", "input_tokens", "output_tokens", "market")


def has_cue(toks: Tokens, cues: tuple[str, ...]) -> bool:
    low = " " + re.sub(r"[^a-z0-9' ]", " ", toks.text.lower()) + " "
    return any(f" {c} " in low for c in cues)


def understand(toks: Tokens, s: Situation, *, stated: bool = True) -> Found:
    """The edits ``toks`` state, in the order they are applied (market changes last, so they
    apply to a model switched to in the same breath). A question that states no what-if
    (``stated`` false) can still set scenario probabilities ("I'm bearish: 80% stabilization
    …"), and nothing else."""
    found = Found()
    _probabilities(toks, s, found)
    if not stated:
        return found
    partial = _partial_move(toks, found)
    _price(toks, found)
    previous: str | None = None
    for clause in [] if partial else _clauses(toks):
        edit, previous = _clause(clause, toks, s, found, previous)
        if edit is not None:
            found.edits.append(edit)
    model = _model(toks, s, found)
    if model is not None:
        found.edits.append(model)
    found.edits.sort(key=lambda e: ORDER.index(e.kind))
    return found


def noop(edit: Edit, answers: dict[str, Any], current_model: str | None) -> bool:
    """Whether ``edit`` leaves the answers in force as they are (3 calls → 3 calls)."""
    v = edit.value
    if edit.kind == "calls_per_task":
        return int(answers.get("calls_per_task") or 1) == v
    if edit.kind == "model":
        return v == current_model
    if edit.kind in ("volume_factor", "market"):
        return bool(v == 1.0 and edit.kind == "volume_factor")
    if edit.kind == "requests":
        return answers.get("monthly_requests") is not None and \
            round(float(answers["monthly_requests"])) == round(v)
    if edit.kind == "daily_users":
        return answers.get("daily_users") is not None and round(answers["daily_users"]) == round(v)
    if edit.kind in ("input_tokens", "output_tokens"):
        return answers.get(f"avg_{edit.kind}") == v
    return False


def leftovers(toks: Tokens) -> list[str]:
    """The numbers and change words no edit and no topic used, as the question said them."""
    out = []
    items = toks.items
    for t in items:
        if t.used:
            continue
        if t.kind == "num":
            if not consumed(t, items):
                out.append(t.text)
        elif t.kind == "word" and t.cat("factor"):
            out.append(t.text)
    return out


def consumed(t: Tok, items: list[Tok]) -> bool:
    """A number a topic uses, not a what-if: a year, "3 things", "scenario 2", "3-5 years",
    "16 GPUs", "a 70B model"."""
    lx = lexicon()
    after, before = _word(items, t.i + 1), _word(items, t.i - 1)
    if t.unit == "range":
        return True
    if t.unit in ("%", "x", "$"):
        return False  # "40% month over month", "10x a year": a change, never a count
    if t.unit == "" and 1900 <= t.value <= 2100 and t.value == int(t.value) and \
            lx.targets.get(after) is None:
        return True
    if t.value >= 1000:  # "300k questions a month" is a volume, "3 questions" a list
        return False
    return (after in lx.consumed_after or before in lx.consumed_before
            or (after == "per" and _word(items, t.i + 2) in lx.consumed_after))


# ---------------------------------------------------------------------------- helpers


def _word(items: list[Tok], i: int) -> str:
    return items[i].text if 0 <= i < len(items) and items[i].kind == "word" else ""


def _clauses(toks: Tokens) -> list[list[Tok]]:
    out: list[list[Tok]] = [[]]
    for t in toks.items:
        if t.kind == "sep" or (t.kind == "word" and t.cat("conj")):
            out.append([])
        else:
            out[-1].append(t)
    return [c for c in out if c]


def factor_problem(factor: float, what: str) -> str | None:
    if not math.isfinite(factor) or factor > MAX_FACTOR or (0 < factor < 1 / MAX_FACTOR):
        said = f"of ×{factor:g}" if math.isfinite(factor) else "that large"
        return (f"a {what} change {said} is beyond what I can compute (I recompute "
                f"changes up to ×{MAX_FACTOR:,.0f}); give a smaller factor")
    if factor <= 0:
        return f"a {what} change must leave something to compute"
    return None


def _said(ts: list[Tok]) -> str:
    return " ".join(t.name or t.text for t in ts)


def _partial_move(toks: Tokens, found: Found) -> bool:
    """"half the traffic to gpt-4o-mini", "20% of requests on haiku": a split between two
    models, which the engine does not model; said so rather than guessed."""
    items = toks.items
    for t in items:
        if t.kind != "word" or not t.cat("target:volume", "target:users", "target:calls"):
            continue
        if _word(items, t.i + 1) not in ("to", "on", "onto", "over"):
            continue
        j = t.i - 1
        while _word(items, j) in ("the", "our", "their", "of", "my"):
            j -= 1
        share = items[j] if j >= 0 else None
        if share is not None and (share.cat("factor") or share.unit == "%"
                                  or share.text in ("part", "some")):
            share.used = True
            found.problems.append("moving only part of the traffic to another model is not "
                                  "modelled: the figure is the whole workload on it, and a split "
                                  "costs in between")
            return True
    return False


# ---------------------------------------------------------------------------- probabilities


def _probabilities(toks: Tokens, s: Situation, found: Found) -> None:
    items = toks.items
    low = toks.lowered
    if re.search(r"\b(?:article.?s|default|original|standard)\b[^?]{0,30}\b(?:split|probabilit|"
                 r"weights|odds)|\b50\s*/\s*30\s*/\s*20\b", low):
        for t in items:
            if t.unit == "split":
                t.used = True
        found.edits.append(Edit("probabilities", dict(s.defaults), "the article's 50/30/20"))
        return
    split = next((t for t in items if t.unit == "split"), None)
    if split is not None and re.search(r"scenario|split|probabilit|odds|weights", low):
        values = [float(v) for v in split.text.split("/")]
        scale = 100 if sum(values) > 1.5 else 1
        split.used = True
        _set_probabilities(dict(zip(SCENARIO_IDS, (v / scale for v in values), strict=True)),
                           s, split.text, found)
        return
    names = [t for t in items if t.kind == "word" and t.cat("scenario")]
    several = len({scenario_of(t) for t in names}) >= 2
    names = [t for t in names if several or t.text not in ("decline", "declines", "stable")]
    pcts = [t for t in items if t.kind == "num" and t.unit == "%"]
    given: dict[str, float] = {}
    for t in names:  # "no divergence"
        if _word(items, t.i - 1) == "no":
            given[scenario_of(t) or ""] = 0.0
            t.used = True
    names = [t for t in names if not t.used]
    if not names or not pcts:
        if given:
            _set_probabilities(given, s, "no " + ", ".join(given), found)
        return
    events = sorted(names + pcts, key=lambda t: t.i)
    pct_first = events[0].kind == "num"
    pending: Tok | None = None
    for t in events:
        if pending is None:
            pending = t if (t.kind == "num") == pct_first else None
            continue
        if (t.kind == "num") == pct_first:
            pending = t
            continue
        name, pct = (pending, t) if not pct_first else (t, pending)
        sid = scenario_of(name)
        if sid and sid not in given:
            given[sid] = pct.value / 100
            name.used = pct.used = True
        pending = None
    if given:
        said = ", ".join(f"{k.replace('_', ' ')} {v:.0%}" for k, v in given.items())
        _set_probabilities(given, s, said, found)


def _set_probabilities(given: dict[str, float], s: Situation, said: str, found: Found) -> None:
    current = s.probabilities or s.defaults
    if any(not 0 <= p <= 1 for p in given.values()):
        found.problems.append("a probability must be between 0% and 100%")
        return
    if len(given) == 3 or abs(sum(given.values()) - 1) < 1e-6:
        new = {sid: given.get(sid, 0.0) for sid in SCENARIO_IDS}
        if abs(sum(new.values()) - 1) > 1e-6:
            found.problems.append(f"the probabilities must add up to 100% (these add up to "
                                  f"{sum(new.values()):.0%})")
            return
        found.edits.append(Edit("probabilities", new, said))
        return
    if len(given) == 2:
        rest = 1 - sum(given.values())
        if rest < -1e-9:
            found.problems.append("the probabilities must add up to 100%")
            return
        missing = next(k for k in SCENARIO_IDS if k not in given)
        found.edits.append(Edit("probabilities", {**given, missing: round(rest, 9)}, said))
        return
    (sid, p), = given.items()
    others = {k: v for k, v in current.items() if k != sid}
    total = sum(others.values())
    new = {sid: p}
    for k, v in others.items():
        new[k] = (1 - p) * (v / total if total > 0 else 1 / len(others))
    new = {k: round(v, 6) for k, v in new.items()}
    last = next(k for k in SCENARIO_IDS if k != sid)
    new[last] = round(new[last] + 1 - sum(new.values()), 6)
    found.edits.append(Edit("probabilities", {k: new[k] for k in SCENARIO_IDS},
                            said + " (the others rescaled to keep their ratio)"))


# ---------------------------------------------------------------------------- price per token


def _price(toks: Tokens, found: Found) -> None:
    items = toks.items
    if not any(t.kind == "word" and t.cat("per_million") for t in items):
        return
    money = [t for t in items if t.kind == "num" and t.unit == "$"]
    if not money:  # "an open model at 0.2 per million": a bare number before "per million"
        money = [t for t in items if t.kind == "num" and t.unit == ""
                 and _word(items, t.i + 1) == "per million"]
    if not money:
        return
    value: dict[str, float] = {}
    said = []
    for t in money:
        which = ""
        for j in range(t.i + 1, min(t.i + 4, len(items))):
            w = items[j]
            if w.kind == "word" and w.text in ("input", "in", "prompt"):
                which = "in"
            elif w.kind == "word" and w.text in ("output", "out", "completion", "completions"):
                which = "out"
            if which or w.kind == "num":
                if which:
                    w.used = True
                break
        t.used = True
        said.append(t.text)
        if which:
            value[which] = t.value
        elif len(money) == 2:
            value["in" if "in" not in value else "out"] = t.value
        else:
            value.setdefault("in", t.value)
            value.setdefault("out", t.value)
    for t in items:
        if t.kind == "word" and t.cat("per_million"):
            t.used = True
    found.edits.append(Edit("price", value, " and ".join(said)))


# ---------------------------------------------------------------------------- models


def _resolve(prices: Any, name: str) -> str | None:
    alias = lexicon().models.get(name.lower())
    for candidate in (alias, name):
        if not candidate:
            continue
        try:
            return str(prices.resolve(candidate, {}).model)
        except Exception:  # an unknown name is reported by the caller, not raised
            continue
    return None


def _model(toks: Tokens, s: Situation, found: Found) -> Edit | None:
    if s.prices is None:
        return None
    items = toks.items
    models = [t for t in items if t.kind == "model"]
    if not models or not (s.follow_up or found.edits or has_cue(toks, lexicon().model_cues)):
        return None
    edits = []
    for t in models:
        if _old_value(items, t) or (_word(items, t.i + 1) in lexicon().targets and \
                lexicon().targets[_word(items, t.i + 1)] == "price"):
            t.used = True
            continue
        if re.fullmatch(r"gpt[\s-]?4", t.name) and re.search(r"2023|launch", toks.lowered):
            continue  # GPT-4 at launch is the 2023 baseline, not a model to switch to
        resolved = _resolve(s.prices, t.name)
        if resolved is None:
            if re.search(r"\d", t.name):
                found.problems.append(f"I have no price for the model {t.name!r}")
                t.used = True
            continue
        t.used = True
        edits.append(Edit("model", resolved, t.name))
    # "swap sonnet for haiku": the model in use is where the change starts, not where it goes.
    others = [e for e in edits if e.value != s.current_model]
    return others[-1] if others else (edits[-1] if edits else None)


def _old_value(items: list[Tok], t: Tok) -> bool:
    """Whether ``t`` follows "instead of" / "rather than" / "from" in its clause."""
    for j in range(t.i - 1, max(-1, t.i - 4), -1):
        w = items[j]
        if w.kind == "sep" or w.cat("conj"):
            return False
        if w.kind == "word" and (w.cat("instead") or w.text == "from"):
            return True
        if w.kind == "word" and w.cat("set"):
            return False
    return False


# ---------------------------------------------------------------------------- one clause


def _clause(clause: list[Tok], toks: Tokens, s: Situation, found: Found,
            previous: str | None) -> tuple[Edit | None, str | None]:
    """The edit one clause states, and the target it was about (a next clause without one,
    "… and halve that", is about the same)."""
    items = toks.items
    named = _target_named(clause, items)
    target = named or previous
    edit = _clause_edit(clause, toks, s, found, target)
    return edit, named or previous


def _a_call(items: list[Tok], t: Tok) -> bool:
    """Whether "call" names an LLM call ("one call", "a single call", "per call") rather than
    the verb ("people call")."""
    before = items[t.i - 1] if t.i > 0 else None
    return before is not None and (before.kind == "num" or before.text in (
        "a", "one", "per", "each", "every", "single", "llm", "api", "model", "the", "extra",
        "another", "more", "fewer", "less"))


def _target_named(clause: list[Tok], items: list[Tok]) -> str | None:
    for t in clause:
        if t.kind == "word" and any(c.startswith("target:") for c in t.cats) and \
                _word(items, t.i - 1) not in ("per", "each", "every", "a", "an") and \
                (t.text != "call" or _a_call(items, t)):
            kind = next(c for c in t.cats if c.startswith("target:")).split(":", 1)[1]
            if kind in ("input", "output") and not any(u.text in ("tokens", "token")
                                                       for u in clause):
                continue
            return kind
    return None


def _clause_edit(clause: list[Tok], toks: Tokens, s: Situation, found: Found,
                 inherited: str | None) -> Edit | None:
    items = toks.items
    for t in clause:  # the old value: "10M log lines instead of 3M", "from 45 to 20"
        if t.kind == "num" and _old_value(items, t) and any(
                u.kind == "num" and not _old_value(items, u) for u in clause if u is not t):
            t.used = True
    for t in clause:  # "that doubled traffic": the change in force, named, not a new one
        if t.cat("factor") and t.text.endswith("ed") and _word(items, t.i - 1) in (
                "that", "the", "this", "those", "our", "their"):
            t.used = True
    quantities = [t for t in clause if not t.used and (
        (t.kind == "num" and t.unit in ("", "%", "x", "$") and not consumed(t, items))
        or t.cat("factor", "hold"))]
    hold = next((t for t in clause if t.cat("hold")), None)
    if not quantities:
        edit = _one_call(clause, items, s)
        named = _target_named(clause, items)
        if edit is None and named and any(t.cat("up", "down") for t in clause) \
                and not any(t.kind == "model" for t in clause) \
                and re.search(r"\b(?:what if|suppose|imagine|if we|if our|if they)\b",
                              toks.text, re.IGNORECASE):
            from advisor.ask.say import phrase

            found.problems.append(phrase("amount_missing", {}, what=_said(clause),
                                         example=read("wording.toml")["examples"][named]))
        return edit
    q0 = quantities[0]
    pointer = any(t.text in ("that", "it", "this", "them", "those") for t in clause)
    if not (pointer or q0.cat("factor") or q0.unit in ("%", "x")):
        inherited = None  # "… and 40 widgets": a bare count is not about the last clause
    target = _target(clause, q0, items, s) or inherited
    if target is None:
        return None
    up = any(t.cat("up") for t in clause)
    down = any(t.cat("down") for t in clause) and not any(
        t.text in ("more",) for t in clause if t.cat("up") and not t.cat("down"))
    if up and down:  # "cut … by", "go up": the word next to the number decides
        near = min((t for t in clause if t.cat("up", "down")),
                   key=lambda t: abs(t.i - quantities[0].i))
        up, down = near.cat("up"), near.cat("down") and not near.cat("up")
    if target == "price":
        return _market(clause, quantities, hold, up, down, found)
    if target == "calls":
        return _calls(clause, quantities, items, up, down, s, found)
    if target in ("input", "output"):
        return _tokens(clause, quantities, target, up, down, s)
    return _volume(clause, quantities, items, target, up, down, s, found)


def _target(clause: list[Tok], q: Tok, items: list[Tok], s: Situation) -> str | None:
    named = []
    for t in clause:
        if t.kind != "word":
            continue
        kinds = [c.split(":", 1)[1] for c in t.cats if c.startswith("target:")]
        if not kinds or _word(items, t.i - 1) in ("per", "each", "every", "a", "an"):
            continue
        if t.text == "call" and not _a_call(items, t):
            continue  # "twice as many people call": the verb, not LLM calls
        kind = kinds[0]
        if kind in ("input", "output") and not any(u.text in ("tokens", "token")
                                                   for u in clause):
            continue
        named.append((abs(t.i - q.i), kind, t))
    present = {k for _, k, _ in named}
    if "calls" in present:
        return "calls"
    if "users" in present and "volume" in present:
        present.discard("users")
    if named:
        named.sort(key=lambda n: n[0])
        best = next(k for _, k, _ in named if k in present)
        if best == "users":
            return "users"
        return best
    if q.cat("hold"):
        return "price"
    words = {t.text for t in clause if t.kind == "word"}
    if words & {"grow", "grows", "grew", "growing", "scale", "scales", "expand", "expands",
                *read("lexicon.toml")["targets"]["growth"]}:
        return "volume"
    if words & {"cheaper", "dearer"}:
        return "price"
    pointer = any(t.text in ("it", "that", "this", "those", "them") for t in clause)
    if q.unit == "" and _word(items, q.i + 1) in lexicon().task_nouns:
        return None  # "how much is one task then?": a count of the unit, not a change
    if s.last_kind and (s.follow_up or pointer):  # "and if it doubles again?"
        if s.last_kind == "market":
            return "price"
        if s.last_kind == "calls_per_task":
            return "calls"
        if s.last_kind in VOLUME_KINDS:
            return "volume"
    return None


def _periods(clause: list[Tok]) -> int | None:
    """How many months a monthly rate compounds over: "10% a month for a year" → 12."""
    words = " ".join(t.text for t in clause)
    if not re.search(r"\bper month\b|\bmonth over month\b|\bmom\b|\bmonthly\b"
                     r"|\bevery month\b", words):
        return None
    m = re.search(r"\b(?:for|over|during|in)\s+(?:the next\s+)?(?:per\s+)?(a|one|two|\d+)?"
                  r"\s*(years?|months?)\b", words.replace("month over month", "monthly"))
    if not m:
        return None
    n = {"a": 1, "one": 1, "two": 2, None: 1}.get(m.group(1)) or int(float(m.group(1)))
    for t in clause:  # the period's number is the rate's, not another change
        if t.kind == "num" and t.unit == "" and t.text == m.group(1):
            t.used = True
    return n * 12 if m.group(2).startswith("year") else n


def _market(clause: list[Tok], quantities: list[Tok], hold: Tok | None, up: bool, down: bool,
            found: Found) -> Edit | None:
    if hold is not None:
        hold.used = True
        return Edit("market", 1.0, "prices stop falling")
    for q in quantities:
        factor: float | None = None
        if q.cat("factor"):
            f = factor_of(q)
            if q.text == "order of magnitude":
                factor = 10.0 if up else 0.1
            elif f < 1 and q.text in ("a third", "a quarter"):
                factor = 1 + f if up else 1 - f
            elif q.text == "half" and up:
                factor = 1.5
            else:
                factor = f
        elif q.unit == "x":
            factor = q.value if up or (not down and not _cheaper(clause)) else (
                1 / q.value if q.value else 0.0)
            if not up and not down and not _cheaper(clause):
                factor = None
        elif q.unit == "%":
            if down and q.value >= 100:
                q.used = True
                found.problems.append("prices cannot fall by 100% or more")
                return None
            factor = 1 - q.value / 100 if down else 1 + q.value / 100 if up else None
        if factor is None:
            continue
        q.used = True
        problem = factor_problem(factor, "price")
        if problem:
            found.problems.append(problem)
            return None
        return Edit("market", factor, _said(clause))
    return None


def _tokens(clause: list[Tok], quantities: list[Tok], target: str, up: bool, down: bool,
            s: Situation) -> Edit | None:
    """Tokens per call: a new size ("1,000 input tokens"), or a change to the one in force
    ("halve that", "30% fewer output tokens")."""
    q = quantities[0]
    current = s.answers.get(f"avg_{target}_tokens")
    if q.kind == "num" and q.unit == "":
        value = q.value
    elif current is None:
        return None
    elif q.cat("factor"):
        value = current * factor_of(q)
    elif q.unit == "x":
        value = current / q.value if down and q.value else current * q.value
    elif q.unit == "%":
        value = current * (1 - q.value / 100 if down else 1 + q.value / 100)
    else:
        return None
    q.used = True
    return Edit(f"{target}_tokens", round(value), _said(clause))


def _one_call(clause: list[Tok], items: list[Tok], s: Situation) -> Edit | None:
    """"remove a call", "add one more call": calls per task ±1."""
    call = next((t for t in clause if t.text == "call"), None)
    if call is None or _word(items, call.i - 1) not in ("a", "another", "more", "extra"):
        return None
    up = any(t.cat("add", "up") and t.i < call.i for t in clause)
    down = any(t.cat("down") and t.i < call.i for t in clause) or any(
        t.text in ("remove", "drop", "skip", "merge") for t in clause)
    if up == down:
        return None
    current = int(s.answers.get("calls_per_task") or 1)
    value = current + (1 if up else -1)
    return Edit("calls_per_task", value, _said(clause)) if value >= 1 else None


def _cheaper(clause: list[Tok]) -> bool:
    return any(t.text == "cheaper" for t in clause)


def _calls(clause: list[Tok], quantities: list[Tok], items: list[Tok], up: bool, down: bool,
           s: Situation, found: Found) -> Edit | None:
    current = float(s.answers.get("calls_per_task") or 1)
    value: float | None = None
    used: list[Tok] = []
    for q in quantities:
        if q.kind == "num" and q.unit == "" and _word(items, q.i - 1) in ("to", "=") \
                and not _old_value(items, q):
            value, used = q.value, [q]
    if value is None:
        q = quantities[0]
        if q.cat("factor"):  # "halve the calls": a whole number of calls, at least one
            value, used = max(1, round(current * factor_of(q))), [q]
        elif q.unit == "x":
            value, used = max(1, round(current * (1 / q.value if down and q.value
                                                  else q.value))), [q]
        elif q.unit == "%":
            p = q.value / 100
            value, used = round(current * (1 - p if down else 1 + p)), [q]
        elif q.unit == "":
            stated = next((u for u in quantities if u is not q and u.unit == ""
                           and _word(items, u.i - 2) == "of"), None)
            if stated is not None:  # "drop one of the 3 calls": the 3 says where it starts
                stated.used = True
                current = stated.value
            relative = (up or down or any(t.cat("add") for t in clause)) and (
                _word(items, q.i - 1) == "by" or stated is not None
                or _word(items, q.i + 1) in ("more", "fewer", "less", "extra")
                or any(t.cat("up", "down", "add") and t.i < q.i for t in clause))
            value = (current - q.value if down else current + q.value) if relative else q.value
            used = [q]
    if value is None:
        return None
    for q in used:
        q.used = True
    if not 1 <= value <= 100_000 or value != int(value):
        found.problems.append(f"calls per task must be a whole number from 1 to 100,000 "
                              f"(not {value:g})")
        return None
    return Edit("calls_per_task", int(value), _said(clause))


def _volume(clause: list[Tok], quantities: list[Tok], items: list[Tok], target: str, up: bool,
            down: bool, s: Situation, found: Found) -> Edit | None:
    q = quantities[0]
    factor: float | None = None
    if q.cat("factor"):
        f = factor_of(q)
        factor = 1.5 if q.text == "half" and up else (1 - f if f < 1 and q.text in (
            "a third", "a quarter") and down else f)
    elif q.unit == "x":
        factor = 1 / q.value if down and not up and q.value else q.value
    elif q.unit == "%" and (months := _periods(clause)) and (up or down):
        # "grows 10% a month for a year": compounding, (1 + 10%)^12
        factor = (1 + q.value / 100 if up else 1 - q.value / 100) ** months
    elif q.unit == "%":
        if up or any(t.text == "more" for t in clause):
            factor = 1 + q.value / 100
        elif down:
            factor = 1 - q.value / 100
        else:
            return None
    if factor is not None:
        q.used = True
        problem = factor_problem(factor, "volume")
        if problem:
            found.problems.append(problem)
            return None
        return Edit("volume_factor", factor, _said(clause))
    if q.unit != "":
        return None
    words = {t.text for t in clause if t.kind == "word"}
    per_day = "per day" in words or "daily" in words
    n = q.value
    if n < 2 and _word(items, q.i - 1) not in ("to", "at"):
        return None  # "one request", "a single contract": a unit, not a volume
    if _word(items, q.i + 1) in ("tokens", "token"):
        return None  # a token count is not a number of requests
    q.used = True
    if not math.isfinite(n) or n > 1e12:
        found.problems.append(f"{q.text!r} is beyond what I can compute")
        return None
    rate = per_day and s.answers.get("daily_users") is not None and (
        words & set(lexicon().targets_of("users"))) and (words & {"requests", "questions",
                                                                  "messages", "queries",
                                                                  "chats", "prompts"})
    if rate:  # "cap free users at 10 requests a day": a rate per user, not a volume
        return Edit("per_user", n, _said(clause))
    daily = target == "users" and (per_day or "dau" in words or (
        s.answers.get("daily_users") is not None and s.answers.get("monthly_requests") is None))
    adds = any(t.cat("add") and t.i < q.i for t in clause) or _word(items, q.i - 1) == "by"
    if daily:
        current = s.answers.get("daily_users")
        if adds and current is not None:  # "another 50k users a day"
            n = current - n if down and not up else current + n
        return Edit("daily_users", n, _said(clause))
    monthly = n * (s.days if per_day else 1)
    if adds and not any(t.text == "to" and t.i < q.i for t in clause):
        return Edit("add_requests", -monthly if down and not up else monthly, _said(clause))
    return Edit("requests", monthly, _said(clause))

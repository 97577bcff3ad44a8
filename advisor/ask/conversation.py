"""Ask: a conversation about one assessment, answered offline by default.

Each question is parsed into a topic and what-if edits (``intents``: typed ``tokens``, slots
filled by ``understand``, words from ``rules/ask/``); edits are recomputed by the core
(``whatif``); the answer is built from
the result, the recomputation and the article's facts (``offline`` and ``advice``, reading the
result through ``context``; money as people say it in ``figures``); with an LLM, the model
works through tools that run the core and its draft is checked by the guard before it is shown
(``grounded``), any failure falling back to the offline answer.

The conversation keeps one state, the what-if in force: every edit builds on it (a follow-up
"and if it doubles again?" as much as a new "what if traffic doubles?"), every topic answers
about it ("is that still cheaper than self-hosting?"), and "reset" drops it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from advisor.ask.answer import Answer
from advisor.ask.context import CANNOT, Context
from advisor.ask.edits import merged
from advisor.ask.intents import Edit, parse
from advisor.ask.offline import answer_for
from advisor.ask.whatif import WhatIf, apply
from advisor.core.errors import InputError
from advisor.core.result import Result
from advisor.core.rulebase import RuleBase

__all__ = ["CANNOT", "Answer", "Conversation", "answer"]

MAX_QUESTION = 600  # characters: a question is a sentence or two, not a document
EMPTY = ("Ask a question in plain words, for example \"why this tier?\" or \"what if our volume "
         "doubles?\".")


class Conversation:
    """Questions about one assessment, with the what-if in force between them."""

    def __init__(self, answers_file: Any, rulebase: RuleBase, prices: Any, *,
                 result: Result | None = None, settings: Any | None = None, store: Any = None,
                 **llm_extra: Any) -> None:
        from advisor.core.assess import assess
        from advisor.data.answers_file import read_answers_file

        if isinstance(answers_file, str | Path):
            answers_file = read_answers_file(str(answers_file))
        self.answers_file = answers_file
        self.rulebase = rulebase
        self.prices = prices
        if result is None:
            from advisor.data.clock import as_of

            result = assess(answers_file, rulebase, prices, as_of=as_of())
        self.base = result
        self.settings = settings
        self.store = store
        self.llm_extra = llm_extra
        self.edits: list[Edit] = []
        self.whatif: WhatIf | None = None

    def reset(self) -> None:
        self.edits, self.whatif = [], None

    def change(self, edits: list[Edit], *, instead: bool = False) -> WhatIf:
        """Apply ``edits`` on top of the what-if in force: the conversation's one state, which
        every later question reads (offline edits and the LLM's tool calls alike). A new value
        replaces an earlier one of the same kind (calls 30, then 25: one change, 45 → 25);
        factors multiply."""
        chain = merged(self.edits, list(edits), instead=instead)
        whatif = apply(self.answers_file, self.base, chain, self.rulebase, self.prices)
        self.edits, self.whatif = chain, whatif
        return whatif

    def undo(self, question: str) -> list[str]:
        """Drop the last change (of the kind the question names, if it names one); the labels
        of what was undone."""
        group = next((g for g, words in UNDO_GROUPS.items()
                      if any(w in question.lower() for w in words)), None)
        index = next((i for i in range(len(self.edits) - 1, -1, -1)
                      if group is None or self.edits[i].kind in UNDO_KINDS[group]), None)
        if index is None:
            return []
        dropped = self.edits[index]
        rest = self.edits[:index] + self.edits[index + 1:]
        before = self.whatif.labels if self.whatif else []
        self.reset()
        if rest:
            self.change(rest)
        after = self.whatif.labels if self.whatif else []
        gone = [label for label in before if label not in after]
        return gone or [dropped.form()]

    @property
    def result(self) -> Result:
        """The result in force: the what-if's, or the assessment's."""
        return self.whatif.result if self.whatif is not None else self.base

    def _probabilities(self) -> dict[str, float]:
        source = self.whatif.answers_file if self.whatif else self.answers_file
        given = source.assumptions.get("scenario_probabilities")
        return dict(given) if given else dict(self.rulebase.defaults["scenario_probabilities"])

    def ask(self, question: str) -> Answer:
        """The answer to ``question``, with this conversation's what-if applied as asked."""
        question = " ".join(str(question).split())
        if not question:
            return Answer(EMPTY + "\n", [], answered=False, intent="empty")
        if len(question) > MAX_QUESTION:
            return Answer(f"I cannot take a question that long ({len(question):,} characters): "
                          f"ask it in under {MAX_QUESTION} characters, one question at a "
                          "time.\n", [], answered=False, intent="too_long")
        answers = (self.whatif.answers_file if self.whatif else self.answers_file).answers
        parsed = parse(question, answers, self.rulebase, self.prices,
                       current_model=answers.get("model"),
                       probabilities=self._probabilities(),
                       defaults=dict(self.rulebase.defaults["scenario_probabilities"]),
                       last_kind=self.edits[-1].kind if self.edits else None)
        prior = list(self.edits)
        if parsed.intent == "reset":
            self.reset()
        elif parsed.intent == "undo":
            parsed.figures["undone"] = self.undo(question)
        if parsed.edits:
            try:
                self.change(parsed.edits, instead=bool(
                    re.search(r"\binstead\b|\brather than\b", question, re.IGNORECASE)))
            except InputError as exc:
                return Answer(f"That change is not a valid answer, so nothing was recomputed: "
                              f"{exc.message}.\n", [], answered=False, intent=parsed.intent)
            except (OverflowError, ValueError, ArithmeticError) as exc:
                return Answer(f"I could not recompute that: the numbers are beyond what I can "
                              f"compute ({exc}).\n", [], answered=False, intent=parsed.intent)
        whatif = self.whatif
        now = self.result
        ctx = Context(question, parsed, self.answers_file, self.base, now, whatif,
                      self.rulebase, self.prices, prior_edits=prior)
        offline = answer_for(ctx)
        if self.settings is None:
            return offline
        from advisor.ask.grounded import answer_with_llm

        def commit(edits: list[Edit], whatif: WhatIf) -> None:
            """The model's recomputed what-if replaces this question's offline one."""
            self.edits, self.whatif = merged(prior, list(edits)), whatif

        return answer_with_llm(ctx, offline, self.settings, self.store, self.llm_extra, commit)


UNDO_GROUPS = {"model": ("model", "switch"), "volume": ("volume", "traffic", "request", "user"),
               "calls": ("call",), "market": ("market", "price"),
               "probabilities": ("probabilit", "scenario", "odds")}
UNDO_KINDS = {"model": {"model", "price"}, "volume": {"volume_factor", "requests", "add_requests",
                                                      "daily_users", "per_user"},
              "calls": {"calls_per_task"}, "market": {"market", "price"},
              "probabilities": {"probabilities"}}
def answer(question: str, answers_file: Any, rulebase: RuleBase, prices: Any,
           settings: Any | None = None, *, result: Result | None = None, store: Any = None,
           **llm_extra: Any) -> Answer:
    """One question, in a conversation of its own (see :class:`Conversation`).

    ``answers_file`` is a validated answers file or a path to one; ``result`` may be passed to
    skip re-assessing; ``settings`` turns on the LLM (``llm_extra`` goes to litellm, e.g.
    ``mock_response`` in tests)."""
    if not " ".join(str(question).split()):
        return Answer(EMPTY + "\n", [], answered=False, intent="empty")
    return Conversation(answers_file, rulebase, prices, result=result, settings=settings,
                        store=store, **llm_extra).ask(question)

"""The bridge from a :class:`Session` to the pure core: validation, assessment, reports.

The TUI validates with the same pydantic models as an answers file and assesses with the same
``advisor.core.assess.assess``, so what the screen shows and what ``advisor assess`` prints on the
exported file cannot drift apart. The rule base and the price book are created once; the
heavy imports (pydantic, the price map) happen on first use, which the app triggers in a
background thread right after the first paint.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from advisor.core.errors import InputError
from advisor.data import clock
from advisor.tui.session import Session


@dataclass
class Outcome:
    """The live assessment of a session: a result, or why there is none yet."""

    result: Any = None  # advisor.core.result.Result
    error: InputError | None = None
    hint: str | None = None  # shown instead of a tier (e.g. the archetype is not answered yet)


#: What the core can raise on figures it cannot compute with (a 400-digit integer, a nesting
#: too deep): the TUI shows them as an answer it cannot use, never as a crash.
_COMPUTE_ERRORS = (OverflowError, ArithmeticError, RecursionError, ValueError, TypeError)


_PLAIN = (("a valid integer", "a whole number (300k and 1.5M work too)"),
          ("a valid number", "a number ($38,000 and 72% work too)"),
          ("greater than or equal to", "at least"), ("less than or equal to", "at most"),
          ("String should have at most", "at most"),
          (", or your own price for it under assumptions.prices", ""))


def describe(exc: InputError) -> str:
    """An InputError as one inline line, without the file name (the screen shows which field),
    in plain words: "at most 1,000,000,000,000", not "less than or equal to 1000000000000"."""
    import re

    text = exc.message
    if exc.expected:
        text += f" (expected {exc.expected})"
    for technical, plain in _PLAIN:
        text = text.replace(technical, plain)
    text = re.sub(r"(?<![\d.,])(\d{1,18})\.0(?![\d.])", r"\1", text)  # "got 300.0" -> 300
    return re.sub(r"(?<![\d.,])\d{5,18}(?![\d.])", lambda m: f"{int(m[0]):,}", text)


class Assessor:
    """Validates and assesses sessions; owns the rule base and the price book."""

    def __init__(self, rulebase: Any = None, prices: Any = None) -> None:
        self._rulebase = rulebase
        self._prices = prices
        self.price_warning: str | None = None
        self._lock = threading.Lock()
        self._labels: dict[str, str] | None = None

    @property
    def rulebase(self) -> Any:
        if self._rulebase is None:
            from advisor.data.rules import load_rulebase

            self._rulebase = load_rulebase()
        return self._rulebase

    @property
    def rule_labels(self) -> dict[str, str]:
        """Rule id -> the plain phrase shown for it (``label`` in rules/packs), read once."""
        if self._labels is None:
            self._labels = {rule.id: rule.label for rule in self.rulebase.rules if rule.label}
        return self._labels

    @property
    def prices(self) -> Any:
        with self._lock:
            if self._prices is None:
                from advisor.data.price_map import default_price_book, price_book

                try:
                    self._prices = default_price_book()
                except InputError as exc:
                    # A broken prices.toml must not lock the person out of the TUI: say so, and
                    # price with litellm's map alone.
                    self.price_warning = f"your price file is ignored: {exc}"
                    self._prices = price_book()
            return self._prices

    def warm_up(self) -> None:
        """Pay the one-off costs (imports, price map) before the first answer needs them."""
        import advisor.core.assess
        import advisor.core.loading

        self.rulebase  # noqa: B018
        self.prices.names()
        suggest = getattr(self.prices, "suggest", None)
        if callable(suggest):
            suggest("gpt")  # builds the model pick list's pool of names
        import advisor.render.report  # noqa: F401

    def model_names(self) -> list[str]:
        """The names offered while typing a model: the ones people recognise, shortest first."""
        prices = self.prices
        names = getattr(prices, "recognisable", None)
        return list(names()) if callable(names) else prices.names()

    def model_suggestions(self, session: Session, text: str, limit: int = 6) -> list[str]:
        """Model names ranked by closeness to ``text``, the closest first; open-weight names
        ("Llama 3.1 70B") lead when the answers say the work runs in house."""
        from advisor.core.prices import in_house_by_answers

        suggest = getattr(self.prices, "suggest", None)
        if not callable(suggest):
            return []
        return list(suggest(text, limit, in_house=in_house_by_answers(session.values())))
    def validate(self, data: dict[str, Any]) -> Any:
        """The answers-file model for ``data``; raises InputError exactly as a file would."""
        from advisor.data.answers_file import validate_answers

        return validate_answers(data)

    def field_error(self, session: Session, qid: str, value: Any) -> str | None:
        """The message for ``value`` as the answer to ``qid``, or None when it is acceptable."""
        return self.check_answer(session, qid, value)[0]

    def check_answer(self, session: Session, qid: str,
                     value: Any) -> tuple[str | None, Outcome]:
        """Validate ``value`` as the answer to ``qid`` and assess the answers it would give.

        Returns (message, outcome): the inline message when the answer is rejected, else None
        and the live assessment with it, so an accepted answer costs one validation and one
        assessment. Validation uses the would-be answers file; an unknown model is only found
        by the assessment itself (the price book).
        """
        data = session.answers_file_dict()
        data["answers"] = {k: v for k, v in session.would_be(qid, value).items()
                           if v is not None}
        path = f"answers.{qid}"
        hint = self._hint(data, session.role)
        if hint is None:
            try:
                return None, Outcome(result=self.assess_dict(data))
            except InputError as exc:
                if exc.path in (path, None):
                    return describe(exc), Outcome(error=exc)
                return f"{self.field_name(exc.path, session.role)}: {describe(exc)}", \
                    Outcome(error=exc)
            except _COMPUTE_ERRORS:
                error = InputError("this figure is too large to compute with", path=path,
                                   expected="a smaller number")
                return describe(error), Outcome(error=error)
        # Before the required answer there is no assessment, only this field to check.
        try:
            self.validate(data)
        except InputError as exc:
            if exc.path == path:
                return describe(exc), Outcome(error=exc)
        except _COMPUTE_ERRORS:
            return "this figure is too large to use", Outcome(hint=hint)
        return None, Outcome(hint=hint)

    def field_name(self, path: str | None, role: str | None = None) -> str:
        """A field path as a person reads it: the question's prompt, not its id."""
        qid = (path or "").removeprefix("answers.")
        question = self.rulebase.questionnaire.by_id.get(qid)
        if question is not None:
            return f"“{question.prompt_for(role)}”"
        if (path or "").startswith("assumptions"):
            return "The assumptions"
        return path or "The answers"

    def _hint(self, data: dict[str, Any], role: str | None = None) -> str | None:
        """Why there is no tier yet (a required answer is missing), or None."""
        missing = next((q for q in self.rulebase.questionnaire.questions
                        if q.required and q.id not in data["answers"]), None)
        return f"Answer “{missing.prompt_for(role)}” to see a tier." if missing else None

    def probabilities_error(self, session: Session, probs: dict[str, Any]) -> str | None:
        """The message for edited scenario probabilities, from the answers-file model."""
        data = session.answers_file_dict()
        data["assumptions"] = {**data.get("assumptions", {}), "scenario_probabilities": probs}
        try:
            self.validate(data)
        except InputError as exc:
            scenario = (exc.path or "").rpartition(".")[2]
            titles = {s.id: s.title for s in self.rulebase.scenarios}
            prefix = f"{titles[scenario]}: " if scenario in titles else ""
            return prefix + describe(exc)
        return None

    # ------------------------------------------------------------------ assessment

    def assess(self, session: Session) -> Outcome:
        """Assess the session's answers; no tier until the required answer is given."""
        data = session.answers_file_dict()
        hint = self._hint(data, session.role)
        if hint is not None:
            return Outcome(hint=hint)
        try:
            return Outcome(result=self.assess_dict(data))
        except InputError as exc:
            return Outcome(error=exc)
        except _COMPUTE_ERRORS:
            return Outcome(error=InputError("these answers hold a figure too large to compute "
                                            "with", expected="smaller numbers"))

    def assess_dict(self, data: dict[str, Any]) -> Any:
        from advisor.core.assess import assess

        return assess(self.validate(data), self.rulebase, self.prices, as_of=clock.as_of())

    def report(self, result: Any, fmt: str) -> str:
        from advisor.render.report import render

        return render(result, self.rulebase, fmt)

    def sanitize(self, session: Session) -> list[str]:
        """Drop answers the models reject (a draft from an older questionnaire); return ids."""
        dropped: list[str] = []
        for _ in range(len(session.answers) + 1):
            data = session.answers_file_dict()
            try:
                self.validate(data)
                return dropped
            except InputError as exc:
                qid = (exc.path or "").removeprefix("answers.")
                if qid in session.answers:
                    del session.answers[qid]
                    dropped.append(qid)
                    session.normalize()
                elif exc.path and exc.path.startswith("assumptions"):
                    session.assumptions.clear()
                    dropped.append("assumptions")
                else:
                    return dropped
        return dropped


"""The state of one assessment being filled in, and the rules for walking the questionnaire.

Kept free of Textual so the navigation rules (which question comes next, which answers stop
counting when an earlier answer changes, how far along the person is) can be unit-tested on
their own and shared by every screen. The questionnaire is the only source of questions: this
module never holds a copy of one.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any

from advisor.core.questionnaire import Question, Questionnaire

#: Version of the draft file layout (advisor/tui/drafts.py), not of the answers file.
DRAFT_VERSION = 1

def _assumed(cond: Any, values: Mapping[str, Any], ahead: set[str]) -> bool | None:
    """``cond`` on ``values``, where the questions in ``ahead`` will have been answered by then:
    ``x != null`` is true and ``x == null`` false for them, and any other test is unknown."""
    parts = getattr(cond, "parts", None)
    if parts is not None:
        results = [_assumed(p, values, ahead) for p in parts]
        if cond.kind == "all":
            return False if False in results else (None if None in results else True)
        return True if True in results else (None if None in results else False)
    if cond.name in ahead:
        return (cond.op == "!=") if cond.value is None else None
    result: bool | None = cond.evaluate(values)
    return result


#: Sentinel meaning "no question: the walk is over and the review screen is next".
REVIEW = "__review__"
#: Where the app returns to after Review when results are showing.
RESULTS = "__results__"


class Session:
    """Role, organization and answers of one assessment, plus where the person is.

    ``answers`` maps question id -> value, where ``None`` is an explicit "don't know" (the
    question was seen and skipped). Unanswered questions are simply absent. Only known values
    go into the answers file, but a draft keeps the "don't know"s so a resumed session does not
    ask them again.
    """

    def __init__(self, questionnaire: Questionnaire, role: str, *, organization: str = "",
                 answers: Mapping[str, Any] | None = None,
                 assumptions: Mapping[str, Any] | None = None,
                 current: str | None = None, draft_id: str | None = None) -> None:
        if role not in questionnaire.roles:
            raise ValueError(f"unknown role {role!r}")
        self.questionnaire = questionnaire
        self.role = role
        self.organization = organization
        self.answers: dict[str, Any] = {k: v for k, v in (answers or {}).items()
                                        if k in questionnaire.by_id}
        self.assumptions: dict[str, Any] = copy.deepcopy(dict(assumptions or {}))
        self.draft_id = draft_id or uuid.uuid4().hex[:12]
        self.normalize()
        self.current = current if current in self._relevant_ids() else self.resume_point()

    # ------------------------------------------------------------------ questions

    def questions(self) -> list[Question]:
        """The role's questions, in questionnaire order (relevant or not)."""
        return self.questionnaire.for_role(self.role)

    def _walk(self, answers: Mapping[str, Any]) -> tuple[dict[str, Any], list[Question]]:
        """One pass in questionnaire order: the answers kept and the role's questions that apply.

        A question's relevance is judged on the answers kept *before* it, so answering a
        question never changes whether that same question applies, and an answer whose question
        has stopped applying is dropped before it can influence anything later.
        """
        kept: dict[str, Any] = {}
        known: dict[str, Any] = {}
        relevant: list[Question] = []
        for q in self.questionnaire.questions:
            asked = q.asked_of(self.role)
            if not asked and q.id not in answers:
                continue
            if not q.is_relevant(known):
                continue
            if asked:
                relevant.append(q)
            if q.id in answers:
                kept[q.id] = answers[q.id]
                if answers[q.id] is not None:
                    known[q.id] = answers[q.id]
        return kept, relevant

    def relevant_questions(self) -> list[Question]:
        """The role's questions that apply given the current answers, in order."""
        return self._walk(self.answers)[1]

    def _relevant_ids(self) -> list[str]:
        return [q.id for q in self.relevant_questions()]

    def extra_answers(self) -> dict[str, Any]:
        """Answers to questions this role is not asked (from a loaded file), kept as they are."""
        return {k: v for k, v in self.answers.items()
                if not self.questionnaire.by_id[k].asked_of(self.role)}

    def normalize(self) -> list[str]:
        """Drop answers whose question no longer applies; return the ids dropped."""
        kept, _ = self._walk(self.answers)
        dropped = [k for k in self.answers if k not in kept]
        self.answers = kept
        return dropped

    def values(self) -> dict[str, Any]:
        """The known answers (no "don't know"s), as the core and the conditions read them."""
        return {k: v for k, v in self.answers.items() if v is not None}

    # ------------------------------------------------------------------ answering

    def would_be(self, qid: str, value: Any) -> dict[str, Any]:
        """The answers after setting ``qid`` to ``value`` (irrelevant ones dropped)."""
        kept, _ = self._walk({**self.answers, qid: value})
        return kept

    def set_answer(self, qid: str, value: Any) -> list[str]:
        """Record an answer (``None`` = don't know); return the ids of answers it made moot."""
        if qid not in self.questionnaire.by_id:
            raise KeyError(qid)
        question = self.questionnaire.by_id[qid]
        if value is None and question.required:
            raise ValueError(f"{qid} is required and cannot be left unknown")
        self.answers[qid] = value
        return self.normalize()

    def is_answered(self, qid: str) -> bool:
        return qid in self.answers

    # ------------------------------------------------------------------ navigation

    def _order(self, qid: str) -> int:
        return next(i for i, q in enumerate(self.questionnaire.questions) if q.id == qid)

    def next_question(self, after: str | None) -> Question | None:
        """The first applicable question after ``after`` (or the first one when None)."""
        relevant = self.relevant_questions()
        if after is None or after == REVIEW:
            return relevant[0] if relevant and after is None else None
        pos = self._order(after)
        return next((q for q in relevant if self._order(q.id) > pos), None)

    def previous_question(self, before: str | None) -> Question | None:
        """The applicable question before ``before``; from the review, the last one."""
        relevant = self.relevant_questions()
        if before is None or before == REVIEW:
            return relevant[-1] if relevant else None
        pos = self._order(before)
        earlier = [q for q in relevant if self._order(q.id) < pos]
        return earlier[-1] if earlier else None

    def resume_point(self) -> str:
        """Where to pick up: the first applicable unanswered question, else the review."""
        return next((q.id for q in self.relevant_questions() if q.id not in self.answers),
                    REVIEW)

    def progress(self, qid: str | None = None) -> tuple[int, int, int]:
        """(position of ``qid`` counting from 1, questions expected in all, how many answered).

        The position counts the questions that apply up to ``qid``. The total assumes the
        person will answer the questions still ahead (a model will be named, the monthly
        volume given), so it does not jump when they do: it changes only when an answer
        removes questions ("don't know" on the model) or asks for more (volume unknown, so
        users and requests per user are asked).
        """
        relevant = self._relevant_ids()
        qid = qid or self.current
        position = relevant.index(qid) + 1 if qid in relevant else len(relevant)
        answered = sum(1 for q in relevant if q in self.answers)
        return position, max(self.expected_total(qid), position), answered

    def expected_total(self, qid: str | None = None) -> int:
        """How many questions the walk will have if the ones from ``qid`` on are answered,
        in order (so "monthly volume" answered makes "users a day" moot)."""
        qid = qid or self.current
        order = {q.id: i for i, q in enumerate(self.questionnaire.questions)}
        here = order.get(qid, len(order))
        known: dict[str, Any] = {}
        will_answer: set[str] = set()
        total = 0
        for q in self.questionnaire.questions:
            asked = q.asked_of(self.role)
            if not asked and q.id not in self.answers:
                continue
            if _assumed(q.relevant, known, will_answer) is False:
                continue
            if asked:
                total += 1
            if self.answers.get(q.id) is not None:
                known[q.id] = self.answers[q.id]
            elif q.id not in self.answers and order[q.id] >= here:
                will_answer.add(q.id)
        return total

    # ------------------------------------------------------------------ files

    def answers_file_dict(self) -> dict[str, Any]:
        """The answers file this session stands for: what ``advisor assess`` reads."""
        order = {q.id: i for i, q in enumerate(self.questionnaire.questions)}
        known = sorted(((k, v) for k, v in self.answers.items() if v is not None),
                       key=lambda kv: order[kv[0]])
        data: dict[str, Any] = {"schema_version": 1, "role": self.role}
        if self.organization.strip():
            data["organization"] = self.organization.strip()
        data["answers"] = dict(known)
        if self.assumptions:
            data["assumptions"] = copy.deepcopy(self.assumptions)
        return data

    def draft_dict(self) -> dict[str, Any]:
        """Everything needed to resume, "don't know"s and position included."""
        return {"draft_version": DRAFT_VERSION, "id": self.draft_id, "role": self.role,
                "organization": self.organization, "answers": dict(self.answers),
                "assumptions": copy.deepcopy(self.assumptions), "current": self.current}

    @classmethod
    def from_draft(cls, questionnaire: Questionnaire, data: Mapping[str, Any]) -> Session:
        """Rebuild a session from :meth:`draft_dict` output; unknown question ids are ignored."""
        if data.get("draft_version") != DRAFT_VERSION:
            raise ValueError("unsupported draft version")
        answers = data.get("answers")
        assumptions = data.get("assumptions")
        return cls(questionnaire, str(data.get("role")),
                   organization=str(data.get("organization") or ""),
                   answers=answers if isinstance(answers, dict) else {},
                   assumptions=assumptions if isinstance(assumptions, dict) else {},
                   current=data.get("current") if isinstance(data.get("current"), str) else None,
                   draft_id=str(data.get("id") or "") or None)

    @classmethod
    def from_answers_file(cls, questionnaire: Questionnaire, answers_file: Any) -> Session:
        """A session from a validated answers file (``advisor.core.loading``)."""
        data = answers_file.as_data()
        return cls(questionnaire, answers_file.role,
                   organization=answers_file.organization or "",
                   answers=data["answers"], assumptions=data.get("assumptions", {}))

    # ------------------------------------------------------------------ scenarios

    def scenario_probabilities(self) -> dict[str, float] | None:
        probs = self.assumptions.get("scenario_probabilities")
        return dict(probs) if isinstance(probs, dict) else None

    def set_scenario_probabilities(self, probs: Mapping[str, float] | None) -> None:
        """Store edited probabilities (``None`` goes back to the documented defaults)."""
        if probs is None:
            self.assumptions.pop("scenario_probabilities", None)
        else:
            self.assumptions["scenario_probabilities"] = dict(probs)

"""Assessing one batch item, in a worker process (or a thread, or inline).

A worker loads the rule base, the price book and the templates once (:func:`init_process`),
then turns items into :class:`Outcome` tuples: small, picklable, holding only what the parent
needs for the summary. With history on, each item's history row (its answers, result and
report, about 20 KB) is built here too; a worker process records its chunk's rows itself
(:func:`process_chunk`), while the inline and LLM paths hand them to the parent.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from advisor.batch.inputs import Item
from advisor.batch.output import write_report
from advisor.core.assess import assess
from advisor.core.errors import InputError
from advisor.data import clock
from advisor.data.answers_file import load_answers_bytes, read_input_file
from advisor.history.store import assessment_row
from advisor.render.report import builtin_narrative, render

# What the parent asks for each item.
NEW = 0  # no report yet: assess, render, write, and (with history) build the history row
DONE = 1  # the report exists and history has it: assess only, for the summary, if the
#           input's digest is still the one history kept (else it is NEW after all)
DONE_UNRECORDED = 2  # no longer planned (resume compares digests); kept for old callers


class Task(NamedTuple):
    item: Item
    report: str  # file name in the output folder
    mode: int
    # For DONE: the stored narrative's (source, model, usd, input tokens, output tokens)
    # and the stored input's SHA-256.
    known: tuple[Any, ...] | None = None


class Outcome(NamedTuple):
    """What the parent keeps of one item. ``error`` set means the item failed."""

    seq: int
    source: str
    report: str | None
    error: str | None
    bug: bool  # the error is ours (an unexpected exception), not the input's
    mode: int
    role: str | None = None
    organization: str | None = None
    tier: str | None = None
    score: int = 0
    monthly_usd: float | None = None
    baseline_usd: float | None = None
    expected_usd: float | None = None
    fired: tuple[str, ...] = ()
    recommendations: tuple[str, ...] = ()
    narrative_source: str | None = None
    narrative_usd: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    history_row: tuple[Any, ...] | None = None
    # For the portfolio summary's totals by basis, bill gaps and per-item lines (issue 22).
    confidence: float | None = None
    top_action: str | None = None  # the first recommendation's title
    in_house: bool = False  # monthly_usd is the in-house cost of owned GPUs, not an API's
    bill_usd: float | None = None  # the bill the answers reported
    bill_ratio: float | None = None  # bill ÷ computed cost
    bill_differs: bool | None = None  # more than 20% apart (costs.md)


Narrator = Callable[[Any], Any]  # result -> Narrative


@dataclass
class Context:
    """Everything loaded once per worker and shared by every item it assesses."""

    rulebase: Any
    prices: Any
    out_dir: Path  # absolute, so history rows name reports wherever the command ran
    fmt: str
    history: bool
    narrator: Narrator | None = None
    template_reload: bool = True

    def release(self) -> None:
        """Undo what :func:`make_context` changed in this process (template reloading)."""
        from advisor.render.report import environment

        environment().auto_reload = self.template_reload


def make_context(out_dir: Path, fmt: str, history: bool,
                 narrator: Narrator | None = None) -> Context:
    """Load (or reuse, after fork) the rule base and prices, and compile the templates."""
    from advisor.data.price_map import default_price_book
    from advisor.data.rules import load_rulebase
    from advisor.render.report import environment

    prices = default_price_book()
    prices.names()  # read the price map now, not on the first item that names a model
    env = environment()
    for name in ("report.md.j2", "report.html.j2", "narrative.md.j2", "_headline.md.j2",
                 "summary.md.j2"):
        env.get_template(name)
    ctx = Context(load_rulebase(), prices, out_dir.resolve(), fmt, history, narrator,
                  template_reload=env.auto_reload)
    # Every item of a batch is rendered with the templates as they were when it started:
    # no mix of old and new wording if a template is edited mid-run, and no stat of each
    # template file per item (15% of the render time). release() restores the setting.
    env.auto_reload = False
    return ctx


_CONTEXT: Context | None = None


def set_context(ctx: Context | None) -> None:
    """Install the parent's context, so forked workers inherit it already loaded."""
    global _CONTEXT
    _CONTEXT = ctx


#: How often a worker without PR_SET_PDEATHSIG (not Linux) checks that its parent lives.
PARENT_WATCH_S = 1.0


def die_with_parent() -> None:
    """End this worker when the batch that started it ends, however it ends (SIGKILL too).

    A worker that outlives its parent keeps writing into a folder nobody watches. On Linux
    the kernel sends SIGKILL at the parent's death (``PR_SET_PDEATHSIG``); elsewhere a
    daemon thread checks the parent's pid. Either way a parent already gone ends us now.
    """
    parent = os.getppid()
    armed = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    if armed:
        return
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_WATCH_S)
        os._exit(1)

    threading.Thread(target=watch, name="advisor-parent-watch", daemon=True).start()


def init_process(out_dir: str, fmt: str, history: bool, home: str | None) -> None:
    """Process-pool initializer: the parent alone handles Ctrl-C, then stops the pool.

    Under ``fork`` the context came with the process and nothing is loaded again; under
    ``spawn`` (macOS, Windows) each worker loads it here, once.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    if home:
        from advisor.data import paths

        paths.set_home(home)
    ctx = _CONTEXT
    if ctx is None or ctx.out_dir != Path(out_dir) or ctx.fmt != fmt or ctx.history != history:
        set_context(make_context(Path(out_dir), fmt, history))


class ChunkDone(NamedTuple):
    """A worker's answer for one chunk."""

    outcomes: list[Outcome]  # their history rows already recorded, so dropped (None)
    recorded: int  # history rows this chunk added
    store_error: str | None  # why this worker stopped recording, the first time only


class _WorkerHistory:
    """The worker's own connection to the history store, opened on its first chunk.

    Recording where the rows are built keeps the reports and results (about 20 KB an
    item) out of the pipe to the parent and out of the parent's memory; one transaction
    per chunk, and SQLite's WAL lets the workers and the parent take turns.
    """

    def __init__(self) -> None:
        self.store: Any = None
        self.broken = False

    def record(self, rows: list[tuple[Any, ...]]) -> str | None:
        """Insert ``rows``; on a store problem, stop for good and say why (once)."""
        from advisor.history.store import Store, StoreError

        if self.broken or not rows:
            return None
        try:
            if self.store is None:
                self.store = Store.open()
                from multiprocessing.util import Finalize

                Finalize(self.store, self.store.close, exitpriority=10)
            self.store.record_rows(rows)
        except StoreError as exc:
            self.broken = True
            return str(exc)
        return None


_HISTORY = _WorkerHistory()


def process_chunk(tasks: list[Task]) -> ChunkDone:
    """Assess a chunk of tasks in this worker (one pickled round trip per chunk), and keep
    the chunk in history."""
    ctx = _CONTEXT
    assert ctx is not None, "init_process did not run"
    outcomes = [process(ctx, task) for task in tasks]
    rows = [o.history_row for o in outcomes if o.history_row is not None]
    if not rows:
        return ChunkDone(outcomes, 0, None)
    error = _HISTORY.record(rows)
    recorded = 0 if _HISTORY.broken else len(rows)
    return ChunkDone([o._replace(history_row=None) if o.history_row is not None else o
                      for o in outcomes], recorded, error)


def _read(item: Item) -> bytes:
    """The item's bytes (bounded, never blocking: see read_input_file)."""
    if item.error:
        raise InputError(item.error, file=item.source)
    if item.data is not None:
        return item.data
    assert item.path is not None
    return read_input_file(item.path)


def process(ctx: Context, task: Task) -> Outcome:
    """One item, start to finish; every failure becomes the outcome's ``error``."""
    item = task.item
    try:
        return _process(ctx, task)
    except InputError as exc:
        error = exc if exc.file else exc.with_file(item.source)
        return Outcome(item.seq, item.source, None, str(error), False, task.mode)
    except Exception as exc:  # a bug must not stop the other 99,999 items
        return Outcome(item.seq, item.source, None,
                       f"{item.source}: internal error ({type(exc).__name__}: {exc}); "
                       "please report it", True, task.mode)


def _process(ctx: Context, task: Task) -> Outcome:
    item = task.item
    data = _read(item)
    digest = hashlib.sha256(data).hexdigest()
    if task.mode == DONE and (task.known is None or task.known[-1] != digest):
        task = task._replace(mode=NEW, known=None)  # edited since its report was written
    answers = load_answers_bytes(data, file=item.source)
    result = assess(answers, ctx.rulebase, ctx.prices, as_of=clock.as_of())
    target = os.path.join(ctx.out_dir, task.report)
    report: str | None = None
    if task.mode == NEW:
        if ctx.narrator is not None:
            result.narrative = ctx.narrator(result)
        report = render(result, ctx.rulebase, ctx.fmt)
        try:
            write_report(target, report)
        except OSError as exc:
            raise InputError(f"cannot write the report: {exc.strerror}", file=target) from None
    elif task.mode == DONE_UNRECORDED and ctx.history:
        # Keep in history exactly what the earlier run wrote.
        with open(target, encoding="utf-8", newline="") as fh:
            report = fh.read()
        result.narrative = builtin_narrative(result, ctx.rulebase)
    row = None
    if ctx.history and report is not None:
        row = assessment_row(answers.as_data(), result, report,
                             ctx.fmt, origin="batch", source=item.source,
                             report_path=target, input_sha256=digest)
    costs = result.costs  # read by attribute (core/cost_records.py)
    bill = costs.bill if costs is not None else None
    if result.narrative is not None:
        narrative = result.narrative.to_dict()
    elif task.known:  # finished by an earlier run: what history says its narrative cost
        narrative = dict(zip(("source", "model", "usd", "input_tokens", "output_tokens"),
                             task.known[:5], strict=True))
    else:
        narrative = {}
    return Outcome(
        item.seq, item.source, task.report, None, False, task.mode,
        role=result.role, organization=result.organization, tier=result.tier,
        score=result.score,
        monthly_usd=costs.monthly_usd if costs else None,
        baseline_usd=costs.baseline_2023.monthly_usd if costs and costs.baseline_2023 else None,
        expected_usd=costs.scenarios.expected_monthly_usd if costs and costs.scenarios else None,
        fired=tuple(r.id for r in result.fired_rules),
        recommendations=tuple(r.id for r in result.recommendations),
        narrative_source=narrative.get("source"), narrative_usd=narrative.get("usd"),
        input_tokens=narrative.get("input_tokens"), output_tokens=narrative.get("output_tokens"),
        history_row=row,
        confidence=result.confidence,
        top_action=result.recommendations[0].title if result.recommendations else None,
        in_house=costs is not None and costs.current is not None
        and costs.current.basis == "in_house",
        bill_usd=bill.reported_usd if bill else None, bill_ratio=bill.ratio if bill else None,
        bill_differs=bill.differs if bill else None,
    )

"""``advisor batch``: many answers files -> one report each, a portfolio summary, history.

The run is a stream. Items are read lazily (:mod:`advisor.batch.inputs`), handed to worker
processes in chunks with a bounded number in flight, and their outcomes come back in input
order to be folded into the summary (:mod:`advisor.batch.summary`). Each worker keeps its
chunk in history in one transaction (:mod:`advisor.batch.worker`), so reports and results
never travel back to the parent. Memory stays flat however many items there are.

With ``--llm`` the narrative of each item is an LLM call: the work is waiting, not
computing, so a small pool of threads (``--jobs``, default 4) bounds how many calls are in
flight; each item falls back to the built-in narrative on its own.

Resume: reports are written atomically, so a report that exists is complete, and its name
follows from its input's path alone (:mod:`advisor.batch.output`). A re-run with the same
``-o`` reads every input again and compares the SHA-256 of its bytes with the digest history
kept for that report: equal, the item is assessed again for the summary (cheap) but not
rendered, written, recorded or sent to the LLM again; different (the input was edited) or
unknown (history off, or no row for that report), it is assessed, written and recorded anew.
One batch writes to an output folder at a time (:class:`~advisor.batch.output.FolderLock`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from advisor.batch.inputs import Item, count_items, iter_items
from advisor.batch.output import (
    EXTENSIONS,
    FolderLock,
    ReportNamer,
    prepare_output_folder,
    remove_stale_temporaries,
    report_is_complete,
)
from advisor.batch.summary import PortfolioSummary
from advisor.batch.worker import (
    DONE,
    NEW,
    Context,
    Outcome,
    Task,
    init_process,
    make_context,
    process,
    process_chunk,
    set_context,
)
from advisor.core.errors import InputError

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 1, 2
CHUNK = 64  # items per round trip to a worker (and per history transaction there)
IN_FLIGHT_PER_JOB = 3  # chunks queued per worker: enough to never starve, bounded memory
HISTORY_GROUP = 200  # history rows per transaction (about 4 MB of reports and results)
LLM_CONCURRENCY = 4  # LLM calls in flight when --jobs is not given
SHOWN_ERRORS = 5  # invalid items echoed on stderr (all of them are in the summary)

T = TypeVar("T")


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every item was assessed, 2 when some were invalid, 1 on a bug."""
    out = prepare_output_folder(args.output)
    jobs = _jobs(args)
    with FolderLock(out):
        return _locked_run(args, out, jobs)


def _locked_run(args: argparse.Namespace, out: Path, jobs: int | None) -> int:
    remove_stale_temporaries(out)
    llm = bool(getattr(args, "llm", None))
    narrator = _narrator(args) if llm else None
    history = not args.no_history and _store_usable()
    ctx = make_context(out, args.format, history, narrator)
    workers = jobs or (LLM_CONCURRENCY if llm else os.cpu_count() or 1)
    pool = None
    try:
        # Fork the workers before the history store is opened: a SQLite connection must
        # not cross a fork.
        if not llm and workers > 1:
            pool = _start_pool(ctx, workers)
        return _run(args, out, ctx, pool, workers)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
            set_context(None)
        ctx.release()


def _run(args: argparse.Namespace, out: Path, ctx: Context, pool: Any, workers: int) -> int:
    import sqlite3

    show_progress = not args.no_progress and sys.stderr.isatty()
    total = count_items(args.paths, exclude=out) if show_progress else None
    history = _open_history() if ctx.history else None
    if history is None:
        ctx.history = False  # the inline and threaded paths then skip building rows
    summary = PortfolioSummary(ctx.rulebase, ctx.fmt)
    namer = ReportNamer(EXTENSIONS[ctx.fmt])
    recorder = _HistoryRecorder(history, group=1 if ctx.narrator else HISTORY_GROUP)
    tasks = _plan(iter_items(args.paths, exclude=out), namer, ctx, recorder)
    outcomes: Generator[Outcome, None, None]
    if ctx.narrator is not None:
        outcomes = _threaded(tasks, ctx, workers)
    elif pool is not None:
        outcomes = _pooled(tasks, pool, workers, recorder)
    else:
        outcomes = (process(ctx, task) for task in tasks)
    try:
        with _progress(total, show_progress) as tick:
            for outcome in outcomes:
                summary.add(outcome)
                recorder.add(outcome)
                tick(outcome)
    except KeyboardInterrupt:
        summary.close()
        print(f"advisor: batch interrupted after {summary.items:,} items; run the same "
              "command again to resume (finished reports are kept)", file=sys.stderr)
        raise
    except _WorkerDied as exc:
        summary.close()
        print(f"advisor: error: a worker process stopped ({exc}); run the same command "
              "again to resume (finished reports are kept)", file=sys.stderr)
        return EXIT_BUG
    except (OSError, sqlite3.Error) as exc:  # the summary's spill on a full temp disk
        summary.close()
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(f"cannot keep the summary's rows: {reason}; run the same command "
                         "again to resume (finished reports are kept)", file=str(out)) from None
    finally:
        outcomes.close()
        namer.close()
        recorder.close()  # what finished is kept in history, even on an interrupt
    try:
        _write_summary(summary, out)
        _report(summary, out, recorder)
    finally:
        summary.close()
    if summary.bugs:
        return EXIT_BUG
    return EXIT_INPUT if summary.invalid else EXIT_OK


def _jobs(args: argparse.Namespace) -> int | None:
    jobs = args.jobs
    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs {jobs}: must be 1 or more")
    return jobs


# ---------------------------------------------------------------------- planning


def _plan(items: Iterable[Item], namer: ReportNamer, ctx: Context,
          recorder: _HistoryRecorder) -> Iterator[Task]:
    """Name each item's report and decide, from what is on disk, what is left to do."""
    for item in items:
        report = namer.name_for(item.stem, item.identity or None)
        target = os.path.join(ctx.out_dir, report)
        known = None
        # DONE is a candidate here: the worker reads the input and keeps it DONE only when
        # its digest is the one history kept for this report.
        if (report_is_complete(target) and recorder.active
                and (known := recorder.narrative_for(target)) is not None and known[-1]):
            mode = DONE
        else:
            mode, known = NEW, None
        yield Task(item, report, mode, known)


# ---------------------------------------------------------------------- running


class _WorkerDied(Exception):
    """A worker process ended abruptly (killed, out of memory)."""


def _chunks(tasks: Iterator[Task], size: int) -> Iterator[list[Task]]:
    while chunk := list(islice(tasks, size)):
        yield chunk


def _bounded(submit: Callable[[T], Any], work: Iterator[T], in_flight: int) -> Iterator[Any]:
    """Submit ``work`` with at most ``in_flight`` futures pending; yield results in order.

    ``Executor.map`` would submit everything at once (the whole portfolio in memory);
    here the input is read only as fast as results come back.
    """
    window: deque[Any] = deque(submit(w) for w in islice(work, in_flight))
    while window:
        result = window.popleft().result()
        for w in islice(work, 1):
            window.append(submit(w))
        yield result


def _start_pool(ctx: Context, jobs: int) -> Any:
    """Worker processes, started now (so before any thread or SQLite connection exists)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from advisor.data import paths

    # fork shares the loaded rule base, price book and templates with every worker.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    set_context(ctx)
    home = paths.home()
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context(method),
        initializer=init_process,
        initargs=(str(ctx.out_dir), ctx.fmt, ctx.history, str(home) if home else None))
    pool.submit(int).result()  # the first submit starts every worker
    return pool


def _pooled(tasks: Iterator[Task], pool: Any, jobs: int,
            recorder: _HistoryRecorder) -> Generator[Outcome, None, None]:
    """Built-in narratives: CPU work, so processes, fed in chunks. The workers keep their
    items in history themselves (see batch_worker.ChunkDone)."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        for done in _bounded(lambda c: pool.submit(process_chunk, c), _chunks(tasks, CHUNK),
                             jobs * IN_FLIGHT_PER_JOB):
            recorder.recorded_elsewhere(done.recorded, done.store_error)
            yield from done.outcomes
    except BrokenProcessPool as exc:
        raise _WorkerDied(str(exc) or "broken process pool") from None


def _threaded(tasks: Iterator[Task], ctx: Context,
              concurrency: int) -> Generator[Outcome, None, None]:
    """LLM narratives: waiting on the network, so threads, at most ``concurrency`` calls."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=concurrency,
                            thread_name_prefix="advisor-llm") as executor:
        try:
            yield from _bounded(lambda t: executor.submit(process, ctx, t), tasks,
                                concurrency * 2)
        finally:
            executor.shutdown(wait=True, cancel_futures=True)


def _narrator(args: argparse.Namespace) -> Callable[[Any], Any]:
    """``result -> Narrative`` through the LLM; any failure gives the built-in narrative."""
    from advisor.data.rules import load_rulebase
    from advisor.llm.narrative import narrate
    from advisor.llm.settings import settings_from_args
    from advisor.render.report import builtin_narrative

    settings = settings_from_args(args)
    rulebase = load_rulebase()

    def narrator(result: Any) -> Any:
        try:
            return narrate(result, rulebase, settings)
        except Exception as exc:  # narrate should not raise; one item must not stop the rest
            fallback = builtin_narrative(result, rulebase)
            fallback.note = (f"The LLM narrative failed ({type(exc).__name__}); this is the "
                             "built-in narrative.")
            return fallback

    return narrator


# ---------------------------------------------------------------------- history


def _store_usable() -> bool:
    """Open (creating or upgrading) and close the store, so that a store that cannot be
    used turns history off before the workers start (they would build rows for nothing).
    No connection stays open: the workers are forked next."""
    from advisor.history.store import Store, StoreError

    try:
        Store.open().close()
    except StoreError as exc:
        _warn(f"items not kept in history: {exc}")
        return False
    return True


def _open_history() -> Any:
    from advisor.history.store import Store, StoreError

    try:
        return Store.open()
    except StoreError as exc:
        _warn(f"items not kept in history: {exc}")
        return None


class _HistoryRecorder:
    """Buffers history rows and writes them a group per transaction (inline and LLM runs;
    worker processes record their own chunks), and looks up what earlier runs kept.

    A store problem mid-run turns history off with one warning; the reports and the
    summary are what the user asked for and they carry on.
    """

    def __init__(self, store: Any, group: int) -> None:
        self.store = store
        self.group = group
        self.pending: list[tuple[Any, ...]] = []
        self.recorded = 0
        self.warned = False

    @property
    def active(self) -> bool:
        return self.store is not None

    def narrative_for(self, report_path: str) -> tuple[Any, ...] | None:
        """The stored narrative metadata of a finished report; None if history lacks it.

        Should the store fail here, the report is treated as recorded: better a missing
        history row than a report assessed twice.
        """
        return self._guard(lambda: self.store.narrative_for_report(report_path),
                           default=None)

    def recorded_elsewhere(self, rows: int, error: str | None) -> None:
        """Count rows a worker process recorded; warn (once) if its store failed."""
        self.recorded += rows
        if error is not None and not self.warned:
            self.warned = True
            _warn(f"history turned off for the rest of this batch: {error}")

    def add(self, outcome: Outcome) -> None:
        if self.store is not None and outcome.history_row is not None:
            self.pending.append(outcome.history_row)
            if len(self.pending) >= self.group:
                self.flush()

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if self.store is not None and rows:
            self._guard(lambda: self.store.record_rows(rows), default=None)
            if self.store is not None:
                self.recorded += len(rows)

    def close(self) -> None:
        self.flush()
        if self.store is not None:
            self.store.close()
            self.store = None

    def _guard(self, action: Callable[[], T], default: T) -> T:
        from advisor.history.store import StoreError

        try:
            return action()
        except StoreError as exc:
            if not self.warned:
                self.warned = True
                _warn(f"history turned off for the rest of this batch: {exc}")
            self.store.close()
            self.store = None
            return default


# ---------------------------------------------------------------------- terminal


@contextmanager
def _progress(total: int | None, enabled: bool) -> Iterator[Callable[[Outcome], None]]:
    """A rich progress bar on a terminal; nothing (and no rich import) otherwise.

    The bar starts on the first outcome, after the worker processes have been forked: a
    process must not fork while rich's refresh thread runs.
    """
    if not enabled:
        yield lambda outcome: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TaskProgressColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                        TextColumn("{task.fields[invalid]} invalid"),
                        console=Console(stderr=True), transient=False)
    task_id = progress.add_task("Assessing", total=total, invalid=0)
    invalid = 0

    def tick(outcome: Outcome) -> None:
        nonlocal invalid
        if not progress.live.is_started:
            progress.start()
        invalid += outcome.error is not None
        progress.update(task_id, advance=1, invalid=invalid)

    try:
        yield tick
    finally:
        if progress.live.is_started:
            progress.stop()


def _write_summary(summary: PortfolioSummary, out: Path) -> None:
    """Write the summary files; a full disk or a quota is an input error naming the folder
    (exit 2), not a traceback. The reports already written stay, so a re-run resumes."""
    import sqlite3

    try:
        summary.write(out)
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(f"cannot write the summary: {reason}; the reports written so far "
                         "are kept, run the same command again to finish", file=str(out)) \
            from None


def _warn(message: str) -> None:
    from advisor.render.formatting import terminal_escape

    print(f"advisor: warning: {terminal_escape(message)}", file=sys.stderr)


def _report(summary: PortfolioSummary, out: Path, recorder: _HistoryRecorder) -> None:
    from advisor.render.formatting import terminal_escape as safe

    for _, _, error in summary.spill.invalid(SHOWN_ERRORS):
        print(f"advisor: invalid item: {safe(error)[:1000]}", file=sys.stderr)
    if summary.invalid > SHOWN_ERRORS:
        print(f"advisor: ... and {summary.invalid - SHOWN_ERRORS:,} more invalid items, "
              f"listed in {safe(out / 'summary.md')}", file=sys.stderr)
    resumed = f" ({summary.resumed:,} already done by an earlier run)" if summary.resumed else ""
    kept = f"; {recorder.recorded:,} kept in history" if recorder.recorded else ""
    print(f"{summary.items:,} items: {summary.assessed:,} assessed{resumed}, "
          f"{summary.invalid:,} invalid{kept}. Summary: {safe(out / 'summary.md')}")

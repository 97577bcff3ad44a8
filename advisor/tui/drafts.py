"""Drafts: the unfinished sessions kept in ``<data folder>/drafts/<id>.json``.

Every answer rewrites the draft atomically (advisor.data.files.write_atomic), so killing the
terminal loses at most the answer being typed. Writes run on one background thread: the
person never waits for the disk, and because that thread runs them in order, an older
snapshot can never overwrite a newer one.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.core.errors import InputError
from advisor.data import paths
from advisor.data.files import write_atomic

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor


def drafts_dir() -> Path:
    return Path(paths.data_dir(), "drafts")


def draft_path(draft_id: str) -> Path:
    return drafts_dir() / f"{draft_id}.json"


@dataclass(frozen=True)
class DraftInfo:
    """One resumable draft as the start screen lists it."""

    id: str
    path: Path
    role: str
    organization: str
    answered: int
    data: dict[str, Any]


#: The largest draft read (real ones are a few kilobytes); larger files are skipped.
MAX_DRAFT_BYTES = 256 * 1024

#: How many of the newest draft files are read at most (the start screen offers five).
MAX_DRAFTS_READ = 20


def list_drafts() -> list[DraftInfo]:
    """Drafts with at least one answer, newest first. Unreadable, oversized, deeply nested or
    non-regular files (a FIFO, a device) are skipped, never read without limit or waited on."""
    from advisor.tui.reading import read_bounded

    folder = drafts_dir()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    dated: list[tuple[float, str, Path]] = []
    for entry in entries:
        if not entry.name.endswith(".json"):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            dated.append((entry.stat(follow_symlinks=False).st_mtime, entry.name,
                          Path(entry.path)))
        except OSError:
            continue
    dated.sort(key=lambda t: (-t[0], t[1]))
    found: list[DraftInfo] = []
    for _, _, path in dated[:MAX_DRAFTS_READ]:
        try:
            data = json.loads(read_bounded(str(path), MAX_DRAFT_BYTES))
        except (InputError, ValueError, RecursionError):
            continue
        if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
            continue
        if not data["answers"]:
            continue
        organization = data.get("organization")
        found.append(DraftInfo(id=path.stem, path=path, role=str(data.get("role"))[:40],
                               organization=(organization if isinstance(organization, str)
                                             else "")[:200],
                               answered=len(data["answers"]), data=data))
    return found


def delete_draft(draft_id: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        draft_path(draft_id).unlink()


class DraftWriter:
    """Writes draft snapshots in order on a single background thread."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None  # started on the first write
        self._pending: list[Future[None]] = []
        self._lock = threading.Lock()
        self.last_error: str | None = None

    def _submit(self, fn: Any, *args: Any) -> None:
        with self._lock:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(max_workers=1,
                                                thread_name_prefix="advisor-draft")
            future = self._pool.submit(fn, *args)
            self._pending = [f for f in self._pending if not f.done()] + [future]

    def save(self, snapshot: dict[str, Any]) -> None:
        """Queue ``snapshot`` (a :meth:`Session.draft_dict`, copied by the caller) for writing."""
        text = json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n"
        self._submit(self._write, draft_path(str(snapshot["id"])), text)

    def discard(self, draft_id: str) -> None:
        """Delete a draft after any queued write of it (so it cannot reappear)."""
        self._submit(delete_draft, draft_id)

    def _write(self, target: Path, text: str) -> None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, text)
            self.last_error = None
        except OSError as exc:
            self.last_error = f"cannot save the draft to {target}: {exc.strerror or exc}"

    def flush(self, timeout: float | None = 5.0) -> None:
        """Wait for queued writes (tests, and the app on exit)."""
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            with contextlib.suppress(Exception):
                future.result(timeout=timeout)

    def close(self) -> None:
        self.flush()
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

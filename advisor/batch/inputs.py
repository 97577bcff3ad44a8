"""The items of a batch, read lazily from files, folders, glob patterns and JSON-lines files.

Nothing here builds the list of all items: folders are walked one level at a time, a
``.jsonl`` file is read line by line, and each item is yielded as soon as it is known. The
order is deterministic (sorted names, line order), which keeps the summary the same from run
to run.

Hostile folders are walked safely:

- each file is an item once, however many links (symbolic or hard) or command-line paths
  reach it, and a symlink loop ends (files and folders are known by device and inode);
- a FIFO, device or socket is never opened (it could block for ever or never end): it is an
  invalid item that says what it is;
- a folder or ``.jsonl`` file that cannot be read is an invalid item, never skipped silently;
- a JSON-lines item longer than :data:`~advisor.core.loading.MAX_INPUT_BYTES` is refused
  without holding it in memory.

Each item carries an ``identity``: the real path of its file (plus the line number for a
JSON-lines item). Its report is named from that alone (:mod:`advisor.batch.output`).
"""

from __future__ import annotations

import glob
import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from advisor.core.loading import MAX_INPUT_BYTES


class Item(NamedTuple):
    """One answers object to assess. A tuple so it pickles small and fast to the workers."""

    seq: int  # position in the batch, from 0: ties in the summary keep input order
    source: str  # as the user will recognise it: the path given, or "portfolio.jsonl:17"
    stem: str  # what the report is named after
    path: str | None  # the file to read, for a file item
    data: bytes | None  # the line itself, for a JSON-lines item
    error: str | None  # a problem found while listing (an unreadable folder, a FIFO): the reason
    identity: str = ""  # real path (":line" for a JSON-lines item): the report name's key


def shown_name(path: str) -> str:
    """A path as text any writer can take: a name whose bytes are not UTF-8 reaches Python
    with surrogate escapes, which the summary, the history store and the terminal cannot
    encode; each byte that is not UTF-8 is shown as U+FFFD instead. The path itself (to
    read the file) is kept as it is."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape" if _escaped(path) else "replace") \
            .decode("utf-8", "replace")
    return path


def _escaped(path: str) -> bool:
    try:
        path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return True


def _is_jsonl(path: str) -> bool:
    return path.lower().endswith(".jsonl")


def _is_input(name: str) -> bool:
    lower = name.lower()
    return lower.endswith((".json", ".jsonl"))


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


class _Seen:
    """Real paths already listed, in a private temporary SQLite file (flat memory)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("PRAGMA cache_size = -256")
        self._db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY) WITHOUT ROWID")
        self._db.execute("BEGIN")

    def first(self, key: str) -> bool:
        return self._db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (key,)).rowcount == 1

    def close(self) -> None:
        self._db.close()


class _Entry(NamedTuple):
    path: str  # as the user will recognise it
    identity: str  # the real path
    error: str | None  # set: an invalid item with this message, never opened
    key: str = ""  # what makes it the same file: device and inode (hard links too)


def _file_entry(path: str) -> _Entry:
    """An item for a file path, after one ``stat`` (which never opens, so never blocks)."""
    identity = os.path.realpath(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return _Entry(path, identity, "no such file")
    except OSError as exc:
        return _Entry(path, identity, f"cannot read the file: {exc.strerror}")
    key = f"{info.st_dev}:{info.st_ino}"
    if not stat.S_ISREG(info.st_mode):
        return _Entry(path, identity, f"{_kind(info.st_mode)}, not an answers file; skipped",
                      key)
    return _Entry(path, identity, None, key)


def _walk(folder: str, skip: set[str], dirs_seen: set[tuple[int, int]]) -> Iterator[_Entry]:
    """``*.json`` and ``*.jsonl`` under ``folder``, depth first, sorted by name; hidden
    entries skipped; every folder entered once (symlink loops end); an unreadable folder is
    an entry with its error."""
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            info = os.stat(current)
        except OSError as exc:
            yield _Entry(current, os.path.realpath(current),
                         f"cannot read the folder: {exc.strerror}")
            continue
        key = (info.st_dev, info.st_ino)
        if key in dirs_seen:
            continue
        dirs_seen.add(key)
        try:
            names = sorted(os.listdir(current))
        except OSError as exc:
            yield _Entry(current, os.path.realpath(current),
                         f"cannot read the folder: {exc.strerror}")
            continue
        subfolders = []
        for name in names:
            if name.startswith("."):
                continue
            full = os.path.join(current, name)
            if os.path.isdir(full):
                if os.path.realpath(full) not in skip:
                    subfolders.append(full)
            elif _is_input(name):
                yield _file_entry(full)
        stack.extend(reversed(subfolders))


def _expand(path: str) -> list[str]:
    """A pattern the shell did not expand (quoted, or on Windows) is expanded here."""
    if os.path.lexists(path) or not glob.has_magic(path):
        return [path]
    return sorted(glob.glob(path, recursive=True)) or [path]


def _entries(paths: Iterable[str], skip: set[str]) -> Iterator[_Entry]:
    dirs_seen: set[tuple[int, int]] = set()
    for given in paths:
        for path in _expand(given):
            if os.path.isdir(path):
                if os.path.realpath(path) not in skip:
                    yield from _walk(path, skip, dirs_seen)
            else:
                yield _file_entry(path)


def iter_items(paths: Iterable[str], *, exclude: Path | None = None) -> Iterator[Item]:
    """Every item named by ``paths``, in order, one at a time, each file once.

    A missing file is still an item: reading it fails and the summary lists it, like any
    other bad item. Blank lines of a ``.jsonl`` file are not items.
    """
    skip = {os.path.realpath(exclude)} if exclude is not None else set()
    seen = _Seen()
    seq = 0
    try:
        for entry in _entries(paths, skip):
            if not seen.first(entry.key or entry.identity):
                continue
            path = entry.path
            stem = Path(path).stem
            shown = shown_name(path)
            if entry.error is not None or not _is_jsonl(path):
                yield Item(seq, shown, stem, None if entry.error else path, None,
                           None if entry.error is None else shown_name(entry.error),
                           entry.identity)
                seq += 1
                continue
            for number, line, error in _lines(path):
                source = f"{shown}:{number}" if number else shown
                yield Item(seq, source, f"{stem}-{number}" if number else stem, None, line,
                           error,
                           f"{entry.identity}:{number}")
                seq += 1
    finally:
        seen.close()


def _lines(path: str) -> Iterator[tuple[int, bytes | None, str | None]]:
    """(line number, line, error) of each non-blank line; (0, None, error) if unreadable.

    A line longer than the input limit is an error for that line, skipped in chunks, so a
    gigabyte-long line never sits in memory.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else (
            f"cannot read the file: {exc.strerror}")
        yield 0, None, reason
        return
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # replaced since it was listed
            os.close(fd)
            yield 0, None, f"{_kind(info.st_mode)}, not an answers file; skipped"
            return
        os.set_blocking(fd, True)
        fh = os.fdopen(fd, "rb")
    except OSError as exc:
        os.close(fd)
        yield 0, None, f"cannot read the file: {exc.strerror}"
        return
    with fh:
        number = 0
        while True:
            try:
                line = fh.readline(MAX_INPUT_BYTES + 1)
            except OSError as exc:
                yield number + 1, None, f"cannot read the file: {exc.strerror}"
                return
            if not line:
                return
            number += 1
            if len(line) > MAX_INPUT_BYTES and not line.endswith(b"\n"):
                while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                yield number, None, (f"the line is longer than {MAX_INPUT_BYTES:,} bytes "
                                     f"(expected an answers object of at most "
                                     f"{MAX_INPUT_BYTES:,} bytes)")
                continue
            if line.strip():
                yield number, line, None


def count_items(paths: Iterable[str], *, exclude: Path | None = None) -> int:
    """How many items :func:`iter_items` will yield (for the progress bar's total)."""
    return sum(1 for _ in iter_items(paths, exclude=exclude))

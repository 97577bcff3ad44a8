"""The items of a batch, read lazily from files, folders, glob patterns and JSON-lines files.

Nothing here builds the list of all items: folders are walked one level at a time, a
``.jsonl`` file is read line by line, and each item is yielded as soon as it is known. The
order is deterministic (sorted names, line order), which keeps report names and the summary
the same from run to run, and lets resume find the reports of an earlier run.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple


class Item(NamedTuple):
    """One answers object to assess. A tuple so it pickles small and fast to the workers."""

    seq: int  # position in the batch, from 0: ties in the summary keep input order
    source: str  # as the user will recognise it: the path given, or "portfolio.jsonl:17"
    stem: str  # what the report is named after
    path: str | None  # the file to read, for a file item
    data: bytes | None  # the line itself, for a JSON-lines item
    error: str | None  # a problem found while listing (an unreadable .jsonl file)


def _is_jsonl(path: str) -> bool:
    return path.lower().endswith(".jsonl")


def _walk(folder: str, skip: set[str]) -> Iterator[str]:
    """``*.json`` files under ``folder``, depth first, sorted by name; hidden entries skipped.

    One folder's names are listed and sorted at a time (sorting is what makes the order
    stable); ``skip`` holds real paths never entered, such as the output folder.
    """
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            names = sorted(os.listdir(current))
        except OSError:
            continue
        subfolders = []
        for name in names:
            if name.startswith("."):
                continue
            full = os.path.join(current, name)
            if os.path.isdir(full):
                if os.path.realpath(full) not in skip:
                    subfolders.append(full)
            elif name.lower().endswith(".json"):
                yield full
        stack.extend(reversed(subfolders))


def _expand(path: str) -> list[str]:
    """A pattern the shell did not expand (quoted, or on Windows) is expanded here."""
    if os.path.exists(path) or not glob.has_magic(path):
        return [path]
    return sorted(glob.glob(path, recursive=True)) or [path]


def _paths(paths: Iterable[str], skip: set[str]) -> Iterator[str]:
    for given in paths:
        for path in _expand(given):
            if os.path.isdir(path):
                if os.path.realpath(path) not in skip:
                    yield from _walk(path, skip)
            else:
                yield path


def iter_items(paths: Iterable[str], *, exclude: Path | None = None) -> Iterator[Item]:
    """Every item named by ``paths``, in order, one at a time.

    A missing file is still an item: reading it fails and the summary lists it, like any
    other bad item. Blank lines of a ``.jsonl`` file are not items.
    """
    skip = {os.path.realpath(exclude)} if exclude is not None else set()
    seq = 0
    for path in _paths(paths, skip):
        if not _is_jsonl(path):
            yield Item(seq, path, Path(path).stem, path, None, None)
            seq += 1
            continue
        stem = Path(path).stem
        try:
            with open(path, "rb") as fh:
                for number, line in enumerate(fh, start=1):
                    if line.strip():
                        yield Item(seq, f"{path}:{number}", f"{stem}-{number}", None, line, None)
                        seq += 1
        except OSError as exc:
            reason = "no such file" if isinstance(exc, FileNotFoundError) else (
                f"cannot read the file: {exc.strerror}")
            yield Item(seq, path, stem, None, None, f"{path}: {reason}")
            seq += 1


def count_items(paths: Iterable[str], *, exclude: Path | None = None) -> int:
    """How many items :func:`iter_items` will yield (for the progress bar's total)."""
    skip = {os.path.realpath(exclude)} if exclude is not None else set()
    total = 0
    for path in _paths(paths, skip):
        if not _is_jsonl(path):
            total += 1
            continue
        try:
            with open(path, "rb") as fh:
                total += sum(1 for line in fh if line.strip())
        except OSError:
            total += 1
    return total

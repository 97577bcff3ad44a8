"""The batch output folder: one writer at a time, report names that follow from the input's
path alone, and atomic streamed writes.

A report's name is the input's name plus a short digest of the input's real path
(``acme.json`` -> ``acme-3f9a1c2b7d.md``, line 17 of ``portfolio.jsonl`` ->
``portfolio-17-0be45a9c31.md``). It depends on nothing else: adding another ``acme.json`` in
another folder, or listing the inputs in another order, never moves a report to a new name,
and two files with the same name never share one. Resume finds an item's report by that name
and then compares the input's content digest (see :mod:`advisor.batch.run`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from advisor.core.errors import InputError

SUMMARY_NAMES = ("summary.md", "summary.json")
#: Page cache of the private temporary SQLite files that hold per-item data (KiB): small, so
#: memory does not creep up with the item count until SQLite's default 2 MB is reached.
SPILL_CACHE_KIB = 256
EXTENSIONS = {"md": ".md", "json": ".json", "html": ".html"}
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask() if sys.platform != "win32" else 0
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 80
_MAX_NAMED_STEM = 64  # the input's own name, in a report name that adds "-" + the digest
_PATH_DIGEST = 10  # hex digits of the path digest: two same-named inputs never meet
# Names Windows refuses whatever the extension; harmless to avoid everywhere.
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                       *(f"lpt{i}" for i in range(1, 10))})


def safe_stem(text: str) -> str:
    """A file-name stem of ASCII letters, digits, ``.``, ``_`` and ``-``: no separators,
    no leading dot (hidden files), no reserved device names, at most 80 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE.sub("_", ascii_text).strip("._-")[:_MAX_STEM].rstrip("._-")
    if not stem:
        stem = "item"
    if stem.split(".")[0].lower() in _RESERVED:
        stem = f"{stem}_"
    return stem


class ReportNamer:
    """Hands out report file names, each once (compared case-insensitively, as on macOS).

    The names already given live in a private temporary SQLite file, not in a Python set:
    a million items cost the same memory as a thousand.
    """

    def __init__(self, extension: str) -> None:
        self.extension = extension
        self._db = sqlite3.connect("", isolation_level=None)  # deleted when closed
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(f"PRAGMA cache_size = -{SPILL_CACHE_KIB}")
        self._db.execute("CREATE TABLE used (name TEXT PRIMARY KEY COLLATE NOCASE) "
                         "WITHOUT ROWID")
        self._db.execute("BEGIN")
        # The summary's own names are taken from the start.
        for name in SUMMARY_NAMES:
            self._claim(name)
            self._claim(Path(name).stem + extension)

    def _claim(self, name: str) -> bool:
        """Take ``name`` if nobody has it (names are ASCII, so NOCASE folds them fully)."""
        return self._db.execute("INSERT OR IGNORE INTO used VALUES (?)", (name,)).rowcount == 1

    def name_for(self, stem: str, identity: str | None = None) -> str:
        """The report name for an input named ``stem`` whose real path is ``identity``.

        With an identity the name is ``stem-<digest of identity>``: the same for the same
        input in every run, whatever else the batch holds. ``-2``, ``-3``... only on a
        clash within one run (the same digest for two paths, or no identity given).
        """
        base = safe_stem(stem)
        if identity is not None:
            digest = hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()
            base = f"{base[:_MAX_NAMED_STEM].rstrip('._-') or 'item'}-{digest[:_PATH_DIGEST]}"
        candidate, n = base + self.extension, 1
        while not self._claim(candidate):
            n += 1
            candidate = f"{base}-{n}{self.extension}"
        return candidate

    def close(self) -> None:
        self._db.close()


def prepare_output_folder(output: str) -> Path:
    """Create the output folder if needed; a file in its place is an input error."""
    folder = Path(output)
    try:
        os.stat(folder)  # a name too long, a loop of links: an error naming the folder
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise InputError(f"cannot use the output folder: {exc.strerror}", file=output) from None
    if folder.exists() and not folder.is_dir():
        raise InputError("exists and is not a folder; batch writes a folder of reports",
                         file=output)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder: {exc.strerror}",
                         file=output) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError("the output folder is not writable", file=output)
    return folder


#: Folder-lock descriptors this process holds. A forked worker inherits them, and a flock
#: lives while any copy is open: a worker that outlived its killed parent kept the folder
#: locked, so the resume the README promises was refused. Children close their copies.
_held_locks: set[int] = set()
_fork_hook_installed = False


def _close_held_locks_in_children() -> None:
    """Make every forked child close its copies of the folder locks (installed once)."""
    global _fork_hook_installed
    if _fork_hook_installed or not hasattr(os, "register_at_fork"):
        return

    def in_child() -> None:
        for fd in list(_held_locks):
            with contextlib.suppress(OSError):
                os.close(fd)
        _held_locks.clear()

    os.register_at_fork(after_in_child=in_child)
    _fork_hook_installed = True


class FolderLock:
    """One batch writes to an output folder at a time: an exclusive ``flock`` on the folder.

    The lock is held on the folder itself (no lock file to leave behind or go stale): the
    kernel releases it when the process ends, however it ends, so a batch killed with
    SIGKILL never blocks the next one. Where ``flock`` does not exist (Windows) there is no
    lock. A second batch into the same folder fails at once with an input error.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fd: int | None = None

    def acquire(self) -> FolderLock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return self
        try:
            fd = os.open(self.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError as exc:
            raise InputError(f"cannot open the output folder: {exc.strerror}",
                             file=str(self.folder)) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise InputError(f"another batch is writing to {self.folder} (the folder is "
                             "locked); wait for it to finish or choose another -o folder",
                             file=str(self.folder)) from None
        self.fd = fd
        _held_locks.add(fd)
        _close_held_locks_in_children()
        return self

    def release(self) -> None:
        if self.fd is not None:
            _held_locks.discard(self.fd)
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()


def remove_stale_temporaries(folder: Path) -> int:
    """Delete the temp files an interrupted run left (``.advisor-XXXX.tmp``, see files.py).

    Only called with the folder's lock held, so no other batch is writing them now."""
    removed = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".") and entry.name.endswith(".tmp") and entry.is_file():
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def write_report(path: str, text: str) -> None:
    """Write one report atomically (temp file, then rename), without an fsync per file.

    A rename is atomic, so a report that exists is complete however the run was stopped
    (Ctrl-C, kill, a crash); this is what resume relies on. The fsync that
    ``advisor.data.files.write_atomic`` adds guards against a power cut, and it costs more CPU than
    the rest of the write (0.3 of 0.45 ms here), which a 100,000-item batch cannot afford.
    After a power cut a report may come back empty: :func:`report_is_complete` treats that as
    missing and a re-run writes it again. The temp name is random (``mkstemp``), never a
    fixed name another writer could share.
    """
    from advisor.data.redact import redact_secrets

    folder = os.path.dirname(path)
    data = redact_secrets(text).encode("utf-8")
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".advisor-", suffix=".tmp", dir=folder or ".")
        if sys.platform == "win32":  # pragma: no cover - no newline translation
            import msvcrt

            msvcrt.setmode(fd, _O_BINARY)
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o666 & ~_UMASK)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise


def report_is_complete(path: str) -> bool:
    """A report written by an earlier run: it exists and is not empty (see write_report)."""
    try:
        return os.stat(path).st_size > 0
    except OSError:
        return False

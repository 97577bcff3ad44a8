"""Atomic file writes: a temp file in the target folder, fsync, then rename.

A failed or interrupted run never leaves a truncated report or answers file behind, and a
reader never sees half a file: the old content stays until the new one is complete.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import IO, Any


@contextlib.contextmanager
def open_atomic(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """Write a file piece by piece (``mode`` "w" for UTF-8 text, "wb" for bytes), then publish
    it whole: temp file in the same folder, fsync, rename. On any error the target is untouched.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"open_atomic writes with mode 'w' or 'wb', not {mode!r}")
    target = os.fspath(path)
    folder = os.path.dirname(target)
    import tempfile  # only when writing: most runs only read

    # A short temp name: the target may already be as long as the file system allows.
    fd, tmp = tempfile.mkstemp(prefix=".advisor-", suffix=".tmp", dir=folder or ".")
    try:
        fh: IO[Any]
        if mode == "w":
            fh = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        else:
            fh = os.fdopen(fd, "wb")
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8, with any secret redacted) to ``path`` atomically."""
    if isinstance(data, str):
        from advisor.data.redact import redact_secrets

        data = redact_secrets(data)
    with open_atomic(path, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


#: The deepest nesting of arrays and tables (inline or JSON) accepted in a settings file, as
#: in an answers file: Python's TOML and JSON parsers recurse once per level, and a file
#: well under a megabyte of ``a = [[[[...`` ended in RecursionError.
MAX_SETTINGS_DEPTH = 32

_SKIPPED = None


def nesting_depth(data: bytes) -> int:
    """How deeply brackets and braces nest in TOML or JSON ``data``, without parsing it.

    Strings (basic, literal, multi-line) and comments are skipped, so a bracket inside one
    does not count; the scan is a regular expression and a loop over what is left."""
    global _SKIPPED
    import re

    if _SKIPPED is None:
        _SKIPPED = re.compile(rb'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                              rb"|'[^'\n]*'|#[^\n]*|[^\[\]{}\"'#]+")
    skeleton = _SKIPPED.sub(b"", data)
    depth = deepest = 0
    for byte in skeleton:
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif byte in b"]}":
            depth -= 1
    return deepest


def read_regular_file(path: str | os.PathLike[str], limit: int = 1024 * 1024,
                      max_depth: int = MAX_SETTINGS_DEPTH) -> bytes | None:
    """The bytes of a settings file (``prices.toml``, ``config.toml``); None when it does not
    exist. Never blocks and never reads without bound: a FIFO, device or folder in its place
    is refused (:class:`OSError` with a plain ``strerror``), as is a file over ``limit`` or
    one that nests deeper than ``max_depth`` levels."""
    import errno
    import stat as stat_

    target = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(target, flags)
    except FileNotFoundError:
        return None
    except NotADirectoryError:  # a file where its folder should be: as if there were none
        from advisor.data.paths import warn_not_a_folder

        warn_not_a_folder(target, os.path.basename(target))
        return None
    try:
        info = os.fstat(fd)
        if stat_.S_ISDIR(info.st_mode):
            raise OSError(errno.EISDIR, "is a folder, not a file")
        if not stat_.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "is not a regular file (a pipe or a device)")
        if info.st_size > limit:
            raise OSError(errno.EFBIG, f"is larger than {limit:,} bytes")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise OSError(errno.EFBIG, f"is larger than {limit:,} bytes")
        data = b"".join(chunks)
        if nesting_depth(data) > max_depth:
            raise OSError(errno.EINVAL, f"nests arrays or tables deeper than {max_depth} "
                          "levels")
        return data
    finally:
        os.close(fd)


class TargetError(Exception):
    """The path a user named cannot take the output; the message says why, in plain words."""


def check_target(path: str | os.PathLike[str], *, inputs: tuple[str, ...] = ()) -> str:
    """How ``path`` will be written ("replace" or "through"), or :class:`TargetError`.

    Atomic replace is for regular files (and new names). A device or a FIFO is written
    through, never replaced by a regular file; a symlink is followed to its target, so the
    link stays; a read-only file, an input of this run, or a folder is refused.
    """
    target = os.fspath(path)
    if not target:
        raise TargetError("the output name is empty")
    folder = os.path.dirname(os.path.abspath(target))
    name = os.path.basename(target)
    if len(os.fsencode(name)) > 255:
        raise TargetError("the file name is longer than 255 bytes")
    try:
        st = os.stat(target)
    except FileNotFoundError:
        if not os.path.isdir(folder):
            raise TargetError("the folder does not exist") from None
        return "replace"
    except OSError as exc:
        raise TargetError(f"cannot use this path: {exc.strerror}") from None
    import stat as stat_

    if stat_.S_ISDIR(st.st_mode):
        raise TargetError("is a folder; give a file name")
    for other in inputs:
        try:
            if other != "-" and os.path.samefile(other, target):
                raise TargetError(f"is the input file {other}"
                                  f"{' (through a link)' if os.path.islink(target) else ''}; "
                                  "give another output name")
        except OSError:
            continue
    if stat_.S_ISREG(st.st_mode):
        if not st.st_mode & 0o222:
            raise TargetError("the file is read-only")
        return "replace"
    if stat_.S_ISCHR(st.st_mode) or stat_.S_ISFIFO(st.st_mode):
        return "through"
    raise TargetError("is not a regular file, a device or a pipe")


def write_output(path: str | os.PathLike[str], data: str | bytes, *,
                 inputs: tuple[str, ...] = ()) -> str:
    """Write a user-named output: atomically for a file, straight through for a device or FIFO.

    Returns the path written (a symlink's target). Raises :class:`TargetError` or ``OSError``.
    """
    how = check_target(path, inputs=inputs)
    target = os.path.realpath(os.fspath(path))
    if isinstance(data, str):
        from advisor.data.redact import redact_secrets

        data = redact_secrets(data)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if how == "replace":
        write_atomic(target, payload)
        return target
    # A FIFO without a reader would block for ever: open without waiting, fail at once.
    fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK)
    try:
        os.set_blocking(fd, True)
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        wait_for_reader(fd)
    finally:
        os.close(fd)
    return target


#: How long a write into a FIFO waits, after the last byte, for its reader to take what is
#: still in the pipe's buffer. A reader that stops early is then an error, not a silent exit 0.
FIFO_DRAIN_S = 10.0


def wait_for_reader(fd: int, limit: float = FIFO_DRAIN_S) -> None:
    """Return once a FIFO's reader has taken every byte written to ``fd``; ``BrokenPipeError``
    when it went away first (what a write larger than the buffer would have seen). Not a
    FIFO, or no way to tell (not Linux): return at once. Bounded by ``limit`` seconds."""
    import stat as stat_

    try:
        if not stat_.S_ISFIFO(os.fstat(fd).st_mode):
            return
        import array
        import fcntl
        import select
        import termios
        import time
    except (OSError, ImportError):
        return
    end = time.monotonic() + limit
    poller = select.poll()
    poller.register(fd, select.POLLERR | select.POLLHUP)
    unread = array.array("i", [0])
    while time.monotonic() < end:
        try:
            fcntl.ioctl(fd, termios.FIONREAD, unread, True)
        except OSError:
            return
        if unread[0] == 0:
            return
        if any(event & (select.POLLERR | select.POLLHUP) for _, event in poller.poll(50)):
            import errno

            raise BrokenPipeError(errno.EPIPE, "the reader stopped before taking the whole "
                                  f"output ({unread[0]:,} bytes were left unread)")


@contextlib.contextmanager
def open_output(path: str | os.PathLike[str], *,
                inputs: tuple[str, ...] = ()) -> Iterator[IO[str]]:
    """A user-named output written piece by piece (an export): as :func:`write_output` does,
    atomically for a file, straight through for a device or FIFO (a FIFO without a reader
    fails at once with ENXIO, never blocks). Raises :class:`TargetError` or ``OSError``."""
    how = check_target(path, inputs=inputs)
    target = os.path.realpath(os.fspath(path))
    if how == "replace":
        with open_atomic(target) as fh:
            yield fh
        return
    fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK)
    os.set_blocking(fd, True)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        yield fh
        fh.flush()
        wait_for_reader(fd)


def _mode_for(target: str) -> int:
    """Keep an existing file's mode; a new one gets the umask-based mode (not mkstemp's 0600)."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask

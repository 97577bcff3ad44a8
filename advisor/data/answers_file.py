"""Answers files read from disk or standard input, validated against the installed rules.

The core's validators take the questionnaire as an argument; these wrappers supply the one in
``rules/`` so the edges (CLI, batch, TUI, Ask) can validate with one call.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import Any

from advisor.core import loading
from advisor.core.answers import AnswersFile
from advisor.core.errors import InputError
from advisor.core.loading import MAX_INPUT_BYTES
from advisor.data.rules import load_rulebase


def validate_answers(data: Any, *, file: str = "<answers>") -> AnswersFile:
    """Validate a parsed JSON value as an answers file of the installed questionnaire."""
    return loading.validate_answers(data, load_rulebase().questionnaire, file=file)


def load_answers_bytes(data: bytes | str, *, file: str = "<answers>") -> AnswersFile:
    """Parse and validate the bytes of an answers file."""
    return loading.load_answers_bytes(data, load_rulebase().questionnaire, file=file)


def read_answers_file(path: str) -> AnswersFile:
    """Read ``path`` (or ``-`` for standard input) and validate it."""
    if path == "-":
        return load_answers_bytes(_read_stdin(), file="<stdin>")
    return load_answers_bytes(read_input_file(path), file=path)


def read_input_file(path: str, limit: int = MAX_INPUT_BYTES, *, pipes: bool = True) -> bytes:
    """The bytes of the answers file ``path``, at most ``limit`` of them, or an InputError.

    Never hangs and never reads without bound: the file is opened non-blocking (a FIFO with
    no writer does not wait), a device or socket is refused, and at most ``limit + 1`` bytes
    are read (``/dev/zero`` or a 60 MB file is refused at once). A pipe (``<(cat x)``,
    ``/dev/stdin``) is read like a file, within the same limit; with ``pipes=False`` (the TUI,
    drafts, preferences: a person picked a file there) it is refused like a device.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError("no such file", file=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=path) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a folder, not a file", file=path)
        fifo = pipes and stat.S_ISFIFO(info.st_mode)
        if not (stat.S_ISREG(info.st_mode) or fifo):
            raise InputError("is not a regular file (a pipe, a device or a socket)", file=path,
                             expected="an answers file (JSON)")
        if info.st_size > limit:
            raise InputError(f"the file is too large ({info.st_size:,} bytes)", file=path,
                             expected=f"an answers file of at most {limit:,} bytes")
        if fifo:
            os.set_blocking(fd, True)
        data = read_limited(fd, path, limit)
        if fifo and not data:
            raise InputError("is a pipe with nothing written to it", file=path,
                             expected="an answers file (JSON)")
        return data
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=path) from None
    finally:
        os.close(fd)


def _read_stdin(limit: int = MAX_INPUT_BYTES) -> bytes:
    """Standard input, at most ``limit`` bytes (``< /dev/zero`` ends at once)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # closed, or replaced by something without bytes
        raise InputError("standard input is closed", file="<stdin>")
    try:
        data = stream.read(limit + 1)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read: {getattr(exc, 'strerror', None) or exc}",
                         file="<stdin>") from None
    if len(data) > limit:
        raise InputError(f"more than {limit:,} bytes", file="<stdin>",
                         expected=f"an answers file of at most {limit:,} bytes")
    return data


def read_limited(fd: int, name: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """Read ``fd`` to its end, or fail with an InputError once it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=name) from None
    if size > limit:
        raise InputError(f"more than {limit:,} bytes", file=name,
                         expected=f"an answers file of at most {limit:,} bytes")
    return b"".join(chunks)

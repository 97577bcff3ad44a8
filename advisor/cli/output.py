"""Where a command's text goes: standard output, or a file the user named (``-o``)."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from advisor.core.errors import InputError
from advisor.data.files import TargetError, check_target, write_output


def check_output_target(output: str | None, *, inputs: tuple[str, ...] = ()) -> None:
    """Fail before any work if ``-o`` cannot take the output."""
    if output:
        try:
            check_target(output, inputs=inputs)
        except TargetError as exc:
            raise InputError(str(exc), file=output) from None


def emit(text: str, output: str | None, *, inputs: tuple[str, ...] = ()) -> None:
    """Write ``text`` to ``output`` (atomically for a file), or to stdout."""
    if output:
        with output_errors(output):
            write_output(output, safe_text(text), inputs=inputs)
        return
    write_stdout(text)


@contextlib.contextmanager
def output_errors(output: str, what: str = "the output") -> Iterator[None]:
    """A user-named output that cannot be written is an input error naming it, not a trace."""
    try:
        yield
    except TargetError as exc:
        raise InputError(str(exc), file=output) from None
    except OSError as exc:
        reason = ("no process is reading the pipe" if exc.errno == errno.ENXIO
                  else exc.strerror or str(exc))
        raise InputError(f"cannot write {what}: {reason}", file=output) from None


def write_stdout(text: str) -> None:
    """Print ``text``; a full disk or a closed stdout is an input error, not a traceback."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError, AttributeError) as exc:
        reason = getattr(exc, "strerror", None) or "standard output is closed"
        _silence_stdout()
        raise InputError(f"cannot write to standard output: {reason}") from None


def _to_devnull(fd_number: int) -> TextIO:
    """Point a standard stream's descriptor at /dev/null, so the interpreter's own flush at
    exit cannot fail again; a text stream on /dev/null to write to meanwhile."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, fd_number)
        os.close(fd)
    except OSError:
        pass
    return open(os.devnull, "w")  # lives until exit


def _silence_stdout() -> None:
    sys.stdout = _to_devnull(1)


#: What never reaches a terminal from advisor, whoever wrote it (a user's file, an LLM, a
#: provider's error): C0 controls but tab, newline, carriage return and ESC, DEL, C1 controls
#: (U+0080-U+009F: CSI and OSC on many terminals), and bidi marks, embeddings, overrides and
#: isolates, which reorder what a reader sees. ESC stays for rich's own colour codes (the
#: progress bar, the terminal summary): every path that echoes untrusted text (the narrative's
#: sanitizer, Ask's answers, error messages) removes it before it gets here.
_UNSAFE = None


def _unsafe() -> Any:
    global _UNSAFE
    if _UNSAFE is None:
        import re

        _UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f\u061c\u200e\u200f"
                             "\u202a-\u202e\u2066-\u2069]")
    return _UNSAFE


def safe_text(text: str) -> str:
    """``text`` fit for a terminal or a written file: no secret (:func:`redact_secrets`), no
    control character or bidi override."""
    from advisor.data.redact import redact_secrets

    text = _unsafe().sub("", redact_secrets(text))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a name that is not UTF-8 (surrogate escapes): U+FFFD
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


class SafeStream:
    """stdout or stderr with :func:`safe_text` applied to every write: the one choke point
    between everything advisor prints (reports, Ask answers, streamed LLM text, warnings,
    errors) and the terminal. Everything else is passed to the wrapped stream."""

    def __init__(self, stream: TextIO, name: str = "standard output") -> None:
        self._stream = stream
        self._name = name

    def write(self, text: str) -> int:
        try:
            self._stream.write(safe_text(text))
        except BrokenPipeError:
            raise  # `advisor ... | head`: main() treats it as the reader's choice
        except (OSError, ValueError) as exc:
            self._failed(exc)
        return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as exc:
            self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        """A full disk or a closed stream: an input error for stdout (exit 2, said on
        stderr); for stderr there is nowhere to say it, so it goes quiet."""
        reason = getattr(exc, "strerror", None) or "the stream is closed"
        if self._name == "standard output":
            _silence_stdout()
            raise InputError(f"cannot write to standard output: {reason}") from None
        self._stream = _to_devnull(2)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def safe_streams() -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` wrapped in :class:`SafeStream` while a command runs
    (restored after, so a caller in the same process, such as a test, gets its own back)."""
    saved = sys.stdout, sys.stderr
    if sys.stdout is not None and not isinstance(sys.stdout, SafeStream):
        sys.stdout = SafeStream(sys.stdout)
    if sys.stderr is not None and not isinstance(sys.stderr, SafeStream):
        sys.stderr = SafeStream(sys.stderr, "standard error")
    try:
        yield
        if sys.stdout is not None:  # a full disk shows here, not in the exit flush
            sys.stdout.flush()
    finally:
        wrapped = sys.stdout, sys.stderr
        restore = [saved[i] if isinstance(wrapped[i], SafeStream) else wrapped[i]
                   for i in (0, 1)]
        sys.stdout, sys.stderr = restore[0], restore[1]


def warn(message: str) -> None:
    from advisor.render.formatting import terminal_escape

    print(f"advisor: warning: {terminal_escape(message)}", file=sys.stderr)

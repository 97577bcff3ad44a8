"""Where a command's text goes: standard output, or a file the user named (``-o``)."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator

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
            write_output(output, text, inputs=inputs)
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


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's own flush at exit cannot fail again."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.close(fd)
    except OSError:
        pass
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit


def warn(message: str) -> None:
    from advisor.render.formatting import terminal_escape

    print(f"advisor: warning: {terminal_escape(message)}", file=sys.stderr)

"""The ``advisor`` entry point: parse, run one command, turn errors into exit codes.

Input errors become one line on stderr and exit 2; anything else unexpected is a bug and
exits 1. Each command module imports what it needs when it runs, so ``advisor assess``
never pays for Textual or litellm (a subprocess test checks ``sys.modules``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    from advisor.cli.parser import build_parser

    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser(argv).parse_args(argv)
    except SystemExit as stop:  # --help, --version and usage errors: argparse's own exit
        return stop.code if isinstance(stop.code, int) else EXIT_INPUT
    if getattr(args, "home", None):
        from advisor.data import paths

        paths.set_home(args.home)
    command = args.command or "tui"
    if command == "tui" and not hasattr(args, "home"):
        args.home = None
    try:
        return _run(command, args)
    except KeyboardInterrupt:
        print("advisor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `advisor prices | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        from advisor.core.errors import InputError

        if isinstance(exc, InputError):
            import contextlib

            from advisor.cli.output import safe_text
            from advisor.render.formatting import terminal_escape

            # stderr itself full or closed: the exit code still says it
            with contextlib.suppress(OSError, ValueError):
                print(f"advisor: error: {_shorten(terminal_escape(safe_text(str(exc))))}",
                      file=sys.stderr, flush=True)
            return EXIT_INPUT
        raise


def _run(command: str, args: object) -> int:
    """Run one command; every command but the TUI (Textual draws the screen itself) prints
    through the safe streams: no secret, control character or bidi override gets out."""
    from advisor.cli.parser import command_module

    if command == "tui":
        return int(command_module(command).run(args))
    from advisor.cli.output import safe_streams

    with safe_streams():
        return int(command_module(command).run(args))


#: The longest error line printed: a message that quotes a 100,000-character argument or
#: key is cut in the middle (its start and end still say what and where).
MAX_ERROR_CHARS = 1000


def _shorten(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    if len(text) <= limit:
        return text
    head, tail = limit * 2 // 3, limit // 3 - 3
    return f"{text[:head]} … {text[-tail:]}"


if __name__ == "__main__":
    raise SystemExit(main())

"""One module per ``advisor`` command, each with its arguments beside its handler.

Every module defines ``add_arguments(parser)`` and ``run(args) -> int``;
:mod:`advisor.cli.parser` imports only the module of the command being run, so ``advisor
assess`` never pays for the TUI or litellm. The one-line help of each command is in
:data:`advisor.cli.parser.HELPS`.
"""

from __future__ import annotations

#: Command names in the order ``advisor --help`` lists them.
NAMES = ("tui", "assess", "batch", "ask", "explain", "cost", "prices", "questions", "template",
         "schema", "rules", "history", "paths", "completion")

#: Module name per command, where it differs from the command's own name.
MODULES = {"tui": "tui_command", "rules": "rules_command", "history": "history"}

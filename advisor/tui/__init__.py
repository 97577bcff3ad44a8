"""The interactive assessment (Textual). ``advisor`` with no arguments, or ``advisor tui``.

This module only defines :func:`run`: Textual is imported inside it, so importing the package
costs nothing and no other command ever pays for Textual.
"""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    """Open the TUI; returns the exit code (0, or 1 if the app stopped on an error).

    ``args.home`` has already been applied to :mod:`advisor.data.paths` by the CLI.
    """
    from advisor.tui.app import AdvisorApp

    app = AdvisorApp()
    try:
        app.run()
    finally:
        app.drafts.close()
    return app.return_code or 0

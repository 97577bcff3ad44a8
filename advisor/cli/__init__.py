"""The command line: :func:`main` parses and runs one command from :mod:`.commands`."""

from advisor.cli.main import main

__all__ = ["main"]

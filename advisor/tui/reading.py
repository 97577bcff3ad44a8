"""Reading a file the person named in the TUI, without ever hanging or exhausting memory.

The same bounded, non-blocking reader as ``advisor assess`` (:mod:`advisor.data.answers_file`),
with pipes refused too: a person picked a file here, and a FIFO could hold the worker for ever.
"""

from __future__ import annotations

from advisor.data.answers_file import read_input_file

#: The largest answers file or draft the TUI reads (real ones are a few kilobytes).
MAX_FILE_BYTES = 4 * 1024 * 1024


def read_bounded(path: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file ``path``; InputError naming it otherwise."""
    return read_input_file(path, limit, pipes=False)

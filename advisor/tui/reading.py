"""Reading a file the person named, without ever hanging or exhausting memory.

A FIFO, a device (``/dev/zero``), a folder or a file larger than :data:`MAX_FILE_BYTES` is
refused with an :class:`InputError` before anything is read: the file is opened non-blocking
(opening a FIFO never waits for a writer), checked with ``fstat`` and read to the limit only.
"""

from __future__ import annotations

import os
import stat

from advisor.core.errors import InputError

#: The largest answers file or draft the TUI reads (real ones are a few kilobytes).
MAX_FILE_BYTES = 4 * 1024 * 1024


def read_bounded(path: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file ``path``; InputError naming it otherwise."""
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
        if not stat.S_ISREG(info.st_mode):
            raise InputError("is not a regular file (a pipe or a device, for instance)",
                             file=path, expected="an answers file (JSON)")
        if info.st_size > limit:
            raise InputError(f"is too large ({info.st_size:,} bytes)", file=path,
                             expected=f"an answers file of at most {limit:,} bytes")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while being read
            raise InputError("is too large", file=path,
                             expected=f"an answers file of at most {limit:,} bytes")
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=path) from None
    finally:
        os.close(fd)

"""A best-effort on-disk cache of parsed data, so a cold ``advisor assess`` skips re-parsing.

Start-up time is dominated by work that gives the same answer every run: building the rule
base, parsing litellm's 1.5 MB price map, compiling templates. This module stores such
results with :mod:`marshal` (plain data, fastest to load) or :mod:`pickle` (advisor's own
objects) under a key that changes whenever the input, or the code building it, changes.
Any problem (no cache folder, a read-only disk, a stale or damaged file, a file or folder
another user could write, a FIFO or device in a file's place) means a cache miss, never an
error: the caller recomputes and carries on. Each file starts with its length and CRC-32,
so a flipped byte is a miss rather than a wrong value; files are opened without blocking and
checked (owner, mode, regular file) on the descriptor that is then read.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
import sys
import zlib
from typing import Any

from advisor import __version__

_FORMAT = f"{__version__}-py{sys.version_info[0]}{sys.version_info[1]}-m{marshal.version}"
_MAGIC = b"advisor-cache-3\n"
_CHECK = 12  # after the magic: the payload's length (8 bytes) and CRC-32 (4 bytes)
MAX_ENTRY_BYTES = 64 * 1024 * 1024


def _path(kind: str, key: str, codec: str = "marshal") -> str | None:
    try:
        from advisor.data.paths import cache_dir

        return os.path.join(cache_dir(), f"{kind}-{key}-{_FORMAT}.{codec}")
    except Exception:
        return None


def load(kind: str, key: str, *, codec: str = "marshal") -> Any | None:
    """The value saved under ``kind``/``key``, or None on any miss or damage."""
    path = _path(kind, key, codec)
    if path is None:
        return None
    data = _read_private(path)
    if data is None:
        return None
    try:
        if codec == "marshal":
            return marshal.loads(data)
        import pickle

        return pickle.loads(data)
    except Exception:  # a damaged or foreign file is a miss, whatever the decoder raises
        return None


def _read_private(path: str) -> bytes | None:
    """The verified payload of a cache file, or None: not private, not a regular file, too
    large, or its digest does not match (damaged)."""
    if not _private(os.path.dirname(path)):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (not stat.S_ISREG(info.st_mode) or not _owned(info)
                or info.st_size > MAX_ENTRY_BYTES):
            return None
        chunks, size = [], 0
        while size <= MAX_ENTRY_BYTES:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    blob = b"".join(chunks)
    head = len(_MAGIC) + _CHECK
    if len(blob) < head or not blob.startswith(_MAGIC):
        return None
    payload = blob[head:]
    if blob[len(_MAGIC):head] != _check(payload):
        return None
    return payload


def _check(payload: bytes) -> bytes:
    """Length and CRC-32 of a payload: any truncation or flipped bit is caught (damage, not
    an attack: an entry another user could write is never read at all)."""
    return len(payload).to_bytes(8, "big") + zlib.crc32(payload).to_bytes(4, "big")


def _owned(info: os.stat_result) -> bool:
    uid = os.getuid() if hasattr(os, "getuid") else None
    return (uid is None or info.st_uid == uid) and not info.st_mode & 0o022


def _private(path: str) -> bool:
    """True when ``path`` (the cache folder) belongs to this user and no one else can write
    it: unpickling (or unmarshalling) a file another user could have planted runs their code.
    The file itself is checked the same way on the descriptor that is read."""
    try:
        return _owned(os.stat(path))
    except OSError:
        return False


def save(kind: str, key: str, value: Any, *, prune: bool = True,
         codec: str = "marshal") -> None:
    """Store ``value``; ``prune`` removes this kind's other (stale) entries.

    ``codec`` "marshal" is for plain data; "pickle" for objects of advisor's own classes,
    whose key must then also cover the code that defines them.
    """
    path = _path(kind, key, codec)
    if path is None:
        return
    try:
        from advisor.data.files import write_atomic

        folder, name = os.path.split(path)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if prune:
            for other in os.listdir(folder):
                if other.startswith(f"{kind}-") and other != name:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(os.path.join(folder, other))
        if codec == "marshal":
            data = marshal.dumps(value)
        else:
            import pickle

            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(path, _MAGIC + _check(data) + data)
        os.chmod(path, 0o600)
    except (NotADirectoryError, FileExistsError):  # a file where the cache folder should be
        from advisor.data.paths import warn_not_a_folder

        warn_not_a_folder(path, "cache")
    except (OSError, ValueError, TypeError, AttributeError, RecursionError):
        pass


class TemplateCache:
    """Compiled Jinja templates in this cache (a ``jinja2.BytecodeCache``), with its checks.

    Jinja's own ``FileSystemBytecodeCache`` unpickles whatever file it finds in its folder;
    this one loads a template's code only from a private, undamaged entry (see :func:`load`),
    and only when it was compiled from the same template source (Jinja's checksum).
    """

    def __new__(cls) -> Any:
        from jinja2 import BytecodeCache

        class _Cache(BytecodeCache):
            def load_bytecode(self, bucket: Any) -> None:
                value = load("template", bucket.key)
                if (isinstance(value, tuple) and len(value) == 2
                        and value[0] == bucket.checksum and hasattr(value[1], "co_code")):
                    bucket.code = value[1]

            def dump_bytecode(self, bucket: Any) -> None:
                if bucket.code is not None:
                    save("template", bucket.key, (bucket.checksum, bucket.code), prune=False)

            def clear(self) -> None:
                pass

        return _Cache()

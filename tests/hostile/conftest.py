"""The hostile-input corpus (issue 14): black-box tests that drive ``python -m advisor``.

Every test runs the command line in a subprocess, with its own ``ADVISOR_HOME``, a wall-clock
timeout, an address-space cap and a process-count watchdog, so a regression shows up as a
failed test, never as a hung or exhausted machine. Large inputs are generated under
``tmp_path`` at test time; nothing big is committed.

The helpers live here and are imported by the test modules as ``hostile_conftest``: the suite
has more than one ``conftest.py`` outside a package, so the plain name ``conftest`` is shared
and cannot be imported reliably.

What the corpus holds advisor to (spec/result.md, spec/answers.md, issue 14):

- exit 2 for invalid input or usage, with one short line on stderr naming the file, the
  field path and what was expected; never a traceback; no output file created or truncated;
- exit 0 with a clean result otherwise; ``--format json`` is strict JSON (no NaN/Infinity);
- never a hang, never a replaced special file, nothing written outside the named output.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import math
import os
import re
import resource
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.modules.setdefault("hostile_conftest", sys.modules[__name__])

#: Address space allowed to one advisor process (MiB): generous for the tool, but a process
#: that reads /dev/zero or a 60 MB file without bound dies of MemoryError (a failed test)
#: long before the machine is in trouble.
DEFAULT_MEMORY_MB = 3072
#: Processes allowed in one run's process group before the watchdog kills it (fork bombs:
#: ``--jobs 100000`` used to start every worker at once).
DEFAULT_MAX_PROCS = 48

#: Characters that must never reach a terminal or a raw Markdown report from user data:
#: C0 controls except tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates.
UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

#: A number word that is not a number: what ``inf``/``nan`` look like once printed.
NON_FINITE_WORD = re.compile(r"(?<![A-Za-z0-9_])[-+]?(inf|infinity|nan)(?![A-Za-z0-9_])",
                             re.IGNORECASE)

#: A complete, valid answers file (the startup example of answers.md), kept inline so the
#: corpus does not depend on ``examples/`` staying where it is.
STARTUP: dict[str, Any] = {
    "schema_version": 1,
    "role": "startup",
    "organization": "Quillpad hostile test",
    "answers": {
        "archetype": "api_wrapper",
        "industry": "software",
        "proprietary_data": "none",
        "integration_depth": "light",
        "switching_cost": "low",
        "differentiation_is_access": "yes",
        "provider_overlap": "yes",
        "model": "gpt-4o",
        "daily_users": 1000,
        "requests_per_user_per_day": 10,
        "avg_input_tokens": 1500,
        "avg_output_tokens": 300,
        "pricing_model": "per_call",
        "cost_unlocks_features": "yes",
    },
}

ENTERPRISE: dict[str, Any] = {
    "schema_version": 1,
    "role": "enterprise_it",
    "organization": "Claims team hostile test",
    "answers": {
        "archetype": "internal_user",
        "industry": "financial_services",
        "regulated": True,
        "model": "gpt-4o-mini",
        "monthly_requests": 200000,
        "avg_input_tokens": 2000,
        "avg_output_tokens": 400,
        "calls_per_task": 3,
        "monthly_api_spend_usd": 9000,
        "monthly_ai_budget_usd": 20000,
        "deferred_use_cases": 2,
    },
}


def doc(base: dict[str, Any] | None = None, organization: str | None = None,
        assumptions: dict[str, Any] | None = None, **answers: Any) -> dict[str, Any]:
    """A copy of ``base`` (default STARTUP) with answers replaced (``None`` removes one)."""
    out = json.loads(json.dumps(base or STARTUP))
    for key, value in answers.items():
        if value is None:
            out["answers"].pop(key, None)
        else:
            out["answers"][key] = value
    if organization is not None:
        out["organization"] = organization
    if assumptions is not None:
        out["assumptions"] = assumptions
    return out


def write_json(path: Path, document: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- running advisor

def _drop_dac_capabilities() -> None:
    """Make uid 0 obey file modes (tests run as root here, and root ignores chmod 000).

    Drops CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER from the bounding set; the
    exec that follows then gives the child no such capability, so a mode-000 folder is
    unreadable and a mode-0444 file is read-only, as they are for any user.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def can_drop_privileges() -> bool:
    if os.geteuid() != 0:
        return True  # an ordinary user obeys file modes anyway
    try:
        probe = subprocess.run([sys.executable, "-c", "pass"], preexec_fn=_drop_dac_capabilities,
                               capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def _group_size(pgid: int) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if len(fields) > 3 and int(fields[2]) == pgid and fields[0] != b"Z":
            count += 1
    return count


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def run_advisor(*args: Any, stdin: Any = None, env: dict[str, str | None] | None = None,
                timeout: float = 60, cwd: str | os.PathLike[str] | None = None,
                memory_mb: int | None = DEFAULT_MEMORY_MB,
                max_procs: int | None = None, unprivileged: bool = False,
                close_stdout: bool = False, stdout: Any = None) -> subprocess.CompletedProcess:
    """Run ``python -m advisor ARGS`` and return the finished process.

    - ``ADVISOR_HOME`` is the test's own folder (set by the autouse ``hostile_home`` fixture,
      or a fresh temporary folder); ``env`` adds variables, a ``None`` value removes one.
    - ``stdin``: bytes/str are fed to the process, a file object or descriptor is passed
      through (``open('/dev/zero', 'rb')``), ``None`` gives an empty stdin.
    - ``stdout``: a file object to write standard output to instead of a pipe.
    - ``timeout``: a process (group) still running then is killed and the test fails: a hang.
    - ``memory_mb``: RLIMIT_AS of the process; ``max_procs``: the process group is killed
      and the test fails when it ever holds more processes than this (watched for ``batch``
      runs by default, where worker pools live; polling /proc costs CPU, so only there).
    - ``unprivileged``: run without the DAC capabilities (see ``_drop_dac_capabilities``).
    - ``close_stdout``: the process starts with file descriptor 1 closed.

    The result has ``stdout``/``stderr`` as text (UTF-8, undecodable bytes replaced) and
    ``stdout_bytes``/``stderr_bytes`` as received.
    """
    argv = [sys.executable, "-m", "advisor", *(os.fspath(a) if isinstance(a, os.PathLike)
                                                else str(a) for a in args)]
    full_env = dict(os.environ)
    full_env.pop("ADVISOR_LLM_BASE_URL", None)
    full_env.pop("ADVISOR_CACHE_DIR", None)
    if not full_env.get("ADVISOR_HOME"):
        full_env["ADVISOR_HOME"] = tempfile.mkdtemp(prefix="advisor-hostile-home-")
    full_env.setdefault("PYTHONUTF8", "1")
    # Reports are dated: a fixed day, so a report made by a module-scoped fixture (before the
    # root conftest's per-test environment) compares byte for byte with later ones.
    full_env.setdefault("SOURCE_DATE_EPOCH", "1780000000")
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value

    def preexec() -> None:
        if memory_mb:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if unprivileged and os.geteuid() == 0:
            _drop_dac_capabilities()
        if close_stdout:
            os.close(1)

    feed: bytes | None = None
    stdin_arg: Any = subprocess.DEVNULL
    if isinstance(stdin, str):
        feed, stdin_arg = stdin.encode("utf-8"), subprocess.PIPE
    elif isinstance(stdin, bytes | bytearray):
        feed, stdin_arg = bytes(stdin), subprocess.PIPE
    elif stdin is not None:
        stdin_arg = stdin

    proc = subprocess.Popen(argv, stdin=stdin_arg,
                            stdout=stdout if stdout is not None else subprocess.PIPE,
                            stderr=subprocess.PIPE, env=full_env, cwd=cwd,
                            start_new_session=True, preexec_fn=preexec)
    pgid = proc.pid
    if max_procs is None and "batch" in argv[3:4]:
        max_procs = DEFAULT_MAX_PROCS
    too_many: list[int] = []
    finished = threading.Event()

    def watchdog() -> None:
        while not finished.wait(0.02):
            size = _group_size(pgid)
            if size > max_procs:
                too_many.append(size)
                _kill_group(pgid)
                return

    guard = threading.Thread(target=watchdog, daemon=True)
    if max_procs is not None:
        guard.start()
    try:
        out, err = proc.communicate(input=feed, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(pgid)
        out, err = proc.communicate()
        finished.set()
        pytest.fail(f"advisor {' '.join(argv[3:])[:300]!s} still running after {timeout} s "
                    f"(a hang); stderr: {err[-500:]!r}")
    finally:
        finished.set()
        if guard.is_alive():
            guard.join(5)
    if too_many:
        pytest.fail(f"advisor {' '.join(argv[3:])[:300]} started {too_many[0]} processes "
                    f"(more than {max_procs}); killed")
    # Anything the run left behind in its own process group (orphaned workers) is noted and
    # ended, so one test never leaks processes into the next.
    leftover = _group_size(pgid)
    if leftover:
        _kill_group(pgid)
    out = out or b""
    err = err or b""
    done = subprocess.CompletedProcess(argv, proc.returncode,
                                       out.decode("utf-8", "replace"),
                                       err.decode("utf-8", "replace"))
    done.stdout_bytes = out  # type: ignore[attr-defined]
    done.stderr_bytes = err  # type: ignore[attr-defined]
    done.orphans = leftover  # type: ignore[attr-defined]
    return done


# --------------------------------------------------------------------------- assertions

def describe(proc: subprocess.CompletedProcess) -> str:
    return (f"\n$ advisor {' '.join(proc.args[3:])[:300]}\nexit {proc.returncode}\n"
            f"--- stderr ---\n{proc.stderr[-3000:]}\n--- stdout (head) ---\n{proc.stdout[:800]}")


def assert_no_crash(proc: subprocess.CompletedProcess, allowed: Iterable[int] = (0, 2)) -> None:
    """No traceback, no 'Exception ignored', an exit status in ``allowed``."""
    for stream in (proc.stderr, proc.stdout):
        assert "Traceback (most recent call last)" not in stream, describe(proc)
        assert "Exception ignored" not in stream, describe(proc)
    assert proc.returncode in tuple(allowed), describe(proc)


def _contains(haystack: str, needle: str | tuple[str, ...]) -> bool:
    options = needle if isinstance(needle, tuple) else (needle,)
    return any(option.lower() in haystack.lower() for option in options)


def assert_input_error(proc: subprocess.CompletedProcess, *needles: str | tuple[str, ...],
                       max_lines: int = 2, max_chars: int = 2000) -> None:
    """Exit 2, one short message on stderr (no traceback) containing every needle.

    A needle is a string or a tuple of alternatives (any one of them is enough); matching
    ignores case. The message is at most ``max_lines`` non-empty lines and ``max_chars``
    characters: a 10 MB value must not be echoed back. It holds no terminal control or
    bidi-override character.
    """
    assert_no_crash(proc, allowed=(2,))
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= max_lines, f"expected 1..{max_lines} stderr lines{describe(proc)}"
    assert len(proc.stderr) <= max_chars, f"stderr is {len(proc.stderr)} chars{describe(proc)}"
    assert not UNSAFE_CHARS.search(proc.stderr), f"control characters on stderr{describe(proc)}"
    for needle in needles:
        assert _contains(proc.stderr, needle), f"stderr lacks {needle!r}{describe(proc)}"


def assert_usage_error(proc: subprocess.CompletedProcess, *needles: str | tuple[str, ...]) -> None:
    """An argparse-style usage error: exit 2, a usage line or two, then the message."""
    assert_input_error(proc, *needles, max_lines=8, max_chars=4000)


def strict_json(text: str) -> Any:
    """Parse as JSON the way a strict consumer does: NaN/Infinity/1e999 are not JSON numbers."""
    def refuse(name: str) -> Any:
        raise ValueError(f"non-standard JSON constant {name}")

    value = json.loads(text, parse_constant=refuse)
    for number in _floats(value):
        if not math.isfinite(number):
            raise ValueError(f"a number outside the float range: {number}")
    return value


def _floats(value: Any) -> Iterator[float]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def assert_finite_text(text: str, what: str = "output") -> None:
    match = NON_FINITE_WORD.search(text)
    assert match is None, f"{what} shows a non-finite number {match.group(0)!r}: " \
        f"...{text[max(0, match.start() - 120):match.end() + 60]!r}..."


def listing(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under ``folder`` (not following links): relative path -> (mode, size, ino)."""
    out = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            full = os.path.join(root, name)
            st = os.lstat(full)
            out[os.path.relpath(full, folder)] = (st.st_mode, st.st_size, st.st_ino)
    return out


def is_char_device(path: Path) -> bool:
    return stat.S_ISCHR(os.lstat(path).st_mode)


def make_char_device(path: Path, major: int, minor: int) -> Path:
    """A device node like /dev/null (1, 3) or /dev/full (1, 7), private to the test."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot create a device node here ({exc}); refusing to risk the real /dev")
    return path


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    """``chattr +i``: read-only even for root. Skips the test when the file system refuses."""
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"chattr +i not supported here: {done.stderr.decode(errors='replace')}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)


def wait_for(predicate: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(autouse=True)
def hostile_home(tmp_path_factory: pytest.TempPathFactory,
                 monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own ADVISOR_HOME: history store, config and cache stay inside it."""
    home = tmp_path_factory.mktemp("advisor-home")
    monkeypatch.setenv("ADVISOR_HOME", str(home))
    monkeypatch.delenv("ADVISOR_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("ADVISOR_CACHE_DIR", raising=False)
    return home


@pytest.fixture
def answers_file(tmp_path: Path) -> Path:
    """A valid answers file under ``tmp_path``."""
    return write_json(tmp_path / "answers.json", STARTUP)


@pytest.fixture(scope="session")
def unprivileged_ok() -> bool:
    return can_drop_privileges()


@pytest.fixture
def needs_unprivileged(unprivileged_ok: bool) -> None:
    if not unprivileged_ok:
        pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE: file modes would not "
                    "apply to advisor, so this case cannot be reproduced here")

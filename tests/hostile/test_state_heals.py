"""Family 4: state that heals. Any damage to the cache is a miss (same report, no crash, no
hang, nothing executed from it); a store from a newer version or a damaged/read-only store
gives a clear message and still delivers the report; a bad price or config file is named as
such, not blamed on the answers file (issue 14, README "Files advisor keeps")."""

from __future__ import annotations

import os
import pickle
import random
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_conftest import (
    STARTUP,
    assert_input_error,
    assert_no_crash,
    describe,
    immutable,
    run_advisor,
    strict_json,
    write_json,
)

FORMATS = ["md", "json", "html"]
STORE = "advisor.sqlite3"


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    return write_json(tmp_path / "answers-file-under-test.json", STARTUP)


def _reports(answers: Path, **kwargs) -> dict[str, str]:
    out = {}
    for fmt in FORMATS:
        proc = run_advisor("assess", answers, "--format", fmt, timeout=20, **kwargs)
        assert_no_crash(proc, allowed=(0,))
        out[fmt] = proc.stdout
    return out


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A cache filled by one run of each format, and the reports those runs gave."""
    home = tmp_path_factory.mktemp("warm-home")
    path = write_json(home / "answers-file-under-test.json", STARTUP)
    reports = {}
    for fmt in FORMATS:
        proc = run_advisor("assess", path, "--format", fmt, "--no-history", timeout=20,
                           env={"ADVISOR_HOME": str(home)})
        assert_no_crash(proc, allowed=(0,))
        reports[fmt] = proc.stdout
    return home / "cache", reports


@pytest.fixture
def baseline(warm: tuple[Path, dict[str, str]], hostile_home: Path) -> dict[str, str]:
    """This test's home gets a copy of the warm cache; returns the reports to expect."""
    shutil.copytree(warm[0], hostile_home / "cache", symlinks=True)
    return warm[1]


def _cache_files(cache: Path) -> list[Path]:
    return [p for p in sorted(cache.rglob("*")) if p.is_file() and not p.is_symlink()]


# --------------------------------------------------------------------------- cache damage

def _flip(path: Path, where: str) -> None:
    data = bytearray(path.read_bytes())
    if data:
        i = {"middle": len(data) // 2, "first": 0, "last": len(data) - 1}[where]
        data[i] ^= 0xFF
        path.write_bytes(bytes(data))


def _replace_with(make: Callable[[Path], None]) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        path.unlink()
        make(path)
    return damage


def _wrong_but_valid(path: Path) -> None:
    """A well-formed file of the right kind holding the wrong thing."""
    import marshal

    if path.suffix == ".pickle":
        path.write_bytes(pickle.dumps({"rules": [], "not": "a rule base"}, protocol=4))
    elif path.suffix == ".marshal":
        path.write_bytes(marshal.dumps({"gpt-4o": (0.0, 0.0), "version": -1}))
    else:
        path.write_bytes(marshal.dumps(compile("x = 1", "<cache>", "exec")))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "flip-middle-byte": lambda p: _flip(p, "middle"),
    "flip-first-byte": lambda p: _flip(p, "first"),
    "flip-last-byte": lambda p: _flip(p, "last"),
    "truncate-half": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "truncate-zero": lambda p: p.write_bytes(b""),
    "garbage": lambda p: p.write_bytes(random.Random(14).randbytes(max(64, p.stat().st_size))),
    "wrong-but-valid": _wrong_but_valid,
    "a-folder": _replace_with(lambda p: (p.mkdir(), (p / "x").write_text("x"))),
    "a-fifo": _replace_with(lambda p: os.mkfifo(p)),
    "dangling-symlink": _replace_with(lambda p: p.symlink_to(p.parent / "gone" / p.name)),
    "symlink-to-dev-zero": _replace_with(lambda p: p.symlink_to("/dev/zero")),
}


@pytest.mark.parametrize("mode", sorted(DAMAGE))
def test_damaged_cache_is_a_miss(answers: Path, hostile_home: Path, mode: str,
                                 baseline: dict[str, str]) -> None:
    cache = hostile_home / "cache"
    files = _cache_files(cache)
    assert files, "the runs above should have filled the cache"
    for path in files:
        DAMAGE[mode](path)
    for round_, formats in ((1, FORMATS), (2, ["md"])):  # the damage must not stick
        for fmt in formats:
            proc = run_advisor("assess", answers, "--format", fmt, timeout=10)
            assert_no_crash(proc, allowed=(0,))
            assert proc.stdout == baseline[fmt], (
                f"run {round_}: the {fmt} report changed after '{mode}' cache damage"
                f"{describe(proc)}")


@pytest.mark.parametrize("mode", ["cache-is-a-file", "cache-is-a-dangling-symlink"])
def test_cache_folder_replaced(answers: Path, hostile_home: Path, mode: str,
                              baseline: dict[str, str]) -> None:
    cache = hostile_home / "cache"
    shutil.rmtree(cache)
    if mode == "cache-is-a-file":
        cache.write_text("not a folder")
    else:
        cache.symlink_to(hostile_home / "nowhere" / "cache")
    assert _reports(answers) == baseline


def test_unreadable_cache_files_are_a_miss(answers: Path, hostile_home: Path,
                                           needs_unprivileged: None,
                                           baseline: dict[str, str]) -> None:
    for path in _cache_files(hostile_home / "cache"):
        path.chmod(0o000)
    assert _reports(answers, unprivileged=True) == baseline


def test_read_only_cache_folder_still_works(answers: Path, hostile_home: Path,
                                            needs_unprivileged: None,
                                            baseline: dict[str, str]) -> None:
    shutil.rmtree(hostile_home / "cache")
    (hostile_home / "cache").mkdir(mode=0o555)
    try:
        assert _reports(answers, unprivileged=True) == baseline
    finally:
        (hostile_home / "cache").chmod(0o755)


class _Plant:
    """Unpickling this creates ``path``: proof that code from the cache folder ran."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _planted(marker: Path, path: Path) -> bytes:
    payload = pickle.dumps(_Plant(str(marker)), protocol=2)
    if "jinja" in path.name:
        try:
            from jinja2.bccache import bc_magic
        except ImportError:
            return payload
        return bc_magic + payload  # jinja reads its checksum with pickle.load
    return payload


@pytest.mark.parametrize("who", ["world-writable", "another-owner"])
def test_nothing_is_unpickled_from_a_cache_folder_others_can_write(
        answers: Path, hostile_home: Path, tmp_path: Path, who: str,
        baseline: dict[str, str]) -> None:
    cache = hostile_home / "cache"
    marker = tmp_path / "code-from-the-cache-ran"
    for path in _cache_files(cache):
        path.write_bytes(_planted(marker, path))
    for folder in [cache, *(p for p in cache.rglob("*") if p.is_dir())]:
        if who == "world-writable":
            folder.chmod(0o777)
        else:
            os.chown(folder, 65534, 65534)
            folder.chmod(0o755)
    for path in _cache_files(cache):
        if who == "another-owner":
            os.chown(path, 65534, 65534)
    after = _reports(answers)
    assert not marker.exists(), "advisor unpickled a file another user could have written"
    assert after == baseline


# --------------------------------------------------------------------------- the history store

def _store(home: Path) -> Path:
    return home / STORE


def _checkpoint(home: Path) -> None:
    """Fold the WAL into the main file so the store is one file we can damage or freeze."""
    with sqlite3.connect(_store(home)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    for suffix in ("-wal", "-shm"):
        Path(str(_store(home)) + suffix).unlink(missing_ok=True)


def test_store_from_a_newer_version(answers: Path, hostile_home: Path) -> None:
    first = run_advisor("assess", answers, timeout=20)
    assert_no_crash(first, allowed=(0,))
    _checkpoint(hostile_home)
    with sqlite3.connect(_store(hostile_home)) as db:
        db.execute("INSERT INTO _migrations (name, applied_at) VALUES "
                   "('m999_from_a_future_version', '2099-01-01T00:00:00+00:00')")
        db.execute("CREATE TABLE future_things (id INTEGER PRIMARY KEY, blob BLOB)")
        db.execute("PRAGMA user_version = 999")

    proc = run_advisor("assess", answers, timeout=20)
    assert_no_crash(proc, allowed=(0,))
    assert proc.stdout == first.stdout, "the report must still be delivered, unchanged"
    assert ("newer" in proc.stderr.lower() or "version" in proc.stderr.lower()) \
        and STORE in proc.stderr, f"a newer store was used silently{describe(proc)}"
    with sqlite3.connect(_store(hostile_home)) as db:
        names = [r[0] for r in db.execute("SELECT name FROM _migrations")]
    assert "m999_from_a_future_version" in names, "the newer store's records were altered"

    listed = run_advisor("history", "list", timeout=20)
    assert_no_crash(listed)
    if listed.returncode == 2:
        assert_input_error(listed, STORE, ("newer", "version"))


def _garbage(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(8192))


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def _header_only(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100:] = random.Random(3).randbytes(len(data) - 100)
    path.write_bytes(bytes(data))


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


STORE_DAMAGE = {"garbage": _garbage, "truncated": _truncated, "header-only": _header_only,
                "a-folder": _folder, "a-fifo": _fifo}


@pytest.mark.parametrize("mode", sorted(STORE_DAMAGE))
def test_damaged_store_still_delivers_the_report(answers: Path, hostile_home: Path,
                                                 mode: str) -> None:
    first = run_advisor("assess", answers, timeout=20)
    assert_no_crash(first, allowed=(0,))
    _checkpoint(hostile_home)
    STORE_DAMAGE[mode](_store(hostile_home))
    proc = run_advisor("assess", answers, timeout=20)
    assert_no_crash(proc, allowed=(0,))
    assert proc.stdout == first.stdout
    assert STORE in proc.stderr, f"the damaged store went unmentioned{describe(proc)}"
    listed = run_advisor("history", "list", timeout=20)
    assert_input_error(listed, STORE)


def _assert_listed_or_explained(proc: subprocess.CompletedProcess) -> None:
    assert_no_crash(proc)
    if proc.returncode == 0:
        rows = strict_json(proc.stdout)
        assert len(rows) == 1, describe(proc)
    else:
        assert_input_error(proc, STORE, ("read-only", "readonly", "read only", "permission",
                                         "cannot write", "not writable"))


@pytest.mark.parametrize("what", ["file", "folder", "file-and-folder"])
def test_read_only_store_can_still_be_listed(answers: Path, hostile_home: Path, what: str,
                                             needs_unprivileged: None) -> None:
    assert_no_crash(run_advisor("assess", answers, timeout=20), allowed=(0,))
    _checkpoint(hostile_home)
    if what in ("file", "file-and-folder"):
        _store(hostile_home).chmod(0o444)
    if what in ("folder", "file-and-folder"):
        hostile_home.chmod(0o555)
    try:
        _assert_listed_or_explained(run_advisor("history", "list", "--format", "json",
                                                timeout=20, unprivileged=True))
        again = run_advisor("assess", answers, timeout=20, unprivileged=True)
        assert_no_crash(again, allowed=(0,))
        assert again.stdout.startswith("# ")
    finally:
        hostile_home.chmod(0o755)
        _store(hostile_home).chmod(0o644)


def test_immutable_store_can_still_be_listed(answers: Path, hostile_home: Path) -> None:
    assert_no_crash(run_advisor("assess", answers, timeout=20), allowed=(0,))
    _checkpoint(hostile_home)
    with immutable(_store(hostile_home)):
        _assert_listed_or_explained(run_advisor("history", "list", "--format", "json",
                                                timeout=20))
        again = run_advisor("assess", answers, timeout=20)
        assert_no_crash(again, allowed=(0,))
        assert again.stdout.startswith("# ")


# --------------------------------------------------------------------------- price and config files

BAD_PRICES = {
    "not-toml": "[[[",
    "unknown-top-key": 'colour = "blue"\n',
    "missing-output": '[models."gpt-4o"]\ninput_per_mtok = 1.0\n',
    "string-price": '[models."gpt-4o"]\ninput_per_mtok = "cheap"\noutput_per_mtok = 1.0\n',
    "negative": '[models."gpt-4o"]\ninput_per_mtok = -1.0\noutput_per_mtok = 1.0\n',
    "inf": '[models."gpt-4o"]\ninput_per_mtok = inf\noutput_per_mtok = 1.0\n',
    "nan": '[models."gpt-4o"]\ninput_per_mtok = nan\noutput_per_mtok = 1.0\n',
    "400-digits": '[models."gpt-4o"]\ninput_per_mtok = ' + "9" * 400 + "\noutput_per_mtok = 1\n",
    "bool": '[models."gpt-4o"]\ninput_per_mtok = true\noutput_per_mtok = 1.0\n',
    "models-not-a-table": 'models = 3\n',
    "nul-bytes": '[models."gpt-4o"]\x00\ninput_per_mtok = 1\n',
    "invalid-utf8": b'[models."gpt\xff\xfe"]\ninput_per_mtok = 1\noutput_per_mtok = 1\n',
}


def _write_bad(path: Path, content: str | bytes) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize(("case", "command"), [
    *((case, "assess") for case in sorted(BAD_PRICES)),
    *((case, command) for case in ("not-toml", "negative", "400-digits")
      for command in ("cost", "explain")),
])
def test_bad_prices_toml_is_named_not_the_answers_file(answers: Path, hostile_home: Path,
                                                       case: str, command: str) -> None:
    _write_bad(hostile_home / "prices.toml", BAD_PRICES[case])
    args = {"assess": ["assess", answers], "explain": ["explain", answers],
            "cost": ["cost", "--model", "gpt-4o", "--requests", "1000"]}[command]
    proc = run_advisor(*args, timeout=20)
    assert_input_error(proc, "prices.toml")
    assert answers.name not in proc.stderr, \
        f"the error blames the answers file for prices.toml{describe(proc)}"


@pytest.mark.parametrize("shape", ["a-folder", "a-fifo", "dangling-symlink"])
def test_prices_toml_that_is_not_a_file(answers: Path, hostile_home: Path, shape: str) -> None:
    path = hostile_home / "prices.toml"
    if shape == "a-folder":
        path.mkdir()
    elif shape == "a-fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(hostile_home / "gone.toml")
    proc = run_advisor("assess", answers, timeout=10)
    assert_no_crash(proc)
    if proc.returncode == 2:
        assert_input_error(proc, "prices.toml")
        assert answers.name not in proc.stderr


def test_huge_price_in_prices_toml_stays_finite(answers: Path, hostile_home: Path) -> None:
    (hostile_home / "prices.toml").write_text(
        '[models."gpt-4o"]\ninput_per_mtok = 1.7e308\noutput_per_mtok = 1.7e308\n')
    proc = run_advisor("assess", answers, "--format", "json", timeout=20)
    assert_no_crash(proc)
    if proc.returncode == 2:
        assert_input_error(proc, "prices.toml")
    else:
        strict_json(proc.stdout)


@pytest.mark.parametrize("content", ["garbage = [", "[llm]\nmodel = 3\n", "[llm]\nunknown = 1\n",
                                     b"\xff\xfe\x00"], ids=["not-toml", "wrong-type",
                                                            "unknown-key", "invalid-utf8"])
def test_bad_config_toml_is_named_not_the_answers_file(answers: Path, hostile_home: Path,
                                                       content: str | bytes) -> None:
    _write_bad(hostile_home / "config.toml", content)
    proc = run_advisor("assess", answers, timeout=20)
    assert_input_error(proc, "config.toml")
    assert answers.name not in proc.stderr


def test_the_corpus_can_tell_a_real_change(answers: Path) -> None:
    """Guard for the cache tests above: a different answers file gives a different report,
    so 'same report after damage' is a meaningful check."""
    other = write_json(answers.parent / "other.json", {**STARTUP, "organization": "Other"})
    one = run_advisor("assess", answers, timeout=20)
    two = run_advisor("assess", other, timeout=20)
    assert one.stdout != two.stdout
    assert stat.S_ISREG(os.stat(answers).st_mode)

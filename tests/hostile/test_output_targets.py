"""Family 2: writing where the user pointed. Atomic replace is for regular files; anything
else (a device, a FIFO, a symlink) is written through or refused with exit 2, never replaced.
The input is never overwritten, and nothing but the named output is written (issue 14)."""

from __future__ import annotations

import os
import select
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hostile_conftest import (
    STARTUP,
    assert_input_error,
    assert_no_crash,
    describe,
    immutable,
    is_char_device,
    listing,
    make_char_device,
    run_advisor,
    write_json,
)

FORMATS = ["md", "json", "html"]


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A folder holding the answers file; outputs go next to it."""
    folder = tmp_path / "work"
    write_json(folder / "answers.json", STARTUP)
    return folder


def _assess(work: Path, target: Path | str, *extra: str, **kwargs) -> subprocess.CompletedProcess:
    return run_advisor("assess", work / "answers.json", "-o", target, *extra, timeout=20,
                       **kwargs)


def _only_changed(before: dict, after: dict, *allowed: str) -> None:
    """Nothing appeared, vanished or changed in the folder except the named entries."""
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed <= set(allowed), f"unexpected changes beside the output: {sorted(changed)}"


# --------------------------------------------------------------------------- devices

@pytest.mark.parametrize("fmt", FORMATS)
def test_o_onto_a_null_device_keeps_the_device(work: Path, fmt: str) -> None:
    """As root, ``-o /dev/null`` used to replace the system's /dev/null with a regular file.
    The device here is a private node with /dev/null's numbers (1, 3)."""
    node = make_char_device(work / "null", 1, 3)
    rdev = os.lstat(node).st_rdev
    before = listing(work)
    proc = _assess(work, node, "--format", fmt)
    assert_no_crash(proc)
    assert is_char_device(node), f"the device was replaced by a regular file{describe(proc)}"
    assert os.lstat(node).st_rdev == rdev
    _only_changed(before, listing(work), "null")


def test_history_export_onto_a_null_device_keeps_the_device(work: Path) -> None:
    run_advisor("assess", work / "answers.json", timeout=20)
    node = make_char_device(work / "null", 1, 3)
    proc = run_advisor("history", "export", "-o", node, timeout=20)
    assert_no_crash(proc)
    assert is_char_device(node), describe(proc)


@pytest.mark.parametrize("fmt", FORMATS)
def test_o_onto_a_full_device_is_an_error(work: Path, fmt: str) -> None:
    """/dev/full (1, 7): every write fails with ENOSPC. Exit 2, no traceback, device kept."""
    node = make_char_device(work / "full", 1, 7)
    proc = _assess(work, node, "--format", fmt)
    assert_input_error(proc, "full")
    assert is_char_device(node), describe(proc)


#: Commands whose result goes to standard output.
STDOUT_COMMANDS = [
    ["assess", "{answers}"],
    ["assess", "{answers}", "--format", "json"],
    ["explain", "{answers}"],
    ["ask", "{answers}", "should we self-host?"],
    ["schema"],
    ["questions"],
    ["template", "--role", "startup"],
    ["prices", "gpt-4o", "--format", "json"],
    ["cost", "--model", "gpt-4o", "--requests", "1000"],
    ["history", "list"],
    ["history", "export"],
]


def _args(command: list[str], work: Path) -> list[str]:
    return [a.format(answers=work / "answers.json") for a in command]


@pytest.mark.parametrize("command", STDOUT_COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_stdout_onto_a_full_device_is_an_error(work: Path, command: list[str]) -> None:
    if command[0] == "history":
        run_advisor("assess", work / "answers.json", timeout=20)  # something to list
    node = make_char_device(work / "full", 1, 7)
    with open(node, "wb") as full:
        proc = run_advisor(*_args(command, work), stdout=full, timeout=20)
    assert_no_crash(proc, allowed=(2,))
    assert proc.stderr.strip(), "a failed write must be reported"


@pytest.mark.parametrize("command", STDOUT_COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_closed_stdout_is_an_error_not_a_traceback(work: Path, command: list[str]) -> None:
    if command[0] == "history":
        run_advisor("assess", work / "answers.json", timeout=20)
    proc = run_advisor(*_args(command, work), close_stdout=True, timeout=20)
    assert_no_crash(proc, allowed=(2,))


@pytest.mark.parametrize("command", [["prices", "--format", "json"], ["prices", "--format", "text"],
                                     ["schema"], ["questions", "--format", "json"]],
                         ids=lambda c: "-".join(c))
def test_reader_that_stops_early_is_not_a_traceback(command: list[str]) -> None:
    """``advisor prices | head -1``: the reader goes away after the first bytes."""
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "advisor", *command], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    proc.stdout.read(64)
    proc.stdout.close()
    try:
        err = proc.stderr.read()
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        pytest.fail("advisor kept running after its reader went away")
    text = err.decode("utf-8", "replace")
    assert "Traceback" not in text and "Exception ignored" not in text, text[-2000:]
    assert proc.returncode != 1, text[-2000:]


# --------------------------------------------------------------------------- links

def test_o_onto_a_symlink_keeps_the_link(work: Path) -> None:
    target = work / "kept" / "target.md"
    target.parent.mkdir()
    target.write_text("old report\n")
    link = work / "report.md"
    link.symlink_to(target)
    proc = _assess(work, link)
    assert_no_crash(proc)
    assert link.is_symlink(), f"the symlink was replaced by a regular file{describe(proc)}"
    assert os.readlink(link) == str(target)
    if proc.returncode == 0:
        assert target.read_text().startswith("# "), "written through: the target holds the report"
    else:
        assert_input_error(proc, "report.md")
        assert target.read_text() == "old report\n"


def test_o_onto_a_dangling_symlink(work: Path) -> None:
    link = work / "report.md"
    target = work / "missing" / "nowhere.md"
    link.symlink_to(target)
    proc = _assess(work, link)
    assert_no_crash(proc)
    assert link.is_symlink(), describe(proc)
    if proc.returncode == 2:
        assert_input_error(proc, "report.md")
        assert not target.parent.exists()


def test_o_onto_a_symlink_to_a_folder_is_an_error(work: Path) -> None:
    folder = work / "reports"
    folder.mkdir()
    link = work / "report.md"
    link.symlink_to(folder)
    proc = _assess(work, link)
    assert_input_error(proc, "report.md")
    assert link.is_symlink() and list(folder.iterdir()) == []


@pytest.mark.parametrize("how", ["same-path", "dot-slash", "dot-dot", "symlink", "hard-link",
                                 "relative-vs-absolute"])
def test_o_never_overwrites_the_input(work: Path, how: str) -> None:
    source = work / "answers.json"
    original = source.read_bytes()
    cwd = None
    if how == "same-path":
        target: Path | str = source
    elif how == "dot-slash":
        target, cwd = "./answers.json", work
    elif how == "dot-dot":
        (work / "sub").mkdir()
        target = work / "sub" / ".." / "answers.json"
    elif how == "symlink":
        target = work / "link.json"
        target.symlink_to(source)
    elif how == "hard-link":
        target = work / "hard.json"
        os.link(source, target)
    else:
        target, cwd = str(source), work
        source = Path("answers.json")
    proc = run_advisor("assess", source, "-o", target, "--format", "json", cwd=cwd, timeout=20)
    assert (work / "answers.json").read_bytes() == original, \
        f"the answers file was overwritten{describe(proc)}"
    assert_no_crash(proc)
    if how in ("same-path", "dot-slash", "dot-dot", "symlink", "relative-vs-absolute"):
        assert_input_error(proc, "answers.json")


def test_batch_into_its_own_input_folder_never_overwrites_inputs(tmp_path: Path) -> None:
    """``--format json`` names reports ``acme.json``: the inputs' own names."""
    folder = tmp_path / "portfolio"
    for name in ("acme", "beta"):
        write_json(folder / f"{name}.json", {**STARTUP, "organization": name})
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    proc = run_advisor("batch", folder, "-o", folder, "--format", "json", "--no-progress",
                       timeout=30)
    assert_no_crash(proc)
    for name, content in before.items():
        assert (folder / name).read_bytes() == content, f"{name} was overwritten{describe(proc)}"


# --------------------------------------------------------------------------- FIFOs

def test_o_onto_a_fifo_with_a_reader(work: Path) -> None:
    fifo = work / "pipe.md"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    received = bytearray()
    done = threading.Event()

    def drain() -> None:
        while not done.is_set():
            ready, _, _ = select.select([reader], [], [], 0.05)
            if ready:
                chunk = os.read(reader, 65536)
                if chunk:
                    received.extend(chunk)
                else:
                    time.sleep(0.02)  # no writer (yet, or any more)

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    try:
        proc = _assess(work, fifo)
    finally:
        time.sleep(0.1)
        done.set()
        thread.join(2)
        os.close(reader)
    assert_no_crash(proc)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), f"the FIFO was replaced{describe(proc)}"
    if proc.returncode == 0:
        assert bytes(received).startswith(b"# "), "written through: the reader got the report"
    else:
        assert_input_error(proc, "pipe.md")


def test_o_onto_a_fifo_without_a_reader_does_not_hang(work: Path) -> None:
    fifo = work / "pipe.md"
    os.mkfifo(fifo)
    proc = _assess(work, fifo)
    assert_input_error(proc, "pipe.md")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_history_export_onto_a_fifo_without_a_reader_does_not_hang(work: Path) -> None:
    fifo = work / "export.jsonl"
    os.mkfifo(fifo)
    proc = run_advisor("history", "export", "-o", fifo, timeout=20)
    assert_no_crash(proc)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


# --------------------------------------------------------------------------- read-only targets

def test_o_onto_a_read_only_file_is_refused(work: Path, needs_unprivileged: None) -> None:
    target = work / "report.md"
    target.write_text("keep me\n")
    target.chmod(0o444)
    before = listing(work)
    proc = _assess(work, target, unprivileged=True)
    assert_input_error(proc, "report.md")
    assert target.read_text() == "keep me\n"
    assert stat.S_IMODE(os.lstat(target).st_mode) == 0o444
    _only_changed(before, listing(work))


def test_o_onto_a_read_only_file_as_root(work: Path) -> None:
    """Root may write anything, but a rename over a file marked read-only replaces it behind
    the user's back: refuse it, or write through keeping the file (its inode and mode)."""
    target = work / "report.md"
    target.write_text("keep me\n")
    target.chmod(0o444)
    inode = os.lstat(target).st_ino
    proc = _assess(work, target)
    assert_no_crash(proc)
    if proc.returncode == 2:
        assert_input_error(proc, "report.md")
        assert target.read_text() == "keep me\n"
    else:
        assert os.lstat(target).st_ino == inode, "the read-only file was replaced, not written"
        assert stat.S_IMODE(os.lstat(target).st_mode) == 0o444


def test_o_onto_an_immutable_file_is_refused(work: Path) -> None:
    """``chattr +i``: not even root can change it. Exit 2, one line, no traceback."""
    target = work / "report.md"
    target.write_text("keep me\n")
    with immutable(target):
        proc = _assess(work, target)
        assert_input_error(proc, "report.md")
    assert target.read_text() == "keep me\n"


def test_o_into_a_read_only_folder_is_refused(work: Path, needs_unprivileged: None) -> None:
    folder = work / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        proc = _assess(work, folder / "report.md", unprivileged=True)
        assert_input_error(proc, "report.md")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


# --------------------------------------------------------------------------- names

@pytest.mark.parametrize("name", ["a" * 247 + ".md", "é" * 123 + ".md", "r" * 250],
                         ids=["ascii-250", "utf8-249-bytes", "no-extension-250"])
def test_a_legal_long_name_is_accepted(work: Path, name: str) -> None:
    assert len(name.encode()) <= 255
    before = listing(work)
    proc = _assess(work, work / name)
    assert_no_crash(proc, allowed=(0,))
    assert (work / name).read_text(encoding="utf-8").startswith("# ")
    _only_changed(before, listing(work), name)


@pytest.mark.parametrize("name", ["a" * 300 + ".md", "é" * 130 + ".md", "b" * 256],
                         ids=["ascii-303", "utf8-263-bytes", "ascii-256"])
def test_a_name_too_long_is_a_clear_error(work: Path, name: str) -> None:
    before = listing(work)
    proc = _assess(work, work / name)
    assert_input_error(proc, ("too long", "name"), max_chars=4000)
    _only_changed(before, listing(work))


@pytest.mark.parametrize("target", ["missing-folder/report.md", "x/" * 2100 + "r.md", "."],
                         ids=["missing-folder", "path-over-path-max", "a-folder"])
def test_an_impossible_target_is_a_clear_error(work: Path, target: str) -> None:
    before = listing(work)
    proc = run_advisor("assess", work / "answers.json", "-o", target, cwd=work, timeout=20)
    assert_input_error(proc, max_chars=6000)
    _only_changed(before, listing(work))


def test_a_failed_write_leaves_an_existing_report_untouched(work: Path) -> None:
    """Bad input: exit 2 and the old report at the target is neither truncated nor replaced."""
    target = work / "report.md"
    target.write_text("previous report\n")
    (work / "bad.json").write_text('{"schema_version": 1, "role": "startup", "answers": {}}')
    proc = run_advisor("assess", work / "bad.json", "-o", target, timeout=20)
    assert_input_error(proc, "bad.json")
    assert target.read_text() == "previous report\n"

"""Family 3: batch identity. A report's name follows from its input's path alone (stable when
other files are added), resume compares content (a digest, not names or times), each file is
assessed once however the folder is linked, nothing in the folder hangs the run, nothing is
skipped silently, and one output folder has one writer at a time (issue 14)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hostile_conftest import (
    ENTERPRISE,
    STARTUP,
    assert_no_crash,
    describe,
    doc,
    run_advisor,
    strict_json,
    write_json,
)

TIMEOUT = 30


def _batch(*paths: Any, out: Path, expect: tuple[int, ...] = (0,), **kwargs: Any
           ) -> subprocess.CompletedProcess:
    proc = run_advisor("batch", *paths, "-o", out, "--format", "json", "--no-progress",
                       "--jobs", "2", timeout=kwargs.pop("timeout", TIMEOUT), **kwargs)
    assert_no_crash(proc, allowed=expect)
    return proc


def _summary(out: Path) -> dict[str, Any]:
    return strict_json((out / "summary.json").read_text(encoding="utf-8"))


def _reports(out: Path) -> dict[str, str]:
    """Report file name -> the organization it was written for."""
    found = {}
    for path in out.iterdir():
        if path.name.startswith("summary.") or path.name.startswith("."):
            continue
        found[path.name] = strict_json(path.read_text(encoding="utf-8"))["organization"]
    return found


def _history_sources() -> Counter:
    listed = run_advisor("history", "list", "--format", "json", "--limit", "100000", timeout=20)
    assert_no_crash(listed, allowed=(0,))
    return Counter(row.get("source") for row in strict_json(listed.stdout))


def _check_consistent(out: Path, inputs: dict[str, str], proc: Any) -> None:
    """One report per input; each report holds its own input's organization; the summary
    table agrees with the files on disk."""
    reports = _reports(out)
    assert sorted(reports.values()) == sorted(inputs.values()), \
        f"reports {reports} do not match inputs {inputs}{describe(proc)}"
    table = _summary(out)["table"]
    for row in table:
        assert reports.get(row["report"]) == row["organization"], \
            f"summary says {row['report']} is {row['organization']!r}, the file holds " \
            f"{reports.get(row['report'])!r}"
    assert Counter(row["report"] for row in table).most_common(1)[0][1] == 1


def _write_inputs(root: Path, names: list[str]) -> dict[str, str]:
    """Write one distinct answers file per relative name; return name -> organization."""
    orgs = {}
    for i, name in enumerate(names):
        org = f"Org of {name}"
        base = STARTUP if i % 2 == 0 else ENTERPRISE
        path = root / name
        if name.endswith(".jsonl"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({**base, "organization": org}) + "\n", encoding="utf-8")
        else:
            write_json(path, {**base, "organization": org})
        orgs[name] = org
    return orgs


# --------------------------------------------------------------------------- resume and edits

def _edited(organization: str) -> dict[str, Any]:
    return doc(ENTERPRISE, organization=organization)


@pytest.mark.parametrize("keep_mtime", [False, True], ids=["new-mtime", "same-size-same-mtime"])
def test_an_edited_input_gets_a_new_report(tmp_path: Path, keep_mtime: bool) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    write_json(folder / "acme.json", doc(organization="Acme version AAA"))
    write_json(folder / "beta.json", doc(organization="Beta"))
    _batch(folder, out=out)
    assert "Acme version AAA" in _reports(out).values()

    path = folder / "acme.json"
    st = path.stat()
    if keep_mtime:
        # Same length, same mtime: only the content differs. Resume must compare a digest.
        text = path.read_text(encoding="utf-8").replace("version AAA", "version BBB")
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        expected = "Acme version BBB"
    else:
        write_json(path, _edited("Acme version CCC"))
        expected = "Acme version CCC"
    proc = _batch(folder, out=out)
    reports = _reports(out)
    assert expected in reports.values(), f"the old report was kept: {reports}{describe(proc)}"
    assert not any("version AAA" in org for org in reports.values()), reports
    _check_consistent(out, {"acme.json": expected, "beta.json": "Beta"}, proc)


def test_an_edited_jsonl_line_gets_a_new_report(tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    lines = [json.dumps(doc(organization=f"Line {i}")) for i in range(3)]
    (folder / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _batch(folder / "items.jsonl", out=out)
    lines[1] = json.dumps(doc(organization="Line 1 edited"))
    (folder / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = _batch(folder / "items.jsonl", out=out)
    _check_consistent(out, {"0": "Line 0", "1": "Line 1 edited", "2": "Line 2"}, proc)


def test_an_unchanged_rerun_reassesses_nothing(tmp_path: Path) -> None:
    """The other side of resume: same content, same reports, no new history rows."""
    folder, out = tmp_path / "in", tmp_path / "out"
    inputs = _write_inputs(folder, ["a.json", "b.json", "sub/c.json"])
    _batch(folder, out=out)
    first = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith("summary")}
    rows = sum(_history_sources().values())
    proc = _batch(folder, out=out)
    again = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith("summary")}
    assert first == again
    assert sum(_history_sources().values()) == rows, describe(proc)
    _check_consistent(out, inputs, proc)


# --------------------------------------------------------------------------- stable names

#: (files at first, files added later): the added ones sort before, beside or between.
ADDITIONS = [
    (["m/acme.json"], ["a/acme.json"]),
    (["acme.json", "beta.json"], ["sub/acme.json"]),
    (["m/acme.json", "m/acme-2.json"], ["a/acme.json"]),
    (["m/acme.json"], ["a/ACME.json"]),
    (["z/acme.json", "z/beta.json"], ["a/acme.json", "b/acme.json", "c/beta.json"]),
    (["m/acme.json", "m/beta.json"], ["m/sub/acme.json", "m/sub/beta.json"]),
]


@pytest.mark.parametrize(("first", "added"), ADDITIONS,
                         ids=[f"{'+'.join(f)}--{'+'.join(a)}" for f, a in ADDITIONS])
def test_adding_a_same_named_file_changes_no_existing_report(tmp_path: Path, first: list[str],
                                                            added: list[str]) -> None:
    folder = tmp_path / "in"
    inputs = _write_inputs(folder, first)
    out1 = tmp_path / "out1"
    _batch(folder, out=out1)
    before = _reports(out1)

    inputs.update(_write_inputs(folder, added))
    # A fresh output folder: the names the first files get must not move.
    out2 = tmp_path / "out2"
    proc = _batch(folder, out=out2)
    after = _reports(out2)
    for name, org in before.items():
        assert after.get(name) == org, \
            f"{name} held {org!r}, now {after.get(name)!r}{describe(proc)}"
    _check_consistent(out2, inputs, proc)

    # Resuming into the first folder: the same, nothing re-recorded, everything written.
    rows_before = _history_sources()
    proc = _batch(folder, out=out1)
    resumed = _reports(out1)
    for name, org in before.items():
        assert resumed.get(name) == org, f"{name} now holds {resumed.get(name)!r}"
    _check_consistent(out1, inputs, proc)
    history = _history_sources()
    for source, count in history.items():
        assert count <= rows_before.get(source, 0) + 1, f"{source} recorded twice"


def test_adding_a_same_named_jsonl_changes_no_existing_report(tmp_path: Path) -> None:
    """Named on the command line (folders are searched for *.json only), a second
    ``items.jsonl`` from another folder, given first, must not take the first one's names."""
    first = tmp_path / "m" / "items.jsonl"
    second = tmp_path / "a" / "items.jsonl"
    for path, tag in ((first, "M"), (second, "A")):
        path.parent.mkdir(parents=True)
        path.write_text("".join(json.dumps(doc(organization=f"{tag} line {i}")) + "\n"
                                for i in range(3)), encoding="utf-8")
    out1, out2 = tmp_path / "out1", tmp_path / "out2"
    _batch(first, out=out1)
    before = _reports(out1)
    proc = _batch(second, first, out=out2)
    after = _reports(out2)
    for name, org in before.items():
        assert after.get(name) == org, f"{name} held {org!r}, now {after.get(name)!r}" \
            f"{describe(proc)}"
    assert len(after) == 6


# --------------------------------------------------------------------------- folder shapes

@pytest.mark.parametrize("loop", ["self", "parent", "grandparent", "two-way"])
def test_a_symlink_loop_terminates_and_assesses_each_file_once(tmp_path: Path, loop: str) -> None:
    folder = tmp_path / "in"
    inputs = _write_inputs(folder, ["a.json", "sub/b.json", "sub/deeper/c.json"])
    if loop == "self":
        (folder / "loop").symlink_to(folder)
    elif loop == "parent":
        (folder / "sub" / "up").symlink_to("..")
    elif loop == "grandparent":
        (folder / "sub" / "deeper" / "top").symlink_to(folder)
    else:
        (folder / "sub" / "to-deeper").symlink_to(folder / "sub" / "deeper")
        (folder / "sub" / "deeper" / "to-sub").symlink_to(folder / "sub")
    out = tmp_path / "out"
    proc = _batch(folder, out=out, expect=(0, 2), timeout=15)
    summary = _summary(out)
    assert summary["items"] == 3, f"{summary['items']} items for 3 files{describe(proc)}"
    assert summary["assessed"] == 3
    _check_consistent(out, inputs, proc)
    assert max(_history_sources().values()) == 1


def test_the_same_file_named_twice_on_the_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    inputs = _write_inputs(folder, ["a.json", "b.json"])
    out = tmp_path / "out"
    proc = _batch(folder, folder / "a.json", folder, out=out, expect=(0, 2))
    _check_consistent(out, inputs, proc)
    assert max(_history_sources().values()) == 1


@pytest.mark.parametrize("fifo_name", ["pipe.json", "sub/nested.json"])
def test_a_fifo_in_the_folder_does_not_hang(tmp_path: Path, fifo_name: str) -> None:
    folder = tmp_path / "in"
    inputs = _write_inputs(folder, ["a.json", "b.json"])
    fifo = folder / fifo_name
    fifo.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(fifo)
    out = tmp_path / "out"
    proc = _batch(folder, out=out, expect=(0, 2), timeout=30)
    assert proc.orphans == 0, f"{proc.orphans} worker processes outlived the batch"
    _check_consistent(out, inputs, proc)


def test_a_fifo_named_on_the_command_line_does_not_hang(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    inputs = _write_inputs(folder, ["a.json"])
    fifo = tmp_path / "named.json"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    proc = _batch(fifo, folder, out=out, expect=(2,), timeout=30)
    assert proc.orphans == 0
    assert "named.json" in json.dumps(_summary(out)["invalid_items"]), describe(proc)
    _check_consistent(out, inputs, proc)


@pytest.mark.parametrize("what", ["folder", "file", "jsonl"])
def test_an_unreadable_entry_is_reported_not_skipped(tmp_path: Path, what: str,
                                                     needs_unprivileged: None) -> None:
    """Mode 000 (enforced even for root: the run drops CAP_DAC_OVERRIDE). The batch exits 2
    and says which entry it could not read."""
    folder = tmp_path / "in"
    inputs = _write_inputs(folder, ["a.json"])
    if what == "folder":
        locked = folder / "locked-folder"
        _write_inputs(locked, ["hidden.json"])
    elif what == "file":
        locked = folder / "locked-file.json"
        write_json(locked, STARTUP)
    else:
        locked = folder / "locked-lines.jsonl"
        locked.write_text(json.dumps(STARTUP) + "\n", encoding="utf-8")
    locked.chmod(0o000)
    out = tmp_path / "out"
    # Folders are searched for *.json; a .jsonl file is an input only when named.
    paths = [folder, locked] if what == "jsonl" else [folder]
    try:
        proc = _batch(*paths, out=out, expect=(2,), unprivileged=True)
    finally:
        locked.chmod(0o755)
    told = proc.stderr + json.dumps(_summary(out).get("invalid_items"))
    assert locked.name in told, f"{locked.name} was skipped silently{describe(proc)}"
    reports = _reports(out)
    assert inputs["a.json"] in reports.values()


# --------------------------------------------------------------------------- one writer

def _start(folder: Path, out: Path) -> subprocess.Popen:
    env = dict(os.environ)
    return subprocess.Popen([sys.executable, "-m", "advisor", "batch", str(folder / "items.jsonl"),
                             "-o", str(out),
                             "--format", "json", "--no-progress", "--jobs", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=env, start_new_session=True)


def _finish(proc: subprocess.Popen, timeout: float) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.communicate()
        pytest.fail("a concurrent batch did not finish")
    return proc.returncode, err.decode("utf-8", "replace")


def test_two_batches_into_one_output_folder(tmp_path: Path) -> None:
    """One gets a clear 'locked' error (exit 2) or they take turns; never mixed output,
    never a report recorded twice in history."""
    folder = tmp_path / "in"
    folder.mkdir()
    count = 600
    with (folder / "items.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(count):
            fh.write(json.dumps(doc(organization=f"Item {i:04d}", daily_users=100 + i)) + "\n")
    out = tmp_path / "out"
    first, second = _start(folder, out), _start(folder, out)
    results = [_finish(first, 60), _finish(second, 60)]
    for code, err in results:
        assert "Traceback" not in err, err[-2000:]
        assert code in (0, 2), err[-2000:]
        if code == 2:
            assert "lock" in err.lower(), f"exit 2 without saying the folder is locked: {err}"
    assert any(code == 0 for code, _ in results), results
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert leftovers == [], f"temporary files left behind: {leftovers[:5]}"
    summary = _summary(out)
    assert (summary["items"], summary["assessed"]) == (count, count)
    reports = _reports(out)
    assert sorted(reports.values()) == [f"Item {i:04d}" for i in range(count)]
    doubled = [s for s, n in _history_sources().items() if n > 1]
    assert doubled == [], f"recorded twice in history: {doubled[:5]}"


def test_a_stale_lock_from_a_killed_batch_does_not_block_for_ever(tmp_path: Path) -> None:
    """A batch killed with SIGKILL leaves whatever lock it held; the next run proceeds."""
    folder = tmp_path / "in"
    folder.mkdir()
    with (folder / "items.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(1500):
            fh.write(json.dumps(doc(organization=f"Item {i}")) + "\n")
    out = tmp_path / "out"
    victim = _start(folder, out)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (out.exists() and any(out.iterdir())):
        time.sleep(0.02)
    os.killpg(victim.pid, 9)
    victim.communicate()
    proc = _batch(folder, out=out, expect=(0,), timeout=60)
    assert _summary(out)["assessed"] == 1500, describe(proc)

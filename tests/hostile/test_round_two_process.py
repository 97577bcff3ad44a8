"""Issue 21 class 2: the workers of a batch die with their parent, and the folder is free
for the resume the README promises, whether the parent got SIGTERM or SIGKILL."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_conftest import STARTUP, doc, run_advisor, wait_for, write_json

ITEMS = 4000


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    out = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill", "term"])
def test_workers_die_with_their_parent_and_resume_works(tmp_path: Path, sig: int) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    document = doc(STARTUP)
    for i in range(ITEMS):
        write_json(inputs / f"a{i:05}.json", document)
    out = tmp_path / "out"
    env = dict(os.environ, ADVISOR_HOME=str(tmp_path / "home"))
    proc = subprocess.Popen([sys.executable, "-m", "advisor", "batch", str(inputs), "-o",
                             str(out), "--jobs", "2", "--no-history", "--no-progress"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        assert wait_for(lambda: len(_children(proc.pid)) >= 2, 30), "no workers started"
        workers = _children(proc.pid)
        os.kill(proc.pid, sig)
        proc.wait(10)
        assert wait_for(lambda: not any(_alive(w) for w in workers), 10), \
            "workers outlived their parent"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    resumed = run_advisor("batch", inputs, "-o", out, "--jobs", "2", "--no-history",
                          "--no-progress", timeout=120, env={"ADVISOR_HOME": str(tmp_path / "h")})
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "another batch" not in resumed.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="flock and fork")
def test_a_forked_child_does_not_keep_the_folder_locked(tmp_path: Path) -> None:
    from advisor.batch.output import FolderLock
    from advisor.core.errors import InputError

    lock = FolderLock(tmp_path).acquire()
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child sleeps holding whatever it inherited
        os.write(ready_w, b"1")
        time.sleep(3)
        os._exit(0)
    os.read(ready_r, 1)
    os.close(ready_r)
    os.close(ready_w)
    try:
        lock.release()
        again = FolderLock(tmp_path).acquire()  # the child's copy is closed: free
        again.release()
    except InputError as exc:
        pytest.fail(f"the child kept the lock: {exc}")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)

"""Issue 21, round two: deadlines, names, secrets, untrusted figures, nesting, failing writes
and terminal output, each through the real command line (the orphan and lock cases are in
``test_round_two_process.py``)."""

from __future__ import annotations

import importlib.util
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hostile_conftest import STARTUP, UNSAFE_CHARS, doc, run_advisor, write_json

HERE = Path(__file__).resolve().parent
MODEL = "openai/gpt-4o-mini"


def _fake() -> ModuleType:
    path = HERE.parent / "llm" / "fake_openai.py"
    spec = importlib.util.spec_from_file_location("round_two_fake_openai", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


FAKE = _fake()
KEY = FAKE.DUMMY_KEY


@pytest.fixture
def server() -> Iterator[Any]:
    fake = FAKE.FakeOpenAI().start()
    try:
        yield fake
    finally:
        fake.stop()


def _llm(server: Any, *extra: str) -> tuple[str, ...]:
    return ("--llm", MODEL, "--llm-base-url", server.base_url, *extra)


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    return write_json(tmp_path / "answers.json", doc(STARTUP))


def _no_trace(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]


# ------------------------------------------------------------------ 1. one deadline per call

@pytest.mark.parametrize("command", ["assess", "ask"])
def test_a_dripping_server_ends_near_the_timeout(server: Any, answers: Path,
                                                 command: str) -> None:
    server.behaviour = "drip"
    args = [command, answers, *_llm(server, "--llm-timeout", "2")]
    if command == "ask":
        args.append("what should we do first?")
    started = time.monotonic()
    proc = run_advisor(*args, env={"OPENAI_API_KEY": KEY}, timeout=60)
    elapsed = time.monotonic() - started
    _no_trace(proc)
    assert proc.returncode in (0, 2), proc.stderr[-2000:]
    # litellm's import (a few seconds on a busy machine) plus one 2 s deadline per attempt
    # of the narrative (a first draft and one retry at most), not a byte a second for ever.
    assert elapsed < 25, elapsed


def test_a_batch_with_a_dripping_server_ends(server: Any, tmp_path: Path) -> None:
    server.behaviour = "drip"
    folder = tmp_path / "in"
    for i in range(3):
        write_json(folder / f"a{i}.json", doc(STARTUP, organization=f"Org {i}"))
    started = time.monotonic()
    proc = run_advisor("batch", folder, "-o", tmp_path / "out", "--no-progress",
                       *_llm(server, "--llm-timeout", "1"), env={"OPENAI_API_KEY": KEY},
                       timeout=90)
    _no_trace(proc)
    assert proc.returncode in (0, 2)
    assert time.monotonic() - started < 40
    assert (tmp_path / "out" / "summary.md").exists()


# ------------------------------------------------- 4, 5, 9. what a provider says is untrusted

def test_a_key_echoed_into_an_ask_answer_is_redacted(server: Any, answers: Path) -> None:
    server.behaviour = "echo_key"
    proc = run_advisor("ask", answers, "what should we do first?", *_llm(server),
                       env={"OPENAI_API_KEY": KEY}, timeout=60)
    _no_trace(proc)
    assert KEY not in proc.stdout + proc.stderr


def test_a_key_echoed_into_a_narrative_is_redacted_everywhere(server: Any, answers: Path,
                                                               tmp_path: Path) -> None:
    server.behaviour = "echo_key"
    report = tmp_path / "r.md"
    proc = run_advisor("assess", answers, "-o", report, *_llm(server),
                       env={"OPENAI_API_KEY": KEY}, timeout=60)
    _no_trace(proc)
    assert KEY not in proc.stdout + proc.stderr
    assert not report.exists() or KEY not in report.read_text("utf-8")
    home = Path(os.environ.get("ADVISOR_HOME", ""))
    store = home / "advisor.sqlite3"
    if store.exists():
        assert KEY.encode() not in store.read_bytes()


def test_absurd_usage_figures_neither_crash_nor_print_nonsense(server: Any,
                                                               answers: Path) -> None:
    server.behaviour = "absurd_usage"
    proc = run_advisor("assess", answers, *_llm(server), env={"OPENAI_API_KEY": KEY},
                       timeout=60)
    _no_trace(proc)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = proc.stdout + proc.stderr
    assert "-5 tokens" not in text
    assert "1,000,000,000,000,000,000,000,000,000,000" not in text
    listing = run_advisor("history", "list", timeout=30)
    assert listing.returncode == 0 and "Traceback" not in listing.stderr


def test_control_and_bidi_characters_from_an_llm_never_reach_the_terminal(
        server: Any, answers: Path) -> None:
    evil = "\x9b31m\u202eevil\u202c \x1b]0;title\x07 \u2066x\u2069 \x85"
    server.behaviour = lambda body: FAKE.truthful_narrative(body).replace(
        "workflow.", f"workflow {evil}.")
    for args in (("assess", answers), ("ask", answers, "what should we do first?")):
        proc = run_advisor(*args, *_llm(server), env={"OPENAI_API_KEY": KEY}, timeout=60)
        _no_trace(proc)
        found = UNSAFE_CHARS.findall(proc.stdout + proc.stderr)
        assert not found, (args[0], found[:5])


# ------------------------------------------------------------------ 3. names not UTF-8

def test_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/bad\xff\xfe.json"
    with open(raw, "w", encoding="utf-8") as fh:
        import json

        json.dump(doc(STARTUP), fh)
    name = os.fsdecode(raw)
    proc = run_advisor("assess", name, timeout=60)
    _no_trace(proc)
    assert proc.returncode == 0
    folder = tmp_path / "in"
    folder.mkdir()
    os.rename(raw, os.fsencode(folder) + b"/bad\xff.json")
    write_json(folder / "ok.json", doc(STARTUP))
    out_raw = os.fsencode(tmp_path) + b"/out\xfd"
    proc = run_advisor("batch", folder, "-o", os.fsdecode(out_raw), "--no-progress",
                       timeout=90)
    _no_trace(proc)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert os.path.exists(out_raw + b"/summary.md")
    listing = run_advisor("history", "list", timeout=30)
    _no_trace(listing)
    assert listing.returncode == 0


# ------------------------------------------------------------------ 6. nesting in every file

@pytest.mark.parametrize("name", ["config.toml", "prices.toml"])
@pytest.mark.parametrize("shape", ["array", "inline-table"])
def test_deep_nesting_in_a_settings_file_is_an_input_error(tmp_path: Path, answers: Path,
                                                           name: str, shape: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    depth = 3000
    body = ("x = " + "[" * depth + "]" * depth if shape == "array"
            else "x = " + "{a = " * depth + "1" + "}" * depth)
    (home / name).write_text(body + "\n", encoding="utf-8")
    proc = run_advisor("assess", answers, *(("--llm", MODEL) if name == "config.toml" else ()),
                       env={"ADVISOR_HOME": str(home), "OPENAI_API_KEY": KEY}, timeout=60)
    _no_trace(proc)
    assert proc.returncode == 2
    assert "deeper than 32" in proc.stderr


# ------------------------------------------------------------------ 7. every write can fail

def test_a_300_character_output_folder(tmp_path: Path, answers: Path) -> None:
    for target in (tmp_path / ("d" * 300), tmp_path / "x" / ("d" * 300)):
        proc = run_advisor("batch", answers, "-o", target, "--no-progress", timeout=60)
        _no_trace(proc)
        assert proc.returncode == 2
        assert "too long" in proc.stderr


def test_a_full_disk_while_writing_the_summary(tmp_path: Path, answers: Path) -> None:
    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (3000, 3000))

    env = dict(os.environ, ADVISOR_HOME=str(tmp_path / "home"))
    proc = subprocess.run([sys.executable, "-m", "advisor", "batch", str(answers), "-o",
                           str(tmp_path / "out"), "--no-progress", "--no-history"],
                          preexec_fn=small_files, capture_output=True, text=True, env=env,
                          timeout=90)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 2
    assert "File too large" in proc.stderr


def test_a_fifo_whose_reader_quits_early_is_not_success(tmp_path: Path, answers: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as fh:
            got.append(fh.read(10))  # and goes away with the rest unread

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    time.sleep(0.2)
    proc = run_advisor("assess", answers, "--format", "html", "-o", fifo, timeout=60)
    thread.join(5)
    _no_trace(proc)
    assert proc.returncode == 2, proc.stderr
    assert "reader" in proc.stderr or "pipe" in proc.stderr.lower()


def test_a_fifo_whose_reader_takes_everything_is_success(tmp_path: Path, answers: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as fh:
            got.append(fh.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    time.sleep(0.2)
    proc = run_advisor("assess", answers, "-o", fifo, timeout=60)
    thread.join(5)
    assert proc.returncode == 0, proc.stderr
    assert got and got[0].startswith(b"# ")


# ------------------------------------------------- 9. a file where a folder should be

@pytest.mark.parametrize("variable", ["ADVISOR_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                                      "XDG_CACHE_HOME", "ADVISOR_CACHE_DIR"])
def test_a_folder_that_is_a_file_warns_and_goes_on(tmp_path: Path, answers: Path,
                                                   variable: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env: dict[str, str | None] = {variable: str(blocker)}
    if variable != "ADVISOR_HOME":
        env["ADVISOR_HOME"] = None
        env["HOME"] = str(tmp_path / "user")
    proc = run_advisor("assess", answers, env=env, timeout=60)
    _no_trace(proc)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# ")
    assert "warning" in proc.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [("assess", "{answers}"), ("paths",),
                                  ("batch", "{answers}", "-o", "{out}", "--no-progress")])
def test_a_full_standard_output_is_exit_2(tmp_path: Path, answers: Path,
                                          args: tuple[str, ...]) -> None:
    real = [a.format(answers=answers, out=tmp_path / "out") for a in args]
    with open("/dev/full", "w") as full:
        proc = run_advisor(*real, stdout=full, timeout=60)
    _no_trace(proc)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "No space left" in proc.stderr


def test_a_full_standard_error_keeps_the_exit_code(tmp_path: Path) -> None:
    env = dict(os.environ, ADVISOR_HOME=str(tmp_path / "home"))
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "advisor", "assess",
                               str(tmp_path / "missing.json")], stderr=full,
                              stdout=subprocess.PIPE, env=env, timeout=60)
    assert proc.returncode == 2

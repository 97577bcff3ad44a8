"""End to end: the real ``advisor`` command in a subprocess against the loopback server.

Whatever the server does (tells the truth, invents a figure or a tier, fails, hangs, sends
garbage), ``advisor assess --llm`` exits 0 with a report whose narrative says where it came
from, and the API key shows up nowhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fake_openai import DUMMY_KEY, FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "startup-chat-wrapper.json")

CASES = [  # behaviour, --llm-timeout, expected narrative source, words in the note
    ("truth", "5", "llm", None),
    ("invent", "5", "builtin", "invented the figure $12,345"),
    ("wrong_tier", "5", "builtin", "called the tier medium"),
    ("500", "5", "builtin", "provider returned an error"),
    ("hang", "1", "builtin", "did not answer within 1 second"),
]  # retries that succeed, 429 and malformed JSON are covered in-process (test_llm_http.py)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ADVISOR_"))}
    env.update(OPENAI_API_KEY=DUMMY_KEY, ADVISOR_HOME=str(home), PYTHONPATH=str(ROOT))
    return env


def test_assess_with_an_llm_always_exits_zero(tmp_path: Path) -> None:
    servers, procs = [], []
    try:
        for i, (behaviour, timeout, _, _) in enumerate(CASES):
            server = FakeOpenAI().start()
            server.behaviour = behaviour
            server.delay = 4.0
            servers.append(server)
            home = tmp_path / f"home{i}"
            home.mkdir()
            cmd = [sys.executable, "-m", "advisor", "assess", EXAMPLE, "--format", "json",
                   "--llm", "openai/gpt-4o-mini", "--llm-base-url", server.base_url,
                   "--llm-timeout", timeout]
            # Started together: each pays litellm's import once, in parallel.
            procs.append((home, subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                                 stderr=subprocess.PIPE, env=_env(home),
                                                 cwd=tmp_path)))
        for (behaviour, _, source, words), (home, proc) in zip(CASES, procs, strict=True):
            out, err = proc.communicate(timeout=120)
            text_out, text_err = out.decode(), err.decode()
            assert proc.returncode == 0, (behaviour, text_err)
            assert "Traceback" not in text_err
            narrative = json.loads(text_out)["narrative"]
            assert narrative["source"] == source, (behaviour, narrative)
            assert narrative["model"] == "openai/gpt-4o-mini"
            if words:
                assert words in narrative["note"], (behaviour, narrative["note"])
            else:
                assert narrative["note"] is None and narrative["usd"] > 0
            for blob in [text_out, text_err] + [p.read_bytes().decode("utf-8", "replace")
                                                for p in home.rglob("*") if p.is_file()]:
                assert DUMMY_KEY not in blob
    finally:
        for _, proc in procs:
            if proc.poll() is None:
                proc.kill()
        for server in servers:
            server.stop()


@pytest.mark.parametrize("module", ["advisor.llm.narrative", "advisor.llm.settings",
                                    "advisor.llm.guard", "advisor.ask.conversation",
                                    "advisor.core.knowledge",
                                    "advisor.history.failures"])
def test_importing_the_llm_layer_does_not_import_litellm(module: str) -> None:
    code = (f"import sys, {module}; assert 'litellm' not in sys.modules, 'litellm imported'; "
            "assert 'textual' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


def test_offline_ask_does_not_import_litellm(tmp_path: Path) -> None:
    code = ("import sys\nfrom advisor.cli.main import main\n"
            f"rc = main(['ask', {EXAMPLE!r}, 'should we self-host?'])\n"
            "assert rc == 0\nassert 'litellm' not in sys.modules, 'litellm imported'\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=_env(tmp_path), cwd=ROOT, timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    assert "Sources: FAQ 2: savings from self-hosting" in out.stdout


def test_config_file_turns_the_llm_narrative_on(tmp_path: Path, server: FakeOpenAI) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        f'[llm]\nmodel = "openai/gpt-4o-mini"\nbase_url = "{server.base_url}"\ntimeout = 5\n')
    server.behaviour = "truth"
    proc = subprocess.run([sys.executable, "-m", "advisor", "assess", EXAMPLE, "--format",
                           "json"], capture_output=True, text=True, env=_env(home), cwd=tmp_path,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["narrative"]["source"] == "llm"
    (home / "config.toml").write_text('[llm]\nmodle = "x"\n')
    bad = subprocess.run([sys.executable, "-m", "advisor", "assess", EXAMPLE],
                         capture_output=True, text=True, env=_env(home), cwd=tmp_path,
                         timeout=120)
    assert bad.returncode == 2 and "config.toml" in bad.stderr and "modle" in bad.stderr

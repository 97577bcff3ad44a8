"""``advisor assess FILE`` on a terminal: the summary rendered, the full report in a file;
piped, the raw Markdown as before."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.cli.terminal_report import report_path, summary_of
from tests.conftest import EXAMPLES, ROOT

EXAMPLE = str(EXAMPLES / "startup-chat-wrapper.json")

PROBE = """
import sys
from advisor.cli.main import main
code = main(["assess", {file!r}, "--no-history"])
print("HEAVY=" + ",".join(sorted(sys.modules)), file=sys.stderr)
sys.exit(code)
"""


def run_on_a_terminal(home: Path) -> tuple[int, str, str]:
    """Run the README's command with stdout on a pseudo-terminal (80 columns)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "ADVISOR_HOME": str(home), "COLUMNS": "80", "TERM": "xterm"}
    proc = subprocess.Popen([sys.executable, "-c", PROBE.format(file=EXAMPLE)], cwd=ROOT,
                            stdout=follower, stderr=subprocess.PIPE, env=env)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    _, err = proc.communicate(timeout=60)
    return proc.wait(), b"".join(chunks).decode("utf-8", "replace"), err.decode()


def piped(home: Path) -> str:
    env = {**os.environ, "ADVISOR_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "advisor.cli.main", "assess", EXAMPLE,
                           "--no-history"], capture_output=True, text=True, env=env, cwd=ROOT,
                          check=True, timeout=60).stdout


@pytest.mark.skipif(not hasattr(pty, "openpty"), reason="needs a pseudo-terminal")
def test_a_terminal_gets_the_summary_and_the_path(tmp_path: Path) -> None:
    code, shown, err = run_on_a_terminal(tmp_path)
    assert code == 0, err
    path = tmp_path / "reports" / "startup-chat-wrapper.md"
    full = piped(tmp_path)
    assert path.read_text(encoding="utf-8") == full  # the file is the piped report
    assert str(path) in shown and "## Appendix" not in shown
    assert "# " not in shown.replace("\x1b", "")  # rendered, not raw Markdown headings
    assert "Where you stand" in shown and "Appendix" not in shown.split("Full report")[0]
    loaded = set(next(line for line in err.splitlines() if line.startswith("HEAVY="))[6:]
                 .split(","))
    assert "rich" in loaded and not loaded & {"textual", "litellm", "openai"}


def test_piped_output_is_the_raw_markdown(tmp_path: Path) -> None:
    out = piped(tmp_path)
    assert out.startswith("# ") and "\n## Appendix" in out
    assert not (tmp_path / "reports").exists()


def test_the_summary_stops_at_the_appendix() -> None:
    report = "# Title\n\nSummary.\n\n## Appendix\n\nDetails.\n"
    assert summary_of(report) == "# Title\n\nSummary.\n"
    assert summary_of("# No appendix\n") == "# No appendix\n"


def test_report_names_are_plain(advisor_home: Path) -> None:
    assert report_path("-").endswith(os.path.join("reports", "stdin.md"))
    assert report_path("/x/My answers;rm.json").endswith(os.path.join("reports",
                                                                      "My-answers-rm.md"))

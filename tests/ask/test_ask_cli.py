"""``advisor ask FILE`` without a question: a conversation over stdin; ``--format json``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from advisor.cli.main import main

WRAPPER = str(Path(__file__).resolve().parent / "assessments" / "startup-wrapper-gpt4o.json")


def chat(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lines: str,
         *extra: str) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    rc = main(["ask", WRAPPER, *extra])
    return rc, capsys.readouterr().out


def test_a_piped_conversation_keeps_the_what_if_until_reset(monkeypatch, capsys) -> None:
    rc, out = chat(monkeypatch, capsys, "what if our volume doubles?\nand if it doubles again?\n"
                   "\nreset\nquit\nwhy high?\n")
    assert rc == 0
    assert out.index("$4,200 a month") < out.index("$8,400 a month") < out.index("Back to your")
    assert "> and if it doubles again?" in out
    assert "why high?" not in out  # nothing after "quit" is asked


def test_the_conversation_ends_at_end_of_input(monkeypatch, capsys) -> None:
    rc, out = chat(monkeypatch, capsys, "what if prices fall another 10x?")
    assert rc == 0 and "$210 a month" in out


def test_json_lines_in_a_conversation(monkeypatch, capsys) -> None:
    rc, out = chat(monkeypatch, capsys, "what if prices fall 90%?\nwhat is the weather?\n",
                   "--format", "json")
    first, second = (json.loads(line) for line in out.splitlines())
    assert rc == 0
    assert first["intent"] == "price_change_whatif"
    assert first["figures"]["monthly_usd"] == pytest.approx(210)
    assert first["recomputed"]["costs"]["current"]["monthly_usd"] == pytest.approx(210)
    assert {"key": "s5-scenarios", "title": "§5 Three scenarios for the next 12–24 months"} \
        in first["sources"]
    assert second["answered"] is False and second["answer"].startswith("I cannot")
    assert second["recomputed"] is None


def test_one_question_as_json(capsys) -> None:
    assert main(["ask", WRAPPER, "how much do we pay per month?", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answer"].startswith("**$2,100 a month**")
    assert data["figures"]["monthly_usd"] == 2100
    assert data["intent"] == "monthly_cost"


def test_a_conversation_cannot_read_the_file_from_stdin(monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("{}"))
    assert main(["ask", "-"]) == 2
    assert "cannot come from stdin too" in capsys.readouterr().err


def test_json_of_a_topic_answer_carries_the_state_in_force(monkeypatch, capsys) -> None:
    rc, out = chat(monkeypatch, capsys, "what if our volume doubles?\nshould we self-host?\n",
                   "--format", "json")
    first, second = (json.loads(line) for line in out.splitlines())
    assert rc == 0 and second["intent"] == "self_hosting"
    assert second["what_if"] == first["what_if"] and second["what_if"]
    assert second["figures"]["monthly_usd"] == pytest.approx(4200)
    assert second["recomputed"]["costs"]["current"]["monthly_usd"] == pytest.approx(4200)
    assert "$4,200 a month" in second["answer"]

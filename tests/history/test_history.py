"""``advisor history``: list, show, diff, failures, export, prune, on real assessments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.cli.main import main
from advisor.data.answers_file import validate_answers
from advisor.history.store import Store
from tests.conftest import EXAMPLES, example


def _assess(tmp_path: Path, name: str, doc: dict, fmt: str = "md") -> Path:
    """Run the real `advisor assess` on ``doc``; return the report it wrote."""
    answers = tmp_path / f"{name}.json"
    answers.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / f"{name}.{fmt}"
    assert main(["assess", str(answers), "-o", str(out), "--format", fmt]) == 0
    return out


def _ids() -> list[int]:
    with Store.open() as store:
        return [r["id"] for r in store.list_assessments()]


@pytest.fixture
def two(tmp_path: Path) -> tuple[int, int, Path, Path]:
    """Quillpad as in the example, then with more users, high switching cost, a cheaper model."""
    before = example("startup-chat-wrapper.json")
    after = example("startup-chat-wrapper.json")
    after["answers"].update(daily_users=50_000, switching_cost="high", model="gpt-4o-mini")
    del after["answers"]["provider_overlap"]
    first = _assess(tmp_path, "before", before)
    second = _assess(tmp_path, "after", after)
    newest, older = _ids()[:2]
    return older, newest, first, second


def test_list_newest_first_with_filters_text_and_json(
        two: tuple[int, int, Path, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    older, newest, _, _ = two
    _assess(tmp_path, "investor", example("investor-portfolio-vertical.json"))
    capsys.readouterr()
    assert main(["history", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows][1:] == [newest, older]
    assert rows[0]["role"] == "investor" and rows[0]["tier"] == "lower"

    assert main(["history", "list", "--role", "startup", "--tier", "high"]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["ID", "When", "From"]
    assert [int(line.split()[0]) for line in lines[1:]] == [newest, older]
    assert "Quillpad (example)" in text and "Harbor" not in text

    assert main(["history", "list", "--organization", "harbor", "--format", "json"]) == 0
    assert [r["role"] for r in json.loads(capsys.readouterr().out)] == ["investor"]
    assert main(["history", "list", "--limit", "1"]) == 0
    assert "(newest 1 shown of 3 kept; --limit 0 shows all)" in capsys.readouterr().out


def test_show_gives_back_the_report_byte_for_byte(
        two: tuple[int, int, Path, Path], tmp_path: Path,
        capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    older, newest, first, second = two
    html = _assess(tmp_path, "html", example("enterprise-claims-team.json"), fmt="html")
    html_id = _ids()[0]
    capsysbinary.readouterr()
    for assessment_id, path in ((older, first), (newest, second), (html_id, html)):
        assert main(["history", "show", str(assessment_id)]) == 0
        assert capsysbinary.readouterr().out == path.read_bytes()


def test_show_json_is_the_result_and_answers_is_a_valid_answers_file(
        two: tuple[int, int, Path, Path], tmp_path: Path,
        capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    older, _, _, _ = two
    capsysbinary.readouterr()
    assert main(["history", "show", str(older), "--format", "json"]) == 0
    stored = capsysbinary.readouterr().out
    # The same as asking assess for JSON now, byte for byte (same answers, rules, prices).
    assert main(["assess", str(tmp_path / "before.json"), "--format", "json",
                 "--no-history"]) == 0
    assert stored == capsysbinary.readouterr().out

    assert main(["history", "show", str(older), "--format", "answers"]) == 0
    answers = json.loads(capsysbinary.readouterr().out)
    assert list(answers)[:3] == ["schema_version", "role", "organization"]
    assert answers["answers"] == example("startup-chat-wrapper.json")["answers"]
    validate_answers(answers)


def test_diff_names_answers_rules_tier_score_and_costs(
        two: tuple[int, int, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    older, newest, _, _ = two
    with Store.open() as store:
        a, b = (json.loads(store.get_assessment(i)["result_json"]) for i in (older, newest))
    capsys.readouterr()
    assert main(["history", "diff", str(older), str(newest)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Assessment {older} -> {newest}\n")
    assert "daily_users: 1,000 -> 50,000" in out
    assert "switching_cost: low -> high" in out
    assert "model: gpt-4o -> gpt-4o-mini" in out
    assert "- provider_overlap: yes (no longer answered)" in out
    fired_a = {r["id"] for r in a["fired_rules"]}
    fired_b = {r["id"] for r in b["fired_rules"]}
    assert fired_b - fired_a and fired_a - fired_b  # the fixture moves rules both ways
    started = out.split("Rules that started firing:")[1].split("Rules that stopped")[0]
    stopped = (out.split("Rules that stopped firing:")[1].split("\n\n")[0]
               .split("Recommendations:")[0])
    assert {line.split()[1] for line in started.strip().splitlines()} == fired_b - fired_a
    assert {line.split()[1] for line in stopped.strip().splitlines()} == fired_a - fired_b
    assert f"Score: {a['score']} -> {b['score']} ({b['score'] - a['score']:+d})" in out
    now_a = a["costs"]["current"]["monthly_usd"]
    now_b = b["costs"]["current"]["monthly_usd"]
    assert f"Today: ${now_a:,.2f} -> ${now_b:,.2f} (+${now_b - now_a:,.2f}" in out
    assert "Tier: " in out


def test_diff_of_an_assessment_with_itself_changes_nothing(
        two: tuple[int, int, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    older, _, _, _ = two
    capsys.readouterr()
    assert main(["history", "diff", str(older), str(older)]) == 0
    out = capsys.readouterr().out
    assert "Answers changed:\n  (none)" in out and "(same)" in out
    assert "Score: 99 -> 99 (+0)" in out


@pytest.mark.parametrize("argv", [["show", "424242"], ["diff", "1", "424242"],
                                  ["show", "424242", "--format", "json"]])
def test_an_unknown_id_is_an_input_error(two: tuple[int, int, Path, Path], argv: list[str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["history", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no assessment with id 424242" in captured.err
    assert "advisor history list" in captured.err and "Traceback" not in captured.err


def test_failures_are_grouped_in_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open() as store:
        for _ in range(3):
            store.record_failure("invented_figure", "ollama/llama3", "$9,999", "attempt 1")
        store.record_failure("timeout", "openai/gpt-4o-mini", "", "60 s")
    assert main(["history", "failures", "--format", "json"]) == 0
    groups = json.loads(capsys.readouterr().out)
    assert [(g["kind"], g["count"]) for g in groups] == [("invented_figure", 3), ("timeout", 1)]
    assert main(["history", "failures"]) == 0
    text = capsys.readouterr().out
    assert "invented_figure" in text and "timeout" in text


def test_export_streams_json_lines_to_stdout_and_to_a_file(
        two: tuple[int, int, Path, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    older, newest, first, _ = two
    capsys.readouterr()
    assert main(["history", "export"]) == 0
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == [older, newest]
    assert records[0]["report"] == first.read_text(encoding="utf-8")
    assert records[0]["answers"]["answers"]["daily_users"] == 1000
    assert records[1]["result"]["costs"]["current"]["model"] == "gpt-4o-mini"

    target = tmp_path / "history.jsonl"
    assert main(["history", "export", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").splitlines() == lines
    assert "2 assessments exported" in capsys.readouterr().err
    assert main(["history", "export", "-o", str(tmp_path)]) == 2  # a folder
    assert main(["history", "export", "-o", str(tmp_path / "no" / "such.jsonl")]) == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_prune_keeps_the_newest(two: tuple[int, int, Path, Path],
                                capsys: pytest.CaptureFixture[str]) -> None:
    _, newest, _, _ = two
    assert main(["history", "prune"]) == 2
    assert "--keep" in capsys.readouterr().err
    assert main(["history", "prune", "--keep", "1"]) == 0
    assert capsys.readouterr().out == "Deleted 1 assessment; 1 kept.\n"
    assert _ids() == [newest]
    assert main(["history", "prune", "--older-than", "0"]) == 0
    assert _ids() == []


def test_a_corrupt_store_is_one_clear_line(advisor_home: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (advisor_home / "advisor.sqlite3").write_bytes(b"not sqlite " * 500)
    assert main(["history", "list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "corrupt" in err and "Traceback" not in err


def test_empty_history_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "list"]) == 0
    assert capsys.readouterr().out.startswith("No assessments kept yet in ")
    assert main(["history", "list", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_home_flag_points_history_at_another_store(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "elsewhere"
    assert main(["assess", str(EXAMPLES / "startup-chat-wrapper.json"), "--home", str(home),
                 "-o", str(tmp_path / "r.md")]) == 0
    assert (home / "advisor.sqlite3").is_file()
    capsys.readouterr()
    assert main(["history", "--home", str(home), "list", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    from advisor.data import paths

    paths.set_home(None)

"""The command line end to end: reports, determinism, import hygiene, escaping, packaging."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, answers_doc


def advisor(*argv: str, stdin: str | None = None, cwd: Path = ROOT,
            env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "advisor", *argv], capture_output=True,
                          text=True, input=stdin, cwd=cwd, timeout=120,
                          env={**os.environ, **(env or {})})


EXAMPLE_FILES = sorted(p.name for p in EXAMPLES.glob("*.json"))


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_every_example_gives_a_full_report(name: str) -> None:
    proc = advisor("assess", str(EXAMPLES / name), "--no-history")
    assert proc.returncode == 0, proc.stderr
    md = proc.stdout
    # A one-page summary, then the appendix (issue 15; tests/render/test_report.py checks more).
    for heading in ("## Where you stand", "## What to do next", "## What could change",
                    "## Appendix", "### What drives the score", "### All recommendations",
                    "### Costs", "### Scenarios for the next 12–24 months", "### Cautions",
                    "### Assumptions", "### Sources"):
        assert heading in md, heading
    assert md.index("## Where you stand") < md.index("## What to do next") < md.index(
        "## What could change") < md.index("## Appendix")


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_same_input_same_bytes(fmt: str, tmp_path: Path) -> None:
    outs = []
    for i in range(2):
        out = tmp_path / f"r{i}.{fmt}"
        proc = advisor("assess", str(EXAMPLES / "startup-chat-wrapper.json"), "--format", fmt,
                       "-o", str(out))
        assert proc.returncode == 0, proc.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_json_result_contract() -> None:
    proc = advisor("assess", str(EXAMPLES / "enterprise-claims-team.json"), "--format", "json",
                   "--no-history")
    data = json.loads(proc.stdout)
    for key in ("schema_version", "role", "organization", "tier", "score", "confidence",
                "fired_rules", "recommendations", "cautions", "scenarios", "costs",
                "narrative"):
        assert key in data
    assert data["tier"] in ("high", "medium", "lower")
    assert data["narrative"]["source"] == "builtin" and data["narrative"]["usd"] == 0.0
    assert [s["id"] for s in data["scenarios"]] == ["stabilization", "further_decline",
                                                    "divergence"]
    assert [s["probability"] for s in data["scenarios"]] == [0.4, 0.4, 0.2]
    rec_ids = [r["id"] for r in data["recommendations"]]
    assert {"multi-provider-strategy", "reassess-deferred-use-cases", "compliance-budget",
            "avoid-linear-extrapolation"} <= set(rec_ids)
    for rule in data["fired_rules"]:
        assert rule["source"] and rule["explanation"]
    assert data["costs"]["api_share_of_ai_budget"] == pytest.approx(0.7)


def test_stdin_input() -> None:
    doc = json.dumps(answers_doc("developer", archetype="workflow_integrator"))
    proc = advisor("assess", "-", "--format", "json", "--no-history", stdin=doc)
    assert proc.returncode == 0 and json.loads(proc.stdout)["role"] == "developer"
    bad = advisor("assess", "-", "--no-history", stdin="{")
    assert bad.returncode == 2 and "<stdin>" in bad.stderr


def test_unwritable_output_is_exit_2(tmp_path: Path) -> None:
    proc = advisor("assess", str(EXAMPLES / "startup-chat-wrapper.json"), "-o",
                   str(tmp_path / "missing" / "r.md"), "--no-history")
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    proc = advisor("assess", str(EXAMPLES / "startup-chat-wrapper.json"), "-o", str(tmp_path),
                   "--no-history")
    assert proc.returncode == 2 and "folder" in proc.stderr


def test_top_level_help_lists_every_command() -> None:
    from advisor.cli.commands import NAMES
    from advisor.cli.parser import HELPS, command_module

    proc = advisor("--help")
    assert proc.returncode == 0
    for name in NAMES:
        assert f"\n    {name}" in proc.stdout
        assert HELPS[name] in proc.stdout and callable(command_module(name).run)
    for name in NAMES:
        sub = advisor(*(["rules", "check"] if name == "rules" else [name]), "--help")
        assert sub.returncode == 0 and f"usage: advisor {name}" in sub.stdout


def test_tui_without_a_terminal_says_so() -> None:
    proc = advisor(stdin="")
    assert proc.returncode == 2 and "needs a terminal" in proc.stderr


def test_usage_errors_are_exit_2() -> None:
    assert advisor("assess").returncode == 2
    assert advisor("nonsense").returncode == 2
    assert advisor("assess", "x.json", "--format", "pdf").returncode == 2


HOSTILE = "Acme | <script>alert(1)</script>\n# Heading\n[link](http://evil.example) **b**"


def _hostile_doc() -> str:
    doc = answers_doc(model="gpt-4o", monthly_requests=1000, avg_input_tokens=100)
    doc["organization"] = HOSTILE
    return json.dumps(doc)


def _structure(md: str) -> list[str]:
    """Headings (bar the title) and, for table rows, the count of unescaped cell separators."""
    import re

    separator = re.compile(r"(?<!\\)[|]")
    out = []
    for line in md.splitlines()[1:]:
        if line.startswith("#"):
            out.append(line)
        elif line.startswith("|"):
            out.append(f"row:{len(separator.findall(line))}")
    return out


def test_free_text_cannot_change_markdown_structure() -> None:
    md = advisor("assess", "-", "--no-history", stdin=_hostile_doc()).stdout
    assert "<script>" not in md
    assert "\n# Heading" not in md
    assert "](http://evil.example)" not in md
    assert md.startswith("# AI cost exposure: Acme \\| &lt;script&gt;")
    clean = advisor("assess", "-", "--no-history",
                    stdin=_hostile_doc().replace(json.dumps(HOSTILE), '"Acme"')).stdout
    assert _structure(md) == _structure(clean)


def test_free_text_is_escaped_in_html() -> None:
    html = advisor("assess", "-", "--format", "html", "--no-history",
                   stdin=_hostile_doc()).stdout
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert 'href="http://evil' not in html


def test_questions_and_template_round_trip(tmp_path: Path) -> None:
    for role in ("startup", "enterprise_it", "investor", "developer"):
        questions = json.loads(advisor("questions", "--role", role, "--format", "json").stdout)
        template = json.loads(advisor("template", "--role", role).stdout)
        assert list(template["answers"]) == [q["id"] for q in questions["questions"]]
        template["answers"]["archetype"] = "api_wrapper"
        path = tmp_path / f"{role}.json"
        path.write_text(json.dumps(template))
        proc = advisor("assess", str(path), "--no-history", "--format", "json")
        assert proc.returncode == 0, proc.stderr
    md = advisor("questions").stdout
    assert "## Profile" in md and "`archetype` (required)" in md and "Source:" in md


def test_role_specific_questions() -> None:
    startup = {q["id"] for q in json.loads(
        advisor("questions", "--role", "startup", "--format", "json").stdout)["questions"]}
    enterprise = {q["id"] for q in json.loads(
        advisor("questions", "--role", "enterprise_it", "--format", "json").stdout)["questions"]}
    assert "cost_unlocks_features" in startup and "cost_unlocks_features" not in enterprise
    assert {"monthly_ai_budget_usd", "deferred_use_cases"} <= enterprise - startup


def test_rules_commands() -> None:
    check = advisor("rules", "check")
    assert check.returncode == 0 and check.stdout.startswith("ok:")
    test = advisor("rules", "test")
    assert test.returncode == 0 and " 0 failed" in test.stdout


def test_explain_shows_trace_and_what_if() -> None:
    proc = advisor("explain", str(EXAMPLES / "startup-chat-wrapper.json"))
    assert proc.returncode == 0, proc.stderr
    assert "FIRED" in proc.stdout and "thin-wrapper" in proc.stdout
    assert "What would lower the tier:" in proc.stdout
    data = json.loads(advisor("explain", str(EXAMPLES / "startup-chat-wrapper.json"),
                              "--format", "json").stdout)
    assert {r["outcome"] for r in data["rules"]} >= {"fired", "not fired"}
    assert len(data["rules"]) > 30


def test_what_if_finds_changes_that_move_the_tier(rulebase, prices) -> None:
    from advisor.core.explain import what_if
    from advisor.data.answers_file import validate_answers

    wrapper = validate_answers(answers_doc(integration_depth="deep"))  # medium
    changes = what_if(wrapper, rulebase, prices)
    assert changes["down"] and all(w.tier == "lower" for w in changes["down"])
    assert changes["up"] and all(w.tier == "high" for w in changes["up"])
    assert not any(c.question in ("archetype", "industry") for ws in changes.values()
                   for w in ws for c in w.changes)
    # A thin wrapper needs two defences to leave the high tier: the search finds pairs.
    thin = validate_answers(answers_doc(proprietary_data="none", switching_cost="low",
                                        differentiation_is_access="yes"))
    pairs = what_if(thin, rulebase, prices)["down"]
    assert pairs and all(len(w.changes) == 2 and w.tier != "high" for w in pairs)


IMPORT_PROBE = """
import sys
from advisor.cli.main import main
try:
    code = main({argv!r})
except SystemExit as exc:
    code = exc.code
print("HEAVY=" + ",".join(sorted(sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize("argv,forbidden", [
    # The default path validates with pydantic-core alone: pydantic's model layer would cost
    # more than the rest of the assessment (issue 7, B1).
    (["assess", str(EXAMPLES / "startup-chat-wrapper.json"), "--no-history"],
     {"textual", "litellm", "openai", "rich", "pydantic.main"}),
    (["assess", str(EXAMPLES / "developer-agent-platform.json"), "--format", "html"],
     {"textual", "litellm", "openai", "rich", "pydantic.main"}),
    (["schema"], {"textual", "litellm", "openai", "rich"}),
    (["rules", "check"], {"textual", "litellm", "openai", "rich"}),
    (["rules", "test"], {"textual", "litellm", "openai", "rich"}),
    (["explain", str(EXAMPLES / "startup-chat-wrapper.json")], {"textual", "litellm", "openai"}),
    (["cost", "--model", "gpt-4o", "--requests", "10"], {"textual", "litellm", "openai"}),
    (["prices", "gpt-4o", "--format", "json"], {"textual", "litellm", "openai"}),
    (["--help"], {"textual", "litellm", "openai", "rich", "pydantic", "jinja2"}),
    (["paths"], {"textual", "litellm", "openai", "rich", "pydantic", "jinja2"}),
    (["batch", str(EXAMPLES), "-o", "{tmp}", "--no-history", "--jobs", "1"],
     {"textual", "litellm", "openai", "rich"}),
])
def test_import_hygiene(argv, forbidden, tmp_path) -> None:
    argv = [a.replace("{tmp}", str(tmp_path / "out")) for a in argv]
    proc = subprocess.run([sys.executable, "-c", IMPORT_PROBE.format(argv=argv)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    heavy_line = [line for line in proc.stderr.splitlines() if line.startswith("HEAVY=")]
    assert heavy_line, proc.stderr
    loaded = set(filter(None, heavy_line[0][6:].split(",")))
    assert not (loaded & forbidden), f"{argv}: imported {loaded & forbidden}"


def test_wheel_ships_rules_and_templates_and_works_outside_checkout(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git needed to copy the tree")
    pytest.importorskip("hatchling")
    wheel_dir = tmp_path / "wheel"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-w", str(wheel_dir), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = next(wheel_dir.glob("advisor-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "advisor/rules/questions.toml" in names
    assert "advisor/rules/packs/risk.toml" in names
    assert "advisor/templates/report.md.j2" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(EXAMPLES / "startup-chat-wrapper.json", elsewhere)
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c",
                          "import advisor, sys; from advisor.cli.main import main; "
                          "assert advisor.__file__.startswith(sys.argv[1]), advisor.__file__; "
                          "raise SystemExit(main(['assess', 'startup-chat-wrapper.json', "
                          "'--no-history']))", str(site)],
                         capture_output=True, text=True, cwd=elsewhere, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "## Where you stand" in out.stdout


def test_cost_reads_numbers_as_people_type_them_and_never_prices_zero_tokens() -> None:
    proc = advisor("cost", "--model", "OpenAI GPT-4o", "--requests", "300k")
    assert proc.returncode == 0, proc.stderr
    assert "300,000 requests" in proc.stdout
    assert "default request sizes" in proc.stdout  # an assumption, said as one
    assert not re.search(r"\$0(\.00)? a month|\$0\.00\b", proc.stdout)
    proc = advisor("cost", "--model", "gpt-4o", "--users", "1,000", "--per-user", "10",
                   "--input-tokens", "1.5k", "--output-tokens", "0")
    assert "$13,500 a month" in proc.stdout  # the article's prologue, at GPT-4's launch price

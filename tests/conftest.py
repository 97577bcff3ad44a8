"""Shared fixtures: each test gets its own ADVISOR_HOME, so nothing touches the user's store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SOURCE_DATE_EPOCH = "1780000000"  # 28 May 2026, the day every test report carries


@pytest.fixture(autouse=True)
def advisor_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("advisor-home")
    monkeypatch.setenv("ADVISOR_HOME", str(home))
    monkeypatch.delenv("ADVISOR_LLM_BASE_URL", raising=False)
    # Reports are dated; a fixed day keeps them byte-identical from one run to the next.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    from advisor.data import paths

    paths.set_home(None)
    return home


@pytest.fixture(scope="session")
def rulebase():
    from advisor.data.rules import load_rulebase

    return load_rulebase()


@pytest.fixture(scope="session")
def prices():
    from advisor.data.price_map import price_book

    return price_book()


def answers_doc(role: str = "startup", **answers: object) -> dict:
    """A minimal answers-file dict for tests."""
    answers.setdefault("archetype", "api_wrapper")
    return {"schema_version": 1, "role": role, "answers": dict(answers)}


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))

"""Fixtures for the LLM tests: a loopback OpenAI-compatible server, a dummy key, fast backoff.

No test here reaches the network: litellm talks to ``fake_openai.FakeOpenAI`` on 127.0.0.1,
or answers from ``mock_response``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_openai import DUMMY_KEY, FakeOpenAI


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OPENAI_API_KEY", DUMMY_KEY)
    return DUMMY_KEY


@pytest.fixture
def server(api_key: str) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate-limit retries wait milliseconds, not seconds, in tests."""
    from advisor.llm import client

    monkeypatch.setattr(client, "BACKOFF_BASE_S", 0.01)


@pytest.fixture(scope="session")
def startup_result():
    return _result("startup-chat-wrapper.json")


def _result(name: str):
    from advisor.core.assess import assess
    from advisor.data.answers_file import read_answers_file
    from advisor.data.price_map import default_price_book
    from advisor.data.rules import load_rulebase

    root = Path(__file__).resolve().parents[2]
    return assess(read_answers_file(str(root / "examples" / name)), load_rulebase(),
                  default_price_book())


@pytest.fixture
def fresh_startup_result():
    """A result the test may modify (narratives are attached to results)."""
    return _result("startup-chat-wrapper.json")

"""Where the model, base URL and timeout come from; the config file is validated strictly."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from advisor.core.errors import InputError
from advisor.llm.secrets import scrub
from advisor.llm.settings import LLMSettings, settings_from_args


def args(**kw) -> argparse.Namespace:
    return argparse.Namespace(**{"llm": None, "llm_base_url": None, "llm_timeout": None, **kw})


def write_config(home: Path, text: str) -> Path:
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_model_means_no_llm() -> None:
    assert settings_from_args(args()) is None


def test_flags_and_defaults() -> None:
    s = settings_from_args(args(llm="openai/gpt-4o-mini"))
    assert s == LLMSettings(model="openai/gpt-4o-mini", base_url=None, timeout=60.0,
                            max_retries=2, max_output_tokens=700)
    s = settings_from_args(args(llm="ollama/llama3", llm_base_url="http://127.0.0.1:11434",
                                llm_timeout=5))
    assert (s.base_url, s.timeout) == ("http://127.0.0.1:11434", 5.0)


def test_precedence_flag_env_config(monkeypatch, advisor_home) -> None:
    write_config(advisor_home, '[llm]\nmodel = "openai/gpt-4o"\nbase_url = "http://config"\n'
                               "timeout = 30\n")
    s = settings_from_args(args())
    assert (s.model, s.base_url, s.timeout) == ("openai/gpt-4o", "http://config", 30.0)
    monkeypatch.setenv("ADVISOR_LLM_BASE_URL", "http://env")
    s = settings_from_args(args(llm="openai/gpt-4o-mini", llm_timeout=2))
    assert (s.model, s.base_url, s.timeout) == ("openai/gpt-4o-mini", "http://env", 2.0)
    s = settings_from_args(args(llm_base_url="http://flag"))
    assert s.base_url == "http://flag"


@pytest.mark.parametrize(("text", "words"), [
    ('[llm]\nmodle = "x"\n', "unknown key 'llm.modle'"),
    ('[llm]\nmodel = "x"\napi_key = "sk-secret"\n', "unknown key 'llm.api_key'"),
    ('[lmm]\nmodel = "x"\n', "unknown key 'lmm'"),
    ('[llm]\ntimeout = "fast"\n', "llm.timeout"),
    ("[llm]\ntimeout = -1\n", "llm.timeout"),
    ("[llm\n", "invalid TOML"),
])
def test_a_bad_config_file_is_one_clear_error(advisor_home, text: str, words: str) -> None:
    path = write_config(advisor_home, text)
    with pytest.raises(InputError) as info:
        settings_from_args(args(llm="openai/gpt-4o-mini"))
    message = str(info.value)
    assert str(path) in message and words in message
    assert "sk-secret" not in message


def test_scrub_removes_keys_from_the_environment_and_sk_patterns(monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "very-secret-value-42")
    monkeypatch.setenv("SOME_TOKEN", "tok_abcdef123")
    text = ("bad key very-secret-value-42, token tok_abcdef123, header Bearer abc.def-ghi123, "
            "openai sk-proj-AbC123xyz_456")
    cleaned = scrub(text)
    for secret in ("very-secret-value-42", "tok_abcdef123", "abc.def-ghi123", "sk-proj-AbC123"):
        assert secret not in cleaned
    assert cleaned.count("[redacted]") == 4

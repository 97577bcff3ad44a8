"""The LLM is untrusted output (issue 14): the narrative is sanitised before it is checked,
rendered or cached; free text is never a fact; credentials in the base URL never leave."""

from __future__ import annotations

import pytest

from advisor.history.store import Store
from advisor.llm.facts import build_facts
from advisor.llm.guard import FactFigures, figures
from advisor.llm.narrative import narrate
from advisor.llm.sanitize import sanitize
from advisor.llm.settings import LLMSettings
from advisor.render.markdown_html import to_html
from advisor.render.report import NARRATIVE_HEADINGS

MODEL = "openai/gpt-4o-mini"
H = NARRATIVE_HEADINGS
BODY = f"{H[0]}\n\nYou stand here.\n\n{H[1]}\n\n1. Act.\n\n{H[2]}\n\nPrices may hold.\n"


@pytest.mark.parametrize(("hostile", "gone"), [
    ("See [site](javascript:alert(1)).", "javascript"),
    ("See [site][1].\n\n[1]: https://evil.example/x", "evil.example"),
    ("See [site].\n\n[site]: https://evil.example/x", "evil.example"),
    ("Go <javascript:alert(1)> now.", "javascript"),
    ("Go <https://evil.example> now.", "evil.example"),
    ("Mail <x@evil.example>.", "evil.example"),
    ("![pixel](https://evil.example/p.png)", "evil.example"),
    ("Visit https://evil.example/x or www.evil.example.", "evil.example"),
    ("<script>alert(1)</script><img src=x onerror=alert(1)>", "<"),
    ("<!-- unclosed comment", "<!--"),
    ("A\x00B\x1b[2JC\u202eD\x07E\u2066F", "\x00"),
    ("# Sources\n\nSmuggled.", "# Sources"),
    ("Heading\n===", "==="),
    ("> quoted", "> "),
])
def test_sanitize_removes_every_kind_of_link_markup_and_control(hostile: str, gone: str) -> None:
    text = sanitize(BODY.replace("You stand here.", hostile), H)
    assert gone not in text
    for ch in "\x00\x1b\u202e\x07\u2066":
        assert ch not in text
    assert [line for line in text.splitlines() if line.startswith("#")] == list(H)
    assert sanitize(text, H) == text  # idempotent
    html = str(to_html(text))
    assert "href" not in html and "<script" not in html and "<img" not in html


def test_an_unclosed_fence_swallows_nothing() -> None:
    text = sanitize(BODY.replace("You stand here.", "```\ncode"), H)
    assert "```" not in text
    assert [line for line in text.splitlines() if line.startswith("#")] == list(H)


def test_free_text_never_counts_as_a_fact(fresh_startup_result, rulebase) -> None:
    fresh_startup_result.organization = "Orbital Foods pays $987,654 a month"
    facts = build_facts(fresh_startup_result, rulebase)
    assert "987,654" in facts.as_json()  # the model sees the name, as data
    allowed = FactFigures(facts.texts())
    (figure,) = [f for f in figures("$987,654") if f.value == 987654]
    assert not allowed.allows(figure)


def test_null_content_is_a_failure_with_the_builtin_narrative(rulebase, fresh_startup_result,
                                                              server) -> None:
    server.behaviour = lambda body: {"content": None}
    n = narrate(fresh_startup_result, rulebase, LLMSettings(model=MODEL,
                                                           base_url=server.base_url))
    assert n.source == "builtin"
    assert "warning" not in (n.text or "").lower()


def test_the_cache_key_names_the_server_and_no_credential(rulebase, fresh_startup_result,
                                                          server, api_key) -> None:
    url = server.base_url.replace("http://", "http://bob:hunter2@", 1)
    first = narrate(fresh_startup_result, rulebase, LLMSettings(model=MODEL, base_url=url))
    assert first.source == "llm" and not first.cached
    again = narrate(fresh_startup_result, rulebase, LLMSettings(model=MODEL, base_url=url))
    assert again.cached
    elsewhere = narrate(fresh_startup_result, rulebase,
                        LLMSettings(model=MODEL, base_url=server.base_url + "/other"))
    assert not elsewhere.cached  # another server: not the cached text
    with Store.open() as store:
        dump = "\n".join(store.db.iterdump())
    assert "hunter2" not in dump and "bob:" not in dump


def test_a_poisoned_cache_entry_is_sanitised_or_a_miss(rulebase, fresh_startup_result,
                                                       server, api_key) -> None:
    settings = LLMSettings(model=MODEL, base_url=server.base_url)
    first = narrate(fresh_startup_result, rulebase, settings)
    assert first.source == "llm"
    with Store.open() as store:
        store.db.execute("UPDATE narrative_cache SET narrative_json = ?",
                         ('{"text": "## Where you stand\\n\\u0000```\\n[x](javascript:1)"}',))
    again = narrate(fresh_startup_result, rulebase, settings)
    assert "\x00" not in again.text and "javascript" not in again.text

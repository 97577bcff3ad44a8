"""Model names as people write them (spec/answers.md): case, spaces, dots-versus-dashes and
provider words do not matter; an unknown name is refused with suggestions people recognise."""

from __future__ import annotations

import pytest

from advisor.core.errors import InputError
from advisor.core.prices import Price, PriceBook

ROWS = {
    "gpt-4o": (2.5, 10.0, "openai"),
    "gpt-4o-mini": (0.15, 0.6, "openai"),
    "gpt-4o-2024-08-06": (2.5, 10.0, "openai"),
    "gpt-4.1-mini": (0.4, 1.6, "openai"),
    "azure/gpt-4o": (2.75, 11.0, "azure"),
    "azure/eu/gpt-4o-2024-08-06": (2.75, 11.0, "azure"),
    "claude-sonnet-4-5": (3.0, 15.0, "anthropic"),
    "claude-sonnet-4-5-20250929": (3.0, 15.0, "anthropic"),
    "claude-haiku-4-5-20251001": (1.0, 5.0, "anthropic"),
    "gemini-2.5-pro": (1.25, 10.0, "gemini"),
    "mistral/mistral-large-latest": (2.0, 6.0, "mistral"),
    "mistral/mistral-large-2411": (2.0, 6.0, "mistral"),
    "vertex_ai/mistral-large-2411": (2.0, 6.0, "vertex_ai-mistral_models"),
    "bedrock/us-east-1/anthropic.claude-3-haiku-20240307-v1:0": (0.25, 1.25, "bedrock"),
    "ft:gpt-4o-mini-2024-07-18": (0.3, 1.2, "openai"),
}


@pytest.fixture
def book() -> PriceBook:
    return PriceBook(dict(ROWS))


@pytest.mark.parametrize(("typed", "model"), [
    ("gpt-4o", "gpt-4o"),
    ("GPT-4o", "gpt-4o"),
    ("  gpt 4o ", "gpt-4o"),
    ("GPT4o", "gpt-4o"),
    ("gpt_4o_mini", "gpt-4o-mini"),
    ("GPT-4.1 mini", "gpt-4.1-mini"),
    ("gpt-4-1-mini", "gpt-4.1-mini"),
    ("OpenAI GPT-4o", "gpt-4o"),
    ("Azure GPT-4o", "azure/gpt-4o"),
    ("Azure OpenAI GPT-4o", "azure/gpt-4o"),
    ("Microsoft Azure gpt-4o", "azure/gpt-4o"),
    ("azure/gpt-4o", "azure/gpt-4o"),
    ("Claude Sonnet 4.5", "claude-sonnet-4-5"),
    ("Anthropic claude-sonnet-4.5", "claude-sonnet-4-5"),
    ("claude haiku 4.5", "claude-haiku-4-5-20251001"),  # only a dated release is listed
    ("Google Gemini 2.5 Pro", "gemini-2.5-pro"),
    ("Mistral Large", "mistral/mistral-large-latest"),  # the host's -latest wins
])
def test_names_as_people_write_them(book: PriceBook, typed: str, model: str) -> None:
    price = book.resolve(typed)
    assert price.model == model
    assert (price.input_per_mtok, price.output_per_mtok) == ROWS[model][:2]
    assert book.match(typed) == model


def test_exact_keys_keep_winning(book: PriceBook) -> None:
    # A dated release named exactly is that release, not its family.
    assert book.lookup("gpt-4o-2024-08-06").model == "gpt-4o-2024-08-06"
    assert book.lookup("claude-sonnet-4-5-20250929").model == "claude-sonnet-4-5-20250929"
    # A provider prefix on a bare key of that provider is the key, as litellm has it.
    assert book.lookup("openai/gpt-4o").input_per_mtok == 2.5


def test_the_users_own_prices_match_the_same_way(book: PriceBook) -> None:
    mine = {"our-llama-70b": Price("our-llama-70b", 0.3, 0.4, "", "assumptions.prices")}
    assert book.resolve("Our Llama 70B", mine).input_per_mtok == 0.3
    overrides = PriceBook(dict(ROWS), {"gpt-4o": Price("gpt-4o", 1.0, 2.0, "", "prices.toml")})
    assert overrides.resolve("OpenAI GPT 4o").source == "prices.toml"


@pytest.mark.parametrize("typed", ["", "   ", "gpt-9-imaginary", "x" * 400, "azure",
                                   "OpenAI", "-", "/", "gpt-4o\x00"])
def test_unknown_names_are_refused_with_suggestions_people_recognise(book: PriceBook,
                                                                    typed: str) -> None:
    with pytest.raises(InputError) as caught:
        book.resolve(typed)
    error = caught.value
    assert error.path == "answers.model"
    assert "litellm" not in str(error.expected)
    suggested = book.closest(typed)
    for name in suggested:  # never regional, versioned or fine-tuned ids
        assert ":" not in name and name.count("/") <= 1 and not name.startswith("ft")


def test_closest_offers_the_names_people_know_first(book: PriceBook) -> None:
    assert book.closest("gpt-4oo")[0] == "gpt-4o"
    assert book.closest("OpenAI gpt-4oo")[0] == "gpt-4o"
    assert "claude-sonnet-4-5" in book.closest("claude sonet 4.5")
    with pytest.raises(InputError, match="did you mean gpt-4o"):
        book.resolve("gpt-4oo")


def test_recognisable_names_leave_out_hosting_variants(book: PriceBook) -> None:
    names = book.recognisable()
    assert names[0] == "gpt-4o"  # the providers' own names first, shortest first
    assert "gpt-4o-2024-08-06" not in names and "ft:gpt-4o-mini-2024-07-18" not in names
    assert not any(n.startswith("bedrock/us-east-1") for n in names)
    assert "azure/gpt-4o" in names and "mistral/mistral-large-latest" in names


def test_the_real_price_map_knows_what_people_type(prices: PriceBook) -> None:
    for typed, model in [("GPT-4o", "gpt-4o"), ("OpenAI GPT-4o", "gpt-4o"),
                         ("Azure OpenAI GPT-4o", "azure/gpt-4o"),
                         ("gpt-4o mini", "gpt-4o-mini"), ("GPT 4.1", "gpt-4.1")]:
        assert prices.resolve(typed).model == model, typed

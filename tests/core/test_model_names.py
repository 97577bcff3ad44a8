"""Models as people have them (spec/answers.md, ``model``; issue 18 item 5, issue 22).

A fine-tuned id is priced at its base, as litellm prices it; an open-weight model named as
people say it is accepted when the work is served in house, with no API price and in the
user's own words; suggestions for an unknown name are ranked by closeness, the right size
first.
"""

from __future__ import annotations

import json

import pytest

from advisor.core.errors import InputError
from advisor.core.open_weights import OpenWeights
from advisor.core.prices import PriceBook, in_house_by_answers
from advisor.data.price_map import load_open_weights

ROWS = {
    "gpt-4o": (2.5, 10.0, "openai"),
    "gpt-4o-mini": (0.15, 0.6, "openai"),
    "gpt-4o-mini-2024-07-18": (0.15, 0.6, "openai"),
    "gpt-4o-2024-08-06": (2.5, 10.0, "openai"),
    "ft:gpt-4o-mini-2024-07-18": (0.3, 1.2, "openai"),
    "ft:gpt-4o-2024-08-06": (3.75, 15.0, "openai"),
    "mistral/open-mistral-nemo": (0.3, 0.3, "mistral"),
    "mistral/mistral-large-latest": (2.0, 6.0, "mistral"),
    "deepseek/deepseek-v3": (0.27, 1.1, "deepseek"),
    "perplexity/llama-3.1-8b-instruct": (0.2, 0.2, "perplexity"),
    "perplexity/llama-3.1-70b-instruct": (1.0, 1.0, "perplexity"),
    "perplexity/llama-3.1-405b-instruct": (5.0, 5.0, "perplexity"),
    "groq/llama-3.3-70b-versatile": (0.59, 0.79, "groq"),
    "cerebras/llama-3.1-70b": (0.6, 0.6, "cerebras"),
    "together_ai/meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo": (0.88, 0.88, "together_ai"),
    "ollama/llama3.1": (0.0, 0.0, "ollama"),
}


@pytest.fixture(scope="module")
def families() -> OpenWeights:
    return load_open_weights()


@pytest.fixture
def book(families: OpenWeights) -> PriceBook:
    return PriceBook(dict(ROWS), open_weights=families)


# --- fine-tuned ids ---------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "base", "prices"), [
    # litellm's own fine-tune row of the base (fine-tuned inference is dearer than the base)
    ("ft:gpt-4o-mini-2024-07-18:org::abc123", "gpt-4o-mini-2024-07-18", (0.3, 1.2)),
    ("ft:gpt-4o-2024-08-06:my-org:custom:id", "gpt-4o-2024-08-06", (3.75, 15.0)),
    ("openai/ft:gpt-4o-2024-08-06:my-org::x9", "gpt-4o-2024-08-06", (3.75, 15.0)),
    ("FT:GPT-4o-mini-2024-07-18:Org::abc", "gpt-4o-mini-2024-07-18", (0.3, 1.2)),
    # no fine-tune row: the base model's own price (Mistral's ft:<base>:<org>:<date>:<id>)
    ("ft:open-mistral-nemo:587a6b29:20240514:7e773925", "mistral/open-mistral-nemo", (0.3, 0.3)),
    ("ft:gpt-4o-mini:acme::zz", "gpt-4o-mini", (0.15, 0.6)),
])
def test_a_fine_tuned_id_is_priced_at_its_base_and_keeps_its_name(
        book: PriceBook, typed: str, base: str, prices: tuple[float, float]) -> None:
    price = book.resolve(typed)
    assert price.model == typed  # the report names the user's id
    assert price.fine_tuned is True and price.base_model == base
    assert (price.input_per_mtok, price.output_per_mtok) == prices
    assert price.api_priced is True and price.open_weight is None


def test_a_listed_model_is_not_fine_tuned(book: PriceBook) -> None:
    price = book.resolve("gpt-4o-mini")
    assert price.fine_tuned is False and price.base_model is None


@pytest.mark.parametrize("typed", ["ft:gpt-9-imaginary:org::abc", "ft::org::abc", "ft:"])
def test_a_fine_tune_of_an_unknown_base_is_refused(book: PriceBook, typed: str) -> None:
    with pytest.raises(InputError, match="unknown model"):
        book.resolve(typed)


def test_a_users_own_price_for_a_fine_tune_wins(book: PriceBook) -> None:
    from advisor.core.prices import Price

    mine = {"ft:gpt-4o-mini-2024-07-18:org::abc": Price("ft:gpt-4o-mini-2024-07-18:org::abc",
                                                        0.5, 2.0, "", "assumptions.prices")}
    assert book.resolve("ft:gpt-4o-mini-2024-07-18:org::abc", mine).input_per_mtok == 0.5


# --- open-weight names served in house --------------------------------------------------------

@pytest.mark.parametrize(("typed", "family", "size", "label"), [
    ("Llama 3.1 70B", "Llama 3.1", "70B", "Llama 3.1 70B"),
    ("llama-3.1-70b", "Llama 3.1", "70B", "Llama 3.1 70B"),
    ("meta-llama/Llama-3.1-70B-Instruct", "Llama 3.1", "70B", "Llama 3.1 70B"),
    ("llama3.1:70b", "Llama 3.1", "70B", "Llama 3.1 70B"),
    ("Meta Llama 3.1 70B Instruct AWQ", "Llama 3.1", "70B", "Llama 3.1 70B"),
    ("Qwen 2.5 72B", "Qwen 2.5", "72B", "Qwen 2.5 72B"),
    ("Qwen/Qwen2.5-72B-Instruct", "Qwen 2.5", "72B", "Qwen 2.5 72B"),
    ("gpt-oss-120b", "gpt-oss", "120B", "gpt-oss 120B"),
    ("DeepSeek V3", "DeepSeek V3", "671B", "DeepSeek V3"),
    ("deepseek-ai/DeepSeek-V3-0324", "DeepSeek V3", "671B", "DeepSeek V3"),
    ("Mistral Large", "Mistral Large", "123B", "Mistral Large"),
    ("mistralai/Mistral-Large-Instruct-2411", "Mistral Large", "123B", "Mistral Large"),
    ("Gemma 2 27B", "Gemma 2", "27B", "Gemma 2 27B"),
    ("google/gemma-2-27b-it", "Gemma 2", "27B", "Gemma 2 27B"),
    ("Mixtral 8x7B", "Mixtral", "8x7B", "Mixtral 8x7B"),
    ("Llama 3.1", "Llama 3.1", None, "Llama 3.1"),
])
def test_open_weight_names_served_in_house_have_no_api_price(
        book: PriceBook, typed: str, family: str, size: str | None, label: str) -> None:
    price = book.resolve(typed, in_house=True)
    assert price.model == typed.strip()  # the user's words, never a cloud listing
    assert price.api_priced is False and price.provider == ""
    assert (price.input_per_mtok, price.output_per_mtok) == (0.0, 0.0)
    assert price.open_weight is not None
    assert (price.open_weight.family, price.open_weight.size) == (family, size)
    assert price.base_model == label == price.open_weight.label
    assert price.fine_tuned is False
    assert "no API price" in price.source


def test_a_cloud_listing_is_never_taken_for_an_in_house_model(book: PriceBook) -> None:
    # Near keys of cloud providers exist for each; in house, none is taken for the model.
    for typed in ("Llama 3.1 70B", "DeepSeek V3", "Mistral Large"):
        price = book.resolve(typed, in_house=True)
        assert price.api_priced is False and price.model == typed
    # A listing named exactly keeps its API price: the figure "if this work moved to an API"
    # (the cost itself is the in-house one, costs.md).
    listed = book.resolve("cerebras/llama-3.1-70b", in_house=True)
    assert listed.api_priced and listed.model == "cerebras/llama-3.1-70b"
    # API models keep their listing in house (an on-premises team may still name gpt-4o).
    assert book.resolve("gpt-4o", in_house=True).model == "gpt-4o"


def test_quality_classes_come_from_the_data(book: PriceBook) -> None:
    def quality(typed: str) -> str | None:
        ow = book.resolve(typed, in_house=True).open_weight
        return ow.quality if ow else None

    assert quality("Llama 3.1 8B") == "small"
    assert quality("Llama 3.1 70B") == "gpt-4-class"
    assert quality("DeepSeek R1") == "reasoning"


def test_a_local_serving_tool_says_in_house_by_itself(book: PriceBook) -> None:
    price = book.resolve("ollama/llama3.1:70b")  # nothing else says in house
    assert price.model == "ollama/llama3.1:70b" and price.api_priced is False
    assert price.open_weight is not None and price.open_weight.local is True
    # A local tool's exact listing keeps resolving as the map has it.
    assert book.resolve("ollama/llama3.1").model == "ollama/llama3.1"


def test_open_weight_names_not_served_in_house_resolve_as_today(book: PriceBook) -> None:
    # A cloud listing people would name that way is found, as before...
    assert book.resolve("DeepSeek V3").model == "deepseek/deepseek-v3"
    assert book.resolve("Mistral Large").model == "mistral/mistral-large-latest"
    # ...and one without a listing under that name is refused, saying what would make it work.
    with pytest.raises(InputError) as caught:
        book.resolve("Llama 3.1 70B")
    error = caught.value
    assert "self_hosted_gpus" in str(error.expected) and "on_prem_required" in str(error.expected)
    assert "did you mean perplexity/llama-3.1-70b-instruct" in error.message


@pytest.mark.parametrize("typed", ["Llama 3.1 72B", "Llama 9 70B", "Qwen 2.5 70B", "gpt-oss"
                                   "-500b", "my-private-model"])
def test_names_that_are_not_an_open_weight_model_are_refused_in_house(book: PriceBook,
                                                                       typed: str) -> None:
    with pytest.raises(InputError) as caught:
        book.resolve(typed, in_house=True)
    assert "open-weight model as people say it" in str(caught.value.expected)


def test_an_unknown_size_is_refused_with_the_nearest_size_first(book: PriceBook) -> None:
    with pytest.raises(InputError, match=r"did you mean Llama 3\.1 70B,"):
        book.resolve("Llama 3.1 72B", in_house=True)


@pytest.mark.parametrize(("values", "in_house"), [
    ({"on_prem_required": True}, True),
    ({"self_hosted_gpus": 8}, True),
    ({"self_hosted_gpus": 0}, False),
    ({"on_prem_required": False, "self_hosted_gpus": None}, False),
    ({}, False),
    ({"self_hosted_gpus": True}, False),  # a bool is not a GPU count
])
def test_the_answers_that_make_work_in_house(values: dict[str, object], in_house: bool) -> None:
    assert in_house_by_answers(values) is in_house


# --- ranked suggestions -----------------------------------------------------------------------

def test_suggestions_put_the_right_size_first(book: PriceBook) -> None:
    found = book.suggest("llama 3.1 70b")
    seventy = [i for i, n in enumerate(found) if "70b" in n.lower()]
    others = [i for i, n in enumerate(found) if "8b" in n.lower() or "405b" in n.lower()]
    assert found[0] == "perplexity/llama-3.1-70b-instruct"
    assert seventy and others and max(seventy) < min(others)


def test_suggestions_in_house_offer_the_names_people_say(book: PriceBook) -> None:
    found = book.suggest("llama 3.1 70b", in_house=True)
    assert found[0] == "Llama 3.1 70B"
    assert found.index("Llama 3.3 70B") < found.index("Llama 3.1 8B") if (
        "Llama 3.1 8B" in found) else "Llama 3.3 70B" in found
    assert book.suggest("deepseek v3", in_house=True)[0] == "DeepSeek V3"
    assert book.suggest("qwen2.5 72", in_house=True)[0].startswith("Qwen 2.5")


def test_suggestions_for_listed_names_still_read_as_before(book: PriceBook) -> None:
    assert book.suggest("gpt-4oo")[0] == "gpt-4o"
    assert book.suggest("OpenAI gpt-4oo")[0] == "gpt-4o"
    assert book.suggest("gpt-4oo", limit=1) == ["gpt-4o"]
    assert book.closest("gpt-4oo") == book.suggest("gpt-4oo", 5)


@pytest.mark.parametrize("typed", ["", "   ", "x" * 400, "-", "/"])
def test_suggestions_for_nothing_are_empty(book: PriceBook, typed: str) -> None:
    assert book.suggest(typed) == [] and book.suggest(typed, in_house=True) == []


def test_the_real_price_map_and_families(prices: PriceBook) -> None:
    assert prices.resolve("ft:gpt-4o-mini-2024-07-18:org::abc123").base_model == (
        "gpt-4o-mini-2024-07-18")
    hospital = prices.resolve("Llama 3.1 70B", in_house=True)
    assert hospital.model == "Llama 3.1 70B" and hospital.api_priced is False
    found = prices.suggest("Llama 3.1 70B")
    assert found and "70b" in found[0].lower()
    assert prices.suggest("Llama 3.1 70B", in_house=True)[0] == "Llama 3.1 70B"


# --- the user's words into the costs ----------------------------------------------------------

def test_the_users_words_reach_the_costs(book: PriceBook, rulebase) -> None:
    from advisor.core.costs import compute_costs, merge_assumptions

    values = {"self_hosted_gpus": 4, "monthly_requests": 100_000, "avg_input_tokens": 1500,
              "avg_output_tokens": 300}
    price = book.resolve("Llama 3.1 70B", in_house=in_house_by_answers(values))
    a = merge_assumptions(rulebase.defaults, rulebase.anchors, None)
    costs = compute_costs(values, price, a, regulated_domain=False)
    current = costs["current"]
    assert current["model"] == "Llama 3.1 70B"
    assert current["basis"] == "in_house" and current["api_monthly_usd"] is None
    assert costs["in_house"] is True
    assert costs["open_model_band"] is not None  # still priced beside the in-house cost


# --- the price table ---------------------------------------------------------------------------

def test_an_unreadable_or_tiny_map_prices_nothing_and_never_crashes(tmp_path) -> None:
    import json

    from advisor.data.price_map import find_family, price_book

    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    book = price_book(map_path=str(broken))
    assert book.lookup("gpt-4o") is None and book.siblings("openai") == []
    tiny = tmp_path / "tiny.json"
    tiny.write_text(json.dumps({
        "b-model": {"input_cost_per_token": 2e-6, "output_cost_per_token": 4e-6,
                    "litellm_provider": "openai", "mode": "chat"},
        "x-model": {"input_cost_per_token": 1e-6, "output_cost_per_token": 1e-6,
                    "litellm_provider": "xai", "mode": "chat"},
        "a-model": {"input_cost_per_token": 1e-6, "output_cost_per_token": 3e-6,
                    "litellm_provider": "openai", "mode": "chat"},
    }), encoding="utf-8")
    book = price_book(map_path=str(tiny))
    assert [p.model for p in book.siblings("openai")] == ["a-model", "b-model"]
    assert [p.model for p in book.siblings("xai")] == ["x-model"]
    assert book.lookup("x-model").input_per_mtok == 1.0
    assert find_family("nobody", str(tiny))[1] == {}


# --- through assess: the user's words everywhere -----------------------------------------------

def _assess(rulebase, prices, **answers):
    from advisor.core.assess import assess
    from advisor.data.answers_file import load_answers_bytes
    from tests.conftest import answers_doc

    doc = answers_doc("enterprise_it", archetype="internal_user", monthly_requests=200_000,
                      avg_input_tokens=1500, avg_output_tokens=300, **answers)
    return assess(load_answers_bytes(json.dumps(doc).encode()), rulebase, prices)


def test_a_hospital_running_llama_on_its_own_gpus(rulebase, prices) -> None:
    result = _assess(rulebase, prices, model="Llama 3.1 70B", industry="healthcare",
                     on_prem_required=True, self_hosted_gpus=8)
    current = result.costs["current"]
    assert current["model"] == "Llama 3.1 70B" and current["basis"] == "in_house"
    assert current["api_monthly_usd"] is None
    assert result.answers["model"] == "Llama 3.1 70B"
    assert result.costs["in_house"] is True
    assert "perplexity" not in json.dumps(result.costs.to_dict() if hasattr(
        result.costs, "to_dict") else result.costs)


def test_own_gpus_by_choice_accept_an_open_weight_name(rulebase, prices) -> None:
    result = _assess(rulebase, prices, model="Qwen 2.5 72B", self_hosted_gpus=2)
    assert result.costs["current"]["model"] == "Qwen 2.5 72B"
    assert result.costs["in_house"] is True


def test_an_open_weight_name_without_gpus_is_an_answer_to_fix(rulebase, prices) -> None:
    with pytest.raises(InputError) as caught:
        _assess(rulebase, prices, model="Qwen 2.5 72B")
    assert "self_hosted_gpus" in str(caught.value.expected)


def test_a_fine_tune_through_assess_keeps_its_id(rulebase, prices) -> None:
    ft = "ft:gpt-4o-mini-2024-07-18:acme::abc123"
    result = _assess(rulebase, prices, model=ft)
    assert result.costs["current"]["model"] == ft
    assert result.costs["current"]["basis"] == "api"


# --- advisor cost --model: the same acceptance ---------------------------------------------------

def test_advisor_cost_takes_the_same_names(capsys) -> None:
    from advisor.cli.main import main

    assert main(["cost", "--model", "Llama 3.1 70B", "--requests", "200k", "--on-prem",
                 "--format", "json"]) == 0
    costs = json.loads(capsys.readouterr().out)
    assert costs["current"]["model"] == "Llama 3.1 70B" and costs["in_house"] is True
    assert main(["cost", "--model", "Qwen 2.5 72B", "--requests", "200k",
                 "--self-hosted-gpus", "4", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["current"]["model"] == "Qwen 2.5 72B"
    assert main(["cost", "--model", "Qwen 2.5 72B", "--requests", "200k"]) == 2
    assert "self_hosted_gpus" in capsys.readouterr().err
    assert main(["cost", "--model", "ft:gpt-4o-mini-2024-07-18:org::abc", "--requests", "1k",
                 "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["current"]["model"] == (
        "ft:gpt-4o-mini-2024-07-18:org::abc")


def test_an_edge_can_ask_whether_a_name_is_open_weight(book: PriceBook) -> None:
    found = book.open_weight("llama3.3:70b")
    assert found is not None and found.label == "Llama 3.3 70B" and found.maker == "Meta"
    assert book.open_weight("gpt-4o") is None and book.open_weight("Llama 3.3 8B") is None


def test_the_shipped_families_are_well_formed(families: OpenWeights) -> None:
    from advisor.core.open_weights import is_size

    assert len(families.families) >= 20 and "ollama" in families.local_providers
    classes = {"small", "gpt-4-class", "frontier-open", "reasoning"}
    keys: dict[str, str] = {}
    for family in families.families:
        assert family.quality in classes, family.name
        for size, quality in family.sizes.items():
            assert is_size(size.lower()) and quality in classes, (family.name, size)
            # Every family finds itself with each of its sizes, however it is spelt.
            for spelt in (family.label(size), f"{family.name} {size}".lower().replace(" ", "-")):
                found = families.find(spelt)
                assert found is not None and found.family == family.name, spelt
                assert found.size == size and found.quality == quality
        for key in family.keys:  # no spelling stands for two families
            assert keys.setdefault(key, family.name) == family.name, key


def test_suggestions_as_you_type(book: PriceBook) -> None:
    assert book.suggest("lla", in_house=True)[0].startswith("Llama")
    assert book.suggest("gpt-4o-m")[0] == "gpt-4o-mini"


def test_the_normal_path_never_reads_the_families(families: OpenWeights) -> None:
    asked: list[int] = []

    def load() -> OpenWeights:
        asked.append(1)
        return families

    book = PriceBook(dict(ROWS), open_weights=load)
    assert book.resolve("gpt-4o").model == "gpt-4o"
    assert book.resolve("openai/gpt-4o").input_per_mtok == 2.5
    assert book.resolve("ft:gpt-4o-mini-2024-07-18:org::abc").fine_tuned
    assert asked == []  # an API model found by its name costs no file read
    book.resolve("Llama 3.1 70B", in_house=True)
    book.suggest("llama")
    assert asked == [1]  # read once, when a name needs it


@pytest.mark.parametrize("typed", ["llama3.1:70b-instruct-q4_K_M",
                                   "Llama-3.1-70B-Instruct-Q8_0.gguf",
                                   "hosted_vllm/meta-llama/Meta-Llama-3.1-70B-Instruct-AWQ"])
def test_quantised_and_packaged_names_are_the_model(book: PriceBook, typed: str) -> None:
    price = book.resolve(typed, in_house=True)
    assert price.base_model == "Llama 3.1 70B" and price.model == typed

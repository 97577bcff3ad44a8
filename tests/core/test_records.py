"""advisor's slotted value classes compare, hash and print by field, like the NamedTuples
they replaced, and survive pickling (the rule-base cache relies on it)."""

from __future__ import annotations

import pickle

import pytest

from advisor.core.prices import Price
from advisor.core.result import Narrative


def test_equality_hash_and_repr_by_field() -> None:
    a = Price("gpt-4o", 2.5, 10.0, "openai", "map")
    b = Price("gpt-4o", 2.5, 10.0, "openai", "map")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Price("gpt-4o", 2.5, 10.0, "openai", "file")
    assert a != ("gpt-4o", 2.5, 10.0, "openai", "map")
    assert repr(a) == ("Price(model='gpt-4o', input_per_mtok=2.5, output_per_mtok=10.0, "
                       "provider='openai', source='map', traits=None, fine_tuned=False, "
                       "base_model=None, open_weight=None, api_priced=True)")
    with pytest.raises(AttributeError):
        a.other = 1  # type: ignore[attr-defined]


def test_mutable_records_are_not_hashable_and_pickle_round_trips() -> None:
    narrative = Narrative("builtin", "text")
    with pytest.raises(TypeError):
        hash(narrative)
    assert pickle.loads(pickle.dumps(narrative)) == narrative

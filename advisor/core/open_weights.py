"""Open-weight models as people name them: family and size, whatever the spelling.

A hospital running Llama 3.1 70B on its own GPUs writes "Llama 3.1 70B", "llama-3.1-70b",
"meta-llama/Llama-3.1-70B-Instruct" or "llama3.1:70b"; none of them is an API listing, and
the report must not turn it into one ("perplexity/llama-3.1-70b-instruct"). This module
reads such a name as (family, size) against the families kept as data in
``rules/open_weights.toml`` (loaded by :mod:`advisor.data.price_map`; pure here), so the price
book can accept it when the work is served in house (spec/answers.md, ``model``).
"""

from __future__ import annotations

import re
from typing import Any

from advisor.core.records import Record

_SPLIT = re.compile(r"[\s\-_:,;()\[\]]+")
_LETTERS_DIGIT = re.compile(r"(?<=[a-z]{2})(?=\d)")  # "llama3" -> "llama 3", not "v3"
_SIZE = re.compile(r"\d+(\.\d+)?[bt]|\d+x\d+(\.\d+)?b")
#: a llama.cpp quantisation tag ("q4_K_M", "Q8_0"): packaging, in one piece before splitting
_FILE = re.compile(r"\.(gguf|ggml|safetensors|bin|pt|onnx)$")  # a weights file's name
_QUANT = re.compile(r"(?<![a-z0-9])q\d+(?:[_-](?:k|0|1))?(?:[_-][sml])?(?![a-z0-9])")


def words(text: str) -> list[str]:
    """``meta-llama/Llama-3.1-70B-Instruct`` -> ``["llama", "3.1", "70b", "instruct"]``.

    The part before the last ``/`` (a host, a hub organisation, a local tool) is dropped;
    separators, case and "llama3" versus "llama 3" do not matter."""
    text = text.strip().lower().replace("+", " plus ")
    text = _QUANT.sub(" ", _FILE.sub("", text.rsplit("/", 1)[-1]))
    return [w for w in _SPLIT.split(_LETTERS_DIGIT.sub(" ", text)) if w]


def is_size(word: str) -> bool:
    return _SIZE.fullmatch(word) is not None


def _key(parts: list[str]) -> str:
    """The family's words run together without dots: "Llama 3.1" and "llama-3-1" alike."""
    return "".join(parts).replace(".", "")


class Family(Record):
    """One open-weight family: how people write it, its sizes and their quality classes."""

    __slots__ = ("name", "maker", "sizes", "quality", "keys", "say_size")

    def __init__(self, name: str, maker: str, sizes: dict[str, str], quality: str,
                 keys: frozenset[str], say_size: bool = True) -> None:
        self.name = name
        self.maker = maker
        #: size as the family prints it ("70B") -> quality class
        self.sizes = sizes
        self.quality = quality
        self.keys = keys
        #: people name the size ("Llama 3.3 70B"), or only the family ("DeepSeek V3")
        self.say_size = say_size

    def size_named(self, size: str | None) -> str | None:
        """The family's own spelling of ``size`` ("70b" -> "70B"), or None when it has none."""
        if size is None:
            return None
        for known in self.sizes:
            if known.lower() == size:
                return known
        return None

    def label(self, size: str | None) -> str:
        """"Llama 3.1 70B": the family with a size, unless its name already carries one."""
        if size is None or not self.say_size or size.lower() in self.name.lower().split():
            return self.name
        return f"{self.name} {size}"


class OpenWeight(Record):
    """What an open-weight name stands for: its family, size and quality class."""

    __slots__ = ("family", "size", "quality", "maker", "local", "label")

    def __init__(self, family: str, size: str | None, quality: str, maker: str,
                 local: bool, label: str) -> None:
        self.family = family
        self.size = size  # as the family prints it ("70B"), None when not given
        self.quality = quality
        self.maker = maker
        #: named through a local serving tool ("ollama/…"): in house whatever the answers say
        self.local = local
        #: "Llama 3.1 70B", "DeepSeek V3": the canonical name (reports print the user's own)
        self.label = label


class OpenWeights:
    """The families of ``rules/open_weights.toml`` and the words that only say packaging."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.local_providers = frozenset(str(p).lower() for p in data.get("local_providers", []))
        ignore = [str(p) for p in data.get("ignore", [])]
        #: one pattern for every packaging word: names are matched by the thousand for the
        #: suggestions' pool
        self._ignore = re.compile("|".join(f"(?:{p})" for p in ignore)) if ignore else None
        self.source = str(data.get("source", "no API price: served in house"))
        #: what an unknown name's error expects, while the work is (not) served in house
        self.expected_not_in_house = str(data.get("expected_not_in_house", ""))
        self.expected_in_house = str(data.get("expected_in_house", ""))
        self.families: list[Family] = []
        self._by_key: dict[str, Family] = {}
        for entry in data.get("family", []):
            sizes = {str(k): str(v) for k, v in (entry.get("sizes") or {}).items()}
            names = [str(entry["name"]), *(str(a) for a in entry.get("aliases", []))]
            keys = frozenset(self._family_key(n)[0] for n in names)
            family = Family(str(entry["name"]), str(entry.get("maker", "")), sizes,
                            str(entry.get("quality") or next(iter(sizes.values()), "")), keys,
                            bool(entry.get("say_size", True)))
            self.families.append(family)
            for key in keys:
                self._by_key.setdefault(key, family)

    def _ignored(self, word: str) -> bool:
        return self._ignore is not None and self._ignore.fullmatch(word) is not None

    def _family_key(self, text: str) -> tuple[str, str | None]:
        """(family key, size in lower case or None) of a name."""
        size = None
        kept: list[str] = []
        for word in words(text):
            if is_size(word):
                size = size or word
            elif not self._ignored(word):
                kept.append(word)
        return _key(kept), size

    def is_local(self, name: str) -> bool:
        """Named through a local serving tool: ``ollama/llama3.1:70b``."""
        head, slash, _ = name.strip().lower().partition("/")
        return bool(slash) and head in self.local_providers

    def find(self, name: str) -> OpenWeight | None:
        """The open-weight model ``name`` stands for, or None.

        The family must match exactly (after packaging words are dropped) and a size, when
        given, must be one the family has: "Llama 3.1 72B" is not a model, and is refused
        with suggestions rather than guessed."""
        if not isinstance(name, str) or not name.strip() or len(name) > 300:
            return None
        key, size = self._family_key(name)
        family = self._by_key.get(key)
        if family is None:
            return None
        if size is None and len(family.sizes) == 1:
            known: str | None = next(iter(family.sizes))
        else:
            known = family.size_named(size)
            if size is not None and known is None:
                return None
        quality = family.sizes.get(known, family.quality) if known else family.quality
        return OpenWeight(family.name, known, quality, family.maker, self.is_local(name),
                          family.label(known))

    def names(self) -> list[str]:
        """Every family with each of its sizes, as people write them ("Llama 3.1 70B",
        "DeepSeek V3")."""
        return list(dict.fromkeys(f.label(size) for f in self.families
                                  for size in (f.sizes or [None])))

    def query(self, name: str) -> tuple[str, str | None]:
        """(family key, size) of what a person typed: the suggestions' yardstick."""
        return self._family_key(name)


EMPTY = OpenWeights({})

"""Model prices as a lookup table: exact names, provider prefixes and close matches.

Pure: the table's rows come from the caller (:mod:`advisor.data.price_map` reads litellm's
bundled map and the user's ``prices.toml``), optionally through a loader called on the first
lookup, because a run names one model and the map holds thousands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from advisor.core.errors import InputError
from advisor.core.model_traits import ModelTraits, decode, traits_from_entry
from advisor.core.records import Record

_CHAT_MODES = frozenset({"chat", "completion", "responses"})

#: One model in the table: input and output USD per million tokens, provider, and its traits
#: in their compact form (:func:`advisor.core.model_traits.decode`; "" when none are known).
Row = tuple[float, float, str, str]


class Price(Record):
    """USD per million tokens for one model, and where the figure came from."""

    __slots__ = ("model", "input_per_mtok", "output_per_mtok", "provider", "source", "traits")

    def __init__(self, model: str, input_per_mtok: float, output_per_mtok: float,
                 provider: str, source: str, traits: ModelTraits | None = None) -> None:
        self.model = model
        self.input_per_mtok = input_per_mtok
        self.output_per_mtok = output_per_mtok
        self.provider = provider
        self.source = source
        #: cache-read and batch prices, capabilities and retirement, where the map lists them
        self.traits = traits


def entries_from_map(raw: dict[str, Any], source: str) -> dict[str, Price]:
    out: dict[str, Price] = {}
    for name, entry in raw.items():
        if not isinstance(entry, dict) or name == "sample_spec":
            continue
        pin, pout = entry.get("input_cost_per_token"), entry.get("output_cost_per_token")
        if not isinstance(pin, int | float) or not isinstance(pout, int | float):
            continue
        if entry.get("mode", "chat") not in _CHAT_MODES:
            continue
        out[name] = Price(name, pin * 1e6, pout * 1e6, str(entry.get("litellm_provider", "")),
                          source, traits_from_entry(entry))
    return out


class PriceBook:
    """Model name -> :class:`Price`, loaded lazily on the first lookup.

    Rows are kept as plain tuples and turned into :class:`Price` only when looked up: the map
    has thousands of models and a run needs one or two.
    """

    def __init__(self, rows: dict[str, Row] | None = None,
                 overrides: dict[str, Price] | None = None, *,
                 entries: dict[str, Price] | None = None,
                 loader: Callable[[], tuple[str, dict[str, Row]]]
                 | None = None, source_label: str = "litellm price map",
                 exact: Callable[[str], tuple[str, Row | None]]
                 | None = None,
                 family: Callable[[str], tuple[str, dict[str, Row]]] | None = None) -> None:
        self._rows = rows
        if entries is not None:
            self._rows = {k: (p.input_per_mtok, p.output_per_mtok, p.provider,
                              p.traits.encode() if p.traits is not None else "")
                          for k, p in entries.items()}
        self._loader = loader
        #: One row by its exact key without loading the whole map (and the map's label):
        #: a run names one model, and building thousands of rows costs more than assessing.
        self._exact = exact
        #: Every row of one provider, for the smaller-model lever, the same way.
        self._family = family
        self._overrides = dict(overrides or {})
        self.source_label = source_label
        self._name_index: _Index | None = None

    def _load(self) -> dict[str, Row]:
        """The rows, asking the loader the first time they are needed (a run names one model)."""
        if self._rows is None:
            if self._loader is None:
                self._rows = {}
            else:
                self.source_label, self._rows = self._loader()
        return self._rows

    def lookup_full(self, name: str) -> Price | None:
        """Look ``name`` up by its exact key, then without a provider prefix of that provider."""
        get = self._row
        row = get(name)
        if row is not None:
            return self._price(name, row)
        if "/" in name:
            provider, _, bare = name.partition("/")
            row = get(bare)
            if row is not None and row[2] == provider:
                return self._price(name, row)
        return None

    def _row(self, name: str) -> Row | None:
        if self._rows is None and self._exact is not None:
            self.source_label, row = self._exact(name)
            return row
        return self._load().get(name)

    def _price(self, name: str, row: Row) -> Price:
        return Price(name, row[0], row[1], row[2], self.source_label,
                     decode(row[3]) if len(row) > 3 and row[3] else None)

    def siblings(self, provider: str) -> list[Price]:
        """Every model the map lists for ``provider``, with its traits: the candidates for a
        smaller model of the same provider (costs.md, levers). Read only when a lever needs
        them, from the one table already loaded (no second read of the map)."""
        if not provider:
            return []
        if self._rows is None and self._family is not None:
            self.source_label, rows = self._family(provider)
        else:
            rows = {k: r for k, r in self._load().items() if r[2] == provider}
        return [self._price(k, r) for k, r in sorted(rows.items())]

    def names(self) -> list[str]:
        return sorted(set(self._load()) | set(self._overrides))

    def all(self) -> list[Price]:
        rows = self._load()
        merged = {k: self._price(k, v) for k, v in rows.items()}
        merged.update(self._overrides)
        return [merged[k] for k in sorted(merged)]

    def lookup(self, name: str, extra: dict[str, Price] | None = None) -> Price | None:
        """The price of ``name`` as a person writes it, or None.

        Exact keys first (the user's own prices, then the map, also ``provider/model`` for a
        bare key of that provider); then the same name without regard to case, spaces,
        underscores or dots-versus-dashes, with provider words ("OpenAI GPT-4o", "Azure
        GPT-4o") understood, and a dated or ``-latest`` release standing for its model.
        """
        for table in (extra or {}, self._overrides):
            if name in table:
                return table[name]
        price = self.lookup_full(name)
        if price is not None:
            return price
        key = self.match(name, extra)
        if key is None:
            return None
        for table in (extra or {}, self._overrides):
            if key in table:
                return table[key]
        return self.lookup_full(key)

    def match(self, name: str, extra: dict[str, Price] | None = None) -> str | None:
        """The known model ``name`` stands for (see :meth:`lookup`), or None."""
        if not isinstance(name, str) or not name.strip() or len(name) > 300:
            return None
        own = {**self._overrides, **(extra or {})}
        if own:  # the user's own names win over the map's, and are few: no index needed
            index = _Index(own)
            found = index.find(name)
            if found is not None:
                return found
        return self._index().find(name)

    def _index(self) -> _Index:
        if self._name_index is None:
            self._name_index = _Index(self._load())
        return self._name_index

    def recognisable(self) -> list[str]:
        """The names people recognise, for completion and suggestions: the providers' own
        names, without regional, versioned or hosting-platform variants; the shortest first."""
        return self._index().recognisable

    def closest(self, name: str, n: int = 5) -> list[str]:
        """Up to ``n`` known names close to ``name``, taken from :meth:`recognisable` first."""
        import difflib

        index = self._index()
        query = _strip_provider_words(_norm(name))
        if not query:
            return []
        found: list[str] = []
        for pool in (index.recognisable_keys, index.all_keys):
            keys = difflib.get_close_matches(query, pool, n=n * 3, cutoff=0.6)
            # A name that starts with what was typed (gpt-4 -> gpt-4o) reads as closer.
            ranked = sorted(enumerate(keys),
                            key=lambda ik: (not ik[1].startswith(query[:4]), ik[0]))
            for _, key in ranked:
                shown = index.shown[key]
                if shown not in found:
                    found.append(shown)
            if found:
                break
        return found[:n]

    def resolve(self, name: str, extra: dict[str, Price] | None = None,
                *, path: str = "answers.model") -> Price:
        price = self.lookup(name, extra)
        if price is None:
            close = self.closest(name)
            hint = ("; did you mean " + ", ".join(close) + "?") if close else ""
            raise InputError(f"unknown model {name!r}{hint}", path=path,
                             expected="a model name such as gpt-4o, claude-sonnet-4-5 or "
                                      "gemini-2.5-pro, or your own price for it under "
                                      "assumptions.prices")
        return price


#: Words people put before a model's name, and the price map's prefixes they stand for ("" =
#: the provider's own, unprefixed name). Longest phrases are tried first.
PROVIDER_WORDS: dict[str, tuple[str, ...]] = {
    "azure-openai": ("azure", ""), "microsoft-azure": ("azure", ""), "azure": ("azure", ""),
    "openai": ("", "openai"), "anthropic": ("", "anthropic"),
    "google-vertex-ai": ("vertex_ai", ""), "google-vertex": ("vertex_ai", ""),
    "vertex-ai": ("vertex_ai", ""), "vertex": ("vertex_ai", ""),
    "google": ("", "gemini", "vertex_ai"),
    "aws-bedrock": ("bedrock", ""), "amazon-bedrock": ("bedrock", ""),
    "bedrock": ("bedrock", ""), "aws": ("bedrock", ""), "amazon": ("bedrock", ""),
    "meta": ("",), "mistral-ai": ("mistral", ""), "mistralai": ("mistral", ""),
    "x-ai": ("xai", ""), "xai": ("xai", ""), "groq": ("groq", ""),
    "together-ai": ("together_ai", ""), "together": ("together_ai", ""),
    "fireworks-ai": ("fireworks_ai", ""), "fireworks": ("fireworks_ai", ""),
    "ollama": ("ollama", ""), "openrouter": ("openrouter", ""), "cohere": ("", "cohere"),
}

#: Hosts whose prefixed names people recognise (beside the providers' own bare names).
_KNOWN_PREFIXES = frozenset({"anthropic", "openai", "gemini", "mistral", "xai", "deepseek",
                             "groq", "together_ai", "azure", "bedrock", "vertex_ai", "cohere",
                             "ollama", "openrouter", "perplexity", "fireworks_ai"})

#: When a bare name is served by several hosts, the one whose price is taken.
_PREFERRED = ("", "openai", "anthropic", "gemini", "mistral", "xai", "deepseek", "cohere",
              "vertex_ai", "together_ai", "groq", "fireworks_ai", "bedrock", "azure")

_SEPARATORS = re.compile(r"[\s_.]+")
_DASHES = re.compile(r"-{2,}")
_SLASH = re.compile(r"-*/-*")
_RELEASE = re.compile(r"-(latest|\d{8}|\d{4}-\d{2}-\d{2}|\d{4}|v\d+(-\d+)?)$")


def _norm(name: str) -> str:
    """``OpenAI  GPT 4.1_mini`` -> ``openai-gpt-4-1-mini``: case, spaces, underscores and dots
    versus dashes do not matter."""
    text = _SEPARATORS.sub("-", name.strip().lower())
    text = _SLASH.sub("/", _DASHES.sub("-", text))
    return text.strip("-/")


def _compact(key: str) -> str:
    """``gpt-4o`` and ``gpt4o`` alike: every separator removed."""
    return key.replace("-", "")


def _strip_provider_words(key: str) -> str:
    for words, _ in _provider_phrases():
        if key.startswith(words + "-") or key.startswith(words + "/"):
            return key[len(words) + 1:]
    return key


def _provider_phrases() -> list[tuple[str, tuple[str, ...]]]:
    return sorted(PROVIDER_WORDS.items(), key=lambda kv: -len(kv[0]))


def _rank(name: str) -> tuple[int, int, str]:
    provider = name.partition("/")[0] if "/" in name else ""
    order = _PREFERRED.index(provider) if provider in _PREFERRED else len(_PREFERRED)
    return order, len(name), name


class _Index:
    """Known names by their normalised forms, built once, on the first name not found."""

    def __init__(self, names: Any) -> None:
        self.exact: dict[str, str] = {}
        self.compact: dict[str, str] = {}
        self.release: dict[str, list[str]] = {}
        self.shown: dict[str, str] = {}
        for name in sorted(names, key=_rank):
            key = _norm(name)
            self.exact.setdefault(key, name)
            self.compact.setdefault(_compact(key), name)
            self.shown.setdefault(key, name)
            base = _RELEASE.sub("", key)
            if base != key:
                self.release.setdefault(base, []).append(name)
        self.all_keys = list(self.exact)
        picks = [name for name in self.exact.values() if _recognisable(name)]
        picks.sort(key=lambda n: ("/" in n, len(n), n))
        self.recognisable = picks
        self.recognisable_keys = [_norm(n) for n in picks]

    def _one(self, key: str) -> str | None:
        if key in self.exact:
            return self.exact[key]
        if _compact(key) in self.compact:
            return self.compact[_compact(key)]
        releases = self.release.get(key)
        if releases:
            # "-latest" first, else the newest dated release.
            latest = [n for n in releases if _norm(n).endswith("-latest")]
            return latest[0] if latest else max(releases, key=lambda n: (_norm(n), -len(n)))
        return None

    def find(self, name: str) -> str | None:
        key = _norm(name)
        if not key:
            return None
        candidates = [key]
        for words, prefixes in _provider_phrases():
            # Words, not litellm's "provider/" syntax: "openai/claude-…" stays unknown.
            if key.startswith(words + "-"):
                rest = key[len(words) + 1:]
                rest = _strip_provider_words(rest)  # "azure openai gpt-4o"
                candidates += [f"{_norm(p)}/{rest}" if p else rest for p in prefixes]
                break
        for candidate in candidates:
            found = self._one(candidate)
            if found is not None:
                return found
        # A provider's own name that the map only lists under its host ("mistral-large" is
        # "mistral/mistral-large-latest").
        bare = candidates[-1] if len(candidates) > 1 else key
        for prefix in _PREFERRED[1:]:
            found = self._one(f"{_norm(prefix)}/{bare}")
            if found is not None:
                return found
        return None


def _recognisable(name: str) -> bool:
    if any(c in name for c in ":@") or name.count("/") > 1 or name.startswith("ft"):
        return False
    provider, slash, bare = name.partition("/")
    if slash and provider not in _KNOWN_PREFIXES:
        return False
    model = bare if slash else name
    if re.match(r"^(us|eu|apac|au|jp|global|ca)\.", model):
        return False
    return _RELEASE.search(_norm(model)) is None or model.endswith("-latest")

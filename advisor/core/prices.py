"""Model prices as a lookup table: exact names, provider prefixes and close matches.

Pure: the table's rows come from the caller (:mod:`advisor.data.price_map` reads litellm's
bundled map and the user's ``prices.toml``), optionally through a loader called on the first
lookup, because a run names one model and the map holds thousands.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from advisor.core.errors import InputError
from advisor.core.model_traits import ModelTraits, decode, traits_from_entry
from advisor.core.records import Record

if TYPE_CHECKING:  # imported when a name needs the families: most runs never do
    from advisor.core.open_weights import OpenWeight, OpenWeights

#: litellm providers that run a model on the user's own machines: an API is not involved.
LOCAL_PROVIDERS = frozenset({"ollama", "ollama_chat", "lemonade", "lm_studio", "llamafile",
                             "hosted_vllm", "vllm", "xinference", "oobabooga"})

_CHAT_MODES = frozenset({"chat", "completion", "responses"})

#: One model in the table: input and output USD per million tokens, provider, and its traits
#: in their compact form (:func:`advisor.core.model_traits.decode`; "" when none are known).
Row = tuple[float, float, str, str]


class Price(Record):
    """USD per million tokens for one model, and where the figure came from.

    ``model`` is the map's key for a model found by its listing ("OpenAI GPT-4o" -> "gpt-4o"),
    but the user's own words for a fine-tuned id and for an open-weight model served in house:
    those are the names a report must print (spec/answers.md, ``model``).
    """

    __slots__ = ("model", "input_per_mtok", "output_per_mtok", "provider", "source", "traits",
                 "fine_tuned", "base_model", "open_weight", "api_priced")

    def __init__(self, model: str, input_per_mtok: float, output_per_mtok: float,
                 provider: str, source: str, traits: ModelTraits | None = None, *,
                 fine_tuned: bool = False, base_model: str | None = None,
                 open_weight: OpenWeight | None = None, api_priced: bool = True) -> None:
        self.model = model
        self.input_per_mtok = input_per_mtok
        self.output_per_mtok = output_per_mtok
        self.provider = provider
        self.source = source
        #: cache-read and batch prices, capabilities and retirement, where the map lists them
        self.traits = traits
        #: a provider's fine-tuned id (``ft:gpt-4o-mini-2024-07-18:org::abc``), priced at its
        #: base as litellm prices it: not like-for-like with any other model (costs.md)
        self.fine_tuned = fine_tuned
        #: what the price rests on: the base model of a fine-tune ("gpt-4o-mini-2024-07-18"),
        #: the family and size of an open-weight model ("Llama 3.1 70B"); None otherwise
        self.base_model = base_model
        #: family, size and quality class of an open-weight model named as people say it
        self.open_weight = open_weight
        #: False when there is no API list price (an open-weight model served in house): the
        #: two per-token figures are then 0.0 placeholders, never a cost to show
        self.api_priced = api_priced


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
                 family: Callable[[str], tuple[str, dict[str, Row]]] | None = None,
                 open_weights: OpenWeights | Callable[[], OpenWeights] | None = None) -> None:
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
        #: The open-weight families (rules/open_weights.toml), read only when a name needs
        #: them: served in house, not found, or asked for suggestions.
        self._open_weights = open_weights
        self._suggest_pools: dict[bool, list[tuple[str, str, str | None]]] = {}
        self._siblings: dict[str, list[Price]] = {}

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
        if provider not in self._siblings:  # a batch asks for the same provider every item
            if self._rows is None and self._family is not None:
                self.source_label, rows = self._family(provider)
            else:
                rows = {k: r for k, r in self._load().items() if r[2] == provider}
            self._siblings[provider] = [self._price(k, r) for k, r in sorted(rows.items())]
        return list(self._siblings[provider])

    def names(self) -> list[str]:
        return sorted(set(self._load()) | set(self._overrides))

    def all(self) -> list[Price]:
        rows = self._load()
        merged = {k: self._price(k, v) for k, v in rows.items()}
        merged.update(self._overrides)
        return [merged[k] for k in sorted(merged)]

    def open_weights(self) -> OpenWeights:
        """The open-weight families, loaded on first use."""
        if callable(self._open_weights):
            self._open_weights = self._open_weights()
        if self._open_weights is None:
            from advisor.core.open_weights import EMPTY

            self._open_weights = EMPTY
        return self._open_weights

    def lookup(self, name: str, extra: dict[str, Price] | None = None, *,
               in_house: bool = False) -> Price | None:
        """The price of ``name`` as a person writes it, or None.

        Exact keys first (the user's own prices, then the map, also ``provider/model`` for a
        bare key of that provider); then the same name without regard to case, spaces,
        underscores or dots-versus-dashes, with provider words ("OpenAI GPT-4o", "Azure
        GPT-4o") understood, and a dated or ``-latest`` release standing for its model.

        A fine-tuned id (``ft:base:org:suffix:id``) is priced at its base, as litellm prices it
        (the map's ``ft:base`` row, else the base model's). When the work is served in house
        (``in_house``: on premises or on the organisation's own GPUs), or the name goes through
        a local serving tool (``ollama/…``), an open-weight model named as people say it
        ("Llama 3.1 70B") is taken before any cloud listing of it: it has no API price.
        """
        for table in (extra or {}, self._overrides):
            if name in table:
                return table[name]
        base = _fine_tune_base(name)
        if base is not None:
            return self._fine_tune(name.strip(), base, extra)
        price = self.lookup_full(name)
        if price is not None and not (in_house and price.provider in LOCAL_PROVIDERS):
            # A listing named exactly ("together_ai/meta-llama/…") keeps its API price, for
            # the figures "if this work moved to an API", even when the work runs in house.
            return price
        if in_house:
            served = self.served_in_house(name)
            if served is not None:
                return served
        if price is not None:
            return price
        if isinstance(name, str) and "/" in name and not in_house:
            served = self.served_in_house(name)
            if served is not None and served.open_weight is not None and (
                    served.open_weight.local):
                return served
        key = self.match(name, extra)
        if key is None:
            return None
        for table in (extra or {}, self._overrides):
            if key in table:
                return table[key]
        return self.lookup_full(key)

    def open_weight(self, name: str) -> OpenWeight | None:
        """The open-weight model ``name`` stands for ("Llama 3.1 70B"), or None: lets an edge
        say "answer the GPUs you run it on" rather than "unknown model" while in house is not
        yet known (the TUI asks the model before the GPUs)."""
        return self.open_weights().find(name)

    def served_in_house(self, name: str) -> Price | None:
        """``name`` as an open-weight model served in house, or None when it is not one.

        Named in the user's words (trimmed), with no API price: ``api_priced`` is False and the
        per-token figures are 0.0, so the cost is the in-house cost (costs.md, owned or
        on-premises capacity). ``provider`` is "" (no API provider), as for a price of 0 the
        user sets for a private model."""
        book = self.open_weights()
        found = book.find(name)
        if found is None:
            return None
        return Price(name.strip(), 0.0, 0.0, "", book.source, None, base_model=found.label,
                     open_weight=found, api_priced=False)

    def _fine_tune(self, name: str, base: str, extra: dict[str, Price] | None) -> Price | None:
        """``ft:gpt-4o-mini-2024-07-18:org::abc123`` at the price litellm gives it: the map's
        fine-tune row of its base (``ft:gpt-4o-mini-2024-07-18``), else the base's own row
        (Mistral's ``ft:open-mistral-7b:…``). Named in the user's words."""
        if not base:
            return None
        row = self.lookup_full(f"ft:{base}")
        if row is not None:
            return _fine_tuned(name, row, base)
        priced = self.lookup(base, extra)  # "GPT-4o-mini-2024-07-18" as people write it
        if priced is None or priced.fine_tuned or not priced.api_priced:
            return None
        row = self.lookup_full(f"ft:{priced.model}")
        return _fine_tuned(name, row or priced, priced.model)

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
        """Up to ``n`` known names close to ``name`` (:meth:`suggest` over API listings)."""
        return self.suggest(name, n)

    def suggest(self, text: str, limit: int = 8, *, in_house: bool = False) -> list[str]:
        """Model names ranked by closeness to what a person typed, the closest first.

        For the error on an unknown name and the TUI's pick list. The family counts first,
        then the size: "llama 3.1 70b" puts 70B listings before 8B or 405B ones, and the same
        family with the right size before a near family. Candidates are the names people
        recognise (:meth:`recognisable`), and, when the work is served in house, the
        open-weight families with their sizes ("Llama 3.1 70B"). Only called off the normal
        path (a name not found, a TUI keystroke); its pool is built once per book.
        """

        if not isinstance(text, str) or not text.strip() or len(text) > 300 or limit <= 0:
            return []
        book = self.open_weights()
        qkey, qsize = book.query(_strip_provider_words(_norm(text)))
        if not qkey:
            return []
        own = [(label, *book.query(label)) for label in book.names()] if in_house else []
        known = own + self._pool(recognisable=True)
        scored = _ranked(qkey, qsize, known)
        if not scored or scored[0][0] > -_NEAR:
            # Nothing people know is near: every listing, the known ones first when as close.
            scored = _ranked(qkey, qsize, known + self._pool(recognisable=False))
        found: list[str] = []
        seen: set[str] = set()
        for _, _, shown in scored:
            if shown.lower() not in seen:
                seen.add(shown.lower())
                found.append(shown)
            if len(found) == limit:
                break
        return found

    def _pool(self, *, recognisable: bool) -> list[tuple[str, str, str | None]]:
        """(name, family key, size) of the names people recognise (or of every name), built
        on first use: the family key drops the host ("perplexity/") and packaging words."""
        pools = self._suggest_pools
        if recognisable not in pools:
            query = self.open_weights().query
            names = (list(self._overrides) + self.recognisable() if recognisable
                     else sorted(set(self._load()) - set(self.recognisable()), key=_rank))
            pools[recognisable] = [(n, *query(n)) for n in names]
        return pools[recognisable]

    def resolve(self, name: str, extra: dict[str, Price] | None = None,
                *, path: str = "answers.model", in_house: bool = False) -> Price:
        """The price of ``name`` (:meth:`lookup`), or an :class:`InputError` naming the
        closest names people would recognise and, for an open-weight name, what makes it
        acceptable (served in house)."""
        price = self.lookup(name, extra, in_house=in_house)
        if price is None:
            close = self.suggest(name, 5, in_house=in_house)
            hint = ("; did you mean " + ", ".join(close) + "?") if close else ""
            book = self.open_weights()
            expected = ("a model name such as gpt-4o, claude-sonnet-4-5 or gemini-2.5-pro, or "
                        "your own price for it under assumptions.prices")
            if in_house and book.expected_in_house:
                expected = book.expected_in_house
            elif not in_house and book.expected_not_in_house and book.find(name) is not None:
                expected = book.expected_not_in_house
            raise InputError(f"unknown model {name!r}{hint}", path=path, expected=expected)
        return price


def _ranked(qkey: str, qsize: str | None,
            pool: list[tuple[str, str, str | None]]) -> list[tuple[float, int, str]]:
    """Candidates close to the typed family key, best first: the family's closeness (difflib's
    ratio, 1.0 for the same family), then how well the size fits."""
    import difflib

    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(qkey)
    scored: list[tuple[float, int, str]] = []
    for order, (shown, key, size) in enumerate(pool):
        if key == qkey:
            close = 1.0
        elif key.startswith(qkey) and len(qkey) > 1:
            # What was typed so far ("lla", "gpt-4" -> gpt-4o): as you type in the TUI.
            close = 0.9 + 0.1 * len(qkey) / len(key)
        else:
            matcher.set_seq1(key)
            if matcher.real_quick_ratio() < _CUTOFF or matcher.quick_ratio() < _CUTOFF:
                continue
            close = matcher.ratio()
            if close < _CUTOFF:
                continue
            if qkey.startswith(key):
                close += 0.05  # a listing's whole name, typed with more ("gpt-4o-2")
        if qsize is not None and size is not None:
            close += _size_fit(qsize, size)
        scored.append((-close, order, shown))
    scored.sort()
    return scored


def _fine_tune_base(name: object) -> str | None:
    """The base of a fine-tuned id, ``ft:<base>:…`` with an optional provider prefix
    (``openai/ft:…``, ``mistral/ft:…``), or None for any other name."""
    if not isinstance(name, str):
        return None
    text = name.strip()
    head, slash, rest = text.partition("/")
    if slash and rest[:3].lower() == "ft:" and head.replace("_", "").isalpha():
        text = rest
    if text[:3].lower() != "ft:":
        return None
    return text[3:].split(":", 1)[0].strip()


def _fine_tuned(name: str, priced: Price, base: str) -> Price:
    return Price(name, priced.input_per_mtok, priced.output_per_mtok, priced.provider,
                 priced.source, priced.traits, fine_tuned=True, base_model=base)


def _size_fit(typed: str, listed: str) -> float:
    """How well a listing's size fits the one typed: +0.5 the same size, falling to -0.3 for
    a size four times larger or smaller or more (72B is nearly 70B; 8B is not 70B, but Llama
    3.1 8B still reads closer to "Llama 3.1 70B" than a stranger family does)."""
    if typed == listed:
        return 0.5
    a, b = _parameters(typed), _parameters(listed)
    if a is None or b is None or a <= 0 or b <= 0:
        return -0.5
    return 0.5 - 0.8 * min(1.0, abs(math.log(a / b)) / math.log(4))


def _parameters(size: str) -> float | None:
    """"70b" -> 70, "8x7b" -> 56, "1t" -> 1000 (billions of parameters)."""
    try:
        if "x" in size:
            n, _, each = size[:-1].partition("x")
            return float(n) * float(each)
        return float(size[:-1]) * (1000 if size.endswith("t") else 1)
    except ValueError:
        return None


def in_house_by_answers(values: dict[str, Any]) -> bool:
    """Whether the answers say the work runs on the organisation's own hardware, so that an
    open-weight name is accepted without an API listing (spec/answers.md, ``model``): on
    premises required, or GPUs of its own for inference."""
    gpus = values.get("self_hosted_gpus")
    return values.get("on_prem_required") is True or (
        isinstance(gpus, int | float) and not isinstance(gpus, bool) and gpus > 0)


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
#: How close a name must be to be suggested (difflib's ratio, 0–1).
_CUTOFF = 0.6
#: A suggestion this close reads as the same name mistyped ("gpt-4oo" and gpt-4o: 0.91).
_NEAR = 0.9
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

"""Model prices as a lookup table: exact names, provider prefixes and close matches.

Pure: the table's rows come from the caller (:mod:`advisor.data.price_map` reads litellm's
bundled map and the user's ``prices.toml``), optionally through a loader called on the first
lookup, because a run names one model and the map holds thousands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor.core.errors import InputError
from advisor.core.records import Record

_CHAT_MODES = frozenset({"chat", "completion", "responses"})


class Price(Record):
    """USD per million tokens for one model, and where the figure came from."""

    __slots__ = ("model", "input_per_mtok", "output_per_mtok", "provider", "source")

    def __init__(self, model: str, input_per_mtok: float, output_per_mtok: float,
                 provider: str, source: str) -> None:
        self.model = model
        self.input_per_mtok = input_per_mtok
        self.output_per_mtok = output_per_mtok
        self.provider = provider
        self.source = source


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
                          source)
    return out


class PriceBook:
    """Model name -> :class:`Price`, loaded lazily on the first lookup.

    Rows are kept as plain tuples and turned into :class:`Price` only when looked up: the map
    has thousands of models and a run needs one or two.
    """

    def __init__(self, rows: dict[str, tuple[float, float, str]] | None = None,
                 overrides: dict[str, Price] | None = None, *,
                 entries: dict[str, Price] | None = None,
                 loader: Callable[[], tuple[str, dict[str, tuple[float, float, str]]]]
                 | None = None, source_label: str = "litellm price map") -> None:
        self._rows = rows
        if entries is not None:
            self._rows = {k: (p.input_per_mtok, p.output_per_mtok, p.provider)
                          for k, p in entries.items()}
        self._loader = loader
        self._overrides = dict(overrides or {})
        self.source_label = source_label

    def _load(self) -> dict[str, tuple[float, float, str]]:
        """The rows, asking the loader the first time they are needed (a run names one model)."""
        if self._rows is None:
            if self._loader is None:
                self._rows = {}
            else:
                self.source_label, self._rows = self._loader()
        return self._rows

    def lookup_full(self, name: str) -> Price | None:
        """Look ``name`` up in the whole map (loading it if needed)."""
        rows = self._load()
        if name in rows:
            return self._price(name, rows[name])
        if "/" in name:
            provider, _, bare = name.partition("/")
            row = rows.get(bare)
            if row is not None and row[2] == provider:
                return self._price(name, row)
        return None

    def _price(self, name: str, row: tuple[float, float, str]) -> Price:
        return Price(name, row[0], row[1], row[2], self.source_label)

    def names(self) -> list[str]:
        return sorted(set(self._load()) | set(self._overrides))

    def all(self) -> list[Price]:
        rows = self._load()
        merged = {k: self._price(k, v) for k, v in rows.items()}
        merged.update(self._overrides)
        return [merged[k] for k in sorted(merged)]

    def lookup(self, name: str, extra: dict[str, Price] | None = None) -> Price | None:
        """Exact key first, then without a provider prefix when the provider matches."""
        for table in (extra or {}, self._overrides):
            if name in table:
                return table[name]
        return self.lookup_full(name)

    def closest(self, name: str, n: int = 5) -> list[str]:
        import difflib

        names = self.names()
        bare = name.rpartition("/")[2]
        found = difflib.get_close_matches(name, names, n=n, cutoff=0.6)
        for extra in difflib.get_close_matches(bare, names, n=n, cutoff=0.6):
            if extra not in found:
                found.append(extra)
        return found[:n]

    def resolve(self, name: str, extra: dict[str, Price] | None = None,
                *, path: str = "answers.model") -> Price:
        price = self.lookup(name, extra)
        if price is None:
            close = self.closest(name)
            hint = ("; closest known: " + ", ".join(close)) if close else ""
            raise InputError(f"unknown model {name!r}{hint}", path=path,
                             expected="a model name as litellm knows it, or a price in "
                                      "assumptions.prices")
        return price



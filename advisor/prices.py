"""Current model prices, read offline from the price map that litellm ships.

Importing litellm costs seconds and tries the network, so we locate its package with
``importlib.util.find_spec`` (which does not execute it) and read the bundled
``model_prices_and_context_window_backup.json`` directly. The map is read only when a model
is actually named, and at most once per process. Users can add or override prices for private
deployments: per answers file (``assumptions.prices``) or in ``prices.toml`` in the config
folder.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import zlib
from typing import Any

from advisor.errors import InputError
from advisor.records import Record

PRICE_MAP_NAME = "model_prices_and_context_window_backup.json"
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


def price_map_path() -> str | None:
    """Where litellm's bundled price map is, without importing litellm."""
    return os.environ.get("ADVISOR_PRICE_MAP") or _bundled_map_path()


@functools.cache
def _bundled_map_path() -> str | None:
    """Found once per process: finding the package scans ``sys.path`` (a dozen stat calls)."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = os.path.join(folder, PRICE_MAP_NAME)
        if os.path.isfile(candidate):
            return candidate
    return None


def _entries_from_map(raw: dict[str, Any], source: str) -> dict[str, Price]:
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

    def __init__(self, map_path: str | os.PathLike[str] | None = None,
                 overrides: dict[str, Price] | None = None,
                 *, entries: dict[str, Price] | None = None) -> None:
        self._map_path = os.fspath(map_path) if map_path is not None else None
        self._rows: dict[str, tuple[float, float, str]] | None = None
        if entries is not None:
            self._rows = {k: (p.input_per_mtok, p.output_per_mtok, p.provider)
                          for k, p in entries.items()}
        self._overrides = dict(overrides or {})
        self._quick_hits: dict[str, Price | None] = {}
        self.source_label = "litellm price map"

    def _load(self) -> dict[str, tuple[float, float, str]]:
        if self._rows is None:
            path = self._map_path or price_map_path()
            self._rows = {} if path is None else self._read_map(path)
        return self._rows

    def _read_map(self, path: str) -> dict[str, tuple[float, float, str]]:
        """Parse the map, or load the compact form cached from an identical file."""
        from advisor import cache

        ident = _identity(path)
        if ident is None:
            return {}
        key = f"{zlib.crc32(ident.encode()):08x}"
        cached = cache.load("prices", key)
        if cached is None:
            try:
                with open(path, "rb") as fh:
                    raw = json.loads(fh.read())
            except (OSError, ValueError):
                return {}
            label = "litellm price map"
            version = _litellm_version(path)
            if version:
                label += f" (litellm {version})"
            rows = {p.model: (p.input_per_mtok, p.output_per_mtok, p.provider)
                    for p in _entries_from_map(raw, label).values()}
            cached = (label, rows)
            cache.save("prices", key, cached)
        self.source_label, rows = cached
        return rows

    def _quick(self, name: str) -> Price | None:
        """One model's price from a tiny per-name cache, without loading the whole map.

        A run names one model; loading thousands of rows to find it costs more than the rest of
        the assessment. The per-name entry is written after the first full lookup and keyed by
        the map file's identity, so it follows litellm upgrades.
        """
        if name in self._quick_hits:  # a batch prices the same few models thousands of times
            return self._quick_hits[name]
        self._quick_hits[name] = price = self._quick_from_disk(name)
        return price

    def _quick_from_disk(self, name: str) -> Price | None:
        from advisor import cache

        path = price_map_path()
        if path is None:
            return None
        file_ident = _identity(path)
        if file_ident is None:
            return None
        ident = f"{file_ident}|{name}"
        key = f"{zlib.crc32(ident.encode()):08x}"
        hit = cache.load("price1", key)
        if hit is not None and hit[0] == ident:
            _, label, row = hit
            self.source_label = label
            return None if row is None else Price(name, row[0], row[1], row[2], label)
        price = self.lookup_full(name)
        row = None if price is None else (price.input_per_mtok, price.output_per_mtok,
                                          price.provider)
        cache.save("price1", key, (ident, self.source_label, row), prune=False)
        return price

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
        if self._rows is None and self._map_path is None:
            return self._quick(name)
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


def _identity(path: str) -> str | None:
    """The price map file's identity (path, size, mtime): cache keys change when it changes."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return f"{path}|{stat.st_size}|{stat.st_mtime_ns}"


def _litellm_version(map_path: str) -> str | None:
    try:
        from importlib.metadata import version

        in_litellm = os.path.basename(os.path.dirname(map_path)) == "litellm"
        return version("litellm") if in_litellm else None
    except Exception:
        return None


def load_price_overrides(path: str | os.PathLike[str]) -> dict[str, Price]:
    """Read a user price file: ``[models."name"] input_per_mtok = .. output_per_mtok = ..``."""
    path = os.fspath(path)
    if not os.path.exists(path):
        return {}
    import tomllib

    try:
        with open(path, encoding="utf-8") as fh:
            data = tomllib.loads(fh.read())
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read price file: {exc}", file=str(path)) from None
    models = data.get("models", {})
    unknown = set(data) - {"models"}
    if unknown or not isinstance(models, dict):
        raise InputError(f"unknown keys {sorted(unknown)}", file=str(path),
                         expected='only [models."name"] tables')
    out = {}
    for name, entry in models.items():
        where = f"models.{name}"
        if not isinstance(entry, dict) or set(entry) != {"input_per_mtok", "output_per_mtok"}:
            raise InputError("needs exactly input_per_mtok and output_per_mtok", file=str(path),
                             path=where)
        pin, pout = entry["input_per_mtok"], entry["output_per_mtok"]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v < float("inf")
                   for v in (pin, pout)):
            raise InputError("prices must be non-negative numbers", file=str(path), path=where)
        out[name] = Price(name, float(pin), float(pout), "", f"user price file {path}")
    return out

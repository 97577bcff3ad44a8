"""Where prices come from: litellm's bundled price map and the user's ``prices.toml``.

Importing litellm costs seconds and tries the network, so its package is located with
``importlib.util.find_spec`` (which does not execute it) and the bundled
``model_prices_and_context_window_backup.json`` is read directly, only when a model is
named, and its compact form is cached (marshal) keyed by the file's identity.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import zlib
from typing import TYPE_CHECKING

from advisor.core.errors import InputError
from advisor.core.prices import Price, PriceBook, Row, entries_from_map
from advisor.data import cache
from advisor.data.paths import config_dir

if TYPE_CHECKING:  # imported when a name needs the open-weight families: most runs never do
    from advisor.core.open_weights import OpenWeights

PRICE_MAP_NAME = "model_prices_and_context_window_backup.json"
MAX_PRICE_MAP_BYTES = 64 * 1024 * 1024  # litellm's map is about 1.5 MB

Rows = dict[str, Row]

#: The table's layout; part of the cache key, so a cache written in another layout is a miss.
#: "3": lines grouped by provider, with each provider's span, for :func:`find_family`.
TABLE_FORMAT = "3"

#: provider -> (start, end) of its lines in the table: its first line's leading "\n" to the
#: "\n" after its last line.
Spans = dict[str, tuple[int, int]]


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


def read_price_map(path: str | None = None) -> tuple[str, Rows]:
    """The map's label and every row, parsed or loaded from the cache of an identical file."""
    label, table = _price_table(path)
    rows: Rows = {}
    for line in table.split("\n"):
        if line:
            name, pin, pout, provider, traits = line.split("\t")
            rows[name] = (float(pin), float(pout), provider, traits)
    return label, rows


def find_price(name: str, path: str | None = None) -> tuple[str, Row | None]:
    """The map's label and the row of ``name`` (its exact key), without building every row."""
    label, table = _price_table(path)
    if "\t" in name or "\n" in name:
        return label, None
    at = table.find(f"\n{name}\t")
    if at < 0:
        return label, None
    line = table[at + 1:table.index("\n", at + 1)]
    _, pin, pout, provider, traits = line.split("\t")
    return label, (float(pin), float(pout), provider, traits)


def find_family(provider: str, path: str | None = None) -> tuple[str, Rows]:
    """The map's label and every row of one provider (the smaller-model lever's candidates),
    found in the one table with a regular expression instead of building every row."""
    label, table, spans = _price_data(path)
    span = spans.get(provider) if provider else None
    if span is None:
        return label, {}
    rows: Rows = {}
    for line in table[span[0] + 1:span[1]].split("\n"):
        name, pin, pout, _, traits = line.split("\t")
        rows[name] = (float(pin), float(pout), provider, traits)
    return label, rows


def _price_table(path: str | None = None) -> tuple[str, str]:
    """The map as one text table ("\\nname\\tin\\tout\\tprovider" per model), once per process.

    One string loads from the cache in microseconds, where thousands of rows would take
    milliseconds: a run prices one model, found by :func:`find_price` with ``str.find``.
    """
    label, table, _ = _price_data(path)
    return label, table


def _price_data(path: str | None = None) -> tuple[str, str, Spans]:
    """The table and where each provider's lines are in it."""
    path = path or price_map_path()
    if path is None:
        return "litellm price map (not installed)", "", {}
    ident = _identity(path)
    if ident is None:
        return "litellm price map (unreadable)", "", {}
    return _table_for(path, ident)


@functools.cache
def _table_for(path: str, ident: str) -> tuple[str, str, Spans]:
    """The table of the map file at ``path`` as it is now (``ident``), once per process.

    Lines are grouped by provider and each provider's span is kept beside the table, so the
    smaller-model lever reads one provider's few lines instead of scanning every line."""
    key = f"{zlib.crc32((TABLE_FORMAT + ident).encode()):08x}"
    cached = cache.load("prices", key)
    if (isinstance(cached, tuple) and len(cached) == 4 and cached[0] == ident
            and isinstance(cached[1], str) and isinstance(cached[2], str)
            and isinstance(cached[3], dict)):
        return cached[1], cached[2], cached[3]
    from advisor.data.files import read_regular_file

    try:  # a regular file of bounded size (ADVISOR_PRICE_MAP may name anything)
        data = read_regular_file(path, limit=MAX_PRICE_MAP_BYTES)
        raw = json.loads(data) if data is not None else None
    except (OSError, ValueError, RecursionError):
        return "litellm price map (unreadable)", "", {}
    if not isinstance(raw, dict):
        return "litellm price map (unreadable)", "", {}
    label = _label(path)
    entries = sorted((p for p in entries_from_map(raw, label).values()
                      if "\t" not in p.model + p.provider and "\n" not in p.model + p.provider),
                     key=lambda p: p.provider)  # stable: the map's order within a provider
    parts: list[str] = []
    spans: Spans = {}
    at = 0  # the offset of the "\n" that opens the next line
    for p in entries:
        line = (f"\n{p.model}\t{p.input_per_mtok!r}\t{p.output_per_mtok!r}\t{p.provider}\t"
                f"{p.traits.encode() if p.traits is not None else ''}")
        start = spans.get(p.provider, (at, at))[0]
        parts.append(line)
        at += len(line)
        spans[p.provider] = (start, at)
    table = "".join(parts) + "\n"
    cache.save("prices", key, (ident, label, table, spans))
    return label, table, spans


def _identity(path: str) -> str | None:
    """The price map file's identity (path, size, mtime): cache keys change when it changes."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return f"{path}|{stat.st_size}|{stat.st_mtime_ns}"


def _label(map_path: str) -> str:
    """"litellm price map, as shipped with litellm 1.x" — the source line a report prints."""
    try:
        from importlib.metadata import version

        if os.path.basename(os.path.dirname(map_path)) == "litellm":
            return f"litellm price map, as shipped with litellm {version('litellm')}"
    except Exception:
        pass
    return "litellm price map"


def user_price_file() -> str:
    return os.path.join(config_dir(), "prices.toml")


def load_price_overrides(path: str | os.PathLike[str]) -> dict[str, Price]:
    """Read a user price file: ``[models."name"] input_per_mtok = .. output_per_mtok = ..``."""
    path = os.fspath(path)
    from advisor.data.files import read_regular_file

    try:
        raw = read_regular_file(path)
    except OSError as exc:
        raise InputError(f"cannot read the price file: {exc.strerror or exc}",
                         file=str(path)) from None
    if raw is None:
        return {}
    import tomllib  # only when there is a price file: most runs have none

    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("the price file is not UTF-8 text", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"the price file is not valid TOML: {exc}", file=str(path)) from None
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
        if not all(isinstance(v, int | float) and not isinstance(v, bool)
                   and 0 <= v <= 1e6 for v in (pin, pout)):
            raise InputError("prices must be numbers from 0 to 1,000,000 per million tokens",
                             file=str(path), path=where)
        out[name] = Price(name, float(pin), float(pout), "", f"user price file {path}")
    return out


OPEN_WEIGHTS_FILE = "open_weights.toml"


@functools.cache
def load_open_weights(folder: str | None = None) -> OpenWeights:
    """The open-weight families of ``rules/open_weights.toml``, read once per process and only
    when a name needs them (served in house, not found, or suggestions): most runs name an
    API model found by its exact key and never read the file."""
    import tomllib

    from advisor.core.open_weights import OpenWeights
    from advisor.data.files import read_regular_file
    from advisor.data.resources import rules_dir

    path = os.path.join(folder or rules_dir(), OPEN_WEIGHTS_FILE)
    try:
        raw = read_regular_file(path)
        data = tomllib.loads(raw.decode("utf-8")) if raw is not None else {}
        return OpenWeights(data)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError,
            AttributeError, ValueError) as exc:  # shipped data: a broken file is a bug
        raise InputError(f"the open-weight model list cannot be read: {exc}",
                         file=path) from None


def price_book(map_path: str | None = None) -> PriceBook:
    """A price book over litellm's map (read on first lookup), without user overrides."""
    return PriceBook(loader=lambda: read_price_map(map_path),
                     exact=lambda name: find_price(name, map_path),
                     family=lambda provider: find_family(provider, map_path),
                     open_weights=load_open_weights)


def default_price_book() -> PriceBook:
    """The price book every edge uses: litellm's map plus the user's ``prices.toml``."""
    return PriceBook(overrides=load_price_overrides(user_price_file()),
                     loader=read_price_map, exact=find_price, family=find_family,
                     open_weights=load_open_weights)

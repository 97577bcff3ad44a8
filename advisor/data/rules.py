"""Reading ``rules/`` from disk: the rule base and the knowledge base, built once per process.

Building a :class:`RuleBase` means parsing the TOML and every condition, which costs more than
the whole assessment, so the built object is cached under a key made of the rule files' digest,
the package version and :data:`CACHE_FORMAT` (bump it when the classes the cache holds change).
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from typing import TYPE_CHECKING

from advisor import __version__
from advisor.core.errors import RulePackError
from advisor.core.rulebase import DATA_FILES, RuleBase, build, parse_toml
from advisor.data import cache as disk_cache
from advisor.data.resources import rules_dir

if TYPE_CHECKING:  # the knowledge base compiles its patterns at import: only Ask needs it
    from advisor.core.knowledge import KnowledgeBase

#: Bump when RuleBase or the records it holds change shape.
CACHE_FORMAT = 3
KNOWLEDGE_FILE = "knowledge.toml"


def read_rule_files(folder: str | os.PathLike[str]) -> tuple[str, dict[str, bytes]]:
    """Every data file of a rules folder as bytes, with a digest of names and contents."""
    folder = os.fspath(folder)
    try:
        packs = sorted(f"packs/{n}" for n in os.listdir(os.path.join(folder, "packs"))
                       if n.endswith(".toml") and not n.startswith("."))
    except OSError:
        packs = []
    hasher = hashlib.sha256()
    blobs = {}
    for name in [*DATA_FILES, *packs]:
        path = os.path.join(folder, name)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise RulePackError(f"cannot read {path}: {exc.strerror}") from exc
        hasher.update(name.encode() + b"\0" + data + b"\0")
        blobs[name] = data
    return hasher.hexdigest()[:16], blobs


def load_from(folder: str | os.PathLike[str]) -> RuleBase:
    """The :class:`RuleBase` of a rules folder, from the cache when an identical one is there."""
    digest, blobs = read_rule_files(folder)
    key = f"{digest}-{__version__}-f{CACHE_FORMAT}"
    cached = disk_cache.load("rulebase", key, codec="pickle")
    if isinstance(cached, RuleBase) and cached.digest == digest:
        return cached
    built = build({name: parse_toml(name, data) for name, data in blobs.items()}, digest)
    disk_cache.save("rulebase", key, built, codec="pickle")
    return built


@cache
def load_rulebase() -> RuleBase:
    """The installed (or ``ADVISOR_RULES_DIR``) rules, parsed once per process."""
    return load_from(rules_dir())


def read_knowledge(folder: str | os.PathLike[str] | None = None) -> dict[str, object]:
    """The parsed ``knowledge.toml`` of a rules folder."""
    path = os.path.join(os.fspath(folder or rules_dir()), KNOWLEDGE_FILE)
    try:
        with open(path, "rb") as fh:
            return parse_toml(KNOWLEDGE_FILE, fh.read())
    except OSError as exc:
        raise RulePackError(f"cannot read {path}: {exc.strerror}") from exc


@cache
def load_knowledge() -> KnowledgeBase:
    """The knowledge base of the article's facts, once per process."""
    from advisor.core.knowledge import KnowledgeBase, parse_entries

    return KnowledgeBase(parse_entries(read_knowledge()))

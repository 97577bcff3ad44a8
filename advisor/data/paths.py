"""Where advisor keeps user files: data (history store, drafts), config and cache folders.

``ADVISOR_HOME`` (or ``--home``) puts everything under one folder, which is what tests and
portable setups want; otherwise the platform's conventions apply, from platformdirs.
"""

from __future__ import annotations

import os

_home_override: str | None = None


def set_home(path: str | os.PathLike[str] | None) -> None:
    """Set the ``--home`` flag's value for this process (wins over ``ADVISOR_HOME``)."""
    global _home_override
    _home_override = os.fspath(path) if path else None


def home() -> str | None:
    if _home_override is not None:
        return _home_override
    return os.environ.get("ADVISOR_HOME") or None


def platform_dir(kind: str) -> str:
    """The platform's per-user folder for advisor: ``data``, ``config`` or ``cache``."""
    import platformdirs

    finder = {"data": platformdirs.user_data_dir, "config": platformdirs.user_config_dir,
              "cache": platformdirs.user_cache_dir}[kind]
    return finder("advisor", appauthor=False)


def data_dir() -> str:
    base = home()
    return base if base is not None else platform_dir("data")


def config_dir() -> str:
    base = home()
    return base if base is not None else platform_dir("config")


def cache_dir() -> str:
    """Best-effort caches (the built rule base, the price map, compiled templates)."""
    override = os.environ.get("ADVISOR_CACHE_DIR")
    if override:
        return override
    base = home()
    return os.path.join(base, "cache") if base is not None else platform_dir("cache")


def drafts_dir() -> str:
    return os.path.join(data_dir(), "drafts")


def locations() -> dict[str, str]:
    """Every place advisor reads or writes, for ``advisor paths``."""
    return {"store": os.path.join(data_dir(), "advisor.sqlite3"),
            "drafts": drafts_dir(),
            "config": os.path.join(config_dir(), "config.toml"),
            "prices": os.path.join(config_dir(), "prices.toml"),
            "cache": cache_dir()}

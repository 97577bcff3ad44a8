"""Where advisor keeps user files: the data folder (history store, drafts) and config folder.

``ADVISOR_HOME`` (or ``--home``) puts everything under one folder, which is what tests and
portable setups want; otherwise the platform's conventions apply (platformdirs).
"""

from __future__ import annotations

import os
from pathlib import Path

_home_override: Path | None = None


def set_home(path: str | os.PathLike[str] | None) -> None:
    """Set the ``--home`` flag's value for this process (wins over ``ADVISOR_HOME``)."""
    global _home_override
    _home_override = Path(path) if path else None


def home() -> Path | None:
    if _home_override is not None:
        return _home_override
    env = os.environ.get("ADVISOR_HOME")
    return Path(env) if env else None


def data_dir() -> Path:
    base = home()
    if base is not None:
        return base
    from platformdirs import user_data_path

    return user_data_path("advisor", appauthor=False)


def config_dir() -> Path:
    base = home()
    if base is not None:
        return base
    from platformdirs import user_config_path

    return user_config_path("advisor", appauthor=False)


def user_price_file() -> Path:
    return config_dir() / "prices.toml"


def default_price_book():
    """The price book every edge uses: litellm's map plus the user's ``prices.toml``."""
    from advisor.prices import PriceBook, load_price_overrides

    return PriceBook(overrides=load_price_overrides(user_price_file()))


def cache_dir() -> Path:
    """Best-effort caches (parsed rules, the price map, compiled templates): safe to delete."""
    override = os.environ.get("ADVISOR_CACHE_DIR")
    if override:
        return Path(override)
    base = home()
    if base is not None:
        return base / "cache"
    from platformdirs import user_cache_path

    return user_cache_path("advisor", appauthor=False)

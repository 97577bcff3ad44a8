"""Where advisor keeps user files: the data folder (history store, drafts) and config folder.

``ADVISOR_HOME`` (or ``--home``) puts everything under one folder, which is what tests and
portable setups want; otherwise the platform's conventions apply (platformdirs).

Folders are plain ``str`` paths built with :mod:`os.path`: these functions sit on the path of
every cold ``advisor assess``, and :mod:`pathlib` alone costs about 2 ms to import.
"""

from __future__ import annotations

import os
import sys

_home_override: str | None = None


def set_home(path: str | os.PathLike[str] | None) -> None:
    """Set the ``--home`` flag's value for this process (wins over ``ADVISOR_HOME``)."""
    global _home_override
    _home_override = os.fspath(path) if path else None


def home() -> str | None:
    if _home_override is not None:
        return _home_override
    return os.environ.get("ADVISOR_HOME") or None


#: The XDG base-directory variable and its default, per kind of folder (Linux).
_XDG = {"data": ("XDG_DATA_HOME", ".local/share"), "config": ("XDG_CONFIG_HOME", ".config"),
        "cache": ("XDG_CACHE_HOME", ".cache")}


def _xdg_dir(kind: str) -> str | None:
    """The XDG folder for ``kind`` on plain Linux, or None to ask platformdirs.

    platformdirs gives the same answer but costs about 3 ms to import, a tenth of a cold
    ``advisor assess``; the common case on Linux is the freedesktop rule below. Anything
    unusual (another OS, Android, a relative HOME) goes to platformdirs, and a test checks the
    two agree.
    """
    if sys.platform != "linux" or os.environ.get("ANDROID_ROOT"):
        return None
    variable, default = _XDG[kind]
    given = os.environ.get(variable, "")
    if os.path.isabs(given):
        return os.path.join(given, "advisor")
    user_home = os.environ.get("HOME", "")
    return os.path.join(user_home, default, "advisor") if os.path.isabs(user_home) else None


def platform_dir(kind: str) -> str:
    """The platform's per-user folder for advisor: ``data``, ``config`` or ``cache``."""
    fast = _xdg_dir(kind)
    if fast is not None:
        return fast
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


def user_price_file() -> str:
    return os.path.join(config_dir(), "prices.toml")


def default_price_book():
    """The price book every edge uses: litellm's map plus the user's ``prices.toml``."""
    from advisor.prices import PriceBook, load_price_overrides

    return PriceBook(overrides=load_price_overrides(user_price_file()))


def cache_dir() -> str:
    """Best-effort caches (parsed rules, the price map, compiled templates): safe to delete."""
    override = os.environ.get("ADVISOR_CACHE_DIR")
    if override:
        return override
    base = home()
    return os.path.join(base, "cache") if base is not None else platform_dir("cache")

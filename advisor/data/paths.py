"""Where advisor keeps user files: data (history store, drafts), config and cache folders.

``ADVISOR_HOME`` (or ``--home``) puts everything under one folder, which is what tests and
portable setups want; otherwise the platform's conventions apply, from platformdirs (with
the XDG rule answered directly on plain Linux, see :func:`_xdg_dir`).
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


#: The XDG base-directory variable and its default under ``$HOME``, per kind of folder.
_XDG = {"data": ("XDG_DATA_HOME", ".local/share"), "config": ("XDG_CONFIG_HOME", ".config"),
        "cache": ("XDG_CACHE_HOME", ".cache")}


def _xdg_dir(kind: str) -> str | None:
    """The folder by the XDG rule on plain Linux, or None to ask platformdirs.

    platformdirs 4.14 on Python 3.11 imports pathlib, tempfile, shutil and urllib.parse:
    about 7 ms of a cold ``advisor assess`` (bench rows L2 and B1), enough to break its
    budget. On plain Linux its answer is this rule, and a test checks the two agree; every
    other case (another OS, Android, a relative or missing ``$HOME``) goes to platformdirs.
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


_warned: set[str] = set()


def warn_not_a_folder(path: str, what: str) -> None:
    """Say once per run that a folder advisor uses has a file in its place.

    One rule for every folder (data, config, cache, state, ``--home``): a user who pointed
    ``XDG_CONFIG_HOME`` or ``--home`` at a file still gets their assessment, with a warning
    naming the place, just as a store that cannot be created only costs the history entry.
    """
    folder = os.path.dirname(os.fspath(path))
    while folder and not os.path.exists(folder):
        folder = os.path.dirname(folder)
    key = f"{what}:{folder}"
    if key in _warned:
        return
    _warned.add(key)
    print(f"advisor: warning: {folder} is not a folder (a file is in its place); going on "
          f"without the {what}", file=sys.stderr)

"""Folders: platformdirs' per-user folders (the XDG rule answered directly on plain Linux, and
checked against platformdirs here), or everything under ``ADVISOR_HOME``/``--home``."""

from __future__ import annotations

import json
import subprocess
import sys

import platformdirs
import pytest

from advisor.data import paths

KINDS = {"data": platformdirs.user_data_dir, "config": platformdirs.user_config_dir,
         "cache": platformdirs.user_cache_dir}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("xdg", [None, "", "/srv/xdg-{kind}", "relative/{kind}", " /srv/sp "])
@pytest.mark.parametrize("home", ["/home/ann", "/root", "relative-home", ""])
def test_platform_folders_agree_with_platformdirs(monkeypatch, kind: str, xdg: str | None,
                                                  home: str) -> None:
    for variable, _ in paths._XDG.values():
        monkeypatch.delenv(variable, raising=False)
    if xdg is not None:
        monkeypatch.setenv(paths._XDG[kind][0], xdg.format(kind=kind))
    monkeypatch.setenv("HOME", home)
    fast = paths._xdg_dir(kind)
    expected = KINDS[kind]("advisor", appauthor=False)
    if fast is not None:
        assert fast == expected
    assert paths.platform_dir(kind) == expected


def test_folders_without_advisor_home(monkeypatch) -> None:
    monkeypatch.delenv("ADVISOR_HOME", raising=False)
    monkeypatch.delenv("ADVISOR_CACHE_DIR", raising=False)
    paths.set_home(None)
    assert paths.data_dir() == platformdirs.user_data_dir("advisor", appauthor=False)
    assert paths.config_dir() == platformdirs.user_config_dir("advisor", appauthor=False)
    assert paths.cache_dir() == platformdirs.user_cache_dir("advisor", appauthor=False)


def test_home_overrides_the_platform_folders(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ADVISOR_HOME", str(tmp_path))
    monkeypatch.delenv("ADVISOR_CACHE_DIR", raising=False)
    assert paths.data_dir() == str(tmp_path) and paths.config_dir() == str(tmp_path)
    assert paths.cache_dir() == str(tmp_path / "cache")


def test_advisor_paths_prints_every_location(tmp_path) -> None:
    out = subprocess.run([sys.executable, "-m", "advisor", "paths", "--format", "json",
                          "--home", str(tmp_path)], capture_output=True, text=True, check=True)
    where = json.loads(out.stdout)
    assert set(where) == {"store", "drafts", "config", "prices", "cache"}
    assert all(v.startswith(str(tmp_path)) for v in where.values())
    one = subprocess.run([sys.executable, "-m", "advisor", "paths", "store", "--home",
                          str(tmp_path)], capture_output=True, text=True, check=True)
    assert one.stdout.strip() == where["store"]

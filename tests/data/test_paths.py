"""Folders: platformdirs' per-user folders, or everything under ``ADVISOR_HOME``/``--home``."""

from __future__ import annotations

import json
import subprocess
import sys

import platformdirs

from advisor.data import paths


def test_platform_folders_come_from_platformdirs(monkeypatch) -> None:
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

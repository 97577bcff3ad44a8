"""advisor's own XDG rule gives the folders platformdirs would, wherever it answers."""

from __future__ import annotations

import sys

import platformdirs
import pytest

from advisor import paths

KINDS = {"data": platformdirs.user_data_path, "config": platformdirs.user_config_path,
         "cache": platformdirs.user_cache_path}


@pytest.mark.skipif(sys.platform != "linux", reason="the fast rule is Linux's XDG rule")
@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("xdg", [None, "", "/srv/xdg-{kind}", "relative/{kind}"])
@pytest.mark.parametrize("home", ["/home/ann", "/root", "relative-home", ""])
def test_fast_rule_agrees_with_platformdirs(monkeypatch, kind: str, xdg: str | None,
                                            home: str) -> None:
    variable = paths._XDG[kind][0]
    for other, _ in paths._XDG.values():
        monkeypatch.delenv(other, raising=False)
    if xdg is not None:
        monkeypatch.setenv(variable, xdg.format(kind=kind))
    monkeypatch.setenv("HOME", home)
    fast = paths._xdg_dir(kind)
    if fast is not None:
        assert fast == str(KINDS[kind]("advisor", appauthor=False))
    assert paths.platform_dir(kind) == str(KINDS[kind]("advisor", appauthor=False))


def test_home_overrides_the_platform_folders(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ADVISOR_HOME", str(tmp_path))
    assert paths.data_dir() == str(tmp_path) and paths.config_dir() == str(tmp_path)
    assert paths.cache_dir() == str(tmp_path / "cache")

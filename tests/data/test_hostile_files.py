"""Files advisor reads or keeps, when they are hostile or damaged (issue 14): answers files
that are FIFOs, devices or endless; settings files that are not files; cache entries that are
damaged, foreign or not regular files; URL credentials."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from advisor.core.errors import InputError
from advisor.core.loading import MAX_INPUT_BYTES
from advisor.data import cache
from advisor.data.answers_file import read_input_file
from advisor.data.files import read_regular_file
from advisor.data.redact import redact_url, redact_urls

# ---------------------------------------------------------------------- answers files


def test_an_answers_file_is_read_to_the_limit_and_no_further(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (MAX_INPUT_BYTES + 1))
    with pytest.raises(InputError, match="too large"):
        read_input_file(str(path))
    path.write_bytes(b"{}")
    assert read_input_file(str(path)) == b"{}"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_without_reading(device: str) -> None:
    with pytest.raises(InputError, match="not a regular file") as caught:
        read_input_file(device)
    assert caught.value.file == device


def test_a_fifo_without_a_writer_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "answers.json"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="pipe") as caught:
        read_input_file(str(fifo))
    assert caught.value.file == str(fifo)


def test_a_fifo_with_a_writer_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "answers.json"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as fh:
            fh.write(b'{"schema_version": 1}')

    writer = threading.Thread(target=write)
    writer.start()
    try:
        # The writer opens first, then the reader finds it (or an empty pipe: then retry).
        for _ in range(200):
            try:
                data = read_input_file(str(fifo))
                break
            except InputError:
                threading.Event().wait(0.01)
        assert data == b'{"schema_version": 1}'
    finally:
        writer.join(5)


@pytest.mark.parametrize("name", ["missing.json", "folder"])
def test_missing_and_folder(tmp_path: Path, name: str) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError):
        read_input_file(str(tmp_path / name))


# ---------------------------------------------------------------------- settings files


def test_settings_file_shapes(tmp_path: Path) -> None:
    assert read_regular_file(tmp_path / "absent.toml") is None
    (tmp_path / "ok.toml").write_text("a = 1\n")
    assert read_regular_file(tmp_path / "ok.toml") == b"a = 1\n"
    os.mkfifo(tmp_path / "fifo.toml")
    (tmp_path / "dir.toml").mkdir()
    (tmp_path / "big.toml").write_bytes(b"#" * 2000)
    for name in ("fifo.toml", "dir.toml"):
        with pytest.raises(OSError):
            read_regular_file(tmp_path / name)
    with pytest.raises(OSError, match="larger"):
        read_regular_file(tmp_path / "big.toml", limit=1000)


def test_a_bad_prices_toml_is_named(tmp_path: Path, advisor_home: Path) -> None:
    from advisor.data.price_map import load_price_overrides

    path = tmp_path / "prices.toml"
    for content in (b"models = [", b"\xff\xfe", b'[models."m"]\ninput_per_mtok = 1\n'):
        path.write_bytes(content)
        with pytest.raises(InputError) as caught:
            load_price_overrides(path)
        assert caught.value.file == str(path)


def test_an_error_keeps_the_file_it_names() -> None:
    error = InputError("bad", file="prices.toml")
    assert error.with_file("answers.json").file == "prices.toml"
    assert InputError("bad").with_file("answers.json").file == "answers.json"


# ---------------------------------------------------------------------- cache


def _entry(kind: str, key: str) -> Path:
    path = cache._path(kind, key)
    assert path is not None
    return Path(path)


def test_a_cache_entry_round_trips(advisor_home: Path) -> None:
    cache.save("probe", "k1", {"a": (1, 2.5, "x")})
    assert cache.load("probe", "k1") == {"a": (1, 2.5, "x")}


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "fifo", "folder", "symlink",
                                    "world-writable"])
def test_any_damage_is_a_miss(advisor_home: Path, damage: str) -> None:
    cache.save("probe", "k1", {"value": list(range(100))})
    path = _entry("probe", "k1")
    data = path.read_bytes()
    if damage == "flip":
        path.write_bytes(data[:-10] + bytes([data[-10] ^ 0x01]) + data[-9:])
    elif damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "fifo":
        path.unlink()
        os.mkfifo(path)
    elif damage == "folder":
        path.unlink()
        path.mkdir()
    elif damage == "symlink":
        path.unlink()
        path.symlink_to("/dev/zero")
    else:
        path.chmod(0o666)
    assert cache.load("probe", "k1") is None


def test_a_cache_folder_others_can_write_is_never_read(advisor_home: Path) -> None:
    cache.save("probe", "k1", [1, 2, 3])
    folder = _entry("probe", "k1").parent
    folder.chmod(0o777)
    try:
        assert cache.load("probe", "k1") is None
    finally:
        folder.chmod(0o700)
    assert cache.load("probe", "k1") == [1, 2, 3]


def test_compiled_templates_come_from_advisors_cache(advisor_home: Path) -> None:
    from jinja2 import DictLoader, Environment

    def render() -> str:
        env = Environment(loader=DictLoader({"t.j2": "{{ 6 * 7 }}"}),
                          bytecode_cache=cache.TemplateCache())
        return env.get_template("t.j2").render()

    assert render() == "42"
    entries = [p for p in Path(cache._path("template", "x") or "").parent.iterdir()
               if p.name.startswith("template-")]
    assert entries
    for entry in entries:
        entry.write_bytes(b"garbage")
    assert render() == "42"


# ---------------------------------------------------------------------- URL credentials


@pytest.mark.parametrize(("url", "shown"), [
    ("http://user:s3cret@host:4000/v1", "http://***@host:4000/v1"),
    ("https://tok@host/v1?api_key=abc&x=1", "https://***@host/v1?api_key=***&x=1"),
    ("http://localhost:11434", "http://localhost:11434"),
    ("https://host/v1?token=t#frag", "https://host/v1?token=***#***"),
])
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_redact_urls_in_free_text() -> None:
    text = "cannot connect to http://bob:hunter2@proxy:4000/v1?key=k1 (refused)"
    out = redact_urls(text)
    assert "hunter2" not in out and "bob" not in out and "k1" not in out
    assert "proxy:4000" in out

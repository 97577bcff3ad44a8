"""Batch identity (issue 14): report names from the input's path alone, each file once,
nothing that can block is opened, one writer per output folder, resume by content."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from advisor.batch.inputs import iter_items
from advisor.batch.output import FolderLock, ReportNamer
from advisor.cli.main import main
from advisor.core.errors import InputError
from tests.conftest import answers_doc


def _write(path: Path, org: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**answers_doc(), "organization": org}), encoding="utf-8")
    return path


def _sources(paths: list[Path | str]) -> list[str]:
    return [item.source for item in iter_items([str(p) for p in paths])]


def test_symlink_loops_end_and_each_file_is_listed_once(tmp_path: Path) -> None:
    root = tmp_path / "in"
    _write(root / "a.json", "A")
    _write(root / "sub" / "b.json", "B")
    (root / "loop").symlink_to(root)
    (root / "sub" / "up").symlink_to("..")
    (root / "link.json").symlink_to(root / "a.json")
    items = list(iter_items([str(root), str(root / "a.json"), str(root)]))
    assert sorted(Path(i.identity).name for i in items) == ["a.json", "b.json"]
    assert all(i.error is None for i in items)


def test_a_hard_link_is_the_same_file(tmp_path: Path) -> None:
    root = tmp_path / "in"
    _write(root / "a.json", "A")
    os.link(root / "a.json", root / "b.json")
    assert len(list(iter_items([str(root)]))) == 1


@pytest.mark.parametrize("name", ["pipe.json", "pipe.jsonl"])
def test_a_fifo_is_an_invalid_item_never_opened(tmp_path: Path, name: str) -> None:
    root = tmp_path / "in"
    _write(root / "a.json", "A")
    os.mkfifo(root / name)
    items = {Path(i.source).name: i for i in iter_items([str(root)])}
    assert items["a.json"].error is None
    assert "FIFO" in (items[name].error or "")


def test_a_device_named_is_an_invalid_item() -> None:
    (item,) = iter_items(["/dev/zero"])
    assert item.error and "device" in item.error


def test_an_unreadable_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "in"
    _write(root / "a.json", "A")
    (root / "locked").mkdir()
    real = os.listdir

    def listdir(path: str) -> list[str]:
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "listdir", listdir)
    errors = [i for i in iter_items([str(root)]) if i.error]
    assert len(errors) == 1 and "cannot read the folder" in (errors[0].error or "")
    assert errors[0].source.endswith("locked")


def test_an_overlong_jsonl_line_is_refused_without_holding_it(tmp_path: Path) -> None:
    from advisor.core.loading import MAX_INPUT_BYTES

    lines = tmp_path / "items.jsonl"
    good = json.dumps(answers_doc())
    lines.write_bytes(b"[" + b" " * (MAX_INPUT_BYTES + 10) + b"]\n" + good.encode() + b"\n")
    items = list(iter_items([str(lines)]))
    assert [i.source.rsplit(":", 1)[1] for i in items] == ["1", "2"]
    assert items[0].error and "longer than" in items[0].error
    assert items[1].data is not None and items[1].error is None


def test_names_follow_the_path_alone() -> None:
    first = ReportNamer(".md")
    second = ReportNamer(".md")
    a = first.name_for("acme", "/x/m/acme.json")
    second.name_for("acme", "/x/a/acme.json")  # another acme.json, listed first this time
    assert second.name_for("acme", "/x/m/acme.json") == a
    assert first.name_for("ACME", "/x/a/ACME.json") != a


def test_one_writer_per_output_folder(tmp_path: Path) -> None:
    with FolderLock(tmp_path), pytest.raises(InputError, match="another batch is writing"):
        FolderLock(tmp_path).acquire()
    with FolderLock(tmp_path):  # released: the next one gets it
        pass


def test_a_locked_folder_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / "in" / "a.json", "A")
    out = tmp_path / "out"
    out.mkdir()
    with FolderLock(out):
        assert main(["batch", str(tmp_path / "in"), "-o", str(out), "--no-progress"]) == 2
    assert "another batch is writing" in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_resume_compares_content(tmp_path: Path) -> None:
    src = _write(tmp_path / "in" / "acme.json", "Acme AAA")
    out = tmp_path / "out"
    argv = ["batch", str(src.parent), "-o", str(out), "--no-progress", "--jobs", "1",
            "--format", "json"]
    assert main(argv) == 0
    (report,) = [p for p in out.iterdir() if not p.name.startswith("summary")]
    stat = src.stat()
    src.write_text(src.read_text().replace("AAA", "BBB"))  # same size
    os.utime(src, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same time
    assert main(argv) == 0
    assert json.loads(report.read_text())["organization"] == "Acme BBB"
    before = report.stat().st_mtime_ns
    assert main(argv) == 0  # unchanged: not written again
    assert report.stat().st_mtime_ns == before
    from advisor.history.store import Store

    with Store.open() as store:
        assert store.count_assessments() == 2  # AAA, then BBB; the unchanged re-run adds none

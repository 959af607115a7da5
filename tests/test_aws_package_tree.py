"""The dependency tree `scc package` keeps beside its wheel cache: used as it is when its key
matches, made afresh without keeping it, and the only tree kept (the package test lays one out
afresh from the real wheels and compares it with the zip; here the installer is replaced so
the rules about the cache folder run in a moment). And the zip is a function of its files
alone."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from shipcaptaincrew import aws_package
from tests.lambda_task import HERE, PYTHON


def _installs_one_module(calls: list[Path]) -> object:
    def install(target: Path, **_: object) -> None:
        calls.append(target)
        (target / "harbour").mkdir(parents=True)
        (target / "harbour" / "__init__.py").write_text("TIDE = 'high'\n")

    return install


def test_a_kept_tree_is_used_without_installing_again(tmp_path: Path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    calls: list[Path] = []
    monkeypatch.setattr(aws_package, "install_dependencies", _installs_one_module(calls))
    first = aws_package.dependency_tree(arch=HERE, python=PYTHON, cache=cache)
    again = aws_package.dependency_tree(arch=HERE, python=PYTHON, cache=cache)
    assert first == again == cache / "trees" / aws_package.tree_key(arch=HERE, python=PYTHON)
    assert len(calls) == 1
    # the dependencies ship as bytecode beside their source (compiled for /var/task)
    assert (first / "harbour" / "__init__.pyc").is_file()


def test_a_tree_made_afresh_is_compiled_and_keeps_nothing(tmp_path: Path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    calls: list[Path] = []
    monkeypatch.setattr(aws_package, "install_dependencies", _installs_one_module(calls))
    made = tmp_path / "build" / "root"
    aws_package.make_tree(made, arch=HERE, python=PYTHON, cache=cache)
    assert calls == [made] and (made / "harbour" / "__init__.pyc").is_file()
    assert not (cache / "trees").exists()


def test_keeping_a_tree_drops_other_trees_and_what_dead_builds_left(
    tmp_path: Path, monkeypatch
) -> None:
    trees = tmp_path / "cache" / "trees"
    other = trees / ("0" * 32)
    dead = trees / "making-dead"
    running = trees / "making-running"
    for folder in (other, dead, running):
        (folder / "root").mkdir(parents=True)
    hour_and_more = os.stat(dead).st_mtime - aws_package.STALE_MAKING - 60
    os.utime(dead, (hour_and_more, hour_and_more))
    monkeypatch.setattr(aws_package, "install_dependencies", _installs_one_module([]))
    kept = aws_package.dependency_tree(arch=HERE, python=PYTHON, cache=tmp_path / "cache")
    assert sorted(p.name for p in trees.iterdir()) == sorted([kept.name, running.name])


@pytest.mark.parametrize("change", ["pins", "rules"])
def test_the_key_follows_the_pins_and_the_packaging_rules(monkeypatch, change: str) -> None:
    before = aws_package.tree_key(arch=HERE, python=PYTHON)
    if change == "pins":
        monkeypatch.setattr(aws_package, "pins", lambda: "fastapi==0.0.1\n")
    else:
        source = Path(aws_package.__file__).read_text(encoding="utf-8")
        monkeypatch.setattr(
            aws_package.Path, "read_text", lambda self, **_: source + "\n# changed\n"
        )
    assert aws_package.tree_key(arch=HERE, python=PYTHON) != before


def _tree(root: Path, files: dict[str, bytes], *, mode: int, mtime: int) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)
        os.utime(path, (mtime, mtime))
    return root


def test_the_zip_depends_on_its_files_alone(tmp_path: Path) -> None:
    files = {
        "shipcaptaincrew/__init__.py": b"VERSION = 1\n",
        "harbour/tide.py": b"HIGH = 1\n",
        "harbour/tide.pyc": b"\x00" * 64,
        "harbour/__init__.py": b"",
        "harbour/__init__.pyc": b"\x01" * 32,
        "harbour/data/chart.bin": bytes(range(256)) * 8,
    }
    first = _tree(tmp_path / "a", files, mode=0o600, mtime=1_700_000_000)
    # the same files made in the opposite order, with other permissions and times
    second = _tree(tmp_path / "b", dict(reversed(files.items())), mode=0o755, mtime=86_400)
    assert aws_package.write_zip(first, tmp_path / "a.zip") == 4
    assert aws_package.write_zip(second, tmp_path / "b.zip") == 4
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert zf.namelist() == [
            "harbour/__init__.pyc",
            "harbour/data/chart.bin",
            "harbour/tide.pyc",
            "shipcaptaincrew/__init__.py",
        ]
    other = {**files, "harbour/tide.pyc": b"\x02" * 64}
    aws_package.write_zip(_tree(tmp_path / "c", other, mode=0o600, mtime=0), tmp_path / "c.zip")
    assert (tmp_path / "c.zip").read_bytes() != (tmp_path / "a.zip").read_bytes()

"""Byte-identical output whatever the environment: hash seed, time zone, locale, listing order, path.

Builds run as separate processes with their own environment, as a
packager's would; the only date the output may carry is one from the
content or from ``SOURCE_DATE_EPOCH``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, SEED_PROJECT_FILES, tree_digest
from edition.config import load_config
from edition.pipeline import build

EXTRA = {  # more documents, so that the order of a folder listing could matter
    f"content/{name}.md": f"---\nid: {name}\nlang: {lang}\ntitle: {{{lang}: {name.title()}}}\n---\n"
                          f"A short note on {name}, citing [@kabyl2024, p. {n}].\n\nA second paragraph.\n"
    for n, (name, lang) in enumerate([("zhuz", "kk"), ("aul", "ru"), ("bai", "en"), ("sharua", "kk")], start=1)
}


def checkout(target: Path, reverse: bool = False) -> Path:
    """A copy of the project and of the generator's code, its files created in the given order."""
    target.mkdir(parents=True)
    items = [(PROJECT / name, target / name) for name in (*SEED_PROJECT_FILES, "edition")]
    for source, destination in (reversed(items) if reverse else items):
        if not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, destination)
    extras = sorted(EXTRA.items(), reverse=reverse)
    for name, text in extras:
        (target / name).write_text(text, encoding="utf-8")
    return target


def run(root: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PYTHONHASHSEED", "TZ", "LC_ALL", "LANG", "LC_CTYPE", "SOURCE_DATE_EPOCH")}
    environment.update(PYTHONPATH=str(root), **env)
    result = subprocess.run([sys.executable, "-m", "edition", "build", "--root", str(root), "--out", str(out),
                             "--quiet"], cwd=root, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def test_output_is_the_same_in_any_environment(tmp_path):
    one = checkout(tmp_path / "one")
    two = checkout(tmp_path / "a longer path with spaces and ünïcode" / "checkout two", reverse=True)
    run(one, one / "site", PYTHONHASHSEED="0", TZ="UTC", LC_ALL="C", SOURCE_DATE_EPOCH="1700000000")
    run(two, two / "site", PYTHONHASHSEED="4242", TZ="XYZ-14", LC_ALL="C.UTF-8", LANG="kk_KZ.UTF-8",
        SOURCE_DATE_EPOCH="1700000000")
    first, second = tree_digest(one / "site"), tree_digest(two / "site")
    assert first.keys() == second.keys()
    differing = sorted(path for path in first if first[path] != second[path])
    assert not differing, differing
    assert (one / "anchors.lock").read_bytes() == (two / "anchors.lock").read_bytes()
    for page in (one / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert str(one) not in text and str(tmp_path) not in text, f"{page} names the checkout's path"


class _Reversed:
    """``os.scandir``'s result in reverse order."""

    def __init__(self, entries: list[os.DirEntry[str]]):
        self.entries = iter(entries)

    def __iter__(self) -> "_Reversed":
        return self

    def __next__(self) -> os.DirEntry[str]:
        return next(self.entries)

    def __enter__(self) -> "_Reversed":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        return None


def test_output_does_not_depend_on_folder_listing_order(tmp_path, monkeypatch):
    one, two = checkout(tmp_path / "one"), checkout(tmp_path / "two")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(load_config(one, quiet=True))
    real_scandir, real_listdir = os.scandir, os.listdir

    def scandir(path=".") -> _Reversed:  # noqa: ANN001
        with real_scandir(path) as entries:
            return _Reversed(sorted(entries, key=lambda entry: entry.name, reverse=True))

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", lambda path=".": sorted(real_listdir(path), reverse=True))
    build(load_config(two, quiet=True))
    monkeypatch.undo()
    assert tree_digest(one / "site") == tree_digest(two / "site")


def _delete_a_paragraph(root: Path) -> None:
    path = root / "content" / "bai.md"
    path.write_text(path.read_text(encoding="utf-8").replace("\n\nA second paragraph.\n", "\n"), encoding="utf-8")


@pytest.mark.parametrize("tz", ["UTC", "XYZ-14", "ABC+12"])
def test_dates_come_from_source_date_epoch(tmp_path, tz):
    """A removed paragraph leaves a tombstone dated by SOURCE_DATE_EPOCH, in UTC whatever the time zone."""
    root = checkout(tmp_path / "p")
    run(root, root / "site", SOURCE_DATE_EPOCH="1700000000", TZ=tz)
    _delete_a_paragraph(root)
    run(root, root / "site", SOURCE_DATE_EPOCH="1700000000", TZ=tz)  # 2023-11-14T22:13:20Z
    page = (root / "site" / "bai" / "index.html").read_text(encoding="utf-8")
    assert 'data-removed="2023-11-14"' in page
    assert "2023-11-15" not in page and "2023-11-13" not in page


def test_without_changes_the_build_date_does_not_matter(tmp_path):
    one, two = checkout(tmp_path / "one"), checkout(tmp_path / "two")
    run(one, one / "site", SOURCE_DATE_EPOCH="0")
    run(two, two / "site", SOURCE_DATE_EPOCH="2000000000")
    assert tree_digest(one / "site") == tree_digest(two / "site")

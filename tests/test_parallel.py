"""Full builds in several processes give exactly what one process gives."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from edition import documents
from edition.anchors import ids
from test_incremental import clean_copy, make_project, run, tree

PARAGRAPH = "Paragraph {i} of {d}: the caravan crossed the {w} in the year {i} [@smith2001, p. {i}]."
WORDS = ("steppe", "border", "district", "river")


def many_documents(root: Path, count: int) -> Path:
    make_project(root)
    for d in range(count):
        body = "\n\n".join(PARAGRAPH.format(i=i, d=d, w=WORDS[(d + i) % 4]) for i in range(12))
        (root / "content" / f"essay-{d:02d}.md").write_text(
            f"---\nid: essay-{d:02d}\nlang: en\ntitle: {{en: Essay {d}}}\n---\n\n{body}\n", encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def test_two_processes_build_what_one_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # One-character ids: new ids collide all the time, so documents in different processes reach for
    # the same ones, and only choosing them in build order gives the one-process result.
    monkeypatch.setattr(ids, "ID_LENGTH", 1)
    monkeypatch.setattr(documents, "PARALLEL_FROM", 8)
    monkeypatch.setattr(documents, "START_METHOD", "fork")  # the workers must see the one-character ids
    # The processes also create the files of the search index and the downloads, four at a time at least.
    monkeypatch.setattr(documents.Workers, "FILES_AT_ONCE", 1)
    made: list[int] = []
    make_files = documents.Workers.make_files

    def counted(self, files):  # noqa: ANN001, ANN202
        found = make_files(self, files)
        made.append(len(found or ()))
        return found

    monkeypatch.setattr(documents.Workers, "make_files", counted)
    one = many_documents(tmp_path / "one", 30)
    two = clean_copy(one, tmp_path / "two")
    assert run(one, workers=1) == run(two, workers=2)
    assert tree(one / "site") == tree(two / "site")
    assert sum(made) >= 20, made  # files the processes created
    assert (one / "anchors.lock").read_bytes() == (two / "anchors.lock").read_bytes()
    # and again from the lock they wrote, as a fresh clone of the edition would
    for folder in (one, two):
        shutil.rmtree(folder / "site")
        shutil.rmtree(folder / ".edition-cache")
    assert run(one, workers=1) == run(two, workers=2)
    assert tree(one / "site") == tree(two / "site")


def test_pins_taken_twice_are_reported_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "PARALLEL_FROM", 8)
    one = many_documents(tmp_path / "one", 12)
    for d in (3, 9):  # two documents pin the same new id: the first in build order keeps it
        path = one / "content" / f"essay-{d:02d}.md"
        path.write_text(path.read_text(encoding="utf-8").replace(" [@smith2001, p. 4].", " [@smith2001, p. 4].\n{#p-shared}"),
                        encoding="utf-8")
    two = clean_copy(one, tmp_path / "two")
    outcome = run(one, workers=1)
    assert not outcome[0] and any("p-shared" in problem and "anchor-conflict" in problem for problem in outcome[1])
    assert run(two, workers=2) == outcome

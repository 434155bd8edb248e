"""Stable anchors through the whole build: edits keep ids, deletions leave tombstones that resolve."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import run_build
from edition.cli import main

DOC = "content/nomadic-migrants.md"
ARTICLE = "site/nomadic-migrants/index.html"


def _ids(root: Path) -> list[str]:
    return re.findall(r'<p id="(p-[a-z0-9-]+)"><a class="para-link"', (root / ARTICLE).read_text(encoding="utf-8"))


def _replace(root: Path, old: str, new: str) -> None:
    path = root / DOC
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_edits_keep_ids_and_deletions_resolve(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_build(project, capsys=capsys)[0] == 0
    before = _ids(project)
    page = (project / ARTICLE).read_text(encoding="utf-8")
    # Paragraph 2 is reworded, paragraph 3 is deleted, a new paragraph is inserted at the top.
    _replace(project, "One of the issues of", "One of the questions among the issues of")
    third = page.split(f'<p id="{before[2]}">', 1)[1].split("</a>", 1)[1][:40]
    text = (project / DOC).read_text(encoding="utf-8")
    start = text.index(third.split("&")[0][:30])
    end = text.index("\n\n", start)
    (project / DOC).write_text(text[:start] + text[end + 2:], encoding="utf-8")
    _replace(project, "## Introduction {#sec:introduction}\n", "## Introduction {#sec:introduction}\n\nA new opening paragraph.\n")
    assert run_build(project, capsys=capsys)[0] == 0
    after = _ids(project)
    assert after[1:3] == before[0:2], "unchanged and edited paragraphs keep their ids"
    assert after[3:] == before[3:]
    assert after[0] not in before
    page = (project / ARTICLE).read_text(encoding="utf-8")
    tombstone = re.search(rf'<span class="anchor-deleted" data-removed="[0-9-]+" id="{before[2]}">', page)
    assert tombstone, "the deleted paragraph's id still resolves"
    lock = (project / "anchors.lock").read_text(encoding="utf-8")
    assert re.search(rf"^deleted {before[2]} ", lock, re.M)


def test_pinned_id_wins(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (project / DOC).read_text(encoding="utf-8")
    paragraph_end = text.index("\n\n", text.index("One of the issues of"))
    (project / DOC).write_text(text[:paragraph_end] + "\n{#p-white-spots}" + text[paragraph_end:], encoding="utf-8")
    assert run_build(project, capsys=capsys)[0] == 0
    assert _ids(project)[1] == "p-white-spots"


def test_report_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_build(project, capsys=capsys)[0] == 0
    lock = (project / "anchors.lock").read_bytes()
    _replace(project, "One of the issues of", "One of the questions among the issues of")
    capsys.readouterr()
    assert main(["anchors", "--report", "--root", str(project)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"nomadic-migrants: edited +p-", out)
    assert (project / "anchors.lock").read_bytes() == lock

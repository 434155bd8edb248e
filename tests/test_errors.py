"""Bad input: every problem reported as path:line:col, exit 1, previous site untouched."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_build, tree_digest

DOC = "content/nomadic-migrants.md"


def _edit(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(root: Path, path: str, needle: str) -> int:
    text = (root / path).read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


@pytest.fixture
def built(project: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict[str, str]]:
    code, err = run_build(project, capsys=capsys)
    assert code == 0, err
    return project, tree_digest(project / "site")


def _fails_untouched(root: Path, before: dict[str, str], capsys: pytest.CaptureFixture[str]) -> str:
    code, err = run_build(root, capsys=capsys)
    assert code == 1, err
    assert "Traceback" not in err
    assert tree_digest(root / "site") == before, "the previous site must stay byte-identical"
    return err


def test_malformed_yaml(built, capsys):
    root, before = built
    _edit(root, DOC, 'volume: "11"', 'volume: [11')
    err = _fails_untouched(root, before, capsys)
    assert f"{DOC}:" in err and "error[yaml-syntax]" in err


def test_missing_required_field(built, capsys):
    root, before = built
    _edit(root, DOC, "lang: en\n", "")
    err = _fails_untouched(root, before, capsys)
    assert f"{DOC}:2:1: error[fm-missing]: missing required field 'lang'" in err


def test_unknown_language_code(built, capsys):
    root, before = built
    line = _line_of(root, DOC, "  ru: [Откочевка")
    _edit(root, DOC, "  ru: [Откочевка", "  xx: [Откочевка")
    err = _fails_untouched(root, before, capsys)
    assert f"{DOC}:{line}:3: error[fm-language]: unknown language code 'xx'" in err


def test_duplicate_document_id(built, capsys):
    root, before = built
    text = (root / DOC).read_text(encoding="utf-8")
    (root / "content/copy.md").write_text(text, encoding="utf-8")
    err = _fails_untouched(root, before, capsys)
    assert "content/nomadic-migrants.md:2:1: error[fm-duplicate-id]: document id 'nomadic-migrants' is already used by content/copy.md:2" in err


def test_every_error_is_reported(built, capsys):
    """Two documents, three mistakes: all three in one run, sorted by file."""
    root, before = built
    (root / "content/a.md").write_text("---\nid: Bad Id\nlang: xx\ntitle: {en: T}\n---\nText.\n", encoding="utf-8")
    (root / "content/b.md").write_text("---\nid: b\ntitle: {en: T}\n---\nText.\n", encoding="utf-8")
    err = _fails_untouched(root, before, capsys)
    lines = [line for line in err.splitlines() if ": error[" in line]
    assert [line.split(": error[")[0] for line in lines] == ["content/a.md:2:1", "content/a.md:3:1", "content/b.md:2:1"]


def test_unknown_citation_key_suggests(built, capsys):
    root, before = built
    line = _line_of(root, DOC, "[@kozybayev1991]")
    _edit(root, DOC, "[@kozybayev1991]", "[@kozybaev1991]")
    err = _fails_untouched(root, before, capsys)
    assert f"{DOC}:{line}:" in err
    assert "error[cite-unknown]: unknown citation key 'kozybaev1991' (did you mean kozybayev1991?)" in err


def test_entry_missing_a_field_the_style_prints(built, capsys):
    root, before = built
    line = _line_of(root, "bibliography.bib", "@misc{kozybayev1991,")
    _edit(root, "bibliography.bib", "  author       = {Kozybayev, M. K.},\n  shortauthor  = {Kozybayev},\n", "")
    err = _fails_untouched(root, before, capsys)
    assert (f"bibliography.bib:{line}:7: error[bib-field-missing]: entry 'kozybayev1991' has no title, "
            "which the journal style needs to print it") in err


def test_undefined_archive_siglum(built, capsys):
    root, before = built
    _edit(root, "content/registers/archival-units.yml", "archive: RSAE", "archive: RSEA")
    err = _fails_untouched(root, before, capsys)
    assert "content/registers/archival-units.yml:" in err and "undefined archive siglum 'RSEA' (did you mean RSAE?)" in err


def test_broken_cross_reference(built, capsys):
    root, before = built
    _edit(root, DOC, "## Conclusion {#sec:conclusion}\n", "## Conclusion {#sec:conclusion}\n\nSee @sec:resluts.\n")
    err = _fails_untouched(root, before, capsys)
    assert "error[xref-unknown]: unresolved cross-reference @sec:resluts (did you mean sec:results?)" in err


def test_output_dir_holding_foreign_files_is_refused(project, capsys, tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious", encoding="utf-8")
    code = run_build(project, "--out", str(foreign), capsys=capsys)[0]
    assert code == 1
    assert (foreign / "thesis.tex").read_text(encoding="utf-8") == "precious"


def test_output_dir_inside_content_is_refused(project, capsys):
    code, err = run_build(project, "--out", str(project / "content" / "site"), capsys=capsys)
    assert code == 1 and "error[output-dir]" in err


def test_document_id_of_a_site_page_is_refused(built, capsys):
    root, before = built
    _edit(root, DOC, "id: nomadic-migrants", "id: bibliography")
    err = _fails_untouched(root, before, capsys)
    assert f"{DOC}:2:1: error[fm-id]: document id 'bibliography' is the address of one of the site's own pages" in err

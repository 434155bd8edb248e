"""Citations end to end: the showcase's counts, backlinks across documents, styles, bad BibTeX."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import run_build, tree_digest

ARTICLE = "site/nomadic-migrants/index.html"


def _page(root: Path, path: str = ARTICLE) -> str:
    return (root / path).read_text(encoding="utf-8")


def test_every_citation_of_the_seed_article_resolves(built_showcase: Path) -> None:
    page = _page(built_showcase)
    body = page.split('<div class="document-body">', 1)[1].split('<section class="notes"', 1)[0]
    literature_groups = re.findall(r'<span class="citation">\(.*?</span>', body)
    note_refs = re.findall(r'<sup class="note-ref" id="noteref-(\d+)"><a href="#note-(\d+)"', body)
    assert len(literature_groups) == 17
    assert sum(group.count('class="cite"') for group in literature_groups) == 19
    assert len(note_refs) == 28 and all(a == b for a, b in note_refs)
    # each citation links to an entry present on the page, each note to a note with a back-link
    for key in set(re.findall(r'href="#ref-([^"]+)"', body)):
        assert f'<li id="ref-{key}">' in page
    for number, _ in note_refs:
        assert f'<li id="note-{number}">' in page and f'href="#noteref-{number}"' in page


def test_journal_style_as_printed(built_showcase: Path) -> None:
    page = _page(built_showcase)
    assert '(<a class="cite" href="#ref-kozybayev1991">Kozybayev, 1991</a>)' in page
    assert re.search(r'Omarbekov, 1994</a>; <a class="cite" href="#ref-omarbekov2018">Omarbekov, 2018</a>\)', page)
    assert "Davis, Wheatcroft, 2011</a>: 416)" in page


def test_variant_sigla_are_normalised_visibly(built_showcase: Path) -> None:
    notes = _page(built_showcase).split('<section class="notes"', 1)[1]
    for printed in ("ADPTO", "CSART", "ACH RT"):
        assert f"printed “{printed}”" in notes


def test_sources_page_lists_units_with_pages_and_backlinks(built_showcase: Path) -> None:
    sources = _page(built_showcase, "site/sources/index.html")
    unit = sources.split('<li id="unit-apdtr-15446-1">', 1)[1].split("</ul>", 1)[0]
    assert "file 15446, vol. 1" in unit
    assert re.search(r'href="\.\./nomadic-migrants/#p-[a-z0-9]+">.*?</a>: pp\. 262–272', unit)


def test_backlinks_across_two_documents(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "content/second.md").write_text(
        "---\nid: second\nlang: en\ntitle: {en: A second essay}\n---\n\n"
        "Kozybayev's study [@kozybayev1991, p. 12] and a file [@rsae-1652-336-248, p. 73].\n",
        encoding="utf-8")
    code, err = run_build(project, capsys=capsys)
    assert code == 0, err
    bibliography = _page(project, "site/bibliography/index.html")
    entry = bibliography.split('<li id="ref-kozybayev1991">', 1)[1].split("</li>", 1)[0]
    assert re.search(r'href="\.\./nomadic-migrants/#p-[a-z0-9]+"', entry)
    assert re.search(r'href="\.\./second/#p-[a-z0-9]+">A second essay, ¶&#8239;1 \(p\. 12\)', entry)
    sources = _page(project, "site/sources/index.html")
    unit = sources.split('<li id="unit-rsae-1652-336-248">', 1)[1].split("</ul>", 1)[0]
    assert "../second/#p-" in unit and "../nomadic-migrants/#p-" in unit


def test_second_style_is_chosen_in_edition_toml(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "edition.toml").write_text('[edition]\ncitation_style = "chicago"\n', encoding="utf-8")
    assert run_build(project, capsys=capsys)[0] == 0
    assert '(<a class="cite" href="#ref-kozybayev1991">Kozybayev 1991</a>)' in _page(project)


def test_unknown_style_is_an_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "edition.toml").write_text('citation_style = "apa"\n', encoding="utf-8")
    code, err = run_build(project, capsys=capsys)
    assert code == 1 and "error[config-style]: unknown citation style 'apa'" in err


@pytest.mark.parametrize("bibtex, expected", [
    ("@misc{kozybayev1991,\n  author = {X},\n  year = {1991}\n}\n", "error[bib-duplicate-key]"),
    ("@misc{broken,\n  author = {X,\n", "error[bib-syntax]"),
])
def test_bad_bibtex_fails_with_position_and_keeps_site(project: Path, capsys: pytest.CaptureFixture[str],
                                                       bibtex: str, expected: str) -> None:
    assert run_build(project, capsys=capsys)[0] == 0
    before = tree_digest(project / "site")
    with (project / "bibliography.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n" + bibtex)
    code, err = run_build(project, capsys=capsys)
    assert code == 1 and expected in err and "Traceback" not in err
    assert re.search(r"^bibliography\.bib:\d+:\d+: error\[", err, re.M)
    assert tree_digest(project / "site") == before


def test_bibtex_fields_cannot_inject_markup(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with (project / "bibliography.bib").open("a", encoding="utf-8") as bib:
        bib.write('\n@article{evil,\n  author = {Evil, <img src=x onerror=alert(1)>},\n'
                  '  title = {<script>alert(1)</script>},\n  journal = {J},\n  year = {2020},\n'
                  '  url = {javascript:alert(1)},\n  doi = {"><svg onload=alert(1)>}\n}\n')
    (project / "content/second.md").write_text(
        "---\nid: second\nlang: en\ntitle: {en: T}\n---\n\nSee [@evil].\n", encoding="utf-8")
    assert run_build(project, capsys=capsys)[0] == 0
    for page in ("site/second/index.html", "site/bibliography/index.html"):
        html = _page(project, page)
        assert "<script>alert" not in html and "<img src=x" not in html and "<svg" not in html
        assert 'href="javascript:' not in html


def test_per_entry_exports(built_showcase: Path) -> None:
    bibliography = _page(built_showcase, "site/bibliography/index.html")
    assert '<a href="../bibliography/isenov2022.bib" download>BIB</a>' in bibliography
    bib = (built_showcase / "site/bibliography/isenov2022.bib").read_text(encoding="utf-8")
    assert bib.lstrip().startswith("@article{isenov2022,")
    assert "TY  - JOUR" in (built_showcase / "site/bibliography/isenov2022.ris").read_text(encoding="utf-8")

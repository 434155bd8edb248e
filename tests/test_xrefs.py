"""Cross-references and internal links: labels, numbering, languages, backlinks, errors."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import run_build, tree_digest
from edition.extensions.positions import SourceCursor
from edition.parse import new_markdown
from tinyproject import document, page, tiny_project


FIGURE = "::: figure {#fig:map}\n![Routes of the migration](missing)\n:::\n\n"
TABLES = ("Table: Farms by district {#tbl:farms}\n\n| district | farms |\n| --- | --- |\n| Kazaly | 9650 |\n\n"
          "| year | camels |\n| --- | --- |\n| 1932 | 5000 |\n\nTable: Camels by year {#tbl:camels}\n\n")


def _build(tmp_path: Path, documents: dict[str, str], capsys: pytest.CaptureFixture[str]) -> Path:
    root = tiny_project(tmp_path / "project", documents)
    code, err = run_build(root, capsys=capsys)
    assert code == 0, err
    return root


# --- the Markdown extensions on their own ---------------------------------------------------

def test_table_caption_extension_before_after_and_between():
    md, ext = new_markdown()
    tables = ext["tables"]
    source = ("Table: First {#tbl:a}\n\n| x |\n| - |\n| 1 |\n\nTable: Between {#tbl:b}\n\n| y |\n| - |\n| 2 |\n\n"
              "| z |\n| - |\n| 3 |\n\nTable: After, with *emphasis*\n\n| w |\n| - |\n| 4 |\n")
    tables.cursor = SourceCursor(source, "doc.md", 5)
    root = md.to_tree(source)
    found = [(t.label, t.caption, t.position.line) for t in tables.tables]
    # "Between" sits between two tables: the table after it (before-caption) takes it.
    assert found == [("tbl:a", "First", 5), ("tbl:b", "Between", 11), (None, "After, with *emphasis*", 21)]
    html = md.to_html(root)
    assert '<table id="tbl:a"><caption>First</caption>' in html
    assert "<caption>After, with <em>emphasis</em></caption>" in html
    assert "Table:" not in html
    assert html.count("<table") == 4 and html.count("<caption>") == 3


def test_link_extension_records_internal_links_only():
    md, ext = new_markdown()
    links = ext["links"]
    source = ("See [here](#p-intro), [there](second.md), [exact](./second.md#p-x) and "
              "[web](https://example.org/a.md).\n\n"
              "A note[^1] and [an image file](figures/map.png).\n\n[^1]: Back to [the start](#p-intro).\n")
    links.cursor = SourceCursor(source, "doc.md", 3)
    md.to_tree(source)
    found = [(link.file, link.fragment, link.position.line, link.position.col) for link in links.links]
    # each at the first character of its address
    assert found == [(None, "p-intro", 3, 12), ("second.md", None, 3, 31), ("second.md", "p-x", 3, 51),
                     (None, "p-intro", 7, 27)]


# --- cross-references through the build ----------------------------------------------------

def test_every_reference_kind_is_labelled_and_numbered(tmp_path, capsys):
    body = ("## Results {#sec:results}\n\nAs @sec:results and @sec:methods show, see @fig:map, @tbl:farms "
            "and [@tbl:camels].\n\n" + FIGURE + TABLES + "## 2. Methods {#sec:methods}\n\nText.\n")
    root = _build(tmp_path, {"a.md": document("a", body)}, capsys)
    html = page(root, "a")
    assert '<a class="xref" href="#sec:results">Results</a>' in html
    assert '<a class="xref" href="#sec:methods">Section 2</a>' in html  # numbered heading: its number
    assert '<a class="xref" href="#fig:map">Figure 1</a>' in html
    assert '<a class="xref" href="#tbl:farms">Table 1</a>' in html
    assert '<a class="xref" href="#tbl:camels">Table 2</a>' in html
    assert re.search(r'<table id="tbl:farms"><caption[^>]*>.*?Farms by district', html, re.S)
    assert re.search(r'<table id="tbl:camels"><caption[^>]*>.*?Camels by year', html, re.S)


def test_figures_and_tables_are_numbered_per_document(tmp_path, capsys):
    two = FIGURE.replace("fig:map", "fig:second")
    body = FIGURE + two + "See @fig:map and @fig:second.\n"
    root = _build(tmp_path, {"a.md": document("a", body), "b.md": document("b", two + "See @fig:second.\n")}, capsys)
    assert ">Figure 1</a> and <a class=\"xref\" href=\"#fig:second\">Figure 2</a>" in page(root, "a")
    assert '<a class="xref" href="#fig:second">Figure 1</a>' in page(root, "b")


@pytest.mark.parametrize(("lang", "figure", "table", "section", "referenced"), [
    ("kk", "Сурет 1", "Кесте 1", "3-бөлім", "Мәтіндегі сілтемелер:"),
    ("ru", "Рисунок 1", "Таблица 1", "Раздел 3", "Ссылки в тексте:"),
])
def test_labels_follow_the_document_language(tmp_path, capsys, lang, figure, table, section, referenced):
    body = "## 3. Тарау {#sec:three}\n\n" + FIGURE + TABLES + "Қараңыз @fig:map, @tbl:farms, @sec:three.\n"
    root = _build(tmp_path, {"doc.md": document("doc", body, lang=lang)}, capsys)
    html = page(root, "doc")
    assert f'href="#fig:map">{figure}</a>' in html
    assert f'href="#tbl:farms">{table}</a>' in html
    assert f'href="#sec:three">{section}</a>' in html
    assert f'<p class="referenced-in">{referenced} <a' in html


def test_targets_list_the_paragraphs_that_refer_to_them(tmp_path, capsys):
    body = ("## Results {#sec:results}\n\nFirst mention of @fig:map.\n\n" + FIGURE + TABLES +
            "Second mention of @fig:map and of @tbl:farms, @sec:results.\n\nNo reference here.\n")
    root = _build(tmp_path, {"a.md": document("a", body)}, capsys)
    html = page(root, "a")
    first = re.search(r'<p id="(p-[a-z0-9]+)">[^\n]*First mention', html)[1]
    second = re.search(r'<p id="(p-[a-z0-9]+)">[^\n]*Second mention', html)[1]
    figure = html.split('<figure class="figure" id="fig:map">', 1)[1].split("</figure>", 1)[0]
    line = re.search(r'<figcaption>.*<p class="referenced-in">Referenced in (.*?)</p>\s*</figcaption>', figure, re.S)
    assert line, figure
    assert re.fullmatch(rf'<a href="#{first}">¶\u202f1</a>, <a href="#{second}">¶\u202f\d+</a>', line[1])
    table = html.split('<table id="tbl:farms">', 1)[1].split("</caption>", 1)[0]
    assert f'<p class="referenced-in">Referenced in <a href="#{second}">' in table
    heading = html.split('<h2 id="sec:results">Results</h2>', 1)[1].lstrip()
    assert heading.startswith(f'<p class="referenced-in">Referenced in <a href="#{second}">')
    # the line is not a paragraph of the text: it has no anchor and no ¶ number
    assert html.count('<p class="referenced-in">') == 3
    assert not re.search(r'class="referenced-in"[^>]*id=|<p id="[^"]*"><a class="para-link"[^>]*>[^<]*</a>Referenced', html)


# --- links ------------------------------------------------------------------------------------

def test_paragraph_and_cross_document_links(tmp_path, capsys):
    first = document("first", "Opening words.\n{#p-opening}\n\nBack to [the opening](#p-opening); "
                     "on to [the second](second.md) and [its start](second.md#p-start).\n")
    second = document("second", "Start here.\n{#p-start}\n\nSee [the first](first.md#p-opening).\n")
    root = _build(tmp_path, {"first.md": first, "second.md": second}, capsys)
    html = page(root, "first")
    assert '<a href="#p-opening">the opening</a>' in html
    assert '<a href="../second/">the second</a>' in html
    assert '<a href="../second/#p-start">its start</a>' in html
    assert '<a href="../first/#p-opening">the first</a>' in page(root, "second")


def test_link_to_a_removed_paragraph_still_resolves_through_its_tombstone(tmp_path, capsys):
    second = document("second", "A paragraph that will be removed later on.\n\n"
                      "A paragraph that stays where it is, for good.\n")
    root = _build(tmp_path, {"first.md": document("first", "Nothing yet.\n"), "second.md": second}, capsys)
    old = re.search(r'<p id="(p-[a-z0-9]+)">[^\n]*removed later', page(root, "second"))[1]
    (root / "content/second.md").write_text(document("second", "A paragraph that stays where it is, for good.\n"),
                                            encoding="utf-8")
    (root / "content/first.md").write_text(document("first", f"See [the old place](second.md#{old}).\n"),
                                           encoding="utf-8")
    code, err = run_build(root, capsys=capsys)
    assert code == 0, err
    assert f'id="{old}"' in page(root, "second")
    assert f'<a href="../second/#{old}">the old place</a>' in page(root, "first")


# --- errors -----------------------------------------------------------------------------------

@pytest.fixture
def built(tmp_path, capsys):
    first = document("first", "Opening words.\n{#p-opening}\n\n## Results {#sec:results}\n\n" + FIGURE +
                     "See @sec:results and @fig:map.\n")
    second = document("second", "Start here.\n{#p-start}\n")
    root = _build(tmp_path, {"first.md": first, "second.md": second}, capsys)
    return root, tree_digest(root / "site")


def _fails(root: Path, before: dict[str, str], capsys) -> str:
    code, err = run_build(root, capsys=capsys)
    assert code == 1, err
    assert "Traceback" not in err
    assert tree_digest(root / "site") == before, "the previous site must stay byte-identical"
    return err


def _append(root: Path, name: str, text: str) -> int:
    """Append text to a document; return the line number of its first line."""
    path = root / "content" / name
    old = path.read_text(encoding="utf-8")
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1


def test_unresolved_cross_reference(built, capsys):
    root, before = built
    line = _append(root, "first.md", "\nSee @fig:mpa.\n")
    err = _fails(root, before, capsys)
    assert (f"content/first.md:{line + 1}:5: error[xref-unknown]: unresolved cross-reference @fig:mpa "
            "(did you mean fig:map?)") in err


def test_duplicate_label(built, capsys):
    root, before = built
    line = _append(root, "first.md", "\n" + FIGURE)
    err = _fails(root, before, capsys)
    assert f"content/first.md:{line + 1}:12: error[xref-duplicate]: duplicate label 'fig:map'" in err


def test_link_to_a_missing_document(built, capsys):
    root, before = built
    line = _append(root, "first.md", "\nSee [the other](secnod.md).\n")
    err = _fails(root, before, capsys)
    assert (f"content/first.md:{line + 1}:17: error[link-document]: link to 'secnod.md', which is not a "
            "document in content/ (did you mean second.md?)") in err


@pytest.mark.parametrize(("href", "where"), [("second.md#p-strat", "document 'second'"),
                                             ("#p-openign", "this document")])
def test_link_to_a_missing_anchor(built, capsys, href, where):
    root, before = built
    line = _append(root, "first.md", f"\nSee [there]({href}).\n")
    err = _fails(root, before, capsys)
    fragment = href.split("#")[1]
    suggestion = "p-start" if "second" in href else "p-opening"
    assert (f"content/first.md:{line + 1}:13: error[link-anchor]: link to #{fragment}, which {where} "
            f"does not have (did you mean {suggestion}?)") in err

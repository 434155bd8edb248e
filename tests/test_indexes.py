"""Indexes of persons, places and organisations: terms, registers, register pages, errors."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import run_build, tree_digest
from edition.extensions.positions import SourceCursor
from edition.parse import new_markdown
from tinyproject import document, page, tiny_project

PERSONS = """persons:
  - key: aldabergenov
    name: {en: "Aldabergenov, Serikul"}
    variants: [Aldabergnov]
    description: Organiser of the migration.
  - key: kozhanov
    name: {en: "Kozhanov, Sultanbek", kk: "Қожанов, Сұлтанбек"}
    editorial: [name.kk]
"""
PLACES = """places:
  - key: tashkent
    name: {en: Tashkent}
    coordinates: {lat: 41.30, lon: 69.24}
    editorial: [coordinates]
"""
ORGANISATIONS = """organisations:
  - key: soyuztrans
    name: {en: Soyuztrans}
"""
FIRST = ("## In [Tashkent]{.place key=tashkent} {#sec:tashkent}\n\n"
         "[Serikul Aldabergenov]{.person key=aldabergenov} went to [Tashkent]{.place key=tashkent} "
         "to see [S. Kozhanov]{.person key=kozhanov}.\n\n"
         "Later [Serikul]{.person key=aldabergenov} worked with [Soyuztrans]{.org key=soyuztrans}.\n")
SECOND = "In the second essay, [S. Aldabergnov]{.person key=aldabergenov} again.\n"


def indexed_project(root: Path, documents: dict[str, str] | None = None, **registers: str) -> Path:
    root = tiny_project(root, documents or {"first.md": document("first", FIRST, title="First essay"),
                                            "second.md": document("second", SECOND, title="Second essay")})
    folder = root / "content" / "registers"
    folder.mkdir()
    texts = {"persons": PERSONS, "places": PLACES, "organisations": ORGANISATIONS, **registers}
    for name, text in texts.items():
        (folder / f"{name}.yml").write_text(text, encoding="utf-8")
    return root


def _build(root: Path, capsys, *args: str) -> str:
    code, err = run_build(root, *args, capsys=capsys)
    assert code == 0, err
    return err


def register(root: Path, slug: str) -> str:
    return (root / "site" / slug / "index.html").read_text(encoding="utf-8")


# --- the Markdown extension on its own --------------------------------------------------------

def test_index_term_extension_records_kind_key_and_position():
    md, ext = new_markdown()
    terms = ext["index_terms"]
    source = ("Intro.\n\n[Serikul *Aldabergenov*]{.person key=aldabergenov} met\n[Tashkent]{.place key=\"tashkent\"} "
              "people, and [small caps]{.smallcaps} stay as written.\n")
    terms.cursor = SourceCursor(source, "doc.md", 10)
    html = md.to_html(md.to_tree(source))
    found = [(t.kind, t.key, t.text, t.position.line, t.position.col) for t in terms.terms]
    assert found == [("person", "aldabergenov", "Serikul *Aldabergenov*", 12, 1),
                     ("place", "tashkent", "Tashkent", 13, 1)]
    assert ('<span class="index-term person" data-key="aldabergenov">Serikul <em>Aldabergenov</em></span>'
            in html)
    assert '<span class="index-term place" data-key="tashkent">Tashkent</span>' in html
    assert "[small caps]{.smallcaps}" in html


def test_index_terms_and_citations_share_one_paragraph():
    md, ext = new_markdown()
    source = ('[Serikul Aldabergenov]{.person key=aldabergenov} testified [@apdtr-15446-1, p. 29]'
              '{printed="(APDTR. F. 15446. Vol. 1. P. 29)"}, as @kozybayev1991 notes of '
              '[Kozhanov]{.person key=kozhanov} [see @tatimov1993, p. 5].\n')
    html = md.to_html(md.to_tree(source))
    assert [(t.kind, t.key) for t in ext["index_terms"].terms] == [("person", "aldabergenov"), ("person", "kozhanov")]
    cited = sorted((c.group.position.col, c.group.items[0].key) for c in ext["citations"].citations)
    assert [key for _, key in cited] == ["apdtr-15446-1", "kozybayev1991", "tatimov1993"]
    assert ext["citations"].citations[0].group.printed == "(APDTR. F. 15446. Vol. 1. P. 29)"
    assert html.count('class="citation"') == 3 and html.count('class="index-term person"') == 2
    assert "printed" not in html and "{" not in html


# --- through the build ----------------------------------------------------------------------

def test_terms_link_to_their_register_entries(tmp_path, capsys):
    root = indexed_project(tmp_path / "p")
    _build(root, capsys)
    html = page(root, "first")
    assert ('<span class="index-term person" data-key="aldabergenov"><a href="../persons/#aldabergenov">'
            "Serikul Aldabergenov</a></span>") in html
    assert '<a href="../places/#tashkent">Tashkent</a>' in html
    places = register(root, "places").split('<li id="tashkent">', 1)[1].split("</li>", 1)[0]
    assert '<a href="../first/#sec:tashkent">§</a>' in places  # a mention in a heading links to the heading
    assert '<a href="../organisations/#soyuztrans">Soyuztrans</a>' in html
    for slug in ("persons", "places", "organisations"):
        assert f'href="../{slug}/"' in html, "the registers are in the site navigation"


def test_an_entry_links_back_to_every_paragraph_of_every_document(tmp_path, capsys):
    root = indexed_project(tmp_path / "p")
    _build(root, capsys)
    first = re.findall(r'<p id="(p-[a-z0-9]+)">', page(root, "first"))
    second = re.findall(r'<p id="(p-[a-z0-9]+)">', page(root, "second"))
    entry = register(root, "persons").split('<li id="aldabergenov">', 1)[1].split("</li>", 1)[0]
    links = re.findall(r'<a href="\.\./([a-z]+)/(#p-[a-z0-9]+)?">([^<]*)</a>', entry)
    assert links == [("first", "", "First essay"), ("first", f"#{first[0]}", "¶&#8239;1"),
                     ("first", f"#{first[1]}", "¶&#8239;2"),
                     ("second", "", "Second essay"), ("second", f"#{second[0]}", "¶&#8239;1")]
    assert "Also spelled in the source: <span lang=\"en\">Aldabergnov</span>" in entry


def test_register_page_is_alphabetical_with_kazakh_letters(tmp_path, capsys):
    names = ["Ілияс", "Бекова", "Әбенов", "Ыбырай", "Аманов", "Omarbekov", "Ёлкин", "Ерлан", "Қасым", "Кемел"]
    persons = "persons:\n" + "".join(f"  - key: p{i}\n    name: {{kk: {name}}}\n" for i, name in enumerate(names))
    body = " ".join(f"[{name}]{{.person key=p{i}}}" for i, name in enumerate(names)) + "\n"
    root = indexed_project(tmp_path / "p", {"a.md": document("a", body, lang="kk")}, persons=persons,
                           places="places: []\n", organisations="organisations: []\n")
    _build(root, capsys)
    html = register(root, "persons")
    shown = re.findall(r'<span class="register-name" lang="kk">([^<]+)</span>', html)
    assert shown == ["Omarbekov", "Аманов", "Әбенов", "Бекова", "Ерлан", "Ёлкин", "Кемел", "Қасым", "Ыбырай", "Ілияс"]


def test_names_carry_their_language_and_editorial_marks(tmp_path, capsys):
    root = indexed_project(tmp_path / "p")
    _build(root, capsys)
    entry = register(root, "persons").split('<li id="kozhanov">', 1)[1].split("</li>", 1)[0]
    assert '<span class="register-name" lang="en">Kozhanov, Sultanbek</span>' in entry
    assert '<span lang="kk">Қожанов, Сұлтанбек</span> <span class="editorial-mark">[editorial]</span>' in entry
    places = register(root, "places")
    assert "41.30° N, 69.24° E <span class=\"editorial-mark\">[editorial]</span>" in places


# --- errors -----------------------------------------------------------------------------------

@pytest.fixture
def built(tmp_path, capsys):
    root = indexed_project(tmp_path / "p")
    _build(root, capsys)
    return root, tree_digest(root / "site")


def _fails(root: Path, before: dict[str, str], capsys, *args: str) -> str:
    code, err = run_build(root, *args, capsys=capsys)
    assert code == 1, err
    assert "Traceback" not in err
    assert tree_digest(root / "site") == before, "the previous site must stay byte-identical"
    return err


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unknown_key_is_reported_with_a_suggestion(built, capsys):
    root, before = built
    _edit(root, "content/first.md", "key=kozhanov", "key=kozhanvo")
    err = _fails(root, before, capsys)
    assert ("content/first.md:9:97: error[index-key]: unknown person key 'kozhanvo' "
            "(did you mean kozhanov?)") in err


def test_key_of_another_register_names_the_right_kind(built, capsys):
    root, before = built
    _edit(root, "content/first.md", "{.place key=tashkent}", "{.person key=tashkent}")
    err = _fails(root, before, capsys)
    assert ("error[index-key]: unknown person key 'tashkent' ('tashkent' is in the places register: "
            "write .place)") in err


def test_unknown_kind_is_reported(built, capsys):
    root, before = built
    _edit(root, "content/second.md", "{.person key=aldabergenov}", "{.persno key=aldabergenov}")
    err = _fails(root, before, capsys)
    assert "content/second.md:7:22: error[index-kind]: unknown index term kind '.persno' (did you mean person?)" in err


def test_register_mistakes_are_reported_where_they_are_written(built, capsys):
    root, before = built
    _edit(root, "content/registers/places.yml", "lat: 41.30", "lat: 141.30")
    _edit(root, "content/registers/persons.yml", "  - key: kozhanov\n", "  - key: aldabergenov\n")
    (root / "content/registers/places.yml").write_text(
        (root / "content/registers/places.yml").read_text(encoding="utf-8")
        + "routes:\n  - places: [tashkent, samarkand]\n    source: nowhere\n", encoding="utf-8")
    err = _fails(root, before, capsys)
    assert "content/registers/places.yml:4:19: error[register-coordinates]: coordinates out of range" in err
    assert ("content/registers/persons.yml:6:5: error[register-duplicate]: person 'aldabergenov' is already "
            "defined at line 2") in err
    assert "content/registers/places.yml:7:24: error[register-route]: route through undefined place 'samarkand'" in err


def test_unused_entry_warns_and_fails_only_when_strict(built, capsys):
    root, before = built
    _edit(root, "content/registers/organisations.yml", "    name: {en: Soyuztrans}\n",
          "    name: {en: Soyuztrans}\n  - key: vakhshstroy\n    name: {en: Vakhshstroy}\n")
    err = _build(root, capsys)
    warning = ("content/registers/organisations.yml:4:5: warning[register-unused]: organisation 'vakhshstroy' "
               "is never mentioned in the text")
    assert warning in err
    after = tree_digest(root / "site")
    err = _fails(root, after, capsys, "--strict")
    assert warning in err


# --- the showcase -----------------------------------------------------------------------------

def test_showcase_registers_are_complete_and_used(project, capsys):
    """Every annotated key is defined, every entry is mentioned: the seed builds with --strict."""
    _build(project, capsys, "--strict")
    persons = register(project, "persons")
    for key in ("aldabergenov", "kozhanov", "khadzhibaev", "isaev", "ibadullaev", "shopanov", "tokayev"):
        assert f'<li id="{key}">' in persons
    khadzhibaev = persons.split('<li id="khadzhibaev">', 1)[1].split("</li>", 1)[0]
    assert "Khadzhibayev" in khadzhibaev and "Khodzhibaev" in khadzhibaev
    article = page(project, "nomadic-migrants")
    for slug, key in (("persons", "broido"), ("places", "korgantobe"), ("organisations", "soyuztrans")):
        assert f'href="../{slug}/#{key}"' in article

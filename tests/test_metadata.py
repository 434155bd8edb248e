"""Citation metadata on document pages, language versions of site pages, sitemap and robots.txt."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest

from conftest import copy_project, run_build

BASE = "https://edition.example.org/"
HTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The showcase with its address configured, as a published edition has."""
    root = copy_project(tmp_path_factory.mktemp("published"))
    (root / "edition.toml").write_text(f'base_url = "{BASE}"\n', encoding="utf-8")
    assert run_build(root)[0] == 0
    return root / "site"


def parse(path: Path) -> ET.Element:
    return html5lib.parse(path.read_text(encoding="utf-8"), namespaceHTMLElements=True)


def metas(tree: ET.Element) -> list[tuple[str, str]]:
    return [(m.get("name"), m.get("content")) for m in tree.iter(f"{HTML}meta") if m.get("name")]


def test_highwire_tags(published: Path) -> None:
    tags = metas(parse(published / "nomadic-migrants" / "index.html"))
    names = [name for name, _ in tags]
    value = dict(tags)
    assert value["citation_title"] == "Nomadic migrants – victims of political repressions"
    assert [v for n, v in tags if n == "citation_author"] == ["Kabyl, A. A.", "Tursun, Kh. M.", "Abikey, A. M."]
    assert value["citation_publication_date"] == "2024"
    assert value["citation_journal_title"] == "edu.e-history.kz"
    assert (value["citation_volume"], value["citation_issue"]) == ("11", "2")
    assert (value["citation_firstpage"], value["citation_lastpage"]) == ("361", "372")
    assert value["citation_doi"] == "10.51943/2710-3994_2024_11_2_361-372"
    assert value["citation_language"] == "en"
    assert value["citation_abstract_html_url"] == f"{BASE}nomadic-migrants/"
    assert value["citation_abstract"].startswith("Introduction. The article presents")
    assert "<" not in value["citation_abstract"]
    assert "citation_keywords" in names
    assert "citation_pdf_url" not in names  # the edition has no PDF of the article


def test_dublin_core(published: Path) -> None:
    tree = parse(published / "nomadic-migrants" / "index.html")
    tags = metas(tree)
    value = dict(tags)
    assert any(link.get("rel") == "schema.DC" for link in tree.iter(f"{HTML}link"))
    assert value["DC.title"].startswith("Nomadic migrants")
    assert len([n for n, _ in tags if n == "DC.creator"]) == 3
    identifiers = [v for n, v in tags if n == "DC.identifier"]
    assert "https://doi.org/10.51943/2710-3994_2024_11_2_361-372" in identifiers
    assert f"{BASE}nomadic-migrants/" in identifiers
    assert value["DC.language"] == "en" and value["DC.date"] == "2024"


def test_schema_org_json_ld(published: Path) -> None:
    tree = parse(published / "nomadic-migrants" / "index.html")
    scripts = [s.text for s in tree.iter(f"{HTML}script") if s.get("type") == "application/ld+json"]
    assert len(scripts) == 1
    article = json.loads(scripts[0])
    assert article["@type"] == "ScholarlyArticle"
    assert article["headline"].startswith("Nomadic migrants")
    assert [a["name"] for a in article["author"]] == ["A. A. Kabyl", "Kh. M. Tursun", "A. M. Abikey"]
    assert article["identifier"] == {"@type": "PropertyValue", "propertyID": "DOI",
                                     "value": "10.51943/2710-3994_2024_11_2_361-372"}
    issue = article["isPartOf"]
    assert issue["@type"] == "PublicationIssue" and issue["issueNumber"] == "2"
    assert issue["isPartOf"]["volumeNumber"] == "11"
    assert issue["isPartOf"]["isPartOf"] == {"@type": "Periodical", "name": "edu.e-history.kz"}
    assert (article["pageStart"], article["pageEnd"]) == ("361", "372")
    assert article["url"] == f"{BASE}nomadic-migrants/"
    assert article["alternativeHeadline"].startswith("Откочевники")


def test_json_ld_cannot_close_its_script(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    source = root / "content" / "nomadic-migrants.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace('  en: "Nomadic migrants', '  en: "</script><b>x</b> Nomadic migrants', 1),
                      encoding="utf-8")
    assert run_build(root)[0] == 0
    page = (root / "site" / "nomadic-migrants" / "index.html").read_text(encoding="utf-8")
    ld = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "\\u003c/script>" in ld and json.loads(ld)["headline"].startswith("</script>")


def test_without_base_url_no_absolute_addresses(built_showcase: Path) -> None:
    site = built_showcase / "site"
    tree = parse(site / "nomadic-migrants" / "index.html")
    assert "citation_abstract_html_url" not in dict(metas(tree))
    assert not [link for link in tree.iter(f"{HTML}link") if link.get("rel") == "canonical"]
    assert not (site / "sitemap.xml").exists()
    assert (site / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nAllow: /\n"


def test_site_pages_in_every_language(built_showcase: Path) -> None:
    site = built_showcase / "site"
    for page in ("index.html", "bibliography/index.html", "sources/index.html", "about/index.html",
                 "how-to-cite/index.html", "search/index.html", "404.html"):
        for lang, prefix in (("en", ""), ("kk", "kk/"), ("ru", "ru/")):
            tree = parse(site / f"{prefix}{page}")
            assert tree.get("lang") == lang, (prefix, page)
            alternates = {link.get("hreflang") for link in tree.iter(f"{HTML}link") if link.get("rel") == "alternate"}
            assert alternates == {"en", "kk", "ru", "x-default"}, (prefix, page)


def test_interface_follows_the_page_language(built_showcase: Path) -> None:
    site = built_showcase / "site"
    kk = (site / "kk" / "bibliography" / "index.html").read_text(encoding="utf-8")
    ru = (site / "ru" / "search" / "index.html").read_text(encoding="utf-8")
    en = (site / "bibliography" / "index.html").read_text(encoding="utf-8")
    assert "Іздеу" in kk and "Search the edition" not in kk
    assert "Поиск" in ru and ">Search<" not in ru
    assert "Search the edition" in en
    # exports of the bibliography are written once and linked from every language
    assert '../../bibliography/' in kk


def language_of(element: ET.Element, parents: dict[ET.Element, ET.Element]) -> str | None:
    while element is not None:
        if element.get("lang"):
            return element.get("lang")
        element = parents.get(element)
    return None


def test_document_titles_carry_their_language_on_other_language_pages(built_showcase: Path) -> None:
    """WCAG 3.1.2: an English title quoted on a Kazakh or Russian page is marked as English."""
    site = built_showcase / "site"
    title = "Nomadic migrants – victims of political repressions"
    checked = 0
    for lang in ("kk", "ru"):
        for page in sorted((site / lang).rglob("index.html")):
            tree = parse(page)
            parents = {child: parent for parent in tree.iter() for child in parent}
            for element in tree.iter():
                if (element.text or "").strip().startswith(title):
                    assert language_of(element, parents) == "en", (page, ET.tostring(element, encoding="unicode"))
                    checked += 1
    assert checked >= 40  # backlinks of the bibliography, the sources and the registers, in two languages


def test_sitemap_and_robots(published: Path) -> None:
    robots = (published / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE}sitemap.xml" in robots
    tree = ET.parse(published / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = [u.findtext("s:loc", namespaces=ns) for u in tree.getroot().findall("s:url", ns)]
    assert f"{BASE}nomadic-migrants/" in urls
    assert {f"{BASE}", f"{BASE}kk/", f"{BASE}ru/", f"{BASE}kk/how-to-cite/"} <= set(urls)
    assert not [u for u in urls if "404" in u or "pagefind" in u]
    assert all(u.startswith(BASE) for u in urls)
    home = next(u for u in tree.getroot().findall("s:url", ns) if u.findtext("s:loc", namespaces=ns) == BASE)
    assert {(l.get("hreflang"), l.get("href")) for l in home.findall("x:link", ns)} == {
        ("en", BASE), ("kk", f"{BASE}kk/"), ("ru", f"{BASE}ru/"), ("x-default", BASE)}


def test_canonical_and_absolute_alternates(published: Path) -> None:
    tree = parse(published / "kk" / "sources" / "index.html")
    links = {(l.get("rel"), l.get("hreflang")): l.get("href") for l in tree.iter(f"{HTML}link")}
    assert links[("canonical", None)] == f"{BASE}kk/sources/"
    assert links[("alternate", "ru")] == f"{BASE}ru/sources/"


def test_malformed_base_url_is_an_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "edition.toml").write_text('base_url = "edition.example.org"\n', encoding="utf-8")
    code, err = run_build(project, capsys=capsys)
    assert code == 1 and "base_url must be an http" in err


def test_search_bundle_per_language(built_showcase: Path) -> None:
    bundles = built_showcase / "site" / "pagefind"
    assert json.loads((bundles / "languages.json").read_text(encoding="utf-8")) == ["en", "kk", "ru"]
    for lang in ("en", "kk", "ru"):
        entry = json.loads((bundles / lang / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert list(entry["languages"]) == [lang]
    assert not list(bundles.rglob("pagefind-ui*"))
    assert not re.search(r"_search|unit=", (built_showcase / "site" / "index.html").read_text(encoding="utf-8"))


def test_document_interface_follows_its_language(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    source = root / "content" / "nomadic-migrants.md"
    source.write_text(source.read_text(encoding="utf-8").replace("\nlang: en\n", "\nlang: ru\n", 1), encoding="utf-8")
    assert run_build(root)[0] == 0
    page = (root / "site" / "nomadic-migrants" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ru">' in page
    assert "Как цитировать" in page and "How to cite" not in page
    assert 'href="../ru/bibliography/"' in page  # the navigation leads to the Russian site pages
    assert "т. 11, № 2, с. 361–372" in page
    tags = dict(metas(parse(root / "site" / "nomadic-migrants" / "index.html")))
    assert tags["citation_title"].startswith("Откочевники") and tags["citation_language"] == "ru"

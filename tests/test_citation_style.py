"""Citation styles: each citation form → the text a reader sees, for both styles."""
from __future__ import annotations

from pathlib import Path

import pytest

from edition.citations.bibliography import Bibliography, load_bibliography
from edition.citations.style import CitationPart, UnknownStyleError, get_style, style_names
from edition.citations.syntax import CitationGroup, CitationItem, Locator
from edition.diagnostics import SourcePosition

FIXTURES = Path(__file__).parent / "fixtures" / "bib"
HERE = SourcePosition("t.md")


@pytest.fixture(scope="module")
def draft() -> Bibliography:
    bibliography, problems = load_bibliography(FIXTURES / "bibliography-draft.bib", "bibliography.bib")
    assert problems == []
    return bibliography


@pytest.fixture(scope="module")
def styles_bib() -> Bibliography:
    bibliography, problems = load_bibliography(FIXTURES / "styles.bib", "styles.bib")
    assert problems == []
    return bibliography


def item(key: str, page: str | None = None, **kwargs) -> CitationItem:
    return CitationItem(key=key, locator=Locator("page", page) if page else None, **kwargs)


def group(*items: CitationItem, narrative: bool = False) -> CitationGroup:
    return CitationGroup(items=items, position=HERE, narrative=narrative)


def text(parts: tuple[CitationPart, ...]) -> str:
    return "".join(part.text for part in parts)


DRAFT_CASES = [
    # (citation, journal, chicago)
    (group(item("kozybayev1991")), "(Kozybayev, 1991)", "(Kozybayev 1991)"),
    (group(item("davies2011", "416")), "(Davis, Wheatcroft, 2011: 416)", "(Davies and Wheatcroft 2011, 416)"),
    (group(item("omarbekov1994"), item("omarbekov2018")),
     "(Omarbekov, 1994; Omarbekov, 2018)", "(Omarbekov 1994, 2018)"),
    (group(item("tatimov1993"), item("tatimov1989")), "(Tatimov, 1993; Tatimov, 1989)", "(Tatimov 1993, 1989)"),
    (group(item("kozybayev1992")), "(Kozybayev, 1992)", "(Kozybayev, Abylkhozhin, and Aldazhumanov 1992)"),
    (group(item("kabyl2024")), "(Kabyl et al., 2024)", "(Кабыл, Турсун, and Абикей 2024)"),
    (group(item("cameron2020")), "(Sarah Cameron, 2020)", "(Камерон 2020)"),
    (group(item("tursun2022", "736")), "(Khazretali Tursun, 2022: 736)", "(Tursun 2022, 736)"),
    (group(item("koigeldiev1993", "136")), "(Koigeldiev, Omarbekov, 1993: 136)", "(Koigeldiev and Omarbekov 1993, 136)"),
    (group(item("baidaly2020", "27–31")), "(Baidaly, 2020: 27–31)", "(Baidaly 2020, 27–31)"),
    (group(item("alash2005", "27")), "(Алаш қозғалысы, 2005: 27)", "(Алаш қозғалысы 2005, 27)"),
    (group(item("davies2011", "416", suppress_author=True)), "(2011: 416)", "(2011, 416)"),
    (group(item("davies2011", "416"), narrative=True), "Davis, Wheatcroft (2011: 416)", "Davies and Wheatcroft (2011, 416)"),
    (group(item("kozybayev1991", "5", prefix="see", suffix=", passim")),
     "(see Kozybayev, 1991: 5, passim)", "(see Kozybayev 1991, 5, passim)"),
    (group(item("isenov2022", "98", suffix="emphasis added")),
     "(Isenov, 2022: 98 emphasis added)", "(Isenov and Kupenov 2022, 98 emphasis added)"),
    (group(item("omarbekov1994", "5"), item("omarbekov2018", "7")),
     "(Omarbekov, 1994: 5; Omarbekov, 2018: 7)", "(Omarbekov 1994, 5; 2018, 7)"),
    (group(CitationItem("kozybayev1991", locator=Locator("volume", "2"))), "(Kozybayev, 1991: vol. 2)",
     "(Kozybayev 1991, vol. 2)"),
    (group(item("archive-satr")), "(SATR)", "(SATR)"),
    (group(item("archive-satr", "13"), narrative=True), "SATR: 13", "SATR, 13"),
    (group(item("kozybayev1991", suppress_author=True), narrative=True), "(1991)", "(1991)"),
]

FIXTURE_CASES = [
    (group(item("smith2019", "12")), "(Smith et al., 2019: 12)", "(Smith, Jones, and Brown 2019, 12)"),
    (group(item("four2015")), "(Able et al., 2015)", "(Able et al. 2015)"),
    (group(item("nurpeisov2020alpha")), "(Nurpeisov, 2020a)", "(Nurpeisov 2020a)"),
    (group(item("nurpeisov2020beta")), "(Nurpeisov, 2020b)", "(Nurpeisov 2020b)"),
    (group(item("nurpeisov2019"), item("nurpeisov2020beta")),
     "(Nurpeisov, 2019; Nurpeisov, 2020b)", "(Nurpeisov 2019, 2020b)"),
    (group(item("abenov2001")), "(Әбенов, 2001)", "(Әбенов 2001)"),
    (group(item("amanov1998"), item("bekova2003")), "(Аманов, 1998; Бекова, 2003)", "(Аманов 1998; Бекова 2003)"),
    (group(item("godel1931", "173")), "(Gödel, 1931: 173)", "(Gödel 1931, 173)"),
    (group(item("alashdocs2005", "27")), "(Alash qozgalysy..., 2005: 27)", "(Alash qozgalysy... 2005, 27)"),
    (group(item("anon1930")), "(Report on the..., 1930)", "(Report on the... 1930)"),
    (group(item("volume1999")), "(Kaplan, Lee, 1999)", "(Kaplan and Lee 1999)"),
    (group(item("others2010")), "(Kabyl et al., 2010)", "(Kabyl et al. 2010)"),
    (group(item("datefield")), "(Ospanov, 2021)", "(Ospanov 2021)"),
    (group(item("nosuchkey")), "(nosuchkey?)", "(nosuchkey?)"),
]


@pytest.mark.parametrize("citation, journal, chicago", DRAFT_CASES)
def test_draft_citations(draft: Bibliography, citation: CitationGroup, journal: str, chicago: str) -> None:
    assert text(get_style("journal").format_citation(citation, draft)) == journal
    assert text(get_style("chicago").format_citation(citation, draft)) == chicago


@pytest.mark.parametrize("citation, journal, chicago", FIXTURE_CASES)
def test_fixture_citations(styles_bib: Bibliography, citation: CitationGroup, journal: str, chicago: str) -> None:
    assert text(get_style("journal").format_citation(citation, styles_bib)) == journal
    assert text(get_style("chicago").format_citation(citation, styles_bib)) == chicago


def test_citedas_forms_of_the_draft_are_reproduced(draft: Bibliography) -> None:
    """Every single-work ``citedas`` form without a typo comes out as printed."""
    style = get_style("journal")
    checked = 0
    for key in draft.keys():
        for printed in draft.entry(key).fields.get("citedas", "").split(" | "):
            body = printed.strip("()")
            if not printed or ";" in body or "Tatimov." in body or key in ("alash2005", "koigeldiev1993") or key.startswith("archive"):
                continue
            head, _, page = body.partition(": ")
            locator = Locator("page", page) if page else None
            assert text(style.format_citation(group(CitationItem(key, locator=locator)), draft)) == printed
            checked += 1
    assert checked >= 12


def test_parts_link_only_the_work(draft: Bibliography) -> None:
    parts = get_style().format_citation(group(item("kozybayev1991", "5", prefix="see")), draft)
    assert parts == (CitationPart("(see "), CitationPart("Kozybayev, 1991", "kozybayev1991"), CitationPart(": 5)"))
    narrative = get_style().format_citation(group(item("davies2011", "416"), narrative=True), draft)
    assert [p.key for p in narrative] == ["davies2011", None, "davies2011", None]


def test_disambiguation_is_stable_whoever_cites(styles_bib: Bibliography) -> None:
    """"2020b" depends on the whole file, not on which works a page cites."""
    style = get_style()
    only_beta = text(style.format_citation(group(item("nurpeisov2020beta")), styles_bib))
    assert only_beta == "(Nurpeisov, 2020b)"
    assert "(2020b)" in style.format_reference("nurpeisov2020beta", styles_bib)


REFERENCE_CASES = [
    ("journal", "isenov2022", "Isenov O.&nbsp;I., Kupenov B.&nbsp;K. (2022). Казахи-беженцы, переселившие в "
     "1920–1930\xa0гг. в Республику Таджикистан: их адаптация [Kazakh refugees who resettled in the Republic of "
     "Tajikistan in 1920–1930: their adaptation]. <em>Отан тарихы</em>. "
     '<a href="https://otan.history.iie.kz/main/article/view/398">https://otan.history.iie.kz/main/article/view/398</a>.'),
    ("journal", "kozybayev1991", "Kozybayev M.&nbsp;K. (1991)."),
    ("journal", "alash2005", "Алаш қозғалысы (2005)."),
    ("journal", "archive-satr", "SATR – Turkestan Regional State Archive."),
    ("chicago", "davies2011", "Davies, R.&nbsp;W., and Stephen&nbsp;G. Wheatcroft. 2011. Originally published as "
     "<em>The Years of Hunger: Soviet Agriculture, 1931–1933</em> (2004)."),
    ("chicago", "kabyl2024", "Кабыл, А.&nbsp;А., Х.&nbsp;М. Турсун, and А.&nbsp;М. Абикей. 2024. “Откочевники – "
     "жертвы политических репрессий” [Nomadic migrants: victims of political repression]. <em>Электронный "
     "научный журнал «edu.e-history.kz»</em> 11 (2): 361–372. Text in English (&quot;На Англ.&quot;); title and "
     "abstracts also in Kazakh and Russian. <a href=\"https://doi.org/10.51943/2710-3994_2024_11_2_361-372\">"
     "https://doi.org/10.51943/2710-3994_2024_11_2_361-372</a>."),
]


@pytest.mark.parametrize("style_name, key, expected", REFERENCE_CASES)
def test_draft_references(draft: Bibliography, style_name: str, key: str, expected: str) -> None:
    assert str(get_style(style_name).format_reference(key, draft)) == expected


@pytest.mark.parametrize("style_name, key, expected", [
    ("journal", "smith2019", "Smith J., Jones M., Brown P. (2019). <em>Three Authors Wrote This</em>. London: Example Press."),
    ("journal", "godel1931", "Gödel K. (1931). Über formal unentscheidbare Sätze. <em>Monatshefte für Mathematik und "
     'Physik</em>, 38: 173–198. <a href="https://doi.org/10.1007/BF01700692">https://doi.org/10.1007/BF01700692</a>.'),
    ("journal", "volume1999", "Kaplan E., Lee F. (eds.) (1999). <em>Edited Volume</em>. Press."),
    ("journal", "others2010", "Kabyl A. et al. (2010)."),
    ("journal", "abenov2001", "Әбенов Қ. (2001). <em>Тарих</em>."),
    ("chicago", "four2015", "Able, A., B. Baker, C. Cole, and D. Dunn. 2015. “Four Authors.” <em>Journal of "
     "Examples</em> 3 (1): 10–20."),
    ("chicago", "nurpeisov2020alpha", "Nurpeisov, K. 2020a. Alpha."),
])
def test_fixture_references(styles_bib: Bibliography, style_name: str, key: str, expected: str) -> None:
    assert str(get_style(style_name).format_reference(key, styles_bib)) == expected


def test_unverified_note_is_a_caution_not_a_fact(draft: Bibliography, styles_bib: Bibliography) -> None:
    for style_name in style_names():
        assert "unverified" not in get_style(style_name).format_reference("davies2011", draft)
        assert get_style(style_name).format_reference("cautious1995", styles_bib).rstrip(").").endswith("1995")
    assert draft.caution("davies2011").startswith("unverified: the 2011 edition is probably the Russian")
    assert "Дэвис Р., Уиткрофт С." in draft.caution("davies2011")
    assert draft.caution("cameron2020") is None  # an ordinary note is printed, not a caution
    assert "Title capitalisation varies" in get_style().format_reference("cameron2020", draft)


def test_reference_list_order(draft: Bibliography, styles_bib: Bibliography) -> None:
    order = get_style().sort_keys(["cameron2020", "kozybayev1991", "alash2005", "davies2011", "isenov2022",
                                   "kabyl2024", "unknown", "davies2011"], draft)
    assert order == ["davies2011", "isenov2022", "kozybayev1991", "alash2005", "kabyl2024", "cameron2020", "unknown"]
    assert get_style("chicago").sort_keys(["bekova2003", "abenov2001", "amanov1998", "smith2019"], styles_bib) == \
        ["smith2019", "amanov1998", "abenov2001", "bekova2003"]


def test_formatted_references_are_cached(draft: Bibliography) -> None:
    style = get_style()
    assert style.format_reference("isenov2022", draft) is style.format_reference("isenov2022", draft)


def test_unknown_style_lists_known_names() -> None:
    with pytest.raises(UnknownStyleError, match="known styles: chicago, journal"):
        get_style("gost")
    assert get_style("journal") is get_style("journal")
    assert get_style().name == "journal"

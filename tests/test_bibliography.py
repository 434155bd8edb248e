"""Loading BibTeX: diagnostics with places, the disk cache, safe HTML, export."""
from __future__ import annotations

import shutil
from pathlib import Path

import pybtex.database.input.bibtex as pybtex_bibtex
import pytest

from edition.citations.backend import doi_url, render_html, safe_url
from edition.citations.bibliography import load_bibliography, plain, split_names
from edition.citations.export import export, export_bibtex, export_ris
from edition.citations.style import get_style
from edition.citations.syntax import CitationGroup, CitationItem
from edition.diagnostics import SourcePosition

FIXTURES = Path(__file__).parent / "fixtures" / "bib"


def load(name: str, cache_dir: Path | None = None):
    return load_bibliography(FIXTURES / name, f"bib/{name}", cache_dir)


# -- loading and diagnostics ----------------------------------------------------

def test_draft_loads_cleanly_with_positions() -> None:
    bibliography, problems = load("bibliography-draft.bib")
    assert problems == []
    assert len(bibliography) == 23
    assert bibliography.entry_position("kabyl2024") == SourcePosition("bib/bibliography-draft.bib", 28, 10)
    assert "kabyl2024" in bibliography and "Kabyl2024" not in bibliography and None not in bibliography
    source = bibliography.source_text("alash2005")
    assert source.startswith("@misc{alash2005,") and source.endswith("}")
    assert "Алаш қозғалысы" in source


def test_malformed_bibtex_gives_places_not_tracebacks() -> None:
    bibliography, problems = load("malformed.bib")
    assert [(p.position.line, p.position.col, p.code, p.severity) for p in problems] == [
        (10, 3, "bib-syntax", "error"), (20, 1, "bib-syntax", "error")]
    assert "'}' expected" in problems[0].message
    assert str(problems[0]).startswith("bib/malformed.bib:10:3: error[bib-syntax]")
    assert {"good1", "good2"} <= set(bibliography.keys())  # parsing goes on after an error


def test_duplicate_key_names_both_lines() -> None:
    bibliography, problems = load("duplicate.bib")
    duplicate = [p for p in problems if p.code == "bib-duplicate-key"]
    assert len(duplicate) == 1
    assert duplicate[0].position.line == 12
    assert "line 2" in duplicate[0].message and "line 12" in duplicate[0].message
    assert str(bibliography.entry("twice").persons["author"][0]) == "First, F."
    assert bibliography.entry_position("twice").line == 2


def test_duplicate_field_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "f.bib"
    path.write_text("@misc{a,\n  title = {One},\n  title = {Two},\n}\n", encoding="utf-8")
    bibliography, problems = load_bibliography(path, "f.bib")
    assert [(p.code, p.severity, p.position.line) for p in problems] == [("bib-duplicate-field", "warning", 1)]
    assert bibliography.entry("a").fields["title"] == "One"


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    _, problems = load_bibliography(tmp_path / "missing.bib", "missing.bib")
    assert [p.code for p in problems] == ["bib-missing"]
    path = tmp_path / "latin1.bib"
    path.write_bytes(b"@misc{a,\n  title = {Caf\xe9},\n}\n")
    bibliography, problems = load_bibliography(path, "latin1.bib")
    assert [(p.code, p.position.line, p.position.col) for p in problems] == [("bib-encoding", 2, 15)]
    assert len(bibliography) == 0


def test_latex_is_decoded_for_display_and_sorting() -> None:
    assert plain(r"G{\"o}del") == "Gödel"
    assert plain("{Таджикистан}") == "Таджикистан"
    assert plain("1920--1930 and a---b") == "1920–1930 and a—b"
    assert split_names("Davis and Wheatcroft") == ["Davis", "Wheatcroft"]
    assert split_names("Sarah Cameron") == ["Sarah Cameron"]


# -- cache ------------------------------------------------------------------------

def test_second_load_does_not_run_the_parser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "bibliography.bib"
    shutil.copy(FIXTURES / "bibliography-draft.bib", source)
    cache = tmp_path / "cache"
    first, first_problems = load_bibliography(source, "bibliography.bib", cache)
    style = get_style()
    first_labels = {key: style.label(key, first) for key in first.keys()}

    def refuse(*args, **kwargs):
        raise AssertionError("the parser ran although the file is unchanged")

    monkeypatch.setattr(pybtex_bibtex, "LowLevelParser", refuse)
    monkeypatch.setattr(pybtex_bibtex, "Parser", refuse)
    second, second_problems = load_bibliography(source, "shown/elsewhere.bib", cache)
    assert second.keys() == first.keys()
    assert second_problems == first_problems == []
    assert second.entry_position("davies2011").path == "shown/elsewhere.bib"
    assert second.source_text("davies2011") == first.source_text("davies2011")
    assert {key: style.label(key, second) for key in second.keys()} == first_labels
    assert style.format_reference("isenov2022", second) == style.format_reference("isenov2022", first)

    source.write_text(source.read_text(encoding="utf-8") + "\n@misc{new2024, author = {New, N.}, year = {2024}}\n",
                      encoding="utf-8")
    with pytest.raises(AssertionError, match="parser ran"):
        load_bibliography(source, "bibliography.bib", cache)


def test_cached_diagnostics_are_reproduced(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _, first = load("malformed.bib", cache)
    _, second = load("malformed.bib", cache)
    assert first == second and len(first) == 2


def test_a_cache_whose_entries_do_not_fit_is_parsed_again(tmp_path: Path) -> None:
    """Entries are unpickled when first used, so their blob is checked whole when the cache is read."""
    import pickle

    cache = tmp_path / "cache"
    load("styles.bib", cache)
    (file,) = [f for f in cache.iterdir() if "-labels" not in f.name and "-filing" not in f.name]
    packed, problems = pickle.loads(file.read_bytes())
    file.write_bytes(pickle.dumps((type(packed)(packed.keys, packed.offsets, packed.digests, packed.blob[:-10]),
                                   problems)))
    bibliography, problems = load("styles.bib", cache)
    assert problems == [] and all(bibliography.source_text(key) for key in bibliography)


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load("styles.bib", cache)
    for file in cache.iterdir():
        file.write_bytes(b"not a pickle")
    bibliography, problems = load("styles.bib", cache)
    assert problems == [] and "smith2019" in bibliography


# -- safe HTML ----------------------------------------------------------------------

@pytest.mark.parametrize("style_name", ["journal", "chicago"])
def test_injection_entries_are_escaped(style_name: str) -> None:
    bibliography, problems = load("injection.bib")
    assert problems == []
    style = get_style(style_name)
    html = {key: str(style.format_reference(key, bibliography)) for key in bibliography.keys()}
    assert "<script>" not in html["inject-title"] and "&lt;script&gt;alert(1)&lt;/script&gt;" in html["inject-title"]
    for key in ("inject-js", "inject-quote", "inject-doi", "inject-data"):
        assert "<a " not in html[key] and "href" not in html[key]
    assert "javascript:alert(1)" in html["inject-js"]  # shown, as text
    assert "<img" not in html["inject-doi"]
    assert '" onmouseover' not in html["inject-quote"] and "&quot; onmouseover=&quot;x" in html["inject-quote"]
    assert "<b>" not in html["inject-httpquote"] and "<script>" not in html["inject-httpquote"]
    assert 'href="https://example.org/%22%3E%3Cscript%3Ex%3C/script%3E"' in html["inject-httpquote"]
    citation = style.format_citation(CitationGroup((CitationItem("inject-httpquote"),), SourcePosition("t.md")),
                                     bibliography)
    assert "Evil <b>Name</b>" in "".join(part.text for part in citation)  # plain text: the page escapes it


def test_safe_urls_and_dois() -> None:
    assert safe_url("HTTPS://example.org/x?a=1&b=2") == "HTTPS://example.org/x?a=1&b=2"
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,x",
                "vbscript:x", "/relative", "ftp://example.org/", "https://", " \" onmouseover=\"x"):
        assert safe_url(bad) is None, bad
    assert doi_url("doi:10.1000/182") == "https://doi.org/10.1000/182"
    assert doi_url("https://doi.org/10.1000/182") == "https://doi.org/10.1000/182"
    assert doi_url("10.1000/a b") is None
    from pybtex.richtext import HRef, Tag, Text
    assert render_html(HRef("javascript:alert(1)", "x")) == "x"
    assert render_html(Tag("script", "x")) == "x"
    assert render_html(Text("<&>\"'")) == "&lt;&amp;&gt;&quot;&#x27;"


# -- export -------------------------------------------------------------------------

def test_export_bibtex_is_the_source_text() -> None:
    bibliography, _ = load("bibliography-draft.bib")
    text = export_bibtex("cameron2020", bibliography)
    assert text.startswith("@book{cameron2020,") and text.endswith("}\n")
    assert "Голодная степь" in text and export("cameron2020", bibliography, "bibtex") == text


def test_export_ris() -> None:
    bibliography, _ = load("bibliography-draft.bib")
    ris = export_ris("kabyl2024", bibliography).splitlines()
    assert ris[0] == "TY  - JOUR" and ris[-1] == "ER  - "
    assert "AU  - Кабыл, А. А." in ris and "AU  - Абикей, А. М." in ris
    assert "SP  - 361" in ris and "EP  - 372" in ris and "PY  - 2024" in ris
    assert "DO  - 10.51943/2710-3994_2024_11_2_361-372" in ris
    assert all(len(line) >= 6 and line[2:6] == "  - " for line in ris)
    davies = export_ris("davies2011", bibliography)
    assert davies.startswith("TY  - GEN\n") and "N1  - unverified:" in davies
    with pytest.raises(ValueError, match="known formats: bibtex, ris"):
        export("cameron2020", bibliography, "endnote")


def test_export_ris_latex_and_newlines(styles_bib_path: Path = FIXTURES / "styles.bib") -> None:
    bibliography, _ = load_bibliography(styles_bib_path, "styles.bib")
    ris = export_ris("godel1931", bibliography)
    assert "AU  - Gödel, Kurt" in ris and "TI  - Über formal unentscheidbare Sätze" in ris
    assert "\n\n" not in ris

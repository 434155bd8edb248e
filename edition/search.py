"""Full-text search: a Pagefind index of every paragraph, one per language.

Pagefind splits its index by the language of a page, but a document page
of this edition holds three languages (the abstracts, titles, quotations).
So the unit of the index is not the page but the paragraph in one
language: each paragraph (and each heading and title) of each document is
handed to Pagefind as a small HTML page of its own, in its own language,
whose result links to the paragraph's anchor (``<doc>/#p-…``).  A paragraph
quoting another language gives that language's words a unit of their own,
with the same link.

Each language gets its own bundle (``pagefind/<lang>/``) built with the
language forced, so Russian words are stemmed as Russian and English as
English, and the search page queries all bundles and merges the results.
The units never become pages of the site: Pagefind reads them from a
scratch folder, and only its bundle is added to the site's files, which are
then written and swapped in together.
"""
from __future__ import annotations

import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable

from edition.diagnostics import Diagnostic, EditionError, SourcePosition

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIP_CLASSES = {"para-link", "para-cite", "backref", "note-ref"}
"""Parts of a paragraph that are apparatus, not text: ¶ numbers, the paragraph's
citation line, note back-links and note numbers."""
SKIP_TAGS = {"script", "style", "template", "sup", "svg"}
BUNDLE_DIR = "pagefind"


@dataclass(frozen=True)
class Unit:
    """One searchable piece: a paragraph (or heading) in one language."""

    target: str
    """Site-relative link: ``<doc>/#<anchor>`` (or ``<doc>/`` for a title)."""
    lang: str
    text: str
    title: str
    """The document's title, shown as the result's heading."""
    part: str
    """``title``, ``abstract``, ``heading`` or ``paragraph``."""
    section: str = ""
    """The heading of the section the unit is in (or is)."""
    paragraph: int | None = None
    """The ¶ number, for a numbered paragraph."""


@dataclass
class _Block:
    anchor: str
    tag: str
    lang: str
    label: str
    depth: int
    parts: dict[str, list[str]]


class _Paragraphs(HTMLParser):
    """Collects the text of each anchored paragraph and heading of a document page, by language."""

    def __init__(self, page_lang: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str, bool]] = [("#root", page_lang, False)]
        self.blocks: list[_Block] = []
        self.current: _Block | None = None
        self.in_body = False
        self.body_depth = -1
        self.section_label = ""
        self.heading: list[str] | None = None

    def _lang(self) -> str:
        return self.stack[-1][1]

    def _skipping(self) -> bool:
        return any(skip for _, _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        classes = set(values.get("class", "").split())
        lang = values.get("lang") or self._lang()
        skip = tag in SKIP_TAGS or bool(classes & SKIP_CLASSES) or "hidden" in values
        if tag in VOID:
            if tag == "br" and self.current and not self._skipping():
                self.current.parts.setdefault(lang, []).append(" ")
            return
        self.stack.append((tag, lang, skip))
        if "document-body" in classes or "abstract" in classes:
            self.in_body, self.body_depth = True, len(self.stack)
            self.section_label = "abstract" if "abstract" in classes else ""
        anchor = values.get("id", "")
        if self.in_body and self.current is None and anchor and (
                (tag in ("p", "li") and anchor.startswith("p-")) or tag in ("h2", "h3", "h4")):
            self.current = _Block(anchor, tag, lang, self.section_label, len(self.stack), {})

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while len(self.stack) > 1:
            open_tag, _, _ = self.stack.pop()
            if self.current and len(self.stack) < self.current.depth:
                self.blocks.append(self.current)
                self.current = None
            if self.in_body and len(self.stack) < self.body_depth:
                self.in_body = False
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.current and not self._skipping():
            self.current.parts.setdefault(self._lang(), []).append(data)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def document_units(html: str, document_id: str, page_lang: str, titles: dict[str, str],
                   paragraph_numbers: dict[str, int]) -> list[Unit]:
    """The searchable units of one rendered document page.

    >>> page = ('<div class="document-body"><p id="p-a"><a class="para-link" href="#p-a">¶1</a>'
    ...         'Hello <q lang="ru">мир</q><span class="para-cite">cite</span></p></div>')
    >>> [(u.lang, u.text, u.target, u.part) for u in document_units(page, "d", "en", {"en": "T"}, {"p-a": 1})]
    [('en', 'T', 'd/', 'title'), ('en', 'Hello', 'd/#p-a', 'paragraph'), ('ru', 'мир', 'd/#p-a', 'paragraph')]
    """
    parser = _Paragraphs(page_lang)
    parser.feed(html)
    parser.close()
    main_title = titles.get(page_lang) or next(iter(titles.values()), document_id)
    units = [Unit(f"{document_id}/", lang, title, title, "title") for lang, title in sorted(titles.items())]
    heading = ""
    for block in parser.blocks:
        if block.tag.startswith("h"):
            heading = _clean("".join(block.parts.get(block.lang, [])))
        part = block.label or ("heading" if block.tag.startswith("h") else "paragraph")
        for lang, pieces in sorted(block.parts.items(), key=lambda item: item[0] != block.lang):
            text = _clean("".join(pieces))
            if text:
                units.append(Unit(f"{document_id}/#{block.anchor}", lang, text, titles.get(lang) or main_title,
                                  part, "" if part == "abstract" else heading,
                                  paragraph_numbers.get(block.anchor)))
    return units


def unit_page(unit: Unit) -> str:
    """The HTML Pagefind reads for one unit: the text as the body, the rest as metadata."""
    return (f'<!DOCTYPE html><html lang="{unit.lang}"><head><meta charset="utf-8"><title>{escape(unit.title)}</title>'
            f'</head><body><main data-pagefind-body><p>{escape(unit.text)}</p></main>'
            f'<span data-pagefind-meta="title">{escape(unit.title)}</span>'
            f'<span data-pagefind-meta="target">{escape(unit.target)}</span>'
            f'<span data-pagefind-meta="part">{unit.part}</span>'
            f'<span data-pagefind-meta="section">{escape(unit.section)}</span>'
            f'<span data-pagefind-meta="paragraph">{unit.paragraph or ""}</span></body></html>')


UNUSED = re.compile(r"^pagefind-(ui|modular-ui|component-ui|highlight)\.|^playground/")
"""Parts of Pagefind's bundle for its own interfaces; the edition has its own."""


def _executable() -> str:
    try:
        from pagefind.service import get_executable

        executable = get_executable()
    except (ImportError, FileNotFoundError):
        executable = None
    if executable is None:
        raise EditionError([Diagnostic(SourcePosition("pyproject.toml"), "error", "search-index",
                                       "the Pagefind binary is not installed; install the edition with its "
                                       "dependencies (pip install -e .), which bring pagefind[bin]")])
    return str(executable)


def build_index(units: Iterable[Unit]) -> dict[str, bytes]:
    """Pagefind bundles for the units, one per language, as ``pagefind/<lang>/…`` → bytes.

    Pagefind reads the units from a scratch folder (its service API answers
    one file per tenth of a second; the command line indexes them all at once).
    """
    by_lang: dict[str, list[Unit]] = {}
    for unit in units:
        by_lang.setdefault(unit.lang, []).append(unit)
    if not by_lang:
        return {}
    executable = _executable()
    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="edition-search-") as scratch:
        for lang in sorted(by_lang):
            site, bundle = Path(scratch, lang, "units"), Path(scratch, lang, "bundle")
            site.mkdir(parents=True)
            for number, unit in enumerate(by_lang[lang]):
                (site / f"{number:06d}.html").write_text(unit_page(unit), encoding="utf-8")
            run = subprocess.run([executable, "--site", str(site), "--output-path", str(bundle),
                                  "--force-language", lang, "--silent"],
                                 capture_output=True, text=True, check=False)
            if run.returncode != 0:
                raise RuntimeError(f"pagefind failed for {lang!r}: {(run.stderr or run.stdout).strip()}")
            for path in sorted(bundle.rglob("*")):
                relative = path.relative_to(bundle).as_posix()
                if path.is_file() and not UNUSED.match(relative):
                    files[f"{BUNDLE_DIR}/{lang}/{relative}"] = path.read_bytes()
    return files


def search_files(pages: dict[str, bytes], documents: Iterable) -> dict[str, bytes]:
    """The search bundles for the rendered ``pages`` of the resolved ``documents``.

    ``pagefind/languages.json`` lists the bundles, so the search page asks
    only for those that exist.
    """
    units: list[Unit] = []
    for resolved in documents:
        meta = resolved.meta
        html = pages[f"{meta.id}/index.html"].decode("utf-8")
        units += document_units(html, meta.id, meta.lang, dict(meta.title), dict(resolved.paragraph_numbers))
    files = build_index(units)
    languages = sorted({path.split("/")[1] for path in files})
    files[f"{BUNDLE_DIR}/languages.json"] = (json.dumps(languages) + "\n").encode("utf-8")
    return files


def search_languages(files: dict[str, bytes]) -> list[str]:
    """The languages that have a bundle among the search stage's ``files``."""
    manifest = files.get(f"{BUNDLE_DIR}/languages.json")
    return json.loads(manifest) if manifest else []

"""Stage 2, parse: Markdown with the edition's extensions, into element trees and facts.

Each document part (the body and each abstract) becomes an element tree,
not yet HTML: the resolve stage still has to give paragraphs their stable
ids and fill in citations, which need the whole edition.  ``render``
serialises the trees afterwards with the same Markdown instance, whose
stash holds what the trees refer to.
"""
from __future__ import annotations

import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

from markdown import Markdown
from markdown.extensions.abbr import AbbrExtension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.def_list import DefListExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension

from edition.extensions.blocks import BlockExtension, BlockOccurrence
from edition.extensions.citations import CitationExtension, CitationOccurrence, CrossReference
from edition.extensions.figures import FigureExtension, FigureOccurrence
from edition.extensions.index_terms import IndexTermExtension, IndexTermOccurrence
from edition.extensions.links import LinkExtension, LinkOccurrence
from edition.extensions.positions import SourceCursor
from edition.extensions.tables import TableCaptionExtension, TableOccurrence
from edition.extensions.urls import UrlExtension
from edition.read import SourceDocument
from edition.sanitize import RawHtmlExtension


class EditionMarkdown(Markdown):
    """Markdown split in two halves, so trees can be resolved before serialising."""

    def to_tree(self, source: str) -> etree.Element:
        self.lines = source.split("\n")
        for preprocessor in self.preprocessors:
            self.lines = preprocessor.run(self.lines)
        root = self.parser.parseDocument(self.lines).getroot()
        for treeprocessor in self.treeprocessors:
            new_root = treeprocessor.run(root)
            if new_root is not None:
                root = new_root
        return root

    def to_html(self, root: etree.Element) -> str:
        output = self.serializer(root)
        start = output.find(f"<{self.doc_tag}>")
        end = output.rfind(f"</{self.doc_tag}>")
        output = output[start + len(self.doc_tag) + 2:end].strip() if start >= 0 and end >= 0 else ""
        for postprocessor in self.postprocessors:
            output = postprocessor.run(output)
        return output.strip()


@dataclass
class Heading:
    level: int
    id: str | None
    text: str
    element: etree.Element


@dataclass
class ParsedDocument:
    """A document's trees and what the extensions found in them (mutable: resolve fills the trees)."""

    source: SourceDocument
    markdown: EditionMarkdown
    parts: dict[str, etree.Element]
    """``body`` and ``abstract.<lang>``, in reading order (abstracts first)."""
    blocks: list[BlockOccurrence] = field(default_factory=list)
    citations: list[CitationOccurrence] = field(default_factory=list)
    cross_references: list[CrossReference] = field(default_factory=list)
    figures: list[FigureOccurrence] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    tables: list[TableOccurrence] = field(default_factory=list)
    links: list[LinkOccurrence] = field(default_factory=list)
    index_terms: list[IndexTermOccurrence] = field(default_factory=list)


def new_markdown() -> tuple[EditionMarkdown, dict[str, object]]:
    extensions = {
        "citations": CitationExtension(),
        "figures": FigureExtension(),
        "blocks": BlockExtension(),
        "footnotes": FootnoteExtension(BACKLINK_TITLE="Back to text %d"),
        "tables": TableCaptionExtension(),
        "links": LinkExtension(),
        "index_terms": IndexTermExtension(),
    }
    # Instances, not names: Markdown looks a name up among the installed entry points (about 10 ms).
    md = EditionMarkdown(extensions=[AttrListExtension(), TableExtension(), DefListExtension(), AbbrExtension(),
                                     FencedCodeExtension(), SaneListExtension(), *extensions.values()],
                         output_format="html")
    # Raw HTML goes through the allow-list; every URL and attribute is checked. Both need the
    # source of the part being converted for positions: the citation extension's cursor has it.
    citations: CitationExtension = extensions["citations"]  # type: ignore[assignment]
    md.registerExtensions([RawHtmlExtension(lambda: citations.cursor),
                           UrlExtension(lambda: citations.cursor)], {})
    md.edition_extensions = extensions  # type: ignore[attr-defined]
    return md, extensions


def parse_document(source: SourceDocument) -> ParsedDocument:
    md, ext = new_markdown()
    citations: CitationExtension = ext["citations"]  # type: ignore[assignment]
    figures: FigureExtension = ext["figures"]  # type: ignore[assignment]
    blocks: BlockExtension = ext["blocks"]  # type: ignore[assignment]
    footnotes: FootnoteExtension = ext["footnotes"]  # type: ignore[assignment]
    parsed = ParsedDocument(source, md, {})
    fm = source.front_matter
    parts = [(f"abstract.{lang}", lang, text, fm.position(f"abstract.{lang}"))
             for lang, text in source.meta.abstract.items()]
    body_position = (source.src_path, source.body_line)
    for name, lang, text, position in parts:
        # A block scalar's text starts on the line after its key.
        citations.cursor = SourceCursor(text, position.path, position.line + 1, 1)
        _convert(parsed, name, lang, text, citations, figures, blocks, footnotes)
    citations.cursor = SourceCursor(source.body, body_position[0], body_position[1])
    _convert(parsed, "body", source.meta.lang, source.body, citations, figures, blocks, footnotes)
    for element in parsed.parts["body"].iter():
        if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            parsed.headings.append(Heading(int(element.tag[1]), element.get("id"),
                                           " ".join("".join(element.itertext()).split()), element))
    return parsed


def _convert(parsed: ParsedDocument, name: str, lang: str, text: str, citations: CitationExtension,
             figures: FigureExtension, blocks: BlockExtension, footnotes: FootnoteExtension) -> None:
    for extension in (citations, figures, blocks):
        extension.part = name  # type: ignore[attr-defined]
    figures.lang = lang
    footnotes.reset()  # footnotes belong to one part; the stash must survive until render
    own = parsed.markdown.edition_extensions  # type: ignore[attr-defined]
    tables, links, terms = own["tables"], own["links"], own["index_terms"]
    for extension in (tables, links, terms):  # each searches the source with a cursor of its own
        extension.part = name
        cursor = citations.cursor
        extension.cursor = SourceCursor(cursor.text, cursor.path, cursor.first_line, cursor.first_col)
    parsed.parts[name] = parsed.markdown.to_tree(text)
    parsed.tables.extend(tables.tables)
    parsed.links.extend(links.links)
    parsed.index_terms.extend(terms.terms)
    for extension in (tables, links, terms):
        extension.reset()
    parsed.blocks.extend(blocks.blocks)
    parsed.citations.extend(citations.citations)
    parsed.cross_references.extend(citations.cross_references)
    parsed.figures.extend(figures.figures)
    for extension in (citations, figures, blocks):
        extension.reset()

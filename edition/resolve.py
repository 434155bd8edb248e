"""Stage 3, resolve: everything that needs the whole edition.

Paragraphs get their stable anchors (against ``anchors.lock``), citations
are checked and formatted (literature in the chosen style, archival units
as numbered notes), cross-references and internal links are checked and
labelled, index terms are linked to their registers, and the backlink
tables of the bibliography, sources and register pages are built.  Every
problem is collected; nothing is written here.
"""
from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

from markupsafe import Markup

from edition.anchors import Assignment, Block, Ledger, assign_site, lost_documents, update_ledger
from edition.cite import CitedParagraph, citation_text
from edition.citations.archival import archival_note_text, locator_text
from edition.citations.bibliography import Bibliography
from edition.citations.export import EXPORT_FORMATS, export
from edition.citations.style import CitationStyle
from edition.citations.syntax import CitationGroup, CitationItem
from edition.config import Config
from edition.diagnostics import Diagnostics, SourcePosition, did_you_mean
from edition.indexes import IndexPage, IndexRegisters, check_index_terms, index_pages, read_index_registers
from edition.parse import ParsedDocument
from edition.read import EditorialChange
from edition.registers import ArchivalUnit, Archive, ArchivesRegister
from edition.xrefs import (ReferenceSource, add_referenced_in, document_anchors, document_files,
                           resolve_cross_references, resolve_links)

SAFE_FILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,100}$")


@dataclass(frozen=True)
class Backlink:
    """Where a work, unit or target is cited: a paragraph of a document."""

    document_id: str
    document_title: str
    anchor: str
    paragraph_number: int | None
    locator: str | None = None


@dataclass(frozen=True)
class ArchivalNote:
    number: int
    unit: ArchivalUnit
    archive: Archive
    text: str
    """The reference as the note prints it."""
    printed: str | None
    """The citation as the source edition printed it."""
    variant_siglum: str | None
    """The siglum the source printed when the edition normalised it."""
    paragraph_anchor: str | None


@dataclass(frozen=True)
class Reference:
    key: str
    html: Markup
    caution: str | None
    backlinks: tuple[Backlink, ...] = ()
    exports: tuple[tuple[str, str], ...] = ()
    """(file name, text) of the entry's downloads: its BibTeX and RIS."""


def export_files(key: str, bibliography: Bibliography) -> tuple[tuple[str, str], ...]:
    """Download files of one entry; the key names them only when it is a safe file name."""
    stem = key if SAFE_FILE_RE.match(key) else "entry-" + hashlib.sha256(key.encode()).hexdigest()[:12]
    return tuple((stem + suffix, export(key, bibliography, name)) for name, (suffix, _) in EXPORT_FORMATS.items())


@dataclass
class ResolvedDocument:
    parsed: ParsedDocument
    paragraph_numbers: dict[str, int] = field(default_factory=dict)
    """Anchor → ¶ number (display only) for the body's blocks."""
    notes: list[ArchivalNote] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    editorial_log: tuple[EditorialChange, ...] = ()
    referenced_from: dict[str, tuple[ReferenceSource, ...]] = field(default_factory=dict)
    """Label of a section, figure or table → the paragraphs that refer to it."""

    @property
    def meta(self):  # noqa: ANN201 - DocumentMeta
        return self.parsed.source.meta


@dataclass(frozen=True)
class SourcesUnit:
    unit: ArchivalUnit
    backlinks: tuple[Backlink, ...]


@dataclass(frozen=True)
class SourcesArchive:
    archive: Archive
    units: tuple[SourcesUnit, ...]


@dataclass
class Edition:
    documents: list[ResolvedDocument]
    bibliography: list[Reference]
    """Every work cited anywhere, in the style's order, with backlinks."""
    sources: list[SourcesArchive]
    ledger: Ledger
    indexes: list[IndexPage] = field(default_factory=list)
    """The register pages: persons, places, organisations."""


def _paragraph_of(parsed: ParsedDocument) -> dict[int, str]:
    """Element id() → anchor of the block that contains it."""
    owner: dict[int, str] = {}
    for block in parsed.blocks:
        anchor = block.element.get("id")
        for element in block.element.iter():
            owner[id(element)] = anchor  # type: ignore[assignment]
    return owner


def resolve_anchors(documents: list[ParsedDocument], ledger: Ledger, config: Config,
                    diagnostics: Diagnostics) -> Ledger:
    """Give every block its stable id; return the updated ledger."""
    present = [d.source.meta.id for d in documents]
    for lost in lost_documents(ledger, present):
        diagnostics.error(SourcePosition("anchors.lock"), "anchor-lost-document",
                          f"document {lost!r} has published anchors but is no longer in content/",
                          "restore it, or retire its anchors deliberately by editing anchors.lock")
    blocks = {d.source.meta.id: [Block(b.text, b.pinned) for b in d.blocks] for d in documents}
    assignments = assign_site(blocks, ledger, config.build_date)
    for parsed in documents:
        assignment = assignments[parsed.source.meta.id]
        for problem in assignment.problems:
            diagnostics.error(SourcePosition(parsed.source.src_path, parsed.source.body_line),
                              "anchor-conflict", problem)
        for block, anchor in zip(parsed.blocks, assignment.ids):
            block.element.set("id", anchor)
        _place_redirects(parsed, assignment)
    return update_ledger(ledger, assignments)


def _place_redirects(parsed: ParsedDocument, assignment: Assignment) -> None:
    """Old ids land on their paragraph: aliases inside it, tombstones with a notice before it."""
    by_anchor = {b.element.get("id"): b.element for b in parsed.blocks}
    for old_id, redirect in sorted(assignment.redirects.items()):
        target = by_anchor.get(redirect.target_id)
        if target is None:
            continue
        marker = etree.Element("span", {"id": old_id, "class": f"anchor-{redirect.kind}"})
        if redirect.kind == "deleted":
            marker.set("data-removed", redirect.date or "")
        marker.tail = target.text
        target.text = None
        target.insert(0, marker)


def _add_permalink(element: etree.Element, number: int, citation: str) -> None:
    """The ¶ number in the margin: display only, and a plain link to the paragraph's permalink.

    The paragraph's citation rides along, hidden until the paragraph is the
    link target, so "cite this paragraph" works without JavaScript."""
    link = etree.Element("a", {"class": "para-link", "href": f"#{element.get('id')}",
                               "title": f"Permalink to paragraph {number}"})
    link.text = f"¶{number}"
    link.tail = element.text
    element.text = None
    element.insert(0, link)
    cite = etree.SubElement(element, "span", {"class": "para-cite"})
    cite.text = citation


def _cite_literature(item: CitationItem, group: CitationGroup, parts, element: etree.Element) -> None:  # noqa: ANN001
    last = None
    for part in parts:
        if part.key:
            link = etree.SubElement(element, "a", {"href": f"#ref-{part.key}", "class": "cite"})
            link.text = part.text
            last = link
        elif last is None:
            element.text = (element.text or "") + part.text
        else:
            last.tail = (last.tail or "") + part.text


def resolve_citations(resolved: ResolvedDocument, bibliography: Bibliography, style: CitationStyle,
                      register: ArchivesRegister, diagnostics: Diagnostics,
                      cited: dict[str, list[Backlink]], unit_cited: dict[str, list[Backlink]]) -> None:
    parsed = resolved.parsed
    meta = parsed.source.meta
    owner = _paragraph_of(parsed)
    doc_keys: list[str] = []
    for occurrence in parsed.citations:
        group, element = occurrence.group, occurrence.element
        anchor = owner.get(id(element))
        number = resolved.paragraph_numbers.get(anchor) if anchor else None
        literature = []
        for item in group.items:
            if item.key in register.units:
                unit = register.units[item.key]
                archive = register.archive_of(unit)
                note_number = len(resolved.notes) + 1
                variant = _variant_siglum(group.printed, archive)
                resolved.notes.append(ArchivalNote(
                    note_number, unit, archive, archival_note_text(archive, unit, item.locator, "en"),
                    group.printed, variant, anchor))
                sup = etree.SubElement(element, "sup", {"class": "note-ref", "id": f"noteref-{note_number}"})
                link = etree.SubElement(sup, "a", {"href": f"#note-{note_number}", "role": "doc-noteref"})
                link.text = str(note_number)
                unit_cited.setdefault(unit.key, []).append(Backlink(
                    meta.id, meta.title.get(meta.lang, ""), anchor or "", number,
                    locator_text(item.locator)))
            elif item.key in bibliography:
                literature.append(item)
                if item.key not in doc_keys:
                    doc_keys.append(item.key)
                cited.setdefault(item.key, []).append(Backlink(
                    meta.id, meta.title.get(meta.lang, ""), anchor or "", number,
                    locator_text(item.locator)))
            else:
                diagnostics.error(group.position, "cite-unknown", f"unknown citation key {item.key!r}",
                                  did_you_mean(item.key, [*bibliography.keys(), *register.units]))
        if literature:
            sub = CitationGroup(tuple(literature), group.position, group.narrative, group.printed)
            span = etree.Element("span")
            _cite_literature(literature[0], sub, style.format_citation(sub, bibliography), span)
            # Literature text goes before any note markers of the same group.
            element.text = span.text
            for index, child in enumerate(list(span)):
                element.insert(index, child)
    resolved.references = [Reference(key, style.format_reference(key, bibliography), bibliography.caution(key))
                           for key in style.sort_keys(doc_keys, bibliography)]


def _variant_siglum(printed: str | None, archive: Archive) -> str | None:
    """The variant siglum the printed citation used, if the edition normalised it."""
    if not printed:
        return None
    head = printed.lstrip("(").split(".")[0].strip()
    return head if head in archive.variants else None


def _record_mentions(resolved: "ResolvedDocument", owner: dict[int, str], registers: IndexRegisters,
                     mentions: dict[tuple[str, str], list[Backlink]], diagnostics: Diagnostics) -> None:
    """Check the document's index terms and note, once per paragraph, where each entry is named."""
    meta = resolved.meta
    headings = {id(element): h.id for h in resolved.parsed.headings if h.id for element in h.element.iter()}
    for term, entry in check_index_terms(resolved.parsed.index_terms, registers, diagnostics):
        anchor = owner.get(id(term.element)) or headings.get(id(term.element)) or ""  # a heading has no ¶
        link = Backlink(meta.id, meta.title.get(meta.lang, ""), anchor, resolved.paragraph_numbers.get(anchor))
        found = mentions.setdefault((entry.kind, entry.key), [])
        if link not in found:
            found.append(link)


def resolve_edition(documents: list[ParsedDocument], bibliography: Bibliography, style: CitationStyle,
                    register: ArchivesRegister, ledger: Ledger, editorial_logs: dict,
                    config: Config, diagnostics: Diagnostics) -> Edition:
    for key in sorted(set(bibliography.keys()) & set(register.units)):
        diagnostics.error(register.units[key].position, "cite-ambiguous-key",
                          f"key {key!r} names both an archival unit and a bibliography entry "
                          f"({bibliography.entry_position(key)})")
    new_ledger = resolve_anchors(documents, ledger, config, diagnostics)
    anchors = {d.source.meta.id: document_anchors(d) for d in documents}
    files = document_files(documents)
    registers = read_index_registers(config, diagnostics)
    mentions: dict[tuple[str, str], list[Backlink]] = {}
    cited: dict[str, list[Backlink]] = {}
    unit_cited: dict[str, list[Backlink]] = {}
    resolved_documents = []
    for parsed in documents:
        resolved = ResolvedDocument(parsed, editorial_log=editorial_logs.get(parsed.source.meta.id, ()))
        body_blocks = [b for b in parsed.blocks if b.part == "body"]
        resolved.paragraph_numbers = {b.element.get("id"): n for n, b in enumerate(body_blocks, start=1)}  # type: ignore[misc]
        for number, block in enumerate(body_blocks, start=1):
            _add_permalink(block.element, number, citation_text(
                parsed.source.meta, config.base_url, CitedParagraph(block.element.get("id") or "", number)))
        resolve_citations(resolved, bibliography, style, register, diagnostics, cited, unit_cited)
        owner = _paragraph_of(parsed)
        resolved.referenced_from = resolve_cross_references(parsed, owner, resolved.paragraph_numbers, diagnostics)
        add_referenced_in(parsed, resolved.referenced_from)
        resolve_links(parsed, files, anchors, diagnostics)
        _record_mentions(resolved, owner, registers, mentions, diagnostics)
        resolved.references = [Reference(r.key, r.html, r.caution, tuple(cited.get(r.key, ())))
                               for r in resolved.references]
        resolved_documents.append(resolved)
    site_bibliography = [Reference(key, style.format_reference(key, bibliography), bibliography.caution(key),
                                   tuple(cited[key]), export_files(key, bibliography))
                         for key in style.sort_keys(cited, bibliography)]
    sources = []
    for siglum, archive in sorted(register.archives.items()):
        units = sorted((u for u in register.units.values() if u.archive == siglum), key=lambda u: _natural(u.path()))
        sources.append(SourcesArchive(archive, tuple(SourcesUnit(u, tuple(unit_cited.get(u.key, ()))) for u in units)))
        for unit in units:
            if unit.key not in unit_cited:
                diagnostics.warning(unit.position, "register-unused", f"archival unit {unit.key!r} is never cited")
    indexes = index_pages(registers, mentions, config.languages[0], config.languages, diagnostics)
    return Edition(resolved_documents, site_bibliography, sources, new_ledger, indexes)


def _natural(path: tuple[str, ...]) -> tuple:
    """Sort ``file 9`` before ``file 10``."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in path)

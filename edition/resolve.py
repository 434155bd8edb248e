"""Stage 3, resolve: what needs more than one document's text.

Two halves, so that a document can be resolved on its own and a later
build can skip it (see ``incremental.py``):

- :func:`resolve_document` takes one parsed document, the ids its blocks
  get (an anchor :class:`~edition.anchors.Assignment`) and the edition's
  shared data (:class:`Shared`: bibliography, style, registers, the
  document files).  Its trees get stable anchors and ¶ permalinks,
  citations are checked and formatted (literature in the chosen style,
  archival units as numbered notes), cross-references labelled, internal
  links rewritten and index terms linked.  It also reports, as plain data,
  what the site-wide pages need from the document: where it cites which
  work and unit, which register entries it names, which anchors it has and
  which anchors of other documents its links expect.
- the site-wide functions (:func:`site_bibliography`, :func:`site_sources`,
  :func:`site_indexes`) build the tables of the site pages from those
  reports of every document: the bibliography and sources with their
  backlinks, the register pages; :func:`check_links` checks each
  document's links against the anchors the target really has.

Every problem is collected; nothing is written here.
"""
from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from markupsafe import Markup

from edition.anchors import Assignment
from edition.cite import CitedParagraph, citation_text
from edition.citations.archival import archival_note_text, locator_text
from edition.citations.bibliography import Bibliography
from edition.citations.export import EXPORT_FORMATS, export
from edition.citations.style import CitationStyle
from edition.citations.syntax import CitationGroup
from edition.config import Config
from edition.diagnostics import Diagnostics, SourcePosition, did_you_mean
from edition.i18n import translations
from edition.indexes import IndexPage, IndexRegisters, check_index_terms, index_pages
from edition.parse import ParsedDocument
from edition.read import DocumentMeta, EditorialChange
from edition.registers import ArchivalUnit, Archive, ArchivesRegister
from edition.xrefs import (CHECKED_FRAGMENT_PREFIXES, ReferenceSource, add_referenced_in, document_anchors,
                           resolve_cross_references)

SAFE_FILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,100}$")


@dataclass(frozen=True)
class Backlink:
    """Where a work, unit or target is cited: a paragraph of a document."""

    document_id: str
    document_title: str
    anchor: str
    paragraph_number: int | None
    locator: str | None = None
    document_lang: str = ""
    """The language of ``document_title``: a page in another language marks the title with it."""


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


def export_names(key: str) -> tuple[tuple[str, str], ...]:
    """(export format, file name) of an entry's downloads; the key names them only when it is a safe file name."""
    stem = key if SAFE_FILE_RE.match(key) else "entry-" + hashlib.sha256(key.encode()).hexdigest()[:12]
    return tuple((name, stem + suffix) for name, (suffix, _) in EXPORT_FORMATS.items())


def export_files(key: str, bibliography: Bibliography) -> tuple[tuple[str, str], ...]:
    """Download files of one entry: (file name, text)."""
    return tuple((file, export(key, bibliography, name)) for name, file in export_names(key))


@dataclass(frozen=True)
class LinkCheck:
    """A link an author wrote to an anchor, checked once every document's anchors are known."""

    target: str | None
    """The document linked to (this one for ``#…``), None when the file is no document."""
    file: str | None
    fragment: str
    position: SourcePosition


@dataclass(frozen=True)
class Shared:
    """What resolving any one document needs from the rest of the edition."""

    config: Config
    bibliography: Bibliography
    style: CitationStyle
    register: ArchivesRegister
    registers: IndexRegisters
    files: dict[str, str]
    """File name in ``content/`` → document id: what authors write in links."""
    formatted: dict[str, Markup] = field(default_factory=dict)
    """Key → reference-list entry as formatted for this bibliography and style (by an earlier build)."""

    def reference(self, key: str) -> Markup:
        """The key's reference-list entry (formatting an entry is the slow part of citing)."""
        found = self.formatted.get(key)
        if found is None:
            found = self.formatted[key] = self.style.format_reference(key, self.bibliography)
        return found


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
    # What the site-wide pages and checks need from this document:
    cited: list[tuple[str, Backlink]] = field(default_factory=list)
    """(bibliography key, where), in the order of the text."""
    unit_cited: list[tuple[str, Backlink]] = field(default_factory=list)
    """(archival unit key, where), in the order of the text."""
    mentions: list[tuple[tuple[str, str], Backlink]] = field(default_factory=list)
    """((register kind, key), where), once per paragraph."""
    anchors: frozenset[str] = frozenset()
    """Every id the document's trees carry, for links from other documents."""
    link_checks: list[LinkCheck] = field(default_factory=list)

    @property
    def meta(self) -> DocumentMeta:
        return self.parsed.source.meta


def _paragraph_of(parsed: ParsedDocument) -> dict[int, str]:
    """Element id() → anchor of the block that contains it."""
    owner: dict[int, str] = {}
    for block in parsed.blocks:
        anchor = block.element.get("id")
        for element in block.element.iter():
            owner[id(element)] = anchor  # type: ignore[assignment]
    return owner


def place_anchors(parsed: ParsedDocument, assignment: Assignment) -> None:
    """Give every block its id; old ids land on their paragraph (aliases inside it, tombstones before it)."""
    for block, anchor in zip(parsed.blocks, assignment.ids):
        block.element.set("id", anchor)
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


def _add_permalink(element: etree.Element, number: int, citation: str, title: str) -> None:
    """The ¶ number in the margin: display only, and a plain link to the paragraph's permalink.

    The paragraph's citation rides along, hidden until the paragraph is the
    link target, so "cite this paragraph" works without JavaScript."""
    link = etree.Element("a", {"class": "para-link", "href": f"#{element.get('id')}", "title": title})
    link.text = f"¶{number}"
    link.tail = element.text
    element.text = None
    element.insert(0, link)
    cite = etree.SubElement(element, "span", {"class": "para-cite"})
    cite.text = citation


def _cite_literature(parts, element: etree.Element) -> None:  # noqa: ANN001
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


def resolve_citations(resolved: ResolvedDocument, shared: Shared, diagnostics: Diagnostics) -> None:
    """Format the document's citations; archival ones become numbered notes."""
    parsed = resolved.parsed
    meta = parsed.source.meta
    bibliography, style, register = shared.bibliography, shared.style, shared.register
    title = meta.title.get(meta.lang, "")
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
                resolved.unit_cited.append((unit.key, Backlink(meta.id, title, anchor or "", number,
                                                                locator_text(item.locator), meta.lang)))
            elif item.key in bibliography:
                literature.append(item)
                if item.key not in doc_keys:
                    doc_keys.append(item.key)
                resolved.cited.append((item.key, Backlink(meta.id, title, anchor or "", number,
                                                          locator_text(item.locator), meta.lang)))
            else:
                diagnostics.error(group.position, "cite-unknown", f"unknown citation key {item.key!r}",
                                  did_you_mean(item.key, [*bibliography.keys(), *register.units]))
        if literature:
            sub = CitationGroup(tuple(literature), group.position, group.narrative, group.printed)
            span = etree.Element("span")
            _cite_literature(style.format_citation(sub, bibliography), span)
            # Literature text goes before any note markers of the same group.
            element.text = span.text
            for index, child in enumerate(list(span)):
                element.insert(index, child)
    own: dict[str, list[Backlink]] = {}
    for key, link in resolved.cited:
        own.setdefault(key, []).append(link)
    resolved.references = [Reference(key, shared.reference(key), bibliography.caution(key), tuple(own.get(key, ())))
                           for key in style.sort_keys(doc_keys, bibliography)]


def _variant_siglum(printed: str | None, archive: Archive) -> str | None:
    """The variant siglum the printed citation used, if the edition normalised it."""
    if not printed:
        return None
    head = printed.lstrip("(").split(".")[0].strip()
    return head if head in archive.variants else None


def _record_mentions(resolved: ResolvedDocument, owner: dict[int, str], registers: IndexRegisters,
                     diagnostics: Diagnostics) -> None:
    """Check the document's index terms and note, once per paragraph, where each entry is named."""
    meta = resolved.meta
    headings = {id(element): h.id for h in resolved.parsed.headings if h.id for element in h.element.iter()}
    seen: set[tuple[tuple[str, str], Backlink]] = set()
    for term, entry in check_index_terms(resolved.parsed.index_terms, registers, diagnostics):
        anchor = owner.get(id(term.element)) or headings.get(id(term.element)) or ""  # a heading has no ¶
        mention = ((entry.kind, entry.key),
                   Backlink(meta.id, meta.title.get(meta.lang, ""), anchor, resolved.paragraph_numbers.get(anchor),
                            document_lang=meta.lang))
        if mention not in seen:
            seen.add(mention)
            resolved.mentions.append(mention)


def rewrite_links(resolved: ResolvedDocument, files: dict[str, str]) -> None:
    """Publish links to other documents under their clean URLs; note every anchor a link expects."""
    parsed = resolved.parsed
    this = parsed.source.meta.id
    for link in parsed.links:
        target: str | None = this
        if link.file is not None:
            target = files.get(link.file)
        fragment = link.fragment or ""
        resolved.link_checks.append(LinkCheck(target, link.file, fragment, link.position))
        if link.file is not None and target is not None:  # from the document's own folder
            href = ("" if target == this else f"../{target}/") + (f"#{fragment}" if fragment else "")
            link.element.set("href", href or "./")


def resolve_document(parsed: ParsedDocument, assignment: Assignment, shared: Shared,
                     editorial_log: tuple[EditorialChange, ...], diagnostics: Diagnostics) -> ResolvedDocument:
    """Everything one document needs from the edition, applied to its trees (see the module's doc)."""
    config = shared.config
    meta = parsed.source.meta
    for problem in assignment.problems:
        diagnostics.error(SourcePosition(parsed.source.src_path, parsed.source.body_line), "anchor-conflict", problem)
    place_anchors(parsed, assignment)
    resolved = ResolvedDocument(parsed, editorial_log=editorial_log)
    resolved.anchors = frozenset(document_anchors(parsed))
    body_blocks = [b for b in parsed.blocks if b.part == "body"]
    resolved.paragraph_numbers = {b.element.get("id"): n for n, b in enumerate(body_blocks, start=1)}  # type: ignore[misc]
    catalogue = translations(meta.lang, config.root / "locale")
    for number, block in enumerate(body_blocks, start=1):
        _add_permalink(block.element, number,
                       citation_text(meta, config.base_url, CitedParagraph(block.element.get("id") or "", number)),
                       catalogue.gettext("Permalink to paragraph %(n)s") % {"n": number})
    resolve_citations(resolved, shared, diagnostics)
    owner = _paragraph_of(parsed)
    resolved.referenced_from = resolve_cross_references(parsed, owner, resolved.paragraph_numbers, diagnostics)
    add_referenced_in(parsed, resolved.referenced_from)
    rewrite_links(resolved, shared.files)
    _record_mentions(resolved, owner, shared.registers, diagnostics)
    return resolved


# -- the site-wide half ---------------------------------------------------------------------------

def check_links(checks: Iterable[tuple[str, Sequence[LinkCheck]]], anchors: dict[str, frozenset[str]],
                files: dict[str, str], diagnostics: Diagnostics) -> None:
    """Every internal link against the anchors its target really has (live ids, aliases, tombstones)."""
    for this, links in checks:
        for link in links:
            if link.target is None:
                diagnostics.error(link.position, "link-document",
                                  f"link to {link.file!r}, which is not a document in content/",
                                  did_you_mean(link.file or "", files))
                continue
            fragment = link.fragment
            have = anchors.get(link.target, frozenset())
            if fragment.startswith(CHECKED_FRAGMENT_PREFIXES) and fragment not in have:
                where = "this document" if link.target == this else f"document {link.target!r}"
                diagnostics.error(link.position, "link-anchor", f"link to #{fragment}, which {where} does not have",
                                  did_you_mean(fragment, have))


@dataclass(frozen=True)
class SourcesUnit:
    unit: ArchivalUnit
    backlinks: tuple[Backlink, ...]


@dataclass(frozen=True)
class SourcesArchive:
    archive: Archive
    units: tuple[SourcesUnit, ...]


def cited_by_key(reports: Iterable[Sequence[tuple[str, Backlink]]]) -> dict[str, list[Backlink]]:
    """Key → backlinks, documents in the order given, each in the order of its text."""
    table: dict[str, list[Backlink]] = {}
    for report in reports:
        for key, link in report:
            table.setdefault(key, []).append(link)
    return table


def site_bibliography(cited: dict[str, list[Backlink]], bibliography: Bibliography, style: CitationStyle,
                      formatted: dict[str, Markup] | None = None) -> list[Reference]:
    """Every work cited anywhere, in the style's order, with its backlinks and downloads.

    ``formatted``: entries already formatted (key → HTML), as :attr:`Shared.formatted`.
    """
    formatted = {} if formatted is None else formatted
    return [Reference(key, formatted.get(key) or style.format_reference(key, bibliography),
                      bibliography.caution(key), tuple(cited[key]), export_files(key, bibliography))
            for key in style.sort_keys(cited, bibliography)]


def site_sources(unit_cited: dict[str, list[Backlink]], register: ArchivesRegister,
                 diagnostics: Diagnostics) -> list[SourcesArchive]:
    """Archives and their units, with where each unit is cited; units never cited are warned about."""
    sources = []
    for siglum, archive in sorted(register.archives.items()):
        units = sorted((u for u in register.units.values() if u.archive == siglum), key=lambda u: _natural(u.path()))
        sources.append(SourcesArchive(archive, tuple(SourcesUnit(u, tuple(unit_cited.get(u.key, ()))) for u in units)))
        for unit in units:
            if unit.key not in unit_cited:
                diagnostics.warning(unit.position, "register-unused", f"archival unit {unit.key!r} is never cited")
    return sources


def site_indexes(mentions: dict[tuple[str, str], list[Backlink]], registers: IndexRegisters, config: Config,
                 diagnostics: Diagnostics) -> list[IndexPage]:
    """The register pages: persons, places, organisations."""
    return index_pages(registers, mentions, config.languages[0], config.languages, diagnostics)


def check_ambiguous_keys(bibliography: Bibliography, register: ArchivesRegister, diagnostics: Diagnostics) -> None:
    for key in sorted(set(bibliography.keys()) & set(register.units)):
        diagnostics.error(register.units[key].position, "cite-ambiguous-key",
                          f"key {key!r} names both an archival unit and a bibliography entry "
                          f"({bibliography.entry_position(key)})")


def _natural(path: tuple[str, ...]) -> tuple:
    """Sort ``file 9`` before ``file 10``."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in path)

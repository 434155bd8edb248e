"""Cross-references and internal links, resolved once every anchor is final.

``@sec:…``, ``@fig:…`` and ``@tbl:…`` are labelled in the language of the
part that holds them ("Figure 1", "Сурет 1", "Рисунок 1"), figures and
tables numbered per document; every target then lists the paragraphs that
refer to it.  Links an author wrote to a paragraph or to another document
are checked against the anchors that document really publishes (stable
ids, and the aliases and tombstones that keep old links landing), because a
link that lands nowhere is the one mistake a reader cannot recover from.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from pathlib import PurePosixPath

from edition.diagnostics import Diagnostics, SourcePosition, did_you_mean
from edition.extensions.citations import XREF_PREFIXES
from edition.extensions.positions import SourceCursor
from edition.parse import ParsedDocument

FIGURE_LABEL = {"en": "Figure", "kk": "Сурет", "ru": "Рисунок"}
TABLE_LABEL = {"en": "Table", "kk": "Кесте", "ru": "Таблица"}
SECTION_NUMBER = {"en": "Section {}", "kk": "{}-бөлім", "ru": "Раздел {}"}
REFERENCED_IN = {"en": "Referenced in", "kk": "Мәтіндегі сілтемелер:", "ru": "Ссылки в тексте:"}
ABSTRACT = {"en": "abstract", "kk": "аңдатпа", "ru": "аннотация"}
NUMBERED_HEADING_RE = re.compile(r"^(?P<number>\d+(?:\.\d+)*)\.?(?:\s|$)")
CHECKED_FRAGMENT_PREFIXES = ("p-", *XREF_PREFIXES)
"""Fragments naming the edition's own anchors; others (``#ref-…``, ``#note-…``) come from templates."""


@dataclass(frozen=True)
class ReferenceSource:
    """A paragraph that refers to a target: its anchor and ¶ number (None outside the body)."""

    anchor: str
    paragraph_number: int | None


def part_language(parsed: ParsedDocument, part: str) -> str:
    """``abstract.kk`` is Kazakh whatever the document's language; the body is the document's."""
    return part.split(".", 1)[1] if part.startswith("abstract.") else parsed.source.meta.lang


def document_anchors(parsed: ParsedDocument) -> set[str]:
    """Every id a document's trees carry: paragraphs, aliases, tombstones, headings, figures, tables."""
    return {element.get("id") for root in parsed.parts.values()  # type: ignore[misc]
            for element in root.iter() if element.get("id")}


def _target_elements(parsed: ParsedDocument) -> list[tuple[str, etree.Element, str]]:
    """(label, element, kind) of every labelled target, in document order per kind."""
    found = [(h.id, h.element, "sec") for h in parsed.headings if h.id]
    found += [(f.label, f.element, "fig") for f in parsed.figures if f.label]
    found += [(t.label, t.element, "tbl") for t in parsed.tables if t.label]
    return found  # type: ignore[return-value]


def _label_positions(parsed: ParsedDocument, label: str) -> list[SourcePosition]:
    """Where ``{#label}`` is written in the body, for reporting duplicates."""
    source = parsed.source
    cursor = SourceCursor(source.body, source.src_path, source.body_line)
    pattern = re.compile(r"\{[^{}\n]*#" + re.escape(label) + r"(?=[\s}])")
    return [cursor.position_at(m.start()) for m in pattern.finditer(source.body)]


@dataclass(frozen=True)
class _Target:
    kind: str
    """``sec``, ``fig`` or ``tbl``."""
    number: str
    """Figures' and tables' number in the document; a section's own number, if its heading has one."""
    title: str = ""

    def text(self, lang: str) -> str:
        if self.kind == "fig":
            return f"{FIGURE_LABEL.get(lang, FIGURE_LABEL['en'])} {self.number}"
        if self.kind == "tbl":
            return f"{TABLE_LABEL.get(lang, TABLE_LABEL['en'])} {self.number}"
        return SECTION_NUMBER.get(lang, SECTION_NUMBER["en"]).format(self.number) if self.number else self.title


def _targets(parsed: ParsedDocument, diagnostics: Diagnostics) -> dict[str, _Target]:
    """Label → target, figures and tables numbered in document order; reports duplicate labels."""
    targets: dict[str, _Target] = {}
    counts = {"fig": 0, "tbl": 0}
    seen: dict[str, int] = {}
    for label, _, kind in _target_elements(parsed):
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            continue
        if kind == "sec":
            title = next(h.text for h in parsed.headings if h.id == label)
            numbered = NUMBERED_HEADING_RE.match(title)
            targets[label] = _Target(kind, numbered["number"] if numbered else "", title)
        else:
            counts[kind] += 1
            targets[label] = _Target(kind, str(counts[kind]))
    for label, count in sorted(seen.items()):
        if count > 1:
            positions = _label_positions(parsed, label) or [SourcePosition(parsed.source.src_path,
                                                                            parsed.source.body_line)]
            first = positions[0]
            for position in positions[1:] or positions:
                diagnostics.error(position, "xref-duplicate",
                                  f"duplicate label {label!r}: already defined at line {first.line}",
                                  "give each section, figure and table its own label")
    return targets


def resolve_cross_references(parsed: ParsedDocument, owner: dict[int, str], paragraph_numbers: dict[str, int],
                             diagnostics: Diagnostics) -> dict[str, tuple[ReferenceSource, ...]]:
    """Label and link every ``@sec/@fig/@tbl``; return target → the paragraphs referring to it."""
    targets = _targets(parsed, diagnostics)
    sources: dict[str, list[ReferenceSource]] = {}
    for ref in parsed.cross_references:
        if ref.target not in targets:
            diagnostics.error(ref.position, "xref-unknown",  # type: ignore[arg-type]
                              f"unresolved cross-reference @{ref.target}", did_you_mean(ref.target, targets))
            continue
        ref.element.set("href", f"#{ref.target}")
        ref.element.text = targets[ref.target].text(part_language(parsed, ref.part))
        anchor = owner.get(id(ref.element))
        if anchor:
            source = ReferenceSource(anchor, paragraph_numbers.get(anchor))
            if source not in sources.setdefault(ref.target, []):
                sources[ref.target].append(source)
    return {label: tuple(found) for label, found in sources.items()}


def add_referenced_in(parsed: ParsedDocument, referenced_from: dict[str, tuple[ReferenceSource, ...]]) -> None:
    """A "Referenced in ¶ 3, ¶ 7" line under each target's caption or heading."""
    lang = parsed.source.meta.lang
    parents = {child: parent for root in parsed.parts.values() for parent in root.iter() for child in parent}
    for label, element, kind in _target_elements(parsed):
        sources = referenced_from.get(label)
        if not sources or element.get("id") != label:
            continue
        line = etree.Element("p", {"class": "referenced-in"})
        line.text = REFERENCED_IN.get(lang, REFERENCED_IN["en"]) + " "
        for index, source in enumerate(sources):
            link = etree.SubElement(line, "a", {"href": f"#{source.anchor}"})
            link.text = (f"¶\u202f{source.paragraph_number}" if source.paragraph_number
                         else ABSTRACT.get(lang, ABSTRACT["en"]))
            link.tail = ", " if index < len(sources) - 1 else None
        holder = element.find("figcaption" if kind == "fig" else "caption")
        if kind in ("fig", "tbl") and holder is not None:
            holder.append(line)
        elif element in parents:
            parent = parents[element]
            parent.insert(list(parent).index(element) + 1, line)


def document_files(documents: list[ParsedDocument]) -> dict[str, str]:
    """File name in ``content/`` → document id: what authors write in links."""
    return {PurePosixPath(d.source.src_path).name: d.source.meta.id for d in documents}


def resolve_links(parsed: ParsedDocument, files: dict[str, str], anchors: dict[str, set[str]],
                  diagnostics: Diagnostics) -> None:
    """Check every internal link and rewrite links to other documents to their clean URLs."""
    this = parsed.source.meta.id
    for link in parsed.links:
        target = this
        if link.file is not None:
            if link.file not in files:
                diagnostics.error(link.position, "link-document",
                                  f"link to {link.file!r}, which is not a document in content/",
                                  did_you_mean(link.file, files))
                continue
            target = files[link.file]
        fragment = link.fragment or ""
        if fragment.startswith(CHECKED_FRAGMENT_PREFIXES) and fragment not in anchors.get(target, set()):
            where = "this document" if target == this else f"document {target!r}"
            diagnostics.error(link.position, "link-anchor", f"link to #{fragment}, which {where} does not have",
                              did_you_mean(fragment, anchors.get(target, ())))
            continue
        if link.file is not None:  # the clean URL the site publishes, from the document's own folder
            href = ("" if target == this else f"../{target}/") + (f"#{fragment}" if fragment else "")
            link.element.set("href", href or "./")

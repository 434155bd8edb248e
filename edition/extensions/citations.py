"""Citation syntax: ``[@key, p. 5]``, ``[@a; @b]``, ``[-@key]``, narrative ``@key``.

The inline processors only recognise citations and leave an empty
``<span class="citation">`` where each stands; the resolve stage fills
it in, because formatting needs the whole bibliography and archival
citations become numbered notes.  Cross-references (``@sec:…``,
``@fig:…``, ``@tbl:…``) share the ``@`` syntax and are recorded apart.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from edition.citations.syntax import KEY, CitationGroup, CitationItem, parse_group, parse_locator
from edition.extensions.positions import SourceCursor

XREF_PREFIXES = ("sec:", "fig:", "tbl:")
"""Key prefixes that name a target in the edition, not a work (pandoc-crossref's)."""

PRINTED_ATTR = r'(?:\{printed="(?P<printed>[^"]*)"\})?'
BRACKETED_PATTERN = r"\[(?P<body>[^\[\]]*?-?@(?:" + KEY + r")[^\[\]]*)\]" + PRINTED_ATTR
NARRATIVE_PATTERN = r"(?<![\w@\[/.:-])@(?P<key>" + KEY + r")(?:\s\[(?P<locator>[^\[\]@]+)\])?" + PRINTED_ATTR


@dataclass
class CitationOccurrence:
    """A citation as found in a document part, with the element the resolver fills."""

    group: CitationGroup
    element: etree.Element
    part: str
    """Which part of the document holds it: ``body`` or ``abstract.<lang>``."""


@dataclass
class CrossReference:
    target: str
    """``sec:results``, ``fig:routes``..."""
    element: etree.Element
    position: object
    part: str


class _CitationProcessor(InlineProcessor):
    def __init__(self, pattern: str, extension: "CitationExtension", narrative: bool):
        super().__init__(pattern)
        self.extension = extension
        self.narrative = narrative

    def handleMatch(self, m: re.Match[str], data: str):  # type: ignore[override]
        ext = self.extension
        position = ext.cursor.locate(m.group(0))
        printed = html.unescape(m["printed"]) if m["printed"] is not None else None
        if self.narrative:
            key = m["key"]
            if key.startswith(XREF_PREFIXES):
                return ext.cross_reference(key, position), m.start(0), m.end(0)
            locator, suffix = parse_locator(m["locator"]) if m["locator"] else (None, "")
            group = CitationGroup((CitationItem(key=key, locator=locator, suffix=suffix),),
                                  position, narrative=True, printed=printed)
        else:
            group = parse_group(m["body"], position, printed)
            if group is None:
                return None, None, None
            if len(group.items) == 1 and group.items[0].key.startswith(XREF_PREFIXES):
                return ext.cross_reference(group.items[0].key, position), m.start(0), m.end(0)
        element = etree.Element("span", {"class": "citation"})
        ext.citations.append(CitationOccurrence(group, element, ext.part))
        return element, m.start(0), m.end(0)


class CitationExtension(Extension):
    """Records citations and cross-references of the part being converted."""

    def __init__(self, **kwargs: object):
        super().__init__(**kwargs)
        self.citations: list[CitationOccurrence] = []
        self.cross_references: list[CrossReference] = []
        self.cursor = SourceCursor()
        self.part = "body"

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        # Before links (160) and footnote references (175): a bracketed citation
        # would otherwise be read as a reference-style link.
        md.inlinePatterns.register(_CitationProcessor(BRACKETED_PATTERN, self, False), "citation", 185)
        md.inlinePatterns.register(_CitationProcessor(NARRATIVE_PATTERN, self, True), "narrative-citation", 184)

    def cross_reference(self, target: str, position: object) -> etree.Element:
        element = etree.Element("a", {"class": "xref"})
        self.cross_references.append(CrossReference(target, element, position, self.part))
        return element

    def reset(self) -> None:
        self.citations = []
        self.cross_references = []

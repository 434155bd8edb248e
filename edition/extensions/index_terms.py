"""Index terms as bracketed spans: ``[Serikul Aldabergenov]{.person key=aldabergenov}``.

Pandoc's bracketed-span syntax keeps the source readable and portable, and
wraps the words exactly as printed, so the text of the edition stays the
text of the source.  Kinds are ``.person``, ``.place`` and ``.org``.

The processor only marks the words (an empty-of-meaning
``<span class="index-term person" data-key="…">``) and records the
occurrence with its source position; the resolve stage checks the key
against the registers and adds the link to the register page, because only
then are all registers and paragraph anchors known.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from edition.diagnostics import SourcePosition
from edition.extensions.positions import SourceCursor

KINDS = ("person", "place", "org")
"""Classes that make a bracketed span an index term."""

PATTERN = (r"\[(?P<text>[^\[\]]+)\]"
           r"\{\s*\.(?P<kind>[A-Za-z][\w-]*)"
           r"(?:\s+key=(?:\"(?P<quoted>[^\"]*)\"|(?P<key>[^\s\"}]+)))?\s*\}")
"""``[words]{.kind key=k}``; brackets cannot nest, so a span never swallows a citation."""

PRIORITY = 172
"""After citations (185, 184: they claim brackets holding ``@`` and their ``{printed=…}``),
backslash escapes (180) and footnote references (175); before reference links (170)
and links (160), which would otherwise read ``[words]`` as a link label."""


@dataclass
class IndexTermOccurrence:
    """One marked mention, with the element the resolver links to the register page."""

    kind: str
    """As written (``person``, ``place``, ``org``; anything else is reported)."""
    key: str | None
    text: str
    element: etree.Element
    position: SourcePosition
    part: str


class _IndexTermProcessor(InlineProcessor):
    def __init__(self, extension: "IndexTermExtension"):
        super().__init__(PATTERN)
        self.extension = extension

    def handleMatch(self, m: re.Match[str], data: str):  # type: ignore[override]
        kind = m["kind"]
        key = m["quoted"] if m["quoted"] is not None else m["key"]
        if kind not in KINDS and key is None:
            return None, None, None  # another bracketed span (``{.smallcaps}``): not ours
        ext = self.extension
        position = ext.cursor.locate(m.group(0))
        element = etree.Element("span", {"class": f"index-term {kind}"})
        if key is not None:
            element.set("data-key", key)
        # The words stay inline Markdown: later (lower-priority) patterns still apply to them.
        element.text = m["text"]
        ext.terms.append(IndexTermOccurrence(kind, key, " ".join(m["text"].split()), element, position, ext.part))
        return element, m.start(0), m.end(0)


class IndexTermExtension(Extension):
    """Records the index terms of the part being converted."""

    def __init__(self, **kwargs: object):
        super().__init__(**kwargs)
        self.terms: list[IndexTermOccurrence] = []
        self.cursor = SourceCursor()
        self.part = "body"

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.inlinePatterns.register(_IndexTermProcessor(self), "index-term", PRIORITY)

    def reset(self) -> None:
        self.terms = []

"""Links within the edition: ``[text](#p-…)``, ``[text](other.md)``, ``[text](other.md#p-…)``.

Authors link to another document by its file name, as their editor shows
it; the site publishes documents under clean URLs (``../<id>/``), and a
link must still land after the text is revised.  This treeprocessor only
finds the links an author wrote (with their source positions); the
resolve stage checks each against the final anchors of its target (after
stable ids, aliases and tombstones are placed) and rewrites the URL.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from edition.diagnostics import SourcePosition
from edition.extensions.positions import SourceCursor

DOCUMENT_LINK_RE = re.compile(r"^(?:\./)?(?P<file>[^/#?:\s]+\.md)(?:#(?P<fragment>.*))?$")


@dataclass
class LinkOccurrence:
    element: etree.Element
    """The ``<a>``; resolve rewrites its ``href``."""
    file: str | None
    """File name of the target document in ``content/``, or None for this document."""
    fragment: str | None
    position: SourcePosition
    part: str


class _LinkCollector(Treeprocessor):
    def __init__(self, md: Markdown, extension: "LinkExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        ext = self.extension
        for element in root.iter("a"):
            href = element.get("href")
            # Links the edition made itself (footnote references, cross-references) carry a class;
            # an author's class comes from attr_list, which runs after this processor.
            if href is None or element.get("class"):
                continue
            if href.startswith("#"):
                file, fragment = None, href[1:]
            else:
                match = DOCUMENT_LINK_RE.match(href)
                if match is None:
                    continue  # external, or a file that is not a document
                file, fragment = match["file"], match["fragment"]
            ext.links.append(LinkOccurrence(element, file, fragment, ext.cursor.locate(href), ext.part))


class LinkExtension(Extension):
    """Records the internal links of the part being converted."""

    def __init__(self, **kwargs: object):
        super().__init__(**kwargs)
        self.links: list[LinkOccurrence] = []
        self.cursor = SourceCursor()
        self.part = "body"

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        # After inline processing (20) made the links; before attr_list (8) adds classes.
        md.treeprocessors.register(_LinkCollector(md, self), "edition-links", 19)

    def reset(self) -> None:
        self.links = []

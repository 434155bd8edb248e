"""Table captions and labels with Pandoc's syntax: ``Table: Caption text {#tbl:label}``.

The caption is a paragraph of its own, separated by a blank line, directly
before or after a Markdown table (before wins when a paragraph sits between
two tables).  It becomes the table's ``<caption>`` and the label its id, so
``@tbl:label`` can refer to it; numbering waits for the resolve stage, which
sees the whole document.

The processor runs before inline processing, on the caption's raw text, so
citations and emphasis in a caption are handled like anywhere else.
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

CAPTION_RE = re.compile(r"^[Tt]able:[ \t]+(?P<caption>.*?)(?:[ \t]*\{#(?P<label>tbl:[\w:.-]+)\})?[ \t]*$", re.DOTALL)


@dataclass
class TableOccurrence:
    label: str | None
    element: etree.Element
    """The ``<table>``; its ``<caption>`` is the first child."""
    caption: str
    position: SourcePosition
    part: str


def _is_caption(element: etree.Element | None) -> bool:
    return (element is not None and element.tag == "p" and len(element) == 0
            and isinstance(element.text, str) and CAPTION_RE.match(element.text) is not None)


class _TableCaptionProcessor(Treeprocessor):
    def __init__(self, md: Markdown, extension: "TableCaptionExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for table in list(root.iter("table")):  # document order, for numbering
            parent = parents[table]
            index = list(parent).index(table)
            before = parent[index - 1] if index > 0 else None
            after = parent[index + 1] if index + 1 < len(parent) else None
            if index + 2 < len(parent) and parent[index + 2].tag == "table":
                after = None  # it captions the next table
            caption = before if _is_caption(before) else after if _is_caption(after) else None
            if caption is not None:
                self._attach(table, caption)
                parent.remove(caption)

    def _attach(self, table: etree.Element, paragraph: etree.Element) -> None:
        ext = self.extension
        match = CAPTION_RE.match(paragraph.text or "")
        assert match is not None
        position = ext.cursor.locate(paragraph.text or "")
        element = etree.Element("caption")
        element.text = match["caption"]
        table.insert(0, element)
        if match["label"]:
            table.set("id", match["label"])
        ext.tables.append(TableOccurrence(match["label"], table, " ".join(match["caption"].split()),
                                          position, ext.part))


class TableCaptionExtension(Extension):
    """Records the captioned tables of the part being converted."""

    def __init__(self, **kwargs: object):
        super().__init__(**kwargs)
        self.tables: list[TableOccurrence] = []
        self.cursor = SourceCursor()
        self.part = "body"

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        # Before inline processing (20): the caption is still raw Markdown text.
        md.treeprocessors.register(_TableCaptionProcessor(md, self), "edition-table-captions", 30)

    def reset(self) -> None:
        self.tables = []

"""Blocks of running text: what receives a stable paragraph anchor.

Runs after attribute lists (so ``{#p-name}`` pins are already ids) and
records every paragraph, list item without paragraphs, figure and table
caption, in document order.  The ids themselves are chosen by the resolve
stage against ``anchors.lock``; here we only find the blocks.
"""
from __future__ import annotations

import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ANCHOR_PREFIX = "p-"
BLOCK_TAGS = {"p", "li", "figcaption", "caption", "dd"}
NESTED_BLOCK_TAGS = {"p", "ul", "ol", "div", "blockquote", "figure", "table", "dl"}


@dataclass
class BlockOccurrence:
    element: etree.Element
    text: str
    """Plain text of the block, used to match it against the anchor ledger."""
    pinned: str | None
    """An author-given anchor (``{#p-name}``), which wins over matching."""
    part: str
    kind: str
    """``paragraph``, ``list-item``, ``caption``, ``footnote``..."""


def _text(element: etree.Element) -> str:
    return " ".join("".join(element.itertext()).split())


class _BlockCollector(Treeprocessor):
    def __init__(self, md: Markdown, extension: "BlockExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        self._walk(root, in_footnotes=False)

    def _walk(self, element: etree.Element, in_footnotes: bool) -> None:
        for child in element:
            footnotes = in_footnotes or "footnote" in (child.get("class") or "").split()
            if child.tag in BLOCK_TAGS and not any(c.tag in NESTED_BLOCK_TAGS for c in child):
                text = _text(child)
                if text or child.tag == "p":
                    current = child.get("id")
                    pinned = current if current and current.startswith(ANCHOR_PREFIX) else None
                    kind = ("footnote" if footnotes else
                            {"li": "list-item", "figcaption": "caption", "caption": "caption"}.get(child.tag, "paragraph"))
                    self.extension.blocks.append(BlockOccurrence(child, text, pinned, self.extension.part, kind))
                    continue
            self._walk(child, footnotes)


class BlockExtension(Extension):
    def __init__(self, **kwargs: object):
        super().__init__(**kwargs)
        self.blocks: list[BlockOccurrence] = []
        self.part = "body"

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        # attr_list runs at 8; after it, pinned ids are already attributes.
        md.treeprocessors.register(_BlockCollector(md, self), "edition-blocks", 7)

    def reset(self) -> None:
        self.blocks = []

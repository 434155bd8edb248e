"""Figures as fenced divs: ``::: figure {#fig:label}`` … ``:::``.

The first line inside is the image (``![caption](path)``), the rest is
caption text.  ``missing`` as the path marks a figure the source text
refers to but does not reproduce: the edition shows a slot with the
caption and says plainly that the image is not reproduced.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown import Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension

OPEN_RE = re.compile(r"^:::\s*figure\s*(?:\{#(?P<label>[\w:.-]+)\})?\s*$")
IMAGE_RE = re.compile(r"^!\[(?P<caption>[^\]]*)\]\((?P<src>[^)\s]*)\)\s*$")
MISSING = "missing"

NOT_REPRODUCED = {
    "en": "The image is not reproduced in this edition: the source text does not include it.",
    "kk": "Сурет бұл басылымда берілмеген: бастапқы мәтінде жоқ.",
    "ru": "Изображение в этом издании не воспроизводится: его нет в исходном тексте.",
}


@dataclass
class FigureOccurrence:
    label: str | None
    element: etree.Element
    caption: str
    missing: bool


class _FigureProcessor(BlockProcessor):
    def __init__(self, parser, extension: "FigureExtension"):
        super().__init__(parser)
        self.extension = extension

    def test(self, parent: etree.Element, block: str) -> bool:
        return bool(OPEN_RE.match(block.split("\n", 1)[0]))

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        opening, _, rest = blocks.pop(0).partition("\n")
        label = OPEN_RE.match(opening)["label"]  # type: ignore[index]
        inner: list[str] = []
        pending = [rest] if rest else []
        while pending or blocks:
            block = pending.pop(0) if pending else blocks.pop(0)
            lines = block.split("\n")
            if ":::" in (line.strip() for line in lines):
                end = [line.strip() for line in lines].index(":::")
                if lines[:end]:
                    inner.append("\n".join(lines[:end]))
                if lines[end + 1:]:
                    blocks.insert(0, "\n".join(lines[end + 1:]))
                break
            inner.append(block)
        figure = etree.SubElement(parent, "figure", {"class": "figure"})
        if label:
            figure.set("id", label)
        caption_text, src = "", ""
        if inner and IMAGE_RE.match(inner[0].strip()):
            image = IMAGE_RE.match(inner.pop(0).strip())
            caption_text, src = image["caption"], image["src"]  # type: ignore[index]
        missing = src in ("", MISSING)
        if missing:
            slot = etree.SubElement(figure, "div", {"class": "figure-missing"})
            slot.text = NOT_REPRODUCED.get(self.extension.lang, NOT_REPRODUCED["en"])
        else:
            etree.SubElement(figure, "img", {"src": src, "alt": caption_text})
        figcaption = etree.SubElement(figure, "figcaption")
        if caption_text:
            etree.SubElement(figcaption, "p").text = caption_text
        self.parser.parseBlocks(figcaption, inner)
        self.extension.figures.append(FigureOccurrence(label, figure, caption_text, missing))
        return True


class FigureExtension(Extension):
    def __init__(self, **kwargs: object):
        super().__init__(**kwargs)
        self.figures: list[FigureOccurrence] = []
        self.lang = "en"

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.parser.blockprocessors.register(_FigureProcessor(md.parser, self), "figure", 105)

    def reset(self) -> None:
        self.figures = []

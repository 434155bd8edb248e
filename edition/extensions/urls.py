"""Links, images and attributes an editor controls: only safe URLs, only paths inside the project.

Runs last among the tree processors that matter (after attribute lists,
which let an editor set any attribute), over every element of a part:

- an ``href``, ``src`` or other URL attribute whose scheme is not http,
  https or mailto (``javascript:``, ``data:``, ``vbscript:``... however
  spelt or encoded) is dropped, with an ``unsafe-url`` warning;
- event handlers (``on…``), ``style`` and ``srcdoc`` are dropped, with an
  ``unsafe-attribute`` warning;
- relative image paths are recorded, so that :func:`check_image_paths`
  can refuse one that leads outside the project (``path-outside``).
"""
from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from edition.diagnostics import Diagnostic, Diagnostics, SourcePosition
from edition.extensions.positions import SourceCursor
from edition.sanitize import URL_ATTRIBUTES, url_is_safe, url_scheme

ACTIVE_ATTRIBUTES = frozenset({"style", "srcdoc"})
"""Attributes that run or restyle content, besides the ``on…`` event handlers."""


@dataclass(frozen=True)
class ImagePath:
    src: str
    position: SourcePosition


class _UrlChecker(Treeprocessor):
    def __init__(self, md: Markdown, extension: "UrlExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        current = self.extension.cursor()
        cursor = SourceCursor(current.text, current.path, current.first_line, current.first_col)
        for element in root.iter():
            for name in sorted(element.keys()):
                value = element.get(name) or ""
                lowered = name.lower()
                if lowered.startswith("on") or lowered in ACTIVE_ATTRIBUTES:
                    del element.attrib[name]
                    self.extension.warn(cursor.locate(f"{name}="), "unsafe-attribute",
                                        f"removed the attribute {name!r}: scripts and styles are not "
                                        f"part of an edition's text")
                elif lowered in URL_ATTRIBUTES and not all(url_is_safe(url) for url in _urls(lowered, value)):
                    del element.attrib[name]
                    self.extension.warn(cursor.locate(value), "unsafe-url",
                                        f"refused the {url_scheme(value)!r} URL {value[:80]!r}: only http, "
                                        f"https, mailto, relative and #fragment links are kept")
            if element.tag == "img" and element.get("src"):
                src = element.get("src") or ""
                if url_scheme(src) is None and not src.startswith(("#", "//")):
                    self.extension.images.append(ImagePath(src, cursor.locate(src)))


def _urls(name: str, value: str) -> list[str]:
    """The URLs an attribute value holds: ``srcset`` lists candidates, ``ping`` and ``archive`` several."""
    if name in ("srcset", "imagesrcset"):
        return [candidate.strip().split(" ")[0] for candidate in value.split(",")] or [value]
    if name in ("ping", "archive"):
        return value.split() or [value]
    return [value]


class UrlExtension(Extension):
    """Checks every URL and attribute of a part; ``cursor`` gives the part's source for positions."""

    def __init__(self, cursor: Callable[[], SourceCursor], **kwargs: object):
        super().__init__(**kwargs)
        self.cursor = cursor
        self.problems: list[Diagnostic] = []
        self.images: list[ImagePath] = []

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        # attr_list runs at 8: the attributes it sets are checked too.
        md.treeprocessors.register(_UrlChecker(md, self), "edition-urls", 5)

    def warn(self, position: SourcePosition, code: str, message: str) -> None:
        self.problems.append(Diagnostic(position, "warning", code, message))


def check_image_paths(images: Iterable[tuple[str, ImagePath]], root: Path, diagnostics: Diagnostics) -> None:
    """Refuse a relative image path (from its document's folder) that resolves outside ``root``.

    ``images`` pairs the document's path relative to ``root`` with each image it shows.
    Symbolic links are followed, so a link inside the project pointing out of it is refused too.
    """
    project = root.resolve()
    for document, image in images:
        path = urllib.parse.unquote(image.src.split("#", 1)[0].split("?", 1)[0])
        base = project if path.startswith("/") else (project / document).parent
        target = (base / path.lstrip("/")).resolve()
        if target != project and project not in target.parents:
            diagnostics.error(image.position, "path-outside",
                              f"the image path {image.src!r} leads outside the project")


def document_images(md: Markdown) -> list[ImagePath]:
    """Relative image paths the parts converted by ``md`` show."""
    return [image for extension in md.registeredExtensions if isinstance(extension, UrlExtension)
            for image in extension.images]

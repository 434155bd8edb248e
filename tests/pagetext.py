"""Reading a built page back as text, the way the fidelity and golden tests need it."""
from __future__ import annotations

from html.parser import HTMLParser

VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "source", "col", "area", "base", "embed", "track"}


class SectionText(HTMLParser):
    """Collects the text inside elements matching a CSS-like class or id,
    skipping elements whose class is in ``skip_classes``."""

    def __init__(self, select: str, skip_classes: set[str]):
        super().__init__(convert_charrefs=True)
        self.select = select
        self.skip_classes = skip_classes
        self.depth = 0  # depth inside the selected element (0 = outside)
        self.skip_depth = 0
        self.chunks: list[str] = []

    def _matches(self, attrs: dict[str, str | None]) -> bool:
        if self.select.startswith("#"):
            return attrs.get("id") == self.select[1:]
        return self.select[1:] in (attrs.get("class") or "").split()

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        if tag in VOID:
            return
        if self.depth:
            self.depth += 1
            if self.skip_depth:
                self.skip_depth += 1
            elif set((attrs.get("class") or "").split()) & self.skip_classes:
                self.skip_depth = 1
        elif self._matches(attrs):
            self.depth = 1
        if tag in ("p", "li", "h1", "h2", "h3", "div", "figcaption"):
            self.chunks.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.depth:
            return
        self.depth -= 1
        if self.skip_depth:
            self.skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip_depth:
            self.chunks.append(data)

    def text(self) -> str:
        return " ".join("".join(self.chunks).split())


def section_text(html: str, select: str, skip_classes: set[str] = frozenset()) -> str:
    parser = SectionText(select, set(skip_classes))
    parser.feed(html)
    return parser.text()

"""Author-date citations as the page shows them: "(Kozybayev, 1991: 5)".

What a citation looks like is worked out here from two tables computed
once per bibliography and cached with it: each entry's label (names and
year, "2020a" kept apart from "2020b" over the whole file) and its place in
reference-list order.  pybtex, which computes those tables and formats the
reference list (see each style's module: :mod:`.journal`, :mod:`.chicago`),
is imported only when one of them is missing: a rebuild that cites only
works formatted before never loads it.
"""
from __future__ import annotations

import importlib
import weakref
from typing import TYPE_CHECKING, Iterable

from markupsafe import Markup

from edition.citations.bibliography import Bibliography
from edition.citations.style import CitationPart, Label
from edition.citations.syntax import CitationGroup, CitationItem, Locator

if TYPE_CHECKING:
    from edition.citations.styles.common import StyleParts

LOCATOR_TERMS: dict[str, tuple[str, str]] = {
    "page": ("", ""), "volume": ("vol.", "vols."), "chapter": ("ch.", "chs."),
    "section": ("§", "§§"), "folio": ("fol.", "fols."), "sheet": ("sheet", "sheets"),
    "note": ("n.", "nn."), "figure": ("fig.", "figs."), "column": ("col.", "cols."),
    "number": ("no.", "nos."), "line": ("line", "lines"), "paragraph": ("para.", "paras."),
}
"""How a locator label is printed, singular and plural; pages print bare numbers."""

Filing = dict[str, tuple[str, str, int]]
"""Key → (label names, label year, place in reference-list order), over a whole bibliography."""


class AuthorDateStyle:
    """Citations and reference lists for an author-date style.

    Subclasses set the separators and name the module of their pybtex
    parts (label and sorting styles, reference templates).  References
    are formatted only when asked and remembered by entry content, so a
    large file costs little.
    """

    name = "author-date"
    name_year_sep = ", "
    locator_sep = ": "
    item_sep = "; "
    label_version = 2
    """Bump when labels or their order change, so tables cached on disk are computed again."""
    collapse_same_names = False
    """Chicago prints "(Omarbekov 1994, 2018)"; the journal repeats the name."""
    templates = ""
    """The module whose ``parts()`` gives the style's pybtex parts."""

    def __init__(self) -> None:
        self._parts: StyleParts | None = None
        self._filings: weakref.WeakKeyDictionary[Bibliography, Filing] = weakref.WeakKeyDictionary()
        self._formatted: dict[tuple[str, str, Label], Markup] = {}

    @property
    def parts(self) -> StyleParts:
        """The pybtex side of the style, imported on first use."""
        if self._parts is None:
            self._parts = importlib.import_module(self.templates).parts()
        return self._parts

    # -- labels and order ---------------------------------------------------
    def _filing(self, bibliography: Bibliography) -> Filing:
        table = self._filings.get(bibliography)
        if table is None:
            table = bibliography.derived(f"filing-{self.name}-{self.label_version}",
                                         lambda bib: self.parts.filing(bib))
            self._filings[bibliography] = table
        return table

    def prepare(self, bibliography: Bibliography) -> None:
        """Work out the filing table now (and cache it with the bibliography), not at the first citation."""
        self._filing(bibliography)

    def label(self, key: str, bibliography: Bibliography) -> Label:
        """The disambiguated label of ``key``, over the whole bibliography."""
        names, year, _ = self._filing(bibliography)[key]
        return Label(names, year)

    def sort_keys(self, keys: Iterable[str], bibliography: Bibliography) -> list[str]:
        """Known keys in reference-list order, then unknown keys as given."""
        unique = list(dict.fromkeys(keys))
        filing = self._filing(bibliography)
        known = sorted((k for k in unique if k in bibliography), key=lambda k: filing[k][2])
        return known + [k for k in unique if k not in bibliography]

    # -- citations ----------------------------------------------------------
    def format_locator(self, locator: Locator | None) -> str:
        if locator is None:
            return ""
        singular, plural = LOCATOR_TERMS.get(locator.label, (locator.label, locator.label))
        term = plural if locator.is_range else singular
        return self.locator_sep + (f"{term} {locator.value}" if term else locator.value)

    @staticmethod
    def _suffix(text: str) -> str:
        if not text:
            return ""
        return text if text[0] in ",.;:)!?" else " " + text

    @staticmethod
    def _prefix(text: str) -> str:
        return text if not text or text.endswith((" ", "(")) else text + " "

    def _item(self, item: CitationItem, bibliography: Bibliography,
              previous: CitationItem | None, narrative: bool) -> list[CitationPart]:
        """One item; ``previous`` is set when the item continues the same names."""
        if item.key not in bibliography:
            return [CitationPart(self._prefix(item.prefix) + f"{item.key}?" + self._suffix(item.suffix))]
        label = self.label(item.key, bibliography)
        tail = self.format_locator(item.locator) + self._suffix(item.suffix)
        parts = [CitationPart(self._prefix(item.prefix))] if item.prefix else []
        if narrative and not label.year:  # a shorthand is its own label: "SATR: 13"
            return parts + [CitationPart(label.names, item.key), CitationPart(tail)]
        if narrative:
            if not item.suppress_author:
                parts += [CitationPart(label.names, item.key), CitationPart(" (")]
            else:
                parts.append(CitationPart("("))
            return parts + [CitationPart(label.year or label.names, item.key), CitationPart(tail + ")")]
        if previous is not None or item.suppress_author or not label.year:
            text = label.year or label.names
        else:
            text = label.names + self.name_year_sep + label.year
        return parts + [CitationPart(text, item.key), CitationPart(tail)]

    def _continues(self, previous: CitationItem | None, item: CitationItem,
                   bibliography: Bibliography) -> bool:
        if not self.collapse_same_names or previous is None or item.prefix or previous.suffix:
            return False
        if item.suppress_author or previous.suppress_author:
            return False
        if item.key not in bibliography or previous.key not in bibliography:
            return False
        return self.label(item.key, bibliography).names == self.label(previous.key, bibliography).names

    def format_citation(self, group: CitationGroup, bibliography: Bibliography) -> tuple[CitationPart, ...]:
        """The whole citation: "(A, 1991; B, 1992: 5)" or "A (1991: 5)" when narrative."""
        parts: list[CitationPart] = [] if group.narrative else [CitationPart("(")]
        previous: CitationItem | None = None
        for index, item in enumerate(group.items):
            continues = not group.narrative and self._continues(previous, item, bibliography)
            if index:
                plain_pair = continues and previous is not None and not previous.locator and not item.locator
                parts.append(CitationPart(", " if plain_pair else self.item_sep))
            parts += self._item(item, bibliography, previous if continues else None, group.narrative)
            previous = item
        if not group.narrative:
            parts.append(CitationPart(")"))
        return _merge(parts)

    # -- reference list -------------------------------------------------------
    def format_reference(self, key: str, bibliography: Bibliography) -> Markup:
        """One entry as safe HTML; formatted once per entry content and label."""
        label = self.label(key, bibliography)
        cache_key = (bibliography.entry_digest(key), key, label)
        cached = self._formatted.get(cache_key)
        if cached is None:
            cached = self._formatted[cache_key] = self.parts.reference(label, bibliography.entry(key))
        return cached


class JournalStyle(AuthorDateStyle):
    """Author-date as the journal prints it; the default style."""

    name = "journal"
    name_year_sep = ", "
    locator_sep = ": "
    collapse_same_names = False
    templates = "edition.citations.styles.journal"


class ChicagoStyle(AuthorDateStyle):
    """Chicago author-date: no comma before the year, a comma before the page."""

    name = "chicago"
    name_year_sep = " "
    locator_sep = ", "
    collapse_same_names = True
    templates = "edition.citations.styles.chicago"


def _merge(parts: list[CitationPart]) -> tuple[CitationPart, ...]:
    """Join neighbouring unlinked parts and drop empty ones, so the page gets few spans."""
    merged: list[CitationPart] = []
    for part in parts:
        if not part.text:
            continue
        if merged and part.key is None and merged[-1].key is None:
            merged[-1] = CitationPart(merged[-1].text + part.text)
        else:
            merged.append(part)
    return tuple(merged)


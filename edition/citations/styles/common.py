"""The machinery author-date styles share: labels, sorting, citation assembly.

A style module only says how its labels join names and how a citation
separates name, year and locator; everything else lives here.  Labels are
computed once per bibliography over *all* its entries, so "2020a" means
the same work on every page, whichever pages cite it.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Iterable, Iterator

from markupsafe import Markup
from pybtex.database import Entry, Person
from pybtex.style.formatting import BaseStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.labels.number import LabelStyle as NumberLabelStyle
from pybtex.style.names.plain import NameStyle as PlainNameStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.sorting.none import SortingStyle as NoSorting

from edition.citations.backend import render_html
from edition.citations.bibliography import Bibliography, plain, split_names
from edition.citations.collation import sort_key
from edition.citations.style import CitationPart
from edition.citations.syntax import CitationGroup, CitationItem, Locator

NO_YEAR = "n.d."

LOCATOR_TERMS: dict[str, tuple[str, str]] = {
    "page": ("", ""), "volume": ("vol.", "vols."), "chapter": ("ch.", "chs."),
    "section": ("§", "§§"), "folio": ("fol.", "fols."), "sheet": ("sheet", "sheets"),
    "note": ("n.", "nn."), "figure": ("fig.", "figs."), "column": ("col.", "cols."),
    "number": ("no.", "nos."), "line": ("line", "lines"), "paragraph": ("para.", "paras."),
}
"""How a locator label is printed, singular and plural; pages print bare numbers."""


@dataclass(frozen=True)
class Label:
    """The name part and the year part of an author-date label."""

    names: str
    """"Davis, Wheatcroft", "Kozybayev et al.", a short title, or a shorthand."""
    year: str
    """"2011", "2020a", "n.d."; empty for a shorthand label such as "SATR"."""


def last_name(person: Person) -> str:
    """A person's surname with its particles, decoded.

    >>> last_name(Person("de la Vall{\\\\'e}e Poussin, Charles"))
    'de la Vallée Poussin'
    >>> last_name(Person("Камерон, Сара"))
    'Камерон'
    """
    return plain(" ".join(person.prelast_names + person.last_names))


def is_others(person: Person) -> bool:
    """BibTeX's ``and others``: the list goes on, print "et al."."""
    return str(person).strip().lower() == "others"


def entry_year(entry: Entry) -> str:
    """The year as printed: ``year``, else the year of a biblatex ``date``, else "n.d.".

    >>> entry_year(Entry("misc", fields={"date": "2020-05-01"}))
    '2020'
    >>> entry_year(Entry("misc"))
    'n.d.'
    """
    if entry.fields.get("year"):
        return plain(entry.fields["year"])
    match = re.match(r"\s*(\d{4})", entry.fields.get("date", ""))
    return match.group(1) if match else NO_YEAR


def short_title(title: str, words: int = 3) -> str:
    """The first words of a title, marked "..." when cut, for works without an author.

    >>> short_title("Алаш қозғалысы")
    'Алаш қозғалысы'
    >>> short_title("Alash qozgalysy: qujattar men materialdar jinagy")
    'Alash qozgalysy: qujattar...'
    """
    parts = plain(title).split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]).rstrip(",;:.") + "..."


def join_names(names: list[str], sep: str, two_sep: str, last_sep: str) -> str:
    """Join names, with their own separator for a pair and before the last one.

    >>> join_names(["Davies", "Wheatcroft"], ", ", " and ", ", and ")
    'Davies and Wheatcroft'
    >>> join_names(["A", "B", "C"], ", ", ", ", ", ")
    'A, B, C'
    """
    if len(names) <= 1:
        return "".join(names)
    if len(names) == 2:
        return two_sep.join(names)
    return sep.join(names[:-1]) + last_sep + names[-1]


def year_suffix(index: int) -> str:
    """a, b, ..., z, aa, ab ...: the letter that tells two works of one year apart.

    >>> [year_suffix(i) for i in (0, 1, 25, 26)]
    ['a', 'b', 'z', 'aa']
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


class AuthorYearLabelStyle(BaseLabelStyle):
    """Author-date labels with "a/b" suffixes for the same names and year."""

    def __init__(self, sep: str = ", ", two_sep: str = ", ", last_sep: str = ", ",
                 et_al_from: int = 3, use_shortauthor: bool = True) -> None:
        self.sep, self.two_sep, self.last_sep = sep, two_sep, last_sep
        self.et_al_from = et_al_from
        self.use_shortauthor = use_shortauthor
        """The journal's printed name form lives in ``shortauthor``; other styles ignore it."""

    def names(self, entry: Entry) -> str:
        """The name part: shorthand, shortauthor, surnames, short title, or the key."""
        fields = entry.fields
        if fields.get("shorthand"):
            return plain(fields["shorthand"])
        if self.use_shortauthor and fields.get("shortauthor"):
            return self.join(split_names(fields["shortauthor"]))
        persons = entry.persons.get("author") or entry.persons.get("editor")
        if persons:
            names = [last_name(p) for p in persons if not is_others(p)]
            if len(names) >= self.et_al_from or len(names) < len(persons):
                return f"{names[0]} et al."
            return self.join(names)
        if fields.get("shorttitle"):
            return plain(fields["shorttitle"])
        if fields.get("title"):
            return short_title(fields["title"])
        return entry.key

    def join(self, names: list[str]) -> str:
        return join_names(names, self.sep, self.two_sep, self.last_sep)

    def format_labels(self, sorted_entries: Iterable[Entry]) -> Iterator[Label]:
        """Labels in the given order; equal names and year get a, b, ... in that order."""
        entries = list(sorted_entries)
        table = self._disambiguate({e.key: self.base_label(e) for e in entries}, entries.index)
        return (table[e.key] for e in entries)

    def base_label(self, entry: Entry) -> Label:
        return Label(self.names(entry), "" if entry.fields.get("shorthand") else entry_year(entry))

    def label_table(self, entries: list[Entry], sorting: BaseSortingStyle) -> dict[str, Label]:
        """Labels for a whole bibliography; only colliding entries are sorted."""
        by_key = {e.key: e for e in entries}
        return self._disambiguate({e.key: self.base_label(e) for e in entries},
                                  lambda key: sorting.sorting_key(by_key[key]))

    @staticmethod
    def _disambiguate(base: dict[str, Label], order) -> dict[str, Label]:
        groups: dict[tuple[str, str], list[str]] = {}
        for key, label in base.items():
            if label.year:
                groups.setdefault((label.names.casefold(), label.year), []).append(key)
        table = dict(base)
        for keys in groups.values():
            if len(keys) > 1:
                for index, key in enumerate(sorted(keys, key=order)):
                    table[key] = Label(base[key].names, base[key].year + year_suffix(index))
        return table


class AuthorYearTitleSorting(BaseSortingStyle):
    """Reference-list order: authors (Latin, then Cyrillic in Kazakh order), year, title."""

    def sorting_key(self, entry: Entry) -> tuple:
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        names = " ".join(
            plain(" ".join(p.last_names + p.first_names + p.middle_names + p.prelast_names))
            for p in persons)
        title = plain(entry.fields.get("title", ""))
        lead = names or plain(entry.fields.get("shorthand", "")) or title or entry.key
        return (sort_key(lead), entry_year(entry), sort_key(title), entry.key)


class ReferenceStyle(BaseStyle):
    """A pybtex formatting style whose templates may read the entry's label."""

    def __init__(self) -> None:
        # Classes, not plugin names, which pybtex would look up among installed entry points.
        super().__init__(label_style=NumberLabelStyle, name_style=PlainNameStyle, sorting_style=NoSorting)

    def format_entry(self, label: Label, entry: Entry, bib_data: object = None):  # type: ignore[override]
        context = {"entry": entry, "style": self, "bib_data": bib_data, "label": label}
        template = getattr(self, f"get_{entry.type.lower()}_template", self.get_misc_template)
        return template(entry).format_data(context)

    def get_misc_template(self, entry: Entry):  # pragma: no cover - defined by each style
        raise NotImplementedError


class AuthorDateStyle:
    """Citations and reference lists for an author-date style.

    Subclasses set the separators and the pybtex parts.  Labels are worked
    out once per bibliography; references are formatted only when asked
    and remembered by entry content, so a large file costs little.
    """

    name = "author-date"
    name_year_sep = ", "
    locator_sep = ": "
    item_sep = "; "
    label_version = 1
    """Bump when labels change, so label tables cached on disk are recomputed."""
    collapse_same_names = False
    """Chicago prints "(Omarbekov 1994, 2018)"; the journal repeats the name."""

    def __init__(self, labels: AuthorYearLabelStyle, sorting: BaseSortingStyle,
                 references: ReferenceStyle) -> None:
        self.labels = labels
        self.sorting = sorting
        self.references = references
        self._label_tables: weakref.WeakKeyDictionary[Bibliography, dict[str, Label]] = weakref.WeakKeyDictionary()
        self._formatted: dict[tuple[str, str, Label], Markup] = {}

    # -- labels -------------------------------------------------------------
    def label(self, key: str, bibliography: Bibliography) -> Label:
        """The disambiguated label of ``key``, over the whole bibliography."""
        table = self._label_tables.get(bibliography)
        if table is None:
            table = bibliography.derived(
                f"labels-{self.name}-{self.label_version}",
                lambda bib: self.labels.label_table(bib.entries(), self.sorting))
            self._label_tables[bibliography] = table
        return table[key]

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
            text = self.references.format_entry(label, bibliography.entry(key))
            cached = self._formatted[cache_key] = render_html(text)
        return cached

    def sort_keys(self, keys: Iterable[str], bibliography: Bibliography) -> list[str]:
        """Known keys in reference-list order, then unknown keys as given."""
        unique = list(dict.fromkeys(keys))
        known = [bibliography.entry(k) for k in unique if k in bibliography]
        return [e.key for e in self.sorting.sort(known)] + [k for k in unique if k not in bibliography]


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

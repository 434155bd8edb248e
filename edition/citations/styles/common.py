"""The pybtex parts author-date styles share: labels, sorting, reference-list formatting.

A style module only says how its labels join names and how its reference
list reads; everything else lives here.  Labels are computed once per
bibliography over *all* its entries, so "2020a" means the same work on
every page, whichever pages cite it.  The citation is assembled from them
in :mod:`edition.citations.styles.author_date`, without pybtex.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from markupsafe import Markup
from pybtex.database import Entry, Person
from pybtex.style.formatting import BaseStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.labels.number import LabelStyle as NumberLabelStyle
from pybtex.style.names.plain import NameStyle as PlainNameStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.sorting.none import SortingStyle as NoSorting
from pybtex.style.template import FieldIsMissing

from edition.citations.backend import render_html
from edition.citations.bibliography import Bibliography, plain, split_names
from edition.citations.collation import sort_key
from edition.citations.style import Label, MissingField

NO_YEAR = "n.d."


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

    def label_table(self, entries: list[Entry], order: Callable[[str], tuple]) -> dict[str, Label]:
        """Labels for a whole bibliography; entries of the same names and year get a, b… by ``order``."""
        return self._disambiguate({e.key: self.base_label(e) for e in entries}, order)

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


@dataclass(frozen=True)
class StyleParts:
    """The pybtex side of an author-date style: what the citation tables and reference list need."""

    labels: AuthorYearLabelStyle
    sorting: AuthorYearTitleSorting
    references: ReferenceStyle

    def filing(self, bibliography: Bibliography) -> dict[str, tuple[str, str, int]]:
        """Each entry's label (names, year) and place in reference-list order, over the whole file."""
        entries = bibliography.entries()
        order = {entry.key: self.sorting.sorting_key(entry) for entry in entries}
        labels = self.labels.label_table(entries, order.__getitem__)
        place = {key: index for index, key in enumerate(sorted(order, key=order.__getitem__))}
        return {key: (label.names, label.year, place[key]) for key, label in labels.items()}

    def reference(self, label: Label, entry: Entry) -> Markup:
        """One reference-list entry as safe HTML; :class:`MissingField` when the entry lacks what it prints."""
        try:
            return render_html(self.references.format_entry(label, entry))
        except FieldIsMissing as error:
            raise MissingField(entry.key, error.field_name) from error

"""Chicago author-date (17th edition), the second style.

In-text: "(Davies and Wheatcroft 2011, 416)", "(Omarbekov 1994, 2018)",
"(Kozybayev, Abylkhozhin, and Aldazhumanov 1992)"; "et al." from four
authors.  Names come from the ``author`` field, not from ``shortauthor``,
which records one journal's printing.

Reference list: "Davies, R. W., and Stephen G. Wheatcroft. 2011. ..."

This module is the style's pybtex side (labels, order, reference templates);
the in-text separators are :class:`edition.citations.styles.author_date.ChicagoStyle`.
"""
from __future__ import annotations

from pybtex.database import Entry
from pybtex.style.template import first_of, join, optional, sentence, tag

from edition.citations.styles.common import (AuthorYearLabelStyle, AuthorYearTitleSorting, ReferenceStyle,
                                              StyleParts)
from edition.citations.styles.nodes import (FirstLastNameStyle, LastFirstNameStyle, fact_note, fld,
                                             label_year, pages, persons, quoted, web_link)

_FIRST = LastFirstNameStyle()
_REST = FirstLastNameStyle()


def _names(role: str):
    return persons(role, _FIRST, _REST, sep=", ", two_sep=", and ", last_sep=", and ")


def _titled(title):
    """A book title as a sentence: *Title* [addon]."""
    return sentence(sep=" ")[title, optional[fld("titleaddon")]]


class ChicagoReferences(ReferenceStyle):
    """Reference-list entries in Chicago author-date form."""

    def head(self, entry: Entry, title):
        """Creators, year, title; a work without creators starts with its title.

        ``title`` is a whole sentence, since a quoted title ends inside its quotes.
        """
        if entry.persons.get("author"):
            creators = sentence[_names("author")]
        elif entry.persons.get("editor"):
            creators = sentence[join[_names("editor"),
                                     ", eds." if len(entry.persons["editor"]) > 1 else ", ed."]]
        else:
            return join(sep=" ")[title, optional[sentence[label_year]]]
        return join(sep=" ")[creators, optional[sentence[label_year]], optional[title]]

    @staticmethod
    def tail():
        return [
            optional[sentence(sep=" ")["Originally published as", tag("em")[fld("origtitle")],
                                       optional[join["(", fld("origdate"), ")"]]]],
            optional[sentence[fact_note]],
            optional[sentence[web_link]],
        ]

    @staticmethod
    def imprint():
        return first_of[
            optional[join(sep=": ")[fld("address"), fld("publisher")]],
            optional[fld("publisher")],
        ]

    def get_article_template(self, entry: Entry):
        numbers = join[
            optional[join[" ", fld("volume")]],
            optional[join[" (", fld("number"), ")"]],
            optional[join[": ", pages]],
        ]
        return join(sep=" ")[
            self.head(entry, quoted),
            optional[sentence(sep="")[tag("em")[fld("journal")], numbers]],
            *self.tail(),
        ]

    def get_book_template(self, entry: Entry):
        return join(sep=" ")[
            self.head(entry, _titled(tag("em")[fld("title")])),
            optional[sentence(sep=" ")["Translated by", persons("translator", _REST, sep=", ",
                                                                  two_sep=" and ", last_sep=", and ")]],
            optional[sentence[fld("series")]],
            optional[sentence[self.imprint()]],
            *self.tail(),
        ]

    def get_incollection_template(self, entry: Entry):
        return join(sep=" ")[
            self.head(entry, quoted),
            optional[sentence(sep=", ")[join(sep=" ")["In", tag("em")[fld("booktitle")]],
                                        optional[join(sep=" ")["edited by", persons("editor", _REST)]],
                                        optional[pages]]],
            optional[sentence[self.imprint()]],
            *self.tail(),
        ]

    get_inproceedings_template = get_incollection_template
    get_inbook_template = get_incollection_template

    def get_misc_template(self, entry: Entry):
        return join(sep=" ")[
            self.head(entry, _titled(fld("title"))),
            optional[sentence[fld("howpublished")]],
            optional[sentence[self.imprint()]],
            *self.tail(),
        ]


def parts() -> StyleParts:
    """The style's pybtex side (:attr:`edition.citations.styles.author_date.ChicagoStyle.templates`)."""
    return StyleParts(AuthorYearLabelStyle(sep=", ", two_sep=" and ", last_sep=", and ", et_al_from=4,
                                           use_shortauthor=False),
                      AuthorYearTitleSorting(), ChicagoReferences())

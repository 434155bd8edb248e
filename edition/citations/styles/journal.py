"""The journal's own author-date style.

In-text: "(Kozybayev, 1991)", "(Davis, Wheatcroft, 2011: 416)",
"(Kozybayev et al., 1992)", "(Omarbekov, 1994; Omarbekov, 2018)".  The
name part comes from ``shortauthor`` when present, because the journal's
printed form (Latin script, its own spelling) is what the edition shows.

Reference list, surname and initials first, the year in parentheses:
"Isenov O. I., Kupenov B. K. (2022). Казахи-беженцы… [Kazakh refugees…].
*Отан тарихы*."

This module is the style's pybtex side (labels, order, reference templates);
the in-text separators are :class:`edition.citations.styles.author_date.JournalStyle`.
"""
from __future__ import annotations

from pybtex.database import Entry
from pybtex.style.template import first_of, join, optional, sentence, tag

from edition.citations.styles.common import (AuthorYearLabelStyle, AuthorYearTitleSorting, ReferenceStyle,
                                              StyleParts)
from edition.citations.styles.nodes import (InitialsNameStyle, fact_note, fld, label_year, pages,
                                             persons, web_link)

_NAMES = InitialsNameStyle()


class JournalReferences(ReferenceStyle):
    """Reference-list entries as the journal's list prints them."""

    def creators(self, entry: Entry):
        if entry.persons.get("author"):
            return persons("author", _NAMES, others_sep=" ")
        return join(sep=" ")[persons("editor", _NAMES),
                             "(eds.)" if len(entry.persons["editor"]) > 1 else "(ed.)"]

    def head(self, entry: Entry, title):
        """Creators and year; a work without creators starts with its title."""
        year = optional[join["(", label_year, ")"]]
        if entry.persons.get("author") or entry.persons.get("editor"):
            return join(sep=" ")[sentence(sep=" ")[self.creators(entry), year], optional[self.title(title)]]
        if entry.fields.get("shorthand"):  # an archive: "SATR – Turkestan Regional State Archive."
            title = join(sep=" – ")[fld("shorthand"), title]
        return sentence(sep=" ")[title, optional[fld("titleaddon")], year]

    @staticmethod
    def title(title):
        return sentence(sep=" ")[title, optional[fld("titleaddon")]]

    def tail(self):
        return [
            optional[sentence(sep=" ")["Orig.:", tag("em")[fld("origtitle")],
                                       optional[join["(", fld("origdate"), ")"]]]],
            optional[sentence[fact_note]],
            optional[sentence[web_link]],
        ]

    @staticmethod
    def imprint():
        return first_of[
            optional[join(sep=": ")[fld("address"), fld("publisher")]],
            optional[fld("publisher")],
            optional[fld("address")],
        ]

    def get_article_template(self, entry: Entry):
        numbers = join[
            optional[join[", ", fld("volume")]],
            optional[join["(", fld("number"), ")"]],
            optional[join[": ", pages]],
        ]
        return join(sep=" ")[
            self.head(entry, fld("title")),
            optional[sentence(sep="")[tag("em")[fld("journal")], numbers]],
            *self.tail(),
        ]

    def get_book_template(self, entry: Entry):
        return join(sep=" ")[
            self.head(entry, tag("em")[fld("title")]),
            optional[sentence(sep=" ")["Transl. by", persons("translator", _NAMES)]],
            optional[sentence[fld("edition")]],
            optional[sentence[join["(", fld("series"), optional[join[", ", fld("volume")]], ")"]]],
            optional[sentence[self.imprint()]],
            optional[sentence(sep=" ")["ISBN", fld("isbn", raw=True)]],
            *self.tail(),
        ]

    def get_incollection_template(self, entry: Entry):
        return join(sep=" ")[
            self.head(entry, fld("title")),
            optional[sentence(sep=" ")["In:", optional[join[persons("editor", _NAMES), " (ed.)"]],
                                       tag("em")[fld("booktitle")]]],
            optional[sentence[self.imprint()]],
            optional[sentence(sep=" ")["P.", pages]],
            *self.tail(),
        ]

    get_inproceedings_template = get_incollection_template
    get_inbook_template = get_incollection_template

    def get_misc_template(self, entry: Entry):
        return join(sep=" ")[
            self.head(entry, fld("title")),
            optional[sentence[fld("howpublished")]],
            optional[sentence[self.imprint()]],
            *self.tail(),
        ]


def parts() -> StyleParts:
    """The style's pybtex side (:attr:`edition.citations.styles.author_date.JournalStyle.templates`)."""
    return StyleParts(AuthorYearLabelStyle(sep=", ", two_sep=", ", last_sep=", ", et_al_from=3),
                      AuthorYearTitleSorting(), JournalReferences())

"""pybtex template nodes the reference-list styles share.

pybtex's own ``field`` node decodes LaTeX but raises on an unbalanced
brace and cannot tell a cautionary note from a fact; the nodes here use
:func:`~edition.citations.bibliography.latex_to_text`, never print an
``unverified:`` note, and hand links to the safe backend, which decides
whether a URL or DOI becomes a link at all.
"""
from __future__ import annotations

from pybtex.database import Person
from pybtex.richtext import HRef, Text
from pybtex.style.names import BaseNameStyle, name_part
from pybtex.style.template import FieldIsMissing, join, node

from edition.citations.bibliography import CAUTION_PREFIX, latex_to_text


@node
def fld(children, context, name: str, raw: bool = False):
    """A field decoded from LaTeX (or as written, with ``raw``); missing → FieldIsMissing."""
    value = context["entry"].fields.get(name, "").strip()
    if not value:
        raise FieldIsMissing(name, context["entry"])
    return Text(" ".join(value.split())) if raw else latex_to_text(value)


@node
def pages(children, context):
    """The ``pages`` field with an en dash between numbers."""
    value = context["entry"].fields.get("pages", "").strip()
    if not value:
        raise FieldIsMissing("pages", context["entry"])
    return latex_to_text("--".join(part.strip() for part in value.replace("–", "-").split("-") if part.strip()))


@node
def label_year(children, context):
    """The year as the citation prints it, with its "a/b" suffix; missing for a shorthand."""
    if not context["label"].year:
        raise FieldIsMissing("year", context["entry"])
    return Text(context["label"].year)


@node
def fact_note(children, context):
    """The ``note`` field, unless it is an ``unverified:`` caution (shown apart)."""
    note = context["entry"].fields.get("note", "").strip()
    if not note or note.lower().startswith(CAUTION_PREFIX):
        raise FieldIsMissing("note", context["entry"])
    return latex_to_text(note)


@node
def web_link(children, context):
    """A DOI (shown as its doi.org address) or else the URL; the backend vets both."""
    fields = context["entry"].fields
    doi = " ".join(fields.get("doi", "").split())
    if doi:
        shown = doi if doi.lower().startswith("http") else "https://doi.org/" + doi
        return HRef(doi, Text(shown))
    url = " ".join(fields.get("url", "").split())
    if url:
        return HRef(url, Text(url))
    raise FieldIsMissing("url", context["entry"])


def _is_others(person: Person) -> bool:
    return str(person).strip().lower() == "others"


@node
def persons(children, context, role: str, first_style: BaseNameStyle, rest_style: BaseNameStyle | None = None,
            sep: str = ", ", two_sep: str | None = None, last_sep: str | None = None,
            others_sep: str = ", "):
    """A name list: the first name in ``first_style``, the others in ``rest_style``.

    BibTeX's ``and others`` ends the list with "et al.", after ``others_sep``.
    """
    people = context["entry"].persons.get(role)
    if not people:
        raise FieldIsMissing(role, context["entry"])
    rest_style = rest_style or first_style
    named = [p for p in people if not _is_others(p)]
    formatted = [(first_style if index == 0 else rest_style).format(person, abbr=True).format_data(context)
                 for index, person in enumerate(named)]
    text = join(sep=sep, sep2=two_sep, last_sep=last_sep)[formatted].format_data(context)
    return Text(text, others_sep, "et al.") if len(named) < len(people) else text


@node
def quoted(children, context, name: str = "title"):
    """A title in quotation marks with the period inside: “Title.” or “Title” [addon]."""
    title = fld(name).format_data(context)
    addon = context["entry"].fields.get("titleaddon", "").strip()
    if addon:
        return Text("“", title, "” ", latex_to_text(addon)).add_period()
    return Text("“", title.add_period(), "”")


class InitialsNameStyle(BaseNameStyle):
    """"Isenov O. I.", "Камерон С.": surname, then initials, as Russian-style lists print them."""

    def format(self, person: Person, abbr: bool = True):
        return join(sep=" ")[
            join[name_part(tie=True)[person.rich_prelast_names], name_part[person.rich_last_names]],
            name_part(abbr=True)[person.rich_first_names + person.rich_middle_names],
        ]


class LastFirstNameStyle(BaseNameStyle):
    """"Davies, R. W.": surname first, given names as written (Chicago's first author)."""

    def format(self, person: Person, abbr: bool = False):
        return join[
            name_part(tie=True)[person.rich_prelast_names],
            name_part[person.rich_last_names],
            name_part(before=", ")[person.rich_first_names + person.rich_middle_names],
        ]


class FirstLastNameStyle(BaseNameStyle):
    """"Stephen G. Wheatcroft": given names first (Chicago's later authors)."""

    def format(self, person: Person, abbr: bool = False):
        return join(sep=" ")[
            name_part[person.rich_first_names + person.rich_middle_names],
            join[name_part(tie=True)[person.rich_prelast_names], name_part[person.rich_last_names]],
        ]

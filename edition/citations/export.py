"""Per-entry export: the entry's own BibTeX, or RIS for reference managers.

A reader who wants one work in Zotero or EndNote gets a small file per
entry.  BibTeX is the entry exactly as the editors wrote it (their
comments on verification travel with it); RIS is built from the decoded
fields, since RIS has no LaTeX.  A ``note`` holding an ``unverified:``
caution is exported as a note, never as a bibliographic field.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from edition.citations.bibliography import Bibliography, plain

if TYPE_CHECKING:
    from pybtex.database import Entry, Person

RIS_TYPES: dict[str, str] = {
    "article": "JOUR", "book": "BOOK", "inbook": "CHAP", "incollection": "CHAP",
    "inproceedings": "CPAPER", "conference": "CPAPER", "proceedings": "CONF",
    "phdthesis": "THES", "mastersthesis": "THES", "thesis": "THES",
    "techreport": "RPRT", "report": "RPRT", "manual": "GEN", "booklet": "PAMP",
    "online": "ELEC", "unpublished": "UNPB", "misc": "GEN",
}
"""BibTeX entry types and their RIS ``TY`` codes; anything else exports as ``GEN``."""

EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "bibtex": (".bib", "application/x-bibtex"),
    "ris": (".ris", "application/x-research-info-systems"),
}
"""Format name → (file suffix, media type), for the links a page offers."""

_FIELD_TAGS = (
    ("title", "TI"), ("journal", "T2"), ("booktitle", "T2"), ("series", "T3"),
    ("volume", "VL"), ("number", "IS"), ("edition", "ET"), ("publisher", "PB"),
    ("address", "CY"), ("isbn", "SN"), ("issn", "SN"), ("language", "LA"),
    ("abstract", "AB"),
)
_RAW_TAGS = (("doi", "DO"), ("url", "UR"))


def export_bibtex(key: str, bibliography: Bibliography) -> str:
    """The entry's BibTeX as written in the file, ending with a newline."""
    return bibliography.source_text(key).rstrip() + "\n"


def _line(tag: str, value: str) -> str:
    # RIS is line-based: a value must not break the line or it starts a bogus tag.
    return f"{tag}  - {' '.join(value.split())}"


def _person(person: Person) -> str:
    last = plain(" ".join(person.prelast_names + person.last_names))
    first = plain(" ".join(person.first_names + person.middle_names))
    lineage = plain(" ".join(person.lineage_names))
    return ", ".join(part for part in (last, first, lineage) if part)


def ris_lines(entry: Entry) -> list[str]:
    """The RIS record of one pybtex entry, without the final blank line."""
    fields = entry.fields
    lines = [_line("TY", RIS_TYPES.get(entry.type.lower(), "GEN")), _line("ID", entry.key)]
    for role, tag in (("author", "AU"), ("editor", "A2"), ("translator", "A4")):
        lines += [_line(tag, _person(p)) for p in entry.persons.get(role, [])
                  if str(p).strip().lower() != "others"]
    if fields.get("year"):
        lines.append(_line("PY", plain(fields["year"])))
    elif fields.get("date"):
        lines.append(_line("DA", plain(fields["date"])))
    used: set[str] = set()
    for name, tag in _FIELD_TAGS:
        if fields.get(name) and not (tag == "T2" and tag in used):
            lines.append(_line(tag, plain(fields[name])))
            used.add(tag)
    if fields.get("titleaddon"):
        lines.append(_line("TT", plain(fields["titleaddon"]).strip("[]")))
    if fields.get("pages"):
        first, _, last = plain(fields["pages"]).replace("–", "-").partition("-")
        lines.append(_line("SP", first.strip()))
        if last.strip("- "):
            lines.append(_line("EP", last.strip("- ")))
    for name, tag in _RAW_TAGS:
        if fields.get(name):
            lines.append(_line(tag, fields[name]))
    if fields.get("note"):
        lines.append(_line("N1", plain(fields["note"])))
    return lines


def export_ris(key: str, bibliography: Bibliography) -> str:
    """One RIS record for ``key``, ending with ``ER`` and a newline."""
    return "\n".join(ris_lines(bibliography.entry(key))) + "\nER  - \n"


def export(key: str, bibliography: Bibliography, format_name: str) -> str:
    """Dispatch on :data:`EXPORT_FORMATS`; ValueError lists the known names."""
    if format_name == "bibtex":
        return export_bibtex(key, bibliography)
    if format_name == "ris":
        return export_ris(key, bibliography)
    raise ValueError(f"unknown export format {format_name!r}; known formats: {', '.join(sorted(EXPORT_FORMATS))}")

"""How to cite a document, and any paragraph of it: text, BibTeX, RIS, CSL-JSON.

A paragraph citation is the article's citation plus the ¶ number and the
paragraph's permalink; the permalink is what makes it precise, since ¶
numbers change when the text is revised and anchors do not.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from edition.read import DocumentMeta

_BIBTEX_SPECIALS = re.compile(r"([\\{}%&#$_^~])")


@dataclass(frozen=True)
class CitedParagraph:
    anchor: str
    number: int


def _split_name(name: str) -> tuple[str, str]:
    """``"A. A. Kabyl"`` → (``"Kabyl"``, ``"A. A."``): initials first, family name last.

    >>> _split_name("Kh. M. Tursun")
    ('Tursun', 'Kh. M.')
    """
    parts = name.split()
    return (parts[-1], " ".join(parts[:-1])) if parts else ("", "")


def _names(meta: DocumentMeta) -> list[tuple[str, str]]:
    return [_split_name(author.name.get(meta.lang) or next(iter(author.name.values()), ""))
            for author in meta.authors]


def permalink(base_url: str, document_id: str, anchor: str | None = None) -> str:
    """Absolute when the site's address is configured, site-relative otherwise."""
    url = f"{base_url.rstrip('/')}/{document_id}/" if base_url else f"/{document_id}/"
    return f"{url}#{anchor}" if anchor else url


def citation_text(meta: DocumentMeta, base_url: str, paragraph: CitedParagraph | None = None) -> str:
    """The citation in the journal's form (authors with initials, title // journal. year. vol. no. pp.).

    >>> from edition.read import Author
    >>> m = DocumentMeta(id="d", lang="en", title={"en": "T"}, authors=(Author({"en": "A. A. Kabyl"}),),
    ...                  journal={"en": "J"}, date="2024", volume="11", issue="2", pages="361–372")
    >>> citation_text(m, "", CitedParagraph("p-k3v9", 12))
    'Kabyl A. A. T // J. 2024. Vol. 11. No. 2. P. 361–372. ¶ 12. /d/#p-k3v9'
    """
    authors = ", ".join(f"{family} {given}".strip() for family, given in _names(meta))
    parts = [f"{authors} {meta.title.get(meta.lang, '')}".strip()]
    journal = meta.journal.get(meta.lang) or next(iter(meta.journal.values()), "")
    if journal:
        parts[0] += f" // {journal}"
    for label, value in (("", meta.date), ("Vol. ", meta.volume), ("No. ", meta.issue), ("P. ", meta.pages)):
        if value:
            parts.append(f"{label}{value}")
    if meta.doi:
        parts.append(f"DOI: {meta.doi}")
    if paragraph:
        parts.append(f"¶ {paragraph.number}")
    text = ". ".join(parts) + "."
    link = permalink(base_url, meta.id, paragraph.anchor if paragraph else None)
    return text if meta.doi and not paragraph else f"{text} {link}"


def _bibtex_value(name: str, value: str) -> str:
    """Braced field value; DOIs and URLs are verbatim fields, so only braces are dropped."""
    value = " ".join(value.split())
    if name in ("doi", "url"):
        return "{" + value.replace("{", "").replace("}", "") + "}"
    return "{" + _BIBTEX_SPECIALS.sub(r"\\\1", value) + "}"


def bibtex(meta: DocumentMeta, base_url: str, paragraphs: list[CitedParagraph] | None = None) -> str:
    """The article as ``@article``, or each paragraph as its own entry citing the article."""
    fields = [("author", " and ".join(f"{f}, {g}" if g else f for f, g in _names(meta))),
              ("title", meta.title.get(meta.lang, "")),
              ("journal", meta.journal.get(meta.lang) or next(iter(meta.journal.values()), "")),
              ("year", meta.date or ""), ("volume", meta.volume or ""), ("number", meta.issue or ""),
              ("pages", (meta.pages or "").replace("–", "--")), ("doi", meta.doi or ""), ("langid", meta.lang)]
    fields = [(name, value) for name, value in fields if value]
    entries = []
    for paragraph in paragraphs if paragraphs is not None else [None]:
        key = meta.id if paragraph is None else f"{meta.id}-{paragraph.anchor}"
        extra = [] if paragraph is None else [("note", f"¶ {paragraph.number}"),
                                             ("url", permalink(base_url, meta.id, paragraph.anchor))]
        body = ",\n".join(f"  {name} = {_bibtex_value(name, value)}" for name, value in [*fields, *extra])
        entries.append(f"@article{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


def ris(meta: DocumentMeta, base_url: str, paragraphs: list[CitedParagraph] | None = None) -> str:
    first, _, last = (meta.pages or "").partition("–")
    records = []
    for paragraph in paragraphs if paragraphs is not None else [None]:
        lines = ["TY  - JOUR"]
        lines += [f"AU  - {f}, {g}" if g else f"AU  - {f}" for f, g in _names(meta)]
        for tag, value in (("TI", meta.title.get(meta.lang)), ("T2", meta.journal.get(meta.lang) or next(iter(meta.journal.values()), None)),
                           ("PY", meta.date), ("VL", meta.volume), ("IS", meta.issue), ("SP", first), ("EP", last),
                           ("DO", meta.doi), ("LA", meta.lang)):
            if value:
                lines.append(f"{tag}  - {' '.join(value.split())}")
        if paragraph:
            lines += [f"N1  - ¶ {paragraph.number}", f"UR  - {permalink(base_url, meta.id, paragraph.anchor)}"]
        lines.append("ER  - ")
        records.append("\n".join(lines) + "\n")
    return "\n".join(records)


def csl_json(meta: DocumentMeta) -> str:
    first, _, last = (meta.pages or "").partition("–")
    item = {
        "id": meta.id, "type": "article-journal", "title": meta.title.get(meta.lang, ""),
        "author": [{"family": f, "given": g} for f, g in _names(meta)],
        "container-title": meta.journal.get(meta.lang) or next(iter(meta.journal.values()), ""),
        "volume": meta.volume, "issue": meta.issue, "page": "-".join(p for p in (first, last) if p),
        "DOI": meta.doi, "language": meta.lang,
        "issued": {"date-parts": [[int(meta.date[:4])]]} if meta.date and meta.date[:4].isdigit() else None,
    }
    return json.dumps([{k: v for k, v in item.items() if v}], ensure_ascii=False, indent=2, sort_keys=True) + "\n"

"""Pandoc citation syntax, parsed into plain data.

The grammar follows Pandoc's manual: a bracketed group holds items
separated by semicolons; each item is ``[prefix] [-]@key[, locator] [suffix]``;
``-@key`` suppresses the author; a bare ``@key`` in running text is a
narrative citation.  Literature keys and archival-unit keys share the
syntax, so content never changes when a key moves from one to the other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from edition.diagnostics import SourcePosition

KEY = r"[\w][\w:.#$%&+?~/-]*[\w]|[\w]"
"""A citation key: word characters with internal punctuation, as in Pandoc
(without ``<`` and ``>``, which would swallow raw HTML after a key)."""

ITEM_RE = re.compile(rf"^(?P<prefix>(?:.*?\s)?)(?P<suppress>-?)@(?P<key>{KEY})(?P<rest>.*)$", re.S)
BRACKETED_RE = re.compile(rf"\[(?P<body>[^\[\]]*?-?@(?:{KEY})[^\[\]]*)\]")
"""A bracketed citation group: square brackets holding at least one @key."""
NARRATIVE_RE = re.compile(rf"(?<![\w@\[])@(?P<key>{KEY})(?:\s\[(?P<locator>[^\[\]@]+)\])?")
"""A narrative citation, optionally followed by a bracketed locator."""

LOCATOR_TERMS: dict[str, str] = {
    "p.": "page", "pp.": "page", "page": "page", "pages": "page",
    "vol.": "volume", "vols.": "volume", "volume": "volume",
    "ch.": "chapter", "chap.": "chapter", "chapter": "chapter",
    "sec.": "section", "§": "section", "§§": "section",
    "fol.": "folio", "fols.": "folio", "f.": "folio", "ff.": "folio",
    "l.": "sheet", "ll.": "sheet", "sheet": "sheet", "sheets": "sheet",
    "n.": "note", "nn.": "note", "fig.": "figure", "col.": "column",
    "no.": "number", "line": "line", "para.": "paragraph",
}
"""Locator terms a scholar writes, mapped to the label styles format."""

_NUMBER = r"[0-9IVXLCDMivxlcdm]+[a-zA-Z]?(?:[rv])?"
_VALUE = rf"{_NUMBER}(?:\s*[–—-]\s*{_NUMBER})?(?:\s*,\s*{_NUMBER}(?:\s*[–—-]\s*{_NUMBER})?)*"
_LOCATOR_RE = re.compile(
    r"^\s*(?:(?P<term>" + "|".join(re.escape(t) for t in sorted(LOCATOR_TERMS, key=len, reverse=True))
    + rf")\s*)?(?P<value>{_VALUE})(?![\w])(?P<suffix>.*)$", re.S | re.I)


@dataclass(frozen=True)
class Locator:
    """Where in the cited work: ``label`` is a normalised term, ``value`` as written."""

    label: str
    """Normalised term: ``page``, ``volume``, ``folio``, ``sheet``..."""
    value: str
    """The numbers as written, en dashes normalised: ``262–272``."""

    @property
    def is_range(self) -> bool:
        return any(c in self.value for c in "–,")


@dataclass(frozen=True)
class CitationItem:
    key: str
    prefix: str = ""
    """Text before the key, e.g. ``see``."""
    locator: Locator | None = None
    suffix: str = ""
    """Text after the locator, e.g. ``emphasis added``."""
    suppress_author: bool = False
    """``-@key``: the author is already named in the sentence."""


@dataclass(frozen=True)
class CitationGroup:
    """One citation as written in the source: one or more items."""

    items: tuple[CitationItem, ...]
    position: SourcePosition
    narrative: bool = False
    """``@key`` in running text: the author's name is part of the sentence."""
    printed: str | None = None
    """The citation as the source edition prints it, when the edition renders it otherwise."""


def parse_locator(text: str) -> tuple[Locator | None, str]:
    """Split the text after a key's comma into a locator and a suffix.

    >>> parse_locator(" pp. 262-272")
    (Locator(label='page', value='262–272'), '')
    >>> parse_locator(" p. 416, emphasis added")
    (Locator(label='page', value='416'), ', emphasis added')
    >>> parse_locator(" 33")
    (Locator(label='page', value='33'), '')
    >>> parse_locator(" and passim")
    (None, 'and passim')
    """
    match = _LOCATOR_RE.match(text)
    if not match:
        return None, text.strip()
    term = (match["term"] or "p.").lower()
    value = re.sub(r"\s*[—-]\s*", "–", match["value"].strip())
    value = re.sub(r"\s*–\s*", "–", value)
    return Locator(LOCATOR_TERMS[term], value), match["suffix"].rstrip()


def parse_item(text: str) -> CitationItem | None:
    """Parse one item of a bracketed group; None when it holds no key.

    >>> parse_item("see @davies2011, p. 416")
    CitationItem(key='davies2011', prefix='see', locator=Locator(label='page', value='416'), suffix='', suppress_author=False)
    >>> parse_item("-@kozybayev1991").suppress_author
    True
    """
    match = ITEM_RE.match(text.strip())
    if not match:
        return None
    rest = match["rest"]
    locator, suffix = (None, rest.strip())
    if rest.startswith(","):
        locator, suffix = parse_locator(rest[1:])
    elif rest.strip():
        suffix = rest.strip()
    return CitationItem(key=match["key"], prefix=match["prefix"].strip(), locator=locator,
                        suffix=suffix, suppress_author=bool(match["suppress"]))


def parse_group(body: str, position: SourcePosition, printed: str | None = None) -> CitationGroup | None:
    """Parse the inside of ``[...]``; None unless every item holds a key.

    >>> g = parse_group("@omarbekov1994; @omarbekov2018", SourcePosition("a.md"))
    >>> [i.key for i in g.items]
    ['omarbekov1994', 'omarbekov2018']
    """
    items = [parse_item(part) for part in body.split(";")]
    if not items or any(item is None for item in items):
        return None
    return CitationGroup(items=tuple(items), position=position, printed=printed)  # type: ignore[arg-type]

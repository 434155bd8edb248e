"""Citation styles: what a citation and a reference-list entry look like.

A style turns a parsed :class:`~edition.citations.syntax.CitationGroup`
into text parts (so the page can link the part that names a work) and a
bibliography key into one safe-HTML reference-list entry.  Styles are
looked up by name, so a project switches style in its configuration and
the content never changes.  Two styles ship:

``journal`` (default)
    author-date as the journal prints it: "(Kozybayev, 1991)",
    "(Davis, Wheatcroft, 2011: 416)", "(Omarbekov, 1994; Omarbekov, 2018)".
``chicago``
    Chicago author-date: "(Davies and Wheatcroft 2011, 416)",
    "(Omarbekov 1994, 2018)".

Both are built from pybtex's own parts (label, sorting and formatting
styles, see :mod:`edition.citations.styles`); none of pybtex's published
author-year plug-ins is used, because they strip non-ASCII text.  The
citation itself is assembled without pybtex, from tables it computes once
per bibliography (:mod:`edition.citations.styles.author_date`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Protocol

from markupsafe import Markup

from edition.citations.syntax import CitationGroup

if TYPE_CHECKING:
    from edition.citations.bibliography import Bibliography


@dataclass(frozen=True)
class CitationPart:
    """A piece of a rendered citation; ``key`` is set on the piece that links to the entry."""

    text: str
    key: str | None = None


@dataclass(frozen=True)
class Label:
    """The name part and the year part of an author-date label."""

    names: str
    """"Davis, Wheatcroft", "Kozybayev et al.", a short title, or a shorthand."""
    year: str
    """"2011", "2020a", "n.d."; empty for a shorthand label such as "SATR"."""


class CitationStyle(Protocol):
    """What the page builder needs from a style."""

    name: str

    def format_citation(self, group: CitationGroup,
                        bibliography: "Bibliography") -> tuple[CitationPart, ...]:
        """The whole citation, parentheses included, as plain-text parts."""
        ...

    def format_reference(self, key: str, bibliography: "Bibliography") -> Markup:
        """One reference-list entry as safe HTML."""
        ...

    def sort_keys(self, keys: Iterable[str], bibliography: "Bibliography") -> list[str]:
        """The keys in reference-list order."""
        ...

    def prepare(self, bibliography: "Bibliography") -> None:
        """Work out what citations need from the whole file (labels, order), cached with it."""
        ...


class MissingField(Exception):
    """An entry lacks a field its style prints: the user's to fix in the ``.bib`` file."""

    def __init__(self, key: str, field_name: str) -> None:
        super().__init__(f"missing {field_name} in {key}")
        self.key = key
        self.field_name = field_name


class UnknownStyleError(ValueError):
    """A style name that is not registered; the message lists the known names."""


def _journal() -> CitationStyle:
    from edition.citations.styles.author_date import JournalStyle
    return JournalStyle()


def _chicago() -> CitationStyle:
    from edition.citations.styles.author_date import ChicagoStyle
    return ChicagoStyle()


STYLES: dict[str, Callable[[], CitationStyle]] = {"journal": _journal, "chicago": _chicago}
"""Registered styles by name; a factory per name, so unused styles cost nothing."""

DEFAULT_STYLE = "journal"

_INSTANCES: dict[str, CitationStyle] = {}


def style_names() -> list[str]:
    """The names :func:`get_style` accepts.

    >>> style_names()
    ['chicago', 'journal']
    """
    return sorted(STYLES)


def get_style(name: str = DEFAULT_STYLE) -> CitationStyle:
    """The style registered under ``name``; one shared instance, so its caches are shared.

    >>> get_style("journal").name
    'journal'
    >>> get_style("apa")
    Traceback (most recent call last):
    ...
    edition.citations.style.UnknownStyleError: unknown citation style 'apa'; known styles: chicago, journal
    """
    if name not in STYLES:
        raise UnknownStyleError(f"unknown citation style {name!r}; known styles: {', '.join(style_names())}")
    if name not in _INSTANCES:
        _INSTANCES[name] = STYLES[name]()
    return _INSTANCES[name]

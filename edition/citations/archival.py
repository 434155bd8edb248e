"""How an archival citation reads in a note: siglum, fond, inventory, file, volume, pages.

Kept apart from rendering like the literature style: the note text is
data for the template, and the same unit formats the same way in every
document and on the sources page.
"""
from __future__ import annotations

from edition.citations.syntax import Locator
from edition.registers import Archive, ArchivalUnit

UNIT_LABELS = {
    "en": {"fond": "f.", "inventory": "inv.", "file": "file", "volume": "vol.",
           "page": ("p.", "pp."), "sheet": ("l.", "ll."), "folio": ("fol.", "fols.")},
    "ru": {"fond": "Ф.", "inventory": "Оп.", "file": "Д.", "volume": "Т.",
           "page": ("С.", "С."), "sheet": ("Л.", "Л."), "folio": ("Л.", "Л.")},
    "kk": {"fond": "Қ.", "inventory": "Т.", "file": "І.", "volume": "Т.",
           "page": ("б.", "б."), "sheet": ("п.", "п."), "folio": ("п.", "п.")},
}
"""Abbreviations archivists use for each level, per language."""


def unit_parts(unit: ArchivalUnit, lang: str = "en") -> list[str]:
    """The unit's levels below the archive, abbreviated.

    >>> from edition.diagnostics import SourcePosition
    >>> unit_parts(ArchivalUnit("k", "CSA RK", SourcePosition("u"), fond="5", inventory="16", file="365"))
    ['f. 5', 'inv. 16', 'file 365']
    """
    labels = UNIT_LABELS.get(lang, UNIT_LABELS["en"])
    return [f"{labels[level]} {value}" for level in ("fond", "inventory", "file", "volume")
            if (value := getattr(unit, level))]


def locator_text(locator: Locator | None, lang: str = "en") -> str | None:
    """``pp. 262–272`` from a parsed locator.

    >>> locator_text(Locator("page", "262–272"))
    'pp. 262–272'
    """
    if locator is None:
        return None
    labels = UNIT_LABELS.get(lang, UNIT_LABELS["en"])
    singular, plural = labels.get(locator.label, (locator.label, locator.label))  # type: ignore[misc]
    return f"{plural if locator.is_range else singular} {locator.value}"


def archival_note_text(archive: Archive, unit: ArchivalUnit, locator: Locator | None, lang: str = "en") -> str:
    """The whole reference as a note prints it.

    >>> from edition.diagnostics import SourcePosition
    >>> a = Archive("APDTR", {"en": "Archive"}, SourcePosition("a"))
    >>> u = ArchivalUnit("k", "APDTR", SourcePosition("u"), file="15446", volume="1")
    >>> archival_note_text(a, u, Locator("page", "262–272"))
    'APDTR, file 15446, vol. 1, pp. 262–272.'
    """
    parts = [archive.siglum, *unit_parts(unit, lang)]
    if (pages := locator_text(locator, lang)):
        parts.append(pages)
    return ", ".join(parts) + "."

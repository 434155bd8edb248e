"""Interface strings in the edition's languages, and dates and numbers per locale.

Templates mark their strings with ``_()`` and ``{% trans %}`` (Jinja's i18n
extension); ``pybabel extract`` gathers them into ``edition/locale/messages.pot``
and each language keeps its translations in
``edition/locale/<lang>/LC_MESSAGES/messages.po``.  The catalogues are
compiled when a build starts, in memory, so a fresh clone builds without a
compile step and a compiled file can never be stale.  A project may add
``locale/<lang>/LC_MESSAGES/messages.po`` of its own (for the strings of its
own templates); its translations win over the built-in ones.

The language of the interface is the page's ``lang``: a site page's own
language, or the language of the document on a document page.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Callable

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
"""The built-in catalogues."""

DOMAIN = "messages"


def _compile(po_path: Path, lang: str) -> Translations:
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


@lru_cache(maxsize=32)
def _catalogue(po_path: Path, lang: str, mtime_ns: int) -> Translations:  # mtime_ns: the cache key
    return _compile(po_path, lang)


def translations(lang: str, project_locale: Path | None = None) -> NullTranslations:
    """The interface strings for ``lang``: built-in catalogue, then the project's own over it."""
    result: NullTranslations = NullTranslations()
    for folder in (LOCALE_DIR, project_locale):
        if folder is None:
            continue
        po_path = folder / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po_path.is_file():
            catalogue = _catalogue(po_path, lang, po_path.stat().st_mtime_ns)
            if isinstance(result, Translations):
                merged = Translations(domain=DOMAIN)
                merged.merge(result)
                merged.merge(catalogue)
                result = merged
            else:
                result = catalogue
    return result


def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def format_date_text(value: str | None, lang: str) -> str:
    """An ISO date as the language writes it; a bare year (the common case) stays as it is.

    >>> format_date_text("2024-11-24", "ru")
    '24 ноября 2024\u202fг.'
    >>> format_date_text("2024-11", "en")
    'November 2024'
    >>> format_date_text("2024", "kk")
    '2024'
    """
    if not value:
        return ""
    locale = _locale(lang)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return format_date(dt.date.fromisoformat(value), format="long", locale=locale)
        except ValueError:
            return value
    if match := re.fullmatch(r"(\d{4})-(\d{2})", value):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return format_skeleton("yMMMM", dt.date(year, month, 1), locale=locale)
    return value


def format_number_text(value: int | float, lang: str) -> str:
    """A number with the language's digit grouping and decimal sign.

    >>> format_number_text(12345, "ru")
    '12\\xa0345'
    >>> format_number_text(12345, "en")
    '12,345'
    """
    return format_decimal(value, locale=_locale(lang))


def install(env: Environment, project_locale: Path | None = None,
            catalogue: Callable[[str], NullTranslations] | None = None) -> None:
    """Give ``env`` gettext callables that follow each page's ``lang``, and the locale filters.

    ``catalogue`` (language → translations) replaces :func:`translations`,
    for a caller that remembers each language's catalogue.
    """
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    look_up = catalogue or (lambda lang: translations(lang, project_locale))

    def current(context: Context) -> NullTranslations:
        return look_up(str(context.get("lang") or "en"))

    @pass_context
    def gettext(context: Context, message: str) -> str:
        return current(context).gettext(message)

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, n: int) -> str:
        return current(context).ngettext(singular, plural, n)

    @pass_context
    def pgettext(context: Context, ctxt: str, message: str) -> str:
        return current(context).pgettext(ctxt, message)

    @pass_context
    def npgettext(context: Context, ctxt: str, singular: str, plural: str, n: int) -> str:
        return current(context).npgettext(ctxt, singular, plural, n)

    env.install_gettext_callables(gettext, ngettext, newstyle=True,  # type: ignore[attr-defined]
                                  pgettext=pgettext, npgettext=npgettext)

    @pass_context
    def date_filter(context: Context, value: str | None) -> str:
        return format_date_text(value, str(context.get("lang") or "en"))

    @pass_context
    def number_filter(context: Context, value: int | float) -> str:
        return format_number_text(value, str(context.get("lang") or "en"))

    env.filters["date"] = date_filter
    env.filters["number"] = number_filter

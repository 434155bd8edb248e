"""Safe HTML rendering of pybtex rich text.

A bibliography is user input: a title may hold ``<script>``, a ``url`` may
be ``javascript:...`` or carry a quote that ends the ``href`` attribute.
pybtex's own HTML backend escapes text but writes ``href`` values as
they are, so it must not be used for pages.  :class:`SafeHTMLBackend`
escapes every string and attribute, allows only a short list of tags,
and makes links only for http(s) URLs and DOIs; anything else is shown
as plain text.
"""
from __future__ import annotations

import html
import re
from types import MappingProxyType
from urllib.parse import quote, urlsplit

from markupsafe import Markup
from pybtex.backends import BaseBackend
from pybtex.richtext import BaseText

ALLOWED_TAGS = frozenset({"em", "strong", "i", "b", "cite", "sup", "sub", "span"})
"""Tags a formatting template may produce; any other tag is dropped, its text kept."""

_URL_SAFE = "/:?#[]@!$&'()*+,;=%~-._"
"""Characters left as they are in a URL; quotes, brackets and spaces get %-encoded."""
_DOI_SAFE = "/:;()._-"
_DOI_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)$", re.I)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def safe_url(url: str) -> str | None:
    """The URL to put in ``href``, %-encoded; None unless it is http(s) with a host.

    >>> safe_url("https://example.org/a b")
    'https://example.org/a%20b'
    >>> safe_url("javascript:alert(1)") is None
    True
    >>> safe_url(' " onmouseover="x') is None
    True
    >>> safe_url("//evil.example/") is None
    True
    """
    candidate = url.strip()
    if _CONTROL_RE.search(candidate):
        return None  # browsers drop tabs and newlines, which can hide a scheme
    parts = urlsplit(candidate)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(candidate, safe=_URL_SAFE)


def doi_url(doi: str) -> str | None:
    """``https://doi.org/`` plus the %-encoded DOI; None unless it looks like a DOI.

    >>> doi_url("10.51943/2710-3994_2024_11_2_361-372")
    'https://doi.org/10.51943/2710-3994_2024_11_2_361-372'
    >>> doi_url('"><img src=x onerror=alert(1)>') is None
    True
    >>> doi_url('10.1000/x"><img>')
    'https://doi.org/10.1000/x%22%3E%3Cimg%3E'
    """
    match = _DOI_RE.match(doi.strip())
    if not match:
        return None
    return "https://doi.org/" + quote(match.group(1), safe=_DOI_SAFE)


def link_target(url: str) -> str | None:
    """The safe target for a link written in a template: a DOI or an http(s) URL."""
    if _DOI_RE.match(url.strip()) and not url.strip().lower().startswith("http"):
        return doi_url(url)
    return safe_url(url)


class SafeHTMLBackend(BaseBackend):
    """Renders :class:`pybtex.richtext.Text` to HTML with every value escaped."""

    default_suffix = ".html"
    symbols = MappingProxyType({"ndash": "&ndash;", "newblock": " ", "nbsp": "&nbsp;"})

    def format_str(self, text: str) -> str:
        return html.escape(text, quote=True)

    def format_protected(self, text: str) -> str:
        # Braces protect capitals from case changes; the page needs no trace of them.
        return text

    def format_tag(self, tag: str, text: str) -> str:
        if not text:
            return ""
        if tag not in ALLOWED_TAGS:
            return text
        return f"<{tag}>{text}</{tag}>"

    def format_href(self, url: object, text: str, external: bool = False) -> str:
        if not text:
            return ""
        target = link_target(str(url))
        if target is None:
            return text
        rel = ' rel="noopener"' if external else ""
        return f'<a href="{html.escape(target, quote=True)}"{rel}>{text}</a>'

    def write_entry(self, key: str, label: str, text: str) -> None:  # pragma: no cover
        raise NotImplementedError("pages render entries through templates")


_BACKEND = SafeHTMLBackend()


def render_html(text: BaseText) -> Markup:
    """Render rich text as safe HTML, ready for a Jinja template."""
    return Markup(text.render(_BACKEND))

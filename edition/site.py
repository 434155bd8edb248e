"""The site around the documents: its pages in every interface language, sitemap, robots.txt.

The site pages (contents, bibliography, sources, registers, about, how to
cite, search, 404) exist once per language: the first of the edition's
languages at the root (``/``, ``/bibliography/``), each other under its code
(``/kk/``, ``/kk/bibliography/``).  Each version links to the others with
``<link rel="alternate" hreflang>`` and a language switch.  A document has
one page, in its own language, at ``/<id>/``; its interface follows its
language.

``sitemap.xml`` needs absolute addresses, so it is written only when
``base_url`` is set; ``robots.txt`` is always written and names the sitemap
when there is one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable
from xml.sax.saxutils import escape, quoteattr

from jinja2 import Environment
from markupsafe import Markup

from edition import metadata
from edition.config import Config
from edition.read import DocumentMeta


@dataclass(frozen=True)
class SitePage:
    key: str
    """Names the page for the navigation (``aria-current``) and groups its language versions."""
    path: str
    """Output path in the default language, e.g. ``bibliography/index.html``."""
    template: str
    context: dict[str, Any]


def prefix(lang: str, config: Config) -> str:
    """The URL folder of a language's site pages: none for the first language."""
    return "" if lang == config.languages[0] else f"{lang}/"


def url_dir(path: str) -> str:
    """``bibliography/index.html`` → ``bibliography/``; ``index.html`` → ``""``."""
    return path[: -len("index.html")] if path.endswith("index.html") else path


def absolute(config: Config, path: str) -> str | None:
    return f"{config.base_url.rstrip('/')}/{url_dir(path)}" if config.base_url else None


def page_context(config: Config, lang: str, path: str, key: str, alternates: bool = True) -> dict[str, Any]:
    """What base.html needs on every page: roots, the language versions, the canonical address.

    ``root`` leads to the site's root, ``home`` to the root of the page's
    language (where its site pages are).  The 404 page is served at any
    address, so its links are absolute paths.
    """
    depth = path.count("/")
    root = "/" if key == "404" else "../" * depth
    versions = []
    if alternates:
        base = path[len(prefix(lang, config)):]
        for other in config.languages:
            versions.append({"lang": other, "href": root + prefix(other, config) + url_dir(base),
                             "absolute": absolute(config, prefix(other, config) + base),
                             "current": other == lang})
    return {"lang": lang, "root": root, "home": root + prefix(lang, config), "current_page": key,
            "alternates": versions, "canonical": absolute(config, path) if key != "404" else None}


def render_site_pages(env: Environment, pages: Iterable[SitePage], config: Config,
                      shared: dict[str, Any]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Every site page in every language, and the sitemap's groups (language → path) of them."""
    out: dict[str, str] = {}
    groups: list[dict[str, str]] = []
    for page in pages:
        group: dict[str, str] = {}
        for lang in config.languages:
            path = prefix(lang, config) + page.path
            context = {**shared, **page.context, **page_context(config, lang, path, page.key)}
            out[path] = env.get_template(page.template).render(**context)
            group[lang] = path
        if page.key != "404":
            groups.append(group)
    return out, groups


def sitemap(config: Config, groups: list[dict[str, str]], documents: list[str]) -> str | None:
    """The sitemap protocol's XML, with each page's language versions; None without ``base_url``."""
    if not config.base_url:
        return None
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    entries: list[tuple[str, dict[str, str]]] = []
    for group in groups:
        for path in group.values():
            entries.append((path, group))
    entries += [(path, {}) for path in documents]
    for path, group in sorted(entries, key=lambda entry: entry[0]):
        lines.append(f"<url><loc>{escape(absolute(config, path) or '')}</loc>")
        for lang, other in sorted(group.items()):
            lines.append(f'  <xhtml:link rel="alternate" hreflang="{lang}" href={quoteattr(absolute(config, other) or "")}/>')
        if group:
            lines.append(f'  <xhtml:link rel="alternate" hreflang="x-default" '
                         f'href={quoteattr(absolute(config, group[config.languages[0]]) or "")}/>')
        lines.append("</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots(config: Config, has_sitemap: bool) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if has_sitemap:
        lines += ["", f"Sitemap: {config.base_url.rstrip('/')}/sitemap.xml"]
    return "\n".join(lines) + "\n"



def document_context(meta: DocumentMeta, abstracts: dict[str, Markup], config: Config) -> dict[str, Any]:
    """A document page's place in the site, and its citation metadata."""
    lang = meta.lang if meta.lang in config.languages else config.languages[0]
    context = page_context(config, lang, f"{meta.id}/index.html", "document", alternates=False)
    context["lang"] = meta.lang
    abstract = abstracts.get(meta.lang) or next(iter(abstracts.values()), Markup(""))
    text = " ".join(Markup(abstract).striptags().split())
    context.update(highwire=metadata.highwire(meta, config.base_url, text),
                   dublin_core=metadata.dublin_core(meta, config.base_url, text),
                   scholarly_article=metadata.json_ld(meta, config.base_url, text))
    return context

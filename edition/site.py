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

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable
from html import escape

from jinja2 import Environment
from markupsafe import Markup

from edition import metadata
from edition.config import Config
from edition.read import DocumentMeta, EditorialChange


@dataclass(frozen=True)
class DocumentSummary:
    """A document as the site pages show it (contents, about, how to cite)."""

    meta: DocumentMeta
    editorial_log: tuple[EditorialChange, ...] = ()
    paragraph_numbers: dict[str, int] = field(default_factory=dict)
    """Anchor → ¶ number of the body's paragraphs."""


@dataclass(frozen=True)
class SitePage:
    key: str
    """Names the page for the navigation (``aria-current``) and groups its language versions."""
    path: str
    """Output path in the default language, e.g. ``bibliography/index.html``."""
    template: str
    context: Callable[[], dict[str, Any]]
    """Builds the page's own variables, only when the page is rendered."""
    digests: dict[str, str] = field(default_factory=dict)
    """Variable → digest of its value: the page is rendered again only when a variable its
    templates read changed."""


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


def page_versions(page: SitePage, config: Config) -> dict[str, str]:
    """Language → output path of each version of a site page."""
    return {lang: prefix(lang, config) + page.path for lang in config.languages}


def render_site_page(env: Environment, page: SitePage, lang: str, config: Config,
                     shared: dict[str, Any]) -> str:
    """One language version of a site page; ``shared`` holds the variables every page gets."""
    path = prefix(lang, config) + page.path
    context = {**shared, **page.context(), **page_context(config, lang, path, page.key)}
    return env.get_template(page.template).render(**context)


def sitemap_groups(pages: Iterable[SitePage], config: Config) -> list[dict[str, str]]:
    """The sitemap's groups (language → path) of the site pages."""
    return [page_versions(page, config) for page in pages if page.key != "404"]


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
        lines.append(f"<url><loc>{escape(absolute(config, path) or '', quote=False)}</loc>")
        for lang, other in sorted(group.items()):
            lines.append(f'  <xhtml:link rel="alternate" hreflang="{lang}" href="{escape(absolute(config, other) or "")}"/>')
        if group:
            lines.append(f'  <xhtml:link rel="alternate" hreflang="x-default" '
                         f'href="{escape(absolute(config, group[config.languages[0]]) or "")}"/>')
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


# -- the site pages of an edition, each with what it depends on -----------------------------------

class SiteTables:
    """The site-wide tables, made from every document's facts and shares, each only when asked.

    Each table has a digest of what it is made from, known without making
    it, so a site page whose tables are unchanged is not rendered again and
    the documents' shares (``documents.DocumentShares``) are not even read.
    """

    def __init__(self, facts: list[Any], shares: Callable[[list[Any]], dict[str, Any]], bibliography: Any,
                 style: Any, register: Any, registers: Any, config: Config, key_digest: Callable[[str], str],
                 register_digest: str, registers_digest: str, formatted: dict[str, Any] | None = None):
        from edition.cache import digest

        self.facts = facts
        """In file order, as the documents are read."""
        self._load = shares
        self.bibliography, self.style, self.register, self.registers, self.config = \
            bibliography, style, register, registers, config
        self._by_id = sorted(facts, key=lambda f: f.id)
        self.cited_keys = sorted(set().union(*(f.works for f in facts)))
        self.documents_digest = digest(*((f.id, f.shares["summary"]) for f in self._by_id))
        self.references_digest = digest(style.name, *((key, key_digest(key)) for key in self.cited_keys),
                                        *((f.id, f.shares["cited"]) for f in facts))
        self.sources_digest = digest(register_digest, *((f.id, f.shares["unit_cited"]) for f in facts))
        self.indexes_digest = digest(registers_digest, tuple(config.languages),
                                     *((f.id, f.shares["mentions"]) for f in facts))
        self.unused_digest = digest(self.sources_digest, self.indexes_digest)
        """What the warnings about register entries never cited or named depend on."""
        self._shares: dict[str, Any] | None = None
        self._made: dict[str, Any] = {}
        self.formatted = formatted if formatted is not None else {}

    def _share(self, name: str) -> list[Any]:
        if self._shares is None:
            self._shares = self._load(self.facts)
        return [getattr(self._shares[f.path], name) for f in self.facts]

    @property
    def documents(self) -> list[DocumentSummary]:
        if "documents" not in self._made:
            by_path = dict(zip((f.path for f in self.facts), self._share("summary")))
            self._made["documents"] = [by_path[f.path] for f in self._by_id]
        return self._made["documents"]

    @property
    def references(self) -> list[Any]:
        """Every work cited anywhere, in the style's order, with backlinks and downloads."""
        if "references" not in self._made:
            from edition.resolve import cited_by_key, site_bibliography

            self._made["references"] = site_bibliography(cited_by_key(self._share("cited")), self.bibliography,
                                                         self.style, self.formatted)
        return self._made["references"]

    def sources(self, diagnostics: Any = None) -> list[Any]:
        """Archives and units with their backlinks; units never cited are warned about in ``diagnostics``."""
        if "sources" not in self._made:
            from edition.diagnostics import Diagnostics
            from edition.resolve import cited_by_key, site_sources

            found = Diagnostics()
            self._made["sources"] = site_sources(cited_by_key(self._share("unit_cited")), self.register, found)
            self._made["sources-warnings"] = found.items
        if diagnostics is not None:
            diagnostics.extend(self._made["sources-warnings"])
        return self._made["sources"]

    def indexes(self, diagnostics: Any = None) -> list[Any]:
        """The register pages; entries never named are warned about in ``diagnostics``."""
        if "indexes" not in self._made:
            from edition.diagnostics import Diagnostics
            from edition.resolve import site_indexes

            mentions: dict[tuple[str, str], list[Any]] = {}
            for share in self._share("mentions"):
                for key, link in share:
                    mentions.setdefault(key, []).append(link)
            found = Diagnostics()
            self._made["indexes"] = site_indexes(mentions, self.registers, self.config, found)
            self._made["indexes-warnings"] = found.items
        if diagnostics is not None:
            diagnostics.extend(self._made["indexes-warnings"])
        return self._made["indexes"]


def site_pages(tables: SiteTables, config: Config) -> list[SitePage]:
    """Every site page (one language version each; see :func:`page_versions`), with its data's digests."""
    from edition.cite import CitedParagraph, citation_text
    from edition.indexes import REGISTER_KINDS, places_map

    def how_to_cite() -> dict[str, Any]:
        documents = tables.documents
        return {"citations": {d.meta.id: citation_text(d.meta, config.base_url) for d in documents},
                "paragraph_citations": {d.meta.id: [
                    (anchor, number, citation_text(d.meta, config.base_url, CitedParagraph(anchor, number)))
                    for anchor, number in list(d.paragraph_numbers.items())[:1]] for d in documents}}

    def register(position: int) -> dict[str, Any]:
        index = tables.indexes()[position]
        return {"page": index, "map_svg": Markup(places_map(index))}

    pages = [SitePage("home", "index.html", "home.html", dict),
             SitePage("bibliography", "bibliography/index.html", "bibliography.html",
                      lambda: {"references": tables.references}, {"references": tables.references_digest}),
             SitePage("sources", "sources/index.html", "sources.html",
                      lambda: {"archives": tables.sources()}, {"archives": tables.sources_digest})]
    for position, kind in enumerate(REGISTER_KINDS.values()):  # the pages ``indexes.index_pages`` makes
        pages.append(SitePage(kind.slug, f"{kind.slug}/index.html", "register.html",
                              lambda position=position: register(position),
                              {"page": f"{kind.slug}:{tables.indexes_digest}",
                               "map_svg": f"{kind.slug}:{tables.indexes_digest}"}))
    pages += [SitePage("about", "about/index.html", "about.html", dict),
              SitePage("how-to-cite", "how-to-cite/index.html", "how-to-cite.html", how_to_cite,
                       {"citations": tables.documents_digest, "paragraph_citations": tables.documents_digest}),
              SitePage("search", "search/index.html", "search.html", dict),
              SitePage("404", "404.html", "404.html", dict)]
    return pages

"""What a document page tells machines about itself: citation metadata.

Three vocabularies, each read by different software: Highwire Press
``citation_*`` tags (Google Scholar, Zotero), Dublin Core ``DC.*`` tags
(library harvesters) and a schema.org ``ScholarlyArticle`` in JSON-LD
(general search engines).  All three say the same things, built here once
from the front matter; the templates only print them.  URLs that must be
absolute (the page's own address) are given only when ``base_url`` is set.
"""
from __future__ import annotations

from typing import Any

from edition.cite import permalink
from edition.read import DocumentMeta


def _author_names(meta: DocumentMeta) -> list[str]:
    return [author.name.get(meta.lang) or next(iter(author.name.values()), "") for author in meta.authors]


def _family_first(name: str) -> str:
    """``"A. A. Kabyl"`` → ``"Kabyl, A. A."``, the form Highwire tags prefer.

    >>> _family_first("Kh. M. Tursun")
    'Tursun, Kh. M.'
    >>> _family_first("Plato")
    'Plato'
    """
    parts = name.split()
    return f"{parts[-1]}, {' '.join(parts[:-1])}" if len(parts) > 1 else name


def _pages(meta: DocumentMeta) -> tuple[str, str]:
    first, _, last = (meta.pages or "").replace("--", "–").replace("-", "–").partition("–")
    return first.strip(), last.strip()


def _journal(meta: DocumentMeta) -> str:
    return meta.journal.get(meta.lang) or next(iter(meta.journal.values()), "")


def page_url(meta: DocumentMeta, base_url: str) -> str | None:
    return permalink(base_url, meta.id) if base_url else None


def highwire(meta: DocumentMeta, base_url: str, abstract: str) -> list[tuple[str, str]]:
    """``citation_*`` meta tags as (name, content), in the order Google Scholar documents them."""
    first, last = _pages(meta)
    tags: list[tuple[str, str]] = [("citation_title", meta.title.get(meta.lang, ""))]
    tags += [("citation_author", _family_first(name)) for name in _author_names(meta)]
    tags += [("citation_publication_date", (meta.date or "").replace("-", "/")),
             ("citation_journal_title", _journal(meta)),
             ("citation_volume", meta.volume or ""), ("citation_issue", meta.issue or ""),
             ("citation_firstpage", first), ("citation_lastpage", last),
             ("citation_doi", meta.doi or ""), ("citation_language", meta.lang)]
    keywords = meta.keywords.get(meta.lang) or next(iter(meta.keywords.values()), ())
    tags += [("citation_keywords", "; ".join(keywords))]
    tags += [("citation_abstract", abstract)]
    url = page_url(meta, base_url)
    if url:
        tags += [("citation_abstract_html_url", url), ("citation_fulltext_html_url", url)]
    return [(name, value) for name, value in tags if value]


def dublin_core(meta: DocumentMeta, base_url: str, abstract: str) -> list[tuple[str, str]]:
    """``DC.*`` meta tags as (name, content)."""
    first, last = _pages(meta)
    tags: list[tuple[str, str]] = [("DC.title", meta.title.get(meta.lang, ""))]
    tags += [("DC.creator", _family_first(name)) for name in _author_names(meta)]
    tags += [("DC.date", meta.date or ""), ("DC.type", "Text"), ("DC.format", "text/html"),
             ("DC.language", meta.lang)]
    if meta.doi:
        tags.append(("DC.identifier", f"https://doi.org/{meta.doi}"))
    url = page_url(meta, base_url)
    if url:
        tags.append(("DC.identifier", url))
    pages = f"pp. {first}–{last}" if first and last else (f"p. {first}" if first else "")
    source = ", ".join(part for part in (_journal(meta), meta.volume and f"vol. {meta.volume}",
                                          meta.issue and f"no. {meta.issue}", pages) if part)
    tags += [("DC.source", source)]
    keywords = meta.keywords.get(meta.lang) or next(iter(meta.keywords.values()), ())
    tags += [("DC.subject", word) for word in keywords]
    tags += [("DC.description", abstract), ("DC.rights", meta.license or "")]
    return [(name, value) for name, value in tags if value]


def json_ld(meta: DocumentMeta, base_url: str, abstract: str) -> dict[str, Any]:
    """The document as a schema.org ``ScholarlyArticle`` inside its issue, volume and periodical."""
    first, last = _pages(meta)
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": meta.title.get(meta.lang, ""),
        "name": meta.title.get(meta.lang, ""),
        "inLanguage": meta.lang,
        "author": [{"@type": "Person", "name": name} for name in _author_names(meta)],
    }
    alternates = [title for lang, title in sorted(meta.title.items()) if lang != meta.lang]
    if alternates:
        article["alternativeHeadline"] = alternates[0] if len(alternates) == 1 else alternates
    if meta.date:
        article["datePublished"] = meta.date
    if first:
        article["pageStart"] = first
    if last:
        article["pageEnd"] = last
    if meta.pages:
        article["pagination"] = meta.pages
    container: dict[str, Any] | None = None
    if _journal(meta):
        container = {"@type": "Periodical", "name": _journal(meta)}
    if meta.volume:
        container = {"@type": "PublicationVolume", "volumeNumber": meta.volume,
                     **({"isPartOf": container} if container else {})}
    if meta.issue:
        container = {"@type": "PublicationIssue", "issueNumber": meta.issue,
                     **({"isPartOf": container} if container else {})}
    if container:
        article["isPartOf"] = container
    if meta.doi:
        article["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": meta.doi}
        article["sameAs"] = f"https://doi.org/{meta.doi}"
    keywords = meta.keywords.get(meta.lang) or next(iter(meta.keywords.values()), ())
    if keywords:
        article["keywords"] = list(keywords)
    if abstract:
        article["abstract"] = abstract
    if meta.license:
        article["license"] = meta.license
    url = page_url(meta, base_url)
    if url:
        article["url"] = url
        article["@id"] = url
    return article

"""Stage 4, render: the resolved edition through Jinja templates into pages.

Templates live in the project's ``templates/`` and are the user's to
override; autoescaping is on everywhere, and the only markup made in
Python is the Markdown serialiser's and the citation backend's.
"""
from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from edition.cite import CitedParagraph, bibtex, citation_text, csl_json, ris
from edition.config import Config
from edition.resolve import Edition, ResolvedDocument

LANGUAGE_NAMES = {"en": "English", "kk": "Қазақша", "ru": "Русский"}


def environment(config: Config) -> Environment:
    env = Environment(loader=FileSystemLoader(str(config.templates_dir)),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.globals.update(site_title=config.site_title, language_names=LANGUAGE_NAMES)
    env.filters["tojson_ld"] = lambda value: Markup(json.dumps(value, ensure_ascii=False, sort_keys=True)
                                                   .replace("<", "\\u003c"))
    return env


def document_parts(resolved: ResolvedDocument) -> dict[str, Markup]:
    md = resolved.parsed.markdown
    return {name: Markup(md.to_html(root)) for name, root in resolved.parsed.parts.items()}


def citation_files(resolved: ResolvedDocument, config: Config) -> dict[str, str]:
    """The document's downloads for reference managers: the article, and every paragraph."""
    meta = resolved.meta
    paragraphs = [CitedParagraph(anchor, number) for anchor, number in resolved.paragraph_numbers.items()]
    return {
        f"{meta.id}/cite.bib": bibtex(meta, config.base_url),
        f"{meta.id}/cite.ris": ris(meta, config.base_url),
        f"{meta.id}/cite.json": csl_json(meta),
        f"{meta.id}/paragraphs.bib": bibtex(meta, config.base_url, paragraphs),
        f"{meta.id}/paragraphs.ris": ris(meta, config.base_url, paragraphs),
    }


def render_site(edition: Edition, config: Config) -> dict[str, bytes]:
    """Every page of the site as bytes, keyed by its path in the output directory."""
    env = environment(config)
    pages: dict[str, str] = {}
    documents = sorted(edition.documents, key=lambda d: d.meta.id)
    for resolved in documents:
        pages.update(citation_files(resolved, config))
        parts = document_parts(resolved)
        pages[f"{resolved.meta.id}/index.html"] = env.get_template("document.html").render(
            document=resolved, meta=resolved.meta, body=parts["body"],
            abstracts={name.split(".", 1)[1]: html for name, html in parts.items() if name.startswith("abstract.")},
            root="../", lang=resolved.meta.lang,
            citation=citation_text(resolved.meta, config.base_url))
    common = {"documents": documents, "root": "", "lang": "en"}
    pages["index.html"] = env.get_template("home.html").render(**common)
    pages["404.html"] = env.get_template("404.html").render(**{**common, "root": "/"})
    nested = {**common, "root": "../"}
    pages["bibliography/index.html"] = env.get_template("bibliography.html").render(
        references=edition.bibliography, **nested)
    pages["sources/index.html"] = env.get_template("sources.html").render(archives=edition.sources, **nested)
    pages["about/index.html"] = env.get_template("about.html").render(**nested)
    for reference in edition.bibliography:
        for name, text in reference.exports:
            pages[f"bibliography/{name}"] = text
    files = {path: text.encode("utf-8") for path, text in pages.items()}
    static = config.templates_dir / "static"
    for asset in sorted(static.rglob("*")) if static.exists() else ():
        if asset.is_file():
            files[f"static/{asset.relative_to(static).as_posix()}"] = asset.read_bytes()
    return files

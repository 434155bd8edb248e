"""Stage 4, render: the resolved edition through Jinja templates into pages.

Templates live in the project's ``templates/`` and are the user's to
override; autoescaping is on everywhere, and the only markup made in
Python is the Markdown serialiser's, the citation backend's and the places
map's (``svgmap.py``, built with ElementTree).
"""
from __future__ import annotations

import json
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from jinja2 import (Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound,
                    TemplateSyntaxError, select_autoescape)
from markupsafe import Markup

from edition import i18n
from edition.cite import CitedParagraph, bibtex, citation_text, csl_json, ris
from edition.config import Config
from edition.diagnostics import Diagnostic, EditionError, SourcePosition, processing
from edition.indexes import places_map
from edition.resolve import Edition, ResolvedDocument
from edition.site import SitePage, document_context, render_site_pages, robots, sitemap

LANGUAGE_NAMES = {"en": "English", "kk": "Қазақша", "ru": "Русский"}


def environment(config: Config) -> Environment:
    env = Environment(loader=FileSystemLoader(str(config.templates_dir)),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.globals.update(site_title=config.site_title, language_names=LANGUAGE_NAMES)
    env.filters["tojson_ld"] = lambda value: Markup(json.dumps(value, ensure_ascii=False, sort_keys=True)
                                                   .replace("<", "\\u003c"))
    env.globals.update(languages=config.languages)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    i18n.install(env, config.root / "locale")
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
        with processing(resolved.parsed.source.src_path):
            pages.update(citation_files(resolved, config))
            parts = document_parts(resolved)
            abstracts = {name.split(".", 1)[1]: html for name, html in parts.items() if name.startswith("abstract.")}
            pages[f"{resolved.meta.id}/index.html"] = env.get_template("document.html").render(
                document=resolved, meta=resolved.meta, body=parts["body"], abstracts=abstracts,
                citation=citation_text(resolved.meta, config.base_url),
                **document_context(resolved.meta, abstracts, config))
    site_pages = [SitePage("home", "index.html", "home.html", {}),
                  SitePage("bibliography", "bibliography/index.html", "bibliography.html",
                           {"references": edition.bibliography}),
                  SitePage("sources", "sources/index.html", "sources.html", {"archives": edition.sources})]
    site_pages += [SitePage(index.kind.slug, f"{index.kind.slug}/index.html", "register.html",
                            {"page": index, "map_svg": Markup(places_map(index))}) for index in edition.indexes]
    site_pages += [SitePage("about", "about/index.html", "about.html", {}),
                   SitePage("how-to-cite", "how-to-cite/index.html", "how-to-cite.html",
                            {"citations": {d.meta.id: citation_text(d.meta, config.base_url) for d in documents},
                             "paragraph_citations": {d.meta.id: [
                                 (anchor, number, citation_text(d.meta, config.base_url, CitedParagraph(anchor, number)))
                                 for anchor, number in list(d.paragraph_numbers.items())[:1]] for d in documents}}),
                   SitePage("search", "search/index.html", "search.html", {}),
                   SitePage("404", "404.html", "404.html", {})]
    rendered, groups = render_site_pages(env, site_pages, config, {"documents": documents})
    pages.update(rendered)
    sitemap_xml = sitemap(config, groups, [f"{d.meta.id}/index.html" for d in documents])
    if sitemap_xml:
        pages["sitemap.xml"] = sitemap_xml
    pages["robots.txt"] = robots(config, sitemap_xml is not None)
    for reference in edition.bibliography:
        for name, text in reference.exports:
            pages[f"bibliography/{name}"] = text
    files = {path: text.encode("utf-8") for path, text in pages.items()}
    static = config.templates_dir / "static"
    for asset in sorted(static.rglob("*")) if static.exists() else ():
        if asset.is_file():
            try:
                files[f"static/{asset.relative_to(static).as_posix()}"] = asset.read_bytes()
            except OSError as error:
                raise EditionError([Diagnostic(SourcePosition(_relative(asset, config)), "error", "file-unreadable",
                                               f"cannot read {asset.name}: {error.strerror or error}")]) from None
    return files


def _relative(path: Path, config: Config) -> str:
    try:
        return path.resolve().relative_to(config.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _template_position(error: BaseException, config: Config) -> SourcePosition | None:
    """Where in the user's templates an exception was raised: the innermost template frame.

    None when the innermost frame of the project's own code comes after it (a bug of ours
    called from a template, not a mistake in the template).
    """
    templates = config.templates_dir.resolve()
    package = Path(__file__).resolve().parent
    position = None
    for frame in traceback.extract_tb(error.__traceback__):
        filename = Path(frame.filename)
        if filename.is_absolute() and templates in filename.resolve().parents:
            position = SourcePosition(_relative(filename, config), frame.lineno or 1)
        elif filename.is_absolute() and package in filename.resolve().parents and position is not None:
            position = None
    return position


@contextmanager
def template_errors(config: Config) -> Iterator[None]:
    """A mistake in a template the user overrode is a diagnostic naming the template and line."""
    try:
        yield
    except TemplateSyntaxError as error:
        path = _relative(Path(error.filename), config) if error.filename else f"templates/{error.name}"
        raise EditionError([Diagnostic(SourcePosition(path, error.lineno or 1), "error", "template-syntax",
                                       f"template syntax error: {error.message}")]) from None
    except TemplateNotFound as error:
        raise EditionError([Diagnostic(SourcePosition(f"templates/{error.name}"), "error", "template-missing",
                                       f"template {error.name!r} not found in templates/")]) from None
    except Exception as error:
        position = _template_position(error, config)
        if position is None and isinstance(error, TemplateError):
            position = SourcePosition("templates")
        if position is None:
            raise
        message = error.message if isinstance(error, TemplateError) and error.message else \
            f"{type(error).__name__}: {error}"
        raise EditionError([Diagnostic(position, "error", "template-error",
                                       f"error in template: {message}")]) from None

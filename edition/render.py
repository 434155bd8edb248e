"""Stage 4, render: resolved documents and the site's tables through Jinja templates into pages.

Templates live in the project's ``templates/`` and are the user's to
override; autoescaping is on everywhere, and the only markup made in
Python is the Markdown serialiser's, the citation backend's and the places
map's (``svgmap.py``, built with ElementTree).

What a page depends on is read from the templates themselves
(:func:`template_dependencies`): the templates it extends, includes and
imports, and the context variables any of them use, so a later build
re-renders a page only when one of those changed.
"""
from __future__ import annotations

import json
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from jinja2 import (Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, TemplateError,
                    TemplateNotFound, TemplateSyntaxError, meta, select_autoescape)
from markupsafe import Markup

from edition import i18n
from edition.cache import digest, generator_version
from edition.cite import CitedParagraph, bibtex, citation_text, csl_json, ris
from edition.config import Config
from edition.diagnostics import Diagnostic, EditionError, SourcePosition
from edition.resolve import ResolvedDocument
from edition.site import document_context

LANGUAGE_NAMES = {"en": "English", "kk": "Қазақша", "ru": "Русский"}


def environment(config: Config) -> Environment:
    # Templates compiled by this generator, each reused while its text is unchanged.
    cache = config.cache_dir / f"templates-{generator_version()[:16]}"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        bytecode: FileSystemBytecodeCache | None = FileSystemBytecodeCache(str(cache))
    except OSError:
        bytecode = None
    env = Environment(loader=FileSystemLoader(str(config.templates_dir)),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True, auto_reload=False, bytecode_cache=bytecode)
    env.globals.update(site_title=config.site_title, language_names=LANGUAGE_NAMES)
    env.filters["tojson_ld"] = lambda value: Markup(json.dumps(value, ensure_ascii=False, sort_keys=True)
                                                   .replace("<", "\\u003c"))
    env.globals.update(languages=config.languages)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    locale = config.root / "locale"
    catalogues: dict[str, Any] = {}

    def catalogue(lang: str) -> Any:  # an environment lives for one build: its catalogues never go stale
        if lang not in catalogues:
            catalogues[lang] = i18n.translations(lang, locale)
        return catalogues[lang]

    i18n.install(env, locale, catalogue)
    return env


@dataclass(frozen=True)
class TemplateDependencies:
    digest: str
    """Of the template and every template it extends, includes or imports (all of them when a name is computed)."""
    variables: frozenset[str]
    """Context variables any of those templates read."""


def template_dependencies(config: Config, names: list[str]) -> dict[str, TemplateDependencies]:
    """What each named template depends on, read from the template files.

    A template that cannot be read or parsed depends on everything: its page
    is always rendered, and rendering reports the problem.
    """
    folder = config.templates_dir
    env = environment(config)  # its filters and extensions, so that every template compiles
    sources: dict[str, bytes | None] = {}
    refs: dict[str, set[str] | None] = {}
    uses: dict[str, set[str]] = {}
    every = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html")) if folder.is_dir() else []

    def load(name: str) -> None:
        if name in sources:
            return
        try:
            sources[name] = (folder / name).read_bytes()
            tree = env.parse(sources[name].decode("utf-8"))
            found = set(meta.find_referenced_templates(tree))
            refs[name] = None if None in found else {str(n) for n in found}
            uses[name] = set(meta.find_undeclared_variables(tree))
        except (OSError, UnicodeDecodeError, TemplateSyntaxError):
            sources.setdefault(name, None)
            refs[name], uses[name] = None, set()

    result = {}
    for name in names:
        closure, pending, broken = set(), [name], False
        while pending:
            current = pending.pop()
            if current in closure:
                continue
            closure.add(current)
            load(current)
            if refs[current] is None or sources[current] is None:
                broken = True
                continue
            pending.extend(refs[current])  # type: ignore[arg-type]
        if broken:  # a computed name, or a template that is missing or malformed
            for other in every:
                load(other)
            closure |= set(every)
            variables = {"*"}
        else:
            variables = set().union(*(uses[n] for n in closure))
        result[name] = TemplateDependencies(
            digest(*sorted((n, sources.get(n)) for n in closure), broken), frozenset(variables))
    return result


def locale_digest(config: Config) -> str:
    """The project's own catalogues (the built-in ones are part of the generator's version)."""
    folder = config.root / "locale"
    files = sorted(folder.rglob("*.po")) if folder.is_dir() else []
    return digest(*((p.relative_to(folder).as_posix(), p.read_bytes()) for p in files))


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


def render_document(resolved: ResolvedDocument, env: Environment, config: Config,
                    parts: dict[str, Markup] | None = None) -> dict[str, bytes]:
    """A document's page and its citation files, as bytes by output path (``parts``: its HTML, if made)."""
    pages = citation_files(resolved, config)
    parts = document_parts(resolved) if parts is None else parts
    abstracts = {name.split(".", 1)[1]: html for name, html in parts.items() if name.startswith("abstract.")}
    pages[f"{resolved.meta.id}/index.html"] = env.get_template("document.html").render(
        document=resolved, meta=resolved.meta, body=parts["body"], abstracts=abstracts,
        citation=citation_text(resolved.meta, config.base_url),
        **document_context(resolved.meta, abstracts, config))
    return {path: text.encode("utf-8") for path, text in pages.items()}


def static_files(config: Config) -> dict[str, bytes]:
    """The assets of ``templates/static/``, copied as they are."""
    files = {}
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

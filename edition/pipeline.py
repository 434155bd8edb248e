"""The build as one library call: read → parse → resolve → render → write.

Each stage gathers all its problems before the build decides to stop, so
an editor sees every mistake of a run at once; nothing is written unless
every stage succeeded.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import Callable, TextIO

from pybtex.database import BibliographyData
from pybtex.style.template import FieldIsMissing

from edition.anchors import Block, Ledger, assign_site, lost_documents
from edition.citations.bibliography import Bibliography, load_bibliography
from edition.citations.style import UnknownStyleError, get_style
from edition.config import Config
from edition.diagnostics import Diagnostic, Diagnostics, EditionError, SourcePosition, processing
from edition.extensions.urls import check_image_paths, document_images
from edition.parse import ParsedDocument, parse_document
from edition.read import Sources, check_project_files, inside_project, read_sources, read_text
from edition.registers import read_archives
from edition.render import render_site, template_errors
from edition.search import search_files, search_languages
from edition.resolve import resolve_edition
from edition.sanitize import markdown_problems
from edition.write import build_lock, check_output_dir, recover_output, write_site


@dataclass(frozen=True)
class BuildResult:
    documents: int
    files: int
    warnings: tuple[Diagnostic, ...]


class _Progress:
    """One line per stage, with counts and time, when talking to a terminal."""

    def __init__(self, config: Config, stream: TextIO):
        self.enabled = not config.quiet and stream.isatty()
        self.stream = stream
        self.started = time.perf_counter()

    def stage(self, name: str, detail: str) -> None:
        now = time.perf_counter()
        if self.enabled:
            print(f"{name:<8} {detail:<48} {1000 * (now - self.started):7.1f} ms", file=self.stream)
        self.started = now


def _stop_if_failed(diagnostics: Diagnostics, config: Config) -> None:
    if diagnostics.failed(config.strict):
        raise EditionError(diagnostics.sorted())


def _read_ledger(config: Config, diagnostics: Diagnostics) -> Ledger:
    present = config.lock_path.exists() or config.lock_path.is_symlink()
    text = (read_text(config.lock_path, config, diagnostics) or "") if present else ""
    ledger, problems = Ledger.parse(text, "anchors.lock")
    for problem in problems:
        diagnostics.error(SourcePosition("anchors.lock", problem.line, problem.col), "anchor-lock", problem.message)
    return ledger


def anchor_report(config: Config) -> list[str]:
    """What a build would do to the paragraph anchors, without writing anything."""
    diagnostics = Diagnostics()
    sources = read_sources(config, diagnostics)
    ledger = _read_ledger(config, diagnostics)
    _stop_if_failed(diagnostics, config)
    parsed = _parse(sources, config, diagnostics)
    _stop_if_failed(diagnostics, config)
    blocks = {p.source.meta.id: [Block(b.text, b.pinned) for b in p.blocks] for p in parsed}
    lines = [f"{doc}: document removed; its anchors would be lost"
             for doc in lost_documents(ledger, blocks)]
    for doc, assignment in sorted(assign_site(blocks, ledger, config.build_date).items()):
        counts: dict[str, int] = {}
        for event in assignment.events:
            counts[event.kind] = counts.get(event.kind, 0) + 1
            if event.kind != "kept":
                lines.append(f"{doc}: {event.kind:<7} {event.id} {event.detail}".rstrip())
        lines.append(f"{doc}: " + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())))
    return lines


def _parse(sources: Sources, config: Config, diagnostics: Diagnostics) -> list[ParsedDocument]:
    """Parse every document; collect what the Markdown extensions reported, check image paths."""
    parsed = []
    for document in sources.documents:
        with processing(document.src_path):
            result = parse_document(document)
        diagnostics.extend(markdown_problems(result.markdown))
        check_image_paths(((document.src_path, image) for image in document_images(result.markdown)),
                          config.root, diagnostics)
        parsed.append(result)
    return parsed


def build(config: Config, stream: TextIO = sys.stderr) -> BuildResult:
    """Build the edition described by ``config``; raise EditionError listing every problem.

    One build of a project at a time: a second one waits for the first (see ``write.build_lock``).
    """
    with build_lock(config):
        return _build(config, stream)


def _build(config: Config, stream: TextIO) -> BuildResult:
    progress = _Progress(config, stream)
    diagnostics = Diagnostics()
    recover_output(config)
    check_output_dir(config)
    sources = read_sources(config, diagnostics)
    check_project_files(config, diagnostics)
    register = read_archives(config, diagnostics)
    if config.bibliography_path.exists() and not inside_project(config.bibliography_path, config):
        diagnostics.error(SourcePosition("bibliography.bib"), "path-outside",
                          "bibliography.bib is a link to a file outside the project; copy the file in instead")
    elif config.bibliography_path.exists():
        bibliography, problems = load_bibliography(config.bibliography_path, "bibliography.bib",
                                                   cache_dir=config.cache_dir)
        diagnostics.extend(problems)
    else:  # an edition without literature is still an edition
        bibliography = Bibliography("bibliography.bib", BibliographyData(), {}, {}, "")
    try:
        style = get_style(config.citation_style)
    except UnknownStyleError as error:
        diagnostics.error(SourcePosition("edition.toml"), "config-style", str(error))
    ledger = _read_ledger(config, diagnostics)
    _stop_if_failed(diagnostics, config)
    progress.stage("read", f"{len(sources.documents)} documents, {len(bibliography.keys())} works, "
                           f"{len(register.units)} archival units")

    parsed = _parse(sources, config, diagnostics)
    progress.stage("parse", f"{sum(len(p.blocks) for p in parsed)} blocks, "
                            f"{sum(len(p.citations) for p in parsed)} citations")

    try:
        with processing("the whole edition (resolve stage)"):
            edition = resolve_edition(parsed, bibliography, style, register, ledger, sources.editorial_logs,
                                      config, diagnostics)
    except FieldIsMissing as error:  # an entry lacks what the style prints: the user's to fix
        key = str(error).rpartition(" in ")[2]  # pybtex keeps only the message: "missing title in key"
        position = (bibliography.entry_position(key) if key and key in bibliography
                    else SourcePosition("bibliography.bib"))
        diagnostics.error(position, "bib-field-missing",
                          f"entry {key!r} has no {error.field_name}, which the {config.citation_style} style "
                          "needs to print it")
        raise EditionError(diagnostics.sorted()) from None
    _stop_if_failed(diagnostics, config)
    progress.stage("resolve", f"{len(edition.bibliography)} works cited, "
                              f"{sum(len(d.notes) for d in edition.documents)} archival notes")

    with template_errors(config), processing("the site's pages (render stage)"):
        files = render_site(edition, config)
    progress.stage("render", f"{len(files)} files")

    with processing("the search index (search stage)"):
        search = search_files(files, edition.documents)
    files.update(search)
    progress.stage("search", f"{len(search)} files in {len(search_languages(search))} languages")

    written = write_site(files, config)
    lock_text = edition.ledger.serialize()
    if not config.lock_path.exists() or config.lock_path.read_text(encoding="utf-8") != lock_text:
        temporary = config.lock_path.with_name(".anchors.lock.tmp")
        temporary.write_text(lock_text, encoding="utf-8")
        os.replace(temporary, config.lock_path)
    progress.stage("write", f"{written} files into {config.out_dir.name}/")
    return BuildResult(len(parsed), written, tuple(d for d in diagnostics.sorted() if d.severity == "warning"))

"""The build as one library call: read → parse → resolve → render → write, redoing only what changed.

Each stage gathers all its problems before the build decides to stop, so
an editor sees every mistake of a run at once; nothing is written unless
every stage succeeded.

A document goes through parse, resolve and render on its own
(``documents.py``, in several processes for a large edition); the site
pages and the search index are then made from what every document
reported.  What each output was made from is recorded with it
(``incremental.py``), and an output whose inputs are unchanged is neither
made again nor written: a build after a one-paragraph edit parses one
document.  The stage modules are imported when first needed, so a build
that finds nothing changed is done before they would have loaded.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import Any, TextIO

from edition.config import Config
from edition.diagnostics import Diagnostic, Diagnostics, EditionError, SourcePosition, processing
from edition.write import build_lock


def __getattr__(name: str) -> Any:
    """``parse_document``, the parse stage's entry point, imported when first used."""
    if name == "parse_document":
        from edition.parse import parse_document

        return parse_document
    raise AttributeError(name)


@dataclass(frozen=True)
class BuildResult:
    documents: int
    files: int
    warnings: tuple[Diagnostic, ...]
    rendered: tuple[str, ...] = ()
    """The pages made again (documents and site pages), for the curious and the benchmark."""
    written: int = 0
    """Files whose bytes changed."""


class _Progress:
    """One line per stage, with counts and time, when talking to a terminal."""

    def __init__(self, config: Config, stream: TextIO):
        self.enabled = not config.quiet and stream.isatty()
        self.stream = stream
        self.started = time.perf_counter()

    def stage(self, name: str, detail: str) -> None:
        now = time.perf_counter()
        if self.enabled:
            print(f"{name:<9} {detail:<48} {1000 * (now - self.started):7.1f} ms", file=self.stream)
        self.started = now


def _stop_if_failed(diagnostics: Diagnostics, config: Config) -> None:
    if diagnostics.failed(config.strict):
        raise EditionError(diagnostics.sorted())


def _read_ledger(config: Config, diagnostics: Diagnostics, text: str | None = None):  # noqa: ANN202 - Ledger
    from edition.anchors import Ledger
    from edition.read import read_text

    if text is None:
        present = config.lock_path.exists() or config.lock_path.is_symlink()
        text = (read_text(config.lock_path, config, diagnostics) or "") if present else ""
    ledger, problems = Ledger.parse(text, "anchors.lock")
    for problem in problems:
        diagnostics.error(SourcePosition("anchors.lock", problem.line, problem.col), "anchor-lock", problem.message)
    return ledger


def anchor_report(config: Config) -> list[str]:
    """What a build would do to the paragraph anchors, without writing anything."""
    from edition.anchors import Block, assign_site, lost_documents
    from edition.read import read_sources

    diagnostics = Diagnostics()
    sources = read_sources(config, diagnostics)
    ledger = _read_ledger(config, diagnostics)
    _stop_if_failed(diagnostics, config)
    blocks = {}
    for document in sources.documents:
        with processing(document.src_path):
            parsed = __getattr__("parse_document")(document)
        blocks[document.meta.id] = [Block(b.text, b.pinned) for b in parsed.blocks]
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


def build(config: Config, stream: TextIO = sys.stderr, *, store: Any = None, search: bool = True,
          workers: int | None = None, watched: set[str] | None = None) -> BuildResult:
    """Build the edition described by ``config``; raise EditionError listing every problem.

    One build of a project at a time: a second one waits for the first (see
    ``write.build_lock``).  ``store`` (a ``cache.Store``) lets a long-running
    caller keep what it read in memory between builds; ``search=False``
    leaves the search index as it was (``edition serve`` brings it up to
    date right after); ``workers`` sets how many processes parse and render.
    ``watched``: the caller watches the project, and these (absolute) paths
    are all that changed since its last build, which made the live site.
    """
    from edition.cache import Store

    with build_lock(config):
        own = store is None
        store = Store(config.cache_dir) if own else store
        try:
            store.refresh()
            return _Build(config, stream, store, search, workers, watched).run()
        finally:
            if own:
                store.close()


class _Build:
    """One build, phase by phase: :meth:`run` (nothing changed?), then :meth:`_read`, :meth:`_plan` (which
    documents to process), :meth:`_documents`, :meth:`_anchors`, :meth:`_check`, :meth:`_site` and
    :meth:`_search` (together; the new lock is made while Pagefind indexes), :meth:`_finish` (swap, lock,
    what the next build compares with)."""

    def __init__(self, config: Config, stream: TextIO, store: Any, search: bool, workers: int | None,
                 watched: set[str] | None = None):
        self.config = config
        self.store = store
        self.search = search
        self.workers = workers
        self.watched = watched
        self.progress = _Progress(config, stream)
        self.diagnostics = Diagnostics()
        self.rendered: dict[str, None] = {}
        self.shares: dict[str, Any] = {}
        """Path → DocumentShares of the documents processed in this build."""
        self.later: list[tuple[str, str, Any]] = []
        """Records to store once the build succeeded."""
        self.formatted: dict[str, Any] = {}
        """Key → reference-list entry, as formatted in this build or an earlier one."""
        self.pages: list[tuple[str, str, str]] = []
        """Search pages made and not yet stored."""

    # -- the whole build ---------------------------------------------------------------------------
    def run(self) -> BuildResult:
        from edition.incremental import BuildRecord, scan_inputs
        from edition.write import SiteWriter, check_output_dir, recover_output

        config, store = self.config, self.store
        recover_output(config)
        # A watching caller's own site, and the files it saw change, are taken at its word.
        watching = self.watched is not None and store.remembers("build", "record") and "inputs" in store.local
        writer = SiteWriter(config, store, trusted=watching)
        check_output_dir(config, writer.untouched())
        record = store.get("build", "record")
        written = (record.lock_signature, record.lock) if isinstance(record, BuildRecord) and record.lock else None
        signatures = store.get("inputs", "signatures")
        inputs = scan_inputs(config, store.local.get("inputs") if watching else None,
                             self.watched if watching else None, written,
                             signatures if isinstance(signatures, dict) else None)
        store.local["inputs"] = inputs
        if isinstance(record, BuildRecord) and record.inputs == inputs.digest and writer.intact(record.site):
            self.progress.stage("unchanged", f"{record.documents} documents, {record.files} files")
            if signatures != inputs.signatures:  # files left alone long enough since: not read next time
                store.put("inputs", "signatures", inputs.signatures)
            if config.strict and record.warnings:
                raise EditionError(sorted(set(record.warnings)))
            return BuildResult(record.documents, record.files, record.warnings)
        try:
            return self._build(inputs, writer)
        except BaseException:
            writer.abort()
            raise

    def _build(self, inputs: Any, writer: Any) -> BuildResult:
        from edition.documents import Workers

        self.inputs, self.writer = inputs, writer
        self._read()
        self._plan()
        workers = Workers(self.context, self.workers, len(self.paths))
        search = None
        try:
            self._documents(workers)
            self._anchors(workers)
            self._check()
            site = self._site(workers)
            search = self._search()  # threads, started once the worker processes are
            self._site_done(site, workers)
            self._new_lock()  # while Pagefind indexes
            complete = self._search_done(search, workers)
        finally:
            if search is not None:  # its threads and Pagefind processes end with it, even if it failed
                search.stop()
            workers.close()
        _stop_if_failed(self.diagnostics, self.config)
        return self._finish(complete)

    def _read(self) -> None:
        """The read stage: documents, logs, registers, bibliography, lock (each remembered while unchanged)."""
        from edition.cache import digest, generator_version
        from edition.citations.style import UnknownStyleError, get_style
        from edition.incremental import Dependencies, cached_value, read_documents
        from edition.read import check_project_files
        from edition.render import locale_digest, template_dependencies
        from edition.resolve import check_ambiguous_keys

        config, store, diagnostics, inputs = self.config, self.store, self.diagnostics, self.inputs
        self.early = _Early(config, inputs, store, self.workers)
        self.read = read_documents(inputs, config, store, diagnostics)
        check_project_files(config, diagnostics)
        self.register = self._archives()
        self.bibliography = self._bibliography()
        try:
            self.style = get_style(config.citation_style)
        except UnknownStyleError as error:
            diagnostics.error(SourcePosition("edition.toml"), "config-style", str(error))
        self.lock, self.lock_digest = self._lock()
        _stop_if_failed(diagnostics, config)
        self.registers = self._registers()
        self.progress.stage("read", f"{len(self.read.facts)} documents, {len(self.bibliography.keys())} works, "
                                    f"{len(self.register.units)} archival units")
        check_ambiguous_keys(self.bibliography, self.register, diagnostics)
        self.paths = [f.path for f in self.read.facts]
        files = {facts.path.rpartition("/")[2]: facts.id for facts in self.read.facts}
        templates_digest = digest(generator_version(), tuple(o for o in inputs.others if o[0].startswith("templates/")))
        self.templates, _ = cached_value(store, "templates", templates_digest, lambda: (
            template_dependencies(config, ["document.html", *_SITE_TEMPLATES]), ()))
        base = digest(generator_version(), inputs.settings, self.templates["document.html"].digest,
                      locale_digest(config))
        self.deps = Dependencies(base, self.bibliography, self.style, self.register, self.registers, files, store)

    def _plan(self) -> None:
        """Which documents must be processed; the others are as the live site has them.

        While the lock is the one the last build wrote and nothing documents
        share changed, an unchanged document's lock section and dependencies
        are as recorded, and are not worked out again.
        """
        from edition.documents import DocumentContext, DocumentTask

        store, read, writer, deps = self.store, self.read, self.writer, self.deps
        previous = store.get_many("facts", self.paths)
        self.record = store.get("build", "record")
        self.epoch = deps.epoch()
        same_epoch = self.lock_is_ours and getattr(self.record, "epoch", None) == self.epoch
        self.facts: dict[str, Any] = {}
        self.made_from: dict[str, str] = {}
        self.processed: dict[str, str] = {}
        """Path → the lock section of each document processed in this build."""
        self.tasks: list[Any] = []
        for source in read.facts:
            known = previous.get(source.path)
            log_digest = read.log_digests.get(source.id)
            if (known is not None and known.source_digest == read.digests[source.path] and not known.failed
                    and known.id == source.id and known.log_digest == log_digest
                    and (self.lock_is_ours or self.lock.section_digest(source.id) == known.anchoring.section)):
                made = writer.live.made_from.get(f"{known.id}/index.html") if same_epoch else None
                made = made or deps.of(known)
                if all(writer.unchanged(path, made) == value for path, value in known.outputs.items()):
                    self.facts[source.path], self.made_from[source.path] = known, made
                    continue
            self.tasks.append(DocumentTask(source.path, source.id, read.digests[source.path],
                                           read.logs.get(source.id, ()), log_digest))
        self.tasks.sort(key=lambda task: task.id)  # build order: new ids are chosen in it
        # Reference-list entries formatted by earlier builds, for the entries (text and label) as they are now.
        self.formatted_kept = store.get("formatted", self.style.name) or {}
        self.formatted = {key: html for key, (made, html) in self.formatted_kept.items() if deps.key(key) == made}
        self.context = DocumentContext(self.config, self.config.citation_style, self.register, self.registers,
                                       deps.files, self.lock, self.bibliography,
                                       globals().get("parse_document") or __getattr__("parse_document"),
                                       self.formatted)

    def _documents(self, workers: Any) -> None:
        for _, result in workers.process(self.tasks):
            self._take(result)
        self.progress.stage("documents", f"{len(self.tasks)} of {len(self.paths)} processed")

    def _anchors(self, workers: Any) -> None:
        """Settle the ids the documents chose on their own, in the order a one-process build goes."""
        from edition.anchoring import settle
        from edition.anchors import Block, assign_anchors
        from edition.documents import DocumentTask, anchor_facts, plain_assignment

        config, read, facts = self.config, self.read, self.facts
        self.order = sorted(facts[p].id for p in self.paths)
        self.by_id = by_id = {facts[p].id: p for p in self.paths}
        again: dict[str, Any] = {}

        def reassign(document_id: str, taken: Any) -> tuple[frozenset[str], frozenset[str]]:
            path = by_id[document_id]
            task = DocumentTask(path, document_id, read.digests[path])
            blocks = [Block(b.text, b.pinned) for b in self.context.parse(task.read(config)).blocks]
            assignment = plain_assignment(assign_anchors(document_id, blocks, self.lock, config.build_date,
                                                         taken=taken))
            again[path] = assignment
            anchoring = anchor_facts(assignment, "")
            return anchoring.fresh, anchoring.claimed

        settle(self.order, {d: facts[by_id[d]].anchoring.fresh for d in self.order},
               lambda d: again[by_id[d]].claimed() if by_id[d] in again else facts[by_id[d]].anchoring.claimed,
               {d: facts[by_id[d]].pins for d in self.order}, self.lock, reassign)
        if again:  # the documents whose ids another document took first, made again with the ids they get
            tasks = [DocumentTask(path, facts[path].id, read.digests[path], read.logs.get(facts[path].id, ()),
                                  read.log_digests.get(facts[path].id), assignment)
                     for path, assignment in again.items()]
            for _, result in workers.process(tasks):
                self._take(result)
            self.progress.stage("anchors", f"{len(again)} documents made again with the ids they get")

    def _check(self) -> None:
        """What spans documents: anchors of documents gone, links into other documents; every document's
        problems; the files of the documents kept as they are."""
        from edition.resolve import check_links

        diagnostics = self.diagnostics
        for lost in sorted(set(self.lock.document_ids()) - set(self.order)):
            diagnostics.error(SourcePosition("anchors.lock"), "anchor-lost-document",
                              f"document {lost!r} has published anchors but is no longer in content/",
                              "restore it, or retire its anchors deliberately by editing anchors.lock")
        self.ordered = [self.facts[p] for p in self.paths]
        for document in self.ordered:
            diagnostics.extend(document.diagnostics)
        check_links(((f.id, f.link_checks) for f in self.ordered), {f.id: f.anchors for f in self.ordered},
                    self.deps.files, diagnostics)
        for path in self.paths:
            for output in self.facts[path].outputs:
                if output not in self.writer.manifest:
                    self.writer.keep(output, self.made_from[path])
        self._flush_pages()

    def _new_lock(self) -> None:
        """The lock as this build leaves it: its text, bytes and digest (a large edition's is megabytes)."""
        from edition.anchoring import lock_text
        from edition.cache import bytes_digest

        self.new_lock = lock_text(self.lock, self.order, {d: self.processed[self.by_id[d]] for d in self.order
                                                          if self.by_id[d] in self.processed})
        self.new_lock_data = self.new_lock.data
        self.new_lock_digest = bytes_digest(self.new_lock_data)

    def _finish(self, complete: bool) -> BuildResult:
        """Swap the new site in, write the lock, remember what the next build compares with."""
        from edition.cache import digest
        from edition.incremental import BuildRecord, file_signature

        config, store, writer, inputs, paths = self.config, self.store, self.writer, self.inputs, self.paths
        new_lock, lock_digest = self.new_lock, self.new_lock_digest
        count = writer.finish()
        if lock_digest != self.lock_digest:
            temporary = config.lock_path.with_name(".anchors.lock.tmp")
            temporary.write_bytes(self.new_lock_data)
            os.replace(temporary, config.lock_path)
        del self.new_lock_data
        warnings = tuple(d for d in self.diagnostics.sorted() if d.severity == "warning")
        # These inputs, with the lock as written (or, when the search index was left behind, nothing:
        # the next build then brings it up to date).
        store.local["lock"] = (lock_digest, new_lock)  # a long-running caller reads it from here next time
        after = inputs.with_lock(lock_digest).digest if complete else ""
        listed = digest(tuple(paths), tuple(f.display for f in inputs.documents))
        gone = [] if getattr(self.record, "listed", None) == listed else [
            (kind, path) for kind in ("facts", "shares", "source")
            for path in set(store.keys(kind)) - set(paths) - {f.display for f in inputs.documents}]
        made = getattr(self.record, "pages_made", 0) + len(self.processed)
        if made >= 100:  # now and then, the search pages no document indexes any more
            used = {value for f in self.ordered for value, _ in f.units.values()}
            gone += [("page", key) for key in set(store.keys("page")) - used]
            made = 0
        store.write([("facts", path, self.facts[path]) for path in self.processed]
                    + [("shares", path, self.shares[path]) for path in self.processed]
                    + self.later + self.deps.remember() + self._formatted_record()
                    + ([] if store.get("inputs", "signatures") == inputs.signatures
                       else [("inputs", "signatures", inputs.signatures)])
                    + [("build", "record", BuildRecord(after, len(paths), count, warnings, lock_digest,
                                                       writer.state.live.inode, self.epoch, listed, made,
                                                       file_signature(config.lock_path)))], gone)
        self.progress.stage("write", f"{writer.written} of {count} files written into {config.out_dir.name}/"
                                     f"{'' if complete else ' (search index to follow)'}")
        return BuildResult(len(paths), count, warnings, tuple(self.rendered), writer.written)

    # -- the read stage, remembered ----------------------------------------------------------------
    def _archives(self) -> Any:
        from edition.cache import digest
        from edition.incremental import cached_value
        from edition.registers import read_archives

        key = digest(self.inputs.settings, tuple(o for o in self.inputs.others if o[0] in _ARCHIVE_FILES))
        found = Diagnostics()
        register, problems = cached_value(self.store, "archives", key, lambda: (read_archives(self.config, found),
                                                                                 found.items))
        self.diagnostics.extend(problems)
        self.register_digest = key
        return register

    def _registers(self) -> Any:
        from edition.cache import digest
        from edition.incremental import cached_value
        from edition.indexes import read_index_registers

        key = digest(self.inputs.settings, tuple(o for o in self.inputs.others if o[0] in _INDEX_FILES))
        found = Diagnostics()
        registers, problems = cached_value(self.store, "registers", key,
                                           lambda: (read_index_registers(self.config, found), found.items))
        self.diagnostics.extend(problems)
        self.registers_digest = key
        return registers

    def _bibliography(self) -> Any:
        from edition.citations.bibliography import Bibliography, load_bibliography
        from edition.read import inside_project

        config = self.config
        if config.bibliography_path.exists() and not inside_project(config.bibliography_path, config):
            self.diagnostics.error(SourcePosition("bibliography.bib"), "path-outside",
                                   "bibliography.bib is a link to a file outside the project; copy the file in instead")
        elif config.bibliography_path.exists():
            known = self.store.local.get("bibliography")
            digest = dict(self.inputs.others).get("bibliography.bib")
            if known is not None and known[0] == digest:  # a long-running caller: still in memory
                bibliography, problems = known[1], known[2]
            else:
                self.early.bibliography()  # parsed (and its cache written) in another process, if it is new
                bibliography, problems = load_bibliography(config.bibliography_path, "bibliography.bib",
                                                           cache_dir=config.cache_dir)
                self.store.local["bibliography"] = (digest, bibliography, problems)
                self.later.append(("early", "bibliography", digest))
            self.diagnostics.extend(problems)
            return bibliography
        return Bibliography("bibliography.bib", {}, {}, {}, "")

    def _lock(self) -> tuple[Any, str | None]:
        """The lock as the build reads it, and the digest of its bytes (None when there is none)."""
        from edition.anchoring import LockView, ParsedLock
        from edition.incremental import BuildRecord
        from edition.read import read_bytes, read_text

        config = self.config
        self.lock_is_ours = True  # unless it turns out otherwise below
        record = self.store.get("build", "record")
        known = self.store.local.get("lock")
        if known is not None and isinstance(record, BuildRecord) and known[0] == record.lock \
                == dict(self.inputs.others).get("anchors.lock"):  # the lock this process wrote, unchanged since
            return known[1], known[0]
        present = config.lock_path.exists() or config.lock_path.is_symlink()
        raw = read_bytes(config.lock_path, config, self.diagnostics) if present else None
        read = dict(self.inputs.others).get("anchors.lock") if raw is not None else None  # as scanned
        if raw is not None and isinstance(record, BuildRecord) and LockView.canonical(raw) and record.lock == read:
            return LockView(raw), read  # the lock this program wrote last: no need to parse it whole
        text = read_text(config.lock_path, config, self.diagnostics, raw) if raw is not None else None
        self.lock_is_ours = False
        parsed = self.early.lock(text)
        if parsed is not None:  # parsed in another process: its hundred thousand objects stay there
            problems, canonical = parsed
            for line, col, message in problems:
                self.diagnostics.error(SourcePosition("anchors.lock", line, col), "anchor-lock", message)
            if not problems:
                return LockView(canonical), read
        found = Diagnostics()
        ledger = _read_ledger(config, found, text or "")
        self.diagnostics.extend(found.items)
        if found.items:  # the build stops on the problems anyway
            return ParsedLock(ledger), read
        # Parsed and sound: kept as its own text, a section parsed again only when its document needs it.
        return LockView(ledger.serialize()), read

    # -- documents ---------------------------------------------------------------------------------
    def _take(self, result: Any) -> None:
        """A processed document's result: its facts kept, its files written, its search pages put aside."""
        if result.fatal:
            raise EditionError(sorted(set(result.fatal)))
        found = result.facts
        self.facts[found.path] = found
        made = self.made_from[found.path] = self.deps.of(found)
        for path, data in result.files.items():
            self.writer.put(path, data, made)
        self.pages.extend(("page", digest, result.pages[lang]) for lang, (digest, _) in found.units.items())
        if len(self.pages) >= 300:
            self._flush_pages()
        self.shares[found.path] = result.shares
        self.formatted.update(result.references)
        self.processed[found.path] = result.section
        self.rendered[f"{found.id}/index.html"] = None

    # -- site pages --------------------------------------------------------------------------------
    def _site(self, workers: Any) -> Any:
        """Keep the site pages whose data are unchanged; start rendering the others.

        Large pages go to the worker processes; :meth:`_site_done` collects
        them while the search index is being built.
        """
        from edition.cache import digest, generator_version
        from edition.render import locale_digest
        from edition.site import SiteTables, page_context, page_versions, prefix, site_pages

        config, writer, templates = self.config, self.writer, self.templates
        tables = SiteTables(self.ordered, self._shares, self.bibliography, self.style, self.register,
                            self.registers, config, self.deps.key, self.register_digest, self.registers_digest,
                            self.formatted)
        # Register entries never cited or named: warned about every build, worked out when their inputs change.
        known = self.store.get("unused", "value")
        if isinstance(known, tuple) and len(known) == 2 and known[0] == tables.unused_digest:
            self.diagnostics.extend(known[1])
        else:
            found = Diagnostics()
            tables.sources(found)
            tables.indexes(found)
            self.diagnostics.extend(found.items)
            self.later.append(("unused", "value", (tables.unused_digest, tuple(found.items))))
        pages = site_pages(tables, config)
        base = digest(generator_version(), self.inputs.settings, locale_digest(config))
        shared = {"documents": tables.documents_digest}
        jobs: list[tuple[Any, str, str, str]] = []
        for page in pages:
            used = templates[page.template].variables
            data = {**shared, **page.digests}
            variables = tuple(sorted((name, value) for name, value in data.items() if "*" in used or name in used))
            for lang, path in page_versions(page, config).items():
                made = digest(base, templates[page.template].digest, page.key, page.path, lang, variables)
                if writer.unchanged(path, made) is not None:
                    writer.keep(path, made)
                else:
                    jobs.append((page, lang, path, made))
        started = None
        if workers.worth_it(len(jobs)):  # each page with its variables, the longest first
            contexts: dict[str, dict[str, Any]] = {}
            work = []
            for page, lang, path, made in jobs:
                if page.key not in contexts:
                    contexts[page.key] = page.context()
                used = templates[page.template].variables  # a page's variables travel to another process:
                shown = {"documents": tables.documents} if "*" in used or "documents" in used else {}  # no more
                work.append((page.template, {**shown, **contexts[page.key],
                                             **page_context(config, lang, prefix(lang, config) + page.path, page.key)},
                             path, made))
            work.sort(key=lambda job: -sum(len(v) for v in job[1].values() if isinstance(v, (list, tuple))))
            started = workers.render(work)
        return tables, pages, jobs, started

    def _site_done(self, site: Any, workers: Any) -> None:
        """Write the site pages (rendered here when no worker did), sitemap, downloads, static files."""
        from edition.render import environment, static_files, template_errors
        from edition.resolve import export_files, export_names
        from edition.site import render_site_page, robots, sitemap, sitemap_groups

        config, writer, deps, bibliography = self.config, self.writer, self.deps, self.bibliography
        tables, pages, jobs, started = site
        if started is not None:
            for path, made, html, problems in started:
                if problems:
                    raise EditionError(sorted(set(problems)))
                writer.put(path, html.encode("utf-8"), made)
                self.rendered[path] = None
        elif jobs:
            env = environment(config)
            for page, lang, path, made in jobs:
                with template_errors(config), processing("the site's pages (render stage)"):
                    html = render_site_page(env, page, lang, config, {"documents": tables.documents})
                writer.put(path, html.encode("utf-8"), made)
                self.rendered[path] = None
        documents = [f"{f.id}/index.html" for f in tables._by_id]
        sitemap_xml = sitemap(config, sitemap_groups(pages, config), documents)
        if sitemap_xml:
            writer.put("sitemap.xml", sitemap_xml.encode("utf-8"))
        writer.put("robots.txt", robots(config, sitemap_xml is not None).encode("utf-8"))
        downloads = []
        for key in tables.cited_keys:
            made = deps.key(key)
            exports = None
            for _, name in export_names(key):
                path = f"bibliography/{name}"
                if writer.unchanged(path, made) is not None:
                    writer.keep(path, made)
                    continue
                exports = exports or dict(export_files(key, bibliography))
                downloads.append((path, exports[name].encode("utf-8"), made))
        writer.put_many(downloads, workers.make_files)
        for path, data in static_files(config).items():
            writer.put(path, data)
        self.progress.stage("site", f"{len(jobs)} site pages rendered, {len(tables.cited_keys)} works cited")

    # -- the search index --------------------------------------------------------------------------
    def _search(self) -> Any:
        """Start rebuilding each bundle whose documents' pages changed; keep the others.

        Pagefind runs in processes of its own while the site pages are made;
        :meth:`_search_done` collects the bundles.
        """
        from concurrent.futures import ThreadPoolExecutor

        from edition.cache import digest
        from edition.documents import worker_count
        from edition.search import BUNDLE_DIR, Indexers, first_bundles, languages_file, plan_bundles

        writer = self.writer
        languages = f"{BUNDLE_DIR}/languages.json"
        if not self.search and languages in writer.live.files:  # serve, just after a save: the index as
            for path in writer.live.files:  # it was, whole; the build that follows brings it up to date
                if path.startswith(f"{BUNDLE_DIR}/"):
                    writer.keep(path, writer.live.made_from.get(path, ""))
            return _SearchJob([], 0, stale=True)
        by_id = {f.id: f for f in self.ordered}
        bundles = plan_bundles((f.id, f.units) for f in sorted(self.ordered, key=lambda f: f.id))
        name, data = languages_file(bundles)
        writer.put(name, data)
        firsts = first_bundles(bundles)
        stale = False
        previous: dict[str, list[str]] = {}
        for path in writer.live.files:
            if path.startswith("pagefind/") and path != name:
                previous.setdefault(path.split("/", 2)[1], []).append(path)
        wanted: list[tuple[str, str, str, list[Any]]] = []
        for bundle, (lang, ids) in bundles.items():
            made = digest("search", bundle, bundle in firsts, *((i, by_id[i].units[lang]) for i in ids))
            mine = previous.get(bundle, [])
            if mine and all(writer.unchanged(p, made) is not None for p in mine):
                for path in mine:
                    writer.keep(path, made)
            elif mine and not self.search:  # serve: the index follows right after the page
                for path in mine:
                    writer.keep(path, writer.live.made_from.get(path, ""))
                stale = True
            else:
                wanted.append((bundle, lang, made, [by_id[i] for i in ids]))
        self.first_bundles = firsts
        store = self.store
        indexers = Indexers()

        def make(item: tuple[str, str, str, list[Any]]) -> tuple[str, str, dict[str, bytes]]:
            bundle, lang, made, docs = item
            found = store.get_many("page", [f.units[lang][0] for f in docs], remember=False)
            return bundle, made, indexers.bundle(lang, [(f"/{f.id}/", found[f.units[lang][0]]) for f in docs])

        pool = ThreadPoolExecutor(max(1, worker_count()))
        return _SearchJob([pool.submit(make, item) for item in wanted], len(bundles), stale, pool, indexers)

    def _search_done(self, job: _SearchJob, workers: Any) -> bool:
        """Put the rebuilt bundles into the site; False when a bundle was left behind (``search=False``)."""
        from edition.search import bundle_files

        writer = self.writer
        rebuilt = 0
        with processing("the search index (search stage)"):
            for future in job.futures:
                bundle, made, files = future.result()
                made_files = bundle_files(bundle, files, bundle in self.first_bundles)
                writer.put_many(((path, value, made) for path, value in made_files.items()), workers.make_files)
                rebuilt += len(made_files)
        self.progress.stage("search", f"{len(job.futures)} of {job.bundles} bundles rebuilt ({rebuilt} files)")
        return not job.stale

    def _formatted_record(self) -> list[tuple[str, str, Any]]:
        """The store record of formatted reference-list entries, when this build formatted new ones."""
        record = {key: (self.deps.key(key), html) for key, html in self.formatted.items()}
        return [] if record == self.formatted_kept else [("formatted", self.style.name, record)]

    def _shares(self, documents: list[Any]) -> dict[str, Any]:
        """The shares of ``documents`` in the site-wide pages: those processed now, the others as stored."""
        found = dict(self.store.get_many("shares", [f.path for f in documents if f.path not in self.shares]))
        found.update(self.shares)
        return found

    def _flush_pages(self) -> None:
        """Put the search pages made so far into the store, where the search stage reads them.

        A page is kept under the digest of its text, so the pages of a build
        that fails never stand in for those of the documents a build kept.
        """
        if self.pages:
            self.store.write(self.pages)
            self.pages.clear()


@dataclass
class _SearchJob:
    """The bundles being rebuilt while the site pages are made (see :meth:`_Build._search`)."""

    futures: list[Any]
    """Each (bundle, made-from digest, files), in bundle order."""
    bundles: int
    stale: bool
    """A bundle was kept although its documents changed (``search=False``)."""
    pool: Any = None
    indexers: Any = None

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        if self.indexers is not None:
            self.indexers.close()


class _Early:
    """Slow reads that need nothing else, started at once in another process while the build reads on:
    the first parse of a bibliography (its cache, and its style's table of labels and order, are then
    written for every later build and every worker), and a lock this program did not write (parsed
    whole, its objects never reach this process)."""

    LARGE = 200_000
    """Bytes above which a file is worth another process."""

    def __init__(self, config: Config, inputs: Any, store: Any, workers: int | None):
        from concurrent.futures import ProcessPoolExecutor

        from edition.documents import process_context, worker_count

        self.futures: dict[str, Any] = {}
        self.pool = None
        if (workers if workers is not None else worker_count()) < 2:
            return
        jobs = {}
        bib = dict(inputs.others).get("bibliography.bib")
        if (bib not in (None, "absent") and store.get("early", "bibliography") != bib
                and config.bibliography_path.stat().st_size > self.LARGE):
            jobs["bibliography"] = (_parse_bibliography, config)
        record = store.get("build", "record")
        lock = dict(inputs.others).get("anchors.lock")
        if (lock not in (None, "absent") and getattr(record, "lock", None) != lock
                and config.lock_path.stat().st_size > self.LARGE):
            jobs["lock"] = (_parse_lock, config)
        if jobs:
            self.pool = ProcessPoolExecutor(len(jobs), mp_context=process_context())
            self.futures = {name: self.pool.submit(*job) for name, job in jobs.items()}

    def bibliography(self) -> None:
        if "bibliography" in self.futures:
            self.futures.pop("bibliography").result()
        self._close()

    def lock(self, text: str | None) -> tuple[list[tuple[int, int, str]], str] | None:
        if "lock" not in self.futures:
            return None
        problems, canonical, seen = self.futures.pop("lock").result()
        self._close()
        return (problems, canonical) if seen == text else None

    def _close(self) -> None:
        if self.pool is not None and not self.futures:
            self.pool.shutdown()
            self.pool = None


def _parse_bibliography(config: Config) -> None:
    from edition.citations.bibliography import load_bibliography
    from edition.citations.style import get_style
    from edition.documents import worker_started

    worker_started()

    bibliography, problems = load_bibliography(config.bibliography_path, "bibliography.bib",
                                               cache_dir=config.cache_dir)
    if any(problem.severity == "error" for problem in problems):
        return  # the build stops on them
    try:  # the labels and order of every entry, cached with it: not worked out by each worker in turn
        get_style(config.citation_style).prepare(bibliography)
    except Exception:  # noqa: BLE001 - only time is lost: the build does it again, and reports what fails
        pass


def _parse_lock(config: Config) -> tuple[list[tuple[int, int, str]], str, str]:
    from edition.anchors import Ledger
    from edition.documents import worker_started
    from edition.read import read_text

    worker_started()

    text = read_text(config.lock_path, config, Diagnostics()) or ""
    ledger, problems = Ledger.parse(text, "anchors.lock")
    return [(p.line, p.col, p.message) for p in problems], ledger.serialize(), text


_ARCHIVE_FILES = {"content/registers/archives.yml", "content/registers/archival-units.yml"}
_INDEX_FILES = {"content/registers/persons.yml", "content/registers/places.yml",
                "content/registers/organisations.yml"}
_SITE_TEMPLATES = ["home.html", "bibliography.html", "sources.html", "register.html", "about.html",
                   "how-to-cite.html", "search.html", "404.html"]

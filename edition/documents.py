"""One document from its source to its pages: parse, anchors, resolve, render, search units.

This is the unit of work of a build, and of the processes a large build
runs in: :func:`process_document` is a function of the document's source,
its editorial log and the edition's shared data (:class:`DocumentContext`),
and returns plain, picklable data (:class:`DocumentResult`): the document's
files, its search units, and its :class:`DocumentFacts`, which is all the
site-wide pages, the checks across documents and the next build need to
know about it without parsing it again.

Anchor ids depend on the other documents (an id is never given twice), so
a document is given the ids it had last time when nothing about them can
have changed, and otherwise assigns them itself as if it were the only
new text; ``anchoring.settle`` then checks, in the order a one-process
build would go, that no two documents reached for the same new id, and has
any that did processed again with the ids the others took.
"""
from __future__ import annotations

import dataclasses
import os
import sys
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator

from edition.anchors import Assignment, Block, assign_anchors
from edition.cache import digest, pickle_digest
from edition.config import Config
from edition.diagnostics import Diagnostic, Diagnostics, EditionError, SourcePosition, processing
from edition.read import EditorialChange, SourceDocument
from edition.resolve import Backlink, LinkCheck
from edition.search import Unit
from edition.site import DocumentSummary

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PARALLEL_FROM = 12
"""Documents an edition must have before a second process pays for starting: measured on two cores,
a fresh build of 8 documents takes as long in two processes as in one, of 16 a tenth less.  Processes
that start afresh instead of forked (``edition serve``) load the generator first, and need four times
as many."""
START_METHOD: str | None = None
"""How worker processes start; None: forked, unless the process runs other threads (then spawned)."""


@dataclass(frozen=True)
class AnchorFacts:
    """What a document's anchor assignment means for the others, and for the next build."""

    ids: tuple[str, ...]
    claimed: frozenset[str]
    """Every id the document now owns, live or redirected."""
    fresh: frozenset[str]
    """Ids the assignment itself chose (new, split) or accepted as pins: the only ones that can collide."""
    problems: tuple[str, ...]
    section: str
    """Digest of the document's section of the lock after this assignment."""


@dataclass(frozen=True)
class DocumentFacts:
    """What a build keeps of one document (see the module's doc)."""

    path: str
    id: str
    source_digest: str
    log_digest: str | None
    pins: tuple[str, ...]
    """The ids authors pinned, in block order."""
    anchoring: AnchorFacts
    keys: tuple[str, ...]
    """Every key the text cites (works, archival units and unknown keys), in order."""
    works: tuple[str, ...]
    """The bibliography entries among them."""
    link_files: tuple[str, ...]
    """File names of the documents its links lead to."""
    terms: tuple[tuple[str, str | None], ...]
    """(kind, key) of each index term."""
    anchors: frozenset[str]
    link_checks: tuple[LinkCheck, ...]
    diagnostics: tuple[Diagnostic, ...]
    """Problems found while processing (read problems are kept with the source)."""
    outputs: dict[str, str] = field(default_factory=dict)
    """Output path → digest of its bytes."""
    units: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Language → digest and length of the page Pagefind indexes for the document's text in it."""
    shares: dict[str, str] = field(default_factory=dict)
    """Digest of each part of the document's :class:`DocumentShares`."""

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)


@dataclass(frozen=True)
class DocumentShares:
    """What a document adds to the site-wide pages; kept apart, as a build seldom needs it."""

    summary: DocumentSummary
    cited: tuple[tuple[str, Backlink], ...] = ()
    unit_cited: tuple[tuple[str, Backlink], ...] = ()
    mentions: tuple[tuple[tuple[str, str], Backlink], ...] = ()


@dataclass
class DocumentTask:
    path: str
    """The document's file, relative to the project root (read where the task runs)."""
    id: str
    source_digest: str
    log: tuple[EditorialChange, ...] = ()
    log_digest: str | None = None
    assignment: Assignment | None = None
    """The ids to give; None to choose them (see the module's doc)."""

    def read(self, config: Config) -> SourceDocument:
        from edition.read import read_document

        source = read_document(config.root / self.path, config, Diagnostics())  # its problems: read already
        if source is None or source.meta.id != self.id:
            raise EditionError([Diagnostic(SourcePosition(self.path), "error", "file-unreadable",
                                           f"{self.path} changed while the build read it; build again")])
        return source


@dataclass
class DocumentResult:
    facts: DocumentFacts | None
    files: dict[str, bytes] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    """Language → the page Pagefind indexes for the document's text in it (``search.index_page``)."""
    fatal: tuple[Diagnostic, ...] = ()
    """A problem that stops the build at once (a template that cannot render)."""
    shares: DocumentShares | None = None
    section: str = ""
    """The document's section of the new lock."""
    references: dict[str, Any] = field(default_factory=dict)
    """Key → the reference-list entries the document formatted."""


@dataclass
class DocumentContext:
    """The edition's shared data every document is processed with; pickled once per process."""

    config: Config
    style_name: str
    register: Any
    """ArchivesRegister."""
    registers: Any
    """IndexRegisters."""
    files: dict[str, str]
    lock: Any
    """The anchor ledger as ``assign_anchors`` reads it (a Ledger or an ``anchoring.LockView``)."""
    bibliography: Any
    parse: Callable[[SourceDocument], Any]
    formatted: dict[str, Any] = field(default_factory=dict)
    """Key → reference-list entry formatted by an earlier build, for this bibliography and style."""
    _local: dict[str, Any] = field(default_factory=dict, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_local"] = {}
        bib = self.bibliography
        # A process loads the bibliography from the cache the build just wrote, faster than unpickling it.
        state["bibliography"] = ("load", getattr(bib, "path", ""), getattr(bib, "digest", ""))
        if hasattr(self.lock, "ledger"):  # a lock parsed whole travels as its text, read section by section
            from edition.anchoring import LockView

            state["lock"] = LockView(self.lock.ledger.serialize())
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if isinstance(self.bibliography, tuple) and self.bibliography[:1] == ("load",):
            from edition.citations.bibliography import Bibliography, load_bibliography

            config = self.config
            if config.bibliography_path.exists():
                self.bibliography, _ = load_bibliography(config.bibliography_path, "bibliography.bib",
                                                         cache_dir=config.cache_dir)
            else:
                self.bibliography = Bibliography("bibliography.bib", {}, {}, {}, "")

    def shared(self):  # noqa: ANN201 - resolve.Shared
        if "shared" not in self._local:
            from edition.citations.style import get_style
            from edition.resolve import Shared

            self._local["shared"] = Shared(self.config, self.bibliography, get_style(self.style_name),
                                           self.register, self.registers, self.files, dict(self.formatted))
        return self._local["shared"]

    def environment(self):  # noqa: ANN201 - jinja2.Environment
        if "env" not in self._local:
            from edition.render import environment

            self._local["env"] = environment(self.config)
        return self._local["env"]


def plain_assignment(assignment: Assignment) -> Assignment:
    """The assignment with its read-only mapping turned into a dict, so that it pickles."""
    return dataclasses.replace(assignment, redirects=dict(assignment.redirects))


def anchor_facts(assignment: Assignment, section: str) -> AnchorFacts:
    fresh = frozenset(e.id for e in assignment.events if e.kind in ("new", "split", "pinned"))
    return AnchorFacts(assignment.ids, assignment.claimed(), fresh, assignment.problems, section)


def process_document(task: DocumentTask, context: DocumentContext,
                     turn: tuple["Sequencer", int] | None = None) -> DocumentResult:
    """Parse, anchor, resolve and render one document (see the module's doc).

    ``turn`` is the build's :class:`Sequencer` and this document's place in
    it: the document chooses new ids once the documents before it have, and
    avoids theirs.
    """
    from edition.anchoring import section_text
    from edition.citations.style import MissingField
    from edition.extensions.urls import check_image_paths, document_images
    from edition.render import document_parts, render_document, template_errors
    from edition.resolve import resolve_document
    from edition.sanitize import markdown_problems
    from edition.search import document_units, index_page

    config = context.config
    diagnostics = Diagnostics()
    with processing(task.path):
        source = task.read(config)
        parsed = context.parse(source)
        diagnostics.extend(markdown_problems(parsed.markdown))
        check_image_paths(((source.src_path, image) for image in document_images(parsed.markdown)),
                          config.root, diagnostics)
        blocks = [Block(b.text, b.pinned) for b in parsed.blocks]
        assignment = task.assignment
        if assignment is None:
            sequencer, index = turn if turn is not None else (Sequencer(1), 0)
            try:
                taken = sequencer.before(index)
                assignment = assign_anchors(source.meta.id, blocks, context.lock, config.build_date, taken=taken)
            finally:
                chosen = [] if assignment is None else [e.id for e in assignment.events if
                                                        e.kind in ("new", "split", "pinned") and e.id not in context.lock]
                sequencer.publish(index, source.meta.id, chosen if assignment is not None else None)
        assignment = plain_assignment(assignment)
        previous = context.lock.document(source.meta.id)
        if previous is not None and set(previous.ids()) - set(assignment.record.ids()):
            raise ValueError(f"{source.meta.id}: the anchor assignment would lose ids of the lock")  # a bug
        shared = context.shared()
        try:
            resolved = resolve_document(parsed, assignment, shared, task.log, diagnostics)
        except MissingField as error:  # an entry lacks what the style prints: the user's to fix
            diagnostics.items.append(_field_missing(error, shared, config))
            resolved = None
        files: dict[str, bytes] = {}
        units: tuple[Unit, ...] = ()
        fatal: tuple[Diagnostic, ...] = ()
        if resolved is not None:
            parts = document_parts(resolved)
            try:
                with template_errors(config):
                    files = render_document(resolved, context.environment(), config, parts)
            except EditionError as error:
                fatal = tuple(error.diagnostics)
            else:
                meta = source.meta
                # The text as the page shows it, without the page's own headings and lists.
                text = "".join(f'<div class="abstract" lang="{name[9:]}">{html}</div>'
                               for name, html in sorted(parts.items()) if name.startswith("abstract."))
                text += f'<div class="document-body">{parts["body"]}</div>'
                units = tuple(document_units(text, meta.id, meta.lang, dict(meta.title),
                                             dict(resolved.paragraph_numbers)))
    section = section_text(assignment.record)
    pages = {lang: index_page(source.meta.id, lang, found) for lang, found in _by_language(units).items()}
    facts, shares = _facts(task, source, parsed, blocks, assignment, resolved, diagnostics, files, pages,
                           digest(section))
    references = {r.key: r.html for r in resolved.references} if resolved is not None else {}
    return DocumentResult(facts, files, pages, fatal, shares, section, references)


def _by_language(units: tuple[Unit, ...]) -> dict[str, list[Unit]]:
    by_lang: dict[str, list[Unit]] = {}
    for unit in units:
        by_lang.setdefault(unit.lang, []).append(unit)
    return dict(sorted(by_lang.items()))


def _field_missing(error: Any, shared: Any, config: Config) -> Diagnostic:
    bibliography, key = shared.bibliography, error.key
    position = bibliography.entry_position(key) if key in bibliography else SourcePosition("bibliography.bib")
    return Diagnostic(position, "error", "bib-field-missing",
                      f"entry {key!r} has no {error.field_name}, which the "
                      f"{config.citation_style} style needs to print it")


def _facts(task: DocumentTask, source: SourceDocument, parsed: Any, blocks: list[Block], assignment: Assignment,
           resolved: Any, diagnostics: Diagnostics, files: dict[str, bytes], pages: dict[str, str], section: str
           ) -> tuple[DocumentFacts, DocumentShares]:
    from edition.cache import bytes_digest

    meta = source.meta
    keys = tuple(dict.fromkeys(item.key for occurrence in parsed.citations for item in occurrence.group.items))
    link_files = tuple(sorted({link.file for link in parsed.links if link.file is not None}))
    terms = tuple((term.kind, term.key) for term in parsed.index_terms)
    shares = DocumentShares(DocumentSummary(meta, task.log, dict(resolved.paragraph_numbers) if resolved else {}),
                            tuple(resolved.cited) if resolved else (), tuple(resolved.unit_cited) if resolved else (),
                            tuple(resolved.mentions) if resolved else ())
    facts = DocumentFacts(
        path=source.src_path, id=meta.id, source_digest=task.source_digest, log_digest=task.log_digest,
        pins=tuple(b.pinned for b in blocks if b.pinned is not None),
        anchoring=anchor_facts(assignment, section), keys=keys,
        works=tuple(dict.fromkeys(key for key, _ in shares.cited)), link_files=link_files, terms=terms,
        anchors=resolved.anchors if resolved else frozenset(),
        link_checks=tuple(resolved.link_checks) if resolved else (),
        diagnostics=tuple(diagnostics.items),
        outputs={path: bytes_digest(data) for path, data in files.items()},
        units={lang: (bytes_digest(page.encode("utf-8")), len(page)) for lang, page in pages.items()},
        shares={name: pickle_digest(getattr(shares, name)) for name in ("summary", "cited", "unit_cited", "mentions")})
    return facts, shares


# -- many documents, in one process or several ----------------------------------------------------

class Sequencer:
    """Lets the processes of a build choose new anchor ids in build order, as one process would.

    A document waits, just before it chooses ids, until every document
    before it has chosen, and avoids what they chose; documents that choose
    nothing pass their turn at once.  The ids travel through shared memory,
    a fixed slot per document; a document whose ids overflow its slot is
    passed over (``anchoring.settle`` catches what that misses).  Each round
    of documents (the first pass, then any made again) starts afresh.
    """

    SLOT = 4096

    def __init__(self, count: int, context: Any = None):
        if context is None:  # one process: plain memory
            self.flags: Any = bytearray(count)
            self.data: Any = bytearray(count * self.SLOT)
        else:
            import ctypes

            self.flags = context.RawArray(ctypes.c_byte, count)
            self.data = context.RawArray(ctypes.c_char, count * self.SLOT)
        self.count = count
        self.round = 0
        self.seen = 0
        self.chosen: dict[str, str] = {}

    def start_round(self, number: int) -> None:
        """In a process: forget what an earlier round chose (the build cleared the flags)."""
        if number != self.round:
            self.round, self.seen, self.chosen = number, 0, {}

    def clear(self) -> None:
        self.flags[0:self.count] = bytes(self.count) if isinstance(self.flags, bytearray) else [0] * self.count

    def pass_turn(self, index: int) -> None:
        self.publish(index, "", [])

    def publish(self, index: int, document_id: str, ids: list[str] | None) -> None:
        text = (document_id + "\n" + " ".join(ids)).encode("utf-8") if ids else b""
        if ids is None or len(text) > self.SLOT:
            self.flags[index] = 2
            return
        start = index * self.SLOT
        self.data[start:start + len(text)] = text
        if len(text) < self.SLOT:
            self.data[start + len(text):start + len(text) + 1] = b"\0"
        self.flags[index] = 1

    def before(self, index: int) -> dict[str, str]:
        """Id → document of the new ids documents before ``index`` chose (waits for them)."""
        import time

        while self.seen < index:
            flag = self.flags[self.seen]
            if flag == 0:
                time.sleep(0.0002)
                continue
            if flag == 1:
                start = self.seen * self.SLOT
                raw = bytes(self.data[start:start + self.SLOT]).split(b"\0", 1)[0].decode("utf-8")
                if raw:
                    document_id, _, ids = raw.partition("\n")
                    for anchor in ids.split():
                        self.chosen.setdefault(anchor, document_id)
            self.seen += 1
        return self.chosen


_context: DocumentContext | None = None
_sequencer: Sequencer | None = None


def _start_worker(context: DocumentContext, sequencer: Sequencer) -> None:
    global _context, _sequencer
    _context, _sequencer = context, sequencer
    worker_started()


def worker_started() -> None:
    """In a worker process: die with the build, and never hold its lock."""
    from edition.write import release_inherited_lock

    release_inherited_lock()
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:  # PR_SET_PDEATHSIG: a build killed at any moment takes its workers with it
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
        except (OSError, AttributeError):
            pass


def _work(item: tuple[int, int, DocumentTask]) -> DocumentResult:
    assert _context is not None and _sequencer is not None
    number, index, task = item
    _sequencer.start_round(number)
    if task.assignment is not None:
        _sequencer.pass_turn(index)
    try:
        return process_document(task, _context, (_sequencer, index))
    finally:
        if _sequencer.flags[index] == 0:  # failed before its turn: let the others go on
            _sequencer.publish(index, "", None)


def _render(job: tuple[str, dict, str, str]) -> tuple[str, str, str, tuple[Diagnostic, ...]]:
    """A site page in a worker: (path, made-from digest, HTML, problems)."""
    from edition.render import template_errors

    assert _context is not None
    template, context, path, made = job
    try:
        with template_errors(_context.config), processing("the site's pages (render stage)"):
            return path, made, _context.environment().get_template(template).render(**context), ()
    except EditionError as error:
        return path, made, "", tuple(error.diagnostics)


def worker_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def process_context() -> Any:
    """How the build's other processes start: forked, unless this process runs other threads, which may
    hold locks a copy would never see released (``edition serve``): then they start afresh."""
    import multiprocessing  # only a build that starts processes pays for the import

    method = START_METHOD or ("fork" if threading.active_count() == 1
                              and "fork" in multiprocessing.get_all_start_methods() else "spawn")
    return multiprocessing.get_context(method)


class Workers:
    """The processes of a build: started when first needed, for a large enough edition, and used for the
    documents and then for the site pages.  A small edition, or one process, does everything here."""

    def __init__(self, context: DocumentContext, workers: int | None, documents: int):
        self.context = context
        self.count = worker_count() if workers is None else workers
        self.documents_in_edition = documents
        self.pool: ProcessPoolExecutor | None = None
        self.sequencer: Sequencer | None = None
        self.rounds = 0

    def worth_it(self, items: int) -> bool:
        """Whether ``items`` (documents, or site pages) are worth the processes: the edition is large."""
        if self.count < 2 or items < 2:
            return False
        large = PARALLEL_FROM * (1 if self.pool is not None or process_context().get_start_method() == "fork" else 4)
        return self.documents_in_edition >= large

    def _executor(self) -> ProcessPoolExecutor:
        if self.pool is None:
            from concurrent.futures import ProcessPoolExecutor

            mp = process_context()
            self.sequencer = Sequencer(max(1, self.documents_in_edition), mp)
            self.pool = ProcessPoolExecutor(self.count, mp_context=mp, initializer=_start_worker,
                                            initargs=(self.context, self.sequencer))
        return self.pool

    def process(self, tasks: list[DocumentTask]) -> Iterator[tuple[DocumentTask, DocumentResult]]:
        """Each task with its result, in the order given.

        The tasks must come in build order (by document id), so that new
        anchor ids are chosen as one process would (see :class:`Sequencer`).
        The output does not depend on how many processes ran: each document
        is processed by the same function from the same data.
        """
        if not (self.worth_it(len(tasks)) and (self.pool is not None or len(tasks) >= PARALLEL_FROM)):
            sequencer = Sequencer(len(tasks))
            for index, task in enumerate(tasks):
                if task.assignment is not None:
                    sequencer.pass_turn(index)
                yield task, process_document(task, self.context, (sequencer, index))
            return
        pool = self._executor()
        assert self.sequencer is not None
        self.rounds += 1
        if self.rounds > 1:
            self.sequencer.clear()
        # One document at a time: a process waiting for its turn must never hold documents that come after.
        results = pool.map(_work, ((self.rounds, index, task) for index, task in enumerate(tasks)), chunksize=1)
        for task in tasks:
            try:
                result = next(results)
            except EditionError:
                raise
            except Exception as error:
                if getattr(error, "edition_input", None) is None:
                    error.edition_input = task.path  # type: ignore[attr-defined]
                    error.add_note(f"(while processing {task.path})")
                raise
            yield task, result

    def render(self, jobs: list[tuple[str, dict, str, str]]) -> Any:
        """Start rendering site pages ((template, variables, path, made-from digest)) in the processes;
        None when they are not worth it (render in this process then)."""
        if not self.worth_it(len(jobs)):
            return None
        return self._executor().map(_render, jobs)

    FILES_AT_ONCE = 16

    def make_files(self, files: list[tuple[str, bytes]]) -> list[tuple[int, int, int]] | None:
        """Create many files (absolute path, bytes) in the processes, when the build started them; each
        file's (inode, size, modification time), in order.  None when there are none: the caller writes.

        Creating a file is mostly waiting for the file system (a few tenths of
        a millisecond on a virtual disk), and processes creating files at once
        each wait far less: a new search index of three thousand files, or the
        bibliography's downloads, are written in a fraction of the time.
        Called when the processes are idle (after the documents and the site
        pages), and waits for every file, so the site folder never changes
        behind the build's back.
        """
        if self.pool is None or len(files) < 4 * self.FILES_AT_ONCE:
            return None
        chunks = [files[i:i + self.FILES_AT_ONCE] for i in range(0, len(files), self.FILES_AT_ONCE)]
        from edition.write import create_files

        return [made for chunk in self.pool.map(create_files, chunks) for made in chunk]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None

"""What a build depends on, recorded so that the next build redoes only what changed.

Every input is known by a digest of its bytes (:func:`scan_inputs`).  A
build that finds every input as the last successful build left it, and
the site on disk as that build wrote it, has nothing to do.  Otherwise each
output is made again only when a digest of what it was made from differs
from the one recorded with the file on disk:

- a document's files (page, citation files) depend on the generator, the
  settings, the templates ``document.html`` reads (see
  :func:`edition.render.template_dependencies`), the project's catalogues,
  the document's source and editorial log, the ids its paragraphs got,
  each bibliography entry and archival unit it cites (an entry by its text
  and its label, which other entries can change), the documents its links
  lead to and whether the register entries it names exist
  (:func:`document_dependencies`).  The other documents reach a document
  page only through those link targets, and through the anchors those
  links expect, which are checked every build from the documents' facts;
- a site page depends on the generator, settings, its templates, its
  language and the data of the variables its templates read: the
  bibliography entries cited anywhere and each document's share of the
  backlinks, the registers, the documents' titles and paragraphs
  (``pipeline.site_page_plan``);
- the search index depends on the search units of every document, per
  language (``search.py``).

The facts of each document (``documents.DocumentFacts``) stay in the
store; a document whose source, lock section and dependencies are all
unchanged is neither parsed nor rendered, and its facts stand in for it in
the site-wide pages.  The outcome is the same as a build from scratch:
``tests/test_incremental.py`` checks it against one after random edits.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edition.cache import Store, bytes_digest, digest, generator_version
from edition.config import Config
from edition.diagnostics import Diagnostic, Diagnostics, SourcePosition


@dataclass(frozen=True)
class SourceFile:
    path: str
    """Absolute."""
    display: str
    digest: str | None
    """Of the bytes (and, for a symbolic link, where it leads); None when it cannot be read."""


@dataclass(frozen=True)
class Inputs:
    """Every file a build reads, by digest."""

    documents: tuple[SourceFile, ...]
    logs: dict[str, SourceFile]
    """File name in ``content/editorial/`` → file."""
    others: tuple[tuple[str, str | None], ...]
    """(path, digest) of the bibliography, registers, lock, templates, static files, catalogues, settings."""
    settings: str
    """The configuration as the pages see it."""
    paths: dict[str, str | None] = field(default_factory=dict, compare=False)
    """Absolute path → digest of the files in ``others``."""
    signatures: dict[str, tuple[tuple[int, ...], str | None]] = field(default_factory=dict, compare=False)
    """Absolute path → (file signature, digest) of the files read, for the next scan (see :class:`_Digests`)."""

    @property
    def digest(self) -> str:
        return digest(generator_version(), self.settings,
                      tuple((f.display, f.digest) for f in self.documents),
                      tuple((name, f.digest) for name, f in sorted(self.logs.items())),
                      self.others)

    def with_lock(self, lock_digest: str) -> "Inputs":
        """The same inputs, with the lock the build wrote."""
        return dataclasses.replace(self, others=tuple((path, lock_digest if path == "anchors.lock" else value)
                                                      for path, value in self.others))


def settings_digest(config: Config) -> str:
    return digest(config.citation_style, config.site_title, config.base_url, tuple(config.languages),
                  str(config.out_dir.resolve()), config.strict)


def _file_digest(path: Path | str) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if os.path.islink(path):
        return digest(data, os.path.realpath(path))
    return bytes_digest(data)


SETTLED_NS = 2_000_000_000
"""How long a file must have been left alone before its signature stands for its bytes."""


class _Digests:
    """File digests, read again only for the files a watcher saw change (when one watches), or else
    only for the files whose signature (:func:`file_signature`) differs from the last scan's.

    A file's signature is remembered only once the file has been left alone
    for a while (:data:`SETTLED_NS`): a file system's clock ticks in steps
    of milliseconds, and a file written twice within one step, at the same
    size, would otherwise keep the signature of its first version.  Any
    later write moves the change time (``ctime``) past the remembered one;
    unlike the modification time, no program can set it back.
    """

    def __init__(self, previous: "Inputs | None", changed: set[str] | None,
                 signatures: dict[str, tuple[tuple[int, ...], str | None]] | None = None):
        self.known: dict[str, str | None] = {}
        self.changed = changed
        if previous is not None and changed is not None:
            self.known = {f.path: f.digest for f in (*previous.documents, *previous.logs.values())}
            self.known.update(previous.paths)
        self.signatures = signatures or {}
        self.seen: dict[str, tuple[tuple[int, ...], str | None]] = {}
        self.settled = time.time_ns() - SETTLED_NS

    def __call__(self, path: Path | str) -> str | None:
        key = str(path)
        if self.changed is None or key in self.changed or key not in self.known:
            return self._digest(key)
        if key in self.signatures:  # unchanged, on the watcher's word: its signature still stands
            self.seen[key] = self.signatures[key]
        return self.known[key]

    def _digest(self, key: str) -> str | None:
        try:
            found = os.lstat(key)
        except FileNotFoundError:
            return None
        except OSError:
            return _file_digest(key)
        if not stat.S_ISREG(found.st_mode):  # a link: where it leads may change without it
            return _file_digest(key)
        signature = _signature(found)
        remembered = self.signatures.get(key)
        if remembered is not None and remembered[0] == signature:
            self.seen[key] = remembered
            return remembered[1]
        value = _file_digest(key)
        if max(found.st_mtime_ns, found.st_ctime_ns) < self.settled:
            self.seen[key] = (signature, value)
        return value


def _tree(folder: Path, root: Path, read: _Digests, suffixes: tuple[str, ...] | None = None
          ) -> list[tuple[str, str | None]]:
    if not folder.is_dir():
        return [(folder.relative_to(root).as_posix(), None)] if os.path.lexists(folder) else []
    found = []
    for base, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names + [d for d in dirs if (Path(base) / d).is_symlink()]):
            path = Path(base) / name
            if suffixes is None or path.suffix in suffixes:
                found.append((path.relative_to(root).as_posix(), read(path)))
    return found


def _names(folder: Path, pattern: str) -> list[str]:
    """The names in ``folder`` matching ``pattern``, sorted: what ``folder.glob(pattern)`` finds, faster."""
    try:
        with os.scandir(folder) as entries:
            return sorted(entry.name for entry in entries if fnmatch.fnmatchcase(entry.name, pattern))
    except OSError:
        return []


def file_signature(path: Path) -> tuple[int, ...]:
    """What changes whenever a file's bytes do: size, modification and change times, inode (empty if absent)."""
    try:
        return _signature(os.lstat(path))
    except OSError:
        return ()


def _signature(found: os.stat_result) -> tuple[int, ...]:
    return (found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino)


def scan_inputs(config: Config, previous: "Inputs | None" = None, changed: set[str] | None = None,
                lock_written: tuple[tuple[int, ...], str] | None = None,
                signatures: dict[str, tuple[tuple[int, ...], str | None]] | None = None) -> Inputs:
    """The digest of every input: documents, logs, registers, bibliography, lock, templates, settings.

    A caller that watches the project (``edition serve``) passes the inputs
    it scanned last and the absolute paths changed since: the other files
    keep their digests without being read.  ``lock_written``: the signature
    (:func:`file_signature`) and digest of the lock the last build wrote; a
    large edition's lock is megabytes, read again only when it was touched
    since.  ``signatures``: those of the last scan (:attr:`Inputs.signatures`); a file whose
    signature is unchanged is not read again.
    """
    root = config.root
    read = _Digests(previous, changed, signatures)
    content = str(config.content_dir)
    documents = []
    for name in _names(config.content_dir, "*.md"):
        path = f"{content}/{name}"
        documents.append(SourceFile(path, f"content/{name}", read(path)))
    editorial = config.content_dir / "editorial"
    logs = {name: SourceFile(f"{editorial}/{name}", f"content/editorial/{name}", read(f"{editorial}/{name}"))
            for name in _names(editorial, "*.yml")}
    others: list[tuple[str, str | None]] = []
    paths: dict[str, str | None] = {}
    for path in (config.bibliography_path, config.lock_path, root / "edition.toml"):
        if path != config.lock_path:
            found = read(path)
        elif lock_written is not None and lock_written[0] and file_signature(path) == lock_written[0]:
            found = lock_written[1]
        else:  # the build itself writes the lock: a watcher's word on it is not enough
            found = _file_digest(path)
        others.append((path.name, found if os.path.lexists(path) else "absent"))
        paths[str(path)] = found
    for folder, suffixes in ((config.content_dir / "registers", (".yml",)), (config.templates_dir, None),
                             (root / "locale", (".po",))):
        for name, found in _tree(folder, root, read, suffixes):
            others.append((name, found))
            paths[str(root / name)] = found
    return Inputs(tuple(documents), logs, tuple(others), settings_digest(config), paths, read.seen)


# -- the read stage, remembered -------------------------------------------------------------------

@dataclass(frozen=True)
class SourceFacts:
    """What reading a document gave, kept with the digest of the file it was read from."""

    path: str
    digest: str | None
    id: str | None
    """The document's id, or None when the document could not be read."""
    id_position: SourcePosition | None
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class ReadDocuments:
    """The documents of a build in file order, each read or remembered."""

    facts: list[SourceFacts] = field(default_factory=list)
    """Every readable document with a unique id, in file order."""
    digests: dict[str, str] = field(default_factory=dict)
    """Path → the digest the facts were read from."""
    logs: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    """Document id → editorial log."""
    log_digests: dict[str, str | None] = field(default_factory=dict)


def read_document_cached(file: SourceFile, config: Config, remembered: Any) -> tuple[SourceFacts, Any]:
    """The read stage for one file: remembered while its bytes are unchanged (None for the document then)."""
    if isinstance(remembered, SourceFacts) and file.digest is not None and remembered.digest == file.digest:
        return remembered, None
    from edition.read import read_document

    for _ in range(3):  # a file being saved while it is read: read until two reads agree
        diagnostics = Diagnostics()
        document = read_document(Path(file.path), config, diagnostics)
        after = _file_digest(file.path)
        if after == file.digest:
            break
        file = SourceFile(file.path, file.display, after)
    facts = SourceFacts(file.display, file.digest, document.meta.id if document else None,
                        document.front_matter.position("id") if document else None, tuple(diagnostics.items))
    return facts, document


def read_documents(inputs: Inputs, config: Config, store: Store, diagnostics: Diagnostics) -> ReadDocuments:
    """Every document and editorial log, as ``read.read_sources`` reads them, remembering what it can."""
    from edition.read import read_editorial_log

    result = ReadDocuments()
    seen: dict[str, SourceFacts] = {}
    fresh: list[tuple[str, SourceFacts]] = []
    remembered = store.get_many("source", [file.display for file in inputs.documents])
    for file in inputs.documents:
        facts, document = read_document_cached(file, config, remembered.get(file.display))
        if document is not None or facts.digest != file.digest:
            fresh.append((file.display, facts))
        diagnostics.extend(facts.diagnostics)
        if facts.id is None:
            continue
        if facts.id in seen:
            first = seen[facts.id]
            diagnostics.error(facts.id_position, "fm-duplicate-id",  # type: ignore[arg-type]
                              f"document id {facts.id!r} is already used by {first.path}"
                              f":{first.id_position.line}")  # type: ignore[union-attr]
            continue
        seen[facts.id] = facts
        result.facts.append(facts)
        result.digests[facts.path] = facts.digest  # type: ignore[assignment]
    logs = []
    remembered_logs = store.get_many("log", [log.display for log in inputs.logs.values()])
    for facts in result.facts:
        log = inputs.logs.get(f"{facts.id}.yml")
        if log is None:
            result.log_digests[facts.id] = None  # type: ignore[index]
            continue
        known = remembered_logs.get(log.display)
        if isinstance(known, tuple) and len(known) == 3 and known[0] == log.digest and log.digest:
            entries, problems = known[1], known[2]
        else:
            found = Diagnostics()
            entries = read_editorial_log(Path(log.path), config, found)
            problems = tuple(found.items)
            logs.append(("log", log.display, (log.digest, entries, problems)))
        diagnostics.extend(problems)
        result.logs[facts.id] = entries  # type: ignore[index]
        result.log_digests[facts.id] = log.digest  # type: ignore[index]
    if fresh or logs:
        store.write([("source", path, facts) for path, facts in fresh] + logs)
    return result


def cached_value(store: Store, kind: str, key: str, compute: Any) -> Any:
    """A value computed from inputs known by ``key``: remembered in the store while ``key`` is unchanged.

    ``compute`` returns (value, problems); both are remembered.
    """
    remembered = store.get(kind, "value")
    if isinstance(remembered, tuple) and len(remembered) == 3 and remembered[0] == key:
        return remembered[1], remembered[2]
    value, problems = compute()
    store.put(kind, "value", (key, value, tuple(problems)))
    return value, tuple(problems)


# -- what a document's files depend on ------------------------------------------------------------

def _plain(value: object) -> object:
    """A value's fields without its source position: the position does not reach a page."""
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is None:
        return repr(value)
    return tuple((name, repr(getattr(value, name))) for name in fields if name != "position")


def _register_digest(register: Any) -> str:
    return digest(tuple((k, str(_plain(u))) for k, u in sorted(register.units.items())),
                  tuple((k, str(_plain(a))) for k, a in sorted(register.archives.items())))


def _registers_digest(registers: Any) -> str:
    return digest(tuple((kind, tuple(sorted(entries))) for kind, entries in sorted(registers.entries.items())))


class Dependencies:
    """Digests of what a document's files can depend on, each computed once per build."""

    def __init__(self, base: str, bibliography: Any, style: Any, register: Any, registers: Any,
                 files: dict[str, str], store: Store | None = None):
        self.base = base
        """Generator, settings, the document template and its catalogues."""
        self.bibliography = bibliography
        self.style = style
        self.register = register
        self.registers = registers
        self.files = files
        self.store = store
        # The digests of cited keys, kept with the bibliography and registers they were worked out from.
        self._key_source = digest(bibliography.digest, style.name, _register_digest(register))
        known = store.get("keys", "value") if store is not None else None
        self._keys: dict[str, str] = dict(known[1]) if isinstance(known, tuple) and known[0] == self._key_source \
            else {}
        self._known = len(self._keys)

    def remember(self) -> list[tuple[str, str, Any]]:
        """The store record of the key digests, when new ones were worked out."""
        return [("keys", "value", (self._key_source, self._keys))] if len(self._keys) > self._known else []

    def key(self, key: str) -> str:
        """What a citation of ``key`` looks like: a unit and its archive, or an entry and its label."""
        found = self._keys.get(key)
        if found is None:
            if key in self.register.units:
                unit = self.register.units[key]
                found = digest("unit", str(_plain(unit)), str(_plain(self.register.archives.get(unit.archive))))
            elif key in self.bibliography:
                label = self.style.label(key, self.bibliography)
                found = digest("entry", self.style.name, self.bibliography.source_text(key), repr(label))
            else:
                found = "unknown"
            self._keys[key] = found
        return found

    def term(self, kind: str, key: str | None) -> bool:
        return key is not None and key in self.registers.entries.get(kind, {})

    def epoch(self) -> str:
        """What every document's dependencies share: unchanged, an unchanged document's are too."""
        return digest(self.base, self._key_source, _registers_digest(self.registers),
                      tuple(sorted(self.files.items())))

    def of(self, facts: Any) -> str:
        """The digest a document's files were made from (``facts``: DocumentFacts)."""
        return digest(self.base, facts.source_digest, facts.log_digest, facts.anchoring.section,
                      tuple(self.key(k) for k in facts.keys),
                      tuple((name, self.files.get(name)) for name in facts.link_files),
                      tuple((kind, key, self.term(kind, key)) for kind, key in facts.terms))


@dataclass(frozen=True)
class BuildRecord:
    """The last successful build: what it read, and what it reported."""

    inputs: str
    documents: int
    files: int
    warnings: tuple[Diagnostic, ...]
    lock: str | None
    """Digest of the lock it wrote."""
    site: int
    """The live site folder it made (its inode)."""
    epoch: str = ""
    """Digest of everything a document's files depend on besides the document itself
    (:meth:`Dependencies.epoch`): while it is unchanged, so is an unchanged document's."""
    listed: str = ""
    """Digest of the documents' paths: while it is unchanged, the store holds no record of a document gone."""
    pages_made: int = 0
    """Search pages stored since the store last dropped those no document uses."""
    lock_signature: tuple[int, ...] = ()
    """:func:`file_signature` of the lock it wrote: while the file has it, its digest is ``lock``."""

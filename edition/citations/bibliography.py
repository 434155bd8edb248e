"""Loading a BibTeX file into a :class:`Bibliography`, with positions and a disk cache.

pybtex parses the file, but it neither remembers where an entry starts
nor reports problems with a place a user can jump to, and by default it
raises on the first duplicate key.  Here pybtex runs under
:func:`pybtex.errors.capture`, its low-level parser is driven entry by
entry so that every entry's span is known, and every problem becomes a
:class:`~edition.diagnostics.Diagnostic` with ``file:line:col``.

Parsing 5,000 entries takes about two seconds, so the parsed result is
pickled under the SHA-256 of the file's bytes: an unchanged file loads
from the cache without running the parser.  Each entry is pickled on its
own, and unpickled when a build first uses it.

``shortauthor`` is deliberately *not* a pybtex person field.  In this
edition it holds the label name exactly as the journal prints it ("Sarah
Cameron", "Kabyl et al.", "Davis and Wheatcroft"); parsing it as names
would turn "Sarah Cameron" into "Cameron, Sarah" and "Kabyl et al." into a
person with the last name "al.".  :func:`split_names` splits it on
top-level ``and`` and keeps every name as written.
"""
from __future__ import annotations

import bisect
import codecs
import hashlib
import os
import pickle
import re
import tempfile
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, TypeVar

from edition.diagnostics import Diagnostic, SourcePosition

if TYPE_CHECKING:  # pybtex is imported where an entry is built or a field decoded: a rebuild whose
    # references are all formatted already never needs it
    from pybtex.database import BibliographyData, Entry, Person
    from pybtex.richtext import Text

T = TypeVar("T")

CACHE_FORMAT = 3
"""Bump when the pickled layout changes, so old cache files are ignored."""

PERSON_FIELDS = ("author", "editor", "translator")
"""Fields pybtex parses into :class:`pybtex.database.Person` lists."""

CAUTION_PREFIX = "unverified:"
"""A ``note`` starting with this holds unconfirmed details, never printed as fact."""


@dataclass(frozen=True)
class EntrySpan:
    """Where one entry sits in the source: offsets and the line of ``@type{key,``."""

    start: int
    end: int
    line: int
    col: int


@dataclass(frozen=True)
class _Problem:
    """A diagnostic without a path, so it can be cached and shown under any name."""

    line: int
    col: int
    severity: str
    code: str
    message: str


_Parts = tuple[tuple[str, ...], ...]
"""A person as (first, middle, prelast, last, lineage) name lists."""
_Record = tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, tuple[_Parts, ...]], ...]]
"""An entry as plain tuples (type, fields, persons by role): a tenth of the pickle cost."""


def _record(entry: Entry) -> _Record:
    persons = tuple((role, tuple((tuple(p.first_names), tuple(p.middle_names), tuple(p.prelast_names),
                                  tuple(p.last_names), tuple(p.lineage_names)) for p in people))
                    for role, people in entry.persons.items())
    return (entry.original_type, tuple(entry.fields.items()), persons)


def _person(parts: _Parts) -> Person:
    from pybtex.database import Person

    person = Person.__new__(Person)  # the parts are already split; skip re-parsing the name
    (person.first_names, person.middle_names, person.prelast_names,
     person.last_names, person.lineage_names) = (list(p) for p in parts)
    return person


def _entry(key: str, record: _Record) -> Entry:
    from pybtex.database import Entry

    entry_type, fields, persons = record
    entry = Entry(entry_type, fields=fields,
                  persons={role: [_person(p) for p in people] for role, people in persons})
    entry.key = key
    return entry


@dataclass(frozen=True)
class _Packed:
    """A parsed file as the cache keeps it: each entry pickled on its own, read when first used."""

    keys: tuple[str, ...]
    """In file order."""
    offsets: array
    """Where each entry's pickle starts in ``blob``, and where the last one ends."""
    digests: bytes
    """SHA-1 of each entry's source text, 20 bytes each, in key order."""
    blob: bytes

    def whole(self) -> bool:
        """Whether the parts fit together (a cache file cut short is parsed again, not trusted)."""
        count = len(self.keys)
        return len(self.offsets) == count + 1 and len(self.digests) == 20 * count and self.offsets[-1] == len(self.blob)


def _source_digest(source: str) -> bytes:
    """SHA-1 of an entry's BibTeX: what caches of its formatted output are keyed on."""
    return hashlib.sha1(source.encode("utf-8")).digest()


def _pack(records: dict[str, _Record], spans: dict[str, EntrySpan], sources: dict[str, str]) -> _Packed:
    pieces = [pickle.dumps((records[key], spans[key], sources[key]), protocol=pickle.HIGHEST_PROTOCOL)
              for key in records]
    offsets = array("q", [0])
    for piece in pieces:
        offsets.append(offsets[-1] + len(piece))
    digests = b"".join(_source_digest(sources[key]) for key in records)
    return _Packed(tuple(records), offsets, digests, b"".join(pieces))


class Bibliography:
    """The entries of one ``.bib`` file, by key, with their source text and positions.

    Read from the cache, an entry is unpickled on first use, and a pybtex
    entry built from it on first use of that: a rebuild that cites twenty
    works of a five-thousand-entry file reads twenty, and one whose
    references are all formatted already never imports pybtex.
    """

    def __init__(self, path: str, records: dict[str, _Record] | BibliographyData, spans: dict[str, EntrySpan],
                 sources: dict[str, str], digest: str, cache_dir: Path | None = None) -> None:
        if not isinstance(records, dict):  # pybtex data built in code, e.g. in a test
            records = {key: _record(entry) for key, entry in records.entries.items()}
        self.path = path
        """The display path diagnostics use."""
        self.digest = digest
        """SHA-256 of the file; tables derived from it are cached against it."""
        self._keys = list(records)
        self._positions = {key: index for index, key in enumerate(self._keys)}
        self._records = records
        self._spans = spans
        self._sources = sources
        self._packed: _Packed | None = None
        self._cache_dir = cache_dir
        self._entries: dict[str, Entry] = {}
        self._entry_digests: dict[str, str] = {}
        self._derived: dict[str, object] = {}

    @classmethod
    def _unpack(cls, path: str, packed: _Packed, digest: str, cache_dir: Path | None) -> "Bibliography":
        bibliography = cls(path, {}, {}, {}, digest, cache_dir)
        bibliography._keys = list(packed.keys)
        bibliography._positions = {key: index for index, key in enumerate(packed.keys)}
        bibliography._packed = packed
        return bibliography

    def _load(self, key: str) -> None:
        """Unpickle ``key``'s record, span and source from the packed cache, unless done (KeyError if unknown)."""
        if key in self._records:
            return
        index = self._positions[key]
        packed = self._packed
        if packed is None:
            raise KeyError(key)
        record, span, source = pickle.loads(packed.blob[packed.offsets[index]:packed.offsets[index + 1]])
        self._records[key], self._spans[key], self._sources[key] = record, span, source

    def _record_of(self, key: str) -> _Record:
        self._load(key)
        return self._records[key]

    def keys(self) -> list[str]:
        """Keys in file order, spelt as in the file."""
        return list(self._keys)

    def __contains__(self, key: object) -> bool:
        # Exact match: a key is also an anchor, and anchors are case-sensitive.
        return isinstance(key, str) and key in self._positions

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def entry(self, key: str) -> Entry:
        """The pybtex entry; KeyError for an unknown key."""
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _entry(key, self._record_of(key))
        return entry

    def entries(self) -> list[Entry]:
        """Every entry, in file order (builds them all)."""
        return [self.entry(key) for key in self._keys]

    @property
    def data(self) -> BibliographyData:
        """The whole file as pybtex data, for code that wants pybtex's own API."""
        from pybtex.database import BibliographyData

        return BibliographyData(entries={key: self.entry(key) for key in self._keys})

    def entry_position(self, key: str) -> SourcePosition:
        """The line and column of the entry's ``@type{key,``."""
        self._load(key)
        span = self._spans[key]
        return SourcePosition(self.path, span.line, span.col)

    def source_text(self, key: str) -> str:
        """The entry's BibTeX exactly as written in the file."""
        self._load(key)
        return self._sources[key]

    def entry_digest(self, key: str) -> str:
        """A hash of the entry's source text, for caches of formatted output."""
        digest = self._entry_digests.get(key)
        if digest is None:
            if self._packed is not None:
                at = self._positions[key] * 20
                digest = self._packed.digests[at:at + 20].hex()
            else:
                digest = _source_digest(self._sources[key]).hex()
            self._entry_digests[key] = digest
        return digest

    def caution(self, key: str) -> str | None:
        """The entry's ``note`` when it starts with ``unverified:``, decoded; else None."""
        # Field names are case-insensitive in BibTeX (and in pybtex's entries).
        note = next((value for name, value in self._record_of(key)[1] if name.lower() == "note"), None)
        if note and note.lstrip().lower().startswith(CAUTION_PREFIX):
            return plain(note)
        return None

    def derived(self, name: str, compute: Callable[["Bibliography"], T]) -> T:
        """A table computed from the whole file (e.g. a style's labels), cached with it.

        ``name`` must change whenever ``compute`` changes what it returns.
        """
        if name in self._derived:
            return self._derived[name]  # type: ignore[return-value]
        path = self._cache_dir / f"bib-{self.digest[:40]}-{name}.pickle" if self._cache_dir and self.digest else None
        value = _read_cache(path) if path else None
        if value is None:
            value = compute(self)
            if path:
                _write_cache(path, value)
        self._derived[name] = value
        return value  # type: ignore[return-value]


_COMMAND_RE = re.compile(r"\\(emph|textit|textbf|textsc|url)\s*\{([^{}]*)\}")
_BARE_COMMAND_RE = re.compile(r"\\(?:emph|textit|textbf|textsc|url)\s*(?=\{)")
_TAGS = {"emph": "em", "textit": "em", "textbf": "strong"}


def _from_latex(value: str) -> Text:
    import latexcodec  # noqa: F401  (registers the "ulatex" codec)
    from pybtex.richtext import Text
    from pybtex.scanner import PybtexSyntaxError

    if not any(mark in value for mark in ("\\", "{", "}", "~", "--", "$", "``", "''")):
        return Text(value)  # most fields need no decoding; latexcodec is slow
    try:
        return Text.from_latex(value)
    except PybtexSyntaxError:  # unbalanced braces: show the text without them
        return Text(codecs.decode(value, "ulatex").replace("{", "").replace("}", ""))


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def latex_to_text(value: str) -> Text:
    r"""Decode a BibTeX field into pybtex rich text: accents, dashes, ``\emph``.

    >>> str(latex_to_text(r"G{\"o}del -- \emph{Werke}"))
    'Gödel – Werke'
    >>> latex_to_text(r"\emph{Werke}").render_as("html")
    '<em>Werke</em>'
    """
    from pybtex.richtext import Tag, Text

    matches = list(_COMMAND_RE.finditer(value))
    cuts = [0] + [m.start() for m in matches] + [m.end() for m in matches] + [len(value)]
    if not matches or not all(_balanced(value[a:b]) for a, b in zip(sorted(cuts), sorted(cuts)[1:])):
        return _from_latex(_BARE_COMMAND_RE.sub("", value))  # nested: keep the words, drop the style
    parts: list[Text | Tag] = []
    last = 0
    for match in matches:
        if match.start() > last:
            parts.append(_from_latex(value[last:match.start()]))
        inner = _from_latex(match.group(2))
        tag = _TAGS.get(match.group(1))
        parts.append(Tag(tag, inner) if tag else inner)
        last = match.end()
    if last < len(value):
        parts.append(_from_latex(value[last:]))
    return Text(*parts)


_SPACES_RE = re.compile(r"[ \t\r\n]+")
_SIMPLE = (("---", "\u2014"), ("--", "\u2013"), ("~", "\xa0"), ("``", "\u201c"), ("''", "\u201d"),
           ("{", ""), ("}", ""))


@lru_cache(maxsize=32768)
def plain(value: str) -> str:
    r"""Decode a BibTeX field to plain text, whitespace collapsed.

    >>> plain(r"{Таджикистан} and G{\"o}del, 1920--1930~гг.")
    'Таджикистан and Gödel, 1920–1930\xa0гг.'
    """
    if "\\" in value or "$" in value:
        text = str(latex_to_text(value))
    else:  # braces, dashes and ties only: what latexcodec would do, a hundred times faster
        text = value
        for latex, char in _SIMPLE:
            text = text.replace(latex, char)
    return _SPACES_RE.sub(" ", text).strip()


def split_names(value: str) -> list[str]:
    """Split a name list on top-level ``and``, keeping each name as written.

    >>> split_names("Davis and Wheatcroft")
    ['Davis', 'Wheatcroft']
    >>> split_names("Kabyl et al.")
    ['Kabyl et al.']
    >>> split_names("{Smith and Sons} and Sarah Cameron")
    ['Smith and Sons', 'Sarah Cameron']
    """
    from pybtex.bibtex.utils import split_name_list

    return [plain(name) for name in split_name_list(" ".join(value.split()))]


class _Line:
    """Offset → (line, column), both counting from 1."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def __call__(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1


_KEY_RE = re.compile(r"@\s*[\w-]+\s*[{(]\s*")


def _parse(text: str) -> tuple[dict[str, _Record], dict[str, EntrySpan], dict[str, str], list[_Problem]]:
    """Run pybtex over ``text`` entry by entry, recording spans and problems."""
    import pybtex.errors
    from pybtex.database import InvalidNameString
    from pybtex.database.input.bibtex import DuplicateField, LowLevelParser, Parser
    from pybtex.scanner import PybtexSyntaxError

    where = _Line(text)
    parser = Parser(person_fields=PERSON_FIELDS)
    parser.unnamed_entry_counter = 1
    spans: dict[str, EntrySpan] = {}
    sources: dict[str, str] = {}
    seen: dict[str, EntrySpan] = {}
    problems: list[_Problem] = []

    def problem(offset: int, severity: str, code: str, message: str) -> None:
        problems.append(_Problem(*where(offset), severity, code, message))

    with pybtex.errors.capture() as captured:
        scanner = LowLevelParser(text, handle_error=parser.handle_error, macros=parser.macros)
        entries = iter(scanner)
        while True:
            before = len(captured)
            try:
                command, body = next(entries)
            except StopIteration:
                break
            finally:
                for error in captured[before:]:
                    offset = error.error_context_info[2] if isinstance(error, PybtexSyntaxError) else 0
                    problem(offset, "error", "bib-syntax", f"malformed BibTeX: {error.args[0]}")
            if command.lower() in ("string", "preamble"):
                if command.lower() == "preamble":
                    parser.process_preamble(*body)
                continue
            key = body[0]
            if key is None:
                continue
            start = scanner.command_start
            key_match = _KEY_RE.match(text, start)
            key_at = key_match.end() if key_match else start
            span = EntrySpan(start, scanner.pos, *where(key_at))
            folded = key.lower()
            if folded in seen:
                first = seen[folded]
                problem(key_at, "error", "bib-duplicate-key",
                        f"duplicate key {key!r}: defined on line {first.line} and again on "
                        f"line {span.line}; the entry on line {first.line} is used")
                continue
            seen[folded] = span
            before = len(captured)
            parser.process_entry(command, *body)
            for error in captured[before:]:
                if isinstance(error, DuplicateField):
                    problem(key_at, "warning", "bib-duplicate-field", f"{error.args[0]}; the first value is used")
                elif isinstance(error, InvalidNameString):
                    problem(key_at, "warning", "bib-name", f"entry {key!r}: {error.args[0]}")
                else:
                    problem(key_at, "error", "bib-syntax", f"entry {key!r}: {error.args[0]}")
            spans[key] = span
            sources[key] = text[span.start:span.end]
    records = {key: _record(entry) for key, entry in parser.data.entries.items()}
    return records, spans, sources, problems


def _cache_file(cache_dir: Path, digest: str) -> Path:
    from edition.cache import installed_versions

    return cache_dir / f"bib-{digest[:40]}-{CACHE_FORMAT}-pybtex{installed_versions(['pybtex'])['pybtex']}.pickle"


def _read_cache(path: Path) -> object | None:
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None  # a missing or stale cache file only costs a parse


def _write_cache(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".bib-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)  # atomic: a parallel build never reads half a file
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def load_bibliography(path: Path, display_path: str,
                      cache_dir: Path | None = None) -> tuple[Bibliography, list[Diagnostic]]:
    """Load ``path``; problems come back as diagnostics under ``display_path``, never raised.

    With ``cache_dir`` the parsed result is stored there under the file's
    content hash and reused while the file is unchanged.
    """
    empty: dict[str, _Record] = {}
    try:
        raw = path.read_bytes()
    except OSError as error:
        problem = Diagnostic(SourcePosition(display_path), "error", "bib-missing",
                             f"cannot read bibliography: {error.strerror or error}")
        return Bibliography(display_path, empty, {}, {}, ""), [problem]
    digest = hashlib.sha256(raw).hexdigest()
    payload = _read_cache(_cache_file(cache_dir, digest)) if cache_dir else None  # parsed, so decoded, before
    if isinstance(payload, tuple) and len(payload) == 2 and isinstance(payload[0], _Packed) and payload[0].whole():
        bibliography = Bibliography._unpack(display_path, payload[0], digest, cache_dir)
        problems: list[_Problem] = payload[1]
    else:
        try:
            text = codecs.decode(raw, "utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[:error.start].count(b"\n") + 1
            col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
            problem = Diagnostic(SourcePosition(display_path, line, col), "error", "bib-encoding",
                                 "bibliography is not valid UTF-8")
            return Bibliography(display_path, empty, {}, {}, digest), [problem]
        records, spans, sources, problems = _parse(text)
        if cache_dir:
            _write_cache(_cache_file(cache_dir, digest), (_pack(records, spans, sources), problems))
        bibliography = Bibliography(display_path, records, spans, sources, digest, cache_dir)
    diagnostics = [Diagnostic(SourcePosition(display_path, p.line, p.col), p.severity, p.code, p.message)
                   for p in problems]
    return bibliography, diagnostics

"""The ledger of anchor ids, kept in ``anchors.lock`` at the project root.

The lock is committed with the content: it is the memory that lets an id
survive editing, and the record that an id was ever published.  It is plain
text, one line per paragraph, so inserting a paragraph is a one-line diff
and a merge conflict can be resolved by hand.  Example::

    anchors-lock 1

    [chapters/intro]
    p-8byk 861ce93457fb8436 32 AAyRAd-tEjP6...XBZyXj3u In the spring of 1921 the grain requisitions rea…
    p-hsh4 5923c8ea4319e4b6 1 VeqlbvASsmxR4Yvf_RCE Ibid.
    p-intro f36db9dcdccdb459 14 Eso0Eu6vGmxV...gvrTa Local officials wrote to Orenbourg asking for se…
    deleted p-7hq2 2024-03-01 -> p-hsh4
    merged p-0e4a 2024-04-02 -> p-8byk

(sketches shortened here: a full one is 96 characters).

A paragraph line holds the id, the text hash, the word count, the sketch
(see :mod:`edition.anchors.fingerprint`) and an excerpt that is there for
human readers only.  ``deleted`` lines are tombstones: the paragraph is
gone and its links land on the target with a notice (``-`` when the
document has no paragraph left).  ``merged`` lines are aliases: the
paragraph was absorbed into the target.  Documents are sorted by id,
paragraphs are in document order, tombstones and aliases sorted by id.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from edition.anchors.fingerprint import Fingerprint, decode_sketch, encode_sketch
from edition.anchors.ids import is_anchor_id

VERSION_LINE = "anchors-lock 1"
HEADER = (
    "# Stable paragraph anchors, written by the build: commit this file with the content.\n"
    "# Edit by hand only to resolve merge conflicts, keeping every line of both sides.\n"
    "# <id> <text hash> <words> <sketch> <excerpt>   a paragraph, in document order\n"
    "# deleted <id> <date> -> <target>               a removed paragraph and where links land\n"
    "# merged <id> <date> -> <target>                a paragraph absorbed by a merge\n"
)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DIGEST_RE = re.compile(r"[0-9a-f]{16}")


@dataclass(frozen=True, order=True)
class LedgerProblem:
    """A malformed lock line; the line is skipped, so the build must not rewrite the lock."""

    line: int
    col: int
    message: str
    path: str = "anchors.lock"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


@dataclass(frozen=True)
class Entry:
    """A live paragraph id and what is remembered of its text."""

    id: str
    fingerprint: Fingerprint
    excerpt: str = ""


@dataclass(frozen=True)
class Tombstone:
    """A deleted paragraph's id; links to it land on ``target`` with a notice."""

    id: str
    date: str
    target: str | None
    """The nearest surviving paragraph, or None when the document has none left."""


@dataclass(frozen=True)
class Alias:
    """An id absorbed by a merge; it resolves to the surviving paragraph."""

    id: str
    date: str
    target: str


@dataclass(frozen=True)
class DocumentRecord:
    """One document's section of the lock."""

    document_id: str
    entries: tuple[Entry, ...] = ()
    tombstones: tuple[Tombstone, ...] = ()
    aliases: tuple[Alias, ...] = ()

    def __post_init__(self) -> None:
        # Sorted here so that equal ledgers serialise identically.
        object.__setattr__(self, "tombstones", tuple(sorted(self.tombstones, key=lambda t: t.id)))
        object.__setattr__(self, "aliases", tuple(sorted(self.aliases, key=lambda a: a.id)))

    def ids(self) -> Iterator[str]:
        """Every id this document owns: live, deleted and merged."""
        yield from (e.id for e in self.entries)
        yield from (t.id for t in self.tombstones)
        yield from (a.id for a in self.aliases)

    def resolve(self, anchor_id: str) -> tuple[str | None, str] | None:
        """The live id a link lands on and how (``live``, ``deleted``, ``merged``)."""
        live = {e.id for e in self.entries}
        redirects = {t.id: ("deleted", t.target) for t in self.tombstones}
        redirects.update((a.id, ("merged", a.target)) for a in self.aliases)
        if anchor_id in live:
            return anchor_id, "live"
        if anchor_id not in redirects:
            return None
        kind, target = redirects[anchor_id]
        seen = {anchor_id}
        while target is not None and target not in live and target not in seen:
            seen.add(target)
            target = redirects.get(target, (kind, None))[1]
        return (target if target in live else None), kind


@dataclass(frozen=True)
class Ledger:
    """The whole ``anchors.lock``: every id the site has ever published."""

    records: tuple[DocumentRecord, ...] = ()
    _owner: dict[str, str] = field(init=False, repr=False, compare=False, hash=False)
    _by_id: dict[str, DocumentRecord] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        records = tuple(sorted(self.records, key=lambda r: r.document_id))
        object.__setattr__(self, "records", records)
        object.__setattr__(self, "_by_id", {r.document_id: r for r in records})
        owner: dict[str, str] = {}
        for record in records:
            for anchor_id in record.ids():
                owner.setdefault(anchor_id, record.document_id)
        object.__setattr__(self, "_owner", owner)

    def resolve(self, anchor_id: str) -> tuple[str, str | None, str] | None:
        """Where a link to an id lands: (document, live id or None, ``live``/``deleted``/``merged``).

        Lets cross-references written with an old id be checked and followed.
        """
        document_id = self._owner.get(anchor_id)
        if document_id is None:
            return None
        found = self._by_id[document_id].resolve(anchor_id)
        return None if found is None else (document_id, *found)

    def document_ids(self) -> list[str]:
        return [r.document_id for r in self.records]

    def document(self, document_id: str) -> DocumentRecord | None:
        return self._by_id.get(document_id)

    def owner(self, anchor_id: str) -> str | None:
        """The document that owns an id (live, deleted or merged), if any."""
        return self._owner.get(anchor_id)

    def __contains__(self, anchor_id: object) -> bool:
        return anchor_id in self._owner

    def all_ids(self) -> frozenset[str]:
        return frozenset(self._owner)

    def with_records(self, records: Iterable[DocumentRecord]) -> "Ledger":
        """A new ledger where the given documents' sections replace the old ones."""
        merged = dict(self._by_id)
        merged.update((r.document_id, r) for r in records)
        return Ledger(tuple(merged.values()))

    def serialize(self) -> str:
        """The lock's text; equal ledgers give byte-identical text."""
        out = [HEADER, VERSION_LINE, "\n"]
        for record in self.records:
            out.append(f"\n[{record.document_id}]\n")
            for e in record.entries:
                fp = e.fingerprint
                line = f"{e.id} {fp.digest} {fp.words} {encode_sketch(fp.sketch)}"
                out.append(f"{line} {e.excerpt}\n" if e.excerpt else line + "\n")
            for t in record.tombstones:
                out.append(f"deleted {t.id} {t.date} -> {t.target or '-'}\n")
            for a in record.aliases:
                out.append(f"merged {a.id} {a.date} -> {a.target}\n")
        return "".join(out)

    @classmethod
    def parse(cls, text: str, path: str = "anchors.lock") -> tuple["Ledger", list[LedgerProblem]]:
        """Read a lock; malformed lines are skipped and reported with their place."""
        return _Parser(path).parse(text)


class _Parser:
    def __init__(self, path: str):
        self.path = path
        self.problems: list[LedgerProblem] = []
        self.records: dict[str, dict[str, list]] = {}
        self.seen: dict[str, int] = {}
        """Every id read so far, with its line, to report duplicates."""
        self.targets: list[tuple[int, int, str, str, str]] = []

    def problem(self, line: int, col: int, message: str) -> None:
        self.problems.append(LedgerProblem(line, col, message, self.path))

    def parse(self, text: str) -> tuple[Ledger, list[LedgerProblem]]:
        current: str | None = None
        version_seen = False
        for number, raw in enumerate(text.split("\n"), start=1):
            line = raw.rstrip("\r")
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith(("<<<<<<<", "=======", ">>>>>>>", "|||||||")):
                self.problem(number, 1, "merge conflict marker: keep the lines of both sides and remove the markers")
                continue
            if line == VERSION_LINE:
                version_seen = True
                continue
            if line.startswith("anchors-lock"):
                self.problem(number, 1, f"unsupported lock version {line[12:].strip()!r}; expected {VERSION_LINE!r}")
                version_seen = True
                continue
            if line.startswith("["):
                current = self.header(number, line)
                continue
            if current is None:
                self.problem(number, 1, "line outside any document section; expected '[document-id]' first")
                continue
            if line.startswith(("deleted ", "merged ")):
                self.redirect(number, line, current)
            else:
                self.entry(number, line, current)
        if not version_seen and text.strip():
            self.problem(1, 1, f"missing version line {VERSION_LINE!r}")
        self.check_targets()
        records = tuple(
            DocumentRecord(doc, tuple(parts["entries"]), tuple(parts["tombstones"]), tuple(parts["aliases"]))
            for doc, parts in self.records.items())
        return Ledger(records), sorted(self.problems)

    def header(self, number: int, line: str) -> str | None:
        if not line.endswith("]") or len(line) < 3 or line != line.strip():
            self.problem(number, 1, "malformed document header; expected '[document-id]'")
            return None
        document_id = line[1:-1]
        if document_id != document_id.strip():
            self.problem(number, 2, "document id has surrounding spaces")
            return None
        if document_id in self.records:
            self.problem(number, 2, f"document {document_id!r} appears twice; join its sections")
        self.records.setdefault(document_id, {"entries": [], "tombstones": [], "aliases": []})
        return document_id

    def claim(self, number: int, col: int, anchor_id: str) -> bool:
        if not is_anchor_id(anchor_id):
            self.problem(number, col, f"malformed anchor id {anchor_id!r}; expected 'p-' and letters or digits")
            return False
        if anchor_id in self.seen:
            self.problem(number, col, f"id {anchor_id} already recorded on line {self.seen[anchor_id]}")
            return False
        self.seen[anchor_id] = number
        return True

    def entry(self, number: int, line: str, document_id: str) -> None:
        fields = line.split(" ", 4)
        if len(fields) < 4:
            self.problem(number, 1, "paragraph line needs '<id> <text hash> <words> <sketch> [excerpt]'")
            return
        anchor_id, digest, words, sketch_text = fields[:4]
        cols = [1]
        for f in fields[:-1]:
            cols.append(cols[-1] + len(f) + 1)
        if not _DIGEST_RE.fullmatch(digest):
            self.problem(number, cols[1], f"malformed text hash {digest!r}; expected 16 hex digits")
            return
        if not words.isdigit() or words != str(int(words)):
            self.problem(number, cols[2], f"malformed word count {words!r}")
            return
        sketch = decode_sketch(sketch_text)
        if sketch is None:
            self.problem(number, cols[3], "malformed sketch")
            return
        if not self.claim(number, 1, anchor_id):
            return
        fingerprint = Fingerprint(digest, int(words), sketch)
        text = fields[4] if len(fields) == 5 else ""
        self.records[document_id]["entries"].append(Entry(anchor_id, fingerprint, text))

    def redirect(self, number: int, line: str, document_id: str) -> None:
        fields = line.split(" ")
        kind = fields[0]
        if len(fields) != 5 or fields[3] != "->":
            self.problem(number, 1, f"malformed {kind} line; expected '{kind} <id> <date> -> <target>'")
            return
        _, anchor_id, date, _, target = fields
        col_date = len(kind) + len(anchor_id) + 3
        col_target = col_date + len(date) + 4
        if not _DATE_RE.fullmatch(date):
            self.problem(number, col_date, f"malformed date {date!r}; expected YYYY-MM-DD")
            return
        if not (is_anchor_id(target) or (target == "-" and kind == "deleted")):
            self.problem(number, col_target, f"malformed target {target!r}")
            return
        if not self.claim(number, len(kind) + 2, anchor_id):
            return
        self.targets.append((number, col_target, document_id, anchor_id, target))
        if kind == "deleted":
            self.records[document_id]["tombstones"].append(
                Tombstone(anchor_id, date, None if target == "-" else target))
        else:
            self.records[document_id]["aliases"].append(Alias(anchor_id, date, target))

    def check_targets(self) -> None:
        """A redirect must land in its own document, or links would dangle."""
        known: dict[str, set[str]] = {}
        for number, col, document_id, anchor_id, target in self.targets:
            if target == "-":
                continue
            if document_id not in known:
                parts = self.records[document_id]
                known[document_id] = {x.id for key in ("entries", "tombstones", "aliases") for x in parts[key]}
            if target not in known[document_id]:
                self.problem(number, col, f"{anchor_id} points to {target}, which is not in [{document_id}]")

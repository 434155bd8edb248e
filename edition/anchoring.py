"""Anchor ids across one build: the lock read section by section, and the assignments settled.

A one-process build assigns ids document by document in sorted order,
each avoiding the ids the ledger knows, the ids earlier documents were
given and the ids other documents pin (:func:`edition.anchors.assign_site`).
Here documents are assigned on their own (in other processes, or reused
from the previous build), and :func:`settle` restores the one-process
result: going in the same order, a document whose freshly chosen ids
(new, split or pinned: the only ones not already the ledger's) meet an id
an earlier document chose this build, or one another document pins, is
assigned again with the ids the others took.  An assignment that meets
nothing is exactly what the one-process build gives, because every other
id it could have avoided is in the ledger, which it did avoid.

The lock a build wrote is read lazily (:class:`LockView`): a section is
parsed only for a document whose ids must be assigned, and the new lock is
the old one with those sections replaced.  A lock the build did not write
itself (edited by hand, merged, or without a cache) is parsed whole, with
every problem reported.
"""
from __future__ import annotations

from collections import ChainMap
from typing import Callable, Iterable, Mapping

from edition.anchors import Assignment, DocumentRecord, Ledger
from edition.anchors.ledger import HEADER, VERSION_LINE
from edition.cache import digest

PREFIX = HEADER + VERSION_LINE + "\n"
"""What every lock starts with, before its first section."""
PREFIX_BYTES = PREFIX.encode("utf-8")


def section_text(record: DocumentRecord) -> str:
    """A document's section of the lock exactly as ``Ledger.serialize`` writes it."""
    return Ledger((record,)).serialize()[len(PREFIX):]


def section_digest(assignment: Assignment) -> str:
    return digest(section_text(assignment.record))


class LockView:
    """A lock this program wrote, parsed one section at a time (same questions as :class:`Ledger`).

    The sections are kept as the file's bytes: a one-paragraph edit of a
    thousand documents decodes, parses and encodes one section of a lock of
    megabytes, and writes the others back as they were read.
    """

    def __init__(self, text: str | bytes, sections: Mapping[str, str | bytes] | None = None):
        """The lock ``text``, or its head (the comment lines) and its ``sections`` by document.

        Only the sections are kept (a large edition's lock is megabytes):
        the file's bytes are joined again from them when it is written.
        """
        data = text.encode("utf-8") if isinstance(text, str) else text
        found: dict[str, bytes] = {}
        if sections is None:
            start = data.find(b"\n[", len(PREFIX_BYTES) - 1)
            self.head = data[:start] if start >= 0 else data
            while start >= 0:
                end = data.find(b"\n\n[", start + 1)
                end = len(data) if end < 0 else end + 1
                header_end = data.index(b"]\n", start)
                found[data[start + 2:header_end].decode("utf-8")] = data[start:end]
                start = data.find(b"\n[", end - 1) if end < len(data) else -1
        else:  # ``text`` is then what comes before the sections
            self.head = data
            found = {document: section.encode("utf-8") if isinstance(section, str) else section
                     for document, section in sections.items()}
        self.sections = found
        self._records: dict[str, DocumentRecord | None] = {}
        self._owner: dict[str, str] | None = None

    @property
    def data(self) -> bytes:
        """The lock file's bytes."""
        return self.head + b"".join(self.sections.values())

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")

    @staticmethod
    def canonical(text: str | bytes) -> bool:
        return text.startswith(PREFIX if isinstance(text, str) else PREFIX_BYTES)

    def document(self, document_id: str) -> DocumentRecord | None:
        if document_id not in self._records:
            section = self.section(document_id)
            self._records[document_id] = (Ledger.parse(PREFIX + section)[0].document(document_id)
                                          if section is not None else None)
        return self._records[document_id]

    def document_ids(self) -> list[str]:
        return sorted(self.sections)

    def section(self, document_id: str) -> str | None:
        section = self.sections.get(document_id)
        return section.decode("utf-8") if section is not None else None

    def section_digest(self, document_id: str) -> str | None:
        section = self.section(document_id)
        return digest(section) if section is not None else None

    def owner(self, anchor_id: str) -> str | None:
        if self._owner is None:
            owner: dict[str, str] = {}
            for document_id, section in self.sections.items():
                for line in section.decode("utf-8").split("\n")[2:]:
                    if line.startswith(("deleted ", "merged ")):
                        owner.setdefault(line.split(" ", 2)[1], document_id)
                    elif line:
                        owner.setdefault(line.split(" ", 1)[0], document_id)
            self._owner = owner
        return self._owner.get(anchor_id)

    def __contains__(self, anchor_id: object) -> bool:
        return isinstance(anchor_id, str) and self.owner(anchor_id) is not None

    def __getstate__(self) -> dict:
        return {"head": self.head, "sections": self.sections}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["head"], state["sections"])  # type: ignore[misc]


class ParsedLock:
    """A lock parsed whole (one the build did not write), with the questions of :class:`LockView`."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def document(self, document_id: str) -> DocumentRecord | None:
        return self.ledger.document(document_id)

    def document_ids(self) -> list[str]:
        return self.ledger.document_ids()

    def section(self, document_id: str) -> str | None:
        record = self.ledger.document(document_id)
        return section_text(record) if record is not None else None

    def section_digest(self, document_id: str) -> str | None:
        section = self.section(document_id)
        return digest(section) if section is not None else None

    def owner(self, anchor_id: str) -> str | None:
        return self.ledger.owner(anchor_id)

    def __contains__(self, anchor_id: object) -> bool:
        return anchor_id in self.ledger


def settle(order: list[str], fresh: Mapping[str, frozenset[str]], claimed: Callable[[str], Iterable[str]],
           pins: Mapping[str, tuple[str, ...]], lock: LockView | ParsedLock,
           reassign: Callable[[str, Mapping[str, str]], tuple[frozenset[str], Iterable[str]]]) -> list[str]:
    """Check the documents' assignments in build order; have those that collide assigned again.

    ``fresh`` gives each document's freshly chosen ids, ``claimed`` every id
    it owns, ``pins`` the ids it pins.  ``reassign(document, taken)`` assigns
    a document again avoiding ``taken`` (id → document) and returns its new
    fresh and claimed ids.  Returns the documents assigned again.
    """
    pinned_in: dict[str, str] = {}
    for document in order:
        for pin in sorted(set(pins.get(document, ()))):
            pinned_in.setdefault(pin, document)
    chosen: dict[str, str] = {}
    """Ids not in the lock that documents checked so far chose, → the document."""
    redone: list[str] = []
    new_claims: dict[str, Iterable[str]] = {}
    for index, document in enumerate(order):
        own = set(pins.get(document, ()))
        ids = fresh.get(document, frozenset())
        if any(i in chosen or (i in pinned_in and i not in own) for i in ids):
            handed: dict[str, str] = {}
            for earlier in order[:index]:
                handed.update((anchor, earlier) for anchor in new_claims.get(earlier, claimed(earlier)))
            others = {p: d for p, d in pinned_in.items() if d != document and p not in own}
            ids, new_claims[document] = reassign(document, ChainMap(handed, others))
            redone.append(document)
        for anchor in ids:
            if lock.owner(anchor) is None:
                chosen.setdefault(anchor, document)
    return redone


def lock_text(lock: LockView | ParsedLock, present: Iterable[str], sections: Mapping[str, str]) -> LockView:
    """The new lock: the ``sections`` given replaced or added, every other section kept as it was."""
    parts: dict[str, str | bytes] = {}
    kept = lock.sections if isinstance(lock, LockView) else {}
    for document in sorted(set(lock.document_ids()) | set(present)):
        section = sections.get(document) or kept.get(document) or lock.section(document)
        if section is not None:
            parts[document] = section
    return LockView(PREFIX, parts)

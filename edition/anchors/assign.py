"""Assigning anchor ids to the blocks of a build and updating the ledger.

Ids must be unique across the whole site.  :func:`assign_site` handles
that for a whole build: it assigns documents in sorted order and threads
the ids handed out so far (and the ids authors pinned in other documents)
through each call.  :func:`assign_anchors` does one document; a caller
using it directly must pass the same through ``taken``.
"""
from __future__ import annotations

import os
import re
import time
from collections import ChainMap
from dataclasses import dataclass
from types import MappingProxyType
from typing import Collection, Iterable, Mapping, Sequence

from edition.anchors.fingerprint import Text, excerpt
from edition.anchors.ids import generate_id, is_anchor_id
from edition.anchors.ledger import Alias, DocumentRecord, Entry, Ledger, Tombstone
from edition.anchors.matching import Matcher

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Block:
    """A block of running text: paragraph, list item, quote, footnote, caption."""

    text: str
    pinned: str | None = None
    """An id the author gave (``{#p-intro}``); it wins over matching."""


@dataclass(frozen=True)
class Redirect:
    """Where a link to an id that is no longer live lands."""

    target_id: str | None
    """A live id of the same document; None only when the document has no paragraph left."""
    kind: str
    """``deleted`` (show a notice) or ``merged`` (the text lives on in the target)."""
    date: str


@dataclass(frozen=True)
class AnchorEvent:
    """What happened to one id in this build, for the build report."""

    kind: str
    """kept, edited, moved, split, merged, new, deleted or pinned."""
    id: str
    detail: str = ""


@dataclass(frozen=True)
class Assignment:
    """The ids of one document's blocks, and everything its old ids became."""

    document_id: str
    ids: tuple[str, ...]
    """One id per block, in block order."""
    redirects: Mapping[str, Redirect]
    """Every id of the document that is no longer live, resolved to a live one."""
    events: tuple[AnchorEvent, ...]
    problems: tuple[str, ...]
    """Authors' mistakes (pinned id conflicts), each naming the block index."""
    record: DocumentRecord
    """The document's section of the updated lock."""

    def claimed(self) -> frozenset[str]:
        """Every id this document now owns, live or redirected."""
        return frozenset(self.ids) | frozenset(self.redirects)


def build_date(environ: Mapping[str, str] | None = None) -> str:
    """The date recorded on tombstones: from SOURCE_DATE_EPOCH for reproducible builds, else today (UTC)."""
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if epoch.isdigit() else time.time()
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


def assign_anchors(document_id: str, blocks: Sequence[Block], ledger: Ledger, today: str,
                   taken: Collection[str] = frozenset()) -> Assignment:
    """Give every block an id, keeping the ids the ledger remembers for this document.

    ``taken`` holds ids handed out earlier in this build and ids pinned in
    other documents; new ids avoid them and every id in the ledger.  When it
    is a mapping (id -> document) the problems name the other document.
    Every previous id of the document ends up live, merged or deleted.
    """
    if not _DATE_RE.fullmatch(today):
        raise ValueError(f"date must be YYYY-MM-DD, got {today!r}")
    if not document_id or document_id != document_id.strip() or not document_id.isprintable():
        raise ValueError(f"document id {document_id!r} cannot be written to the lock")
    record = ledger.document(document_id) or DocumentRecord(document_id)
    old = record.entries
    texts = [Text(b.text) for b in blocks]
    problems: list[str] = []
    pins = _accept_pins(document_id, blocks, ledger, taken, problems)

    matcher = Matcher(old, texts)
    position = {e.id: k for k, e in enumerate(old)}
    for i, pin in enumerate(pins):
        if pin is not None and pin in position:
            matcher.pair(position[pin], i, "pinned")
    matcher.run()

    ids = _give_ids(document_id, matcher, pins, ledger, taken)
    raw: dict[str, tuple[str, str | None, str]] = {}
    """Id -> (kind, target, date) for every redirect, before resolving chains."""
    for t in record.tombstones:
        raw[t.id] = ("deleted", t.target, t.date)
    for a in record.aliases:
        raw[a.id] = ("merged", a.target, a.date)
    events = _block_events(matcher, ids, pins, raw, today)
    for o, entry in enumerate(old):
        if o in matcher.o2n:
            continue
        if o in matcher.merged_into:
            target = ids[matcher.merged_into[o]]
            raw[entry.id] = ("merged", target, today)
            events.append(AnchorEvent("merged", entry.id, f"merged into {target}"))
        else:
            target = _nearest_survivor(matcher, o, ids)
            raw[entry.id] = ("deleted", target, today)
            events.append(AnchorEvent("deleted", entry.id, f"resolves to {target or 'the top of the document'}"))
    redirects, tombstones, aliases = _settle(raw, ids)

    entries = []
    for n, text in enumerate(texts):
        o = matcher.n2o.get(n)
        if o is not None and matcher.exact(o, n):
            entries.append(Entry(ids[n], old[o].fingerprint, old[o].excerpt))
        else:
            entries.append(Entry(ids[n], text.fingerprint(), excerpt(text.normalised)))
    new_record = DocumentRecord(document_id, tuple(entries), tuple(tombstones), tuple(aliases))
    return Assignment(document_id, tuple(ids), MappingProxyType(redirects), tuple(events),
                      tuple(problems), new_record)


def _give_ids(document_id: str, matcher: Matcher, pins: list[str | None], ledger: Ledger,
              taken: Collection[str]) -> list[str]:
    """Pinned ids, then the matched old ids, then new ones avoiding every id ever used."""
    pinned = {pin for pin in pins if pin is not None}
    assigned: set[str] = set()

    def unavailable(candidate: str) -> bool:
        return candidate in ledger or candidate in taken or candidate in pinned or candidate in assigned

    ids: list[str] = []
    for n, text in enumerate(matcher.new):
        pin = pins[n]
        if pin is not None:
            anchor = pin
        elif n in matcher.n2o:
            anchor = matcher.old[matcher.n2o[n]].id
        else:
            anchor = generate_id(document_id, text.normalised, unavailable)
        assigned.add(anchor)
        ids.append(anchor)
    return ids


def _settle(raw: Mapping[str, tuple[str, str | None, str]], ids: list[str]
            ) -> tuple[dict[str, Redirect], list[Tombstone], list[Alias]]:
    """Resolve every redirect to a live id, so links need one hop and the lock reads plainly."""
    live = set(ids)
    redirects: dict[str, Redirect] = {}
    tombstones: list[Tombstone] = []
    aliases: list[Alias] = []
    for anchor in sorted(raw):
        kind, target, date = raw[anchor]
        final = _resolve(anchor, raw, ids, live)
        redirects[anchor] = Redirect(final, kind, date)
        if kind == "deleted":
            tombstones.append(Tombstone(anchor, date, final))
        else:
            aliases.append(Alias(anchor, date, final if final is not None else target or anchor))
    return redirects, tombstones, aliases


def _accept_pins(document_id: str, blocks: Sequence[Block], ledger: Ledger, taken: Collection[str],
                 problems: list[str]) -> list[str | None]:
    """The pinned id of each block, or None where the pin is refused (with a problem)."""
    pins: list[str | None] = [None] * len(blocks)
    first: dict[str, int] = {}
    for i, block in enumerate(blocks):
        pin = block.pinned
        if pin is None:
            continue
        owner = ledger.owner(pin)
        if not is_anchor_id(pin):
            problems.append(f"block {i}: pinned id {pin!r} is not a valid anchor id "
                            "(expected 'p-' followed by letters, digits, '-' or '_')")
        elif owner is not None and owner != document_id:
            problems.append(f"block {i}: pinned id {pin} belongs to document {owner!r} in anchors.lock; "
                            "ids are never reused across documents, choose another")
        elif pin in taken:
            holder = taken[pin] if isinstance(taken, Mapping) else None
            where = f"document {holder!r}" if holder else "another document"
            problems.append(f"block {i}: pinned id {pin} is already used by {where} in this build; choose another")
        elif pin in first:
            problems.append(f"block {i}: pinned id {pin} is already pinned on block {first[pin]} of this document")
        else:
            pins[i] = pin
            first[pin] = i
    return pins


def _block_events(matcher: Matcher, ids: list[str], pins: list[str | None],
                  raw: dict[str, tuple[str, str | None, str]], today: str) -> list[AnchorEvent]:
    """One event per block; a pin that replaces an old id turns that id into an alias."""
    old = matcher.old
    events = []
    for n, anchor in enumerate(ids):
        o = matcher.n2o.get(n)
        if pins[n] is not None:
            detail = ""
            if anchor in raw:
                del raw[anchor]
                detail = "restored"
            if o is not None and old[o].id != anchor:
                raw[old[o].id] = ("merged", anchor, today)
                detail = f"replaces {old[o].id}"
            events.append(AnchorEvent("pinned", anchor, detail))
        elif o is not None:
            how = matcher.how[n]
            detail = "edited" if how == "moved" and not matcher.exact(o, n) else ""
            events.append(AnchorEvent(how, anchor, detail))
        else:
            source = matcher.split_source(n)
            if source is None:
                events.append(AnchorEvent("new", anchor))
            else:
                heir = matcher.o2n.get(source)
                parent = ids[heir] if heir is not None else old[source].id
                events.append(AnchorEvent("split", anchor, f"split from {parent}"))
    return events


def _nearest_survivor(matcher: Matcher, o: int, ids: list[str]) -> str | None:
    """The id now held by the closest old paragraph that survived, the preceding one first.

    When none survived, the paragraph now standing at the same place.
    """
    for k in list(range(o - 1, -1, -1)) + list(range(o + 1, len(matcher.old))):
        if k in matcher.o2n:
            return ids[matcher.o2n[k]]
    return ids[min(o, len(ids) - 1)] if ids else None


def _resolve(anchor: str, raw: Mapping[str, tuple[str, str | None, str]], ids: list[str],
             live: set[str]) -> str | None:
    """Follow redirects until a live id; the first paragraph if the chain ends nowhere."""
    seen = {anchor}
    target = raw[anchor][1]
    while target is not None and target not in live:
        if target in seen or target not in raw:
            target = None
            break
        seen.add(target)
        target = raw[target][1]
    return target if target is not None or not ids else ids[0]


def assign_site(documents: Mapping[str, Sequence[Block]], ledger: Ledger, today: str) -> dict[str, Assignment]:
    """Assign every document of a build, keeping ids unique across the site.

    Documents go in sorted order; when two documents pin the same new id,
    the first keeps it and the second gets a problem.
    """
    pinned_in: dict[str, str] = {}
    own: dict[str, set[str]] = {}
    for doc in sorted(documents):
        own[doc] = {b.pinned for b in documents[doc] if b.pinned is not None}
        for pin in sorted(own[doc]):
            pinned_in.setdefault(pin, doc)
    handed: dict[str, str] = {}
    result = {}
    for doc in sorted(documents):
        others = {p: d for p, d in pinned_in.items() if d != doc and p not in own[doc]}
        assignment = assign_anchors(doc, documents[doc], ledger, today, taken=ChainMap(handed, others))
        result[doc] = assignment
        handed.update((anchor, doc) for anchor in assignment.claimed())
    return result


def update_ledger(ledger: Ledger,
                  assignments: Mapping[str, tuple[Sequence[Block], Assignment] | Assignment]) -> Ledger:
    """A new ledger with the assigned documents' sections replaced; the input is not changed.

    Documents of the ledger absent from ``assignments`` are kept as they
    are, so their ids are never lost (see :func:`lost_documents`).  Raises
    ValueError, a bug in the caller, when an assignment would drop an id
    (it was made against another ledger) or give one id to two documents
    (the documents were not threaded through ``taken``).
    """
    records = []
    for doc, value in assignments.items():
        assignment = value if isinstance(value, Assignment) else value[1]
        if not isinstance(value, Assignment) and len(value[0]) != len(assignment.ids):
            raise ValueError(f"{doc}: {len(value[0])} blocks but {len(assignment.ids)} ids")
        if assignment.document_id != doc:
            raise ValueError(f"assignment for {assignment.document_id!r} filed under {doc!r}")
        previous = ledger.document(doc)
        missing = set(previous.ids()) - set(assignment.record.ids()) if previous else set()
        if missing:
            raise ValueError(f"{doc}: the assignment was made against another ledger; "
                             f"it would lose {', '.join(sorted(missing))}")
        records.append(assignment.record)
    updated = ledger.with_records(records)
    owners: dict[str, str] = {}
    for record in updated.records:
        for anchor in record.ids():
            if owners.setdefault(anchor, record.document_id) != record.document_id:
                raise ValueError(f"id {anchor} given to both {owners[anchor]!r} and {record.document_id!r}")
    return updated


def lost_documents(ledger: Ledger, present_document_ids: Iterable[str]) -> list[str]:
    """Documents the ledger knows but the build lacks: an error, since their ids would be lost."""
    present = set(present_document_ids)
    return [doc for doc in ledger.document_ids() if doc not in present]


def lost_ids(ledger: Ledger, present_document_ids: Iterable[str]) -> dict[str, list[str]]:
    """The published ids of each lost document, for the error message."""
    return {doc: list(ledger.document(doc).ids())  # type: ignore[union-attr]
            for doc in lost_documents(ledger, present_document_ids)}

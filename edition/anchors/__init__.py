"""Stable paragraph anchors that survive editing.

A scholar cites ``.../<document>/#p-k3v9``; after typo fixes, rewording,
insertions, splits, merges, moves and deletions the link must still land
on the same paragraph, or, when it is gone, on the nearest surviving one
with a notice.  Every block of running text gets an opaque id, unrelated
to its position and never reused anywhere in the site.  ``anchors.lock``
(see :mod:`edition.anchors.ledger`) remembers a fingerprint of every
paragraph so the next build can recognise it; matching is described in
:mod:`edition.anchors.matching`.

Typical use in a build::

    ledger, problems = Ledger.parse(lock_text)          # stop on problems
    missing = lost_documents(ledger, documents)          # error if any
    assignments = assign_site(documents, ledger, build_date())
    lock_text = update_ledger(ledger, assignments).serialize()
"""
from edition.anchors.assign import (
    AnchorEvent,
    Assignment,
    Block,
    Redirect,
    assign_anchors,
    assign_site,
    build_date,
    lost_documents,
    lost_ids,
    update_ledger,
)
from edition.anchors.fingerprint import Fingerprint
from edition.anchors.ledger import Alias, DocumentRecord, Entry, Ledger, LedgerProblem, Tombstone

__all__ = [
    "Alias", "AnchorEvent", "Assignment", "Block", "DocumentRecord", "Entry", "Fingerprint",
    "Ledger", "LedgerProblem", "Redirect", "Tombstone", "assign_anchors", "assign_site",
    "build_date", "lost_documents", "lost_ids", "update_ledger",
]

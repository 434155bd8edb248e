"""Matching a document's current paragraphs against its ledger entries.

The passes, each working only on what the earlier ones left unmatched:

1. pinned ids (``{#p-intro}``) claim the ledger entry with the same id;
2. identical text, patience-diff style: texts that occur once on each side
   are matched wherever they moved; the longest run of them in the same
   order fixes the alignment, and each gap between two such anchors is
   searched again the same way, so repeated paragraphs ("Ibid.") pair up
   in order within their own stretch of the document;
3. inside each gap, an order-preserving alignment by similarity (the
   heaviest chain of pairs above ``GAP_THRESHOLD``); very large gaps only
   look near the diagonal, so cost stays proportional to the gap;
4. a paragraph split into parts that are each too small to pass the
   threshold is still found when the parts together cover it;
5. a paragraph right after (or before) a matched one takes the old
   successor (predecessor) when similar enough: this catches a paragraph
   edited inside a moved section;
6. leftovers anywhere in the document: copies of a repeated text,
   nearest first, then similarity above the stricter ``MOVED_THRESHOLD``;
7. of the parts of a split paragraph, the larger keeps the id;
8. an old paragraph mostly contained in a neighbouring new one was merged
   into it and becomes an alias; any other unmatched one is deleted and
   becomes a tombstone (see :mod:`edition.anchors.assign`).

Identical text keeps its id wherever it moved, however short: a moved
"See above." is recognised by its text alone, and of several copies of
"Ibid." the nearest to where an unmatched old copy stood takes its id.  (A
deleted "Ibid." and one written elsewhere in the same revision look exactly
like one moved; the id then lands on text identical to what was cited.)
Edited very short texts carry too little to be recognised by their words:
they are matched by similarity only when alone in their slot between
matched neighbours; guessing could hand one paragraph's id to another,
while not guessing leaves the id resolving, with a notice, to the
paragraph that preceded it.

Similarity is only computed inside gaps, between neighbours and through an
index of shared shingles, never for all pairs of a document.
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Sequence

from edition.anchors.fingerprint import SHORT_WORDS, Overlap, Text, overlap
from edition.anchors.ledger import Entry

GAP_THRESHOLD = 0.25
"""Least Jaccard similarity for an edited paragraph between two anchors."""
MOVED_THRESHOLD = 0.45
"""Least similarity for an edited paragraph matched out of its place."""
PART_SHARE = 0.6
"""Share of a new paragraph found in an old one for it to count as a split part."""
MERGE_SHARE = 0.6
"""Share of an old paragraph found in a new one for it to count as merged into it."""
GROWTH_SHARE = 0.85
"""A paragraph that absorbed another has less than this share of its text from its own past."""
COVER_SHARE = 0.5
"""Share of an old paragraph its split parts must cover together to keep its id."""
FULL_GAP = 40_000
"""Gaps with more old x new pairs than this are only searched near the diagonal."""
BAND = 16
"""Half-width of that diagonal band, in paragraphs."""
EXACT_WEIGHT = 2.0


class Matcher:
    """The pairing of old ledger entries (by index) with new blocks (by index)."""

    def __init__(self, old: Sequence[Entry], new: Sequence[Text]):
        self.old = old
        self.new = new
        self.o2n: dict[int, int] = {}
        self.n2o: dict[int, int] = {}
        self.how: dict[int, str] = {}
        """New index -> kept, moved, edited or pinned."""
        self.split_from: dict[int, int] = {}
        """Unmatched new index -> old index it was split from."""
        self.merged_into: dict[int, int] = {}
        """Unmatched old index -> new index that absorbed it."""
        self.gap_of_old: dict[int, int] = {}
        self.gap_of_new: dict[int, int] = {}
        self.gaps: list[tuple[list[int], list[int]]] = []
        self._overlaps: dict[tuple[int, int], Overlap] = {}

    def pair(self, o: int, n: int, how: str) -> None:
        self.o2n[o] = n
        self.n2o[n] = o
        self.how[n] = how

    def sim(self, o: int, n: int) -> Overlap:
        key = (o, n)
        if key not in self._overlaps:
            self._overlaps[key] = overlap(self.old[o].fingerprint, self.new[n])
        return self._overlaps[key]

    def exact(self, o: int, n: int) -> bool:
        return self.old[o].fingerprint.digest == self.new[n].digest

    def run(self) -> None:
        self.exact_alignment()
        for olds, news in self.gaps:
            self.align_gap(olds, news)
            self.rescue_splits(olds, news)
        self.neighbours()
        self.leftovers()
        self.prefer_larger_parts()
        self.merges()

    # -- pass 2 -----------------------------------------------------------
    def exact_alignment(self) -> None:
        stack = [([o for o in range(len(self.old)) if o not in self.o2n],
                  [n for n in range(len(self.new)) if n not in self.n2o])]
        while stack:
            olds, news = stack.pop()
            olds = [o for o in olds if o not in self.o2n]
            news = [n for n in news if n not in self.n2o]
            start = 0
            while start < min(len(olds), len(news)) and self.exact(olds[start], news[start]):
                self.pair(olds[start], news[start], "kept")
                start += 1
            end = 0
            while end < min(len(olds), len(news)) - start and self.exact(olds[-1 - end], news[-1 - end]):
                self.pair(olds[-1 - end], news[-1 - end], "kept")
                end += 1
            olds, news = olds[start:len(olds) - end], news[start:len(news) - end]
            anchors = self.unique_pairs(olds, news) if olds and news else []
            if not anchors:
                if olds or news:
                    self.add_gap(olds, news)
                continue
            bounds = [(-1, -1), *anchors, (len(olds), len(news))]
            for (a0, b0), (a1, b1) in zip(bounds, bounds[1:]):
                sub_old = [o for o in olds[a0 + 1:a1] if o not in self.o2n]
                sub_new = [n for n in news[b0 + 1:b1] if n not in self.n2o]
                if sub_old or sub_new:
                    stack.append((sub_old, sub_new))

    def unique_pairs(self, olds: list[int], news: list[int]) -> list[tuple[int, int]]:
        """Match texts unique on both sides; return the in-order ones as anchors."""
        seen_old: dict[str, int | None] = {}
        for k, o in enumerate(olds):
            d = self.old[o].fingerprint.digest
            seen_old[d] = None if d in seen_old else k
        seen_new: dict[str, int | None] = {}
        for k, n in enumerate(news):
            d = self.new[n].digest
            seen_new[d] = None if d in seen_new else k
        pairs = [(seen_old[d], k) for d, k in seen_new.items()
                 if k is not None and seen_old.get(d) is not None]
        pairs.sort(key=lambda p: p[1])
        chain = set(_increasing_run([p[0] for p in pairs]))
        anchors = []
        moved = []
        for idx, (ko, kn) in enumerate(pairs):
            if idx in chain:
                self.pair(olds[ko], news[kn], "kept")
                anchors.append((ko, kn))
            else:  # identical text keeps its id wherever it moved
                self.pair(olds[ko], news[kn], "moved")
                moved.append((ko, kn))
        for ko, kn in anchors:
            self.extend(olds[ko], news[kn], "kept")
        for ko, kn in moved:
            self.extend(olds[ko], news[kn], "moved")
        return anchors

    def expected(self, o: int) -> int:
        """Where old paragraph ``o`` would be now: after the heir of its nearest surviving predecessor."""
        for k in range(o - 1, -1, -1):
            if k in self.o2n:
                return self.o2n[k] + 1
        return 0

    def extend(self, o: int, n: int, how: str) -> None:
        """Pair identical neighbours of a match: a repeated "Ibid." goes with its context."""
        for step in (1, -1):
            k = 1
            while (0 <= o + step * k < len(self.old) and 0 <= n + step * k < len(self.new)
                   and o + step * k not in self.o2n and n + step * k not in self.n2o
                   and self.exact(o + step * k, n + step * k)):
                self.pair(o + step * k, n + step * k, how)
                k += 1

    def add_gap(self, olds: list[int], news: list[int]) -> None:
        g = len(self.gaps)
        self.gaps.append((olds, news))
        self.gap_of_old.update((o, g) for o in olds)
        self.gap_of_new.update((n, g) for n in news)

    # -- pass 3 -----------------------------------------------------------
    def align_gap(self, olds: list[int], news: list[int]) -> None:
        if not olds or not news:
            return
        candidates: list[tuple[int, int, float]] = []
        alone = len(olds) == 1 and len(news) == 1
        if len(olds) * len(news) <= FULL_GAP:
            index: dict[int, list[int]] = {}
            by_digest: dict[str, list[int]] = {}
            for j, n in enumerate(news):
                by_digest.setdefault(self.new[n].digest, []).append(j)
                for v in self.new[n].values:
                    index.setdefault(v, []).append(j)
            for i, o in enumerate(olds):
                fp = self.old[o].fingerprint
                exact = by_digest.get(fp.digest, ())
                reached = {j for v in fp.sketch for j in index.get(v, ())}
                reached.update(exact)
                for j in sorted(reached):
                    weight = self.weight(o, news[j], alone)
                    if weight:
                        candidates.append((i, j, weight))
        else:
            for i, o in enumerate(olds):
                centre = i * len(news) // len(olds)
                for j in range(max(0, centre - BAND), min(len(news), centre + BAND + 1)):
                    weight = self.weight(o, news[j], alone)
                    if weight:
                        candidates.append((i, j, weight))
        for i, j in _heaviest_chain(candidates, len(news)):
            o, n = olds[i], news[j]
            self.pair(o, n, "kept" if self.exact(o, n) else "edited")

    def weight(self, o: int, n: int, alone: bool = True) -> float:
        """Score of pairing old ``o`` with new ``n`` by similarity, 0 if they must not pair.

        A very short text ("Ibid.") says too little to be recognised by its
        words; it is only matched by similarity when it is ``alone`` in its
        place: the single old and the single new paragraph between two
        matched ones.
        """
        if self.exact(o, n):
            return EXACT_WEIGHT
        if not alone and min(self.old[o].fingerprint.words, len(self.new[n].words)) < SHORT_WORDS:
            return 0.0
        similarity = self.sim(o, n).jaccard
        return similarity if similarity >= GAP_THRESHOLD else 0.0

    # -- pass 4 -----------------------------------------------------------
    def rescue_splits(self, olds: list[int], news: list[int]) -> None:
        for o in olds:
            if o in self.o2n or self.old[o].fingerprint.words < SHORT_WORDS:
                continue
            free = [n for n in news if n not in self.n2o and self.sim(o, n).new_in_old >= PART_SHARE]
            sketch = self.old[o].fingerprint.sketch
            if not free or not sketch:
                continue
            covered = {v for n in free for v in sketch if v in self.new[n].value_set}
            if len(covered) / len(sketch) >= COVER_SHARE:
                largest = max(free, key=lambda n: (len(self.new[n].words), -n))
                self.pair(o, largest, "edited")
                for n in free:
                    if n != largest:
                        self.split_from[n] = o

    # -- pass 5 -----------------------------------------------------------
    def neighbours(self) -> None:
        for step in (1, -1):
            order = range(len(self.new)) if step == 1 else range(len(self.new) - 1, -1, -1)
            for n in order:
                if n in self.n2o or (n - step) not in self.n2o:
                    continue
                o = self.n2o[n - step] + step
                if 0 <= o < len(self.old) and o not in self.o2n:
                    # A short text needs both neighbours: the slot it fills must be its own.
                    sandwiched = self.n2o.get(n + step, -1) == o + step
                    if self.weight(o, n, alone=sandwiched):
                        self.pair(o, n, self.placed(o, n))

    def placed(self, o: int, n: int) -> str:
        """``edited`` when still between the same anchors, else ``moved``."""
        same = self.gap_of_old.get(o, -1) == self.gap_of_new.get(n, -2)
        return ("kept" if self.exact(o, n) else "edited") if same else "moved"

    # -- pass 6 -----------------------------------------------------------
    def leftovers(self) -> None:
        """Similar paragraphs anywhere, for edited and moved ones.

        Copies of a repeated text still unmatched here pair up nearest
        first; very short texts are matched here only when identical (see
        the module docstring).
        """
        olds = [o for o in range(len(self.old)) if o not in self.o2n]
        news = [n for n in range(len(self.new)) if n not in self.n2o]
        if not olds or not news:
            return
        copies: dict[str, tuple[list[int], list[int]]] = {}
        for o in olds:
            copies.setdefault(self.old[o].fingerprint.digest, ([], []))[0].append(o)
        for n in news:
            if self.new[n].digest in copies:
                copies[self.new[n].digest][1].append(n)
        for old_copies, new_copies in copies.values():
            by_distance = sorted((abs(self.expected(o) - n), o, n) for o in old_copies for n in new_copies)
            for _, o, n in by_distance:
                if o not in self.o2n and n not in self.n2o:
                    self.pair(o, n, self.placed(o, n))
        olds = [o for o in olds if o not in self.o2n]
        news = [n for n in news if n not in self.n2o]
        index: dict[int, list[int]] = {}
        for n in news:
            if len(self.new[n].words) >= SHORT_WORDS:
                for v in self.new[n].values:
                    index.setdefault(v, []).append(n)
        scored = []
        for o in olds:
            if self.old[o].fingerprint.words < SHORT_WORDS:
                continue
            for n in sorted({n for v in self.old[o].fingerprint.sketch for n in index.get(v, ())}):
                similarity = self.sim(o, n).jaccard
                if similarity >= MOVED_THRESHOLD and not self.exact(o, n):
                    scored.append((-similarity, o, n))
        for _, o, n in sorted(scored):
            if o not in self.o2n and n not in self.n2o:
                self.pair(o, n, self.placed(o, n))

    # -- pass 7 -----------------------------------------------------------
    def prefer_larger_parts(self) -> None:
        """When a paragraph was split, the larger part keeps its id (the first on a tie).

        The parts are usually neighbours; when one part was also moved, the
        unmatched paragraphs sharing words with the old one are searched.
        """
        index: dict[int, list[int]] | None = None
        for n in sorted(self.n2o):
            o = self.n2o[n]
            if self.how[n] not in ("edited", "moved") or self.sim(o, n).new_in_old < PART_SHARE:
                continue
            candidates = [m for m in (n - 1, n + 1) if 0 <= m < len(self.new)]
            if len(self.new[n].words) < 0.8 * self.old[o].fingerprint.words:
                if index is None:
                    index = {}
                    for m in range(len(self.new)):
                        if m not in self.n2o:
                            for v in self.new[m].values:
                                index.setdefault(v, []).append(m)
                candidates += sorted({m for v in self.old[o].fingerprint.sketch for m in index.get(v, ())})
            for m in candidates:
                if (m not in self.n2o and (len(self.new[m].words), -m) > (len(self.new[n].words), -n)
                        and self.sim(o, m).new_in_old >= PART_SHARE):
                    how = self.how.pop(n)
                    del self.n2o[n]
                    self.pair(o, m, how if abs(m - n) == 1 else self.placed(o, m))
                    self.split_from[n] = o
                    break

    # -- pass 8 -----------------------------------------------------------
    def merges(self) -> None:
        for o in range(len(self.old)):
            if o in self.o2n:
                continue
            best: tuple[float, int] | None = None
            words = self.old[o].fingerprint.words
            for n in self.merge_candidates(o):
                share = self.sim(o, n).old_in_new
                survivor = self.n2o.get(n)
                if (survivor is not None
                        and len(self.new[n].words) < self.old[survivor].fingerprint.words + words / 2
                        and self.sim(survivor, n).new_in_old > GROWTH_SHARE):
                    continue  # nothing was added to the survivor: similar text, not a merge
                if share >= MERGE_SHARE and (best is None or share > best[0]):
                    best = (share, n)
            if best is None:
                continue
            n = best[1]
            if n in self.n2o:
                self.merged_into[o] = n
            else:
                self.pair(o, n, "edited")

    def merge_candidates(self, o: int) -> list[int]:
        """New paragraphs that could have absorbed old paragraph ``o``: its neighbours' heirs and,
        unless it is too short to be recognised by its words, the new paragraphs of its gap."""
        found = []
        if o in self.gap_of_old and self.old[o].fingerprint.words >= SHORT_WORDS:
            found = list(self.gaps[self.gap_of_old[o]][1])
        for step in (-1, 1):
            k = o + step
            while 0 <= k < len(self.old) and k not in self.o2n:
                k += step
            if 0 <= k < len(self.old) and not self.exact(k, self.o2n[k]):
                found.append(self.o2n[k])
        return sorted(set(found))

    def split_source(self, n: int) -> int | None:
        """For an unmatched new paragraph, the old one it was split off, if any."""
        if n in self.split_from:
            return self.split_from[n]
        for m in (n - 1, n + 1):
            o = self.n2o.get(m)
            if o is not None and not self.exact(o, m) and self.sim(o, n).new_in_old >= PART_SHARE:
                return o
        return None


def _increasing_run(values: list[int]) -> list[int]:
    """Indices of a longest strictly increasing subsequence (patience sorting)."""
    tails: list[int] = []
    tail_idx: list[int] = []
    back = [-1] * len(values)
    for idx, v in enumerate(values):
        pos = bisect_left(tails, v)
        if pos == len(tails):
            tails.append(v)
            tail_idx.append(idx)
        else:
            tails[pos] = v
            tail_idx[pos] = idx
        back[idx] = tail_idx[pos - 1] if pos else -1
    out = []
    idx = tail_idx[-1] if tail_idx else -1
    while idx != -1:
        out.append(idx)
        idx = back[idx]
    return out[::-1]


def _heaviest_chain(candidates: list[tuple[int, int, float]], width: int) -> list[tuple[int, int]]:
    """The pairs (i, j) of greatest total weight increasing in both i and j.

    A weighted longest common subsequence over the candidate pairs only,
    with a Fenwick tree of prefix maxima: O(k log k) for k candidates.
    """
    if not candidates:
        return []
    order = sorted(range(len(candidates)), key=lambda c: (candidates[c][0], -candidates[c][1]))
    tree_val = [0.0] * (width + 1)
    tree_arg = [-1] * (width + 1)
    total = [0.0] * len(candidates)
    back = [-1] * len(candidates)
    for c in order:
        _, j, w = candidates[c]
        best, arg, pos = 0.0, -1, j
        while pos > 0:
            if tree_val[pos] > best:
                best, arg = tree_val[pos], tree_arg[pos]
            pos -= pos & -pos
        total[c], back[c] = best + w, arg
        pos = j + 1
        while pos <= width:
            if total[c] > tree_val[pos]:
                tree_val[pos], tree_arg[pos] = total[c], c
            pos += pos & -pos
    c = max(range(len(candidates)), key=lambda k: (total[k], -k))
    chain = []
    while c != -1:
        chain.append(candidates[c][:2])
        c = back[c]
    return chain[::-1]

"""Fingerprints of paragraph text: exact identity plus a similarity sketch.

The lock file keeps a fingerprint of each paragraph, never its text, so the
previous version of a paragraph is known only through what is stored here.
Two questions must be answerable from it:

* is the text identical (after whitespace normalisation)?  A 64-bit hash;
* how much does it overlap with a candidate paragraph of the current build?
  A bottom-k sketch: the ``SKETCH_SIZE`` smallest hash values of the
  paragraph's shingles (lower-cased words and word pairs, and character
  trigrams too for texts of fewer than ``SHORT_WORDS`` words).  Because the
  current paragraph is known in full, the sketch gives unbiased estimates of
  the Jaccard similarity and of containment in both directions, which is
  what edits, splits and merges need.  No sizes are needed beside it.

Hash values are truncated to 24 bits (four base64 characters in the lock);
a value matching by chance, about once in several thousand comparisons,
moves an estimate by a few per cent at most.
"""
from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from hashlib import blake2b

SKETCH_SIZE = 24
"""Values kept per paragraph: more is steadier similarity, longer lock lines."""
SHORT_WORDS = 6
"""Texts with fewer words also get character trigrams."""
EXCERPT_CHARS = 48
"""Length of the readable excerpt written after each lock line."""

_BITS = 24
_MASK64 = (1 << 64) - 1
_WORD_RE = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Collapse every run of whitespace, so reflowing a paragraph changes nothing."""
    return " ".join(text.split())


def text_digest(normalised: str) -> str:
    """16 hex digits identifying the normalised text."""
    return blake2b(normalised.encode("utf-8"), digest_size=8).hexdigest()


@lru_cache(maxsize=1 << 16)
def _word_hash(word: str) -> int:
    return int.from_bytes(blake2b(word.encode("utf-8"), digest_size=8).digest(), "big")


def _pair_hash(a: int, b: int) -> int:
    """Hash of a word pair from the two word hashes (a splitmix64 finaliser)."""
    z = ((a * 0x9E3779B97F4A7C15) ^ b) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def words_of(normalised: str) -> list[str]:
    return _WORD_RE.findall(normalised.lower())


def shingle_values(words: list[str], trigrams: bool = True) -> list[int]:
    """Sorted distinct 24-bit values of the words and word pairs.

    Single words make the measure forgiving of rewording; pairs keep two
    unrelated paragraphs on the same subject apart.  Very short texts
    ("See above.") add character trigrams, so a typo leaves some overlap.
    """
    hashes = [_word_hash(w) for w in words]
    values = {h >> (64 - _BITS) for h in hashes}
    values.update(_pair_hash(a, b) >> (64 - _BITS) for a, b in zip(hashes, hashes[1:]))
    if trigrams and len(words) < SHORT_WORDS:
        values.update(trigram_values(words))
    return sorted(values)


def trigram_values(words: list[str]) -> set[int]:
    padded = f" {' '.join(words)} "
    return {_word_hash("\x00" + padded[i:i + 3]) >> (64 - _BITS) for i in range(len(padded) - 2)}


@dataclass(frozen=True)
class Fingerprint:
    """What the lock remembers of one paragraph's text."""

    digest: str
    """Hash of the normalised text: equal digests mean identical text."""
    words: int
    """Number of words; shown in the lock and used to tell the larger part of a split."""
    sketch: tuple[int, ...]
    """The smallest shingle values, ascending; all of them for short paragraphs."""

    @property
    def complete(self) -> bool:
        """Whether the sketch holds every shingle (the paragraph is short)."""
        return len(self.sketch) < SKETCH_SIZE


def encode_sketch(sketch: tuple[int, ...]) -> str:
    """Four base64url characters per value; ``-`` for a text without words."""
    if not sketch:
        return "-"
    raw = b"".join(v.to_bytes(3, "big") for v in sketch)
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_sketch(text: str) -> tuple[int, ...] | None:
    """The values of an encoded sketch, or None when it is malformed."""
    if text == "-":
        return ()
    if len(text) % 4 or len(text) // 4 > SKETCH_SIZE or not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        return None
    try:
        raw = base64.urlsafe_b64decode(text)
    except (binascii.Error, ValueError):
        return None
    values = tuple(int.from_bytes(raw[i:i + 3], "big") for i in range(0, len(raw), 3))
    if list(values) != sorted(set(values)) or encode_sketch(values) != text:
        return None
    return values


def excerpt(normalised: str) -> str:
    """The opening of the text, for a readable lock; control characters replaced."""
    text = "".join("\ufffd" if unicodedata.category(c)[0] == "C" else c for c in normalised[:EXCERPT_CHARS])
    return text if len(normalised) <= EXCERPT_CHARS else text.rstrip() + "…"


class Text:
    """A paragraph of the current build, with its shingles computed on demand.

    Most paragraphs of a build are unchanged and matched by digest alone,
    so the costlier shingling is done only for those that need it.
    """

    __slots__ = ("normalised", "digest", "_words", "_values", "_set")

    def __init__(self, text: str):
        self.normalised = normalise(text)
        self.digest = text_digest(self.normalised)
        self._words: list[str] | None = None
        self._values: list[int] | None = None
        self._set: frozenset[int] | None = None

    @property
    def words(self) -> list[str]:
        if self._words is None:
            self._words = words_of(self.normalised)
        return self._words

    @property
    def values(self) -> list[int]:
        if self._values is None:
            self._values = shingle_values(self.words)
        return self._values

    @property
    def value_set(self) -> frozenset[int]:
        if self._set is None:
            self._set = frozenset(self.values)
        return self._set

    def fingerprint(self) -> Fingerprint:
        return Fingerprint(self.digest, len(self.words), tuple(self.values[:SKETCH_SIZE]))


@dataclass(frozen=True)
class Overlap:
    """Estimated overlap between a remembered paragraph and a current one."""

    jaccard: float
    old_in_new: float
    """Share of the old paragraph found in the new one (a merge absorbed it)."""
    new_in_old: float
    """Share of the new paragraph found in the old one (it is a split part)."""


NO_OVERLAP = Overlap(0.0, 0.0, 0.0)


def overlap(old: Fingerprint, new: Text) -> Overlap:
    """Compare a sketch with a full text, using every new value below the sketch's range.

    Below the sketch's largest value the old paragraph's shingles are known
    exactly, so counting both sides there is a uniform sample of the union.
    """
    if not old.sketch or not new.values:
        return Overlap(1.0, 1.0, 1.0) if not old.sketch and not new.values else NO_OVERLAP
    new_values = new.values
    if len(new.words) < SHORT_WORDS <= old.words:
        # A long text has no trigrams among its values: compare words only.
        new_values = shingle_values(new.words, trigrams=False)
    values = new.value_set
    shared = sum(1 for v in old.sketch if v in values)
    if not shared:
        return NO_OVERLAP
    below = len(new_values) if old.complete else bisect_right(new_values, old.sketch[-1])
    union = len(old.sketch) + below - shared
    contained = shared / len(old.sketch)
    if old.words < SHORT_WORDS <= len(new.words):
        # A long text has no trigrams among its values: count the short
        # text's words and word pairs only.
        contained = min(1.0, shared / max(1, 2 * old.words - 1))
    return Overlap(shared / union, contained, shared / below if below else 0.0)

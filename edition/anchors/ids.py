"""Anchor ids: their grammar and their deterministic generation.

A generated id is ``p-`` and four characters of lowercase base32 without
the letters that are easily misread (i, l, o, u), so a reader can copy it
from print.  The characters come from a hash of the document id, the text
and a salt; on a collision with any id the site has ever used the salt is
bumped, and after eight collisions in a row the id grows a character.  The
same inputs therefore always give the same ids, and nothing is random.
"""
from __future__ import annotations

import re
from hashlib import blake2b
from typing import Callable

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
"""Base32 without i, l, o and u."""
ID_LENGTH = 4
TRIES_PER_LENGTH = 8

ANCHOR_ID_RE = re.compile(r"p-[A-Za-z0-9][A-Za-z0-9_-]*")
"""Any anchor id, generated or given by an author as ``{#p-intro}``."""


def is_anchor_id(text: str) -> bool:
    return ANCHOR_ID_RE.fullmatch(text) is not None


def generate_id(document_id: str, normalised_text: str, unavailable: Callable[[str], bool]) -> str:
    """The first candidate id for this text that ``unavailable`` accepts.

    ``unavailable`` must answer True for every id ever recorded anywhere in
    the site (live, deleted or merged) and every id handed out in this build.
    """
    salt = 0
    while True:
        length = ID_LENGTH + salt // TRIES_PER_LENGTH
        seed = f"{document_id}\x1f{normalised_text}\x1f{salt}".encode("utf-8")
        number = int.from_bytes(blake2b(seed, digest_size=64).digest(), "big")
        chars = []
        for _ in range(length):
            chars.append(ALPHABET[number & 31])
            number >>= 5
        candidate = "p-" + "".join(chars)
        if not unavailable(candidate):
            return candidate
        salt += 1
        if salt > 100 * TRIES_PER_LENGTH:
            raise RuntimeError("no anchor id is available: the check of used ids accepts none")

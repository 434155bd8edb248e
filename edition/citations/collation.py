"""Sorting keys for names and titles in Latin and Cyrillic script.

A reference list of a Kazakh journal mixes Latin, Russian and Kazakh
entries.  Python's default string order sorts by code point, which puts
Kazakh letters (Ә U+04D9, Қ U+049B, І U+0456 ...) after every Russian
letter and puts capitals before lower case.  :func:`sort_key` gives the
order a reader expects instead, without a dependency on ICU:

* Latin A–Z first (accents ignored at the first level: ``é`` sorts as ``e``),
* then Cyrillic in the order of the Kazakh alphabet, where every Russian
  letter keeps its Russian place and each Kazakh letter follows its base
  letter: А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ
  Ц Ч Ш Щ Ъ Ы І Ь Э Ю Я,
* then any other script by code point.

Ties are broken, in this order, by accents, by case (lower case first) and
finally by the text itself, so sorting is total and deterministic.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
"""The Cyrillic letters in collation order (Kazakh alphabet, Russian order kept)."""

_CYRILLIC_ORDER = {letter: index for index, letter in enumerate(KAZAKH_ALPHABET)}

_EXPANSIONS = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d",
    "þ": "th", "ı": "i", "ĸ": "k",
}
"""Latin letters that do not decompose under NFD but sort as plain letters."""

_SPACE, _DIGIT, _LATIN, _CYRILLIC, _OTHER = range(5)


def _letter_weight(char: str) -> tuple[int, int] | None:
    """The primary weight of one lower-case base character; None to ignore it."""
    if char in _CYRILLIC_ORDER:
        return (_CYRILLIC, _CYRILLIC_ORDER[char])
    if "a" <= char <= "z":
        return (_LATIN, ord(char) - ord("a"))
    if char.isdigit():
        return (_DIGIT, unicodedata.digit(char, 0))
    if char.isspace():
        return (_SPACE, 0)
    if char.isalpha():
        if "CYRILLIC" in unicodedata.name(char, ""):
            return (_CYRILLIC, 100 + ord(char))
        return (_OTHER, ord(char))
    return None  # punctuation: ignored at the first level


@lru_cache(maxsize=65536)
def sort_key(text: str) -> tuple:
    """A key for :func:`sorted` that orders names and titles as a reader expects.

    Latin comes before Cyrillic:

    >>> sorted(["Омарбеков", "Omarbekov"], key=sort_key)
    ['Omarbekov', 'Омарбеков']

    Kazakh letters follow their base letters:

    >>> sorted(["Бекова", "Әбенов", "Аманов"], key=sort_key)
    ['Аманов', 'Әбенов', 'Бекова']
    >>> sorted(["Ілияс", "Ыбырай", "Эмир"], key=sort_key)
    ['Ыбырай', 'Ілияс', 'Эмир']

    Case and accents only break ties; ``Ё`` keeps its place after ``Е``:

    >>> sorted(["élan", "Elan", "elan", "Ezra"], key=sort_key)
    ['elan', 'Elan', 'élan', 'Ezra']
    >>> sorted(["Ёлкин", "Жуков", "Ерлан"], key=sort_key)
    ['Ерлан', 'Ёлкин', 'Жуков']
    """
    primary: list[tuple[int, int]] = []
    accents: list[tuple[int, ...]] = []
    case: list[int] = []
    for char in " ".join(text.split()):
        for weight, marks, upper in _char_weights(char):
            primary.append(weight)
            accents.append(marks)
            case.append(upper)
    return (tuple(primary), tuple(accents), tuple(case), text)


@lru_cache(maxsize=8192)
def _char_weights(char: str) -> tuple[tuple[tuple[int, int], tuple[int, ...], int], ...]:
    """(primary weight, accents, case) for each letter one character sorts as."""
    lower = char.lower()
    if lower in _CYRILLIC_ORDER:
        # Ё and Й decompose under NFD, yet they are letters of their own.
        base, marks = lower, ()
    else:
        decomposed = unicodedata.normalize("NFD", lower)
        marks = tuple(ord(m) for m in decomposed[1:] if unicodedata.combining(m))
        base = _EXPANSIONS.get(decomposed[0], decomposed[0])
    upper = 0 if char == lower else 1
    weights = []
    for piece in base:
        weight = _letter_weight(piece)
        if weight is not None:
            weights.append((weight, marks, upper))
    return tuple(weights)

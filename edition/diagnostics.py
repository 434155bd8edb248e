"""Diagnostics: every problem a user can cause, with a place and a stable code.

The build never stops at the first problem: each stage appends to one
:class:`Diagnostics` collector, and the build fails once, at the end of a
stage, listing everything sorted by file and line.  A user's mistake is
never shown as a traceback; a bug in the generator is reported as
:class:`InternalError` naming the input it was processing.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Iterable, Iterator


@dataclass(frozen=True, order=True)
class SourcePosition:
    """A place in a source file; lines and columns count from 1."""

    path: str
    """Path relative to the project root, with forward slashes."""
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    position: SourcePosition
    severity: str
    """``"error"`` or ``"warning"``."""
    code: str
    """Stable code, listed in the README (e.g. ``E-cite-unknown``)."""
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        text = f"{self.position}: {self.severity}[{self.code}]: {self.message}"
        if self.suggestion:
            text += f" ({self.suggestion})"
        return text


@dataclass
class Diagnostics:
    """Collects the problems of one build; never raises by itself."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, position: SourcePosition, code: str, message: str,
              suggestion: str | None = None) -> None:
        self.items.append(Diagnostic(position, "error", code, message, suggestion))

    def warning(self, position: SourcePosition, code: str, message: str,
                suggestion: str | None = None) -> None:
        self.items.append(Diagnostic(position, "warning", code, message, suggestion))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    def failed(self, strict: bool = False) -> bool:
        """Whether the build must stop: any error, or any warning when strict."""
        return any(d.severity == "error" or strict for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items))


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A suggestion for a misspelt key, or None when nothing is close.

    >>> did_you_mean("kozybaev1991", ["kozybayev1991", "tatimov1993"])
    'did you mean kozybayev1991?'
    """
    close = get_close_matches(word, sorted(candidates), n=1, cutoff=0.75)
    return f"did you mean {close[0]}?" if close else None


class EditionError(Exception):
    """A user's mistake: the build stops and lists every diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))


class InternalError(Exception):
    """A bug in the generator, reported with the input being processed."""


@contextmanager
def processing(what: str) -> Iterator[None]:
    """Name the input being processed on any exception that is not a user's mistake.

    The innermost name wins: ``what`` is kept as ``edition_input`` on the
    exception and added to its notes, which the command line prints with
    the plain statement that this is a bug.
    """
    try:
        yield
    except EditionError:
        raise
    except Exception as error:
        if getattr(error, "edition_input", None) is None:
            error.edition_input = what  # type: ignore[attr-defined]
            error.add_note(f"(while processing {what})")
        raise

"""Source positions for inline syntax.

Python-Markdown keeps no source positions, so each extension finds the
text it matched in the source, searching forward from the last match:
markers are met in source order, except those in footnote definitions.
"""
from __future__ import annotations

from edition.diagnostics import SourcePosition


class SourceCursor:
    def __init__(self, text: str = "", path: str = "", first_line: int = 1, first_col: int = 1):
        self.text = text
        self.path = path
        self.first_line = first_line
        self.first_col = first_col
        """Column offset of the text's first line (for values inside YAML)."""
        self.offset = 0

    def locate(self, snippet: str) -> SourcePosition:
        """The position of the next occurrence of ``snippet`` (or of its first line)."""
        for probe in (snippet, snippet.split("\n", 1)[0]):
            index = self.text.find(probe, self.offset)
            if index < 0:
                index = self.text.find(probe)
            if index >= 0:
                self.offset = index + len(probe)
                return self.position_at(index)
        return SourcePosition(self.path, self.first_line, self.first_col)

    def position_at(self, index: int) -> SourcePosition:
        line = self.text.count("\n", 0, index)
        col = index - (self.text.rfind("\n", 0, index) + 1) + 1
        return SourcePosition(self.path, self.first_line + line,
                              col + (self.first_col - 1 if line == 0 else 0))

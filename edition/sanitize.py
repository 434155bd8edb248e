"""Hostile content: raw HTML through an allow-list, URLs by scheme, limits on nesting.

Editors may write the markup Markdown has no syntax for -- ``<sup>``,
``<abbr title>``, ``<span lang="kk">``, a table with merged cells -- and
nothing else.  Python-Markdown's own raw-HTML processors stay in place;
what they stash is cleaned by nh3 against :data:`TAGS` and
:data:`ATTRIBUTES` and turned into elements of the document's tree, so
that anchors, citations and the URL check see it like any other
markup.  Whatever the allow-list removes is reported as a warning
(``html-removed``); a URL with an active scheme as ``unsafe-url``.

Two further guards keep Python-Markdown's worst cases away: containers
nested deeper than :data:`MAX_NESTING` (each level is a recursion in the
parser) and runs of unmatched brackets whose matching would take
quadratic time are refused before parsing (``md-too-complex``).
"""
from __future__ import annotations

import bisect
import html
import re
import unicodedata
import urllib.parse
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Callable

import nh3
from markdown import Markdown, util
from markdown.extensions import Extension
from markdown.inlinepatterns import HTML_RE, HtmlInlineProcessor
from markdown.preprocessors import HtmlBlockPreprocessor, Preprocessor
from markdown.treeprocessors import Treeprocessor

from edition.diagnostics import Diagnostic, SourcePosition
from edition.extensions.positions import SourceCursor

INLINE_TAGS = frozenset({
    "sup", "sub", "abbr", "span", "em", "strong", "i", "b", "q", "cite", "small", "br", "del", "ins",
    "mark", "s", "u", "bdi", "bdo", "ruby", "rt", "rp", "kbd", "code", "var", "dfn", "time",
})
"""Raw HTML allowed inside a paragraph."""
BLOCK_TAGS = frozenset({
    "div", "blockquote", "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    "figure", "figcaption", "ol", "ul", "li", "dl", "dt", "dd", "p", "hr", "pre",
})
"""Raw HTML allowed as a block of its own, besides the inline tags."""
TAGS = INLINE_TAGS | BLOCK_TAGS
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"lang"},
    "abbr": {"title"}, "dfn": {"title"},
    "span": {"class"}, "div": {"class"},
    "bdo": {"dir"}, "bdi": {"dir"},
    "time": {"datetime"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
    "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"},
    "col": {"span"}, "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
}
URL_ATTRIBUTES = frozenset({
    "href", "src", "cite", "action", "formaction", "poster", "data", "srcset", "background", "longdesc",
    "usemap", "ping", "xlink:href", "manifest", "codebase", "lowsrc", "dynsrc", "icon", "archive", "classid",
})
"""Attributes a browser follows or loads as a URL."""
DROPPED_CONTENT = frozenset({"script", "style", "template", "noscript", "iframe", "object", "embed",
                             "svg", "math", "textarea", "select", "xmp", "noembed", "noframes", "title"})
"""Elements removed together with their content (the content is not text)."""
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
MAX_HTML_DEPTH = 24
"""Raw HTML nested deeper than this is flattened (the serialiser recurses per level)."""
MAX_NESTING = 32
"""Block containers (lists, quotes, indentation, figures) nested deeper than this are refused."""
BRACKET_BUDGET = 2_000_000
"""Characters Python-Markdown may scan matching the brackets of one block (about 0.4 s)."""
ANGLE_BUDGET = 10_000_000
"""Characters the raw-HTML block parser may scan looking for the ends of tags (about 0.3 s)."""
MAX_DEFINITIONS = 1000
MAX_ABBREVIATIONS = 300
"""Python-Markdown's abbreviations become one alternation matched at every text
position; a few thousand make each paragraph cost seconds."""
_ABBREVIATION_RE = re.compile(r"^[ ]{0,3}\*\[[^\]\n]+\]:")
"""Definitions in one run of lines (the definition-list parser is quadratic in them)."""

_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_ESCAPED_RE = re.compile("\x02([0-9]{1,7})\x03")
_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cs", "Cn"}


def url_scheme(url: str) -> str | None:
    """The scheme a URL would be followed with, however it is spelt, or None for a relative URL.

    Entities and percent-encoding are decoded (repeatedly), compatibility
    forms folded, and whitespace, control and invisible characters removed
    before the scheme is read, so ``JaVa&#x09;script:`` and ``java%0ascript:``
    are both ``javascript``.

    >>> url_scheme(" JaVa&#x09;Script&colon;alert(1)")
    'javascript'
    >>> url_scheme("java%0ascript:alert(1)"), url_scheme("../figures/map.png"), url_scheme("#sec:results")
    ('javascript', None, None)
    """
    # Python-Markdown keeps a backslash-escaped character as STX, its code point, ETX until its
    # last tree processor; read it as the character it will become.
    text = _ESCAPED_RE.sub(lambda m: chr(int(m.group(1))) if int(m.group(1)) < 0x110000 else "", url)
    for _ in range(4):
        decoded = urllib.parse.unquote(html.unescape(text))
        if decoded == text:
            break
        text = decoded
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE).lower()
    match = _SCHEME_RE.match(text)
    return match.group(1) if match else None


def url_is_safe(url: str) -> bool:
    """Relative, fragment, http(s) and mailto URLs pass; every other scheme is refused."""
    scheme = url_scheme(url)
    return scheme is None or scheme in SAFE_SCHEMES


@dataclass
class Cleaned:
    html: str
    removed: list[str] = field(default_factory=list)
    """What the allow-list took away, for the warning."""
    unsafe_urls: list[str] = field(default_factory=list)


class _Inventory(HTMLParser):
    """What a fragment asks for that the allow-list will not give."""

    def __init__(self, tags: frozenset[str]):
        super().__init__(convert_charrefs=True)
        self.tags = tags
        self.removed: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.tags:
            self._note(f"<{tag}>")
            return
        allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(tag, set())
        for name, _ in attrs:
            if name not in allowed:
                self._note(f"{name}= on <{tag}>")

    def handle_comment(self, data: str) -> None:
        self._note("a comment")

    def handle_pi(self, data: str) -> None:
        self._note("a processing instruction")

    def handle_decl(self, decl: str) -> None:
        self._note("a declaration")

    def _note(self, what: str) -> None:
        if what not in self.removed:
            self.removed.append(what)


def clean(fragment: str, inline: bool) -> Cleaned:
    """``fragment`` with only allowed tags, attributes and URLs, balanced.

    >>> clean('<span lang="kk" onclick="x()">сөз</span><script>alert(1)</script>', inline=True).html
    '<span lang="kk">сөз</span>'
    """
    tags = INLINE_TAGS if inline else TAGS
    inventory = _Inventory(tags)
    try:
        inventory.feed(fragment)
        inventory.close()
    except (AssertionError, ValueError):  # html.parser gives up on some garbage; nh3 does not
        inventory.removed.append("malformed markup")
    unsafe: list[str] = []

    def attribute_filter(tag: str, name: str, value: str) -> str | None:
        if name in URL_ATTRIBUTES and not url_is_safe(value):
            unsafe.append(value)
            return None
        return value

    cleaned = nh3.clean(fragment, tags=set(tags), clean_content_tags=set(DROPPED_CONTENT),
                        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
                        attribute_filter=attribute_filter, link_rel=None, strip_comments=True)
    return Cleaned(cleaned, inventory.removed, unsafe)


VOID_TAGS = frozenset({"br", "hr", "col", "wbr", "img", "area", "input", "source", "track", "embed"})


class _TreeBuilder(HTMLParser):
    """Clean, balanced HTML (nh3's output) into ElementTree nodes under one container."""

    def __init__(self, max_depth: int):
        super().__init__(convert_charrefs=True)
        self.root = etree.Element("div")
        self.stack = [self.root]
        self.max_depth = max_depth
        self.skipped: list[str] = []
        self.flattened = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(self.stack) > self.max_depth:
            self.skipped.append(tag)
            self.flattened = True
            return
        element = etree.SubElement(self.stack[-1], tag, {k: v or "" for k, v in attrs})
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(self.stack) <= self.max_depth:
            etree.SubElement(self.stack[-1], tag, {k: v or "" for k, v in attrs})

    def handle_endtag(self, tag: str) -> None:
        if self.skipped and self.skipped[-1] == tag:
            self.skipped.pop()
            return
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        node = self.stack[-1]
        if len(node):
            node[-1].tail = (node[-1].tail or "") + data
        else:
            node.text = (node.text or "") + data


def parse_clean(cleaned: str) -> tuple[etree.Element, bool]:
    """Parse sanitised HTML into a ``div`` holding it; also whether deep nesting was flattened."""
    builder = _TreeBuilder(MAX_HTML_DEPTH)
    builder.feed(cleaned)
    builder.close()
    return builder.root, builder.flattened


# --- the Markdown side -------------------------------------------------------------------------

_TOKEN_RE = re.compile("\ue000edition:([0-9]+)\ue001")
_ANY_PLACEHOLDER_RE = re.compile(f"{util.STX}[^{util.STX}{util.ETX}]*{util.ETX}")


class _RawHtmlBlocks(HtmlBlockPreprocessor):
    """Python-Markdown's raw-HTML block preprocessor, remembering what it stashed."""

    def __init__(self, md: Markdown, extension: "RawHtmlExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        first = self.md.htmlStash.html_counter
        result = super().run(lines)
        for index in range(first, self.md.htmlStash.html_counter):
            self.extension.adopt(index, block=True)
        return result


class _RawHtmlInline(HtmlInlineProcessor):
    """Python-Markdown's inline raw-HTML processor, remembering what it stashed."""

    def __init__(self, pattern: str, md: Markdown, extension: "RawHtmlExtension"):
        super().__init__(pattern, md)
        self.extension = extension

    def handleMatch(self, m: re.Match[str], data: str):  # type: ignore[override]
        placeholder, start, end = super().handleMatch(m, data)
        self.extension.adopt(self.md.htmlStash.html_counter - 1, block=False)
        return placeholder, start, end


class _RawHtmlTree(Treeprocessor):
    """Stashed raw HTML, cleaned, becomes elements of the tree in place of its placeholders."""

    def __init__(self, md: Markdown, extension: "RawHtmlExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        if not self.extension.raw:
            return
        self.cursor = self.extension.new_cursor()
        self._walk(root)

    def _walk(self, parent: etree.Element) -> None:
        index = 0
        while index < len(parent):
            child = parent[index]
            raw = self._block_placeholder(child)
            if raw is not None:
                nodes = self._block_nodes(raw)
                tail = child.tail
                parent.remove(child)
                for offset, node in enumerate(nodes):
                    parent.insert(index + offset, node)
                if nodes:
                    nodes[-1].tail = tail
                index += len(nodes)
                continue
            self._walk(child)
            index += 1
        self._inline(parent)

    def _block_placeholder(self, element: etree.Element) -> str | None:
        if element.tag != "p" or len(element) or not element.text:
            return None
        match = util.HTML_PLACEHOLDER_RE.fullmatch(element.text.strip())
        if not match or int(match.group(1)) not in self.extension.raw:
            return None
        return self.extension.raw[int(match.group(1))]

    def _block_nodes(self, raw: str) -> list[etree.Element]:
        container = self._clean_into(raw, raw, inline=False)
        nodes: list[etree.Element] = []
        loose: etree.Element | None = None  # text and inline markup at the top go into a paragraph

        def paragraph() -> etree.Element:
            nonlocal loose
            if loose is None:
                loose = etree.Element("p")
                nodes.append(loose)
            return loose

        if container.text and container.text.strip():
            paragraph().text = container.text.strip()
        for node in list(container):
            tail, node.tail = node.tail, None
            if node.tag in BLOCK_TAGS:
                loose = None
                nodes.append(node)
            else:
                para = paragraph()
                para.append(node)
            if tail and tail.strip():
                para = paragraph()
                if len(para):
                    para[-1].tail = (para[-1].tail or "") + tail
                else:
                    para.text = (para.text or "") + tail
        for node in nodes:
            node.tail = "\n"
        return nodes

    def _inline(self, element: etree.Element) -> None:
        """Re-read ``element``'s mixed content with its raw inline HTML as real markup."""
        pieces = [element.text or ""] + [child.tail or "" for child in element]
        if not any(self._has_raw(piece) for piece in pieces):
            return
        items: list[object] = []

        def token(item: object) -> str:
            items.append(item)
            return f"\ue000edition:{len(items) - 1}\ue001"

        def text_of(piece: str) -> str:
            out, position = [], 0
            for match in _ANY_PLACEHOLDER_RE.finditer(piece):
                out.append(html.escape(piece[position:match.start()], quote=False))
                number = util.HTML_PLACEHOLDER_RE.fullmatch(match.group(0))
                if number and int(number.group(1)) in self.extension.raw:
                    out.append(self.extension.raw[int(number.group(1))])
                else:
                    out.append(token(match.group(0)))
                position = match.end()
            out.append(html.escape(piece[position:], quote=False))
            return "".join(out)

        children = list(element)
        fragment = text_of(element.text or "") + "".join(
            token(child) + text_of(child.tail or "") for child in children)
        first_raw = next(self.extension.raw[int(m.group(1))]
                         for piece in pieces for m in util.HTML_PLACEHOLDER_RE.finditer(piece)
                         if int(m.group(1)) in self.extension.raw)
        container = self._clean_into(fragment, first_raw, inline=True)
        for child in children:
            element.remove(child)
            child.tail = None
        used: set[int] = set()
        _splice(container, items, used)
        element.text = container.text
        for node in list(container):
            element.append(node)

    def _has_raw(self, text: str) -> bool:
        return any(int(m.group(1)) in self.extension.raw for m in util.HTML_PLACEHOLDER_RE.finditer(text))

    def _clean_into(self, fragment: str, raw: str, inline: bool) -> etree.Element:
        result = clean(fragment, inline)
        container, flattened = parse_clean(result.html)
        if result.removed or result.unsafe_urls or flattened:
            position = self.cursor.locate(raw.strip().split("\n", 1)[0][:200]) if raw.strip() else \
                self.cursor.position_at(0)
            if result.removed:
                self.extension.warn(position, "html-removed",
                                    "raw HTML outside the allowed markup was removed: " + ", ".join(result.removed))
            for url in result.unsafe_urls:
                self.extension.warn(position, "unsafe-url", f"refused the active URL {url[:80]!r} in raw HTML")
            if flattened:
                self.extension.warn(position, "html-removed",
                                    f"raw HTML nested deeper than {MAX_HTML_DEPTH} levels was flattened")
        return container


def _splice(parent: etree.Element, items: list[object], used: set[int]) -> None:
    """Put the tokenised original nodes back where their tokens stand in ``parent``'s content."""
    originals = {id(item) for item in items if isinstance(item, etree.Element)}
    sequence: list[object] = []
    sequence.extend(_split(parent.text or "", items, used))
    for child in list(parent):
        parent.remove(child)
        tail, child.tail = child.tail, None
        if id(child) not in originals:
            _splice(child, items, used)
        sequence.append(child)
        sequence.extend(_split(tail or "", items, used))
    parent.text = None
    last: etree.Element | None = None
    for piece in sequence:
        if isinstance(piece, str):
            if last is None:
                parent.text = (parent.text or "") + piece
            else:
                last.tail = (last.tail or "") + piece
        else:
            parent.append(piece)  # type: ignore[arg-type]
            last = piece  # type: ignore[assignment]


def _split(text: str, items: list[object], used: set[int]) -> list[object]:
    out: list[object] = []
    position = 0
    for match in _TOKEN_RE.finditer(text):
        number = int(match.group(1))
        if number >= len(items) or number in used:
            continue
        used.add(number)
        out.append(text[position:match.start()])
        out.append(items[number])
        position = match.end()
    out.append(text[position:])
    return [piece for piece in out if not (isinstance(piece, str) and not piece)]


class _Limits(Preprocessor):
    """Refuse the inputs that would make Python-Markdown recurse too deep or match in quadratic time."""

    def __init__(self, md: Markdown, extension: "RawHtmlExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        cursor = self.extension.new_cursor()
        if _angle_cost("\n".join(lines)) > ANGLE_BUDGET:
            self.extension.error(cursor.position_at(0), "md-too-complex",
                                 "too many unclosed '<' tags: raw HTML must close each tag with '>'")
            return [line.replace("<", " ") for line in lines]
        abbreviations = [n for n, line in enumerate(lines) if _ABBREVIATION_RE.match(line)]
        if len(abbreviations) > MAX_ABBREVIATIONS:
            self.extension.error(cursor.position_at(_offset(lines, abbreviations[MAX_ABBREVIATIONS])),
                                 "md-too-complex", f"more than {MAX_ABBREVIATIONS} abbreviation definitions "
                                 "in one document")
            lines = [line for n, line in enumerate(lines) if n not in set(abbreviations)]
        start, figures, fence = 0, 0, ""
        for number, line in enumerate(lines + [""]):
            opening = _FENCE_RE.match(line)
            if fence:  # inside fenced code nothing nests and no bracket is matched
                if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                    fence = ""
                start = number + 1
                continue
            if number == len(lines) or not line.strip() or opening:
                block = lines[start:number]
                if _bracket_cost("\n".join(block)) > BRACKET_BUDGET:
                    self.extension.error(cursor.position_at(_offset(lines, start)), "md-too-complex",
                                         "too many unmatched brackets '[' or '(' in one paragraph")
                    lines = self._blank(lines, start, number)
                elif sum(1 for text in block if _DEFINITION_RE.match(text)) > MAX_DEFINITIONS:
                    self.extension.error(cursor.position_at(_offset(lines, start)), "md-too-complex",
                                         f"more than {MAX_DEFINITIONS} definitions without a blank line "
                                         "between them")
                    lines = self._blank(lines, start, number)
                start = number + 1
                if opening:
                    fence = opening.group(1)
                continue
            stripped = line.strip()
            if stripped == ":::":
                figures = max(0, figures - 1)
            elif stripped.startswith(":::"):
                figures += 1
            if _container_depth(line) > MAX_NESTING or figures > MAX_NESTING:
                self.extension.error(cursor.position_at(_offset(lines, number)), "md-too-complex",
                                     f"blocks nested more than {MAX_NESTING} levels deep")
                return self._blank(lines, number, len(lines))
        return lines

    @staticmethod
    def _blank(lines: list[str], start: int, end: int) -> list[str]:
        """The build stops with the error; the parse only has to finish quickly."""
        return lines[:start] + [""] * (end - start) + lines[end:]


def _offset(lines: list[str], number: int) -> int:
    return sum(len(line) + 1 for line in lines[:number])


def _container_depth(line: str) -> int:
    """Leading quote markers, list markers and indentation steps of one line."""
    if _RULE_RE.match(line):  # ``* * *`` is a horizontal rule, not three lists
        return 0
    depth, index, columns = 0, 0, 0
    while index < len(line):
        char = line[index]
        if char == " ":
            columns += 1
        elif char == "\t":
            columns += 4
        elif char == ">":
            depth += 1
        elif char in "-*+" and line[index + 1:index + 2] in (" ", ""):
            depth += 1
        else:
            digits = re.match(r"[0-9]{1,9}[.)](?= |$)", line[index:])
            if not digits:
                break
            depth += 1
            index += len(digits.group(0)) - 1
        index += 1
    return depth + columns // 4


def _bracket_cost(text: str) -> int:
    """Characters Python-Markdown scans matching brackets: each '[' and each link's '(' to its
    partner, or to the end of the block when there is none.

    >>> _bracket_cost("see [@key, p. 5] and [a](b)")
    15
    """
    cost = 0
    squares: list[int] = []
    rounds: list[tuple[int, bool]] = []
    for match in _BRACKETS_RE.finditer(text):
        char, index = match.group(0), match.start()
        if char == "[":
            squares.append(index)
        elif char == "]":
            if squares:
                cost += index - squares.pop()
        elif char == "(":
            rounds.append((index, text[index - 1:index] == "]"))
        elif rounds:
            start, link = rounds.pop()
            cost += index - start if link else 0
    cost += sum(len(text) - index for index in squares)
    cost += sum(len(text) - index for index, link in rounds if link)
    return cost


def _angle_cost(text: str) -> int:
    """Characters the HTML block parser scans for the '>' of each tag: quadratic when none closes.

    >>> _angle_cost("a <span>b</span> c"), _angle_cost("<a <a <a")
    (11, 15)
    """
    if "<" not in text:
        return 0
    closers = [match.start() for match in re.finditer(">", text)]
    cost = 0
    for match in _TAG_START_RE.finditer(text):
        index = bisect.bisect_left(closers, match.start())
        cost += (closers[index] if index < len(closers) else len(text)) - match.start()
    return cost


_TAG_START_RE = re.compile(r"<[A-Za-z/!?]")
_DEFINITION_RE = re.compile(r"^ {0,3}: ")
_RULE_RE = re.compile(r"^ {0,3}([-*_])(?: *\1){2,} *$")
_BRACKETS_RE = re.compile(r"[\[\]()]")
_FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


class RawHtmlExtension(Extension):
    """Raw HTML through the allow-list, and the limits that keep parsing fast.

    ``cursor`` gives the source of the part being converted, for positions.
    Problems of every part converted by one Markdown instance accumulate
    in :attr:`problems`.
    """

    def __init__(self, cursor: Callable[[], SourceCursor], **kwargs: object):
        super().__init__(**kwargs)
        self.cursor = cursor
        self.raw: dict[int, str] = {}
        """Stash index → the raw HTML an editor wrote."""
        self.problems: list[Diagnostic] = []

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        self.md = md
        md.preprocessors.register(_Limits(md, self), "edition-limits", 35)
        md.preprocessors.register(_RawHtmlBlocks(md, self), "html_block", 20)
        md.inlinePatterns.register(_RawHtmlInline(HTML_RE, md, self), "html", 90)
        # After the inline patterns (20), before attribute lists (8) and anchors (7).
        md.treeprocessors.register(_RawHtmlTree(md, self), "edition-raw-html", 18)

    def adopt(self, index: int, block: bool) -> None:
        """Take stash entry ``index`` as raw HTML; what stays in the stash is cleaned too."""
        raw = str(self.md.htmlStash.rawHtmlBlocks[index])
        self.raw[index] = raw
        self.md.htmlStash.rawHtmlBlocks[index] = clean(raw, inline=not block).html

    def new_cursor(self) -> SourceCursor:
        current = self.cursor()
        return SourceCursor(current.text, current.path, current.first_line, current.first_col)

    def warn(self, position: SourcePosition, code: str, message: str) -> None:
        self.problems.append(Diagnostic(position, "warning", code, message))

    def error(self, position: SourcePosition, code: str, message: str) -> None:
        self.problems.append(Diagnostic(position, "error", code, message))


def markdown_problems(md: Markdown) -> list[Diagnostic]:
    """Diagnostics the extensions of ``md`` collected while converting."""
    problems: list[Diagnostic] = []
    for extension in md.registeredExtensions:
        problems.extend(getattr(extension, "problems", ()))
    return problems

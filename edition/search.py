"""Full-text search: a Pagefind index of every paragraph, one per language.

Pagefind splits its index by the language of a page, but a document page
of this edition holds three languages (the abstracts, titles, quotations).
So what is indexed is not the page but the paragraph in one language:
each paragraph (and each heading and title) of each document is a *unit*
of its own language, whose result links to the paragraph's anchor
(``<doc>/#p-…``).  A paragraph quoting another language gives that
language's words a unit of their own, with the same link.

Pagefind is given one page per document and language holding that
language's units, each under a heading carrying the unit's anchor
(:func:`index_page`); Pagefind's sub-results then lead to the paragraph.
One page per paragraph would do the same with fifty times the files.

Each language gets its own bundle (``pagefind/<lang>/``) built with the
language forced, so Russian words are stemmed as Russian and English as
English, and the search page queries all bundles and merges the results.
A language with much text or many documents is split into shards
(``pagefind/en-1/``…, :func:`plan_bundles`), so that an edit re-indexes
one shard, a tenth of a second of Pagefind's time.  The search page loads
Pagefind's script and WebAssembly once per language, from the language's
first bundle, and merges the other shards into it (Pagefind's
``mergeIndex``); so a shard carries only its index, and more shards cost a
reader a few small requests, not another copy of the search engine.
The pages never become pages of the site: Pagefind reads them from memory
(:class:`_Service`), and only its bundle is added to the site's files.
A bundle is rebuilt only when the units of its language changed.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import re
import subprocess
import threading
from dataclasses import dataclass
from html import escape, unescape
from typing import Iterable

from edition.diagnostics import Diagnostic, EditionError, SourcePosition

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIP_CLASSES = {"para-link", "para-cite", "backref", "note-ref"}
"""Parts of a paragraph that are apparatus, not text: ¶ numbers, the paragraph's
citation line, note back-links and note numbers."""
SKIP_TAGS = {"script", "style", "template", "sup", "svg"}
BUNDLE_DIR = "pagefind"


@dataclass(frozen=True)
class Unit:
    """One searchable piece: a paragraph (or heading) in one language."""

    target: str
    """Site-relative link: ``<doc>/#<anchor>`` (or ``<doc>/`` for a title)."""
    lang: str
    text: str
    title: str
    """The document's title, shown as the result's heading."""
    part: str
    """``title``, ``abstract``, ``heading`` or ``paragraph``."""
    section: str = ""
    """The heading of the section the unit is in (or is)."""
    paragraph: int | None = None
    """The ¶ number, for a numbered paragraph."""


@dataclass
class _Block:
    anchor: str
    tag: str
    lang: str
    label: str
    depth: int
    parts: dict[str, list[str]]


_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>|<!--.*?-->|<![^>]*>|<\?[^>]*>"
                    r"|([^<]+)|<", re.S)
_ATTRIBUTE = re.compile(r"([^\s=/>]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?")
_RAW_TEXT = {"script", "style"}


class _Paragraphs:
    """Collects the text of each anchored paragraph and heading of a document page, by language.

    Reads the page with a tokenizer of its own (a tenth of the time of
    ``html.parser`` on these pages), with the same outcome: tags and
    attribute names in lower case, entities decoded, script and style
    contents skipped.
    """

    def __init__(self, page_lang: str):
        self.stack: list[tuple[str, str, bool]] = [("#root", page_lang, False)]
        self.blocks: list[_Block] = []
        self.current: _Block | None = None
        self.in_body = False
        self.body_depth = -1
        self.section_label = ""
        self.skipping = 0
        """How many open elements are apparatus."""

    def feed(self, page: str) -> None:
        position = 0
        while True:
            match = _TOKEN.search(page, position)
            if match is None:
                break
            position = match.end()
            closing, tag, attributes, text = match.group(1, 2, 3, 4)
            if text is not None:
                self.handle_data(unescape(text))
            elif tag is None:
                if match.group(0) == "<":
                    self.handle_data("<")
                continue
            elif closing:
                self.handle_endtag(tag.lower())
            else:
                tag = tag.lower()
                attrs = [(name.lower(), unescape(next((v for v in values if v is not None), "")) if any(
                    v is not None for v in values) else None) for name, *values in _ATTRIBUTE.findall(attributes)
                    if name != "/"] if attributes.strip() else []
                self.handle_starttag(tag, attrs)
                if attributes.rstrip().endswith("/") and tag not in VOID:
                    self.handle_endtag(tag)
                elif tag in _RAW_TEXT:
                    end = page.lower().find(f"</{tag}", position)
                    end = len(page) if end < 0 else end
                    self.handle_data(page[position:end])
                    position = end

    def close(self) -> None:
        pass

    def _lang(self) -> str:
        return self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        classes = set(values.get("class", "").split())
        lang = values.get("lang") or self._lang()
        skip = tag in SKIP_TAGS or bool(classes & SKIP_CLASSES) or "hidden" in values
        if tag in VOID:
            if tag == "br" and self.current and not self.skipping:
                self.current.parts.setdefault(lang, []).append(" ")
            return
        self.stack.append((tag, lang, skip))
        self.skipping += skip
        if "document-body" in classes or "abstract" in classes:
            self.in_body, self.body_depth = True, len(self.stack)
            self.section_label = "abstract" if "abstract" in classes else ""
        anchor = values.get("id", "")
        if self.in_body and self.current is None and anchor and (
                (tag in ("p", "li") and anchor.startswith("p-")) or tag in ("h2", "h3", "h4")):
            self.current = _Block(anchor, tag, lang, self.section_label, len(self.stack), {})

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while len(self.stack) > 1:
            open_tag, _, skip = self.stack.pop()
            self.skipping -= skip
            if self.current and len(self.stack) < self.current.depth:
                self.blocks.append(self.current)
                self.current = None
            if self.in_body and len(self.stack) < self.body_depth:
                self.in_body = False
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.current and not self.skipping:
            self.current.parts.setdefault(self._lang(), []).append(data)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def document_units(html: str, document_id: str, page_lang: str, titles: dict[str, str],
                   paragraph_numbers: dict[str, int]) -> list[Unit]:
    """The searchable units of one rendered document page.

    >>> page = ('<div class="document-body"><p id="p-a"><a class="para-link" href="#p-a">¶1</a>'
    ...         'Hello <q lang="ru">мир</q><span class="para-cite">cite</span></p></div>')
    >>> [(u.lang, u.text, u.target, u.part) for u in document_units(page, "d", "en", {"en": "T"}, {"p-a": 1})]
    [('en', 'T', 'd/', 'title'), ('en', 'Hello', 'd/#p-a', 'paragraph'), ('ru', 'мир', 'd/#p-a', 'paragraph')]
    """
    parser = _Paragraphs(page_lang)
    parser.feed(html)
    parser.close()
    main_title = titles.get(page_lang) or next(iter(titles.values()), document_id)
    units = [Unit(f"{document_id}/", lang, title, title, "title") for lang, title in sorted(titles.items())]
    heading = ""
    for block in parser.blocks:
        if block.tag.startswith("h"):
            heading = _clean("".join(block.parts.get(block.lang, [])))
        part = block.label or ("heading" if block.tag.startswith("h") else "paragraph")
        for lang, pieces in sorted(block.parts.items(), key=lambda item: item[0] != block.lang):
            text = _clean("".join(pieces))
            if text:
                units.append(Unit(f"{document_id}/#{block.anchor}", lang, text, titles.get(lang) or main_title,
                                  part, "" if part == "abstract" else heading,
                                  paragraph_numbers.get(block.anchor)))
    return units


def index_page(document_id: str, lang: str, units: Iterable[Unit]) -> str:
    """The HTML Pagefind reads for one document in one language: every unit, each under its anchor.

    Pagefind splits a page into sub-results at headings that carry an id,
    each with its own excerpt and address (``<doc>/#<anchor>``), so one page
    per document and language still finds the paragraph, while the index
    holds one fragment per page instead of one per paragraph.  The title
    comes first, before any anchor: its sub-result leads to the document.
    What the search page shows about each paragraph (part, section, ¶
    number) rides along as the page's ``units`` metadata, kept short
    (Pagefind's time grows with it, a tenth for a page of paragraphs): each
    section's heading once, and per anchor the part's initial, the section's
    place in that list and the ¶ number.

    >>> page = index_page("d", "en", [Unit("d/#p-a", "en", "Hi", "T", "paragraph", "Intro", 1),
    ...                               Unit("d/#p-b", "en", "Yo", "T", "paragraph", "Intro", 2)])
    >>> page[page.index('"units">') + 8:page.index("</span></body>")]
    '{"s":["Intro"],"u":{"p-a":["p",0,1],"p-b":["p",0,2]}}'
    """
    title = ""
    body: list[str] = []
    sections: dict[str, int] = {}
    described: dict[str, list[object]] = {}
    for unit in units:
        if unit.part == "title":
            title = unit.title
            body.insert(0, f"<p>{escape(unit.text)}</p>")
            continue
        title = title or unit.title
        anchor = unit.target.partition("#")[2]
        body.append(f'<h2 id="{escape(anchor)}">·</h2><p>{escape(unit.text)}</p>')
        section = sections.setdefault(unit.section, len(sections))
        described[anchor] = [unit.part[0], section] + ([unit.paragraph] if unit.paragraph is not None else [])
    units_meta = json.dumps({"s": list(sections), "u": described}, ensure_ascii=False, separators=(",", ":"),
                            sort_keys=True)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'</head><body><main data-pagefind-body>{"".join(body)}</main>'
            f'<span data-pagefind-meta="title">{escape(title)}</span>'
            f'<span data-pagefind-meta="document">{escape(document_id)}</span>'
            f'<span data-pagefind-meta="units">{escape(units_meta, quote=False)}</span></body></html>')


UNUSED = re.compile(r"^pagefind-(ui|modular-ui|component-ui|highlight)\.|^playground/")
"""Parts of Pagefind's bundle for its own interfaces; the edition has its own."""


def _executable() -> str:
    executable = os.environ.get("PAGEFIND_BINARY_PATH")  # as Pagefind's own Python API honours it
    try:  # else the binary's package (Pagefind's Python API would import asyncio for nothing here)
        from pagefind_bin import get_executable

        executable = executable or get_executable()
    except (ImportError, FileNotFoundError):
        pass
    if executable is None:
        raise EditionError([Diagnostic(SourcePosition("pyproject.toml"), "error", "search-index",
                                       "the Pagefind binary is not installed; install the edition with its "
                                       "dependencies (pip install -e .), which bring pagefind[bin]")])
    return str(executable)


class _Service:
    """Pagefind's own service protocol (``pagefind --service``): requests in, bundle files out, all in memory.

    Pagefind's Python wrapper for the protocol reads one answer per tenth of
    a second; talking to the binary directly, a thousand pages take as long
    as Pagefind needs to index them, and nothing touches the disk.
    """

    def __init__(self, executable: str):
        self.process = subprocess.Popen([executable, "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.next_id = 0
        self.buffer = b""

    def send(self, payload: dict) -> int:
        self.next_id += 1
        message = json.dumps({"message_id": self.next_id, "payload": payload}).encode("utf-8")
        self.process.stdin.write(base64.b64encode(message) + b",")  # type: ignore[union-attr]
        return self.next_id

    def receive(self) -> dict:
        self.process.stdin.flush()  # type: ignore[union-attr]
        while b"," not in self.buffer:
            chunk = self.process.stdout.read1(1 << 20)  # type: ignore[union-attr]
            if not chunk:
                raise RuntimeError("pagefind stopped answering")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b",")
        answer = json.loads(base64.b64decode(message))
        payload = answer.get("payload", {})
        if payload.get("type") == "Error":
            raise RuntimeError(f"pagefind: {payload.get('message')}")
        return payload

    def close(self) -> None:
        try:
            self.process.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass
        self.process.wait()


def _index(service: _Service, lang: str, pages: list[tuple[str, str]]) -> dict[str, bytes]:
    """One bundle made in ``service``, whose index is then deleted, so the process can make the next."""
    service.send({"type": "NewIndex", "config": {"force_language": lang}})
    index = service.receive()["index_id"]
    failure: list[BaseException] = []

    def feed() -> None:  # write while the answers are read, so neither pipe fills up
        try:
            for url, html in pages:
                service.send({"type": "AddFile", "index_id": index, "url": url, "file_contents": html,
                              "file_path": None})
            service.process.stdin.flush()  # type: ignore[union-attr]
        except (OSError, ValueError) as error:
            failure.append(error)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    for _ in pages:
        service.receive()
    writer.join()
    if failure:
        raise RuntimeError(f"pagefind: {failure[0]}")
    service.send({"type": "GetFiles", "index_id": index})
    files = service.receive()["files"]
    service.send({"type": "DeleteIndex", "index_id": index})
    service.receive()
    return {item["path"]: base64.b64decode(item["content"]) for item in sorted(files, key=lambda f: f["path"])
            if not UNUSED.match(item["path"])}


class Indexers:
    """Pagefind processes for the threads that make bundles: a bundle borrows an idle one, or starts
    one, and gives it back, so fifty bundles on two threads start two processes, not fifty (a new
    process costs some 10 ms of start and of memory faults per bundle)."""

    def __init__(self, executable: str | None = None):
        self.executable = executable
        self.idle: list[_Service] = []
        self.started: list[_Service] = []
        self.lock = threading.Lock()

    def bundle(self, lang: str, pages: list[tuple[str, str]]) -> dict[str, bytes]:
        """One language's Pagefind bundle for ``pages`` ((URL, HTML) in order), as relative path → bytes."""
        with self.lock:
            service = self.idle.pop() if self.idle else None
        if service is None:
            service = _Service(self.executable or _executable())
            with self.lock:
                self.started.append(service)
        try:
            files = _index(service, lang, pages)
        except BaseException:
            service.close()  # in an unknown state: never lent again
            raise
        with self.lock:
            self.idle.append(service)
        return files

    def close(self) -> None:
        with self.lock:
            for service in self.started:
                service.close()
            self.started, self.idle = [], []


def build_bundle(lang: str, pages: list[tuple[str, str]], executable: str | None = None) -> dict[str, bytes]:
    """One language's Pagefind bundle for ``pages``, in a process of its own."""
    indexers = Indexers(executable)
    try:
        return indexers.bundle(lang, pages)
    finally:
        indexers.close()


SHARD_TEXT = 800_000
"""Characters of text per bundle of one language.  A large edition's index is split into shards by
document, so that an edit re-indexes the two dozen documents of its shard (Pagefind takes about 20 ms
and 5 ms per 30,000-character page: 0.15 s), not the whole edition."""
SHARD_PAGES = 150
"""Pages per bundle of one language, at most: Pagefind's time grows with pages as well as text, and a
language of short pages (the abstracts of a thousand documents) would otherwise be one bundle that every
edit of an abstract re-indexes whole."""
ENGINE = re.compile(r"^(pagefind\.js|pagefind-worker\.js|wasm\.[^/]*\.pagefind)$")
"""The search engine itself (script, its worker, WebAssembly), which a language's other shards share
with its first bundle: the search page merges them into it."""


def bundle_name(lang: str, shard: int) -> str:
    """``en`` for a language's first bundle, ``en-1``, ``en-2``… for the others."""
    return lang if shard == 0 else f"{lang}-{shard}"


def bundle_language(name: str) -> str:
    return name.split("-", 1)[0]


@functools.lru_cache(maxsize=1 << 14)
def shard_of(document_id: str, count: int) -> int:
    """The shard a document's units go to: fixed by its id, whatever else the edition holds."""
    return int.from_bytes(hashlib.blake2b(document_id.encode("utf-8"), digest_size=8).digest(), "big") % count


def plan_bundles(documents: Iterable[tuple[str, dict[str, tuple[str, int]]]]) -> dict[str, tuple[str, list[str]]]:
    """Bundle name → (language, document ids in order), for documents given with their units
    per language (digest and length of text)."""
    by_lang: dict[str, list[str]] = {}
    sizes: dict[str, int] = {}
    for document_id, languages in documents:
        for lang, (_, size) in languages.items():
            by_lang.setdefault(lang, []).append(document_id)
            sizes[lang] = sizes.get(lang, 0) + size
    bundles: dict[str, tuple[str, list[str]]] = {}
    for lang, ids in sorted(by_lang.items()):
        count = max(1, -(-sizes[lang] // SHARD_TEXT), -(-len(ids) // SHARD_PAGES))
        for document_id in ids:
            bundles.setdefault(bundle_name(lang, shard_of(document_id, count)), (lang, []))[1].append(document_id)
    return dict(sorted(bundles.items()))


def first_bundles(bundles: Iterable[str]) -> set[str]:
    """Each language's first bundle in the order of ``languages.json``, the one that carries the engine.

    (A shard holds the documents whose ids fall to it, so the one named after
    the language may be empty, and then absent.)

    >>> sorted(first_bundles(["en-1", "en-2", "kk", "kk-1"]))
    ['en-1', 'kk']
    """
    first: dict[str, str] = {}
    for name in sorted(bundles):
        first.setdefault(bundle_language(name), name)
    return set(first.values())


def bundle_files(name: str, files: dict[str, bytes], first: bool) -> dict[str, bytes]:
    """A bundle's files in the site; a shard other than its language's first goes without the engine.

    >>> sorted(bundle_files("en-1", {"pagefind.js": b"", "wasm.en.pagefind": b"", "pagefind-entry.json": b""},
    ...                     first=False))
    ['pagefind/en-1/pagefind-entry.json']
    >>> sorted(bundle_files("en", {"pagefind.js": b"", "pagefind-entry.json": b""}, first=True))
    ['pagefind/en/pagefind-entry.json', 'pagefind/en/pagefind.js']
    """
    return {f"{BUNDLE_DIR}/{name}/{path}": data for path, data in files.items()
            if first or not ENGINE.match(path)}


def languages_file(bundles: Iterable[str]) -> tuple[str, bytes]:
    """``pagefind/languages.json``: the bundles the search page asks for (``en``, ``en-1``, ``kk``…)."""
    return f"{BUNDLE_DIR}/languages.json", (json.dumps(sorted(bundles)) + "\n").encode("utf-8")

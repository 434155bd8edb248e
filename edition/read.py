"""Stage 1, read: find the documents, split front matter from Markdown, check it.

Everything a later stage needs from the file system is read here, so the
other stages are pure functions of plain data.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from edition.config import Config
from edition.diagnostics import Diagnostics, SourcePosition, did_you_mean, processing
from edition.yamlsource import YamlDocument, load_yaml

DOCUMENT_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
RESERVED_IDS = frozenset({"about", "bibliography", "sources", "persons", "places", "organisations", "search",
                          "how-to-cite", "static", "pagefind", "en", "kk", "ru", "404"})
"""Folders the site's own pages use: a document there would overwrite them."""
"""Document ids become URL paths forever: lowercase letters, digits, inner hyphens."""
REQUIRED_FIELDS = ("id", "lang", "title")
KNOWN_FIELDS = {"id", "lang", "title", "authors", "date", "journal", "volume", "issue", "pages",
                "doi", "keywords", "abstract", "license", "cite_as", "editorial"}


@dataclass(frozen=True)
class Author:
    name: dict[str, str]
    """Name per language code, e.g. ``{"en": "A. A. Kabyl", "ru": "А. А. Кабыл"}``."""
    affiliation: str | None = None
    orcid: str | None = None


@dataclass(frozen=True)
class DocumentMeta:
    """Front matter, checked; text values stay as written (escaping is the template's job)."""

    id: str
    lang: str
    title: dict[str, str]
    authors: tuple[Author, ...] = ()
    date: str | None = None
    journal: dict[str, str] = field(default_factory=dict)
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    abstract: dict[str, str] = field(default_factory=dict)
    cite_as: dict[str, str] = field(default_factory=dict)
    license: str | None = None
    editorial: tuple[str, ...] = ()
    """Dotted paths of values the editors supplied (not printed in the source)."""


@dataclass(frozen=True)
class SourceDocument:
    src_path: str
    """Path relative to the project root, e.g. ``content/nomadic-migrants.md``."""
    meta: DocumentMeta
    front_matter: YamlDocument
    body: str
    body_line: int
    """Line number (from 1) of the body's first line in the file."""


@dataclass(frozen=True)
class EditorialChange:
    kind: str
    printed: str
    edited: str
    note: str | None
    position: SourcePosition


@dataclass(frozen=True)
class Sources:
    """Everything read from disk for one build."""

    documents: tuple[SourceDocument, ...]
    editorial_logs: dict[str, tuple[EditorialChange, ...]]
    """Document id → editorial log, in the order written."""


FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)


def display_path(path: Path, config: Config) -> str:
    """``path`` as diagnostics show it: relative to the project root, with forward slashes."""
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return path.as_posix()


def inside_project(path: Path, config: Config) -> bool:
    """Whether ``path``, with every symbolic link followed, stays inside the project."""
    root = config.root.resolve()
    target = path.resolve()
    return target == root or root in target.parents


def read_bytes(path: Path, config: Config, diagnostics: Diagnostics) -> bytes | None:
    """The bytes of a project file, or None and a diagnostic; never an exception."""
    display = display_path(path, config)
    if not inside_project(path, config):
        diagnostics.error(SourcePosition(display), "path-outside",
                          f"{display} is a link to a file outside the project; copy the file in instead")
        return None
    try:
        return path.read_bytes()
    except IsADirectoryError:
        diagnostics.error(SourcePosition(display), "file-unreadable", f"{display} is a folder, not a file")
    except OSError as error:
        diagnostics.error(SourcePosition(display), "file-unreadable",
                          f"cannot read {display}: {error.strerror or error}")
    return None


def read_text(path: Path, config: Config, diagnostics: Diagnostics, raw: bytes | None = None) -> str | None:
    """The UTF-8 text of a project file, or None and a diagnostic; never an exception.

    Line ends are normalised to ``\\n`` and a byte order mark is dropped.
    ``raw``: the file's bytes, when :func:`read_bytes` read them already.
    """
    display = display_path(path, config)
    if raw is None:
        raw = read_bytes(path, config, diagnostics)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        diagnostics.error(SourcePosition(display, line, col), "file-encoding",
                          f"not UTF-8 text: byte 0x{raw[error.start]:02x} cannot be decoded; save the file as UTF-8")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _text_map(value: object, path: str, fm: YamlDocument, languages: tuple[str, ...],
              diagnostics: Diagnostics) -> dict[str, str]:
    """A per-language value: a mapping of language code to text."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        diagnostics.error(fm.position(path), "fm-type",
                          f"'{path}' must map language codes to text, e.g. en: ...")
        return {}
    result = {}
    for lang, text in value.items():
        if lang not in languages:
            diagnostics.error(fm.position(f"{path}.{lang}"), "fm-language",
                              f"unknown language code {lang!r} in '{path}'",
                              "known: " + ", ".join(languages))
        elif not isinstance(text, str):
            diagnostics.error(fm.position(f"{path}.{lang}"), "fm-type", f"'{path}.{lang}' must be text")
        else:
            result[lang] = text
    return result


def _scalar(fm: YamlDocument, key: str, diagnostics: Diagnostics) -> str | None:
    value = fm.data.get(key)  # type: ignore[union-attr]
    if value is None:
        return None
    if not isinstance(value, str):
        diagnostics.error(fm.position(key), "fm-type", f"'{key}' must be a single value")
        return None
    return value


def _list(fm: YamlDocument, key: str, diagnostics: Diagnostics) -> list:
    value = fm.data.get(key) or []  # type: ignore[union-attr]
    if not isinstance(value, list):
        diagnostics.error(fm.position(key), "fm-type", f"'{key}' must be a list")
        return []
    return value


def check_front_matter(fm: YamlDocument, config: Config, diagnostics: Diagnostics) -> DocumentMeta | None:
    data = fm.data
    if not isinstance(data, dict):
        diagnostics.error(fm.position(""), "fm-type", "front matter must be a mapping of fields")
        return None
    ok = True
    for key in REQUIRED_FIELDS:
        if key not in data:
            diagnostics.error(fm.position(""), "fm-missing", f"missing required field '{key}'")
            ok = False
    for key in sorted(set(data) - KNOWN_FIELDS):
        diagnostics.warning(fm.position(key), "fm-unknown", f"unknown front matter field '{key}'",
                            did_you_mean(key, KNOWN_FIELDS))
    if not ok:
        return None
    doc_id = _scalar(fm, "id", diagnostics) or ""
    if not DOCUMENT_ID_RE.match(doc_id):
        diagnostics.error(fm.position("id"), "fm-id",
                          f"document id {doc_id!r} must be lowercase letters, digits and hyphens")
    elif doc_id in RESERVED_IDS or doc_id in config.languages:
        diagnostics.error(fm.position("id"), "fm-id",
                          f"document id {doc_id!r} is the address of one of the site's own pages; choose another")
    lang = _scalar(fm, "lang", diagnostics) or ""
    if lang not in config.languages:
        diagnostics.error(fm.position("lang"), "fm-language", f"unknown language code {lang!r}",
                          "known: " + ", ".join(config.languages))
    title = _text_map(data["title"], "title", fm, config.languages, diagnostics)
    if lang in config.languages and lang not in title:
        diagnostics.error(fm.position("title"), "fm-missing", f"no title in the document's language '{lang}'")
    authors = []
    for i, author in enumerate(_list(fm, "authors", diagnostics)):
        if not isinstance(author, dict) or "name" not in author:
            diagnostics.error(fm.position(f"authors.{i}"), "fm-type", "an author needs a 'name'")
            continue
        name = author["name"]
        names = ({lang: name} if isinstance(name, str)
                 else _text_map(name, f"authors.{i}.name", fm, config.languages, diagnostics))
        extra = {}
        for key in ("affiliation", "orcid"):
            value = author.get(key)
            if value is not None and not isinstance(value, str):
                diagnostics.error(fm.position(f"authors.{i}.{key}"), "fm-type", f"'{key}' must be text")
                value = None
            extra[key] = value
        authors.append(Author(names, extra["affiliation"], extra["orcid"]))
    keywords: dict[str, tuple[str, ...]] = {}
    keyword_map = data.get("keywords") or {}
    if not isinstance(keyword_map, dict):
        diagnostics.error(fm.position("keywords"), "fm-type", "'keywords' must map language codes to lists")
        keyword_map = {}
    for kw_lang, words in keyword_map.items():
        if kw_lang not in config.languages:
            diagnostics.error(fm.position(f"keywords.{kw_lang}"), "fm-language",
                              f"unknown language code {kw_lang!r} in 'keywords'",
                              "known: " + ", ".join(config.languages))
        elif not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            diagnostics.error(fm.position(f"keywords.{kw_lang}"), "fm-type", "keywords must be a list of words")
        else:
            keywords[kw_lang] = tuple(words)
    editorial = _list(fm, "editorial", diagnostics)
    return DocumentMeta(
        id=doc_id, lang=lang, title=title, authors=tuple(authors),
        date=_scalar(fm, "date", diagnostics),
        journal=_text_map(data.get("journal"), "journal", fm, config.languages, diagnostics),
        volume=_scalar(fm, "volume", diagnostics), issue=_scalar(fm, "issue", diagnostics),
        pages=_scalar(fm, "pages", diagnostics), doi=_scalar(fm, "doi", diagnostics),
        keywords=keywords,
        abstract=_text_map(data.get("abstract"), "abstract", fm, config.languages, diagnostics),
        cite_as=_text_map(data.get("cite_as"), "cite_as", fm, config.languages, diagnostics),
        license=_scalar(fm, "license", diagnostics),
        editorial=tuple(str(e) for e in editorial) if isinstance(editorial, list) else (),
    )


def read_document(path: Path, config: Config, diagnostics: Diagnostics) -> SourceDocument | None:
    display = display_path(path, config)
    text = read_text(path, config, diagnostics)
    if text is None:
        return None
    match = FRONT_MATTER_RE.match(text)
    if not match:
        diagnostics.error(SourcePosition(display), "fm-missing",
                          "no front matter: a document starts with '---', its YAML fields, and '---'")
        return None
    fm, problems = load_yaml(match.group(1), display, line_offset=1)
    diagnostics.extend(problems)
    if fm is None:
        return None
    meta = check_front_matter(fm, config, diagnostics)
    if meta is None:
        return None
    body_line = text.count("\n", 0, match.end()) + 1
    return SourceDocument(display, meta, fm, text[match.end():], body_line)


def read_editorial_log(path: Path, config: Config, diagnostics: Diagnostics) -> tuple[EditorialChange, ...]:
    display = display_path(path, config)
    text = read_text(path, config, diagnostics)
    if text is None:
        return ()
    doc, problems = load_yaml(text, display)
    diagnostics.extend(problems)
    if doc is None:
        return ()
    entries = doc.data.get("entries") if isinstance(doc.data, dict) else None
    if not isinstance(entries, list):
        diagnostics.error(doc.position(""), "log-type", "an editorial log holds a list 'entries'")
        return ()
    changes = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not {"kind", "printed", "edited"} <= set(entry):
            diagnostics.error(doc.position(f"entries.{i}"), "log-type",
                              "an editorial log entry needs 'kind', 'printed' and 'edited'")
            continue
        mistyped = [key for key in ("kind", "printed", "edited", "note") if isinstance(entry.get(key), (dict, list))]
        if mistyped:
            diagnostics.error(doc.position(f"entries.{i}.{mistyped[0]}"), "log-type",
                              f"'{mistyped[0]}' of an editorial log entry must be text")
            continue
        note = entry.get("note")
        changes.append(EditorialChange(str(entry["kind"]), str(entry["printed"] or ""),
                                       str(entry["edited"] or ""), None if note is None else str(note),
                                       doc.position(f"entries.{i}")))
    return tuple(changes)


def check_project_files(config: Config, diagnostics: Diagnostics) -> None:
    """Templates and static assets are read as they are: none may be a link leading out of the project."""
    if not config.templates_dir.exists():
        diagnostics.error(SourcePosition("templates"), "template-missing",
                          "no templates/ folder: the site's pages are made from the templates in it")
        return
    if not inside_project(config.templates_dir, config):
        diagnostics.error(SourcePosition("templates"), "path-outside",
                          "templates/ is a link to a folder outside the project")
        return
    for folder, dirs, names in os.walk(config.templates_dir):
        for name in sorted(dirs + names):
            path = Path(folder) / name
            if path.is_symlink() and not inside_project(path, config):
                diagnostics.error(SourcePosition(display_path(path, config)), "path-outside",
                                  f"{display_path(path, config)} is a link to a file outside the project")


def read_sources(config: Config, diagnostics: Diagnostics) -> Sources:
    """Read every document and editorial log; check ids are unique."""
    documents: list[SourceDocument] = []
    seen: dict[str, SourceDocument] = {}
    for path in sorted(config.content_dir.glob("*.md")):
        with processing(display_path(path, config)):
            document = read_document(path, config, diagnostics)
        if document is None:
            continue
        if document.meta.id in seen:
            first = seen[document.meta.id]
            diagnostics.error(document.front_matter.position("id"), "fm-duplicate-id",
                              f"document id {document.meta.id!r} is already used by {first.src_path}"
                              f":{first.front_matter.position('id').line}")
            continue
        seen[document.meta.id] = document
        documents.append(document)
    logs = {}
    for document in documents:
        log_path = config.content_dir / "editorial" / f"{document.meta.id}.yml"
        if log_path.exists() or log_path.is_symlink():
            with processing(display_path(log_path, config)):
                logs[document.meta.id] = read_editorial_log(log_path, config, diagnostics)
    return Sources(tuple(documents), logs)

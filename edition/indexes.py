"""Indexes of persons, places and organisations: registers, mentions, register pages.

A register (``content/registers/persons.yml``, ``places.yml``,
``organisations.yml``) defines each entity once, by key, with its names in
the edition's languages, the spellings the sources use, a short
description and, for places, coordinates.  What the editors supplied
rather than the source printed is listed under ``editorial`` and shown as
such, because a reader must be able to tell the article's facts from the
edition's.  The places register also keeps the migration routes the map
draws, each with the passage of the source it rests on.

The text marks mentions with index terms (``extensions/index_terms.py``);
here they are checked against the registers, linked to the register pages,
and collected as backlinks, so each entry lists every paragraph that names
it.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from edition.citations.collation import sort_key
from edition.config import Config
from edition.diagnostics import Diagnostics, SourcePosition, did_you_mean
from edition.extensions.index_terms import KINDS, IndexTermOccurrence
from edition.read import display_path, read_text
from edition.svgmap import MapPlace, MapRoute, draw_map
from edition.yamlsource import YamlDocument, load_yaml

if TYPE_CHECKING:  # resolve.py imports this module; Backlink is only carried here
    from edition.resolve import Backlink

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True)
class RegisterKind:
    """A register; its page's title and introduction are the template's (translatable) strings."""

    kind: str
    """The class written in the text: ``person``, ``place``, ``org``."""
    slug: str
    """The page's path and the register's list key: ``persons``, ``places``, ``organisations``."""
    noun: str
    """For messages: ``person``, ``place``, ``organisation``."""


REGISTER_KINDS = {
    "person": RegisterKind("person", "persons", "person"),
    "place": RegisterKind("place", "places", "place"),
    "org": RegisterKind("org", "organisations", "organisation"),
}


@dataclass(frozen=True)
class RegisterEntry:
    key: str
    kind: str
    name: dict[str, str]
    """Name per language code; only forms the source gives, or the editors' listed in ``editorial``."""
    position: SourcePosition
    variants: tuple[str, ...] = ()
    """Other spellings the sources print."""
    description: str | None = None
    editorial: tuple[str, ...] = ()
    """Fields supplied by the editors: ``name.kk``, ``description``, ``coordinates``..."""
    coordinates: tuple[float, float] | None = None
    """(latitude, longitude) in degrees, places only."""
    note: str | None = None

    def is_editorial(self, path: str) -> bool:
        return path in self.editorial


@dataclass(frozen=True)
class Route:
    """A route the source describes, drawn on the places map as the editors reconstruct it."""

    name: str
    places: tuple[str, ...]
    """Keys of places, in the order travelled."""
    source: str
    """The source's words the route rests on."""
    position: SourcePosition


@dataclass(frozen=True)
class IndexRegisters:
    entries: dict[str, dict[str, RegisterEntry]]
    """Kind (``person``, ``place``, ``org``) → key → entry."""
    routes: tuple[Route, ...] = ()
    map_note: str | None = None
    """What the places map stands for in the source (``map_note`` in ``places.yml``)."""


@dataclass(frozen=True)
class IndexEntry:
    """An entry as its register page shows it."""

    entry: RegisterEntry
    heading: str
    heading_lang: str
    other_names: tuple[tuple[str, str], ...]
    """(language, name) of the entry's other names."""
    backlinks: tuple["Backlink", ...]


@dataclass(frozen=True)
class IndexPage:
    kind: RegisterKind
    lang: str
    """The default language: the map's labels and ``entries`` follow it."""
    entries: tuple[IndexEntry, ...]
    routes: tuple[Route, ...] = ()
    place_names: dict[str, str] = field(default_factory=dict)
    """Key → display name of every place, for the routes list and the map."""
    map_note: str | None = None
    localised: dict[str, tuple[IndexEntry, ...]] = field(default_factory=dict)
    """Language → the entries headed and sorted for the page in that language."""

    def entries_in(self, lang: str) -> tuple[IndexEntry, ...]:
        return self.localised.get(lang, self.entries)


def _load(path: Path, config: Config, diagnostics: Diagnostics) -> YamlDocument | None:
    if not path.exists() and not path.is_symlink():
        return None
    display = display_path(path, config)
    text = read_text(path, config, diagnostics)  # refuses links out of the project, bad encodings
    if text is None:
        return None
    doc, problems = load_yaml(text, display)
    diagnostics.extend(problems)
    if doc is not None and not isinstance(doc.data, dict):
        diagnostics.error(doc.position(""), "register-type", f"{display} must be a mapping")
        return None
    return doc


def _text(value: object) -> str | None:
    return None if value is None else " ".join(str(value).split())


def _strings(value: object, path: str, doc: YamlDocument, diagnostics: Diagnostics) -> tuple[str, ...]:
    """A list of plain values as text; one value counts as a list of one (``variants: Aldabergnov``)."""
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    if any(isinstance(v, (dict, list)) for v in values):
        diagnostics.error(doc.position(path), "register-type", "expected a list of plain values")
        return ()
    return tuple(" ".join(str(v).split()) for v in values)


def _coordinates(item: dict, where: str, doc: YamlDocument, diagnostics: Diagnostics) -> tuple[float, float] | None:
    value = item.get("coordinates")
    if value is None:
        return None
    try:
        lat, lon = float(value["lat"]), float(value["lon"])  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        diagnostics.error(doc.position(f"{where}.coordinates"), "register-coordinates",
                          "coordinates need numeric 'lat' and 'lon' (decimal degrees)")
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        wrong = "lat" if not -90 <= lat <= 90 else "lon"
        diagnostics.error(doc.position(f"{where}.coordinates.{wrong}"), "register-coordinates",
                          f"coordinates out of range: lat {lat}, lon {lon}")
        return None
    return lat, lon


def _entries(doc: YamlDocument, kind: RegisterKind, config: Config, diagnostics: Diagnostics
             ) -> dict[str, RegisterEntry]:
    items = doc.data.get(kind.slug)  # type: ignore[union-attr]
    if not isinstance(items, list):
        diagnostics.error(doc.position(""), "register-type", f"the register must hold a list '{kind.slug}'")
        return {}
    entries: dict[str, RegisterEntry] = {}
    for i, item in enumerate(items):
        where = f"{kind.slug}.{i}"
        if not isinstance(item, dict) or not item.get("key") or not isinstance(item.get("name"), dict):
            diagnostics.error(doc.position(where), "register-type",
                              f"a {kind.noun} needs a 'key' and a 'name' per language")
            continue
        key = str(item["key"])
        if not KEY_RE.match(key):
            diagnostics.error(doc.position(f"{where}.key"), "register-key",
                              f"key {key!r} must be lowercase letters, digits, '.', '_' or '-'")
            continue
        if key in entries:
            diagnostics.error(doc.position(where), "register-duplicate",
                              f"{kind.noun} {key!r} is already defined at line {entries[key].position.line}")
            continue
        names = {str(lang): _text(name) or "" for lang, name in item["name"].items()}
        for lang, name in item["name"].items():
            if isinstance(name, (dict, list)):
                diagnostics.error(doc.position(f"{where}.name.{lang}"), "register-type",
                                  "a name is plain text, one per language")
            elif lang not in config.languages:
                diagnostics.error(doc.position(f"{where}.name.{lang}"), "register-type",
                                  f"unknown language code {lang!r}", "known: " + ", ".join(config.languages))
        entries[key] = RegisterEntry(
            key=key, kind=kind.kind, name={k: v for k, v in names.items() if k in config.languages},
            position=doc.position(where),
            variants=_strings(item.get("variants"), f"{where}.variants", doc, diagnostics),
            description=_text(item.get("description")),
            editorial=_strings(item.get("editorial"), f"{where}.editorial", doc, diagnostics),
            coordinates=_coordinates(item, where, doc, diagnostics) if kind.kind == "place" else None,
            note=_text(item.get("note")))
    return entries


def _routes(doc: YamlDocument, places: dict[str, RegisterEntry], diagnostics: Diagnostics) -> tuple[Route, ...]:
    items = doc.data.get("routes") or []  # type: ignore[union-attr]
    routes = []
    for i, item in enumerate(items if isinstance(items, list) else [None]):
        where = f"routes.{i}"
        keys = item.get("places") if isinstance(item, dict) else None
        if not isinstance(keys, list) or len(keys) < 2 or not item.get("source"):
            diagnostics.error(doc.position(where), "register-route",
                              "a route needs 'places' (two or more place keys) and the 'source' it rests on")
            continue
        good = True
        for j, key in enumerate(keys):
            place = places.get(str(key))
            if place is None or place.coordinates is None:
                problem = "undefined place" if place is None else "place without coordinates"
                diagnostics.error(doc.position(f"{where}.places.{j}"), "register-route",
                                  f"route through {problem} {key!r}",
                                  did_you_mean(str(key), [k for k, p in places.items() if p.coordinates]))
                good = False
        if good:
            routes.append(Route(_text(item.get("name")) or " → ".join(map(str, keys)), tuple(map(str, keys)),
                                _text(item["source"]) or "", doc.position(where)))
    return tuple(routes)


def read_index_registers(config: Config, diagnostics: Diagnostics) -> IndexRegisters:
    """The three registers; missing files are empty registers (an edition may index nothing)."""
    folder = config.content_dir / "registers"
    entries: dict[str, dict[str, RegisterEntry]] = {}
    routes: tuple[Route, ...] = ()
    map_note = None
    for kind in REGISTER_KINDS.values():
        doc = _load(folder / f"{kind.slug}.yml", config, diagnostics)
        entries[kind.kind] = _entries(doc, kind, config, diagnostics) if doc else {}
        if doc and kind.kind == "place":
            routes = _routes(doc, entries["place"], diagnostics)
            map_note = _text(doc.data.get("map_note"))  # type: ignore[union-attr]
    return IndexRegisters(entries, routes, map_note)


def check_index_terms(terms: list[IndexTermOccurrence], registers: IndexRegisters,
                      diagnostics: Diagnostics) -> list[tuple[IndexTermOccurrence, RegisterEntry]]:
    """The terms whose key is defined, each linked to its register page; the others reported."""
    found = []
    for term in terms:
        if term.kind not in REGISTER_KINDS:
            diagnostics.error(term.position, "index-kind", f"unknown index term kind '.{term.kind}'",
                              did_you_mean(term.kind, KINDS) or "use .person, .place or .org")
            continue
        kind = REGISTER_KINDS[term.kind]
        entries = registers.entries.get(term.kind, {})
        if term.key is None or term.key not in entries:
            elsewhere = [other for other, defined in registers.entries.items() if term.key in defined]
            suggestion = (f"{term.key!r} is in the {REGISTER_KINDS[elsewhere[0]].slug} register: "
                          f"write .{elsewhere[0]}" if elsewhere else did_you_mean(term.key or "", entries))
            diagnostics.error(term.position, "index-key",
                              f"index term without a key (write {{.{term.kind} key=…}})" if term.key is None
                              else f"unknown {kind.noun} key {term.key!r}", suggestion)
            continue
        _link(term.element, f"../{kind.slug}/#{term.key}")
        found.append((term, entries[term.key]))
    return found


def _link(span: etree.Element, href: str) -> None:
    """Wrap the span's content in a link, unless it already holds one (links cannot nest)."""
    if span.find(".//a") is not None:
        return
    link = etree.Element("a", {"href": href})
    link.text, span.text = span.text, None
    for child in list(span):
        span.remove(child)
        link.append(child)
    span.append(link)


def _display(entry: RegisterEntry, lang: str, languages: tuple[str, ...]) -> tuple[str, str]:
    for candidate in (lang, *languages, *sorted(entry.name)):
        if entry.name.get(candidate):
            return entry.name[candidate], candidate
    return entry.key, lang


def _entries_for(entries: dict[str, RegisterEntry], kind: RegisterKind, lang: str, languages: tuple[str, ...],
                 mentions: dict[tuple[str, str], list["Backlink"]]) -> tuple[IndexEntry, ...]:
    """The entries headed by their name in ``lang`` (or the next language that has one), alphabetical."""
    shown = []
    for key, entry in entries.items():
        heading, heading_lang = _display(entry, lang, languages)
        others = tuple((code, entry.name[code]) for code in (*languages, *sorted(entry.name))
                       if code != heading_lang and entry.name.get(code))
        shown.append(IndexEntry(entry, heading, heading_lang, tuple(dict.fromkeys(others)),
                                tuple(mentions.get((kind.kind, key), ()))))
    return tuple(sorted(shown, key=lambda item: (sort_key(item.heading), item.entry.key)))


def index_pages(registers: IndexRegisters, mentions: dict[tuple[str, str], list["Backlink"]], lang: str,
                languages: tuple[str, ...], diagnostics: Diagnostics) -> list[IndexPage]:
    """One page per register, alphabetical in each page language; unused entries warned about."""
    pages = []
    place_names = {key: _display(entry, lang, languages)[0]
                   for key, entry in registers.entries.get("place", {}).items()}
    for kind in REGISTER_KINDS.values():
        entries = registers.entries.get(kind.kind, {})
        for key, entry in entries.items():
            if not mentions.get((kind.kind, key)):
                diagnostics.warning(entry.position, "register-unused",
                                    f"{kind.noun} {key!r} is never mentioned in the text",
                                    f"mark a mention with [words]{{.{kind.kind} key={key}}} or remove the entry")
        localised = {code: _entries_for(entries, kind, code, languages, mentions)
                     for code in dict.fromkeys((lang, *languages))}
        places = kind.kind == "place"
        pages.append(IndexPage(kind, lang, localised[lang], registers.routes if places else (),
                               place_names if places else {}, registers.map_note if places else None, localised))
    return pages


def places_map(page: IndexPage) -> str:
    """The places page's map as inline SVG (empty when no place has coordinates)."""
    places = [MapPlace(item.entry.key, item.heading, *item.entry.coordinates)
              for item in page.entries if item.entry.coordinates]
    routes = [MapRoute(" → ".join(page.place_names.get(k, k) for k in route.places), route.places)
              for route in page.routes]
    description = (f"Map of the {len(places)} places of the register that have coordinates"
                   + (f", with {len(routes)} migration routes the source describes: "
                      + "; ".join(r.name for r in routes) if routes else "")
                   + ". An editorial reconstruction, drawn from the registers; each place links to its entry.")
    return draw_map(places, routes, "Places and migration routes (editorial reconstruction)", description)

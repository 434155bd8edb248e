"""Registers: archives and archival units, defined once and cited by key.

An archival unit (archive → fond → inventory → file → volume) is cited with
the literature's citation syntax; its archive's siglum is defined once with
its full names, and the variant sigla the source prints are kept so the
edition can show each normalisation instead of making it silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from edition.config import Config
from edition.diagnostics import Diagnostics, SourcePosition, did_you_mean
from edition.read import display_path, read_text
from edition.yamlsource import YamlDocument, load_yaml

UNIT_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True)
class Archive:
    siglum: str
    name: dict[str, str]
    """Full name per language code."""
    position: SourcePosition
    variants: tuple[str, ...] = ()
    """Other sigla the sources print for this archive (normalised by the edition)."""
    city: dict[str, str] = field(default_factory=dict)
    editorial: tuple[str, ...] = ()
    """Fields supplied by the editors rather than printed in the source."""
    note: str | None = None


@dataclass(frozen=True)
class ArchivalUnit:
    key: str
    archive: str
    """Siglum of the holding archive."""
    position: SourcePosition
    fond: str | None = None
    inventory: str | None = None
    file: str | None = None
    volume: str | None = None
    note: str | None = None

    def path(self) -> tuple[str, ...]:
        """Archive → fond → inventory → file → volume, for sorting the sources page."""
        return tuple(part or "" for part in (self.archive, self.fond, self.inventory, self.file, self.volume))


@dataclass(frozen=True)
class ArchivesRegister:
    archives: dict[str, Archive]
    units: dict[str, ArchivalUnit]

    def archive_of(self, unit: ArchivalUnit) -> Archive:
        return self.archives[unit.archive]


def _load(path: Path, config: Config, list_key: str, diagnostics: Diagnostics
          ) -> tuple[YamlDocument | None, list[dict]]:
    if not path.exists() and not path.is_symlink():
        return None, []
    display = display_path(path, config)
    text = read_text(path, config, diagnostics)
    if text is None:
        return None, []
    doc, problems = load_yaml(text, display)
    diagnostics.extend(problems)
    if doc is None:
        return None, []
    items = doc.data.get(list_key) if isinstance(doc.data, dict) else None
    if not isinstance(items, list):
        diagnostics.error(doc.position(""), "register-type", f"{display} must hold a list '{list_key}'")
        return None, []
    return doc, items


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _scalars(value: object) -> tuple[str, ...] | None:
    """A list of plain values as text (a single value counts as a list of one); None if mistyped."""
    if value is None:
        return ()
    if isinstance(value, (str, bool)):
        return (str(value),)
    if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
        return tuple(str(v) for v in value)
    return None


def _text_map(value: object) -> dict[str, str] | None:
    """A mapping of language code to plain text; None if mistyped."""
    if value is None:
        return {}
    if isinstance(value, dict) and not any(isinstance(v, (dict, list)) for v in value.values()):
        return {str(k): str(v) for k, v in value.items()}
    return None


def _mistyped(item: dict, fields: tuple[str, ...]) -> str | None:
    """The first of ``fields`` holding a mapping or a list where a plain value belongs."""
    return next((key for key in fields if isinstance(item.get(key), (dict, list))), None)


def read_archives(config: Config, diagnostics: Diagnostics) -> ArchivesRegister:
    folder = config.content_dir / "registers"
    doc, items = _load(folder / "archives.yml", config, "archives", diagnostics)
    archives: dict[str, Archive] = {}
    for i, item in enumerate(items):
        where = doc.position(f"archives.{i}")  # type: ignore[union-attr]
        if not isinstance(item, dict) or not item.get("siglum") or not isinstance(item.get("name"), dict):
            diagnostics.error(where, "register-type", "an archive needs a 'siglum' and a 'name' per language")
            continue
        name, city = _text_map(item["name"]), _text_map(item.get("city"))
        variants, editorial = _scalars(item.get("variants")), _scalars(item.get("editorial"))
        wrong = _mistyped(item, ("siglum", "note")) or next(
            (key for key, value in (("name", name), ("city", city), ("variants", variants),
                                    ("editorial", editorial)) if value is None), None)
        if wrong:
            diagnostics.error(doc.position(f"archives.{i}.{wrong}"), "register-type",  # type: ignore[union-attr]
                              f"'{wrong}' of an archive has the wrong type: "
                              + ("a list of sigla or fields" if wrong in ("variants", "editorial") else
                                 "text per language code" if wrong in ("name", "city") else "plain text"))
            continue
        siglum = str(item["siglum"])
        if siglum in archives:
            diagnostics.error(where, "register-duplicate",
                              f"archive {siglum!r} is already defined at line {archives[siglum].position.line}")
            continue
        archives[siglum] = Archive(
            siglum=siglum, name=name, position=where,  # type: ignore[arg-type]
            variants=variants, city=city,  # type: ignore[arg-type]
            editorial=editorial, note=_text(item.get("note")))  # type: ignore[arg-type]
    doc, items = _load(folder / "archival-units.yml", config, "units", diagnostics)
    units: dict[str, ArchivalUnit] = {}
    for i, item in enumerate(items):
        where = doc.position(f"units.{i}")  # type: ignore[union-attr]
        if not isinstance(item, dict) or not item.get("key") or not item.get("archive"):
            diagnostics.error(where, "register-type", "an archival unit needs a 'key' and an 'archive'")
            continue
        wrong = _mistyped(item, ("key", "archive", "fond", "inventory", "file", "volume", "note"))
        if wrong:
            diagnostics.error(doc.position(f"units.{i}.{wrong}"), "register-type",  # type: ignore[union-attr]
                              f"'{wrong}' of an archival unit must be plain text")
            continue
        key = str(item["key"])
        if not UNIT_KEY_RE.match(key):
            diagnostics.error(where, "register-key", f"unit key {key!r} must be lowercase letters, digits, '.', '_' or '-'")
            continue
        if key in units:
            diagnostics.error(where, "register-duplicate",
                              f"archival unit {key!r} is already defined at line {units[key].position.line}")
            continue
        siglum = str(item["archive"])
        if siglum not in archives:
            diagnostics.error(doc.position(f"units.{i}.archive"), "register-archive",  # type: ignore[union-attr]
                              f"undefined archive siglum {siglum!r}", did_you_mean(siglum, archives))
            continue
        units[key] = ArchivalUnit(key=key, archive=siglum, position=where,
                                  fond=_text(item.get("fond")), inventory=_text(item.get("inventory")),
                                  file=_text(item.get("file")), volume=_text(item.get("volume")),
                                  note=_text(item.get("note")))
    return ArchivesRegister(archives, units)

"""The build's memory between runs: content digests and a small key-value store.

Everything a later build reuses lives in ``.edition-cache/state.sqlite``,
one row per record (a document's facts, the site on disk, the digests of
the bibliography's entries…), each a pickled value under a kind and a key.
SQLite writes a changed row without rewriting the rest, survives a build
killed half-way (the transaction is simply not there), and reads one row
without reading the others.  Nothing in the store is ever trusted blindly:
every record carries the digests of what it was made from, and a record
whose inputs changed is not used.  A store that cannot be read is a store
that is empty; deleting ``.edition-cache/`` only costs a full build.

A running ``edition serve`` keeps the records it read in memory; the
generation row, bumped by every build that writes, tells it when another
process changed the store under it.
"""
from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any, Iterable

STORE_NAME = "state.sqlite"
FORMAT = 1
"""Bump when the layout of the store changes.  A store written by another version of the generator
(its code, catalogues or libraries) is emptied when opened."""

_DEPENDENCIES = ("markdown", "jinja2", "pybtex", "pyyaml", "nh3", "babel", "markupsafe", "pagefind")
"""Libraries whose version changes what a page looks like."""


def digest(*parts: object) -> str:
    """A short, stable digest of plain values: strings, bytes, numbers, None and tuples or lists of them.

    >>> digest("a", ("b", 1)) == digest("a", ("b", 1)) != digest("a", ("b", 2))
    True
    """
    return pickle_digest(parts)


def bytes_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def pickle_digest(value: object) -> str:
    """The digest of a value through its pickle: for plain data and frozen dataclasses of it.

    Equal values give equal digests in any process: the pickler keeps no
    memo (which would depend on which equal strings happen to be one
    object), and sets, whose order changes from process to process, must
    not occur in the value.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return hashlib.blake2b(buffer.getvalue(), digest_size=16).hexdigest()


_version: str | None = None


def generator_version() -> str:
    """A digest of the generator itself: its code, catalogues, and the libraries that shape pages.

    A change to any of them makes every page's dependencies differ, so an
    upgraded generator never reuses what an older one made.
    """
    global _version
    if _version is None:
        package = Path(__file__).resolve().parent
        parts: list[object] = [str(FORMAT)]
        for path in sorted(package.rglob("*")):
            if path.suffix in (".py", ".po", ".pot") and "__pycache__" not in path.parts:
                parts.append((path.relative_to(package).as_posix(), path.read_bytes()))
        versions = installed_versions(_DEPENDENCIES)
        parts.extend((name, versions.get(name)) for name in _DEPENDENCIES)
        _version = digest(*parts)
    return _version


def _distribution(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def installed_versions(names: Iterable[str]) -> dict[str, str]:
    """The installed version of each distribution named, from its metadata folder's name
    (``Markdown-3.11.3.dist-info``), the first found along ``sys.path``, as ``importlib.metadata``
    finds it: that module takes longer to import than a small edit takes to build."""
    installed = _installed()
    return {name: installed[_distribution(name)] for name in names if _distribution(name) in installed}


@functools.lru_cache(maxsize=1)
def _installed() -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listed = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in sorted(listed):
            if folder.endswith((".dist-info", ".egg-info")):
                distribution, _, version = folder.rsplit(".", 1)[0].partition("-")
                found.setdefault(_distribution(distribution), version)
    return found


class Store:
    """Pickled records by (kind, key) in one SQLite file; a damaged file is treated as empty."""

    FORGET = {"page"}
    """Kinds written but not kept in memory: large, and read once."""

    def __init__(self, cache_dir: Path):
        self.path = cache_dir / STORE_NAME
        self._memory: dict[tuple[str, str], Any] = {}
        self._generation: int | None = None
        self._db: sqlite3.Connection | None = None
        self.local: dict[str, Any] = {}
        """What a long-running process keeps between its builds (never written); forgotten with the
        remembered records when another process writes the store."""

    # -- connection --------------------------------------------------------------------------------
    def _exists(self) -> bool:
        """Whether there is a store to read (nothing is created until a build writes)."""
        return self._db is not None or self.path.exists()

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._db = self._open()
            except sqlite3.DatabaseError:  # not a database (a crash, or someone's file): start afresh
                self.path.unlink(missing_ok=True)
                for suffix in ("-wal", "-shm"):
                    self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
                self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS records (kind TEXT, key TEXT, value BLOB, "
                   "PRIMARY KEY (kind, key)) WITHOUT ROWID")
        # Records made by another version of the generator may not even have the same fields: start afresh.
        version = f"{FORMAT}:{generator_version()}"
        row = db.execute("SELECT value FROM records WHERE kind='store' AND key='format'").fetchone()
        if row is None or _loads(row[0]) != version:
            db.execute("DELETE FROM records")
            db.execute("INSERT INTO records VALUES ('store', 'format', ?)", (pickle.dumps(version),))
        return db

    def refresh(self) -> None:
        """Forget remembered records if another process wrote the store since they were read."""
        generation = self._read_generation() if self._exists() else 0
        if generation != self._generation:
            self._memory.clear()
            self.local.clear()
            self._generation = generation

    def remembers(self, kind: str, key: str) -> bool:
        """Whether the record is held in memory: read or written by this process, and unchanged since."""
        return (kind, key) in self._memory

    def _read_generation(self) -> int:
        try:
            row = self._connect().execute(
                "SELECT value FROM records WHERE kind='store' AND key='generation'").fetchone()
        except sqlite3.DatabaseError:
            return -1
        value = _loads(row[0]) if row else 0
        return value if isinstance(value, int) else 0

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- reading -----------------------------------------------------------------------------------
    def get(self, kind: str, key: str, default: Any = None) -> Any:
        remembered = self._memory.get((kind, key), _MISSING)
        if remembered is not _MISSING:
            return remembered
        if not self._exists():
            return default
        try:
            row = self._connect().execute("SELECT value FROM records WHERE kind=? AND key=?",
                                          (kind, key)).fetchone()
        except sqlite3.DatabaseError:
            return default
        value = _loads(row[0]) if row else _MISSING
        if value is _MISSING:
            return default
        self._memory[(kind, key)] = value
        return value

    def get_many(self, kind: str, keys: Iterable[str], remember: bool = True) -> dict[str, Any]:
        """The records of ``kind`` under ``keys`` that exist (kept in memory unless ``remember`` is false)."""
        found: dict[str, Any] = {}
        wanted = []
        for key in keys:
            remembered = self._memory.get((kind, key), _MISSING)
            if remembered is _MISSING:
                wanted.append(key)
            else:
                found[key] = remembered
        for start in range(0, len(wanted) if self._exists() else 0, 500):
            chunk = wanted[start:start + 500]
            try:
                rows = self._connect().execute(
                    f"SELECT key, value FROM records WHERE kind=? AND key IN ({','.join('?' * len(chunk))})",
                    (kind, *chunk)).fetchall()
            except sqlite3.DatabaseError:
                continue
            for key, blob in rows:
                value = _loads(blob)
                if value is not _MISSING:
                    found[key] = value
                    if remember:
                        self._memory[(kind, key)] = value
        return found

    def keys(self, kind: str) -> list[str]:
        if not self._exists():
            return []
        try:
            return [key for (key,) in self._connect().execute("SELECT key FROM records WHERE kind=?", (kind,))]
        except sqlite3.DatabaseError:
            return []

    # -- writing -----------------------------------------------------------------------------------
    def write(self, puts: Iterable[tuple[str, str, Any]], deletes: Iterable[tuple[str, str]] = ()) -> None:
        """Put and delete records in one transaction, and bump the generation."""
        puts = list(puts)
        rows = ((kind, key, pickle.dumps(value, protocol=5)) for kind, key, value in puts)  # one at a time
        gone = list(deletes)
        try:
            db = self._connect()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", rows)
                db.executemany("DELETE FROM records WHERE kind=? AND key=?", gone)
                generation = self._read_generation() + 1
                db.execute("INSERT OR REPLACE INTO records VALUES ('store', 'generation', ?)",
                           (pickle.dumps(generation),))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError:  # a cache that cannot be written only costs time next build
            self._memory.clear()
            return
        for kind, key in gone:
            self._memory.pop((kind, key), None)
        for kind, key, value in puts:
            if kind in self.FORGET:
                self._memory.pop((kind, key), None)
            else:
                self._memory[(kind, key)] = value
        self._generation = generation

    def put(self, kind: str, key: str, value: Any) -> None:
        self.write([(kind, key, value)])


_MISSING = object()


def _loads(blob: bytes) -> Any:
    try:
        return pickle.loads(blob)
    except Exception:  # noqa: BLE001 - a record of an older layout, or damaged: as if absent
        return _MISSING

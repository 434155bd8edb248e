"""Stage 5, write: the new site beside the old one, then swapped in.

A build that fails, or is killed at any moment, never leaves a broken
site: pages go to ``.site.building`` beside the output, and the complete
directory is exchanged with the old site in one atomic step
(``renameat2(RENAME_EXCHANGE)`` on Linux), so ``site/`` is at every
instant either the whole previous site or the whole new one.  Where the
system has no atomic exchange, the old site is first renamed to
``.site.previous``; a build killed between the two renames leaves no
``site/`` for a moment, and the next build puts ``.site.previous`` back
before anything else.  Leftovers of a killed build are removed by the
next one.

Making the new site costs what changed, not what the site holds: the
previous generation is kept as a spare and brought up to date (see
:class:`SiteWriter`), so an edit writes a handful of files.

A marker file in every site lists the files this program wrote; a build
refuses to replace a directory holding anything else.  One build at a
time: a lock in the cache directory makes a second build wait, and fail
with ``build-locked`` if the first does not finish in time.
"""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from edition.cache import bytes_digest
from edition.config import Config
from edition.diagnostics import Diagnostic, EditionError, SourcePosition

if TYPE_CHECKING:
    from edition.cache import Store

MARKER = ".edition-site"
"""Present in every directory this program built; lists the files it wrote."""
MARKER_HEADER = "built by edition"
LOCK_NAME = "build.lock"
LOCK_TIMEOUT = 120.0
"""Seconds a build waits for another build of the same project to finish."""


def _refuse(message: str, code: str = "output-dir", path: str = "edition.toml") -> EditionError:
    return EditionError([Diagnostic(SourcePosition(path), "error", code, message)])


def staging_dir(out: Path) -> Path:
    return out.with_name(f".{out.name}.building")


def previous_dir(out: Path) -> Path:
    return out.with_name(f".{out.name}.previous")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_dir(config: Config, unchanged: bool = False) -> None:
    """Refuse an output directory that would overwrite sources or someone else's files.

    ``unchanged``: the caller knows the directory holds exactly the files the
    last build wrote (see :meth:`SiteWriter.untouched`), so it is not listed.
    """
    if config.out_dir.is_symlink():
        raise _refuse(f"the output directory {config.out_dir.name!r} is a symbolic link; "
                      "give the real directory with --out")
    out = config.out_dir.resolve()
    root = config.root.resolve()
    if out == root or out in root.parents:
        raise _refuse(f"the output directory {out.name!r} would hold the whole project")
    for folder, name in ((config.content_dir, "content/"), (config.templates_dir, "templates/"),
                         (config.cache_dir, ".edition-cache/"), (root / ".git", ".git/")):
        folder = folder.resolve()
        if _inside(out, folder) or _inside(folder, out):
            raise _refuse(f"the output directory may not be, contain or sit inside {name}")
    if out.exists() and not out.is_dir():
        raise _refuse(f"{out.name} is a file, not a directory: choose another --out")
    foreign = [] if unchanged else foreign_files(out)
    if foreign:
        raise _refuse(f"{out.name}/ holds files this program did not write ({foreign[0]}"
                      f"{f' and {len(foreign) - 1} more' if len(foreign) > 1 else ''}); "
                      "move them to templates/static/ or choose another --out")


def foreign_files(out: Path) -> list[str]:
    """Files in ``out`` that the site it holds did not list as its own (all of them if no marker)."""
    if not out.is_dir():
        return []
    present: list[str] = []
    pending = [("", str(out))]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((f"{prefix}{entry.name}/", entry.path))
                else:
                    present.append(prefix + entry.name)
    present.sort()
    marker = out / MARKER
    if not marker.is_file() or marker.is_symlink():
        return present
    try:
        lines = marker.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return present
    if not lines or lines[0] != MARKER_HEADER:
        return present
    listed = set(lines[1:])
    if not listed:  # a site from before the marker listed its files
        return []
    return [path for path in present if path != MARKER and path not in listed]


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def recover_output(config: Config) -> None:
    """Undo what a killed build left: restore a site caught between renames, drop half-built ones."""
    out = config.out_dir.resolve() if not config.out_dir.is_symlink() else config.out_dir
    staging, previous = staging_dir(out), previous_dir(out)
    if previous.is_dir() and not previous.is_symlink() and not os.path.lexists(out):
        os.replace(previous, out)
    for leftover in (staging, previous):
        if os.path.lexists(leftover):
            _remove(leftover)


_renameat2 = None


def exchange(first: Path, second: Path) -> bool:
    """Swap two directories in one atomic step; False where the system cannot."""
    global _renameat2
    if not sys.platform.startswith("linux"):
        return False
    if _renameat2 is None:
        try:
            function = ctypes.CDLL(None, use_errno=True).renameat2
        except (OSError, AttributeError):
            _renameat2 = False
            return False
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        function.restype = ctypes.c_int
        _renameat2 = function
    if _renameat2 is False:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if _renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(second))


@dataclass
class TreeState:
    """What a site folder holds, as the build that last wrote it left it."""

    files: dict[str, str] = field(default_factory=dict)
    """Output path → digest of its bytes (the marker file included)."""
    stats: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    """Output path → (inode, size, modification time) when written: a file changed since shows."""
    made_from: dict[str, str] = field(default_factory=dict)
    """Output path → digest of what it was made from (see ``incremental.py``)."""
    folders: dict[str, int] = field(default_factory=dict)
    """Folder → modification time: a file added since shows."""
    inode: int = 0
    """Of the folder itself, which the atomic exchange moves with its contents."""


@dataclass
class SiteState:
    """The two site folders a build keeps: the live site, and the previous generation (the spare)."""

    out: str = ""
    live: TreeState | None = None
    spare: TreeState | None = None


def _stat(path: Path) -> tuple[int, int, int]:
    info = path.stat()
    return info.st_ino, info.st_size, info.st_mtime_ns


def create_files(files: list[tuple[str, bytes]]) -> list[tuple[int, int, int]]:
    """Create each file (absolute path, bytes); each one's (inode, size, modification time)."""
    made = []
    for path, data in files:
        target = Path(path)
        target.write_bytes(data)
        made.append(_stat(target))
    return made


def _checked(relative: str) -> str:
    """A path the site may hold: relative, inside, not the marker."""
    parts = relative.split("/")
    if relative.startswith("/") or relative == MARKER or any(p in ("", ".", "..") for p in parts):
        raise _refuse(f"refusing to write outside the output directory: {relative}")
    return relative


class SiteWriter:
    """Writes a new site beside the live one and swaps it in; unchanged files cost (almost) nothing.

    The new site is made in ``.site.building`` from the *spare*: the site of
    the build before last, kept in ``.edition-cache/site-spare`` after each
    swap instead of being deleted.  A build brings the spare up to date by
    writing the files whose bytes differ from what it holds (a new file each
    time, never in place, since a file may be a hard link shared with the
    live site), linking the files that are unchanged since the live site,
    and deleting the files the new site no longer has; then it swaps it in,
    and the old live site becomes the next spare.  Without a usable spare
    (first build, another file system, a build killed half-way), the folder
    starts empty and unchanged files are hard-linked from the live site.

    The state of both folders is recorded in the cache; the spare's record
    is withdrawn before the spare is touched, so a build killed at any
    moment leaves a spare that the next build does not trust, and deletes.
    """

    def __init__(self, config: Config, store: "Store", trusted: bool = False):
        """``trusted``: the caller made the live site itself and watches it, so it is not checked file by file."""
        self.config = config
        self.store = store
        self.out = config.out_dir.resolve()
        self.staging = staging_dir(self.out)
        self.spare_dir = config.cache_dir.resolve() / "site-spare"
        self.key = str(self.out)
        recorded = store.get("site", "state")
        self.state = recorded if isinstance(recorded, SiteState) and recorded.out == self.key else SiteState(self.key)
        if store.get("site", "busy"):  # a build was killed while it changed the spare
            self.state.spare = None
        self.live = self._verified_live(trusted)
        self.tree: dict[str, str] = {}
        self.stats: dict[str, tuple[int, int, int]] = {}
        self.manifest: dict[str, str] = {}
        self.made_from: dict[str, str] = {}
        self.folders: set[str] = set()
        self.written = 0
        self.started = False

    # -- what the live site holds ------------------------------------------------------------------
    def _verified_live(self, trusted: bool) -> TreeState:
        """The live site's record, keeping only the files still exactly as the build left them."""
        live = self.state.live
        try:
            if live is None or self.out.stat().st_ino != live.inode:
                return TreeState()
        except OSError:
            return TreeState()
        if trusted:
            return live
        files, stats = {}, {}
        base = str(self.out)
        for path, digest in live.files.items():
            try:
                info = os.stat(f"{base}/{path}", follow_symlinks=False)
            except OSError:
                continue
            if (info.st_ino, info.st_size, info.st_mtime_ns) == live.stats.get(path):
                files[path], stats[path] = digest, live.stats[path]
        return TreeState(files, stats, {p: m for p, m in live.made_from.items() if p in files},
                         live.folders, live.inode)

    def unchanged(self, path: str, made_from: str) -> str | None:
        """The digest of the live file at ``path`` when it was made from ``made_from``; None otherwise."""
        if self.live.made_from.get(path) == made_from:
            return self.live.files.get(path)
        return None

    def intact(self, inode: int) -> bool:
        """Whether the live site is the folder ``inode``, with every file as the build left it."""
        live = self.state.live
        return (live is not None and self.live.inode == inode == live.inode
                and len(self.live.files) == len(live.files))

    def untouched(self) -> bool:
        """Whether the live site holds exactly the files the last build wrote, as it wrote them.

        Every file is as recorded (size, time, inode), and no folder was
        changed since (a file added or removed changes its folder's time).
        """
        live = self.state.live
        if live is None or not live.folders or len(self.live.files) != len(live.files):
            return False
        base = str(self.out)
        for folder, mtime in live.folders.items():
            try:
                if os.stat(f"{base}/{folder}" if folder else base).st_mtime_ns != mtime:
                    return False
            except OSError:
                return False
        return True

    # -- making the new site -----------------------------------------------------------------------
    def begin(self) -> None:
        """Put the spare (or an empty folder) where the new site is made."""
        if self.started:
            return
        self.started = True
        spare, self.state.spare = self.state.spare, None
        self.store.put("site", "busy", True)  # the spare is about to change: never trust it after a crash
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            if os.path.lexists(self.staging):
                _remove(self.staging)
            usable = (spare is not None and self.spare_dir.is_dir() and not self.spare_dir.is_symlink()
                      and self.spare_dir.stat().st_ino == spare.inode
                      and self.spare_dir.stat().st_dev == self.out.parent.stat().st_dev)
            if usable:
                os.rename(self.spare_dir, self.staging)
                self.tree, self.stats = dict(spare.files), dict(spare.stats)  # type: ignore[union-attr]
                self.folders = set(spare.folders) - {""}  # type: ignore[union-attr]
            else:
                if os.path.lexists(self.spare_dir):
                    _remove(self.spare_dir)
                self.staging.mkdir()
        except OSError as error:
            raise self._failed(error) from None

    def put(self, relative: str, data: bytes, made_from: str = "") -> None:
        """``relative`` has these bytes in the new site; written unless the folder already holds them."""
        self.put_many([(relative, data, made_from)])

    def put_many(self, files: Iterable[tuple[str, bytes, str]],
                 make: Callable[[list[tuple[str, bytes]]], list[tuple[int, int, int]] | None] | None = None
                 ) -> None:
        """:meth:`put` for each of ``files`` (path, bytes, made-from digest); the files to create are
        handed to ``make`` (:func:`create_files` elsewhere, in other processes), which may decline
        (None): then they are created here."""
        self.begin()
        wanted: list[tuple[str, str, bytes]] = []
        for relative, data, made_from in files:
            digest = bytes_digest(data)
            self.manifest[_checked(relative)] = digest
            self.made_from[relative] = made_from
            if self.tree.get(relative) != digest:
                wanted.append((relative, digest, data))
        if not wanted:
            return
        targets = [(str(self._prepare(relative)), data) for relative, _, data in wanted]
        try:
            made = make(targets) if make is not None else None
            if made is None:
                made = create_files(targets)
        except OSError as error:
            raise self._failed(error) from None
        for (relative, digest, _), stat in zip(wanted, made):
            self.tree[relative] = digest
            self.stats[relative] = stat
            self.written += 1

    def keep(self, relative: str, made_from: str) -> None:
        """``relative`` is unchanged since the live site: the new site gets the same file.

        (The path was checked when the file was first written.)
        """
        if not self.started:
            self.begin()
        digest = self.live.files[relative]
        self.manifest[relative] = digest
        self.made_from[relative] = made_from
        if self.tree.get(relative) == digest:
            return
        target = self._prepare(relative)
        try:
            os.link(self.out / relative, target)
        except OSError:  # no hard links here: copy the bytes
            try:
                target.write_bytes((self.out / relative).read_bytes())
            except OSError as error:
                raise self._failed(error) from None
        self.tree[relative] = digest
        self.stats[relative] = self.live.stats[relative]

    def _prepare(self, relative: str) -> Path:
        """The path in the new site, its folders made and any old file there removed."""
        target = self.staging / relative
        try:
            if relative in self.tree or os.path.lexists(target):
                self.tree.pop(relative, None)
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                elif os.path.lexists(target):
                    target.unlink()
            folder = relative.rpartition("/")[0]
            if folder and folder not in self.folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                while folder and folder not in self.folders:
                    self.folders.add(folder)
                    folder = folder.rpartition("/")[0]
        except OSError as error:
            raise self._failed(error) from None
        return target

    def finish(self) -> int:
        """Drop what the new site no longer has, write the marker, swap the new site in; the file count."""
        self.begin()
        try:
            emptied = set()
            for relative in sorted(set(self.tree) - set(self.manifest) - {MARKER}):
                path = self.staging / relative
                if path.is_symlink() or path.is_file():
                    path.unlink()
                del self.tree[relative]
                self.stats.pop(relative, None)
                emptied.add(relative.rpartition("/")[0])
            self._remove_empty_folders(emptied)
            manifest = "\n".join([MARKER_HEADER, *sorted(self.manifest)]) + "\n"
            marker_digest = bytes_digest(manifest.encode("utf-8"))
            if self.tree.get(MARKER) != marker_digest:
                marker = self.staging / MARKER
                if os.path.lexists(marker):
                    marker.unlink()
                marker.write_text(manifest, encoding="utf-8")
                self.tree[MARKER] = marker_digest
                self.stats[MARKER] = _stat(marker)
            base = str(self.staging)
            folders = {folder: os.stat(f"{base}/{folder}").st_mtime_ns for folder in self.folders}
            folders[""] = self.staging.stat().st_mtime_ns
            new_live = TreeState(dict(self.tree), dict(self.stats), dict(self.made_from), folders,
                                 self.staging.stat().st_ino)
        except OSError as error:
            raise self._failed(error) from None
        old_live = self.state.live if self.live.inode else None
        old_verified = self.live
        if not self.out.exists():
            os.replace(self.staging, self.out)
            old = None
        elif exchange(self.staging, self.out):
            old = self.staging
        else:
            old = previous_dir(self.out)
            os.replace(self.out, old)
            os.replace(self.staging, self.out)
        # Killed from here until the state is saved, the next build finds a site it has no record of
        # (another folder) and makes everything anew.
        self.state = SiteState(self.key, new_live, None)
        if old is None or not self._keep_as_spare(old, old_live, old_verified):
            self._link_spare(new_live)
        self._save()
        return len(self.manifest)

    def _keep_as_spare(self, old: Path, old_live: TreeState | None, verified: TreeState) -> bool:
        """The old live site becomes the spare, when its contents are known and it can move there."""
        usable = old_live is not None and len(verified.files) == len(old_live.files)
        try:
            if usable and old.stat().st_dev == self.spare_dir.parent.stat().st_dev:
                if os.path.lexists(self.spare_dir):
                    _remove(self.spare_dir)
                os.replace(old, self.spare_dir)
                spare = TreeState(old_live.files, old_live.stats, old_live.made_from, old_live.folders,  # type: ignore[union-attr]
                                  self.spare_dir.stat().st_ino)
                self.state.spare = spare
                return True
        except OSError:
            pass
        shutil.rmtree(old, ignore_errors=True)
        return False

    def _link_spare(self, live: TreeState) -> None:
        """No old site to keep (a first build): the spare is the new site again, as hard links.

        The next build then writes only what it changes, as every later one
        does, instead of linking every unchanged file into an empty folder
        while the editor waits.  Sharing the files is safe: a build replaces
        a file of the spare, it never writes into one.
        """
        try:
            if os.path.lexists(self.spare_dir):
                _remove(self.spare_dir)
            self.spare_dir.mkdir(parents=True)
            base, spare = str(self.out), str(self.spare_dir)
            for folder in sorted(live.folders):
                if folder:
                    os.makedirs(f"{spare}/{folder}", exist_ok=True)
            for relative in live.files:
                os.link(f"{base}/{relative}", f"{spare}/{relative}")
            folders = {folder: os.stat(f"{spare}/{folder}").st_mtime_ns for folder in live.folders}
        except OSError:  # no hard links here, or no room: the next build starts from an empty folder
            shutil.rmtree(self.spare_dir, ignore_errors=True)
            return
        self.state.spare = TreeState(dict(live.files), dict(live.stats), dict(live.made_from), folders,
                                     self.spare_dir.stat().st_ino)

    def abort(self) -> None:
        """The build failed: the folder being made goes back to being the spare, as it now is."""
        if not self.started or not self.staging.exists():
            return
        try:
            if os.path.lexists(self.spare_dir):
                _remove(self.spare_dir)
            os.replace(self.staging, self.spare_dir)
            folders = {folder: 0 for folder in self.folders}
            self.state.spare = TreeState(dict(self.tree), dict(self.stats), {}, folders, self.spare_dir.stat().st_ino)
            self._save()
        except OSError:
            shutil.rmtree(self.staging, ignore_errors=True)

    def _remove_empty_folders(self, candidates: set[str]) -> None:
        """Remove the folders of ``candidates`` (and their parents) that are now empty."""
        below = set()
        for folder in candidates:
            while folder:
                below.add(folder)
                folder = folder.rpartition("/")[0]
        for folder in sorted(below & self.folders, key=lambda f: f.count("/"), reverse=True):
            path = self.staging / folder
            try:
                next(os.scandir(path))
            except StopIteration:
                path.rmdir()
                self.folders.discard(folder)
            except FileNotFoundError:
                self.folders.discard(folder)

    def _save(self) -> None:
        self.store.write([("site", "state", self.state)], [("site", "busy")])

    def _failed(self, error: OSError) -> EditionError:
        """A full disk, a folder without write permission: the old site stays."""
        if self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)
        self.started = False
        return _refuse(f"cannot write the site beside {self.out.name}/: {error.strerror or error}"
                       f"{f' ({error.filename})' if error.filename else ''}")


held_lock: int | None = None
"""The descriptor of the lock this process holds, if any: a forked worker process closes its copy, so
that the lock goes with the build (see :func:`release_inherited_lock`)."""


def release_inherited_lock() -> None:
    """In a process forked from a build: drop the build's lock, which only the build may hold."""
    global held_lock
    if held_lock is not None:
        try:
            os.close(held_lock)
        except OSError:
            pass
        held_lock = None


@contextmanager
def build_lock(config: Config, timeout: float | None = None) -> Iterator[None]:
    """Hold ``.edition-cache/build.lock`` for one build; wait up to ``timeout`` seconds for another."""
    cache = config.cache_dir
    root = config.root.resolve()
    if os.path.lexists(cache) and not _inside(cache.resolve(), root):
        raise _refuse(".edition-cache is a link to a folder outside the project", "path-outside", ".edition-cache")
    cache.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # no advisory locks on this system: builds are not serialised
        yield
        return
    wait = LOCK_TIMEOUT if timeout is None else timeout
    with open(cache / LOCK_NAME, "a+b") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _refuse(f"another build of this project is still running after {wait:g} s; "
                                  "wait for it to finish, or stop it", "build-locked",
                                  f".edition-cache/{LOCK_NAME}") from None
                time.sleep(0.05)
        global held_lock
        held_lock = handle.fileno()
        try:
            yield
        finally:
            held_lock = None
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

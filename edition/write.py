"""Stage 5, write: the whole site into a fresh directory, then swapped in.

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
from pathlib import Path
from typing import Iterator

from edition.config import Config
from edition.diagnostics import Diagnostic, EditionError, SourcePosition

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


def check_output_dir(config: Config) -> None:
    """Refuse an output directory that would overwrite sources or someone else's files."""
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
    foreign = foreign_files(out)
    if foreign:
        raise _refuse(f"{out.name}/ holds files this program did not write ({foreign[0]}"
                      f"{f' and {len(foreign) - 1} more' if len(foreign) > 1 else ''}); "
                      "move them to templates/static/ or choose another --out")


def foreign_files(out: Path) -> list[str]:
    """Files in ``out`` that the site it holds did not list as its own (all of them if no marker)."""
    if not out.is_dir():
        return []
    present = []
    for folder, dirs, names in os.walk(out):
        base = Path(folder)
        for name in names + [d for d in dirs if (base / d).is_symlink()]:
            present.append((base / name).relative_to(out).as_posix())
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


def write_site(files: dict[str, bytes], config: Config) -> int:
    """Write ``files`` (relative path → bytes) as the new site; return how many were written."""
    recover_output(config)
    check_output_dir(config)
    out = config.out_dir.resolve()
    staging = staging_dir(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        root = staging.resolve()
        for relative, data in sorted(files.items()):
            target = (staging / relative).resolve()
            if root not in target.parents or relative == MARKER:
                raise _refuse(f"refusing to write outside the output directory: {relative}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        manifest = "\n".join([MARKER_HEADER, *sorted(Path(relative).as_posix() for relative in files)])
        (staging / MARKER).write_text(manifest + "\n", encoding="utf-8")
    except OSError as error:  # a full disk, a folder without write permission: the old site stays
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        raise _refuse(f"cannot write the site beside {out.name}/: {error.strerror or error}"
                      f"{f' ({error.filename})' if error.filename else ''}") from None
    if not out.exists():
        os.replace(staging, out)
    elif exchange(staging, out):
        shutil.rmtree(staging)  # now the old site
    else:
        previous = previous_dir(out)
        os.replace(out, previous)
        os.replace(staging, out)
        shutil.rmtree(previous)
    return len(files)


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
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

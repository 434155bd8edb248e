"""Stage 5, write: the whole site into a fresh directory, then swapped in.

A build that fails, or is killed, never touches the site already built:
pages go to a temporary directory beside the output, which replaces the
old site only when complete.  A marker file records that a directory is
ours, so a build never clears a directory holding someone else's files.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from edition.config import Config
from edition.diagnostics import Diagnostic, EditionError, SourcePosition

MARKER = ".edition-site"
"""Present in every directory this program built."""


def _refuse(message: str) -> EditionError:
    return EditionError([Diagnostic(SourcePosition("edition.toml"), "error", "output-dir", message)])


def check_output_dir(config: Config) -> None:
    out = config.out_dir.resolve()
    root = config.root.resolve()
    content = config.content_dir.resolve()
    if out == root or out in root.parents:
        raise _refuse(f"the output directory {out.name!r} would hold the whole project")
    if out == content or content in out.parents or out in content.parents:
        raise _refuse("the output directory may not be, contain or sit inside content/")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise _refuse(f"{out.name}/ holds files this program did not write; choose another --out or empty it")


def write_site(files: dict[str, bytes], config: Config) -> int:
    """Write ``files`` (relative path → bytes) as the new site; return how many were written."""
    out = config.out_dir.resolve()
    check_output_dir(config)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.building")
    previous = out.with_name(f".{out.name}.previous")
    for leftover in (staging, previous):  # what a killed build left behind
        if leftover.exists():
            shutil.rmtree(leftover)
    staging.mkdir()
    for relative, data in sorted(files.items()):
        target = (staging / relative).resolve()
        if staging.resolve() not in target.parents:
            raise _refuse(f"refusing to write outside the output directory: {relative}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (staging / MARKER).write_text("built by edition\n", encoding="utf-8")
    if out.exists():
        os.replace(out, previous)
    os.replace(staging, out)
    if previous.exists():
        shutil.rmtree(previous)
    return len(files)

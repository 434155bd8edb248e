"""Tiny projects of their own for build tests: the edition's templates and a few documents."""
from __future__ import annotations

import shutil
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def document(doc_id: str, body: str, lang: str = "en", title: str | None = None) -> str:
    """A document's file: minimal front matter, then the body (which starts on line 7)."""
    return f"---\nid: {doc_id}\nlang: {lang}\ntitle: {{{lang}: \"{title or doc_id.title()}\"}}\n---\n\n{body}"


def tiny_project(root: Path, documents: dict[str, str]) -> Path:
    """A project with the edition's templates and the given documents, nothing else."""
    shutil.copytree(PROJECT / "templates", root / "templates")
    (root / "content").mkdir(parents=True)
    for name, text in documents.items():
        (root / "content" / name).write_text(text, encoding="utf-8")
    return root


def page(root: Path, doc_id: str) -> str:
    """A built document page."""
    return (root / "site" / doc_id / "index.html").read_text(encoding="utf-8")

"""The floor: plain Python-Markdown and one Jinja template over the same files, one process.

What any generator must at least spend; the edition's figures are quoted
as ratios to it.  Run as ``python -m bench.floor ROOT OUT [--search]``:
with ``--search``, Pagefind's own command then indexes the pages, as a
plain static site would add search, so that the cost of a search index
can be told apart from the rest.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import markdown
from jinja2 import Environment

TEMPLATE = Environment(autoescape=True).from_string(
    "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{{ title }}</title></head>"
    "<body><main>{{ body|safe }}</main></body></html>")


def build_floor(root: Path, out: Path, search: bool = False) -> int:
    md = markdown.Markdown(extensions=["footnotes", "attr_list"])
    count = 0
    for source in sorted((root / "content").glob("*.md")):
        text = source.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        html = md.reset().convert(body)
        target = out / source.stem / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(TEMPLATE.render(title=source.stem, body=html), encoding="utf-8")
        count += 1
    if search:
        from pagefind_bin import get_executable

        subprocess.run([str(get_executable()), "--site", str(out), "--silent"], check=True)
    return count


if __name__ == "__main__":
    build_floor(Path(sys.argv[1]), Path(sys.argv[2]), search="--search" in sys.argv[3:])

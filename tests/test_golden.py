"""Golden output of the showcase article: any change to the page is deliberate.

Run ``pytest --update-golden`` to accept a change after reading its diff.
"""
from __future__ import annotations

from pathlib import Path

from conftest import PROJECT

GOLDEN = PROJECT / "tests" / "golden"
PAGES = ("nomadic-migrants/index.html", "bibliography/index.html", "sources/index.html",
         "persons/index.html", "places/index.html", "organisations/index.html", "kk/index.html")


def normalise(html: str) -> str:
    return "\n".join(line.rstrip() for line in html.strip().splitlines()) + "\n"


def test_golden_pages(built_showcase: Path, update_golden: bool) -> None:
    for page in PAGES:
        actual = normalise((built_showcase / "site" / page).read_text(encoding="utf-8"))
        golden = GOLDEN / page.replace("/", "__")
        if update_golden or not golden.exists():
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(actual, encoding="utf-8")
            assert update_golden, f"golden file {golden.name} was missing and has been written; review and commit it"
        assert actual == golden.read_text(encoding="utf-8"), f"{page} differs from its golden file (--update-golden to accept)"

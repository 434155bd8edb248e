"""The edition's text is the seed article's, word for word, except the logged fixes."""
from __future__ import annotations

import difflib
import html
import re
from pathlib import Path

import yaml

from conftest import PROJECT
from pagetext import section_text

SEED = PROJECT / "tests" / "fixtures" / "seed-article.txt"
PRINTED_RE = re.compile(r'\]\{printed="([^"]*)"\}')
TEXT_FIXES = ("spacing", "hyphenation", "line-break")
"""Log kinds that change the words of the text itself."""
NOT_TEXT = {"citation", "note-ref", "figure-missing", "para-link", "para-cite"}
"""What the edition adds around the text: citations (compared separately), note markers, notices."""


def _seed_words(log: list[dict], printed: list[str]) -> list[str]:
    text = " ".join(SEED.read_text(encoding="utf-8").split())
    for entry in log:
        if entry["kind"] in TEXT_FIXES:
            count = entry.get("count", 1)
            assert text.count(entry["printed"]) >= count, f"logged text not in the seed: {entry['printed']!r}"
            text = text.replace(entry["printed"], entry["edited"], count)
    for citation in sorted(set(printed), key=len, reverse=True):
        assert citation in text, f"citation not printed in the seed: {citation!r}"
        text = text.replace(citation, "")
    for entry in log:
        if entry["kind"] == "structure":  # labels the templates supply as headings
            assert entry["printed"] in text
            text = text.replace(entry["printed"], " ", 1)
    return text.split()


def _page_words(page: str, meta: dict) -> list[str]:
    parts = [section_text(page, f"#abstract-{lang}", NOT_TEXT | {"keywords"}) for lang in ("en", "kk", "ru")]
    # The abstract headings are the edition's own labels, not the article's words.
    parts = [re.sub(r"^\S+ \([^)]*\) ", "", part) for part in parts]
    keywords = ", ".join(meta["keywords"]["ru"])
    body = section_text(page, ".document-body", NOT_TEXT)
    return " ".join([*parts, keywords, meta["cite_as"]["ru"], body]).split()


def test_page_text_equals_seed_except_logged_fixes(built_showcase: Path) -> None:
    source = (built_showcase / "content/nomadic-migrants.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(source.split("---\n", 2)[1])
    log = yaml.safe_load((built_showcase / "content/editorial/nomadic-migrants.yml").read_text(encoding="utf-8"))["entries"]
    printed = [html.unescape(p) for p in PRINTED_RE.findall(source)]
    page = (built_showcase / "site/nomadic-migrants/index.html").read_text(encoding="utf-8")
    expected, actual = _seed_words(log, printed), _page_words(page, meta)
    differences = [(op, expected[i1:i2], actual[j1:j2]) for op, i1, i2, j1, j2
                   in difflib.SequenceMatcher(None, expected, actual, autojunk=False).get_opcodes() if op != "equal"]
    assert differences == []
    assert len(actual) > 5000


def test_every_editorial_fix_is_published(built_showcase: Path) -> None:
    log = yaml.safe_load((built_showcase / "content/editorial/nomadic-migrants.yml").read_text(encoding="utf-8"))["entries"]
    about = (built_showcase / "site/about/index.html").read_text(encoding="utf-8")
    for entry in log:
        assert entry["printed"] in html.unescape(about)

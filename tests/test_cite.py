"""How to cite: the article and each paragraph, as text, BibTeX, RIS and CSL-JSON."""
from __future__ import annotations

import json
import re
from pathlib import Path

from pybtex.database import parse_string


def test_paragraph_citations_are_valid_bibtex_with_permalinks(built_showcase: Path) -> None:
    folder = built_showcase / "site/nomadic-migrants"
    page = (folder / "index.html").read_text(encoding="utf-8")
    anchors = re.findall(r'<p id="(p-[a-z0-9-]+)"><a class="para-link"', page)
    data = parse_string((folder / "paragraphs.bib").read_text(encoding="utf-8"), "bibtex")
    assert len(data.entries) == len(anchors)
    first = data.entries[f"nomadic-migrants-{anchors[0]}"]
    assert first.fields["url"] == f"/nomadic-migrants/#{anchors[0]}" and first.fields["note"] == "¶ 1"
    assert first.fields["doi"] == "10.51943/2710-3994_2024_11_2_361-372"
    article = parse_string((folder / "cite.bib").read_text(encoding="utf-8"), "bibtex").entries["nomadic-migrants"]
    assert [str(p) for p in article.persons["author"]] == ["Kabyl, A. A.", "Tursun, Kh. M.", "Abikey, A. M."]


def test_ris_and_csl_json(built_showcase: Path) -> None:
    folder = built_showcase / "site/nomadic-migrants"
    ris = (folder / "cite.ris").read_text(encoding="utf-8")
    assert "TY  - JOUR" in ris and "SP  - 361" in ris and "EP  - 372" in ris and ris.rstrip().endswith("ER  -")
    items = json.loads((folder / "cite.json").read_text(encoding="utf-8"))
    assert items[0]["type"] == "article-journal" and items[0]["page"] == "361-372"
    assert items[0]["issued"] == {"date-parts": [[2024]]}


def test_each_paragraph_carries_its_citation(built_showcase: Path) -> None:
    page = (built_showcase / "site/nomadic-migrants/index.html").read_text(encoding="utf-8")
    match = re.search(r'<p id="(p-[a-z0-9-]+)"><a class="para-link"[^>]*>¶12</a>.*?<span class="para-cite">([^<]*)</span></p>',
                      page, re.S)
    assert match and match[2].endswith(f"¶ 12. /nomadic-migrants/#{match[1]}")
    assert match[2].startswith("Kabyl A. A., Tursun Kh. M., Abikey A. M. Nomadic migrants")

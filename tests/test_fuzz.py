"""Fuzzing: whatever the Markdown, front matter or BibTeX, only our own diagnostics come out.

Each example is built through :func:`edition.pipeline.build` on a small
project: the build either succeeds or raises :class:`EditionError`; any
other exception is a bug.  A built page must parse as HTML, hold no script
that came from the content, and every document must build in under 2 s of
processor time.  Known worst cases of Python-Markdown must finish in under
1 s each.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import html5lib
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PROJECT
from edition.config import load_config
from edition.diagnostics import Diagnostics, EditionError
from edition.parse import parse_document
from edition.pipeline import build
from edition.read import read_document
from edition.sanitize import markdown_problems, url_is_safe

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
FRONT = "---\nid: doc\nlang: en\ntitle: {en: A document}\n---\n"
KEYS = ["kabyl2024", "kozybayev1991", "omarbekov1994", "satr-121-1-703", "csark-5-16-365", "nosuchkey", "a", "x.y"]


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    for name in ("templates", "content/registers"):
        shutil.copytree(PROJECT / name, root / name)
    shutil.copy(PROJECT / "bibliography.bib", root / "bibliography.bib")
    return root


def run(root: Path, files: dict[str, str | bytes]) -> tuple[bool, float]:
    """Build ``root`` with ``files`` written; True when it built. Only EditionError may come out."""
    for name in ("content/doc.md", "content/editorial/doc.yml", "anchors.lock"):
        (root / name).unlink(missing_ok=True)
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    started = time.process_time()
    try:
        build(load_config(root, quiet=True))
        built = True
    except EditionError as error:
        assert error.diagnostics, "an EditionError names its problems"
        for diagnostic in error.diagnostics:
            assert str(diagnostic).count(":") >= 3 and diagnostic.code
        built = False
    return built, time.process_time() - started


def check_page(root: Path) -> None:
    """The document page parses, keeps its frame, and carries no script or active URL from content."""
    text = (root / "site/doc/index.html").read_text(encoding="utf-8")
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    document = parser.parse(text)
    assert document.find(".//div[@class='document-body']") is not None
    assert document.find(".//footer") is not None, "the content must not break the page's frame"
    for script in document.iter("script"):
        kind = script.get("type")
        if kind in ("application/ld+json", "application/json"):
            json.loads(script.text or "null")
        else:
            assert (script.get("src") or "").startswith("../static/") and not (script.text or "").strip(), \
                "a script that did not come from the templates"
    for element in document.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            if name in ("href", "src", "cite", "action", "formaction", "data"):
                assert url_is_safe(value), (element.tag, name, value)


# --- Markdown with the edition's syntax ---------------------------------------------------------

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzАБВқөүұәі ", min_size=1, max_size=12)
known_keys = st.sampled_from(KEYS[:5])
keys = st.one_of(known_keys, known_keys, known_keys, st.sampled_from(KEYS))  # mostly builds that succeed
locators = st.sampled_from(["", ", p. 5", ", pp. 262–272", ", l. 3", ", p.", ", chap. 2", ", 17"])
citation = st.one_of(
    st.builds(lambda k, l: f"[@{k}{l}]", keys, locators),
    st.builds(lambda a, b: f"[@{a}; @{b}]", keys, keys),
    st.builds(lambda k: f"[-@{k}]", keys),
    st.builds(lambda k: f"@{k}", keys),
    st.builds(lambda k, p: f'[@{k}, p. 5]{{printed="{p}"}}', keys, st.text(max_size=15)),
)
xref = st.builds(lambda kind, name: f"@{kind}:{name}", st.sampled_from(["sec", "fig", "sec", "fig", "tbl"]),
                 st.sampled_from(["end", "end", "end", "x"]))
TARGETS = "\n\n## End {#sec:end}\n\n::: figure {#fig:end}\n![A map](missing)\nThe map.\n:::\n"
heading = st.builds(lambda level, text, label: f"{'#' * level} {text}{label}", st.integers(1, 6), words,
                    st.sampled_from(["", " {#sec:intro}", " {#sec:x}", " {: .c }"]))
figure = st.builds(lambda label, src, cap: f"::: figure{label}\n![{cap}]({src})\n{cap}\n:::",
                   st.sampled_from(["", " {#fig:x}", ""]),
                   st.sampled_from(["missing", "", "map.png", "missing", "javascript:alert(1)"]), words)
footnote = st.sampled_from(["[^1]", "[^note]", "\n\n[^1]: A footnote.\n\n", "\n\n[^note]: Another [@kabyl2024].\n\n"])
raw_html = st.sampled_from([
    "<sup>2</sup>", '<span lang="kk">сөз</span>', "<abbr title='x'>X</abbr>", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "<div>", "</div>", "<em>", "</span>", "<!-- c -->", "<table><tr><td>x",
    '<a href="javascript:alert(1)">x</a>', "<iframe>", "<svg onload=alert(1)>", "<style>", "&amp;", "&#0;",
    "<math><style><img src=x onerror=alert(1)>", "</article></main>", "<p>", "<br>", "<pre>",
])
link = st.builds(lambda text, url: f"[{text}]({url})", words, st.sampled_from([
    "https://example.org", "#sec:end", "doc.md", "#p-x", "javascript:alert(1)", "JaVa&#x09;script:x",
    "data:text/html,x", "vbscript:x", "mailto:a@b.c", "#sec:end", "../x", "%6Aavascript:x"]))
markup = st.sampled_from(["*", "_", "**", "__", "`", "```", "[", "]", "(", ")", "> ", "- ", "1. ", "|", "---",
                          "{: #p-pin }", "{#p-x}", ": ", "*[X]: y", "    ", "\t", "\\", "{", "}", "!", "^", ":::"])
noise = st.text(alphabet="[]()*_`<>@{}#:!^-=|\"'&;\\/ \nabcé", max_size=40)
piece = st.one_of(words, words, citation, heading, figure, footnote, raw_html, raw_html, link, link, markup,
                  noise, xref)
separator = st.sampled_from([" ", "\n", "\n\n", ""])
markdown = st.lists(st.tuples(piece, separator), max_size=30).map(lambda parts: "".join(p + s for p, s in parts))


@FUZZ
@given(body=markdown)
def test_markdown_gives_diagnostics_not_tracebacks(fuzz_root, body):
    built, seconds = run(fuzz_root, {"content/doc.md": FRONT + body + TARGETS})
    assert seconds < 2.0, f"{seconds:.2f} s of processor time"
    if built:
        check_page(fuzz_root)


@settings(FUZZ, max_examples=20)
@given(abstract=markdown, body=markdown)
def test_abstracts_are_fuzzed_too(fuzz_root, abstract, body):
    front = yaml.safe_dump({"id": "doc", "lang": "en", "title": {"en": "T"}, "abstract": {"en": abstract, "ru": body}},
                           allow_unicode=True)
    built, seconds = run(fuzz_root, {"content/doc.md": f"---\n{front}---\n{body}{TARGETS}"})
    assert seconds < 2.0
    if built:
        check_page(fuzz_root)


# --- front matter --------------------------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**12), st.floats(allow_nan=False),
                    st.text(max_size=20), st.sampled_from(["en", "kk", "ru", "doc", "<script>alert(1)</script>"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(
                                                           ["en", "kk", "ru", "name", "id"])), inner, max_size=4)),
                      max_leaves=12)
FIELDS = ["id", "lang", "title", "authors", "date", "journal", "volume", "issue", "pages", "doi", "keywords",
          "abstract", "license", "cite_as", "editorial", "unknown"]
front_matter = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8).map(
    lambda fm: {"id": "doc", "lang": "en", "title": {"en": "T"}, **fm})
yaml_noise = st.text(alphabet="abc:-[]{}&*!|>'\"#%@`,?\n 0123456789", max_size=80)


@FUZZ
@given(fm=front_matter)
def test_random_front_matter(fuzz_root, fm):
    text = yaml.safe_dump(fm, allow_unicode=True, default_flow_style=None)
    built, seconds = run(fuzz_root, {"content/doc.md": f"---\n{text}---\nText.\n"})
    assert seconds < 2.0
    if built:
        check_page(fuzz_root)


@FUZZ
@given(text=yaml_noise)
def test_random_yaml_text(fuzz_root, text):
    run(fuzz_root, {"content/doc.md": f"---\n{text}\n---\nText.\n", "content/editorial/doc.yml": text})


# --- BibTeX --------------------------------------------------------------------------------------

bib_text = st.text(alphabet="abcé{}\\\"@,=#%~$^&_ \n0123456789", max_size=30)
entry = st.builds(
    lambda kind, key, fields: "@%s{%s,\n%s}\n" % (kind, key, ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)),
    st.sampled_from(["article", "book", "misc", "incollection", "thesis", "weird", "comment", "string"]),
    st.sampled_from(["fuzz1", "fuzz2", "kabyl2024", "f:u#z", ""]),
    st.lists(st.tuples(st.sampled_from(["author", "title", "year", "journal", "pages", "url", "doi", "editor",
                                        "shortauthor", "note", "publisher", "crossref", "x"]), bib_text), max_size=6))
bibliography = st.lists(st.one_of(entry, bib_text), min_size=1, max_size=5).map("".join)


@FUZZ
@given(bib=bibliography, cite=st.sampled_from(["fuzz1", "fuzz2", "kabyl2024"]))
def test_random_bibtex(fuzz_root, bib, cite):
    original = (PROJECT / "bibliography.bib").read_text(encoding="utf-8")
    try:
        built, seconds = run(fuzz_root, {"bibliography.bib": bib, "content/doc.md": FRONT + f"See [@{cite}, p. 5].\n"})
        assert seconds < 2.0
        if built:
            check_page(fuzz_root)
            for path in ("bibliography/index.html",):
                html5lib.HTMLParser(strict=False).parse((fuzz_root / "site" / path).read_text(encoding="utf-8"))
    finally:
        (fuzz_root / "bibliography.bib").write_text(original, encoding="utf-8")


# --- Python-Markdown's worst cases ---------------------------------------------------------------

N = 20_000
PATHOLOGICAL = {
    "backticks": "`" * N,
    "backtick pairs": "` " * (N // 4) + "``" * (N // 4),
    "open brackets": "[" * N,
    "nested brackets": "[" * (N // 2) + "]" * (N // 2),
    "citation openers": "[@" * (N // 2),
    "link openers": "[a](" * (N // 4),
    "image openers": "![" * (N // 2),
    "footnote openers": "[^" * (N // 2),
    "stars": "*" * N,
    "underscores": "_" * N,
    "alternating emphasis": "*a _" * (N // 4),
    "nested emphasis": "*_" * (N // 4) + "x" + "_*" * (N // 4),
    "nested blockquotes": ">" * N + " x",
    "spaced blockquotes": "> " * (N // 2) + "x",
    "blockquote staircase": "\n".join(">" * i + " x" for i in range(2000)),
    "nested lists (2 spaces)": "\n".join("  " * i + "- x" for i in range(1000)),
    "nested lists (4 spaces)": "\n".join("    " * i + "- x" for i in range(500)),
    "nested ordered lists": "\n".join("    " * i + "1. x" for i in range(500)),
    "nested figures": "::: figure\n" * 3000,
    "unclosed tags": "<a " * (N // 3),
    "unclosed autolinks": "<http://" * (N // 7),
    "nested spans": "<span>" * (N // 6) + "x",
    "nested divs": "<div>" * (N // 5) + "x",
    "comment openers": "<!--" * (N // 4),
    "definitions": "term\n" + ": definition\n" * 5000,
    "entities": "&#x41;" * (N // 6),
    "abbreviations": "\n".join(f"*[AB{i}]: abbreviation {i}" for i in range(2000)) + "\n\n"
                     + " ".join(f"AB{i}" for i in range(0, 2000, 3)),
    "wide table": "|" + "a|" * 3000 + "\n|" + "-|" * 3000 + "\n|" + "b|" * 3000,
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_markdown_finishes_quickly(tmp_path, name):
    root = tmp_path / "p"
    (root / "content").mkdir(parents=True)
    path = root / "content" / "doc.md"
    path.write_text(FRONT + PATHOLOGICAL[name] + "\n", encoding="utf-8")
    config = load_config(root, quiet=True)
    diagnostics = Diagnostics()
    source = read_document(path, config, diagnostics)
    assert source is not None
    started = time.process_time()
    parsed = parse_document(source)
    for root_element in parsed.parts.values():
        parsed.markdown.to_html(root_element)
    seconds = time.process_time() - started
    assert seconds < 1.0, f"{name}: {seconds:.2f} s"
    problems = markdown_problems(parsed.markdown)
    assert all(p.code in ("md-too-complex", "html-removed") for p in problems), problems

"""Hostile content and bad input: sanitised HTML, refused URLs, confinement, diagnostics not tracebacks."""
from __future__ import annotations

import ast
import os
import re
import shutil
from pathlib import Path

import html5lib
import pytest

from conftest import PROJECT, run_build, tree_digest
from edition.cli import main
from edition.sanitize import clean, url_is_safe, url_scheme

FRONT = "---\nid: doc\nlang: en\ntitle: {en: A document}\n---\n"


def make_project(root: Path, body: str = "Text.\n", front: str = FRONT,
                 files: dict[str, str | bytes] | None = None) -> Path:
    """A one-document project with the showcase's templates; ``files`` maps relative paths to contents."""
    (root / "content").mkdir(parents=True)
    shutil.copytree(PROJECT / "templates", root / "templates")
    (root / "content" / "doc.md").write_text(front + body, encoding="utf-8")
    for name, data in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return root


def build(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code, err = run_build(root, *args, capsys=capsys)
    assert "Traceback" not in err, err
    return code, err


def page(root: Path, path: str = "doc/index.html") -> str:
    return (root / "site" / path).read_text(encoding="utf-8")


def body_of(root: Path) -> str:
    """The document's body as built: what the content made, without the template around it."""
    import xml.etree.ElementTree as etree

    document = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False).parse(page(root))
    body = document.find(".//div[@class='document-body']")
    assert body is not None
    return etree.tostring(body, encoding="unicode", method="html")


# --- URLs --------------------------------------------------------------------------------------

ACTIVE = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
          "java\nscript:alert(1)", "\x01javascript:alert(1)", "jav&#x61;script:alert(1)",
          "&#106;avascript:alert(1)", "javascript&colon;alert(1)", "%6Aavascript:alert(1)",
          "java%0ascript:alert(1)", "%256Aavascript:alert(1)", "vbscript:msgbox(1)",
          "data:text/html;base64,PHNjcmlwdD4=", "DATA:image/svg+xml,<svg/onload=alert(1)>",
          "ｊavascript:alert(1)", "java\u200bscript:alert(1)", "file:///etc/passwd", "blob:https://x/1"]
SAFE = ["https://example.org/a?b=c#d", "http://example.org", "mailto:editor@example.org", "#sec:results",
        "../bibliography/", "figures/map.png", "?page=2", "//example.org/x", "10:30", ""]


@pytest.mark.parametrize("url", ACTIVE)
def test_active_urls_are_refused_however_spelt(url):
    assert not url_is_safe(url), url_scheme(url)


@pytest.mark.parametrize("url", SAFE)
def test_plain_urls_pass(url):
    assert url_is_safe(url)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVa&#x09;script:alert(1)", "data:text/html,x",
                                 "vbscript:x", "%6Aavascript:alert(1)"])
def test_markdown_links_and_images_with_active_urls_are_dropped(tmp_path, capsys, url):
    body = f"A [link]({url}) and an ![image]({url}) and a [reference][r].\n\n[r]: {url}\n"
    root = make_project(tmp_path / "p", body)
    code, err = build(root, capsys)
    assert code == 0, err
    html = body_of(root)
    assert "script" not in html.lower().replace("noscript", "") and "data:" not in html
    assert err.count("warning[unsafe-url]") == 3, err
    assert "content/doc.md:6:" in err  # the line of the first link: positions point at the source


def test_unsafe_url_fails_a_strict_build(tmp_path, capsys):
    root = make_project(tmp_path / "p", "[x](javascript:alert(1))\n")
    code, err = build(root, capsys, "--strict")
    assert code == 1 and "warning[unsafe-url]" in err


def test_autolink_with_active_scheme(tmp_path, capsys):
    root = make_project(tmp_path / "p", "<javascript://%0aalert(1)> and <data://x>\n")
    code, err = build(root, capsys)
    assert code == 0
    assert 'href="javascript' not in body_of(root).lower() and 'href="data' not in body_of(root).lower()


def test_event_handlers_and_styles_from_attribute_lists_are_dropped(tmp_path, capsys):
    body = 'A paragraph.\n{: onclick="alert(1)" style="position:fixed" #p-kept }\n\n[x](https://example.org){: onmouseover="alert(1)" }\n'
    root = make_project(tmp_path / "p", body)
    code, err = build(root, capsys)
    assert code == 0
    html = body_of(root)
    assert "onclick" not in html and "onmouseover" not in html and "position:fixed" not in html
    assert 'id="p-kept"' in html
    assert err.count("warning[unsafe-attribute]") == 3


def test_every_candidate_of_a_srcset_is_checked(tmp_path, capsys):
    root = make_project(tmp_path / "p", '![x](a.png){: srcset="a.png 1x, javascript:alert(1) 2x" }\n')
    code, err = build(root, capsys)
    assert code == 0 and "warning[unsafe-url]" in err
    assert "srcset" not in body_of(root)


# --- raw HTML ----------------------------------------------------------------------------------

def test_scholarly_markup_passes_the_allow_list(tmp_path, capsys):
    body = ('Water is H<sub>2</sub>O, the 19<sup>th</sup> century, <abbr title="Central State Archive">CSA</abbr>, '
            '<span lang="kk" class="term">көш</span>, <q cite="https://example.org">quoted</q>, '
            '<bdo dir="rtl">abc</bdo>, <time datetime="1931-05-01">May Day</time>, <del>struck</del> '
            '<ins>added</ins>, <ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby> and [@nonexistent-is-fine]{printed="x"}.\n\n'
            '<div lang="ru" class="translation">\n<p>Перевод абзаца.</p>\n</div>\n\n'
            '<table>\n<tr><th colspan="2">Year</th></tr>\n<tr><td>1931</td><td>1932</td></tr>\n</table>\n')
    root = make_project(tmp_path / "p", body.replace(" and [@nonexistent-is-fine]{printed=\"x\"}", ""))
    code, err = build(root, capsys)
    assert code == 0, err
    html = body_of(root)
    for fragment in ("H<sub>2</sub>O", "<sup>th</sup>", '<abbr title="Central State Archive">CSA</abbr>',
                     '<span class="term" lang="kk">көш</span>', '<q cite="https://example.org">quoted</q>',
                     '<bdo dir="rtl">abc</bdo>', '<time datetime="1931-05-01">', "<del>struck</del>",
                     "<rt>kan</rt>", '<div class="translation" lang="ru">', '<th colspan="2">Year</th>'):
        assert fragment in html, fragment
    assert "html-removed" not in err
    # A paragraph inside raw HTML is a paragraph of the edition: it has its stable anchor.
    assert re.search(r'<p id="p-[a-z0-9-]+"><a class="para-link"[^>]*>¶\d+</a>Перевод абзаца.', html)


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<span style="background:url(javascript:alert(1))" onclick="alert(1)">x</span>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<object data=javascript:alert(1)></object>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=javascript:/>",
    "<!--<script>alert(1)</script>-->",
    "<div><p>unclosed <em>markup",
    "</div></article></main><script>alert(1)</script>",
    '<blockquote cite="javascript:alert(1)">q</blockquote>',
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
]


@pytest.mark.parametrize("markup", HOSTILE)
@pytest.mark.parametrize("where", ["block", "inline"])
def test_hostile_markup_is_removed(tmp_path, capsys, markup, where):
    body = markup + "\n" if where == "block" else f"Before {markup} after.\n"
    root = make_project(tmp_path / "p", body)
    code, err = build(root, capsys)
    assert code == 0, err
    html = body_of(root)
    lowered = html.lower()
    for needle in ("<script", "onerror", "onload", "onclick", "javascript:", "<iframe", "<style", "<svg",
                   "<form", "<object", "<meta", "<base", "<img", "<a href"):
        assert needle not in lowered, (needle, html)
    assert "warning[html-removed]" in err or "warning[unsafe-url]" in err or markup.startswith("<div>")
    # The page's structure survives: the body still closes where the template closes it.
    document = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False).parse(page(root))
    assert document.find(".//article") is not None and document.find(".//footer") is not None


def test_raw_html_warning_has_a_position(tmp_path, capsys):
    root = make_project(tmp_path / "p", "First paragraph.\n\nSecond <span onclick=\"x\">word</span>.\n")
    code, err = build(root, capsys)
    assert code == 0
    assert "content/doc.md:8:8: warning[html-removed]: raw HTML outside the allowed markup was removed: onclick= on <span>" in err


def test_raw_html_does_not_swallow_citations_or_markdown(tmp_path, capsys):
    root = make_project(tmp_path / "p", "A <span lang=\"kk\">*қазақ* сөзі, see @sec:end </span>.\n\n## End {#sec:end}\n")
    code, err = build(root, capsys)
    assert code == 0, err
    html = body_of(root)
    assert re.search(r'<span lang="kk"><em>қазақ</em> сөзі, see <a class="xref" href="#sec:end">End</a> </span>', html)


def test_clean_balances_and_flattens():
    assert clean("<em>open", inline=True).html == "<em>open</em>"
    assert clean("</span>stray", inline=True).html == "stray"
    assert clean("<div>block</div>", inline=True).html == "block"
    assert "deeper" in clean("<span>" * 100 + "deeper", inline=True).html


def test_deeply_nested_raw_html_is_flattened(tmp_path, capsys):
    root = make_project(tmp_path / "p", "<span>" * 400 + "deep" + "</span>" * 400 + "\n")
    code, err = build(root, capsys)
    assert code == 0 and "deep" in body_of(root)
    assert "nested deeper than" in err


# --- escaping of front matter, registers and BibTeX ---------------------------------------------

def test_front_matter_is_escaped(tmp_path, capsys):
    front = ('---\nid: doc\nlang: en\ntitle: {en: "<script>alert(1)</script> & <b>bold</b>"}\n'
             'authors: [{name: "<img src=x onerror=alert(1)>"}]\n'
             'journal: {en: "</script><script>alert(2)</script>"}\n'
             'keywords: {en: ["<i>kw</i>"]}\n'
             'abstract: {en: "An abstract with <script>alert(3)</script>."}\n---\n')
    root = make_project(tmp_path / "p", "Text.\n", front=front)
    code, err = build(root, capsys)
    assert code == 0, err
    html = page(root)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<i>kw</i>" not in html
    # JSON-LD cannot be broken out of: every JSON script still parses.
    import json
    for match in re.finditer(r'<script type="application/(?:ld\+)?json"[^>]*>(.*?)</script>', html, re.S):
        json.loads(match.group(1))
    for other in ("index.html",):
        assert "<script>alert" not in page(root, other)


def test_register_markup_is_escaped(tmp_path, capsys):
    archives = ('archives:\n- siglum: "<b>X</b>"\n  name: {en: "<script>alert(1)</script>Archive", '
                'ru: "<img src=x onerror=alert(1)>"}\n  note: "<i>note</i>"\n')
    units = 'units:\n- key: x-1\n  archive: "<b>X</b>"\n  fond: "<script>f</script>"\n  file: "1"\n'
    root = make_project(tmp_path / "p", "Text [@x-1, p. 2].\n",
                        files={"content/registers/archives.yml": archives,
                               "content/registers/archival-units.yml": units})
    code, err = build(root, capsys)
    assert code == 0, err
    for path in ("doc/index.html", "sources/index.html"):
        html = page(root, path)
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>X</b>" not in html
        assert "<script>f</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Archive" in page(root, "sources/index.html")


def test_bibtex_fields_are_escaped(tmp_path, capsys):
    bib = ('@book{evil2020,\n  author = {<script>alert(1)</script> Smith, John},\n'
           '  title = {<img src=x onerror=alert(1)> and \\textbf{bold}},\n  publisher = {<b>P</b>},\n'
           '  year = {2020},\n  url = {javascript:alert(1)},\n  note = {</script><script>alert(2)</script>}\n}\n')
    root = make_project(tmp_path / "p", "As shown [@evil2020, p. 3].\n", files={"bibliography.bib": bib})
    code, err = build(root, capsys)
    assert code == 0, err
    for path in ("doc/index.html", "bibliography/index.html"):
        html = page(root, path)
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>P</b>" not in html
        assert 'href="javascript:' not in html


# --- confinement -------------------------------------------------------------------------------

@pytest.mark.parametrize("src", ["../../etc/passwd", "../../../../../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd",
                                 "/../../etc/passwd", "../../p-secret/map.png"])
def test_image_path_outside_the_project_is_refused(tmp_path, capsys, src):
    (tmp_path / "p-secret").mkdir()  # a sibling whose path starts with the project's: still outside
    root = make_project(tmp_path / "p", f"![map]({src})\n")
    code, err = build(root, capsys)
    assert code == 1
    assert "content/doc.md:6:8: error[path-outside]: the image path" in err, err


def test_image_through_a_symlink_leading_outside_is_refused(tmp_path, capsys):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "map.png").write_bytes(b"\x89PNG")
    root = make_project(tmp_path / "p", "![map](figures/map.png)\n")
    (root / "content/figures").symlink_to(outside, target_is_directory=True)
    code, err = build(root, capsys)
    assert code == 1 and "error[path-outside]" in err


def test_image_inside_the_project_is_fine(tmp_path, capsys):
    root = make_project(tmp_path / "p", "![map](figures/map.png)\n\n![x](../templates/static/edition.css)\n")
    code, err = build(root, capsys)
    assert code == 0, err


def test_content_file_symlinked_from_outside_is_refused(tmp_path, capsys):
    secret = tmp_path / "secret.md"
    secret.write_text(FRONT.replace("id: doc", "id: secret") + "Private.\n", encoding="utf-8")
    root = make_project(tmp_path / "p")
    (root / "content/secret.md").symlink_to(secret)
    code, err = build(root, capsys)
    assert code == 1
    assert "content/secret.md:1:1: error[path-outside]" in err
    assert not (root / "site").exists()


@pytest.mark.parametrize("name", ["content/registers/archives.yml", "content/editorial/doc.yml",
                                  "bibliography.bib", "anchors.lock", "templates/static/leak.txt"])
def test_project_files_symlinked_from_outside_are_refused(tmp_path, capsys, name):
    secret = tmp_path / "secret"
    secret.write_text("archives: []\n", encoding="utf-8")
    root = make_project(tmp_path / "p")
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).symlink_to(secret)
    code, err = build(root, capsys)
    assert code == 1 and "error[path-outside]" in err, err


def test_content_folder_symlinked_from_outside_is_refused(tmp_path, capsys):
    outside = make_project(tmp_path / "other")
    root = tmp_path / "p"
    root.mkdir()
    shutil.copytree(PROJECT / "templates", root / "templates")
    (root / "content").symlink_to(outside / "content", target_is_directory=True)
    code, err = build(root, capsys)
    assert code == 1 and "error[path-outside]" in err


# --- bad files are diagnostics, never tracebacks -----------------------------------------------

BAD_FILES = {
    "non-UTF-8 document": ("content/doc.md", b"---\nid: doc\nlang: en\ntitle: {en: T\xff}\n---\n", "content/doc.md:4:14: error[file-encoding]"),
    "non-UTF-8 register": ("content/registers/archives.yml", b"archives:\n- siglum: \xe9\n", "content/registers/archives.yml:2:11: error[file-encoding]"),
    "non-UTF-8 editorial log": ("content/editorial/doc.yml", b"entries: [\xff]\n", "content/editorial/doc.yml:1:11: error[file-encoding]"),
    "non-UTF-8 bibliography": ("bibliography.bib", b"@book{a, title={\xff}}\n", "bibliography.bib:1:17: error[bib-encoding]"),
    "non-UTF-8 anchors.lock": ("anchors.lock", b"\xff\xfe", "anchors.lock:1:1: error[file-encoding]"),
    "non-UTF-8 edition.toml": ("edition.toml", b"site_title = '\xff'\n", "edition.toml:1:1: error[config-syntax]"),
    "front matter is a list": ("content/doc.md", "---\n- id\n- lang\n---\nText.\n", "content/doc.md:2:1: error[fm-type]"),
    "front matter authors is a word": ("content/doc.md", FRONT.replace("---\n", "---\nauthors: yes\n", 1) + "x", "error[fm-type]: 'authors' must be a list"),
    "front matter keywords is a list": ("content/doc.md", FRONT.replace("---\n", "---\nkeywords: [a]\n", 1) + "x", "error[fm-type]: 'keywords'"),
    "recursive YAML alias": ("content/doc.md", FRONT.replace("---\n", "---\nx: &a [*a]\n", 1) + "x", "error[yaml-alias]"),
    "YAML nested too deeply": ("content/doc.md", FRONT.replace("---\n", "---\nx: " + "[" * 3000 + "]" * 3000 + "\n", 1) + "x", "error[yaml-syntax]"),
    "register with wrong types": ("content/registers/archives.yml", "archives:\n- siglum: X\n  name: {en: [a]}\n", "content/registers/archives.yml:3:3: error[register-type]"),
    "register variants a mapping": ("content/registers/archives.yml", "archives:\n- siglum: X\n  name: {en: A}\n  variants: {a: b}\n", "error[register-type]"),
    "unit fields a list": ("content/registers/archival-units.yml", "units:\n- key: a-1\n  archive: X\n  fond: [1]\n", "content/registers/archival-units.yml:4:3: error[register-type]"),
    "editorial log a list": ("content/editorial/doc.yml", "- a\n", "content/editorial/doc.yml:1:1: error[log-type]"),
    "editorial entry types": ("content/editorial/doc.yml", "entries:\n- {kind: [a], printed: b, edited: c}\n", "error[log-type]"),
    "malformed edition.toml": ("edition.toml", "citation_style = 'journal'\nsite_title = \n", "edition.toml:2:14: error[config-syntax]: Invalid value"),
    "settings table a value": ("edition.toml", "edition = 5\n", "edition.toml:1:1: error[config-key]"),
    "base_url not http": ("edition.toml", "base_url = 'javascript:alert(1)'\n", "error[config-key]: base_url"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_bad_files_are_diagnostics(tmp_path, capsys, case):
    name, data, expected = BAD_FILES[case]
    root = make_project(tmp_path / "p")
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    code, err = build(root, capsys)
    assert code == 1, err
    assert expected in err, err


def test_a_directory_named_like_a_document(tmp_path, capsys):
    root = make_project(tmp_path / "p")
    (root / "content/folder.md").mkdir()
    code, err = build(root, capsys)
    assert code == 1 and "content/folder.md:1:1: error[file-unreadable]: content/folder.md is a folder, not a file" in err


def test_an_unreadable_file(tmp_path, capsys, monkeypatch):
    """Permission denied (simulated: tests may run as root, who reads every file)."""
    root = make_project(tmp_path / "p")
    target = root / "content/doc.md"
    real_read_bytes = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    code, err = build(root, capsys)
    assert code == 1 and "content/doc.md:1:1: error[file-unreadable]: cannot read content/doc.md: Permission denied" in err


def test_a_broken_symlink_is_unreadable(tmp_path, capsys):
    root = make_project(tmp_path / "p")
    (root / "content/gone.md").symlink_to(root / "content/nowhere.md")
    code, err = build(root, capsys)
    assert code == 1 and "content/gone.md:1:1: error[file-unreadable]" in err


def test_missing_templates(tmp_path, capsys):
    root = make_project(tmp_path / "p")
    shutil.rmtree(root / "templates")
    code, err = build(root, capsys)
    assert code == 1 and "error[template-missing]" in err


def test_template_syntax_error_names_the_template_and_line(tmp_path, capsys):
    root = make_project(tmp_path / "p")
    (root / "templates/home.html").write_text("line one\n{% if %}\n", encoding="utf-8")
    code, err = build(root, capsys)
    assert code == 1
    assert "templates/home.html:2:1: error[template-syntax]" in err, err


def test_undefined_variable_in_a_template_names_the_template_and_line(tmp_path, capsys):
    root = make_project(tmp_path / "p")
    (root / "templates/about.html").write_text("{% extends \"base.html\" %}\n{% block main %}\n"
                                               "<p>{{ no_such_variable }}</p>\n{% endblock %}\n", encoding="utf-8")
    code, err = build(root, capsys)
    assert code == 1
    assert "templates/about.html:3:1: error[template-error]: error in template: 'no_such_variable' is undefined" in err, err


def test_runtime_error_in_a_template(tmp_path, capsys):
    root = make_project(tmp_path / "p")
    (root / "templates/home.html").write_text("\n\n{{ 1 // 0 }}\n", encoding="utf-8")
    code, err = build(root, capsys)
    assert code == 1 and "templates/home.html:3:1: error[template-error]" in err and "ZeroDivisionError" in err


def test_internal_error_names_the_document(tmp_path, capsys, monkeypatch):
    root = make_project(tmp_path / "p")

    def broken(document):  # noqa: ANN001
        raise RuntimeError("a bug")

    monkeypatch.setattr("edition.pipeline.parse_document", broken)
    code = main(["build", "--root", str(root), "--quiet"])
    err = capsys.readouterr().err
    assert code == 70
    assert "internal error in edition while processing content/doc.md: this is a bug in the program" in err
    assert "RuntimeError: a bug" in err


# --- the README lists every code ---------------------------------------------------------------

def _codes_in(source: str) -> set[str]:
    """Codes passed to the diagnostic helpers: ``x.error(position, "code", …)``,
    ``Diagnostic(position, "error", "code", …)`` and the like."""
    codes = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        args = node.args
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        strings = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in args]
        for index, value in enumerate(strings[:-1]):
            if value in ("error", "warning") and strings[index + 1]:
                codes.add(strings[index + 1])
        if name in ("error", "warning", "warn", "_refuse") and len(strings) > 1 and strings[1]:
            codes.add(strings[1])
    return {code for code in codes if re.fullmatch(r"[a-z]+(?:-[a-z0-9]+)*", code)}


def test_every_diagnostic_code_is_in_the_readme():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z0-9-]+)`", readme))
    used: dict[str, str] = {}
    for path in sorted((PROJECT / "edition").rglob("*.py")):
        for code in _codes_in(path.read_text(encoding="utf-8")):
            used.setdefault(code, path.relative_to(PROJECT).as_posix())
    assert {"unsafe-url", "path-outside", "md-too-complex", "build-locked"} <= set(used), sorted(used)
    missing = {code: where for code, where in sorted(used.items()) if code not in documented}
    assert not missing, f"codes missing from the README table: {missing}"

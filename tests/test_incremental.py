"""Incremental builds: after any sequence of edits, the site equals a build from scratch.

A state machine edits a small edition (documents, bibliography entries,
registers, templates, editorial logs, settings; renames and deletions
too), rebuilds it where it stands (in two processes), and builds a fresh
copy of the same inputs from scratch in one: both must succeed or fail
alike, with the same problems, the same site byte for byte (no file more
or less) and the same ``anchors.lock``.  A few fixed scenarios check what
a rebuild redoes.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from conftest import copy_inputs
from edition import documents
from edition.config import load_config
from edition.diagnostics import EditionError
from edition.pipeline import build

PROJECT = Path(__file__).resolve().parent.parent
WORDS = ("famine", "archive", "district", "caravan", "steppe", "council", "border", "village", "report")
INPUTS = ("content", "templates", "bibliography.bib", "anchors.lock", "edition.toml")


def entry(key: str, author: str, year: int, title: str) -> str:
    return f"@book{{{key},\n  author = {{{author}}},\n  title = {{{title}}},\n  publisher = {{Press}},\n  year = {{{year}}}\n}}\n"


def document(doc_id: str, paragraphs: list[str], lang: str = "en", abstract: str | None = None) -> str:
    front = [f"id: {doc_id}", f"lang: {lang}", f"title: {{{lang}: \"Document {doc_id}\"}}"]
    if abstract:
        front += ["abstract:", f"  kk: \"{abstract}\""]
    return "---\n" + "\n".join(front) + "\n---\n\n## Introduction {#sec:intro}\n\n" + "\n\n".join(paragraphs) + "\n"


def make_project(root: Path) -> Path:
    shutil.copytree(PROJECT / "templates", root / "templates")
    (root / "content" / "registers").mkdir(parents=True)
    (root / "content" / "editorial").mkdir()
    (root / "bibliography.bib").write_text(
        entry("smith2001", "Smith, John", 2001, "Steppe routes") + entry("jones2010", "Jones, Ann", 2010, "Caravans")
        + entry("jones2011", "Jones, Ann", 2011, "Councils") + entry("lee1999", "Lee, Kim", 1999, "Borders"),
        encoding="utf-8")
    registers = root / "content" / "registers"
    registers.joinpath("archives.yml").write_text(
        "archives:\n  - siglum: SATR\n    name: {en: Turkestan Regional State Archive}\n", encoding="utf-8")
    registers.joinpath("archival-units.yml").write_text(
        "units:\n" + "".join(f"  - key: satr-{n}\n    archive: SATR\n    fond: \"{n}\"\n    file: \"{n + 3}\"\n"
                             for n in (1, 2, 3)), encoding="utf-8")
    registers.joinpath("persons.yml").write_text(
        "persons:\n" + "".join(f"  - key: {k}\n    name: {{en: {k.title()}}}\n" for k in ("ospan", "bekov", "alma")),
        encoding="utf-8")
    registers.joinpath("places.yml").write_text(
        "places:\n  - key: turkestan\n    name: {en: Turkestan}\n    coordinates: {lat: 43.3, lon: 68.2}\n",
        encoding="utf-8")
    content = root / "content"
    content.joinpath("doc-a.md").write_text(document("doc-a", [
        "The famine reached the district [@smith2001, p. 4].",
        "The council met [@satr-1, pp. 2–5] and [Ospan]{.person key=ospan} spoke.\n{#p-pinned-a}",
        "See [the other essay](doc-b.md#sec:intro) on the caravan [@jones2010].",
    ], abstract="Ашаршылық туралы мақала."), encoding="utf-8")
    content.joinpath("doc-b.md").write_text(document("doc-b", [
        "The border of [Turkestan]{.place key=turkestan} [@jones2011; @lee1999].",
        "A second paragraph about the village [@satr-2].",
    ]), encoding="utf-8")
    content.joinpath("doc-c.md").write_text(document("doc-c", [
        "A document in Russian about the steppe [@smith2001].", "Ещё один абзац [Bekov]{.person key=bekov}.",
    ], lang="ru"), encoding="utf-8")
    content.joinpath("editorial", "doc-a.yml").write_text(
        "entries:\n  - kind: spelling\n    printed: \"famin\"\n    edited: \"famine\"\n", encoding="utf-8")
    return root


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {}


def run(root: Path, **options) -> tuple[bool, list[str]]:
    try:
        result = build(load_config(root, quiet=True), **options)
    except EditionError as error:
        return False, sorted(map(str, error.diagnostics))
    return True, sorted(map(str, result.warnings))


def clean_copy(root: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    return copy_inputs(root, target, INPUTS)


def same_as_clean(root: Path, scratch: Path, workers: int | None = None) -> tuple[bool, list[str]]:
    """Rebuild ``root`` where it stands and a copy of its inputs from scratch in one process; both must agree."""
    clean = clean_copy(root, scratch)
    outcome = run(root, workers=workers)
    expected = run(clean, workers=1)
    assert outcome == expected
    if outcome[0]:  # a failed build leaves the last good site, which a fresh copy does not have
        assert tree(root / "site") == tree(clean / "site")
    lock, clean_lock = root / "anchors.lock", clean / "anchors.lock"
    assert (lock.read_bytes() if lock.exists() else None) == (clean_lock.read_bytes() if clean_lock.exists() else None)
    return outcome


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


class Edits(RuleBasedStateMachine):
    """Random edits of every kind of input, each followed by the comparison with a clean build."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="edition-incremental-"))
        self.root = make_project(self.folder / "project")
        self.counter = 0
        # The rebuilds run in two processes whenever two documents or pages are to be made.
        self.saved = documents.PARALLEL_FROM, documents.START_METHOD
        documents.PARALLEL_FROM, documents.START_METHOD = 2, "fork"

    def teardown(self) -> None:
        documents.PARALLEL_FROM, documents.START_METHOD = self.saved
        shutil.rmtree(self.folder, ignore_errors=True)

    @initialize()
    def first_build(self) -> None:
        assert run(self.root, workers=2)[0]

    @invariant()
    def equals_a_clean_build(self) -> None:
        same_as_clean(self.root, self.folder / "clean", workers=2)

    # -- documents -----------------------------------------------------------------------------
    def documents(self) -> list[Path]:
        return sorted((self.root / "content").glob("*.md"))

    def _edit(self, path: Path, change) -> None:  # noqa: ANN001
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

    @rule(pick=st.integers(0, 20), word=st.sampled_from(WORDS))
    def reword_a_paragraph(self, pick: int, word: str) -> None:
        docs = self.documents()
        if docs:
            self._edit(docs[pick % len(docs)], lambda text: re.sub(r"\b(the|a) (\w+)", rf"\1 {word}", text, count=1))

    @rule(pick=st.integers(0, 20), word=st.sampled_from(WORDS),
          cite=st.sampled_from(["", " [@smith2001]", " [@lee1999, p. 9]", " [@satr-3]", " [@nosuchkey]",
                                " [Alma]{.person key=alma}", " [Nobody]{.person key=nobody}",
                                " [back](doc-a.md#sec:intro)", " [gone](doc-a.md#p-nothere)", " @sec:intro"]))
    def add_a_paragraph(self, pick: int, word: str, cite: str) -> None:
        docs = self.documents()
        if docs:
            self._edit(docs[pick % len(docs)],
                       lambda text: text.rstrip("\n") + f"\n\nA new paragraph on the {word}{cite}.\n")

    @rule(pick=st.integers(0, 20), which=st.integers(0, 5))
    def delete_a_paragraph(self, pick: int, which: int) -> None:
        docs = self.documents()
        if not docs:
            return
        path = docs[pick % len(docs)]
        head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
        paragraphs = body.split("\n\n")
        if len(paragraphs) > 2:
            del paragraphs[1 + which % (len(paragraphs) - 1)]
        path.write_text(head + "\n---\n" + "\n\n".join(paragraphs), encoding="utf-8")

    @rule(word=st.sampled_from(WORDS), lang=st.sampled_from(["en", "kk"]))
    def add_a_document(self, word: str, lang: str) -> None:
        self.counter += 1
        doc_id = f"new-{self.counter}"
        (self.root / "content" / f"{doc_id}.md").write_text(
            document(doc_id, [f"A paragraph on the {word} [@jones2011].", "Links to [a](doc-b.md)."], lang),
            encoding="utf-8")

    @rule(pick=st.integers(0, 20), retire=st.booleans())
    def delete_a_document(self, pick: int, retire: bool) -> None:
        docs = self.documents()
        if len(docs) <= 1:
            return
        path = docs[pick % len(docs)]
        doc_id = re.search(r"^id: (\S+)$", path.read_text(encoding="utf-8"), re.M)[1]
        path.unlink()
        lock = self.root / "anchors.lock"
        if retire and lock.exists():  # the editors retire its anchors on purpose
            text = lock.read_text(encoding="utf-8")
            lock.write_text(re.sub(rf"\n\[{re.escape(doc_id)}\]\n(?:[^\[\n][^\n]*\n)*", "\n", text), encoding="utf-8")

    @rule(pick=st.integers(0, 20))
    def rename_a_document(self, pick: int) -> None:
        docs = self.documents()
        if docs:
            path = docs[pick % len(docs)]
            self.counter += 1
            path.rename(path.with_name(f"renamed-{self.counter}.md"))

    # -- bibliography, registers, logs ---------------------------------------------------------
    @rule(key=st.sampled_from(["smith2001", "jones2010", "jones2011", "lee1999"]),
          change=st.sampled_from(["title", "year", "delete"]))
    def edit_the_bibliography(self, key: str, change: str) -> None:
        bib = self.root / "bibliography.bib"
        text = bib.read_text(encoding="utf-8")
        match = re.search(rf"@book\{{{key},\n(?:  [^\n]*\n)*\}}\n", text)
        if match is None:
            text += entry(key, "Jones, Ann", 2010, "Restored")
        elif change == "title":
            text = text.replace(match[0], re.sub(r"title = \{", "title = {Revised ", match[0]))
        elif change == "year":  # the same author and year as another work: labels get a, b
            text = text.replace(match[0], re.sub(r"year = \{\d+\}", "year = {2010}", match[0]))
        else:
            text = text.replace(match[0], "")
        bib.write_text(text, encoding="utf-8")

    @rule(change=st.sampled_from(["unit", "person", "remove-person", "add-person", "place"]))
    def edit_a_register(self, change: str) -> None:
        registers = self.root / "content" / "registers"
        if change == "unit":
            self._edit(registers / "archival-units.yml", lambda t: t.replace('fond: "2"', 'fond: "22"', 1))
        elif change == "person":
            self._edit(registers / "persons.yml", lambda t: t.replace("{en: Ospan}", "{en: Ospan Batyr}", 1))
        elif change == "remove-person":
            self._edit(registers / "persons.yml", lambda t: re.sub(r"  - key: alma\n[^\n]*\n", "", t))
        elif change == "add-person":
            self._edit(registers / "persons.yml",
                       lambda t: t if "key: nobody" in t else t + "  - key: nobody\n    name: {en: Nobody}\n")
        else:
            self._edit(registers / "places.yml", lambda t: t.replace("lat: 43.3", "lat: 44.1"))

    @rule(word=st.sampled_from(WORDS))
    def edit_the_editorial_log(self, word: str) -> None:
        log = self.root / "content" / "editorial" / "doc-a.yml"
        log.write_text(log.read_text(encoding="utf-8")
                       + f"  - kind: spelling\n    printed: \"{word[:-1]}\"\n    edited: \"{word}\"\n", encoding="utf-8")

    # -- templates and settings ----------------------------------------------------------------
    @rule(name=st.sampled_from(["document.html", "bibliography.html", "base.html", "home.html", "register.html",
                                "static/edition.css"]))
    def edit_a_template(self, name: str) -> None:
        path = self.root / "templates" / name
        self.counter += 1
        marker = f"/* edit {self.counter} */" if name.endswith(".css") else f"<!-- edit {self.counter} -->"
        self._edit(path, lambda text: text.replace("</main>", marker + "</main>", 1) if "</main>" in text
                   else text + marker + "\n")

    @rule(title=st.sampled_from(["Edition One", "Edition Two"]))
    def change_the_settings(self, title: str) -> None:
        (self.root / "edition.toml").write_text(f'site_title = "{title}"\n', encoding="utf-8")


TestEdits = Edits.TestCase
TestEdits.settings = settings(max_examples=6, stateful_step_count=8, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# -- what a rebuild redoes --------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    assert run(root)[0]
    return root


def rendered(root: Path) -> set[str]:
    return set(build(load_config(root, quiet=True)).rendered)


def test_nothing_changed_renders_nothing(project: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*") if p.is_file()}
    assert rendered(project) == set()
    assert before == {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*") if p.is_file()}


def test_a_paragraph_edit_renders_its_document(project: Path, tmp_path: Path) -> None:
    path = project / "content" / "doc-b.md"
    path.write_text(path.read_text(encoding="utf-8").replace("second paragraph", "second, longer paragraph"),
                    encoding="utf-8")
    clean = clean_copy(project, tmp_path / "clean")
    assert rendered(project) == {"doc-b/index.html"}
    assert run(clean)[0] and tree(project / "site") == tree(clean / "site")


def test_a_paragraph_edit_does_not_load_the_bibtex_library(project: Path) -> None:
    """Labels, reference-list order and formatted references of unchanged entries come from the cache:
    a rebuild citing only those never imports pybtex (some 40 ms of a rebuild)."""
    path = project / "content" / "doc-b.md"
    path.write_text(path.read_text(encoding="utf-8").replace("second paragraph", "second, longer paragraph"),
                    encoding="utf-8")
    code = ("import json, sys; from pathlib import Path; from edition.config import load_config; "
            "from edition.pipeline import build; result = build(load_config(Path(sys.argv[1]), quiet=True)); "
            "print(json.dumps([sorted(result.rendered), "
            "sorted(m for m in sys.modules if m.split('.')[0] in ('pybtex', 'latexcodec'))]))")
    done = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == [["doc-b/index.html"], []]


def test_a_bibliography_entry_renders_the_pages_citing_it(project: Path) -> None:
    bib = project / "bibliography.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("title = {Borders}", "title = {Borders and rivers}"),
                   encoding="utf-8")
    assert rendered(project) == {"doc-b/index.html", "bibliography/index.html", "kk/bibliography/index.html",
                                 "ru/bibliography/index.html"}


def test_a_label_change_reaches_every_page_citing_the_other_work(project: Path) -> None:
    bib = project / "bibliography.bib"  # jones2011 becomes 2010 too: "Jones, 2010a" and "Jones, 2010b"
    bib.write_text(bib.read_text(encoding="utf-8").replace("year = {2011}", "year = {2010}"), encoding="utf-8")
    pages = rendered(project)
    assert {"doc-a/index.html", "doc-b/index.html"} <= pages and "doc-c/index.html" not in pages
    assert "2010a" in (project / "site" / "doc-a" / "index.html").read_text(encoding="utf-8")


def test_the_document_template_renders_documents_only(project: Path) -> None:
    template = project / "templates" / "document.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</article>", "<!-- x --></article>"),
                        encoding="utf-8")
    assert rendered(project) == {"doc-a/index.html", "doc-b/index.html", "doc-c/index.html"}


def test_a_killed_build_leaves_a_spare_the_next_build_does_not_trust(project: Path, tmp_path: Path) -> None:
    spare = project / ".edition-cache" / "site-spare"
    (project / "edition.toml").write_text('site_title = "Second"\n', encoding="utf-8")
    assert run(project)[0] and spare.is_dir()  # the first site is now the spare
    (spare / "index.html").write_text("damaged", encoding="utf-8")
    from edition.cache import Store
    from edition.write import SiteWriter

    writer = SiteWriter(load_config(project), Store(project / ".edition-cache"))
    writer.begin()  # what a build does first, then it is killed: the spare is no longer trusted
    (project / "edition.toml").write_text('site_title = "Third"\n', encoding="utf-8")
    same_as_clean(project, tmp_path / "clean")
    assert not (project / ".site.building").exists()


def test_a_lock_edited_by_hand_is_read_again_even_at_the_same_size_and_time(project: Path) -> None:
    """The build skips reading its own lock while the file is as it left it; a hand edit is always seen."""
    lock = project / "anchors.lock"
    text = lock.read_text(encoding="utf-8")
    first = re.search(r"^(p-[0-9a-z]+) ", text, re.MULTILINE).group(1)
    renamed = first[:-1] + ("x" if first[-1] != "x" else "y")
    assert renamed not in text
    before = lock.stat()
    lock.write_text(text.replace(f"\n{first} ", f"\n{renamed} ", 1), encoding="utf-8")
    os.utime(lock, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same modification time
    assert lock.stat().st_size == before.st_size
    build(load_config(project, quiet=True))
    pages = "".join(p.read_text(encoding="utf-8") for p in project.joinpath("site").glob("*/index.html"))
    assert f'id="{renamed}"' in pages and f'id="{first}"' not in pages


def test_a_file_unchanged_since_the_last_scan_is_not_read_but_any_write_is_seen(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are known by their signature between builds; a write shows even at the same size and mtime."""
    import time

    from edition import incremental

    monkeypatch.setattr(incremental, "SETTLED_NS", 0)  # every file counts as long left alone
    time.sleep(0.05)
    assert rendered(project) == set()  # this scan remembers every signature
    reads: list[str] = []
    original = incremental._file_digest
    monkeypatch.setattr(incremental, "_file_digest", lambda path: reads.append(str(path)) or original(path))
    assert rendered(project) == set() and reads == []
    path = project / "content" / "doc-b.md"
    before = path.stat()
    time.sleep(0.05)  # past the file system clock's step: the change time moves
    text = path.read_text(encoding="utf-8")
    assert "second paragraph" in text
    path.write_text(text.replace("second paragraph", "SECOND PARAGRAPH"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert rendered(project) == {"doc-b/index.html"} and set(reads) == {str(path)}
    assert "SECOND PARAGRAPH" in (project / "site" / "doc-b" / "index.html").read_text(encoding="utf-8")


def test_a_file_written_just_now_is_read_again_next_time() -> None:
    """Within the settling time a file may still change within one tick of the clock: not remembered."""
    import tempfile as folders

    from edition.incremental import _Digests

    with folders.TemporaryDirectory() as folder:
        fresh = Path(folder) / "fresh.md"
        fresh.write_text("x", encoding="utf-8")
        digests = _Digests(None, None)
        assert digests(fresh) is not None and str(fresh) not in digests.seen


def test_the_generator_knows_its_libraries_versions_as_importlib_does() -> None:
    """What makes an upgraded library rebuild every page: the same versions as the standard library reads."""
    import importlib.metadata

    from edition.cache import _DEPENDENCIES, installed_versions

    found = installed_versions(_DEPENDENCIES)
    assert found == {name: importlib.metadata.version(name) for name in _DEPENDENCIES}

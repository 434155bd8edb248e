"""A language split into several search shards, searched in a real browser as one index.

The shards of a language share one search engine: the search page loads
Pagefind's script and WebAssembly from the language's first shard only
and merges the others into it.  A small edition is split here by lowering
the shard size, so that every shard, and a missing first shard, are tried.
"""
from __future__ import annotations

import functools
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from edition import search
from edition.config import load_config
from edition.pipeline import build
from tests.browser.conftest import Problems, _QuietHandler
from tests.tinyproject import document, tiny_project

WORDS = ["amberwood", "birchbark", "cedarline", "dunegrass", "elmstead", "fernhollow", "glenmoor",
         "hazelford", "ironbridge", "junipers", "kestrels", "larchmont"]


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    root = tiny_project(tmp_path_factory.mktemp("sharded"), {
        f"doc-{i:02d}.md": document(f"doc-{i:02d}", f"The caravan reached the {word} crossing in spring.\n")
        for i, word in enumerate(WORDS)})
    saved = search.SHARD_PAGES
    search.SHARD_PAGES = 3
    try:
        build(load_config(root, quiet=True))
    finally:
        search.SHARD_PAGES = saved
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield root / "site", f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_only_the_first_shard_carries_the_engine(sharded: tuple[Path, str]) -> None:
    site, _ = sharded
    shards = sorted(p.name for p in (site / "pagefind").iterdir() if p.is_dir())
    assert len(shards) >= 3, shards
    first = shards[0]
    assert (site / "pagefind" / first / "pagefind.js").exists()
    for name in shards[1:]:
        files = {p.name for p in (site / "pagefind" / name).iterdir()}
        assert "pagefind-entry.json" in files
        assert not {"pagefind.js", "pagefind-worker.js"} & files
        assert not any(f.startswith("wasm.") for f in files)


def test_every_shard_is_searched_with_one_engine(browser: object, sharded: tuple[Path, str]) -> None:
    """Each document's own word finds it, whichever shard holds it; the engine is fetched once."""
    _, base_url = sharded
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    problems = Problems()
    problems.watch(page, base_url)
    engine: list[str] = []
    page.on("request", lambda request: request.url.endswith(("/pagefind.js", ".pagefind")) and engine.append(request.url))
    try:
        page.goto("/search/")
        for i, word in enumerate(WORDS):
            page.locator("#search-q").fill(word)
            page.locator("#search-q").press("Enter")
            page.wait_for_function("w => document.querySelector('.search-results').textContent.toLowerCase()"
                                   ".includes(w)", arg=word)
            results = page.locator(".search-results a")
            assert results.count() == 1, word
            assert f"/doc-{i:02d}/" in results.first.get_attribute("href")
    finally:
        context.close()
    assert len(engine) == 2, engine  # pagefind.js and the WebAssembly, from the first shard
    assert not problems, "the page reported problems:\n" + "\n".join(problems)

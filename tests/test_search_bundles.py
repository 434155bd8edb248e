"""How a language's search index is split into bundles: by text and by pages, each document in a fixed one."""
from __future__ import annotations

import pytest

from edition.search import SHARD_PAGES, SHARD_TEXT, Indexers, build_bundle, bundle_language, plan_bundles


def documents(count: int, size: int, langs: tuple[str, ...] = ("en",)) -> list[tuple[str, dict]]:
    return [(f"doc-{i:04d}", {lang: (f"digest-{i}", size) for lang in langs}) for i in range(count)]


def test_a_small_edition_has_one_bundle_per_language() -> None:
    bundles = plan_bundles(documents(12, 5_000, ("en", "kk", "ru")))
    assert sorted(bundles) == ["en", "kk", "ru"]
    assert all(len(ids) == 12 for _, ids in bundles.values())


def test_many_short_pages_are_split_by_count() -> None:
    """A thousand abstracts are little text, but one bundle of them would be re-indexed whole on every edit."""
    bundles = plan_bundles(documents(1000, 400, ("kk",)))
    assert len(bundles) == -(-1000 // SHARD_PAGES)
    assert all(bundle_language(name) == "kk" for name in bundles)
    assert max(len(ids) for _, ids in bundles.values()) < 2 * SHARD_PAGES
    assert sorted(i for _, ids in bundles.values() for i in ids) == [d for d, _ in documents(1000, 400)]


def test_long_pages_are_split_by_text() -> None:
    bundles = plan_bundles(documents(40, SHARD_TEXT // 10))
    assert len(bundles) == 4


def test_a_document_stays_in_its_bundle_while_others_change() -> None:
    """The bundle follows from the document's id and the number of bundles only, so an edit re-indexes one."""
    before = plan_bundles(documents(600, 400))
    after = plan_bundles(documents(600, 400)[:-3])
    where = {i: name for name, (_, ids) in before.items() for i in ids}
    assert all(where[i] == name for name, (_, ids) in after.items() for i in ids)


def page(words: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main data-pagefind-body>'
            f'<h2 id="p-a">·</h2><p>{words}</p></main></body></html>')


def test_a_pagefind_process_makes_bundle_after_bundle_as_fresh_ones_do() -> None:
    """The processes are reused (a new one per bundle costs start-up and memory): no index leaks into the next."""
    groups = [[("/a/", page("steppe caravan")), ("/b/", page("archive council"))],
              [("/c/", page("famine report"))],
              [("/a/", page("steppe caravan")), ("/b/", page("archive council"))]]
    indexers = Indexers()
    try:
        reused = [indexers.bundle("en", pages) for pages in groups]
        assert len(indexers.started) == 1
    finally:
        indexers.close()
    assert reused == [build_bundle("en", pages) for pages in groups]
    assert reused[0] == reused[2] and reused[0] != reused[1]


def test_a_pagefind_process_that_failed_is_not_lent_again() -> None:
    indexers = Indexers()
    try:
        indexers.bundle("en", [("/a/", page("steppe"))])
        first = indexers.started[0]
        first.process.kill()
        first.process.wait()
        with pytest.raises((RuntimeError, OSError)):
            indexers.bundle("en", [("/a/", page("steppe"))])
        assert indexers.idle == []
        indexers.bundle("en", [("/a/", page("steppe"))])
        assert len(indexers.started) == 2 and indexers.idle == [indexers.started[1]]
    finally:
        indexers.close()

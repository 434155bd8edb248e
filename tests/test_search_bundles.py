"""How a language's search index is split into bundles: by text and by pages, each document in a fixed one."""
from __future__ import annotations

from edition.search import SHARD_PAGES, SHARD_TEXT, bundle_language, plan_bundles


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

"""The Pandoc citation parser and the Markdown extension that finds citations."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edition.citations.syntax import Locator, parse_group, parse_locator
from edition.diagnostics import SourcePosition
from edition.parse import new_markdown

HERE = SourcePosition("t.md")
keys = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,4})?", fullmatch=True)
pages = st.from_regex(r"[1-9][0-9]{0,3}(–[1-9][0-9]{0,3})?", fullmatch=True)


@pytest.mark.parametrize("body, expected", [
    ("@kozybayev1991", [("kozybayev1991", None, "", "", False)]),
    ("@davies2011, p. 416", [("davies2011", Locator("page", "416"), "", "", False)]),
    ("see @a, pp. 3-5, passim; -@b", [("a", Locator("page", "3–5"), "see", ", passim", False),
                                       ("b", None, "", "", True)]),
    ("@apdtr-15446-1, pp. 262–272", [("apdtr-15446-1", Locator("page", "262–272"), "", "", False)]),
    ("@x, vol. 2", [("x", Locator("volume", "2"), "", "", False)]),
])
def test_group_forms(body, expected):
    group = parse_group(body, HERE)
    assert [(i.key, i.locator, i.prefix, i.suffix, i.suppress_author) for i in group.items] == expected


def test_not_a_citation():
    assert parse_group("write to me@example.org", HERE) is None
    assert parse_group("plain text", HERE) is None


@given(st.lists(st.tuples(keys, st.one_of(st.none(), pages), st.booleans()), min_size=1, max_size=4))
def test_generated_groups_parse_back(items):
    body = "; ".join(f"{'-' if suppress else ''}@{key}" + (f", p. {page}" if page else "")
                     for key, page, suppress in items)
    group = parse_group(body, HERE)
    assert [(i.key, i.locator.value if i.locator else None, i.suppress_author) for i in group.items] == items


@settings(max_examples=200)
@given(st.text(max_size=80))
def test_arbitrary_text_never_raises(text):
    parse_group(text, HERE)
    parse_locator(text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("[]@;,-p. 1ab{}=\"\n*_`"), max_size=60))
def test_extension_survives_arbitrary_markdown(text):
    md, extensions = new_markdown()
    md.to_html(md.to_tree(text))


def test_extension_records_positions_and_printed_form():
    md, extensions = new_markdown()
    citations = extensions["citations"]
    from edition.extensions.positions import SourceCursor
    source = "First line.\n\nSee [@a, p. 5]{printed=\"(A, 1990: 5)\"} and @b [p. 7].\n"
    citations.cursor = SourceCursor(source, "doc.md", first_line=10)
    md.to_tree(source)
    found = [(c.group.items[0].key, c.group.position.line, c.group.position.col, c.group.printed, c.group.narrative)
             for c in citations.citations]
    assert found == [("a", 12, 5, "(A, 1990: 5)", False), ("b", 12, 44, None, True)]


def test_cross_references_are_not_citations():
    md, extensions = new_markdown()
    md.to_tree("See @sec:results and [@fig:routes].")
    assert extensions["citations"].citations == []
    assert sorted(r.target for r in extensions["citations"].cross_references) == ["fig:routes", "sec:results"]

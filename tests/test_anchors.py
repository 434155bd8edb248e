"""Stable paragraph anchors: matching, the lock file and the site-wide rules."""
from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edition.anchors import (
    Block,
    Ledger,
    assign_anchors,
    assign_site,
    build_date,
    lost_documents,
    lost_ids,
    update_ledger,
)
from edition.anchors.fingerprint import SHORT_WORDS
from edition.anchors.ids import ALPHABET

DOC = "chapters/famine"
DAY1, DAY2, DAY3 = "2024-03-01", "2024-04-01", "2024-05-01"

PARAS = [
    "In the spring of 1921 the grain requisitions reached the steppe villages of the Turgai region.",
    "The district committee reported that the herds had been reduced by half within a single winter.",
    "Local officials wrote to Orenburg asking for seed grain, but the letters went unanswered for months.",
    "By the autumn the first relief kitchens opened in Kustanai, run by volunteers from the railway workshops.",
    "Contemporary newspapers hardly mentioned the famine, and the census of 1926 hides most of its traces.",
    "Oral testimonies collected in the 1990s describe whole auls moving south towards the Syr Darya.",
    "The archival file on the relief commission is incomplete: several sheets were removed before 1937.",
    "Historians have since estimated the losses from comparisons of the 1917 and 1926 household lists.",
]


def run(blocks, ledger=None, today=DAY1, doc=DOC):
    """Assign one document and return the assignment and the updated ledger."""
    ledger = ledger or Ledger()
    blocks = [b if isinstance(b, Block) else Block(b) for b in blocks]
    assignment = assign_anchors(doc, blocks, ledger, today)
    return assignment, update_ledger(ledger, {doc: (blocks, assignment)})


def events(assignment, kind):
    return [e for e in assignment.events if e.kind == kind]


@pytest.fixture
def first():
    return run(PARAS)


# -- one test per edit kind ----------------------------------------------------

def test_ids_look_right_and_are_distinct(first):
    a, _ = first
    assert len(set(a.ids)) == len(PARAS)
    assert all(re.fullmatch(rf"p-[{ALPHABET}]{{4}}", i) for i in a.ids)
    assert {e.kind for e in a.events} == {"new"}


def test_typo_fix_keeps_id(first):
    a, ledger = first
    texts = list(PARAS)
    texts[2] = texts[2].replace("Orenburg", "Orenbrug")
    b, _ = run(texts, ledger, DAY2)
    assert b.ids == a.ids
    assert [e.id for e in events(b, "edited")] == [a.ids[2]]


def test_whitespace_changes_nothing(first):
    a, ledger = first
    texts = [t.replace(" ", "\n  ", 3) for t in PARAS]
    b, after = run(texts, ledger, DAY2)
    assert b.ids == a.ids
    assert {e.kind for e in b.events} == {"kept"}
    assert after == ledger


def test_rewording_keeps_id(first):
    a, ledger = first
    texts = list(PARAS)
    texts[3] = ("By late autumn the first relief kitchens were opened in Kustanai, "
                "staffed by volunteers from the railway depot.")
    b, _ = run(texts, ledger, DAY2)
    assert b.ids == a.ids


def test_insertion_gets_new_id_and_others_keep_theirs(first):
    a, ledger = first
    texts = PARAS[:4] + ["A new paragraph about the nomadic economy before the revolution."] + PARAS[4:]
    b, _ = run(texts, ledger, DAY2)
    assert b.ids[:4] == a.ids[:4] and b.ids[5:] == a.ids[4:]
    assert b.ids[4] not in a.ids
    assert [e.id for e in events(b, "new")] == [b.ids[4]]


def test_deletion_leaves_tombstone_on_preceding_paragraph(first):
    a, ledger = first
    b, after = run(PARAS[:3] + PARAS[4:], ledger, DAY2)
    gone = a.ids[3]
    assert gone not in b.ids
    assert b.redirects[gone].target_id == a.ids[2]
    assert b.redirects[gone].kind == "deleted" and b.redirects[gone].date == DAY2
    assert f"deleted {gone} {DAY2} -> {a.ids[2]}" in after.serialize()


def test_deleting_the_first_paragraph_resolves_to_the_next(first):
    a, ledger = first
    b, _ = run(PARAS[1:], ledger, DAY2)
    assert b.redirects[a.ids[0]].target_id == a.ids[1]


def test_deleting_everything_resolves_to_the_top(first):
    a, ledger = first
    b, after = run([], ledger, DAY2)
    assert set(b.redirects) == set(a.ids)
    assert all(r.target_id is None for r in b.redirects.values())
    assert Ledger.parse(after.serialize()) == (after, [])


def test_split_keeps_id_on_larger_part(first):
    a, ledger = first
    long = " ".join(PARAS[4:7])
    _, ledger = run(PARAS[:4] + [long] + PARAS[7:], ledger, DAY2)
    merged_id = _ids(ledger)[4]
    small, large = PARAS[4], PARAS[5] + " " + PARAS[6]
    c, _ = run(PARAS[:4] + [small, large] + PARAS[7:], ledger, DAY3)
    assert c.ids[5] == merged_id
    assert c.ids[4] not in _all_ids(ledger)
    assert events(c, "split")[0].detail == f"split from {merged_id}"


def test_merge_records_alias(first):
    a, ledger = first
    merged = PARAS[5] + " " + PARAS[6]
    b, after = run(PARAS[:5] + [merged] + PARAS[7:], ledger, DAY2)
    survivor = b.ids[5]
    assert survivor in (a.ids[5], a.ids[6])
    absorbed = ({a.ids[5], a.ids[6]} - {survivor}).pop()
    assert b.redirects[absorbed].kind == "merged"
    assert b.redirects[absorbed].target_id == survivor
    assert f"merged {absorbed} {DAY2} -> {survivor}" in after.serialize()
    assert events(b, "merged")[0].id == absorbed


def test_move_keeps_id(first):
    a, ledger = first
    texts = PARAS[1:6] + [PARAS[0]] + PARAS[6:]
    b, _ = run(texts, ledger, DAY2)
    assert b.ids == a.ids[1:6] + (a.ids[0],) + a.ids[6:]
    assert [e.id for e in events(b, "moved")] == [a.ids[0]]


def test_edited_and_moved_keeps_id(first):
    a, ledger = first
    edited = PARAS[1].replace("by half", "by more than half")
    texts = [PARAS[0]] + PARAS[2:7] + [edited, PARAS[7]]
    b, _ = run(texts, ledger, DAY2)
    assert b.ids[6] == a.ids[1]


def test_reordered_sections_keep_ids_even_when_edited(first):
    a, ledger = first
    second = list(PARAS[4:])
    second[1] = second[1].replace("1990s", "late 1990s")
    b, _ = run(second + PARAS[:4], ledger, DAY2)
    assert b.ids == a.ids[4:] + a.ids[:4]


def test_pinned_id_wins_and_the_old_id_becomes_an_alias(first):
    a, ledger = first
    blocks = [Block(t, "p-intro" if i == 0 else None) for i, t in enumerate(PARAS)]
    b, after = run(blocks, ledger, DAY2)
    assert b.ids[0] == "p-intro" and b.ids[1:] == a.ids[1:]
    assert b.redirects[a.ids[0]].target_id == "p-intro"
    assert events(b, "pinned")[0].detail == f"replaces {a.ids[0]}"
    moved = [blocks[3], Block(PARAS[0] + " Revised.", "p-intro")] + blocks[1:3] + blocks[4:]
    c, _ = run(moved, after, DAY3)
    assert c.ids[1] == "p-intro" and c.ids[0] == a.ids[3]


def test_pinning_a_deleted_id_restores_it(first):
    a, ledger = first
    _, ledger = run(PARAS[1:], ledger, DAY2)
    blocks = [Block(PARAS[0] + " Restored.", a.ids[0])] + [Block(t) for t in PARAS[1:]]
    c, after = run(blocks, ledger, DAY3)
    assert c.ids == a.ids and a.ids[0] not in c.redirects
    assert events(c, "pinned")[0].detail == "restored"
    assert f"deleted {a.ids[0]}" not in after.serialize()


def test_pinned_id_conflicts_are_problems_not_exceptions(first):
    _, ledger = first
    taken_elsewhere = ledger.document(DOC).entries[0].id
    blocks = [Block("One.", taken_elsewhere), Block("Two.", "p-x"), Block("Three.", "p-x"),
              Block("Four.", "not an id")]
    b = assign_anchors("other", blocks, ledger, DAY2)
    assert len(b.problems) == 3
    assert b.problems[0].startswith("block 0:") and DOC in b.problems[0]
    assert b.problems[1].startswith("block 2:") and "block 1" in b.problems[1]
    assert b.problems[2].startswith("block 3:")
    assert b.ids[1] == "p-x" and len(set(b.ids)) == 4 and taken_elsewhere not in b.ids


def test_same_pin_in_two_documents_of_one_build():
    docs = {"a": [Block("First.", "p-intro")], "b": [Block("Second.", "p-intro")]}
    result = assign_site(docs, Ledger(), DAY1)
    assert result["a"].ids == ("p-intro",) and not result["a"].problems
    assert result["b"].ids != ("p-intro",) and "document 'a'" in result["b"].problems[0]


def test_repeated_identical_paragraphs_get_distinct_stable_ids():
    texts = [PARAS[0], "Ibid.", PARAS[1], "Ibid.", PARAS[2], "Ibid.", "See above.", PARAS[3]]
    a, ledger = run(texts)
    assert len(set(a.ids)) == len(texts)
    again = assign_anchors(DOC, [Block(t) for t in texts], ledger, DAY2)
    assert again.ids == a.ids
    appended = texts + ["A new paragraph about the relief effort.", "Ibid."]
    b, ledger = run(appended, ledger, DAY2)
    assert b.ids[:8] == a.ids and len(set(b.ids)) == 10
    deleted = appended[:3] + appended[4:]
    c, _ = run(deleted, ledger, DAY3)
    assert c.ids == b.ids[:3] + b.ids[4:]
    # Where nothing tells copies apart, they are matched in order: the first keeps the id.
    ambiguous = texts[:3] + ["Ibid.", "A new paragraph about the relief effort."] + texts[3:]
    d, _ = run(ambiguous, run(texts)[1], DAY2)
    assert d.ids[3] == a.ids[3] and d.ids[5] not in a.ids


def test_short_text_keeps_its_id_wherever_it_moved():
    """Identical text keeps its id however short: a moved "See above." is recognised by its text."""
    texts = [PARAS[0], "See above.", *PARAS[1:6]]
    a, ledger = run(texts)
    b, _ = run([PARAS[0], *PARAS[1:4], "See above.", *PARAS[4:6]], ledger, DAY2)
    assert b.ids[4] == a.ids[1]
    assert ("moved", a.ids[1]) in {(e.kind, e.id) for e in b.events} and not b.redirects


def test_moved_copy_of_a_repeated_text_takes_the_id_of_the_copy_gone():
    """Of three "Ibid.", the one that moved away leaves the others' ids where they were."""
    texts = [PARAS[0], "Ibid.", PARAS[1], "Ibid.", PARAS[2], PARAS[3], "Ibid.", PARAS[4], PARAS[5]]
    a, ledger = run(texts)
    moved = [PARAS[0], PARAS[1], "Ibid.", PARAS[2], PARAS[3], "Ibid.", PARAS[4], PARAS[5], "Ibid."]
    b, _ = run(moved, ledger, DAY2)
    assert b.ids[2] == a.ids[3] and b.ids[5] == a.ids[6]
    assert b.ids[8] == a.ids[1]  # the first copy, moved to the end
    assert not b.redirects


def test_edited_short_text_among_other_changes_is_not_guessed():
    """An edited "Ibid." carries too little to be recognised unless alone in its slot: its id redirects."""
    texts = [PARAS[0], "Ibid.", "See above.", *PARAS[1:4]]
    a, ledger = run(texts)
    b, _ = run([PARAS[0], "Ibd.", "Se above.", *PARAS[1:4]], ledger, DAY2)
    assert a.ids[1] not in b.ids and a.ids[2] not in b.ids
    assert b.redirects[a.ids[1]].target_id == a.ids[0]


def test_deleted_id_is_never_reused(first):
    a, ledger = first
    _, ledger = run(PARAS[1:], ledger, DAY2)
    c, ledger = run(PARAS, ledger, DAY3)
    assert c.ids[0] != a.ids[0]
    assert c.redirects[a.ids[0]].target_id in c.ids


def test_redirect_chains_resolve_to_live_paragraphs(first):
    a, ledger = first
    _, ledger = run(PARAS[:3] + PARAS[4:], ledger, DAY2)
    c, after = run(PARAS[:2] + PARAS[4:], ledger, DAY3)
    assert c.redirects[a.ids[3]].target_id == a.ids[1]
    assert c.redirects[a.ids[3]].date == DAY2
    assert c.redirects[a.ids[2]].target_id == a.ids[1]


def test_ledger_resolves_old_ids(first):
    a, ledger = first
    b, after = run(PARAS[:3] + PARAS[4:], ledger, DAY2)
    assert after.resolve(a.ids[3]) == (DOC, a.ids[2], "deleted")
    assert after.resolve(a.ids[0]) == (DOC, a.ids[0], "live")
    assert after.resolve("p-none") is None


def test_unchanged_ledger_serialises_identically(first):
    a, ledger = first
    b, after = run(PARAS, ledger, DAY2)
    assert after.serialize() == ledger.serialize()


# -- the lock file -----------------------------------------------------------

def _edited_ledger():
    a, ledger = run(PARAS)
    _, ledger = run(PARAS[:2] + [PARAS[2] + " " + PARAS[3]] + PARAS[5:], ledger, DAY2)
    _, other = run(["Ibid.", "", "* * *", "Tab\tand control\x07 characters — and ünïcode."], ledger,
                   DAY2, doc="appendix/a b")
    return other


def test_round_trip_is_exact():
    ledger = _edited_ledger()
    text = ledger.serialize()
    parsed, problems = Ledger.parse(text)
    assert problems == []
    assert parsed == ledger
    assert parsed.serialize() == text
    assert Ledger.parse(parsed.serialize())[0].serialize() == text
    assert text.index("[appendix/a b]") < text.index(f"[{DOC}]")
    assert parsed.document_ids() == ["appendix/a b", DOC]


def test_insertion_is_a_one_line_diff(first):
    _, ledger = first
    _, after = run(PARAS[:4] + ["Something new was said here."] + PARAS[4:], ledger, DAY2)
    old, new = ledger.serialize().splitlines(), after.serialize().splitlines()
    assert len(new) == len(old) + 1 and set(old) <= set(new)


def test_malformed_lines_are_reported_with_line_numbers():
    good = _edited_ledger().serialize().splitlines()
    k = next(i for i, line in enumerate(good) if line.startswith("p-"))
    bad = [
        *good[:k + 1],
        "p-bad1 nothex 12 AAAA",              # bad hash
        good[k],                               # duplicate id
        "deleted p-zz11 yesterday -> p-x",     # bad date
        "merged p-zz12 2024-01-01 p-x",       # missing arrow
        "<<<<<<< HEAD",                        # conflict marker
        "deleted p-zz13 2024-01-01 -> p-nowhere",  # unknown target
        *good[k + 1:],
    ]
    ledger, problems = Ledger.parse("\n".join(bad) + "\n")
    first = k + 2
    by_line = {p.line: p for p in problems}
    assert set(by_line) == set(range(first, first + 6))
    assert by_line[first].col == len("p-bad1 ") + 1
    assert "already recorded on line" in by_line[first + 1].message
    assert "date" in by_line[first + 2].message
    assert "merge conflict" in by_line[first + 4].message
    assert "not in [" in by_line[first + 5].message
    assert str(by_line[first + 2]).startswith(f"anchors.lock:{first + 2}:")
    assert len(ledger.document_ids()) == 2
    assert ledger.document_ids() == Ledger.parse("\n".join(good))[0].document_ids()


def test_garbage_never_raises():
    for text in ["", "\n\n", "garbage", "[", "[]", "anchors-lock 7\n", "p-a b c d\n[x]\np-a 1 2 3",
                 "anchors-lock 1\n[d]\np-a 0123456789abcdef -3 - x\np-b 0123456789abcdef 3 ????"]:
        ledger, problems = Ledger.parse(text)
        assert isinstance(problems, list)
        assert all(p.line >= 1 and p.col >= 1 for p in problems)


# -- site-wide rules ---------------------------------------------------------

def test_lost_documents_are_reported():
    _, ledger = run(PARAS)
    _, ledger = run(["Other text."], ledger, doc="intro")
    assert lost_documents(ledger, ["intro"]) == [DOC]
    assert lost_documents(ledger, [DOC, "intro", "new"]) == []
    assert lost_ids(ledger, ["intro"])[DOC] == list(ledger.document(DOC).ids())
    kept = update_ledger(ledger, {})
    assert kept.document_ids() == [DOC, "intro"]


def test_ids_are_unique_across_the_site():
    docs = {"a": [Block(t) for t in PARAS], "b": [Block(t) for t in PARAS]}
    result = assign_site(docs, Ledger(), DAY1)
    assert not set(result["a"].ids) & set(result["b"].ids)
    ledger = update_ledger(Ledger(), result)
    docs["c"] = [Block(t) for t in PARAS]
    again = assign_site(docs, ledger, DAY2)
    assert again["a"].ids == result["a"].ids and again["b"].ids == result["b"].ids
    assert not set(again["c"].ids) & (set(result["a"].ids) | set(result["b"].ids))


def test_update_ledger_refuses_ids_given_twice():
    # Assigned separately, without threading ``taken``: the mistake is caught.
    a = assign_anchors("a", [Block("Text.", "p-same")], Ledger(), DAY1)
    b = assign_anchors("b", [Block("Text.", "p-same")], Ledger(), DAY1)
    with pytest.raises(ValueError):
        update_ledger(Ledger(), {"a": a, "b": b})


def test_update_ledger_refuses_an_assignment_made_against_another_ledger(first):
    _, ledger = first
    stale = assign_anchors(DOC, [Block("Something else entirely.")], Ledger(), DAY2)
    with pytest.raises(ValueError):
        update_ledger(ledger, {DOC: stale})


def test_update_ledger_does_not_mutate(first):
    _, ledger = first
    before = ledger.serialize()
    run(PARAS[2:], ledger, DAY2)
    assert ledger.serialize() == before


def test_determinism():
    texts = PARAS + ["Ibid.", "Ibid."]
    one = run(texts)
    two = run(texts)
    assert one[0].ids == two[0].ids
    assert one[1].serialize() == two[1].serialize()
    edited = texts[:3] + texts[4:] + ["Appendix."]
    assert run(edited, one[1], DAY2)[0] == run(edited, two[1], DAY2)[0]


def test_build_date():
    assert build_date({"SOURCE_DATE_EPOCH": "1700000000"}) == "2023-11-14"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", build_date({}))
    with pytest.raises(ValueError):
        assign_anchors(DOC, [], Ledger(), "yesterday")


def test_a_300_paragraph_document_is_fast():
    import time
    texts = [f"{PARAS[i % 8]} Paragraph {i} adds its own words: w{i} x{i * 7} y{i * 13}." for i in range(300)]
    _, ledger = run(texts)
    texts[10] = texts[10].replace("Paragraph", "Paragraf")
    texts.insert(100, "A freshly written paragraph.")
    del texts[200]
    start = time.perf_counter()
    for _ in range(5):
        assign_anchors(DOC, [Block(t) for t in texts], ledger, DAY2)
    assert (time.perf_counter() - start) / 5 < 0.05


def _ids(ledger, doc=DOC):
    return [e.id for e in ledger.document(doc).entries]


def _all_ids(ledger):
    return ledger.all_ids()


# -- property: random edit histories ------------------------------------------
# Hypothesis chooses the edits; the words come from a generator seeded by the
# paragraph, as in real prose where two paragraphs share few words.

LENGTH = st.integers(2, 14)
OP = st.tuples(st.sampled_from(["insert", "delete", "edit", "split", "merge", "move"]),
               st.integers(0, 10_000), st.integers(0, 10_000), LENGTH)


class Para:
    counter = 0

    def __init__(self, words, lineage=frozenset()):
        Para.counter += 1
        self.uid = Para.counter
        self.words = list(words)
        self.lineage = frozenset(lineage) | {self.uid}

    @classmethod
    def fresh(cls, length, seed):
        rng = random.Random(repr(seed))
        return cls(rng.choices(range(5000), k=length))

    @property
    def text(self):
        return " ".join(f"w{w}" for w in self.words) + "."


def apply(op, paras, seed):
    kind, a, b, length = op
    if kind == "insert" or not paras:
        paras.insert(a % (len(paras) + 1), Para.fresh(length, seed))
        return
    i = a % len(paras)
    p = paras[i]
    if kind == "delete":
        del paras[i]
    elif kind == "edit":
        p.words[b % len(p.words)] = random.Random(repr(seed)).randrange(5000)
    elif kind == "split" and len(p.words) >= 2:
        cut = 1 + b % (len(p.words) - 1)
        head, tail = p.words[:cut], p.words[cut:]
        big, small = (head, tail) if len(head) >= len(tail) else (tail, head)
        p.words = big
        part = Para(small, p.lineage)
        paras.insert(i + 1 if big is head else i, part)
    elif kind == "merge" and i + 1 < len(paras):
        other = paras.pop(i + 1)
        p.words = p.words + other.words
        p.lineage = p.lineage | other.lineage
    elif kind == "move":
        paras.insert(b % len(paras), paras.pop(i))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.tuples(st.lists(LENGTH, min_size=1, max_size=12), st.lists(LENGTH, max_size=8)),
       steps=st.lists(st.lists(st.tuples(st.sampled_from("ab"), OP), min_size=1, max_size=6),
                      min_size=1, max_size=5),
       seed=st.integers(0, 2**32))
def test_random_edit_histories_never_lose_or_reassign_ids(start, steps, seed):
    docs = {"a": [Para.fresh(n, (seed, "a", k)) for k, n in enumerate(start[0])],
            "b": [Para.fresh(n, (seed, "b", k)) for k, n in enumerate(start[1])]}
    ledger = Ledger()
    owner: dict[str, int] = {}
    retired: set[str] = set()
    previous: dict[str, dict[str, str]] = {"a": {}, "b": {}}
    """Per document, the id each text had in the previous build."""
    old_texts: dict[str, list[str]] = {"a": [], "b": []}
    for number, step in enumerate([[]] + steps):
        for k, (doc, op) in enumerate(step):
            apply(op, docs[doc], (seed, number, k))
        blocks = {d: [Block(p.text) for p in paras] for d, paras in docs.items()}
        result = assign_site(blocks, ledger, f"2024-01-{number + 1:02d}")
        new_ledger = update_ledger(ledger, result)
        assert Ledger.parse(new_ledger.serialize()) == (new_ledger, [])

        everything = [i for d in result for i in result[d].ids] + [i for d in result for i in result[d].redirects]
        assert len(everything) == len(set(everything)), "an id is used twice in the site"
        for d, a in result.items():
            live = set(a.ids)
            for anchor in ledger.document(d).ids() if ledger.document(d) else ():
                assert anchor in live or anchor in a.redirects, f"{anchor} lost"
            for r in a.redirects.values():
                assert r.target_id in live or (r.target_id is None and not live)
            assert not live & retired, "a deleted or merged id came back"
            retired |= set(a.redirects)
            texts = [p.text for p in docs[d]]
            for p, anchor in zip(docs[d], a.ids):
                if anchor in owner:
                    assert owner[anchor] in p.lineage, f"{anchor} given to another paragraph"
                owner.setdefault(anchor, p.uid)
                unique = texts.count(p.text) == 1 and old_texts[d].count(p.text) == 1
                if unique and len(p.words) >= SHORT_WORDS:
                    assert anchor == previous[d][p.text], "an unchanged paragraph lost its id"
            previous[d] = {p.text: anchor for p, anchor in zip(docs[d], a.ids)}
            old_texts[d] = texts
        ledger = new_ledger

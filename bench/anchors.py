"""Benchmark of stable paragraph anchors over a long editing history.

Replays successive revisions of a long synthetic document, edited the way
editors edit: typo fixes, rewordings, insertions, deletions, paragraphs
replaced by new ones, splits, merges, moved paragraphs and sections,
reordered sections and one large rewrite.
Every paragraph carries a hidden identity, so each revision's ids can be
checked against the truth.  Seeded: the same figures on every run.

Run from the project root: ``python -m bench.anchors`` (``--help`` for options).
The exit status is 1 when a hard promise is broken: an unchanged or moved
paragraph losing its id, an id lost, duplicated or
given to another paragraph, a deleted id that does not resolve.
"""
from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from edition.anchors import Block, Ledger, assign_anchors, update_ledger  # noqa: E402
from edition.anchors.fingerprint import SHORT_WORDS  # noqa: E402

FUNCTION_WORDS = (
    "the of and in to a was that for on by with as were from which his at is it be had this their not "
    "an or they but its are have he been who into also after these than more other between during all "
    "when there would only first its over such under while both most some before same where through"
).split()
SYLLABLES = ("ka ra zy ba ev tu ma no si an ol ku ly sh be ta ir om al ys ne de gu er in os ti "
             "ul ya ke mi re sa bo").split()
DOC = "history/famine"


class Prose:
    """Sentences with realistic word statistics: frequent function words, Zipfian content words."""

    def __init__(self, rng: random.Random, vocabulary: int = 6000):
        self.rng = rng
        words = set()
        while len(words) < vocabulary:
            words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
        self.words = sorted(words)
        rng.shuffle(self.words)
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(self.words))))

    def word(self, topic: list[str]) -> str:
        roll = self.rng.random()
        if roll < 0.42:
            return self.rng.choice(FUNCTION_WORDS)
        if roll < 0.55:
            return self.rng.choice(topic)
        if roll < 0.58:
            return str(self.rng.randint(1, 1950))
        return self.rng.choices(self.words, cum_weights=self.cumulative)[0]

    def topic(self) -> list[str]:
        return self.rng.sample(self.words[50:1500], 12)

    def sentence(self, topic: list[str]) -> str:
        words = [self.word(topic) for _ in range(self.rng.randint(7, 26))]
        return words[0].capitalize() + " " + " ".join(words[1:]) + self.rng.choice(".....;?")[:1].replace(";", ".")

    def paragraph(self, topic: list[str]) -> str:
        roll = self.rng.random()
        if roll < 0.05:
            return self.rng.choice(["Ibid.", "See above.", "Ibid., p. 12.", "Ibid."])
        if roll < 0.12:
            return self.sentence(topic)  # list item, caption or short footnote
        return " ".join(self.sentence(topic) for _ in range(self.rng.randint(2, 6)))


@dataclass
class Para:
    uid: int
    text: str
    lineage: set[int] = field(default_factory=set)
    """Every identity this paragraph descends from (itself, merged and split sources)."""


@dataclass
class Changes:
    """Ground truth of one revision."""

    flags: dict[int, set[str]] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    absorbed: dict[int, int] = field(default_factory=dict)
    """Absorbed identity -> identity of the merged paragraph."""
    split_larger: set[int] = field(default_factory=set)

    def flag(self, uid: int, what: str) -> None:
        self.flags.setdefault(uid, set()).add(what)


class History:
    """A document of sections and the edits applied to it."""

    def __init__(self, seed: int, paragraphs: int):
        self.rng = random.Random(seed)
        self.prose = Prose(self.rng)
        self.next_uid = 0
        self.sections: list[tuple[list[str], list[Para]]] = []
        while sum(len(s) for _, s in self.sections) < paragraphs:
            topic = self.prose.topic()
            self.sections.append((topic, [self.new_para(topic) for _ in range(self.rng.randint(6, 22))]))

    def new_para(self, topic: list[str], text: str | None = None) -> Para:
        self.next_uid += 1
        return Para(self.next_uid, text or self.prose.paragraph(topic), {self.next_uid})

    def paragraphs(self) -> list[Para]:
        return [p for _, section in self.sections for p in section]

    def pick(self, long: bool = False) -> tuple[int, int]:
        while True:
            s = self.rng.randrange(len(self.sections))
            section = self.sections[s][1]
            if section:
                i = self.rng.randrange(len(section))
                if not long or (section[i].text.count(". ") >= 1 and len(section[i].text.split()) >= 12):
                    return s, i

    # -- edits ------------------------------------------------------------
    def typo(self, ch: Changes) -> None:
        s, i = self.pick()
        p = self.sections[s][1][i]
        words = p.text.split(" ")
        k = self.rng.randrange(len(words))
        w = words[k]
        if len(w) > 3:
            j = self.rng.randrange(1, len(w) - 1)
            w = w[:j] + w[j + 1] + w[j] + w[j + 2:] if self.rng.random() < 0.5 else w[:j] + w[j + 1:]
        else:
            w = w + ","
        words[k] = w
        p.text = " ".join(words)
        ch.flag(p.uid, "edited")

    def reword(self, ch: Changes) -> None:
        s, i = self.pick()
        while len(self.sections[s][1][i].text.split()) < 5:  # "Ibid." is replaced, not reworded
            s, i = self.pick()
        topic, section = self.sections[s]
        p = section[i]
        sentences = p.text.split(". ")
        k = self.rng.randrange(len(sentences))
        roll = self.rng.random()
        if len(sentences) >= 3 and roll < 0.3:
            sentences[k] = self.prose.sentence(topic).rstrip(".")  # a sentence rewritten
        elif roll < 0.5:
            sentences.insert(k + 1, self.prose.sentence(topic).rstrip("."))  # a sentence added
        elif len(sentences) >= 3 and roll < 0.6:
            del sentences[k]
        else:  # a few words changed
            words = sentences[k].split(" ")
            for _ in range(max(1, len(words) // 5)):
                words[self.rng.randrange(len(words))] = self.prose.word(topic)
            sentences[k] = " ".join(words)
        p.text = ". ".join(sentences)
        ch.flag(p.uid, "edited")

    def insert(self, ch: Changes) -> None:
        s = self.rng.randrange(len(self.sections))
        topic, section = self.sections[s]
        section.insert(self.rng.randint(0, len(section)), self.new_para(topic))

    def delete(self, ch: Changes) -> None:
        s, i = self.pick()
        p = self.sections[s][1].pop(i)
        ch.deleted.add(p.uid)

    def replace(self, ch: Changes) -> None:
        """A paragraph deleted and a new one written in its place: its id must not pass on."""
        s, i = self.pick()
        topic, section = self.sections[s]
        old = section[i]
        new = self.new_para(topic)
        while new.text == old.text:  # the same text again is no replacement at all
            new.text = self.prose.paragraph(topic)
        ch.deleted.add(old.uid)
        section[i] = new

    def split(self, ch: Changes) -> None:
        s, i = self.pick(long=True)
        topic, section = self.sections[s]
        p = section[i]
        sentences = p.text.split(". ")
        if len(sentences) < 2:
            return
        cut = self.rng.randint(1, len(sentences) - 1)
        first, second = ". ".join(sentences[:cut]) + ".", ". ".join(sentences[cut:])
        if len(first.split()) >= len(second.split()):
            p.text, other, at = first, second, i + 1
        else:
            p.text, other, at = second, first, i
        part = self.new_para(topic, other)
        part.lineage |= p.lineage
        section.insert(at, part)
        ch.flag(p.uid, "split")
        ch.split_larger.add(p.uid)

    def merge(self, ch: Changes) -> None:
        s, i = self.pick()
        section = self.sections[s][1]
        if i + 1 >= len(section):
            return
        a, b = section[i], section.pop(i + 1)
        a.text = a.text + " " + b.text
        a.lineage |= b.lineage
        ch.flag(a.uid, "merged")
        ch.absorbed[b.uid] = a.uid

    def move(self, ch: Changes, edit: bool = False) -> None:
        s, i = self.pick()
        p = self.sections[s][1].pop(i)
        t = self.rng.randrange(len(self.sections))
        self.sections[t][1].insert(self.rng.randint(0, len(self.sections[t][1])), p)
        ch.flag(p.uid, "moved")

    def move_run(self, ch: Changes) -> None:
        """A run of paragraphs moved to another section, one of them edited on the way."""
        s = self.rng.randrange(len(self.sections))
        section = self.sections[s][1]
        if len(section) < 4:
            return
        start = self.rng.randrange(len(section) - 3)
        run = section[start:start + self.rng.randint(3, min(10, len(section) - start))]
        del section[start:start + len(run)]
        t = self.rng.randrange(len(self.sections))
        target = self.sections[t][1]
        at = self.rng.randint(0, len(target))
        target[at:at] = run
        for p in run:
            ch.flag(p.uid, "moved")
        victim = self.rng.choice(run)
        words = victim.text.split(" ")
        words[self.rng.randrange(len(words))] = self.prose.word(self.sections[t][0])
        victim.text = " ".join(words)
        ch.flag(victim.uid, "edited")

    def reorder_sections(self, ch: Changes) -> None:
        a, b = self.rng.sample(range(len(self.sections)), 2)
        self.sections[a], self.sections[b] = self.sections[b], self.sections[a]
        for _, section in (self.sections[a], self.sections[b]):
            for p in section:
                ch.flag(p.uid, "moved")

    def rewrite_section(self, ch: Changes) -> None:
        """The large rewrite: every paragraph of a section heavily revised."""
        s = max(range(len(self.sections)), key=lambda k: len(self.sections[k][1]))
        topic, section = self.sections[s]
        for p in section:
            sentences = p.text.split(". ")
            for k in range(len(sentences)):
                if self.rng.random() < 0.35:
                    sentences[k] = self.prose.sentence(topic).rstrip(".")
                else:
                    words = sentences[k].split(" ")
                    for _ in range(max(1, len(words) // 4)):
                        words[self.rng.randrange(len(words))] = self.prose.word(topic)
                    sentences[k] = " ".join(words)
            if len(sentences) > 1 and self.rng.random() < 0.3:
                sentences.append(self.prose.sentence(topic).rstrip("."))
            p.text = ". ".join(sentences)
            ch.flag(p.uid, "rewritten")

    def revise(self, number: int, rewrite_at: int) -> Changes:
        ch = Changes()
        r = self.rng
        for _ in range(r.randint(3, 8)):
            self.typo(ch)
        for _ in range(r.randint(2, 5)):
            self.reword(ch)
        for _ in range(r.randint(1, 3)):
            self.insert(ch)
        for _ in range(r.randint(1, 2)):
            self.delete(ch)
        for _ in range(r.randint(0, 2)):
            self.replace(ch)
        if r.random() < 0.6:
            self.split(ch)
        if r.random() < 0.6:
            self.merge(ch)
        for _ in range(r.randint(0, 2)):
            self.move(ch)
        if number % 4 == 1:
            self.move_run(ch)
        if number % 6 == 3:
            self.reorder_sections(ch)
        if number == rewrite_at:
            self.rewrite_section(ch)
        return ch


@dataclass
class Tally:
    kept: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.kept += ok

    def __str__(self) -> str:
        share = 100.0 * self.kept / self.total if self.total else 100.0
        return f"{share:6.2f} %  ({self.kept}/{self.total})"


def run(seed: int = 1921, revisions: int = 40, paragraphs: int = 300, verbose: bool = False) -> dict[str, object]:
    history = History(seed, paragraphs)
    ledger = Ledger()
    paras = history.paragraphs()
    first = assign_anchors(DOC, [Block(p.text) for p in paras], ledger, "2024-01-01")
    ledger = update_ledger(ledger, {DOC: first})
    current = {p.uid: a for p, a in zip(paras, first.ids)}
    owner = {a: p.uid for p, a in zip(paras, first.ids)}
    ever: set[str] = set(first.ids)
    tallies = {k: Tally() for k in ("unchanged", "edited", "edited-long", "edited-short", "moved", "moved-long",
                                    "moved-short", "split", "merged", "deleted", "rewritten")}
    misassigned = twins = duplicates = lost = unstable_lock = 0
    last_text = {a: p.text for p, a in zip(paras, first.ids)}
    times: list[float] = []
    sizes = []
    for number in range(1, revisions + 1):
        before = {p.uid: p.text for p in history.paragraphs()}
        changes = history.revise(number, rewrite_at=revisions // 2)
        paras = history.paragraphs()
        sizes.append(len(paras))
        blocks = [Block(p.text) for p in paras]
        text = ledger.serialize()
        parsed, problems = Ledger.parse(text)
        assert not problems, problems
        unstable_lock += parsed.serialize() != text
        start = time.perf_counter()
        result = assign_anchors(DOC, blocks, parsed, f"2024-{1 + number // 28:02d}-{1 + number % 28:02d}")
        times.append(1000 * (time.perf_counter() - start))
        ledger = update_ledger(parsed, {DOC: (blocks, result)})

        ids = dict(zip((p.uid for p in paras), result.ids))
        live = set(result.ids)
        duplicates += len(result.ids) - len(live)
        for p, anchor in zip(paras, result.ids):
            if anchor in owner and owner[anchor] not in p.lineage:
                # Identical twins ("Ibid." inserted next to "Ibid.") cannot be told apart by anyone.
                if last_text.get(anchor) == p.text:
                    twins += 1
                else:
                    misassigned += 1
                owner[anchor] = p.uid  # counted once, not again in every later revision
            owner.setdefault(anchor, p.uid)
            last_text[anchor] = p.text
        lost += sum(1 for a in ever if a not in live and a not in result.redirects)
        if any(r.target_id is not None and r.target_id not in live for r in result.redirects.values()):
            lost += 1
        ever |= live
        for p in paras:
            if p.uid not in current:
                continue
            flags = changes.flags.get(p.uid, set())
            same = ids[p.uid] == current[p.uid]
            if "rewritten" in flags:
                tallies["rewritten"].add(same)
            elif "merged" in flags:
                r = result.redirects.get(current[p.uid])
                tallies["merged"].add(same or (r is not None and r.target_id == ids[p.uid]))
            elif "split" in flags:
                tallies["split"].add(same)
            elif "edited" in flags or "moved" in flags:
                kind = "edited" if "edited" in flags else "moved"
                tallies[kind].add(same)
                short = min(len(p.text.split()), len(before[p.uid].split())) < SHORT_WORDS
                tallies[f"{kind}-{'short' if short else 'long'}"].add(same)
            else:
                tallies["unchanged"].add(same and before.get(p.uid) == p.text)
        text_of = {anchor: p.text for p, anchor in zip(paras, result.ids)}
        for uid in changes.deleted & current.keys():
            r = result.redirects.get(current[uid])
            # A deleted "Ibid." whose id an identical "Ibid." written elsewhere took still lands on that text.
            twin = r is None and text_of.get(current[uid]) == before[uid]
            tallies["deleted"].add(twin or (r is not None and (r.target_id in live or not paras)))
        for uid, into in changes.absorbed.items():
            if uid not in current:
                continue
            old_id = current[uid]
            r = result.redirects.get(old_id)
            target = r.target_id if r else old_id
            tallies["merged"].add(target == ids[into])
        if verbose:
            lost_edits = [p.uid for p in paras if "edited" in changes.flags.get(p.uid, ()) and p.uid in current
                          and ids[p.uid] != current[p.uid]]
            print(f"revision {number}: {len(paras)} paragraphs, {times[-1]:.2f} ms, edited lost {lost_edits}")
        current = ids

    # A rebuild with nothing changed, the most common build.
    blocks = [Block(p.text) for p in history.paragraphs()]
    quiet = []
    for _ in range(20):
        start = time.perf_counter()
        again = assign_anchors(DOC, blocks, ledger, "2025-01-01")
        quiet.append(1000 * (time.perf_counter() - start))
    stable = update_ledger(ledger, {DOC: again}).serialize() == ledger.serialize()
    return {"tallies": tallies, "misassigned": misassigned, "twins": twins, "duplicates": duplicates, "lost": lost,
            "times": times, "quiet": quiet, "stable": stable and not unstable_lock, "sizes": sizes,
            "lock_bytes": len(ledger.serialize().encode("utf-8"))}


def combine(outs: list[dict[str, object]]) -> dict[str, object]:
    """The figures of several histories added up."""
    tallies = {k: Tally(sum(o["tallies"][k].kept for o in outs), sum(o["tallies"][k].total for o in outs))
               for k in outs[0]["tallies"]}
    total = {k: sum(o[k] for o in outs) for k in ("misassigned", "twins", "duplicates", "lost")}
    lists = {k: [x for o in outs for x in o[k]] for k in ("times", "quiet", "sizes")}
    return {"tallies": tallies, **total, **lists, "stable": all(o["stable"] for o in outs),
            "lock_bytes": max(o["lock_bytes"] for o in outs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1921, help="seed of the first history")
    parser.add_argument("--histories", type=int, default=5, help="independent editing histories")
    parser.add_argument("--revisions", type=int, default=40, help="revisions per history")
    parser.add_argument("--paragraphs", type=int, default=300, help="paragraphs at the start")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    outs = [run(args.seed + h, args.revisions, args.paragraphs, args.verbose) for h in range(args.histories)]
    out = combine(outs)
    t = out["tallies"]
    times, quiet, sizes = out["times"], out["quiet"], out["sizes"]
    print(f"stable anchors: {args.histories} histories of {args.revisions} revisions each, documents of "
          f"{min(sizes)}-{max(sizes)} paragraphs (seeds {args.seed}-{args.seed + args.histories - 1})")
    print(f"  unchanged paragraphs that kept their id   {t['unchanged']}")
    print(f"  edited paragraphs that kept their id      {t['edited']}")
    print(f"    of {SHORT_WORDS} words or more                     {t['edited-long']}")
    print(f"    shorter ('Ibid.', 'See above.')         {t['edited-short']}")
    print(f"  moved paragraphs that kept their id       {t['moved']}")
    print(f"    of {SHORT_WORDS} words or more                     {t['moved-long']}")
    print(f"    shorter than that                       {t['moved-short']}")
    print(f"  deleted ids that still resolve            {t['deleted']}")
    print(f"  split: larger part kept the id            {t['split']}")
    print(f"  merged: old ids that land on the merge    {t['merged']}")
    print(f"  large rewrite: paragraphs that kept id    {t['rewritten']}")
    print(f"  ids given to a different paragraph        {out['misassigned']}")
    print(f"    (to an identical twin of theirs         {out['twins']})")
    print(f"  duplicate ids                             {out['duplicates']}")
    print(f"  published ids lost                        {out['lost']}")
    print(f"  lock re-serialised byte-identical         {'yes' if out['stable'] else 'NO'}")
    print(f"  matching time per revision                mean {statistics.mean(times):.2f} ms, "
          f"max {max(times):.2f} ms")
    print(f"  matching time, nothing changed            mean {statistics.mean(quiet):.2f} ms, "
          f"max {max(quiet):.2f} ms")
    print(f"  anchors.lock size, largest                {out['lock_bytes'] / 1024:.1f} KiB")
    print("  edited kept, per history                  "
          + ", ".join(f"{100 * o['tallies']['edited'].kept / max(1, o['tallies']['edited'].total):.1f} %"
                      for o in outs))
    print(f"  total run time                            {time.perf_counter() - start:.1f} s")
    ok = (t["unchanged"].kept == t["unchanged"].total and t["moved"].kept == t["moved"].total
          and t["deleted"].kept == t["deleted"].total and not out["misassigned"]
          and not out["duplicates"] and not out["lost"] and out["stable"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""A synthetic edition for benchmarks: N documents shaped like the showcase.

Each document has about 40 paragraphs with literature and archival
citations, footnotes, index terms (persons and places, with registers in
the format of ``content/registers/``), cross-references, a link to
another document, and abstracts in three languages; the bibliography has
1,000 to 5,000 entries.  Seeded, so every run measures the same edition.
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
WORDS = ("migration famine archive district collective farm caravan settlers authorities report "
         "interrogation region steppe livestock brigade council camel transport resettlement "
         "documents history village protocol investigation republic border people").split()
KK_WORDS = "ауакөшу ашаршылық мұрағат аудан ұжым керуен қоныс билік есеп тергеу өңір дала мал".split()
RU_WORDS = "откочевка голод архив район колхоз караван переселенцы власти отчёт допрос степь скот".split()
ARCHIVES = ("APDTR", "CSA RK", "SATR")


def _sentence(rng: random.Random, words: list[str], n: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def write_bibliography(path: Path, entries: int, rng: random.Random) -> list[str]:
    keys = []
    with path.open("w", encoding="utf-8") as out:
        for i in range(entries):
            key = f"author{i:05d}"
            keys.append(key)
            out.write(f"@book{{{key},\n  author = {{Author{i}, A. and Second{i % 97}, B.}},\n"
                      f"  title = {{{_sentence(rng, WORDS, 6)}}},\n  publisher = {{Press}},\n"
                      f"  address = {{Almaty}},\n  year = {{{1950 + i % 70}}}\n}}\n\n")
    return keys


def write_registers(folder: Path, units: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    archives = ["archives:"]
    for siglum in ARCHIVES:
        archives += [f"  - siglum: {siglum}", f"    name: {{en: Archive {siglum}, kk: Мұрағат {siglum}, ru: Архив {siglum}}}"]
    (folder / "archives.yml").write_text("\n".join(archives) + "\n", encoding="utf-8")
    keys, lines = [], ["units:"]
    for i in range(units):
        key = f"unit-{i:04d}"
        keys.append(key)
        lines += [f"  - key: {key}", f"    archive: {ARCHIVES[i % len(ARCHIVES)]}", f"    fond: \"{i % 50}\"",
                  f"    inventory: \"{i % 7}\"", f"    file: \"{i}\""]
    (folder / "archival-units.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return keys


PERSONS = 60
PLACES = 30


def write_index_registers(folder: Path, rng: random.Random) -> tuple[list[str], list[str]]:
    """Persons and places registers; places with coordinates and a route, as the map needs."""
    persons = ["persons:"]
    for i in range(PERSONS):
        persons += [f"  - key: person-{i:03d}", f"    name: {{en: \"Person{i}, A.\", ru: \"Персона{i} А.\"}}",
                    f"    variants: [Persn{i}]", f"    description: {_sentence(rng, WORDS, 8)}",
                    "    editorial: [name.ru]"]
    (folder / "persons.yml").write_text("\n".join(persons) + "\n", encoding="utf-8")
    places = ["places:"]
    for i in range(PLACES):
        places += [f"  - key: place-{i:03d}", f"    name: {{en: Place{i}, kk: Орын{i}}}",
                   f"    coordinates: {{lat: {40 + i * 0.2:.2f}, lon: {60 + i * 0.4:.2f}}}",
                   "    editorial: [name.kk, coordinates]", f"    description: {_sentence(rng, WORDS, 6)}"]
    places += ["routes:", "  - name: Southern route", "    places: [place-000, place-005, place-010]",
               "    source: The people migrated south in small groups."]
    (folder / "places.yml").write_text("\n".join(places) + "\n", encoding="utf-8")
    return [f"person-{i:03d}" for i in range(PERSONS)], [f"place-{i:03d}" for i in range(PLACES)]


def document_text(number: int, rng: random.Random, bib_keys: list[str], unit_keys: list[str],
                  paragraphs: int = 40, persons: list[str] = (), places: list[str] = (),  # type: ignore[assignment]
                  documents: int = 1) -> str:
    abstract = {lang: " ".join(_sentence(rng, words, 12) for _ in range(4))
                for lang, words in (("en", WORDS), ("kk", KK_WORDS), ("ru", RU_WORDS))}
    front = [f"id: doc-{number:04d}", "lang: en", f"title: {{en: \"{_sentence(rng, WORDS, 5)}\"}}",
             "authors:", "  - name: {en: A. Author}", "date: \"2024\"", "abstract:"]
    for lang, text in abstract.items():
        front += [f"  {lang}: |", f"    {text}"]
    body = []
    for p in range(paragraphs):
        if p % 10 == 0:
            body.append(f"## Section {p // 10 + 1} {{#sec:s{p // 10 + 1}}}")
        sentences = [_sentence(rng, WORDS, rng.randint(8, 20)) for _ in range(rng.randint(3, 6))]
        if p % 2 == 0:
            sentences[0] = sentences[0][:-1] + f" [@{rng.choice(bib_keys)}, p. {rng.randint(1, 400)}]."
        if p % 4 == 1 and persons:
            sentences[0] = sentences[0][:-1] + f", said [Person {p}]{{.person key={rng.choice(persons)}}}."
        if p % 5 == 2 and places:
            sentences[-1] = sentences[-1][:-1] + f" in [the place]{{.place key={rng.choice(places)}}}."
        if p == 11:
            sentences[0] += " As shown in @sec:s1."
        if p == 21 and documents > 1:
            sentences[0] += f" Compare [the next essay](doc-{(number + 1) % documents:04d}.md#sec:s2)."
        if p % 3 == 0:
            sentences[-1] = sentences[-1][:-1] + f" [@{rng.choice(unit_keys)}, pp. {rng.randint(1, 50)}–{rng.randint(51, 99)}]."
        if p % 7 == 0:
            sentences[1] += f"[^n{p}]"
            body.append(" ".join(sentences))
            body.append(f"[^n{p}]: {_sentence(rng, WORDS, 10)}")
            continue
        body.append(" ".join(sentences))
    return "---\n" + "\n".join(front) + "\n---\n\n" + "\n\n".join(body) + "\n"


def generate(root: Path, documents: int, entries: int, seed: int = 1) -> Path:
    """Write a synthetic project at ``root`` (templates copied from this project)."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    (root / "content").mkdir(parents=True)
    shutil.copytree(PROJECT / "templates", root / "templates")
    bib_keys = write_bibliography(root / "bibliography.bib", entries, rng)
    unit_keys = write_registers(root / "content" / "registers", max(50, documents // 2))
    persons, places = write_index_registers(root / "content" / "registers", rng)
    for number in range(documents):
        (root / "content" / f"doc-{number:04d}.md").write_text(
            document_text(number, rng, bib_keys[: max(200, entries // 5)], unit_keys, persons=persons,
                          places=places, documents=documents), encoding="utf-8")
    return root

"""Interface strings: the catalogues hold every string the templates use, translated, placeholders intact."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from conftest import PROJECT
from edition.i18n import LOCALE_DIR, format_date_text, translations

PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z]+\}")


def extracted() -> set[object]:
    with (PROJECT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    ids: set[object] = set()
    for folder in ("edition", "templates"):
        for _, _, message, _, _ in extract_from_dir(PROJECT / folder, method_map, options_map):
            ids.add(message)
    return ids


def catalogue(lang: str):
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=lang)


@pytest.mark.parametrize("lang", ["en", "kk", "ru"])
def test_catalogue_matches_the_templates(lang: str) -> None:
    wanted = extracted()
    have = {message.id for message in catalogue(lang) if message.id}
    assert not wanted - have, f"strings missing from {lang} (run `make messages`): {sorted(map(str, wanted - have))}"
    assert not have - wanted, f"strings no longer used, in {lang} (run `make messages`): {sorted(map(str, have - wanted))}"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_string_is_translated_with_its_placeholders(lang: str) -> None:
    for message in catalogue(lang):
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(targets) and not message.fuzzy, f"{lang}: untranslated {sources[0]!r}"
        expected = sorted(set(PLACEHOLDER.findall(sources[-1])))
        for target in targets:
            assert sorted(set(PLACEHOLDER.findall(target))) == expected, f"{lang}: placeholders of {sources[0]!r}"
        if "<a " in sources[0]:
            assert target.count("<a ") == sources[0].count("<a ") and "</a>" in target


def test_russian_plurals() -> None:
    ru = translations("ru")
    forms = [ru.ngettext("Editorial log: %(n)s change to the source text",
                         "Editorial log: %(n)s changes to the source text", n) % {"n": n} for n in (1, 3, 5, 21)]
    assert forms == ["Журнал правки: 1 изменение исходного текста", "Журнал правки: 3 изменения исходного текста",
                     "Журнал правки: 5 изменений исходного текста", "Журнал правки: 21 изменение исходного текста"]


def test_project_catalogue_overrides(tmp_path: Path) -> None:
    po = tmp_path / "kk" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "Search"\nmsgstr "Іздеу!"\n', encoding="utf-8")
    merged = translations("kk", tmp_path)
    assert merged.gettext("Search") == "Іздеу!"
    assert merged.gettext("Bibliography") == "Библиография"


def test_unknown_language_falls_back_to_the_source_strings() -> None:
    assert translations("de").gettext("Search") == "Search"
    assert format_date_text("2024-03-01", "xx") == "March 1, 2024"

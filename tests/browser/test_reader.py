"""The reader's edition in Chromium: permalinks, copying, abstract tabs, search, keyboard, layout."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ARTICLE = "/nomadic-migrants/"
KK_ABSTRACT, RU_ABSTRACT = "p-7e6m", "p-ftec"


def in_viewport(page, selector: str) -> bool:
    return page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return box.top < window.innerHeight && box.bottom > 0 && box.height > 0;
    }""", selector)


def numbered_paragraph(page, number: int) -> str:
    link = page.locator(".para-link", has_text=re.compile(rf"^¶\s?{number}$")).first
    return link.evaluate("a => a.parentElement.id")


def test_permalink_shows_paragraph_and_its_citation(page) -> None:
    page.goto(ARTICLE)
    anchor = numbered_paragraph(page, 7)
    page.locator(f"#{anchor} > .para-link").click()
    assert page.url.endswith(f"{ARTICLE}#{anchor}")
    assert in_viewport(page, f"#{anchor}")
    citation = page.locator(f"#{anchor} > .para-cite")
    assert citation.is_visible()
    assert f"#{anchor}" in citation.inner_text() and "¶ 7" in citation.inner_text()
    # a fresh visit to the permalink lands on the same paragraph
    page.goto(f"{ARTICLE}#{anchor}")
    assert in_viewport(page, f"#{anchor}") and citation.is_visible()


def test_copy_permalink_and_citation(page, base_url: str) -> None:
    page.goto(ARTICLE)
    anchor = numbered_paragraph(page, 3)
    page.locator(f"#{anchor} > .para-link").click()
    page.locator(f"#{anchor} .copy-button").first.click()
    expect_status = page.locator(f"#{anchor} .copy-feedback")
    expect_status.wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == f"{base_url}{ARTICLE}#{anchor}"
    page.locator(f"#{anchor} .copy-button").nth(1).click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Kabyl A. A.") and copied.endswith(f"¶ 3. {base_url}{ARTICLE}#{anchor}")


def test_abstract_tabs(page) -> None:
    page.goto(ARTICLE)
    tabs = page.get_by_role("tab")
    assert tabs.count() == 3
    assert page.locator("#abstract-en").is_visible() and not page.locator("#abstract-kk").is_visible()
    page.get_by_role("tab", name="Қазақша").click()
    assert page.locator("#abstract-kk").is_visible() and not page.locator("#abstract-en").is_visible()
    assert page.get_by_role("tab", name="Қазақша").get_attribute("aria-selected") == "true"
    # keyboard: arrows move between tabs and select them
    page.get_by_role("tab", name="Қазақша").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.textContent") == "Русский"
    assert page.locator("#abstract-ru").is_visible() and not page.locator("#abstract-kk").is_visible()
    page.keyboard.press("Home")
    assert page.locator("#abstract-en").is_visible()
    page.keyboard.press("ArrowLeft")
    assert page.locator("#abstract-ru").is_visible()


def test_without_javascript_all_abstracts_show(browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    page.goto(ARTICLE)
    for lang in ("en", "kk", "ru"):
        assert page.locator(f"#abstract-{lang}").is_visible()
    assert page.get_by_role("tab").count() == 0
    page.goto("/search/")
    assert "JavaScript" in page.locator("main").inner_text()
    context.close()


@pytest.mark.parametrize(("word", "anchor", "tab"), [
    ("ашаршылық", KK_ABSTRACT, "Қазақша"),      # famine, in the Kazakh abstract only
    ("седентаризация", RU_ABSTRACT, "Русский"),  # in the Russian abstract only
])
def test_search_lands_on_the_paragraph(page, word: str, anchor: str, tab: str) -> None:
    page.goto("/")
    page.get_by_role("searchbox", name="Search the edition").fill(word)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    result = page.locator(".search-results a").first
    result.wait_for()
    assert result.get_attribute("href").endswith(f"{ARTICLE}#{anchor}")
    assert page.locator(".search-results mark").first.inner_text().lower().strip(" ,.;:") == word
    result.click()
    page.wait_for_url(re.compile(f"#{anchor}$"))
    assert page.get_by_role("tab", name=tab).get_attribute("aria-selected") == "true"
    assert in_viewport(page, f"#{anchor}")


def test_search_english_and_nothing_found(page) -> None:
    page.goto("/search/?q=sedentarization")
    page.locator(".search-results a").first.wait_for()
    assert "Results:" in page.locator("#search-status").inner_text()
    page.locator("#search-q").fill("zzqqxx")
    page.locator("#search-q").press("Enter")
    page.wait_for_function("document.getElementById('search-status').textContent.includes('zzqqxx')")
    assert page.locator(".search-results li").count() == 0


def test_search_in_kazakh_interface(page) -> None:
    page.goto("/kk/search/?q=откочевке")
    page.locator(".search-results a").first.wait_for()
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.locator(".search-results a").first.get_attribute("href").endswith(f"{ARTICLE}#{RU_ABSTRACT}")


def test_keyboard_skip_link_then_navigation(page) -> None:
    page.goto(ARTICLE)
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        return {cls: el.className, href: el.getAttribute("href"), outline: style.outlineStyle,
                width: parseFloat(style.outlineWidth), visible: box.left >= 0 && box.width > 0};
    }""")
    assert focused["cls"] == "skip-link" and focused["href"] == "#main"
    assert focused["outline"] != "none" and focused["width"] >= 2 and focused["visible"]
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('nav')?.getAttribute('aria-label')") == "Site"
    # the skip link moves on into the main content
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")


def test_keyboard_reaches_a_paragraph_and_copies(page, base_url: str) -> None:
    page.goto(ARTICLE)
    anchor = numbered_paragraph(page, 1)
    page.locator(f"#{anchor} > .para-link").focus()
    page.keyboard.press("Enter")
    assert page.url.endswith(f"#{anchor}")
    for _ in range(3):  # the focus starts again from the paragraph, whose first stop is its ¶ link
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.className") == "copy-button":
            break
    assert page.evaluate("document.activeElement.className") == "copy-button"
    assert page.evaluate(f"document.activeElement.closest('#{anchor}') !== null")
    page.keyboard.press("Enter")
    page.locator(f"#{anchor} .copy-feedback").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == f"{base_url}{ARTICLE}#{anchor}"


def test_language_versions_link_each_other(page) -> None:
    page.goto("/bibliography/")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Русский").click()
    page.wait_for_url(re.compile(r"/ru/bibliography/$"))
    assert page.locator("html").get_attribute("lang") == "ru"
    hreflangs = page.eval_on_selector_all('link[rel="alternate"][hreflang]', "ls => ls.map(l => l.hreflang)")
    assert sorted(hreflangs) == ["en", "kk", "ru", "x-default"]


@pytest.mark.parametrize(("name", "width", "height"), [("desktop", 1280, 800), ("phone", 390, 844)])
def test_article_layout(browser, base_url: str, output_dir: Path, problems, name: str, width: int, height: int) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height})
    page = context.new_page()
    problems.watch(page, base_url)
    page.goto(ARTICLE)
    page.screenshot(path=str(output_dir / f"article-{name}.png"))
    anchor = numbered_paragraph(page, 2)
    page.goto(f"{ARTICLE}#{anchor}")
    page.screenshot(path=str(output_dir / f"article-{name}-paragraph.png"))
    # nothing wider than the screen; ¶ numbers never cover the text they number
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    overlaps = page.evaluate("""() => [...document.querySelectorAll('.document-body .para-link')].filter(link => {
        const range = document.createRange();
        const text = [...link.parentElement.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
        if (!text) return false;
        range.selectNodeContents(text);
        const a = link.getBoundingClientRect(), b = range.getClientRects()[0];
        return b && a.right > b.left + 0.5 && a.left < b.right && a.bottom > b.top && a.top < b.bottom;
    }).length""")
    assert overlaps == 0
    context.close()
    assert not problems, "\n".join(problems)


def test_a_result_names_its_paragraph_and_section(page) -> None:
    """What the search index carries about each paragraph: its ¶ number and its section, shown and true."""
    page.goto("/search/?q=catastrophic")
    result = page.locator(".search-results li", has=page.locator(".search-result-where", has_text="Introduction"))
    result.first.wait_for()
    where = result.first.locator(".search-result-where").inner_text()
    number = int(re.search(r"¶\s?(\d+) · Introduction$", where).group(1))
    href = result.first.locator("a").first.get_attribute("href")
    page.goto(href)
    assert href.endswith("#" + numbered_paragraph(page, number))

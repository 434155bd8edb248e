"""axe-core finds no WCAG 2.1 A/AA violation (nor best-practice one) on any kind of page."""
from __future__ import annotations

import pytest

PAGES = [
    "/", "/kk/", "/ru/",
    "/nomadic-migrants/",
    "/bibliography/", "/sources/", "/about/", "/how-to-cite/", "/ru/how-to-cite/",
    "/search/", "/kk/search/?q=ашаршылық",
    "/404.html", "/kk/404.html",
    "/persons/", "/places/", "/organisations/", "/kk/places/",
]


@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violations(page, axe, site, path: str) -> None:
    built = site / path.lstrip("/") / "index.html" if path.endswith("/") else site / path.split("?")[0].lstrip("/")
    assert built.exists(), f"{path} is not built"
    page.goto(path)
    if "?q=" in path:
        page.locator(".search-results a").first.wait_for()
    violations = axe(page)
    assert not violations, "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"])
                                      for v in violations)


def test_no_axe_violations_on_targeted_paragraph_and_other_tab(page, axe) -> None:
    """The states only the script makes: a paragraph's citation with copy buttons, another abstract tab."""
    page.goto("/nomadic-migrants/")
    anchor = page.locator(".document-body .para-link").first.evaluate("a => a.parentElement.id")
    page.goto(f"/nomadic-migrants/#{anchor}")
    page.get_by_role("tab", name="Русский").click()
    violations = axe(page)
    assert not violations, "\n".join(f"{v['id']}: {v['help']} {v['nodes']}" for v in violations)

"""The built showcase site in a real browser: Debian's Chromium driven by Playwright.

The site is built once per session and served from 127.0.0.1 by a threaded
``http.server``; each test gets a fresh page that fails the test on any
console error, uncaught exception, failed request or HTTP error.
"""
from __future__ import annotations

import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = os.environ.get("EDITION_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PROJECT = Path(__file__).resolve().parents[2]
OUTPUT = PROJECT / "tests" / "output"
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript",
                      ".json": "application/json", ".pagefind": "application/octet-stream",
                      ".pf_meta": "application/octet-stream", ".pf_fragment": "application/octet-stream",
                      ".pf_index": "application/octet-stream"}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def site(built_showcase: Path) -> Path:
    return built_showcase / "site"


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}; `make test` installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Problems(list):
    """What went wrong in the page: console errors, exceptions, failed requests."""

    def watch(self, page: object, origin: str) -> None:
        page.on("console", lambda message: message.type == "error" and self.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: self.append(f"exception: {error}"))
        page.on("requestfailed", lambda request: self.append(f"request failed: {request.url} {request.failure}"))

        def response(resp: object) -> None:
            expected_404 = resp.url.rstrip("/").endswith("/no-such-page")
            if resp.status >= 400 and not expected_404:
                self.append(f"HTTP {resp.status}: {resp.url}")
            if not resp.url.startswith(origin) and not resp.url.startswith("data:"):
                self.append(f"request left the site: {resp.url}")

        page.on("response", response)


@pytest.fixture
def context(browser: object, base_url: str) -> Iterator[object]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def page(context: object, base_url: str, problems: Problems) -> Iterator[object]:
    page = context.new_page()
    problems.watch(page, base_url)
    yield page
    page.close()
    assert not problems, "the page reported problems:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


@pytest.fixture
def axe() -> object:
    """Runs axe-core's WCAG 2.0/2.1 A and AA rules (and its best practices) on a page as it stands."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed; `make test` runs `npm ci`")
    return run_axe


def run_axe(page: object) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
            resultTypes: ["violations"],
        });
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary)}));
    }""")

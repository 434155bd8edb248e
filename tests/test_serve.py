"""``edition serve``: a save shows in the served page; a broken save shows its problems, the old page stays."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from edition.config import load_config
from edition.serve import PREFIX, Server
from test_incremental import clean_copy, make_project, run, tree


def get(server: Server, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=10) as response:
        return response.read().decode("utf-8")


def state(server: Server) -> dict:
    return json.loads(get(server, PREFIX + "state"))


def wait_for(condition, timeout: float = 20.0):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError("timed out")


@pytest.fixture
def server(tmp_path: Path):  # noqa: ANN201
    root = make_project(tmp_path / "project")
    running = Server(load_config(root), port=0, stream=open(tmp_path / "serve.log", "w", encoding="utf-8"))
    running.start()
    yield running
    running.stop()
    running.stream.close()


def test_a_save_reaches_the_served_page(server: Server) -> None:
    page = get(server, "/doc-b/")
    assert "second paragraph" in page and f'<script src="{PREFIX}live.js"' in page
    built = (server.config.out_dir / "doc-b" / "index.html").read_text(encoding="utf-8")
    assert PREFIX not in built  # the reload script is added when served, never built into the site
    source = server.config.content_dir / "doc-b.md"
    source.write_text(source.read_text(encoding="utf-8").replace("second paragraph", "revised paragraph"),
                      encoding="utf-8")
    wait_for(lambda: "revised paragraph" in get(server, "/doc-b/"))
    assert state(server)["generation"] >= 1 and state(server)["problems"] == []
    assert "EventSource" in get(server, PREFIX + "live.js")
    assert get(server, "/static/edition.css")  # other files as they are


def test_the_search_index_catches_up_after_a_save(server: Server, tmp_path: Path) -> None:
    """The build right after a save keeps the index as it was; the next one makes it what a clean build makes."""
    source = server.config.content_dir / "doc-b.md"
    source.write_text(source.read_text(encoding="utf-8").replace("second paragraph", "paragraph on zanzibarite"),
                      encoding="utf-8")
    wait_for(lambda: "zanzibarite" in get(server, "/doc-b/"))
    clean = clean_copy(server.config.root, tmp_path / "clean")
    assert run(clean)[0]

    def search_index(root: Path) -> dict[str, str]:
        return {path: digest for path, digest in tree(root / "site").items() if path.startswith("pagefind/")}

    expected = search_index(clean)
    wait_for(lambda: search_index(server.config.root) == expected)
    assert state(server)["problems"] == []


def test_a_broken_save_shows_its_problems_and_keeps_the_last_good_page(server: Server) -> None:
    source = server.config.content_dir / "doc-a.md"
    good = source.read_text(encoding="utf-8")
    source.write_text(good.replace("The famine reached", "The famine [@nosuchwork] reached"), encoding="utf-8")
    problems = wait_for(lambda: state(server)["problems"])
    assert any("error[cite-unknown]" in problem and "nosuchwork" in problem for problem in problems)
    assert "The famine reached" in get(server, "/doc-a/")  # still the last good build
    source.write_text(good.replace("The famine reached", "The drought reached"), encoding="utf-8")
    wait_for(lambda: "The drought reached" in get(server, "/doc-a/"))
    assert state(server)["problems"] == []


def test_events_and_unknown_addresses(server: Server) -> None:
    with pytest.raises(urllib.error.HTTPError) as missing:
        get(server, "/no/such/page/")
    assert missing.value.code == 404
    request = urllib.request.urlopen(f"http://127.0.0.1:{server.port}{PREFIX}events", timeout=10)
    first = request.readline().decode("utf-8")
    request.close()
    assert first.startswith("data: ") and "generation" in first

"""Every internal link of the built showcase lands: on a file, and on an element with the fragment's id."""
from __future__ import annotations

import posixpath
import urllib.parse
from functools import lru_cache
from pathlib import Path

import html5lib
import pytest

EXTERNAL_SCHEMES = ("http", "https", "mailto")


@lru_cache(maxsize=None)
def _parse(path: Path):  # noqa: ANN202 - an ElementTree element
    return html5lib.HTMLParser(strict=False, namespaceHTMLElements=False).parse(path.read_bytes())


def _ids(path: Path) -> set[str]:
    return {element.get("id") for element in _parse(path).iter() if element.get("id")}


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def _target(site: Path, page: Path, url: str) -> tuple[Path | None, str]:
    """The file an internal URL of ``page`` opens, and its fragment; None for an external URL."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme or parts.netloc:
        assert parts.scheme in EXTERNAL_SCHEMES, url
        return None, ""
    fragment = urllib.parse.unquote(parts.fragment)
    if not parts.path:
        return page, fragment
    base = "/" if parts.path.startswith("/") else "/" + page.parent.relative_to(site).as_posix() + "/"
    resolved = posixpath.normpath(posixpath.join(base, urllib.parse.unquote(parts.path)))
    assert resolved.startswith("/") and not resolved.startswith("/.."), f"{url} leaves the site"
    target = site / resolved.lstrip("/")
    if parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, fragment


def test_every_internal_link_and_fragment_resolves(built_showcase: Path):
    site = built_showcase / "site"
    pages = _pages(site)
    assert len(pages) >= 5
    broken, checked = [], 0
    for page in pages:
        for element in _parse(page).iter():
            for attribute in ("href", "src"):
                url = element.get(attribute)
                if url is None or (element.tag == "link" and element.get("rel") in ("canonical", "alternate")
                                   and urllib.parse.urlsplit(url).scheme):
                    continue
                target, fragment = _target(site, page, url)
                if target is None:
                    continue
                checked += 1
                where = f"{page.relative_to(site)}: <{element.tag} {attribute}={url!r}>"
                if not target.is_file():
                    broken.append(f"{where}: no file {target.relative_to(site)}")
                elif fragment and target.suffix == ".html" and fragment not in _ids(target):
                    broken.append(f"{where}: no id {fragment!r} in {target.relative_to(site)}")
    assert checked > 100
    assert not broken, "\n".join(broken)


def test_every_image_has_alt_text(built_showcase: Path):
    site = built_showcase / "site"
    missing = [f"{page.relative_to(site)}: {image.get('src')}"
               for page in _pages(site) for image in _parse(page).iter("img")
               if not (image.get("alt") or "").strip()]
    assert not missing, missing


def test_ids_are_unique_on_every_page(built_showcase: Path):
    site = built_showcase / "site"
    for page in _pages(site):
        ids = [element.get("id") for element in _parse(page).iter() if element.get("id")]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        assert not duplicates, f"{page.relative_to(site)}: {duplicates}"


@pytest.mark.parametrize("url,expected", [("../bibliography/", "bibliography/index.html"),
                                          ("#x", "doc/index.html"), ("/static/a.css", "static/a.css")])
def test_the_resolver_itself(tmp_path, url, expected):
    (tmp_path / "doc").mkdir()
    target, _ = _target(tmp_path, tmp_path / "doc" / "index.html", url)
    assert target == tmp_path / expected

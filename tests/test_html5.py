"""Every page of the built site is valid HTML: the Nu Html Checker (vnu.jar) reports no error.

The checker is the npm package ``vnu-jar`` (installed by ``make test`` with
``npm ci``), run with Java; both the showcase and a build with ``base_url``
set (canonical links, absolute alternates) are checked in one run.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT, copy_project, run_build

VNU = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_every_page_is_valid_html(built_showcase: Path, tmp_path: Path) -> None:
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail("the Nu Html Checker needs Java and `npm ci` (both set up by `make test`)")
    absolute = copy_project(tmp_path / "absolute")
    (absolute / "edition.toml").write_text('base_url = "https://edition.example.org/"\n', encoding="utf-8")
    assert run_build(absolute)[0] == 0
    sites = [built_showcase / "site", absolute / "site"]
    pages = [page for site in sites for page in site.rglob("*.html")]
    assert len(pages) > 20
    result = subprocess.run([java, "-Xss512k", "-jar", str(VNU), "--format", "json", "--skip-non-html",
                             *map(str, sites)], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').split('/site/')[-1]}:{m.get('lastLine', '?')}: {m.get('message')}"
              for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]
    assert not errors, f"{len(errors)} HTML error(s):\n" + "\n".join(errors[:40])

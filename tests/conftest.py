"""Shared fixtures: tiny real projects built with the real command line."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Iterable

import pytest

from edition.cli import main

PROJECT = Path(__file__).resolve().parent.parent
SEED_PROJECT_FILES = ("content", "templates", "bibliography.bib", "anchors.lock")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the golden files from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def copy_inputs(root: Path, target: Path, names: Iterable[str]) -> Path:
    """The files and folders ``names`` of the project at ``root``, those that exist, copied into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.exists():
            shutil.copy2(source, target / name)
    return target


def copy_project(target: Path) -> Path:
    """A copy of the showcase project (content, templates, bibliography, lock)."""
    return copy_inputs(PROJECT, target, SEED_PROJECT_FILES)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def run_build(root: Path, *args: str, capsys: pytest.CaptureFixture[str] | None = None) -> tuple[int, str]:
    """Run ``edition build`` on a project; return the exit code and what it printed to stderr."""
    code = main(["build", "--root", str(root), "--quiet", *args])
    err = capsys.readouterr().err if capsys else ""
    return code, err


def tree_digest(folder: Path) -> dict[str, str]:
    """Path → sha256 of every file below ``folder``."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def built_showcase(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The showcase project, built once per test session."""
    root = copy_project(tmp_path_factory.mktemp("showcase"))
    assert main(["build", "--root", str(root), "--quiet"]) == 0
    return root

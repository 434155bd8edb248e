"""The same input gives byte-identical output, and the lock is stable."""
from __future__ import annotations

from pathlib import Path

from conftest import run_build, tree_digest


def test_two_builds_are_identical(project: Path, tmp_path: Path) -> None:
    assert run_build(project, "--out", str(tmp_path / "one"))[0] == 0
    lock = (project / "anchors.lock").read_bytes()
    assert run_build(project, "--out", str(tmp_path / "two"))[0] == 0
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")
    assert (project / "anchors.lock").read_bytes() == lock


def test_build_py_and_module_and_console_script_agree(project: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import PROJECT

    runs = {
        "build.py": [sys.executable, str(PROJECT / "build.py"), "--root", str(project), "--out", str(tmp_path / "a"), "--quiet"],
        "module": [sys.executable, "-m", "edition", "build", "--root", str(project), "--out", str(tmp_path / "b"), "--quiet"],
    }
    for name, command in runs.items():
        result = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT)
        assert result.returncode == 0, (name, result.stderr)
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")

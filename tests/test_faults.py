"""Faults: builds killed at any moment, builds at the same time, output directories that are not ours."""
from __future__ import annotations

import fcntl
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PROJECT, copy_project, run_build, tree_digest
from edition import write
from edition.config import load_config
from edition.diagnostics import EditionError
from edition.pipeline import build
from edition.write import MARKER

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and fork as on Linux")

PARAGRAPH = ("The settlement of {n} is recorded in the district reports of that year, with the number of "
             "households, the herds they kept and the routes by which families left for the neighbouring "
             "republics; the reports differ from the later statistical summaries in paragraph {i}.")


def synthetic_project(root: Path, documents: int = 30, paragraphs: int = 25) -> Path:
    """The showcase plus many plain documents, so that a build takes long enough to be interrupted."""
    copy_project(root)
    for d in range(documents):
        body = "\n\n".join(PARAGRAPH.format(n=f"village {d}-{i}", i=i) for i in range(paragraphs))
        (root / "content" / f"village-{d:02d}.md").write_text(
            f"---\nid: village-{d:02d}\nlang: en\ntitle: {{en: Village {d}}}\n---\n{body}\n", encoding="utf-8")
    return root


def set_title(root: Path, title: str) -> None:
    (root / "edition.toml").write_text(f'site_title = "{title}"\n', encoding="utf-8")


def command(root: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "edition", "build", "--root", str(root), "--quiet", *extra]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT), "SOURCE_DATE_EPOCH": "1700000000"}


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site."))


def test_a_build_killed_at_any_moment_leaves_a_complete_site(tmp_path):
    root = synthetic_project(tmp_path / "project", documents=12, paragraphs=20)
    digests = {}
    durations = []
    for title in ("Edition A", "Edition B"):
        set_title(root, title)
        started = time.monotonic()
        result = subprocess.run(command(root), env=environment(), capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        durations.append(time.monotonic() - started)
        digests[title] = tree_digest(root / "site")
    assert digests["Edition A"] != digests["Edition B"]
    duration = min(durations)
    rng = random.Random(20240611)
    moments = [duration * f for f in (0.4, 0.6, 0.75, 0.85, 0.93, 1.0)]
    outcomes = set()
    for iteration, moment in enumerate(moments):
        set_title(root, ("Edition A", "Edition B")[iteration % 2])
        process = subprocess.Popen(command(root), env=environment(), stderr=subprocess.DEVNULL)
        time.sleep(moment * rng.uniform(0.9, 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        site = tree_digest(root / "site")
        assert site in (digests["Edition A"], digests["Edition B"]), f"killed after {moment:.2f} s: a mixed site"
        outcomes.add((process.returncode, site == digests["Edition A"]))
    # The next build cleans up whatever the killed ones left and gives the current site.
    result = subprocess.run(command(root), env=environment(), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert leftovers(root) == []
    assert tree_digest(root / "site") == digests[("Edition A", "Edition B")[(len(moments) - 1) % 2]]
    assert any(code == -signal.SIGKILL for code, _ in outcomes), "no build was actually interrupted"


def _die_at(point: str, root: Path, exchange: bool = True) -> None:
    """In a forked child: build, and kill the process with SIGKILL at ``point`` of the write stage."""
    pid = os.fork()
    if pid == 0:  # the child never returns into the test runner
        try:
            swap = write.exchange if exchange else (lambda first, second: False)

            def exchange_at(first, second):  # noqa: ANN001
                if point == "before-swap":  # the new site is complete, the old one still live
                    os.kill(os.getpid(), signal.SIGKILL)
                return swap(first, second)

            write.exchange = exchange_at
            original_replace, original_rmtree = os.replace, shutil.rmtree

            def replace(source, target):  # noqa: ANN001
                original_replace(source, target)
                if point == "between-renames" and Path(source).name == "site":
                    os.kill(os.getpid(), signal.SIGKILL)
                # after the swap the old site is kept as the next build's spare, or removed
                if point == "after-swap" and Path(source).name.startswith(".site.") and Path(target).name != "site":
                    os.kill(os.getpid(), signal.SIGKILL)

            def rmtree(path, *args, **kwargs):  # noqa: ANN001
                if point == "after-swap" and Path(path).name.startswith(".site."):
                    original_rmtree(Path(path) / "bibliography", *args, **kwargs)  # half removed
                    os.kill(os.getpid(), signal.SIGKILL)
                return original_rmtree(path, *args, **kwargs)

            os.replace = replace  # type: ignore[assignment]
            shutil.rmtree = rmtree  # type: ignore[assignment]
            original_write_text = Path.write_text

            def write_text(self, *args, **kwargs):  # noqa: ANN001
                if point == "before-swap" and self.name == MARKER:
                    os.kill(os.getpid(), signal.SIGKILL)
                return original_write_text(self, *args, **kwargs)

            Path.write_text = write_text  # type: ignore[method-assign]
            build(load_config(root, quiet=True))
        except BaseException as error:  # noqa: BLE001 - reported through the exit status
            sys.stderr.write(f"build in the child failed: {error!r}\n")
            os._exit(3)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3), f"the build failed before {point}"
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, f"the build was not killed at {point}"


@pytest.mark.parametrize("point,exchange", [("before-swap", True), ("after-swap", True),
                                            ("before-swap", False), ("between-renames", False),
                                            ("after-swap", False)])
def test_killed_at_each_step_of_the_swap(tmp_path, monkeypatch, point, exchange):
    other = copy_project(tmp_path / "other")
    set_title(other, "Edition B")
    build(load_config(other, quiet=True))
    new = tree_digest(other / "site")
    root = copy_project(tmp_path / "project")
    set_title(root, "Edition A")
    build(load_config(root, quiet=True))
    old = tree_digest(root / "site")
    set_title(root, "Edition B")
    _die_at(point, root, exchange)
    site = root / "site"
    if point == "between-renames":
        # Without an atomic exchange this is the one moment without site/: the old site waits beside it.
        assert not site.exists() and tree_digest(root / ".site.previous") == old
    else:
        assert tree_digest(site) == (old if point == "before-swap" else new)
    # The next build, even one that fails on the user's mistake, first puts things right.
    (root / "content/broken.md").write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(EditionError):
        build(load_config(root, quiet=True))
    assert site.exists() and leftovers(root) == []
    (root / "content/broken.md").unlink()
    build(load_config(root, quiet=True))
    set_title(root, "Edition A")
    build(load_config(root, quiet=True))
    assert tree_digest(site) == old


def test_the_swap_without_an_atomic_exchange(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "project")
    build(load_config(root, quiet=True))
    before = tree_digest(root / "site")
    monkeypatch.setattr(write, "exchange", lambda first, second: False)
    build(load_config(root, quiet=True))
    assert tree_digest(root / "site") == before and leftovers(root) == []


def test_two_builds_at_once_give_one_valid_site(tmp_path):
    root = synthetic_project(tmp_path / "project", documents=10)
    expected_root = synthetic_project(tmp_path / "expected", documents=10)
    subprocess.run(command(expected_root), env=environment(), check=True)
    expected = tree_digest(expected_root / "site")
    processes = [subprocess.Popen(command(root), env=environment(), stderr=subprocess.PIPE, text=True)
                 for _ in range(3)]
    results = [(p.wait(), p.stderr.read()) for p in processes]  # type: ignore[union-attr]
    for p in processes:
        p.stderr.close()  # type: ignore[union-attr]
    assert [code for code, _ in results] == [0, 0, 0], results
    assert tree_digest(root / "site") == expected
    assert leftovers(root) == []
    assert (root / "anchors.lock").read_bytes() == (expected_root / "anchors.lock").read_bytes()


def test_a_second_build_waits_then_fails_clearly(project, capsys, monkeypatch):
    assert run_build(project, capsys=capsys)[0] == 0
    before = tree_digest(project / "site")
    monkeypatch.setattr(write, "LOCK_TIMEOUT", 0.3)
    with open(project / ".edition-cache" / "build.lock", "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        started = time.monotonic()
        code, err = run_build(project, capsys=capsys)
        waited = time.monotonic() - started
    assert code == 1 and waited >= 0.3
    assert ".edition-cache/build.lock:1:1: error[build-locked]: another build of this project is still running" in err
    assert tree_digest(project / "site") == before
    assert run_build(project, capsys=capsys)[0] == 0  # released with the holder


# --- output directories that are not ours --------------------------------------------------------

def test_a_file_added_to_the_site_stops_the_next_build(project, capsys):
    assert run_build(project, capsys=capsys)[0] == 0
    (project / "site" / "CNAME").write_text("edition.example.org\n", encoding="utf-8")
    (project / "site" / "about" / "notes.txt").write_text("mine\n", encoding="utf-8")
    code, err = run_build(project, capsys=capsys)
    assert code == 1 and "error[output-dir]: site/ holds files this program did not write (CNAME and 1 more)" in err
    assert (project / "site" / "CNAME").read_text(encoding="utf-8") == "edition.example.org\n"


def test_a_directory_without_the_marker_is_never_cleared(project, capsys):
    (project / "site").mkdir()
    (project / "site" / "index.html").write_text("someone else's", encoding="utf-8")
    code, err = run_build(project, capsys=capsys)
    assert code == 1 and "error[output-dir]" in err
    assert (project / "site" / "index.html").read_text(encoding="utf-8") == "someone else's"


def test_a_marker_listing_nothing_from_elsewhere_is_not_trusted(project, capsys):
    (project / "site").mkdir()
    (project / "site" / MARKER).write_text("not ours\n", encoding="utf-8")
    (project / "site" / "thesis.tex").write_text("precious", encoding="utf-8")
    assert run_build(project, capsys=capsys)[0] == 1
    assert (project / "site" / "thesis.tex").exists()


def test_an_empty_directory_may_be_used(project, capsys, tmp_path):
    (tmp_path / "public").mkdir()
    assert run_build(project, "--out", str(tmp_path / "public"), capsys=capsys)[0] == 0
    assert (tmp_path / "public" / "index.html").exists()


@pytest.mark.parametrize("out", ["content", "content/site", "templates", "templates/static/site", ".", "..",
                                 ".edition-cache", ".edition-cache/site", "bibliography.bib", "anchors.lock"])
def test_output_directories_that_are_refused(project, capsys, out):
    before = {p.relative_to(project).as_posix() for p in project.rglob("*")}
    code, err = run_build(project, "--out", str(project / out), capsys=capsys)
    assert code == 1 and "error[output-dir]" in err, err
    after = {p.relative_to(project).as_posix() for p in project.rglob("*")}
    assert after - before <= {".edition-cache", ".edition-cache/build.lock"}


def test_an_output_symlink_is_refused(project, capsys, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (project / "site").symlink_to(project / "content", target_is_directory=True)
    code, err = run_build(project, capsys=capsys)
    assert code == 1 and "symbolic link" in err
    (project / "site").unlink()
    (project / "site").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert run_build(project, capsys=capsys)[0] == 1
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_the_cache_may_not_lead_outside(project, capsys, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (project / ".edition-cache").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    code, err = run_build(project, capsys=capsys)
    assert code == 1 and "error[path-outside]" in err
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_a_full_disk_is_a_diagnostic_and_the_old_site_stays(project, capsys, monkeypatch):
    assert run_build(project, capsys=capsys)[0] == 0
    before = tree_digest(project / "site")
    written = []
    real_write_bytes = Path.write_bytes

    def write_bytes(self, data):  # noqa: ANN001
        written.append(self)
        if len(written) > 20:
            raise OSError(28, "No space left on device", str(self))
        return real_write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    set_title(project, "A new title on every page")  # a build with nothing to write writes nothing
    code, err = run_build(project, capsys=capsys)
    monkeypatch.undo()
    assert code == 1 and "error[output-dir]: cannot write the site beside site/: No space left on device" in err
    assert tree_digest(project / "site") == before and leftovers(project) == []

"""Build benchmark: full build, no-op rebuild, edits, against the floor, with peak memory.

Run from the project root: ``python -m bench.build`` (``--docs 100 1000``,
``--entries 5000``).  Every timing is one fresh process, as an editor runs
it; peak memory is that process's maximum resident size.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.synthetic import generate

RUNNER = ("import resource, sys, time; t = time.perf_counter(); "
          "from edition.cli import main; code = main(sys.argv[1:]); "
          "print(f'{time.perf_counter() - t:.4f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr); "
          "sys.exit(code)")
FLOOR = ("import resource, sys, time; t = time.perf_counter(); from pathlib import Path; "
         "from bench.floor import build_floor; build_floor(Path(sys.argv[1]), Path(sys.argv[2])); "
         "print(f'{time.perf_counter() - t:.4f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr)")


def _timed(code: str, *args: str) -> tuple[float, float]:
    """(seconds inside the process, peak MB) of one run."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"run failed:\n{result.stderr[-3000:]}")
    seconds, kilobytes = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kilobytes) / 1024


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run(documents: int, entries: int, workdir: Path) -> list[tuple[str, float, float]]:
    root = generate(workdir / f"edition-{documents}", documents, entries)
    build = ("build", "--root", str(root), "--quiet")
    rows = []
    floor, floor_mb = _timed(FLOOR, str(root), str(workdir / f"floor-{documents}"))
    rows.append(("floor: Markdown + one template", floor, floor_mb))
    rows.append(("full build", *_timed(RUNNER, *build)))
    rows.append(("no-op rebuild", *_timed(RUNNER, *build)))
    doc = root / "content" / "doc-0000.md"
    _edit(doc, "## Section 1 {#sec:s1}\n\n", "## Section 1 {#sec:s1}\n\nEdited: ")
    rows.append(("one-paragraph edit", *_timed(RUNNER, *build)))
    bib = root / "bibliography.bib"
    _edit(bib, "title = {", "title = {Revised ")
    rows.append(("one bibliography entry edit", *_timed(RUNNER, *build)))
    _edit(root / "templates" / "document.html", "</article>", "<!-- edited --></article>")
    rows.append(("template edit", *_timed(RUNNER, *build)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--entries", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for documents in args.docs:
            started = time.perf_counter()
            rows = run(documents, args.entries, Path(folder))
            floor = rows[0][1]
            print(f"\nN = {documents} documents, {args.entries} bibliography entries "
                  f"(generated and measured in {time.perf_counter() - started:.0f} s)")
            print(f"{'':32} {'seconds':>9} {'× floor':>8} {'peak MB':>8}")
            for name, seconds, megabytes in rows:
                print(f"{name:32} {seconds:9.3f} {seconds / floor:8.2f} {megabytes:8.0f}")


if __name__ == "__main__":
    main()

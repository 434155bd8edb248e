"""Build benchmark: full build, no-op rebuild, edits and ``serve``, against the floor, with peak memory.

Run from the project root: ``python -m bench.build`` (``--docs 100 1000``,
``--entries 5000``).  Every build is one fresh process, as an editor runs
it; peak memory is that process's maximum resident size, and separately
the largest of its children (worker processes, Pagefind).  The floor is
plain Python-Markdown and one Jinja template over the same files, in one
process (``bench/floor.py``); a second row adds a search index to it
(Pagefind's own command over its pages), which tells the cost of search
apart.  CPU time is user and system time of the process and its children.
``serve`` is timed from the moment a file
is saved until the page's new bytes are served, through the reload event
a browser waits for.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.synthetic import generate

PROJECT = Path(__file__).resolve().parent.parent
RUNNER = """
import json, resource, sys, time
started = time.perf_counter()
from pathlib import Path
from edition.config import load_config
from edition.pipeline import build
result = build(load_config(Path(sys.argv[1]), quiet=True))
own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - started,
                  "cpu": own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime,
                  "peak": own.ru_maxrss / 1024,
                  "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "rendered": list(result.rendered), "written": result.written}))
"""
FLOOR = ("import json, resource, sys, time; t = time.perf_counter(); from pathlib import Path; "
         "from bench.floor import build_floor; "
         "build_floor(Path(sys.argv[1]), Path(sys.argv[2]), search=sys.argv[3:] == ['--search']); "
         "own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN); "
         "print(json.dumps({'seconds': time.perf_counter() - t, 'cpu': own.ru_utime + own.ru_stime "
         "+ children.ru_utime + children.ru_stime, 'peak': own.ru_maxrss / 1024, "
         "'children': children.ru_maxrss / 1024}))")


def _environment() -> dict[str, str]:
    """As an editor's shell has it: modules compiled once and cached, as an installed package's are."""
    environment = {**os.environ, "PYTHONPATH": str(PROJECT), "SOURCE_DATE_EPOCH": "1700000000"}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def _timed(code: str, *args: str) -> dict:
    """What one run reports: seconds inside the process, peak MB (own and children's), pages made."""
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                            env=_environment())
    if result.returncode != 0:
        raise SystemExit(f"run failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


ROUNDS = 5
"""Runs of the rebuilds that take well under a second, whose median is reported (the others vary less)."""


def _median(runs: list[dict]) -> dict:
    """The run of median time, with every run's seconds, as the machine's noise is of their order."""
    chosen = dict(sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2])
    chosen["runs"] = [run["seconds"] for run in runs]
    return chosen


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_latency(root: Path, rounds: int = 6) -> list[float]:
    """Milliseconds from saving a paragraph to its page's new bytes being served, through the reload event."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "edition", "serve", "--root", str(root), "--port", str(port)],
                              env=_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:  # ready once the first build is done and its reload events flow
            try:
                state = json.loads(urllib.request.urlopen(f"{base}/__edition__/state", timeout=5).read())
                events = urllib.request.urlopen(f"{base}/__edition__/events", timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("serve did not start")
                time.sleep(0.2)
        time.sleep(1.0)  # the watchers are in place

        def next_state() -> dict:
            while True:
                line = events.readline().decode("utf-8")
                if not line:
                    raise SystemExit("serve stopped sending events")
                if line.startswith("data: "):
                    return json.loads(line[6:])

        next_state()
        source = root / "content" / "doc-0000.md"
        latencies = []
        for _ in range(rounds):
            marker = f"Saved {time.time_ns()}: "
            text = re.sub(r"(Edited(?: \d+)?|Saved \d+): ", marker, source.read_text(encoding="utf-8"), count=1)
            # The generation served now: events of earlier builds still on their way are older than it.
            seen = json.loads(urllib.request.urlopen(f"{base}/__edition__/state", timeout=5).read())["generation"]
            started = time.perf_counter()
            source.write_text(text, encoding="utf-8")
            while next_state()["generation"] <= seen:
                pass
            page = urllib.request.urlopen(f"{base}/doc-0000/", timeout=10).read().decode("utf-8")
            latencies.append(1000 * (time.perf_counter() - started))
            assert marker in page
            time.sleep(2.5)  # let the search index catch up, as between two saves of an editor
        events.close()
        return latencies
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(documents: int, entries: int, workdir: Path) -> tuple[list[tuple[str, dict]], dict]:
    root = generate(workdir / f"edition-{documents}", documents, entries)
    rows: list[tuple[str, dict]] = []
    rows.append(("floor: Markdown + one template", _timed(FLOOR, str(root), str(workdir / f"floor-{documents}"))))
    rows.append(("floor + Pagefind over its pages",
                 _timed(FLOOR, str(root), str(workdir / f"floor-search-{documents}"), "--search")))
    rows.append(("full build (first, no anchors.lock)", _timed(RUNNER, str(root))))
    shutil.rmtree(root / "site")
    shutil.rmtree(root / ".edition-cache")
    rows.append(("full build (fresh clone, with lock)", _timed(RUNNER, str(root))))
    rows.append(("no-op rebuild", _median([_timed(RUNNER, str(root)) for _ in range(ROUNDS)])))
    doc = root / "content" / "doc-0000.md"
    _edit(doc, "## Section 1 {#sec:s1}\n\n", "## Section 1 {#sec:s1}\n\nEdited: ")
    edits = [_timed(RUNNER, str(root))]
    for round_ in range(1, ROUNDS):  # a new text each time, as an editor's next edit
        _edit(doc, "Edited: " if round_ == 1 else f"Edited {round_ - 1}: ", f"Edited {round_}: ")
        edits.append(_timed(RUNNER, str(root)))
    rows.append(("one-paragraph edit", _median(edits)))
    bib = root / "bibliography.bib"
    key = "author00000"
    _edit(bib, "title = {", "title = {Revised ")
    rows.append(("one bibliography entry edit", _timed(RUNNER, str(root))))
    citing = sorted(f"{p.stem}/index.html" for p in (root / "content").glob("*.md")
                    if f"@{key}," in p.read_text(encoding="utf-8") or f"@{key}]" in p.read_text(encoding="utf-8"))
    _edit(root / "templates" / "document.html", "</article>", "<!-- edited --></article>")
    rows.append(("template edit (document.html)", _timed(RUNNER, str(root))))
    latencies = serve_latency(root)
    extra = {"citing": citing, "bib_rendered": rows[6][1]["rendered"], "serve": latencies}
    return rows, extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--entries", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for documents in args.docs:
            started = time.perf_counter()
            rows, extra = run(documents, args.entries, Path(folder))
            floor = rows[0][1]["seconds"]
            print(f"\nN = {documents} documents, {args.entries} bibliography entries, {os.cpu_count()} cores "
                  f"(generated and measured in {time.perf_counter() - started:.0f} s)")
            print(f"{'':38} {'seconds':>9} {'× floor':>8} {'CPU s':>7} {'peak MB':>8} {'children':>9} {'pages':>6}")
            for name, row in rows:
                pages = len(row.get("rendered", ())) if "rendered" in row else ""
                runs = f"   (median of {', '.join(f'{s:.3f}' for s in row['runs'])})" if "runs" in row else ""
                print(f"{name:38} {row['seconds']:9.3f} {row['seconds'] / floor:8.2f} {row['cpu']:7.1f} "
                      f"{row['peak']:8.0f} {row['children']:9.0f} {pages:>6}{runs}")
            print(f"full build against the floor with a search index: "
                  f"{rows[2][1]['seconds'] / rows[1][1]['seconds']:.2f}× its time, "
                  f"{rows[2][1]['cpu'] / rows[1][1]['cpu']:.2f}× its CPU time")
            serve = extra["serve"]
            print(f"{'serve: save to reloaded page (median)':38} {statistics.median(serve) / 1000:9.3f} "
                  f"{statistics.median(serve) / 1000 / floor:8.2f}   ({', '.join(f'{ms:.0f}' for ms in serve)} ms)")
            rendered = set(extra["bib_rendered"])
            documents_made = sorted(p for p in rendered if p.count("/") == 1 and p.endswith("/index.html")
                                    and p.split("/")[0].startswith("doc-"))
            print(f"bibliography entry edit: {len(rendered)} pages made again: {len(documents_made)} documents "
                  f"(documents citing the entry: {len(extra['citing'])}, the same: "
                  f"{documents_made == extra['citing']}) and site pages {sorted(rendered - set(documents_made))}")


if __name__ == "__main__":
    main()

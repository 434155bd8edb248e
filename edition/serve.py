"""``edition serve``: the site on 127.0.0.1, rebuilt when a source is saved, the open page reloaded.

For writing, not publishing.  The server builds the edition once, serves
the output folder, and watches the project's sources (``content/``,
``templates/``, ``locale/``, ``bibliography.bib``, ``edition.toml``).  On
each save it rebuilds in this process, so what the build keeps in memory
stays warm: only the documents that changed are parsed, only the files
whose bytes changed are written.  The search index, the slowest part of a
build, is brought up to date right after, once nothing else is waiting,
so a saved paragraph shows at once.

Every HTML page is served with a small script added on the way out (never
in the built files): it listens to ``/__edition__/events`` (Server-Sent
Events) and reloads the page after a rebuild.  A build that fails keeps
the last good site served; its problems are printed in the terminal and
shown over the page, until a build succeeds.
"""
from __future__ import annotations

import json
import mimetypes
import os
import posixpath
import queue
import sys
import threading
import time
import traceback
import urllib.parse
from dataclasses import replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO

from edition.config import Config
from edition.diagnostics import EditionError

PREFIX = "/__edition__/"
"""Addresses of the development server itself; no page of the site lives there."""

WATCHED_FOLDERS = ("content", "templates", "locale")
WATCHED_FILES = ("bibliography.bib", "edition.toml")

LIVE_SCRIPT = """(function () {
  "use strict";
  var script = document.currentScript;
  var shown = Number(script.getAttribute("data-generation"));
  var overlay = null;
  function show(problems) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0 0 auto 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "background:#fff4f4;color:#5a0000;border-bottom:3px solid #b00020;padding:1em 1.5em;" +
        "font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;white-space:pre-wrap";
      overlay.id = "edition-build-problems";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "The build failed; the page shows the last good build.\\n\\n" + problems.join("\\n");
  }
  function hide() { if (overlay) { overlay.remove(); overlay = null; } }
  function update(state) {
    if (state.generation !== shown) { window.location.reload(); return; }
    if (state.problems.length) { show(state.problems); } else { hide(); }
  }
  var source = new EventSource("/__edition__/events");
  source.onmessage = function (event) { update(JSON.parse(event.data)); };
}());
"""


class LiveState:
    """What the open pages follow: the build they show, and the problems of the last build."""

    def __init__(self) -> None:
        self.generation = 0
        self.problems: list[str] = []
        self.changed = threading.Condition()

    def snapshot(self) -> dict:
        return {"generation": self.generation, "problems": list(self.problems)}

    def built(self, new_pages: bool) -> None:
        with self.changed:
            if new_pages:
                self.generation += 1
            self.problems = []
            self.changed.notify_all()

    def failed(self, problems: list[str]) -> None:
        with self.changed:
            self.problems = problems
            self.changed.notify_all()


class _Handler(BaseHTTPRequestHandler):
    server_version = "edition-serve"
    protocol_version = "HTTP/1.1"
    site: Path
    state: LiveState
    stopping: threading.Event

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if path == PREFIX + "live.js":
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_SCRIPT.encode("utf-8"))
        elif path == PREFIX + "state":
            self._send(HTTPStatus.OK, "application/json", json.dumps(self.state.snapshot()).encode("utf-8"))
        elif path == PREFIX + "events":
            self._events()
        else:
            self._file(path)

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def _file(self, path: str) -> None:
        relative = posixpath.normpath(path).lstrip("/")
        if relative.startswith("..") or relative == ".":
            relative = ""
        target = self.site / relative
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            target = target / "index.html"
        status = HTTPStatus.OK
        try:
            data = target.read_bytes()
        except OSError:
            status, target = HTTPStatus.NOT_FOUND, self.site / "404.html"
            try:
                data = target.read_bytes()
            except OSError:
                data = b"<!DOCTYPE html><title>Not found</title><p>Not found.</p>"
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            data = self._with_live_script(data)
            kind = "text/html; charset=utf-8"
        elif kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        self._send(status, kind, data)

    def _with_live_script(self, page: bytes) -> bytes:
        tag = (f'<script src="{PREFIX}live.js" data-generation="{self.state.generation}"></script>').encode()
        end = page.rfind(b"</body>")
        return page[:end] + tag + page[end:] if end >= 0 else page + tag

    def _send(self, status: int, kind: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _events(self) -> None:
        """Server-Sent Events: the state now, then each time it changes (a comment now and then keeps it open)."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        last = None
        try:
            while not self.stopping.is_set():
                with self.state.changed:
                    now = self.state.snapshot()
                    if now == last:
                        self.state.changed.wait(timeout=10)
                        now = self.state.snapshot()
                if now != last:
                    self.wfile.write(f"data: {json.dumps(now)}\n\n".encode("utf-8"))
                    last = now
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):  # a closed tab is no news
            super().handle_error(request, client_address)


class Server:
    """The development server: an HTTP server, a file watcher and a builder, each a thread."""

    def __init__(self, config: Config, port: int = 8000, stream: TextIO = sys.stderr, workers: int | None = None):
        from edition.cache import Store

        self.config = replace(config, quiet=True)
        self.stream = stream
        self.workers = workers
        self.store = Store(config.cache_dir)
        self.state = LiveState()
        self.stopping = threading.Event()
        self.changes: queue.Queue[set[str] | None] = queue.Queue()
        """Paths saved, as the watchers report them; None: look at every file."""
        self.search_behind = False
        handler = type("Handler", (_Handler,), {"site": config.out_dir, "state": self.state,
                                                "stopping": self.stopping})
        self.http = _HTTPServer(("127.0.0.1", port), handler)
        self.port = self.http.server_address[1]
        self.threads: list[threading.Thread] = []

    # -- building ----------------------------------------------------------------------------------
    def build(self, search: bool, changed: set[str] | None = None) -> bool:
        """One build; True when it succeeded.  Problems go to the terminal and to the open pages.

        ``changed``: the files saved since the last build (the others are not read again).
        """
        from edition.pipeline import build

        started = time.perf_counter()
        try:
            result = build(self.config, self.stream, store=self.store, search=search, workers=self.workers,
                           watched=changed)
        except EditionError as error:
            problems = [str(d) for d in error.diagnostics]
            self._say("build failed; still serving the last good site:\n" + "\n".join(problems))
            self.state.failed(problems)
            self.search_behind = False  # the next save builds again
            return False
        except Exception as error:  # a bug of ours: say so, keep serving
            where = getattr(error, "edition_input", None)
            text = "".join(traceback.format_exception(error))
            message = f"internal error in edition{f' while processing {where}' if where else ''}: this is a bug"
            self._say(f"{message}\n{text}")
            self.state.failed([message, *text.splitlines()[-3:]])
            self.search_behind = False
            return False
        for warning in result.warnings:
            self._say(str(warning))
        self.search_behind = not search
        took = 1000 * (time.perf_counter() - started)
        pages = len(result.rendered)
        self._say(f"built in {took:.0f} ms: {pages} page(s) made again"
                  + (", search index to follow" if not search else ""))
        self.state.built(new_pages=pages > 0 or (not search and bool(result.written)))
        return True

    def _builder(self) -> None:
        import importlib

        for module in ("edition.documents", "edition.parse", "edition.render", "edition.resolve"):
            importlib.import_module(module)  # what the first rebuild needs, loaded while the editor reads

        while not self.stopping.is_set():
            try:
                changed = self.changes.get(timeout=0.3)
            except queue.Empty:
                if self.search_behind:  # nothing waiting: bring the search index up to date
                    self.build(search=True, changed=set())
                continue
            while True:  # everything saved meanwhile goes into the same build
                try:
                    more = self.changes.get_nowait()
                except queue.Empty:
                    break
                changed = None if changed is None or more is None else changed | more
            if changed is None:  # the watchers started after the first build: look at everything once
                self.build(search=False)
            elif changed:
                names = sorted(os.path.relpath(p, self.config.root) for p in changed)
                self._say(f"changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}")
                self.build(search=False, changed=changed)

    def _watch(self, paths: list[Path], recursive: bool, ready: threading.Event) -> None:
        import watchfiles

        root = self.config.root.resolve()
        files = {str(root / name) for name in WATCHED_FILES}

        def wanted(change: object, path: str) -> bool:
            return recursive or path in files

        existing = [p for p in paths if p.exists()]
        if not existing:
            ready.set()
            return
        for changes in watchfiles.watch(*existing, watch_filter=wanted, debounce=400, step=5, recursive=recursive,
                                        stop_event=self.stopping, raise_interrupt=False, rust_timeout=100,
                                        yield_on_timeout=True):
            ready.set()  # the first answer, changes or none, comes once the watcher is in place
            if changes:
                self.changes.put({path for _, path in changes})

    # -- running -----------------------------------------------------------------------------------
    def start(self) -> None:
        """Serve what is built, build once, then watch and rebuild in the background."""
        self._thread(self.http.serve_forever, "http")
        self.build(search=True)
        root = self.config.root.resolve()
        ready = [threading.Event(), threading.Event()]
        self._thread(lambda: self._watch([root / name for name in WATCHED_FOLDERS], True, ready[0]), "watch-folders")
        self._thread(lambda: self._watch([root], False, ready[1]), "watch-files")
        for event in ready:
            event.wait(timeout=10)
        self.changes.put(None)  # anything saved before the watchers were in place
        self._thread(self._builder, "builder")
        self._say(f"serving {self.config.out_dir.name}/ on http://127.0.0.1:{self.port}/ "
                  "(rebuilt on every save; Ctrl-C stops)")

    def _thread(self, target, name: str) -> None:  # noqa: ANN001
        thread = threading.Thread(target=target, name=f"edition-{name}", daemon=True)
        thread.start()
        self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        with self.state.changed:
            self.state.changed.notify_all()
        self.http.shutdown()
        self.http.server_close()
        for thread in self.threads:
            thread.join(timeout=5)
        self.store.close()

    def _say(self, text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=self.stream, flush=True)


def serve(config: Config, port: int = 8000, stream: TextIO = sys.stderr) -> int:
    """Run the development server until interrupted."""
    server = Server(config, port, stream)
    try:
        server.start()
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0

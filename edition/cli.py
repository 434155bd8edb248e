"""The command line: a thin shell around :func:`edition.pipeline.build` and :mod:`edition.serve`."""
from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path
from typing import NoReturn

from edition.config import load_config
from edition.diagnostics import EditionError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edition", description="Build a scholarly edition as a static site.")
    commands = parser.add_subparsers(dest="command")
    build = commands.add_parser("build", help="build the site (the default)")
    build.add_argument("--out", type=Path, default=None, help="output directory (default: site/)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--quiet", action="store_true", help="print only problems")
    build.add_argument("--root", type=Path, default=Path("."), help="project root (default: here)")
    serve = commands.add_parser("serve", help="serve the site on 127.0.0.1, rebuilt and reloaded on every save")
    serve.add_argument("--port", type=int, default=8000, help="port to serve on (default: 8000)")
    serve.add_argument("--out", type=Path, default=None, help="output directory (default: site/)")
    serve.add_argument("--root", type=Path, default=Path("."), help="project root (default: here)")
    anchors = commands.add_parser("anchors", help="show what the next build does to paragraph anchors")
    anchors.add_argument("--report", action="store_true", required=True,
                         help="list kept, edited, moved, split, merged, new and deleted ids; write nothing")
    anchors.add_argument("--root", type=Path, default=Path("."), help="project root (default: here)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-"):
        argv.insert(0, "build")
    args = _parser().parse_args(argv)
    try:
        # The output path keeps its symbolic links: the build checks where they lead.
        config = load_config(args.root, out_dir=getattr(args, "out", None) and args.out.absolute(),
                             strict=getattr(args, "strict", False), quiet=getattr(args, "quiet", False))
        from edition.pipeline import anchor_report, build

        if args.command == "anchors":
            print("\n".join(anchor_report(config)))
            return 0
        if args.command == "serve":
            from edition.serve import serve

            return serve(config, args.port)
        result = build(config)
    except EditionError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic, file=sys.stderr)
        errors = sum(d.severity == "error" or args.strict for d in error.diagnostics)
        print(f"build failed: {errors} problem(s); the previous site is untouched", file=sys.stderr)
        return 1
    except Exception as error:  # a bug of ours, not the user's: say so plainly
        where = getattr(error, "edition_input", None)
        print(f"internal error in edition{f' while processing {where}' if where else ''}: this is a bug "
              f"in the program, not a mistake in your files; please report it with that input and "
              f"the details below", file=sys.stderr)
        traceback.print_exc()
        return 70
    for warning in result.warnings:  # noqa: B007 - printed, the build still succeeded
        print(warning, file=sys.stderr)
    if not args.quiet:
        print(f"built {result.documents} document(s), {result.files} files into {config.out_dir}", file=sys.stderr)
    return 0


def run(argv: list[str] | None = None) -> NoReturn:
    """The program's entry (``edition``, ``python -m edition``, ``build.py``): :func:`main`, then exit at once.

    Exiting the usual way frees the build's objects one by one (a large
    edition's are some hundred thousand, 40 ms of a 0.5 s rebuild) although
    the process ends anyway.  Every file is closed and every process and
    thread the build started is joined before :func:`main` returns; only
    the standard streams are still to be flushed.  (mypy ends the same way.)
    """
    code = main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

"""The command line: a thin shell around :func:`edition.pipeline.build`."""
from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

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
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-"):
        argv.insert(0, "build")
    args = _parser().parse_args(argv)
    try:
        config = load_config(args.root, out_dir=args.out and args.out.resolve(), strict=args.strict,
                             quiet=args.quiet)
        from edition.pipeline import build

        result = build(config)
    except EditionError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic, file=sys.stderr)
        errors = sum(d.severity == "error" or args.strict for d in error.diagnostics)
        print(f"build failed: {errors} problem(s); the previous site is untouched", file=sys.stderr)
        return 1
    except Exception:  # a bug of ours, not the user's: say so plainly
        print("internal error in edition (please report it with the input below):", file=sys.stderr)
        traceback.print_exc()
        return 70
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if not args.quiet:
        print(f"built {result.documents} document(s), {result.files} files into {config.out_dir}", file=sys.stderr)
    return 0

#!/usr/bin/env python3
"""Build the edition: ``python build.py [--out DIR] [--strict] [--quiet]``."""
import sys

from edition.cli import run

if __name__ == "__main__":
    run(["build", *sys.argv[1:]])

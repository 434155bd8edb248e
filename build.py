#!/usr/bin/env python3
"""Build the edition: ``python build.py [--out DIR] [--strict] [--quiet]``."""
import sys

from edition.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))

import sys

from edition.cli import main

if __name__ == "__main__":  # not when a worker process of a parallel build imports it
    sys.exit(main())

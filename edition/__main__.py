from edition.cli import run

if __name__ == "__main__":  # not when a worker process of a parallel build imports it
    run()

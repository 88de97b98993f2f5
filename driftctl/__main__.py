"""`python -m driftctl` runs the same entry point as the console script."""

from driftctl.cli.main import run

if __name__ == "__main__":
    run()

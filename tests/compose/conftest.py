"""The compose tests' CLI server (tests/compose/cli_server.py), shared by the modules of this folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.compose.cli_server import CliServer


@pytest.fixture(scope="package")
def cli_server() -> Iterator[CliServer]:
    """`cli_server.run(args, cwd=, env=, timeout=)`: `driftctl ARGS` run by the CLI's own main in one
    long-lived process (bytes CompletedProcess), for the many short `compose config` runs of the vectors."""
    server = CliServer()
    yield server
    server.close()

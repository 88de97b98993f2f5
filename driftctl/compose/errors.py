"""The one error the Compose resolver raises: a one-line message naming the file and the place in it.

It is a `DriftctlError`, so the CLI prints it as a single line and exits 2 (like any invalid input).
"""

from __future__ import annotations

from driftctl.errors import DriftctlError


class ComposeError(DriftctlError):
    """A compose file, env file or template cannot be resolved the way Docker Compose would."""


def where(file: str, line: int | None = None, path: str | None = None) -> str:
    """`file[:line][: path]`, the prefix every ComposeError message starts with."""
    out = file + (f":{line}" if line else "")
    return f"{out}: {path}" if path else out

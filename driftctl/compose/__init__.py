"""A faithful model of Docker Compose's file resolution: interpolation, `.env` parsing, `-f` merging.

Public API (other code depends on exactly these names):

- `load_project(files, *, project_dir, env_files, environ, project_name, read) -> dict`
- `parse_dotenv(text, lookup) -> dict[str, str | None]`
- `interpolate(template, mapping) -> str`
- `ComposeError` (a DriftctlError: one line, exit code 2)

Pure Python; the only I/O goes through the `read` callable given to `load_project`.
"""

from __future__ import annotations

from driftctl.compose.dotenv import parse_dotenv
from driftctl.compose.errors import ComposeError
from driftctl.compose.interpolate import interpolate
from driftctl.compose.project import DEFAULT_FILES, default_files, load_project

__all__ = ["ComposeError", "DEFAULT_FILES", "default_files", "interpolate", "load_project", "parse_dotenv"]

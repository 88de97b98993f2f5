"""What the compose collector stores: the Compose model as Docker Compose would resolve it there."""

from typing import Any

from typing_extensions import NotRequired, TypedDict

# A resolved service in `docker compose config` shape, secrets fingerprinted; its keys are Compose's.
ComposeService = dict[str, Any]


class ComposeFile(TypedDict):
    path: str  # as configured (relative to the project directory)
    exists: bool
    sha256: NotRequired[str]  # of the text, when it exists
    lines: NotRequired[int]


class ComposeReference(TypedDict):
    """Docker's own `docker compose config` on the host: where it disagrees, or why it failed."""

    tool: str
    error: NotRequired[str]
    differences: NotRequired[list[str]]  # `service.key[.subkey]` paths


class ComposeData(TypedDict):
    """`found: false` (no compose file) carries only project_dir, files and services."""

    found: bool
    project_dir: NotRequired[str]  # absent from snapshots saved before 2026-11-30
    files: list[ComposeFile]
    project: NotRequired[str | None]
    services: dict[str, ComposeService]
    networks: NotRequired[dict[str, Any]]
    volumes: NotRequired[dict[str, Any]]
    reference: NotRequired[ComposeReference | None]  # None: no Compose v2 there, or not a shell
    # only when a git environment lacked env files: {service name or "(project)"/"(services)": [files]}
    missing_env_files: NotRequired[dict[str, list[str]]]

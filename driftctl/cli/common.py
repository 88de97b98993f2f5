"""Options shared by several commands, and the small glue every command needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from driftctl.config import Config

AcceptKeyOption = typer.Option(
    False, "--accept-new-host-key", help="Trust an unknown SSH host key and record it in driftctl's known_hosts."
)


def load(config_path: str | None = None) -> Config:
    """Load environments.yaml (`-c`, $DRIFTCTL_CONFIG, ./environments.yaml); pydantic is imported
    here, not at start-up, so `--help` stays instant."""
    from driftctl.config import load_config

    return load_config(config_path)


def complete_environments(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of environment names from the config (a `-c` already on the line counts)."""
    from driftctl.config import load_config

    chosen = ctx.params.get("config") or (ctx.parent.params.get("config") if ctx.parent else None)
    try:
        cfg = load_config(chosen)
    except Exception:  # noqa: BLE001 - no config, no suggestions; completion must never fail loudly
        return []
    return [name for name in cfg.environments if name.startswith(incomplete)]

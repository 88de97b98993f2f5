"""Options shared by several commands, and the small glue every command needs."""

from __future__ import annotations

from typing import Optional

import typer

from driftctl.config import Config, load_config

ConfigOption = typer.Option(
    None, "--config", "-c", help="environments.yaml to use (default: $DRIFTCTL_CONFIG, then ./environments.yaml)."
)
AcceptKeyOption = typer.Option(
    False, "--accept-new-host-key", help="Trust an unknown SSH host key and record it in driftctl's known_hosts."
)


def load(config_path: Optional[str]) -> Config:
    return load_config(config_path)

"""Rendering of the configured environments."""

from __future__ import annotations

import json

from rich.table import Table

from driftctl.config import Config


def _where(cfg: Config, name: str) -> str:
    spec = cfg.environments[name]
    if spec.transport == "local":
        return cfg.local_path(spec)
    if spec.transport == "ssh":
        user = f"{spec.user}@" if spec.user else ""
        port = f":{spec.port}" if spec.port else ""
        return f"{user}{spec.host}{port}:{spec.path}"
    return f"{spec.url} @ {spec.ref or 'HEAD'}"


def envs_table(cfg: Config) -> Table:
    table = Table(title=f"environments ({cfg.source})")
    for col in ("environment", "transport", "where", "compose files"):
        table.add_column(col)
    for name, spec in cfg.environments.items():
        table.add_row(name, spec.transport, _where(cfg, name), ", ".join(spec.compose_files or ["(Compose defaults)"]))
    return table


def envs_json(cfg: Config) -> str:
    return json.dumps(
        {name: {"transport": spec.transport, "where": _where(cfg, name), **spec.model_dump(exclude_none=True)}
         for name, spec in cfg.environments.items()},
        indent=2,
    )

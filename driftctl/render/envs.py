"""Rendering of the configured environments."""

from __future__ import annotations

import json

from rich.table import Table

from driftctl import capabilities
from driftctl.config import Config
from driftctl.secrets import redact_url


def _where(cfg: Config, name: str) -> str:
    spec = cfg.environments[name]
    caps = capabilities.of(spec.transport)
    if caps.on_this_machine:
        return cfg.local_path(spec)
    if caps.remote_shell:
        user = f"{spec.user}@" if spec.user else ""
        port = f":{spec.port}" if spec.port else ""
        return f"{user}{spec.host}{port}:{spec.path}"
    return f"{redact_url(spec.url or '')} @ {spec.ref or 'HEAD'}"


def envs_table(cfg: Config) -> Table:
    table = Table(title=f"environments ({cfg.source})")
    for col in ("environment", "transport", "where", "compose files"):
        table.add_column(col)
    for name, spec in cfg.environments.items():
        table.add_row(name, spec.transport, _where(cfg, name), ", ".join(spec.compose_files or ["(Compose defaults)"]))
    return table


def _spec(spec) -> dict:
    """The spec as configured, with credentials in URLs (git `url`, `docker_host`) fingerprinted."""
    out = spec.model_dump(exclude_none=True)
    for key in ("url", "docker_host"):
        if isinstance(out.get(key), str):
            out[key] = redact_url(out[key])
    return out


def envs_json(cfg: Config) -> str:
    return json.dumps(
        {name: {"transport": spec.transport, "where": _where(cfg, name), **_spec(spec)}
         for name, spec in cfg.environments.items()},
        indent=2,
    )

"""`compose config`: a compose project resolved exactly as `docker compose config` resolves it,
from local files or from where an environment's files live (its checkout, host or git commit)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from driftctl.api.loading import ConfigArg, load


@dataclass
class ComposeConfig:
    """A compose project resolved exactly as `docker compose config` resolves it."""

    model: dict

    def text(self, fmt: str = "json") -> str:
        """The model as `docker compose config --format json|yaml` prints it."""
        if fmt == "yaml":
            import yaml

            return yaml.safe_dump(self.model, sort_keys=False, default_flow_style=False, allow_unicode=True,
                                  width=10**9)
        return json.dumps(self.model, indent=2, ensure_ascii=False)


def compose_config(
    files: Sequence[str] = (),
    *,
    env_files: Sequence[str] = (),
    project_directory: str | None = None,
    project_name: str | None = None,
    environment: str | None = None,
    config: ConfigArg = None,
) -> ComposeConfig:
    """Resolve local compose files (like `docker compose config`), or with `environment` that
    environment's configured compose files, read where they live (its checkout, host or git commit)."""
    import os

    from driftctl.compose import load_project
    from driftctl.errors import UsageError

    if environment:
        if project_directory or env_files:
            raise UsageError("--env takes the project directory and env files from the configuration")
        from driftctl.remote_files import resolve_compose

        return ComposeConfig(resolve_compose(load(config), environment, list(files) or None, project_name))
    return ComposeConfig(load_project(
        [os.path.abspath(f) for f in files],
        project_dir=os.path.abspath(project_directory) if project_directory else (None if files else os.getcwd()),
        env_files=[os.path.abspath(f) for f in env_files] if env_files else None,
        project_name=project_name,
    ))

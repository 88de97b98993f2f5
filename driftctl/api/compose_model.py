"""`compose config`: a compose project resolved exactly as `docker compose config` resolves it,
from local files or from where an environment's files live (its checkout, host or git commit)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from driftctl.api.loading import ConfigArg, load


@dataclass
class ComposeConfig:
    """A compose project resolved exactly as `docker compose config` resolves it. `masked` counts the
    secret values replaced by their keyed fingerprints (an environment's model, unless revealed)."""

    model: dict
    masked: int = 0

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
    reveal_secrets: bool = False,
) -> ComposeConfig:
    """Resolve local compose files (like `docker compose config`), or with `environment` that
    environment's configured compose files, read where they live (its checkout, host or git commit).

    Local files print as Docker Compose prints them: they are the caller's own. An environment's model
    carries values from another host (a production `.env`), so its secrets are shown as keyed
    fingerprints, as in snapshots, unless `reveal_secrets` asks for them."""
    import os

    from driftctl.compose import load_project
    from driftctl.errors import UsageError

    if environment:
        if project_directory or env_files:
            raise UsageError("--env takes the project directory and env files from the configuration")
        from driftctl.remote_files import resolve_compose

        model = resolve_compose(load(config), environment, list(files) or None, project_name)
        return ComposeConfig(model) if reveal_secrets else masked(model)
    return ComposeConfig(load_project(
        [os.path.abspath(f) for f in files],
        project_dir=os.path.abspath(project_directory) if project_directory else (None if files else os.getcwd()),
        env_files=[os.path.abspath(f) for f in env_files] if env_files else None,
        project_name=project_name,
    ))


def masked(model: dict) -> ComposeConfig:
    """The model with every secret value (by name or by shape, and wherever a secret value reappears)
    replaced by its keyed fingerprint, and how many strings that changed."""
    from driftctl.secrets import redact_tree, secret_values

    out = redact_tree(model, frozenset(secret_values(model)))
    return ComposeConfig(out, _changed(model, out))


def _changed(before: object, after: object) -> int:
    if isinstance(before, dict) and isinstance(after, dict):
        return sum(_changed(v, after.get(k)) for k, v in before.items())
    if isinstance(before, list) and isinstance(after, list):
        return sum(_changed(a, b) for a, b in zip(before, after))
    return int(before != after)

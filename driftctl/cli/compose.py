"""`driftctl compose config`: print a compose project resolved exactly as Docker Compose resolves it.

Two sources: local files (`-f`, `--env-file`, `--project-directory`, like `docker compose config`), or
the configured compose files of one environment read on its own host (`--env NAME`). Parsing and
rendering only; the resolution is `driftctl.compose.load_project`.
"""

from __future__ import annotations

import json
import os
import posixpath
from typing import TYPE_CHECKING

import typer

from driftctl import capabilities
from driftctl.cli.options import examples
from driftctl.errors import TransportError, UsageError

if TYPE_CHECKING:
    from driftctl.compose.project import Reader
    from driftctl.transport.base import Transport

compose_app = typer.Typer(
    name="compose",
    help="Compose files resolved exactly as Docker Compose resolves them.",
    epilog=examples("driftctl compose config -f docker-compose.yml -f docker-compose.aws.yml",
                    "driftctl compose config --env aws --format yaml"),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Add this module's command(s) to the app."""
    app.add_typer(compose_app, name="compose")


@compose_app.command("config", epilog=examples(
    "driftctl compose config",
    "driftctl compose config -f docker-compose.yml -f docker-compose.aws.yml --format yaml",
    "driftctl compose config --env aws",
))
def config(
    file: list[str] | None = typer.Option(None, "--file", "-f", help="Compose file(s), merged in order."),
    env_file: list[str] | None = typer.Option(None, "--env-file", help="Env file(s) for interpolation."),
    project_directory: str | None = typer.Option(None, "--project-directory", help="Project directory."),
    project_name: str | None = typer.Option(None, "--project-name", "-p", help="Project name."),
    format: str = typer.Option("json", "--format", help="json | yaml"),
    env: str | None = typer.Option(None, "--env", help="Resolve this environment's compose files on its host."),
) -> int:
    """Print the resolved model, like `docker compose config --format json`."""
    from driftctl.compose import load_project
    from driftctl.terminal import terminal

    if format not in ("json", "yaml"):
        raise UsageError(f"unknown format {format!r}; use json or yaml")
    if env:
        if project_directory or env_file:
            raise UsageError("--env takes the project directory and env files from the configuration")
        model = resolve_environment(env, None, file or None, project_name)
    else:
        cwd = os.getcwd()
        model = load_project(
            [os.path.abspath(f) for f in file or []],
            project_dir=os.path.abspath(project_directory) if project_directory else (None if file else cwd),
            env_files=[os.path.abspath(f) for f in env_file] if env_file else None,
            project_name=project_name,
        )
    terminal().data(render(model, format))
    return 0


def render(model: dict, format: str) -> str:
    if format == "yaml":
        import yaml

        return yaml.safe_dump(model, sort_keys=False, default_flow_style=False, allow_unicode=True, width=10**9)
    return json.dumps(model, indent=2, ensure_ascii=False)


def resolve_environment(name: str, config_path: str | None, files: list[str] | None, project_name: str | None) -> dict:
    """Resolve environment `name`'s compose files where they live (its checkout, host or git ref)."""
    from driftctl.compose import load_project
    from driftctl.config import load_config
    from driftctl.transport import make_transport

    cfg = load_config(config_path)
    cfg.select([name])
    spec = cfg.environments[name]
    transport = make_transport(cfg, name)
    transport.open()
    try:
        if capabilities.of(transport.kind).revision:
            root, read = _git_reader(transport, spec.path)
        else:
            root, read = transport.root, _cat_reader(transport)
        env_files = list(spec.env_files) if "env_files" in spec.model_fields_set else None
        return load_project(
            list(files or spec.compose_files or []),
            project_dir=root,
            env_files=env_files,
            environ=dict(os.environ) if capabilities.of(transport.kind).on_this_machine else {},
            project_name=project_name,
            read=read,
        )
    finally:
        transport.close()


def _cat_reader(transport: Transport) -> Reader:
    from driftctl.models import Command

    def read(path: str) -> str | None:
        result = transport.run_batch([Command(("cat", "--", path))])[0]
        if result.ok:
            return result.stdout.decode("utf-8", errors="replace")
        if "No such file" in result.error_text or "Is a directory" in result.error_text:
            return None
        raise TransportError(f"{transport.env_name}: {result.failure()}")

    return read


def _git_reader(transport: Transport, subdir: str | None) -> tuple[str, Reader]:
    """Files at the pinned commit, seen under a virtual root `/<repo>/<path>`."""
    from driftctl.models import Command

    url = getattr(transport, "url", "") or transport.root
    repo = posixpath.basename(url.rstrip("/")).removesuffix(".git") or "repo"
    top = f"/{repo}"
    root = posixpath.normpath(posixpath.join(top, subdir or "."))
    rev = getattr(transport, "commit", None) or getattr(transport, "ref", None) or "HEAD"

    def read(path: str) -> str | None:
        rel = posixpath.relpath(posixpath.normpath(path), top)
        if rel.startswith(".."):
            return None
        result = transport.run_batch([Command(("git", "show", f"{rev}:{rel}"), cwd=transport.root)])[0]
        if result.ok:
            return result.stdout.decode("utf-8", errors="replace")
        err = result.error_text
        if "does not exist" in err or "exists on disk, but not in" in err:
            return None
        raise TransportError(f"{transport.env_name}: {result.failure()}")

    return root, read

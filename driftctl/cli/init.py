"""`driftctl init [DIR] [--force]`: write a first environments.yaml for a checkout (see driftctl.scaffold)."""

from __future__ import annotations

from pathlib import Path

import typer

from driftctl.cli.common import check_format
from driftctl.cli.options import examples


def register(app: typer.Typer) -> None:
    app.command("init", epilog=examples(
        "driftctl init",
        "driftctl init ../my-service --force",
        "driftctl init && driftctl snapshot && driftctl diff local github",
    ))(init)


def init(
    directory: Path = typer.Argument(Path("."), metavar="[DIR]", help="The checkout to describe (default: here)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing environments.yaml."),
    format: str = typer.Option("table", "--format", help="table | json (what was detected and written)."),
) -> int:
    """Detect compose files, env files and the git remote, then write environments.yaml (a `local`
    and a `git` environment, an `ssh` template, example rules) and its JSON Schema."""
    import json

    from driftctl import api
    from driftctl.terminal import terminal

    check_format(format, "table", "json")
    result = api.init(directory, force=force)
    term = terminal()
    if format == "json":
        term.data(json.dumps(result.to_json(), indent=2))
    found = result.detected
    term.success(f"wrote {result.config} (environments: {', '.join(result.environments)})")
    term.info(f"  compose: {', '.join(f for f in [found.base, found.override, *found.overrides.values()] if f) or 'none found'}")
    term.info(f"  remote:  {found.remote_url or 'none found'}")
    term.info(f"  schema:  {result.schema} (editors read it through the yaml-language-server line)")
    term.info(f"  reports: {result.reports}/ (ignored by git through its own .gitignore)")
    others = [e for e in result.environments if e != "local"]
    term.info("next: driftctl snapshot && driftctl diff local " + (others[0] if others else "<env>"))
    return 0

"""`driftctl rescue ENV`: commit an environment's uncommitted files to a new local branch (target read-only)."""

from __future__ import annotations

import typer

from driftctl.cli.common import AcceptKeyOption, check_format, complete_environments
from driftctl.cli.options import examples


def register(app: typer.Typer) -> None:
    app.command("rescue", epilog=examples(
        'driftctl rescue aws',
        'driftctl rescue aws --branch rescue/hotfix --format json',
    ))(rescue)


def rescue(
    environment: str = typer.Argument(..., help="The environment whose modified and untracked files to commit.", autocompletion=complete_environments),
    branch: str | None = typer.Option(None, "--branch", help="New branch name (default: rescue/<env>-<UTC date>)."),
    repo: str | None = typer.Option(None, "--repo", help="Repository that receives the branch (default: the local environment's checkout)."),
    include_secret_files: bool = typer.Option(False, "--include-secret-files", help="Also commit files that look like credentials (.env, keys)."),
    format: str = typer.Option("table", "--format", help="table | json (the branch, commit and files, on stdout)."),
    accept_new_host_key: bool = AcceptKeyOption,
) -> int:
    """Read-only on the target: its changed files become one commit on the deployed commit, in a new branch."""
    from driftctl import api
    from driftctl.terminal import terminal

    check_format(format, "table", "json")
    result = api.rescue(environment, branch=branch, repo=repo, include_secret_files=include_secret_files,
                        accept_new_host_key=accept_new_host_key)
    term = terminal()
    if format == "json":
        import json

        term.data(json.dumps(result.to_json(), indent=2))
    term.success(f"created {result.branch} ({result.commit[:12]}) in {result.repo} on {environment}'s deployed commit {result.base[:12]}")
    for f in result.files:
        term.info(f"  {f.change:<9} {f.path}")
    for finding in result.secrets:
        term.warning(str(finding))
    for path in result.skipped:
        term.warning(f"left out {path} (looks like credentials; --include-secret-files to add it)")
    if result.secrets and not result.skipped:
        term.warning(f"{result.branch} holds files that look like credentials (--include-secret-files): never push it")
    term.info(f"review with: git -C {result.repo} show --stat {result.branch}")
    return 0

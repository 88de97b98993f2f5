"""Options shared by several commands, and the small glue every command needs."""

from __future__ import annotations

import typer

AcceptKeyOption = typer.Option(
    False, "--accept-new-host-key", help="Trust an unknown SSH host key and record it in driftctl's known_hosts."
)
# diff and check
FormatOption = typer.Option(
    "table", "--format", help="table | plain (tab-separated) | json | markdown | html | sarif | junit | github"
)
OutputOption = typer.Option(None, "--output", "-o", help="Write the rendered matrix to this file instead of stdout.")
CachedOption = typer.Option(False, "--cached", help="Use each environment's latest saved snapshot instead of collecting.")
SnapshotOption = typer.Option(None, "--snapshot", help="A saved snapshot file to compare (repeatable).")
ShowIgnoredOption = typer.Option(False, "--show-ignored", help="Also show rows that `rules.ignore` hides.")


def check_format(fmt: str, *choices: str) -> None:
    """`--format` must be one of `choices` (typer takes any string): a one-line UsageError otherwise."""
    if fmt not in choices:
        from driftctl.errors import UsageError

        raise UsageError(f"unknown format {fmt!r}; use {', '.join(choices[:-1])} or {choices[-1]}")


def complete_environments(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of environment names from the config (a `-c` already on the line counts)."""
    from driftctl.config import load_config

    chosen = ctx.params.get("config") or (ctx.parent.params.get("config") if ctx.parent else None)
    try:
        cfg = load_config(chosen)
    except Exception:  # noqa: BLE001 - no config, no suggestions; completion must never fail loudly
        return []
    return [name for name in cfg.environments if name.startswith(incomplete)]

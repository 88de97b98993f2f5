"""`driftctl scan-secrets`: name the files and lines that look like credentials (never the values)."""

from __future__ import annotations

import typer

from driftctl.cli.options import examples


def register(app: typer.Typer) -> None:
    app.command("scan-secrets", epilog=examples(
        "driftctl scan-secrets .env.example config/*.yml",
        "driftctl scan-secrets --rev HEAD -q     # before a push",
    ))(scan_secrets)


def scan_secrets(
    paths: list[str] = typer.Argument(None, help="Files to scan (default: what --rev would publish)."),
    repo: str = typer.Option(".", "--repo", help="Repository for --rev."),
    rev: str | None = typer.Option(None, "--rev", help="Scan the files this revision's unpushed commits touch."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the exit code and findings on stderr."),
) -> int:
    """Exit 1 when something looks like a secret (private keys, live API keys, AWS keys, JWTs, URLs with passwords)."""
    from driftctl import api
    from driftctl.terminal import terminal

    term = terminal()
    findings = api.scan_secrets(paths or [], repo=repo, rev=rev)
    for f in findings:
        term.warning(str(f))
    if not quiet and not findings:
        term.info("no file content looks like a credential")
    return 1 if findings else 0

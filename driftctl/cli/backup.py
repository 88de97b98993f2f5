"""`driftctl backup decrypt FILE`: restore an encrypted rollback capture (env files, inspect output, logs)."""

from __future__ import annotations

import typer

from driftctl.cli.options import examples

backup_app = typer.Typer(help="Encrypted rollback captures: decrypt one to restore it.", no_args_is_help=True,
                         epilog=examples("driftctl backup decrypt config.tar.enc -o config.tar"))


def register(app: typer.Typer) -> None:
    app.add_typer(backup_app, name="backup")


@backup_app.command("decrypt", epilog=examples(
    "driftctl backup decrypt reports/rollback/<plan>/aws/config.tar.enc -o config.tar",
    "driftctl backup decrypt config.tar.enc | ssh host 'cd app && tar -xf -'",
))
def decrypt(
    file: str = typer.Argument(..., help="An encrypted capture (*.enc under reports/rollback/)."),
    output: str | None = typer.Option(None, "-o", "--output", help="Write here (mode 600) instead of standard output."),
) -> int:
    """Decrypt with this machine's backup key, e.g. `driftctl backup decrypt config.tar.enc | ssh host 'cd app && tar -xf -'`."""
    import os
    import sys

    from driftctl import api

    data = api.decrypt_backup(file)
    if output:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0

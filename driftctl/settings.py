"""Process-wide choices made by global command-line options (`-c`, `--reports-dir`, `-q`, `-v`, colour).

A tiny module with no heavy imports: the CLI fills it before a command runs, and the few places that
need a default (the config path, the reports folder, the terminal) read it. Library callers that never
touch it get the documented defaults and environment variables.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Settings:
    config: str | None = None        # -c/--config (wins over $DRIFTCTL_CONFIG)
    reports_dir: str | None = None   # --reports-dir (wins over $DRIFTCTL_REPORTS_DIR)
    quiet: bool = False              # -q: only errors and warnings on stderr
    verbose: bool = False            # -v: debug log on stderr too
    no_color: bool = False           # --no-color (NO_COLOR works through rich as well)


current = Settings()


def reset() -> Settings:
    """Forget the previous run's options (the CLI can be called more than once in one process)."""
    global current
    current = Settings()
    return current

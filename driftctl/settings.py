"""Process-wide choices made by global command-line options (`-c`, `--reports-dir`, `-q`, `-v`, colour).

A tiny module with no heavy imports: the CLI fills it before a command runs, and the few places that
need a default (the config path, the reports folder, the terminal) read it. Library callers that never
touch it get the documented defaults and environment variables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Settings:
    config: str | None = None        # -c/--config (wins over $DRIFTCTL_CONFIG)
    reports_dir: str | None = None   # --reports-dir (wins over $DRIFTCTL_REPORTS_DIR)
    quiet: bool = False              # -q: only errors and warnings on stderr
    verbose: bool = False            # -v: debug log on stderr too
    no_color: bool = False           # --no-color (NO_COLOR works through rich as well)


current = Settings()

DEFAULT_CONFIG = "environments.yaml"


def config_path(explicit: str | None) -> Path:
    """The config file a command reads: the argument, -c/--config, $DRIFTCTL_CONFIG, environments.yaml.
    Here, not in driftctl.config, so a diff of saved snapshots can look for it without pydantic and YAML."""
    return Path(explicit or current.config or os.environ.get("DRIFTCTL_CONFIG") or DEFAULT_CONFIG)


def config_home(environ: Mapping[str, str] | None = None) -> Path:
    """driftctl's folder for keys and known hosts: $XDG_CONFIG_HOME/driftctl, else ~/.config/driftctl."""
    env = os.environ if environ is None else environ
    return Path(env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")) / "driftctl"


def cache_home() -> Path:
    """driftctl's folder for what can be rebuilt (git mirrors): $XDG_CACHE_HOME/driftctl, else ~/.cache/driftctl."""
    return Path(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")) / "driftctl"


def reset() -> Settings:
    """Forget the previous run's options (the CLI can be called more than once in one process)."""
    global current
    current = Settings()
    return current


def log_path() -> Path:
    """$DRIFTCTL_LOG, else driftctl.log in the reports folder (`--reports-dir`, $DRIFTCTL_REPORTS_DIR,
    or reports/ next to the config file)."""
    if os.environ.get("DRIFTCTL_LOG"):
        return Path(os.environ["DRIFTCTL_LOG"])
    reports = current.reports_dir or os.environ.get("DRIFTCTL_REPORTS_DIR")
    if reports:
        return Path(reports) / "driftctl.log"
    config = Path(current.config or os.environ.get("DRIFTCTL_CONFIG") or "environments.yaml")
    return config.absolute().parent / "reports" / "driftctl.log"

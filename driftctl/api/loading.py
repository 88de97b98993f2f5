"""What every api function starts from: the configuration, and how a caller watches collection.

Each function takes `config` as a loaded `Config`, a path to environments.yaml, or None for the
default (`-c`, $DRIFTCTL_CONFIG, ./environments.yaml); `load` turns any of these into a `Config`.
`collecting(names)` is a context manager yielding the runner's progress callback, so the CLI can wrap
a collection in its live display while library callers stay silent (`quietly`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from driftctl.config import Config
from driftctl.runner import Progress

ConfigArg = Config | str | Path | None  # a loaded config, a path to one, or None for the default
Collecting = Callable[[list[str]], AbstractContextManager[Progress | None]]


def quietly(names: list[str]) -> AbstractContextManager[Progress | None]:
    """The default `collecting`: no progress display."""
    return nullcontext(None)


def load(config: ConfigArg = None) -> Config:
    """environments.yaml, validated (pydantic and YAML are imported here, not at start-up)."""
    if isinstance(config, Config):
        return config
    from driftctl.config import load_config

    return load_config(str(config) if config is not None else None)


def rules_config(config: ConfigArg, *, need: bool) -> Config | None:
    """The config when the comparison needs one (or one is given or present); None for file-only runs,
    which compare snapshot files without any environments.yaml."""
    if isinstance(config, Config):
        return config
    from driftctl.checks import load_rules_config

    return load_rules_config(str(config) if config is not None else None, need=need)

"""driftctl never reports itself: its reports folder, its config file, its log and its state are left
out of every file inventory and worktree status, wherever they live.

The paths are computed once per environment as paths relative to that environment's checkout:
- a local environment: driftctl's files that sit inside its checkout (the config next to the code, a
  `reports/` folder, `--reports-dir ops/drift`, a log or an XDG folder pointed into the tree);
- ssh and git environments: the same files relative to the config's folder, which is where they sit
  in any other checkout of the same repository (a server where driftctl also runs, a pushed config).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from driftctl import capabilities
from driftctl.config import Config
from driftctl.settings import cache_home, config_home, log_path
from driftctl.snapshot_store import reports_dir


def _state_dirs() -> list[Path]:
    return [config_home(), cache_home()]


def own_paths(config: Config) -> list[Path]:
    """Absolute paths of everything driftctl itself writes or reads as its own."""
    paths = [reports_dir(config.base_dir), log_path(), *_state_dirs()]
    if config.source:
        paths += [Path(config.source), Path(config.source).parent / "environments.schema.json"]
    for variable in ("DRIFTCTL_FINGERPRINT_KEY_FILE", "DRIFTCTL_BACKUP_KEY_FILE"):  # keys kept anywhere
        if os.environ.get(variable):
            paths.append(Path(os.environ[variable]))
    return [Path(os.path.realpath(os.path.abspath(p))) for p in paths]


def excluded_for(config: Config, name: str, root: str, own: Sequence[Path] | None = None) -> tuple[str, ...]:
    """driftctl's own paths relative to environment `name`'s checkout (POSIX, no "." or "..").
    `own`: own_paths(config) when the caller has it already (once for a whole fleet)."""
    spec = config.environments[name]
    here = capabilities.of(spec.transport).on_this_machine
    anchor = Path(os.path.realpath(root)) if here else Path(os.path.realpath(config.base_dir))
    out: set[str] = set()
    for path in own_paths(config) if own is None else own:
        try:
            rel = path.relative_to(anchor).as_posix()
        except ValueError:
            continue
        if rel and rel != ".":
            out.add(rel)
    return tuple(sorted(out))


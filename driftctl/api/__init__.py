"""The library API behind the CLI: usable from Python without typer (after sqlite-utils).

Every `driftctl` command is option parsing, one call into this package and rendering. Each function
takes a `Config` (or a path to environments.yaml, or None for the default: `-c`, $DRIFTCTL_CONFIG,
./environments.yaml) and returns a typed result; failures are `DriftctlError`s with one-line
messages. `collecting(names)` is an optional context manager that yields the runner's progress
callback (the CLI passes its live display); without it collection is silent.

One module per concern, all re-exported here so `from driftctl import api; api.diff(...)` is the
only import a caller needs:

    loading        the config argument every function takes, and the progress hook
    collection     snapshot: collect environments and save their snapshots
    comparison     diff and check (the CI gate), and what the HTML report adds
    repairs        plan, apply and rescue
    compose_model  compose_config: `docker compose config`, locally or where an environment lives
    timeline       history, `ENV@WHEN`, and retention (gc)
    alerts         notify and watch
    project        init, demo, the JSON schemas, the secret scan, backup decryption

Heavy libraries (paramiko, docker, git, yaml) are imported inside the functions that use them.
"""

from __future__ import annotations

from driftctl.api.alerts import Delivery, WatchRound, notify, watch
from driftctl.api.collection import SnapshotResult, snapshot, take_snapshots
from driftctl.api.comparison import CheckResult, DiffResult, check, diff, report_context
from driftctl.api.compose_model import ComposeConfig, compose_config
from driftctl.api.loading import Collecting, ConfigArg, load, quietly
from driftctl.api.project import config_schema, decrypt_backup, demo, init, scan_secrets, schema
from driftctl.api.repairs import ApplyResult, PlanResult, apply, plan, rescue
from driftctl.api.timeline import GcResult, gc, history, snapshot_as_of

__all__ = [
    "ApplyResult", "CheckResult", "Collecting", "ComposeConfig", "ConfigArg", "Delivery", "DiffResult", "GcResult",
    "PlanResult", "SnapshotResult", "WatchRound",
    "apply", "check", "compose_config", "config_schema", "decrypt_backup", "demo", "diff", "gc", "history", "init",
    "load", "notify", "plan", "quietly", "report_context", "rescue", "scan_secrets", "schema", "snapshot",
    "snapshot_as_of", "take_snapshots", "watch",
]

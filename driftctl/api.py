"""The library API behind the CLI: usable from Python without typer (after sqlite-utils).

Every `driftctl` command is option parsing, one call into this module and rendering. Each function
takes a `Config` (or a path to environments.yaml, or None for the default: `-c`, $DRIFTCTL_CONFIG,
./environments.yaml) and returns a typed result; failures are `DriftctlError`s with one-line
messages. `collecting(names)` is an optional context manager that yields the runner's progress
callback (the CLI passes its live display); without it collection is silent.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from driftctl.config import Config
from driftctl.runner import Progress, collect_all
from driftctl.snapshot_store import reports_dir, write_snapshot

if TYPE_CHECKING:
    from driftctl.apply import ApplyIO, ApplyOutcome
    from driftctl.demo.run import DemoOptions, DemoResult
    from driftctl.filescan import SecretFinding
    from driftctl.history import History
    from driftctl.matrix import Matrix
    from driftctl.notify.changes import ChangeSet
    from driftctl.rescue import RescueResult
    from driftctl.scaffold import InitResult

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


def _rules_config(config: ConfigArg, *, need: bool) -> Config | None:
    """The config when the comparison needs one (or one is given or present); None for file-only runs."""
    if isinstance(config, Config):
        return config
    from driftctl.checks import load_rules_config

    return load_rules_config(str(config) if config is not None else None, need=need)


def take_snapshots(
    config: Config,
    names: list[str],
    *,
    accept_new_host_key: bool = False,
    progress: Progress | None = None,
    save: bool = True,
    out_dir: Path | None = None,
    jobs: int | None = None,
) -> list[tuple[dict, Path | None]]:
    """Collect the named environments concurrently (at most `jobs` at once) and save each snapshot
    (partial ones too)."""
    snapshots = collect_all(config, names, accept_new_host_key=accept_new_host_key, progress=progress, jobs=jobs)
    run = uuid.uuid4().hex[:12]  # snapshots of one run are one moment of the history
    for snap in snapshots:
        snap.setdefault("run", run)
    root = out_dir or reports_dir(config.base_dir)
    return [(s, write_snapshot(root, s) if save else None) for s in snapshots]


# --- snapshot, diff, check ----------------------------------------------------------------------


@dataclass
class SnapshotResult:
    """The snapshots of one run, each with the file it was saved to (None when not saved)."""

    saved: list[tuple[dict, Path | None]]

    @property
    def snapshots(self) -> list[dict]:
        return [s for s, _ in self.saved]

    @property
    def incomplete(self) -> list[dict]:
        return [s for s in self.snapshots if not s["complete"]]

    @property
    def folder(self) -> Path | None:
        """The snapshots folder of the reports directory (where `--cached` reads them back)."""
        first = self.saved[0][1] if self.saved else None
        return first.parent.parent if first is not None else None


def snapshot(
    names: Sequence[str] | None = None,
    *,
    config: ConfigArg = None,
    jobs: int | None = None,
    shard: str | None = None,
    accept_new_host_key: bool = False,
    collecting: Collecting = quietly,
) -> SnapshotResult:
    """Collect the named environments (all by default; `shard` K/N: this job's share) and save them."""
    cfg = load(config)
    chosen = cfg.select(list(names or []))
    if shard:
        from driftctl.shard import select_shard

        chosen = select_shard(chosen, shard)
    with collecting(chosen) as progress:
        return SnapshotResult(take_snapshots(cfg, chosen, accept_new_host_key=accept_new_host_key,
                                             progress=progress, jobs=jobs))


@dataclass
class DiffResult:
    """The comparison: the matrix, the snapshots it was built from and the document to render."""

    matrix: Matrix
    snapshots: list[dict]
    document: dict  # `driftctl.diff/v1`, with the filters, the report context or the group view applied
    fail_on: str = "any"
    deliveries: list[Delivery] = field(default_factory=list)  # `check(alert=True)`: what each channel was sent

    @property
    def exit_code(self) -> int:
        """0 in sync, 1 drift at or above `fail_on`, 3 incomplete (see matrix.exit_code)."""
        from driftctl.matrix import exit_code

        return exit_code(self.matrix, self.fail_on)


CheckResult = DiffResult


def diff(
    names: Sequence[str] | None = None,
    *,
    config: ConfigArg = None,
    snapshot_files: Sequence[str] = (),
    cached: bool = False,
    group: str | None = None,
    only: str | None = None,
    show_in_sync: bool = False,
    show_ignored: bool = False,
    report: bool = False,
    accept_new_host_key: bool = False,
    collecting: Collecting = quietly,
) -> DiffResult:
    """Compare two or more environments (names, `ENV@WHEN`, a `groups:` entry, or snapshot files).

    `report` adds what the HTML report shows beyond the matrix (collection times, history).
    """
    from driftctl.checks import compare, gather, validate_options
    from driftctl.errors import UsageError

    validate_options("json", only)
    chosen = list(names or [])
    cfg = _rules_config(config, need=bool(chosen) or bool(group))
    fleet: list[str] = []
    if group and cfg is not None:
        from driftctl.grouping import members

        fleet = members(cfg.groups, list(cfg.environments), group)
        chosen += [e for e in fleet if e not in chosen]
    if len(chosen) + len(snapshot_files) < 2:
        raise UsageError("diff needs at least two environments (names or --snapshot files)")
    snapshots = gather(cfg, chosen, cached=cached, snapshot_files=list(snapshot_files),
                       accept_new_host_key=accept_new_host_key, collecting=collecting)
    matrix = compare(snapshots, cfg.rules if cfg else None, show_ignored=show_ignored)
    doc = matrix.to_json(only=only, show_in_sync=show_in_sync)
    if report:
        doc.update(report_context(cfg, snapshots))
    if fleet:
        from driftctl.grouping import group_view

        doc = group_view(doc, fleet)
    return DiffResult(matrix, snapshots, doc)


def check(
    names: Sequence[str] | None = None,
    *,
    config: ConfigArg = None,
    baseline: str | None = None,
    fail_on: str = "any",
    snapshot_files: Sequence[str] = (),
    cached: bool = False,
    components: Sequence[str] = (),
    show_ignored: bool = False,
    alert: bool = False,
    report: bool = False,
    accept_new_host_key: bool = False,
    collecting: Collecting = quietly,
) -> CheckResult:
    """The CI gate: the environments compared with each other, or against a baseline (a saved snapshot
    or diff); `components` keeps only matching rows; `alert` sends the `notify:` channels what changed."""
    from driftctl.checks import baseline_environments, gather, judge, read_baseline, restrict, validate_options
    from driftctl.errors import UsageError

    validate_options("json", None, fail_on)
    files = list(snapshot_files)
    kind, base = read_baseline(baseline) if baseline else ("", {})
    chosen = list(names or []) or ([] if files else baseline_environments(kind, base))
    cfg = _rules_config(config, need=not files or alert)
    if alert and (cfg is None or not cfg.notify):
        raise UsageError("--notify needs a `notify:` section in environments.yaml")
    if not chosen and not files and cfg is not None:
        chosen = list(cfg.environments)
    snapshots = gather(cfg, chosen, cached=cached, snapshot_files=files, accept_new_host_key=accept_new_host_key,
                       collecting=collecting)
    matrix = restrict(judge(snapshots, cfg.rules if cfg else None, kind, base, baseline or "",
                            show_ignored=show_ignored), list(components))
    doc = matrix.to_json()
    if report:
        doc.update(report_context(cfg, snapshots))
    deliveries = notify(cfg, matrix) if alert and cfg is not None else []
    return CheckResult(matrix, snapshots, doc, fail_on, deliveries)


# --- plan, apply, rescue -------------------------------------------------------------------------


@dataclass
class PlanResult:
    """A signed plan, its two saved renderings and where they are."""

    document: dict
    markdown: str
    json: str
    folder: Path  # reports/plans: <id>.md and <id>.json
    incomplete: list[str] = field(default_factory=list)  # environments whose snapshot is incomplete

    @property
    def path(self) -> Path:
        """The plan file `driftctl apply` takes."""
        return self.folder / f"{self.document['id']}.json"


def plan(
    names: Sequence[str] | None = None,
    *,
    option: str,
    config: ConfigArg = None,
    cached: bool = False,
    snapshot_files: Sequence[str] = (),
    accept_new_host_key: bool = False,
    collecting: Collecting = quietly,
) -> PlanResult:
    """Plan safe repairs (`option`: quick-fix | comprehensive-sync | parallel), signed and saved to
    reports/plans/. Reads the environments (merge risk, uncommitted secrets), never changes them."""
    from driftctl.analysis.run import compute_merge_risk
    from driftctl.analysis.secret_files import scan_uncommitted
    from driftctl.checks import compare, gather, plan_option
    from driftctl.plan_signing import sign
    from driftctl.planner import build_plan
    from driftctl.planner.targets import targets_from_config
    from driftctl.render.plan import plan_json, plan_markdown
    from driftctl.snapshot_store import atomic_write, mark_ignored

    plan_option(option)
    cfg = load(config)
    files = list(snapshot_files)
    chosen = cfg.select(list(names or [])) if names or not files else []
    snapshots = gather(cfg, chosen, cached=cached, snapshot_files=files, accept_new_host_key=accept_new_host_key,
                       collecting=collecting)
    by_env = {s["environment"]: s for s in snapshots}
    root = reports_dir(cfg.base_dir)
    built = build_plan(compare(snapshots, cfg.rules).to_json(), by_env, option, targets_from_config(cfg),
                       merge_risk=compute_merge_risk(cfg, by_env), secret_files=scan_uncommitted(cfg, by_env),
                       reports_root=str(root.resolve()), config_path=str(Path(cfg.source).resolve()))
    doc = sign(built.to_json(), reports_root=root)  # apply runs only signed, unchanged plans
    result = PlanResult(doc, plan_markdown(doc), plan_json(doc), root / "plans",
                        [s["environment"] for s in snapshots if not s.get("complete", True)])
    mark_ignored(root)
    atomic_write(result.folder / f"{doc['id']}.md", result.markdown)
    atomic_write(result.path, result.json)
    return result


@dataclass
class ApplyResult:
    """What `apply` ran, for which plan."""

    plan: dict
    outcome: ApplyOutcome
    dry_run: bool = False

    def to_json(self) -> dict:
        """`driftctl apply --format json`: which steps ran, which failed, where the audit log is."""
        outcome = self.outcome
        return {
            "schema": "driftctl.apply/v1",
            "plan": self.plan.get("id"),
            "dry_run": self.dry_run,
            "exit_code": int(outcome.exit_code),
            "ran": list(outcome.ran),
            "failed": outcome.failed,
            "checks": list(outcome.checks),
            "log": str(outcome.log) if outcome.log else None,
        }


def apply(
    plan_file: str | Path,
    *,
    io: ApplyIO,
    config: ConfigArg = None,
    step_ids: Sequence[str] = (),
    phase: int | None = None,
    dry_run: bool = False,
    yes: bool = False,
    accept_new_host_key: bool = False,
) -> ApplyResult:
    """Run a signed plan's steps (or the chosen ones): re-collect its environments first and refuse
    if any changed; `io` says what happens and asks before each change (unless `yes`)."""
    from driftctl.apply import apply_plan, load_plan

    doc = load_plan(plan_file)
    cfg = load(config)
    io.say(f"re-collecting {', '.join(doc['environments'])} to check the plan is current")
    outcome = apply_plan(cfg, doc, step_ids=list(step_ids), phase=phase, dry_run=dry_run, yes=yes, io=io,
                         accept_new_host_key=accept_new_host_key)
    return ApplyResult(doc, outcome, dry_run)


def rescue(
    environment: str,
    *,
    config: ConfigArg = None,
    branch: str | None = None,
    repo: str | None = None,
    include_secret_files: bool = False,
    accept_new_host_key: bool = False,
) -> RescueResult:
    """Commit an environment's modified and untracked files to a new local branch (target read-only)."""
    from driftctl.rescue import rescue as rescue_files

    cfg = load(config)
    cfg.select([environment])
    return rescue_files(cfg, environment, branch=branch, repo=repo, include_secret_files=include_secret_files,
                        accept_new_host_key=accept_new_host_key)


# --- compose, set-up, secrets, schemas -----------------------------------------------------------


@dataclass
class ComposeConfig:
    """A compose project resolved exactly as `docker compose config` resolves it."""

    model: dict

    def text(self, fmt: str = "json") -> str:
        """The model as `docker compose config --format json|yaml` prints it."""
        if fmt == "yaml":
            import yaml

            return yaml.safe_dump(self.model, sort_keys=False, default_flow_style=False, allow_unicode=True,
                                  width=10**9)
        return json.dumps(self.model, indent=2, ensure_ascii=False)


def compose_config(
    files: Sequence[str] = (),
    *,
    env_files: Sequence[str] = (),
    project_directory: str | None = None,
    project_name: str | None = None,
    environment: str | None = None,
    config: ConfigArg = None,
) -> ComposeConfig:
    """Resolve local compose files (like `docker compose config`), or with `environment` that
    environment's configured compose files, read where they live (its checkout, host or git commit)."""
    import os

    from driftctl.compose import load_project
    from driftctl.errors import UsageError

    if environment:
        if project_directory or env_files:
            raise UsageError("--env takes the project directory and env files from the configuration")
        from driftctl.remote_files import resolve_compose

        return ComposeConfig(resolve_compose(load(config), environment, list(files) or None, project_name))
    return ComposeConfig(load_project(
        [os.path.abspath(f) for f in files],
        project_dir=os.path.abspath(project_directory) if project_directory else (None if files else os.getcwd()),
        env_files=[os.path.abspath(f) for f in env_files] if env_files else None,
        project_name=project_name,
    ))


def init(directory: str | Path = ".", *, force: bool = False) -> InitResult:
    """Write a first environments.yaml for a checkout (compose files, env files, git remote detected)."""
    from driftctl.scaffold import init as scaffold

    return scaffold(Path(directory), force=force)


def demo(options: DemoOptions, progress: Callable[[str], None] | None = None) -> DemoResult:
    """The seed incident rebuilt offline in a sandbox, then snapshot, diff and a quick-fix plan on it."""
    from driftctl.demo.run import run_demo

    return run_demo(options, progress=progress)


def schema(document: str = "config") -> dict:
    """The JSON Schema of environments.yaml (`config`) or of the `driftctl.diff/v1` document (`diff`)."""
    from driftctl.errors import UsageError

    if document == "diff":
        from driftctl.matrix import diff_schema

        return diff_schema()
    if document == "config":
        return config_schema()
    raise UsageError(f"unknown schema {document!r}; use config or diff")


def scan_secrets(paths: Sequence[str] = (), *, repo: str = ".", rev: str | None = None) -> list[SecretFinding]:
    """Files and lines that look like credentials (never the values): the named files, or what the
    unpushed commits of `rev` (default HEAD) touch."""
    from driftctl.errors import UsageError
    from driftctl.filescan import scan_bytes, scan_revision

    findings: list[SecretFinding] = []
    for p in paths:
        try:
            findings += scan_bytes(p, Path(p).read_bytes())
        except OSError as exc:
            raise UsageError(f"{p}: cannot read ({exc.strerror})") from None
    if paths:
        return findings
    import subprocess

    try:
        return scan_revision(repo, rev or "HEAD")
    except subprocess.CalledProcessError:
        raise UsageError(f"{repo}: not a git repository with revision {rev or 'HEAD'}") from None


def decrypt_backup(path: str | Path) -> bytes:
    """An encrypted rollback capture, decrypted with this machine's backup key."""
    from driftctl.backup_crypto import read_decrypted

    return read_decrypted(Path(path))


# --- drift over time: history, retention, notifications ---------------------------------------


def history(
    names: Sequence[str] | None = None,
    *,
    config: ConfigArg = None,
    patterns: list[str] | None = None,
    since: str | None = None,
    reports_root: Path | None = None,
) -> History:
    """Per component: when it first diverged, each change since, and whether it is still open."""
    from driftctl.checks import compare
    from driftctl.history import build_history, saved_snapshots
    from driftctl.snapshot_store import read_snapshot
    from driftctl.timeparse import parse_when

    cfg = load(config)
    chosen = cfg.select(list(names or []))
    root = reports_root or reports_dir(cfg.base_dir)
    saved = saved_snapshots(root, chosen)
    return build_history(
        saved,
        lambda s: read_snapshot(s.path),
        lambda snaps: compare(snaps, cfg.rules),
        environments=chosen,
        patterns=patterns,
        since=parse_when(since) if since else None,
    )


def snapshot_as_of(config: Config, name: str, when: str, reports_root: Path | None = None) -> dict:
    """`ENV@WHEN`: the environment's newest saved snapshot at or before WHEN, as column `ENV@<time>`."""
    from driftctl.history import saved_snapshots, snapshot_at
    from driftctl.snapshot_store import read_snapshot
    from driftctl.timeparse import parse_when

    (env,) = config.select([name])
    root = reports_root or reports_dir(config.base_dir)
    found = snapshot_at(saved_snapshots(root, [env]), env, parse_when(when))
    snap = read_snapshot(found.path)
    return {**snap, "environment": f"{env}@{snap.get('collected_at', when)}"}


@dataclass
class GcResult:
    removed: list[Path] = field(default_factory=list)
    kept: int = 0
    dry_run: bool = False

    def to_json(self) -> dict:
        """`driftctl gc --format json`."""
        return {"schema": "driftctl.gc/v1", "dry_run": self.dry_run, "kept": self.kept,
                "removed": [str(p) for p in self.removed]}


def gc(keep: str | None = None, *, config: ConfigArg = None, dry_run: bool = False,
       reports_root: Path | None = None) -> GcResult:
    """Delete saved snapshots older than `keep` (or the config's `retention`); the newest snapshot of
    each environment and every `latest.json` are always kept, so `--cached` keeps working."""
    from driftctl.errors import UsageError
    from driftctl.history import saved_snapshots
    from driftctl.timeparse import parse_duration

    cfg = load(config)
    spec = keep or cfg.retention
    if not spec:
        raise UsageError("say how long to keep snapshots: `driftctl gc --keep 30d`, or `retention: 30d` in the config")
    cutoff = datetime.now(timezone.utc) - parse_duration(spec, "--keep")
    root = reports_root or reports_dir(cfg.base_dir)
    result = GcResult(dry_run=dry_run)
    for env in cfg.environments:
        saved = saved_snapshots(root, [env])
        for item in saved[:-1]:
            if item.collected_at < cutoff:
                if not dry_run:
                    item.path.unlink(missing_ok=True)
                result.removed.append(item.path)
            else:
                result.kept += 1
        result.kept += 1 if saved else 0
    return result


@dataclass
class Delivery:
    channel: str
    changes: ChangeSet
    sent: bool = False
    error: str | None = None


def notify(config: Config, matrix: Matrix, *, reports_root: Path | None = None) -> list[Delivery]:
    """Send each `notify:` channel what changed since the last message it received, and only then.

    The state (`reports/notify/state.json`) is per channel and advances only when a delivery
    succeeds, so a channel that was down gets the change on the next run.
    """
    from driftctl.notify import changes as ch
    from driftctl.notify.deliver import DeliveryError, build_request, send
    from driftctl.notify.settings import channel_name

    root = reports_root or reports_dir(config.base_dir)
    state_path = root / "notify" / "state.json"
    state = _read_notify_state(state_path)
    out: list[Delivery] = []
    seen: dict[str, int] = {}
    for channel in config.notify:
        name = channel_name(channel, seen.get(channel.type, 0))
        seen[channel.type] = seen.get(channel.type, 0) + 1
        before = {k: ch.Finding.from_json(v) for k, v in (state.get(name) or {}).items() if isinstance(v, dict)}
        change_set = ch.compare(before, ch.findings(matrix, channel.min_severity))
        delivery = Delivery(name, change_set)
        out.append(delivery)
        if not change_set:
            continue
        try:
            request = build_request(channel, change_set)
            send(request, timeout=channel.timeout, retries=channel.retries, backoff=channel.backoff)
        except DeliveryError as exc:
            delivery.error = str(exc)
            continue
        delivery.sent = True
        state[name] = {k: f.to_json() for k, f in change_set.current.items()}
    if any(d.sent for d in out):
        from driftctl.snapshot_store import atomic_write

        atomic_write(state_path, json.dumps({"schema": ch.STATE_SCHEMA, "channels": state}, indent=2, sort_keys=True) + "\n")
    return out


def _read_notify_state(path: Path) -> dict[str, dict]:
    """The last notified findings per channel; a missing or unreadable state means "nothing sent yet"."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    channels = doc.get("channels") if isinstance(doc, dict) else None
    return {str(k): v for k, v in channels.items() if isinstance(v, dict)} if isinstance(channels, dict) else {}


def report_context(config: Config | None, snapshots: list[dict]) -> dict:
    """What the HTML report adds to a matrix: each snapshot's time, and the saved history of the
    configured environments (the timeline chart and since when each open row has been open)."""
    out: dict = {"collected_at": {s["environment"]: s.get("collected_at") for s in snapshots}}
    if config is not None:
        envs = [s["environment"] for s in snapshots if s["environment"] in config.environments]
        if envs:
            past = history(envs, config=config)
            out["history"] = {"points": [p.to_json() for p in past.points], "open_since": past.open_since()}
    return out


@dataclass
class WatchRound:
    """One round of `watch`: when, what it found, and what each channel was sent."""

    time: datetime
    matrix: Matrix | None
    deliveries: list[Delivery] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict:
        """`driftctl watch --format json`: one round as one JSON object (counts, never values)."""
        matrix = self.matrix
        return {
            "schema": "driftctl.watch/v1",
            "time": self.time.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "summary": matrix.summary() if matrix is not None else None,
            "incomplete": sorted({i["environment"] for i in matrix.incomplete}) if matrix is not None else [],
            "error": self.error,
            "deliveries": [{"channel": d.channel, "sent": d.sent, "error": d.error} for d in self.deliveries],
        }


def watch(
    names: Sequence[str] | None = None,
    *,
    config: ConfigArg = None,
    every: str = "10m",
    once: bool = False,
    accept_new_host_key: bool = False,
    on_round: Callable[[WatchRound], None] | None = None,
    stop: threading.Event | None = None,
) -> WatchRound:
    """Snapshot, compare and notify every `every` until `stop` is set (or once). Snapshots are saved,
    so the history grows; an unreachable environment is an incomplete round, never the end of the
    watch; a round that fails as a whole is reported and the next one runs on time."""
    from driftctl.checks import compare
    from driftctl.errors import DriftctlError
    from driftctl.timeparse import parse_duration

    cfg = load(config)
    interval = parse_duration(every, "--every").total_seconds()
    chosen = cfg.select(list(names or []))
    stop = stop or threading.Event()
    while True:
        started = datetime.now(timezone.utc)
        current = WatchRound(started, None)
        try:
            snapshots = [s for s, _ in take_snapshots(cfg, chosen, accept_new_host_key=accept_new_host_key)]
            current.matrix = compare(snapshots, cfg.rules)
            if cfg.notify:
                current.deliveries = notify(cfg, current.matrix)
        except DriftctlError as exc:
            current.error = exc.message
        if on_round:
            on_round(current)
        if once:
            return current
        elapsed = (datetime.now(timezone.utc) - started).total_seconds()
        if stop.wait(max(0.0, interval - elapsed)):
            return current


def config_schema() -> dict:
    """The JSON Schema of environments.yaml: the Config model's, without the fields load_config sets."""
    from driftctl.collectors import collector_names

    doc = Config.model_json_schema()
    for internal in ("source", "base_dir"):
        doc.get("properties", {}).pop(internal, None)
    chosen = doc.get("$defs", {}).get("EnvironmentSpec", {}).get("properties", {}).get("collectors", {})
    for option in chosen.get("anyOf", []):  # the names are discovered, so the model cannot list them
        if option.get("type") == "array":
            option["items"] = {"enum": collector_names()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://driftctl.invalid/schema/environments.v1.json",
        **doc,
        "title": "driftctl environments.yaml",
    }

"""`apply`: run a saved plan's steps on their environments, refusing stale plans.

Before anything runs, every environment of the plan is collected again and its content fingerprint
compared with the one the plan was computed from (or the one recorded after an earlier successful
`apply` of the same plan, so phase 2 can follow phase 1). Steps then run in order through each
environment's transport (`sh -c LINE` in its checkout): preconditions, commands (stdout saved to the
step's capture file, if any), verify lines. The first failure stops the run and shows that step's
rollback. Every command, exit code and (redacted) output goes to `reports/apply/<UTC stamp>.log`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from driftctl import plan_signing
from driftctl.config import Config
from driftctl.errors import DriftctlError, ExitCode, TransportError, UsageError
from driftctl.jsonfile import read_json
from driftctl.models import Command, CommandResult
from driftctl.planner.model import HERE, PLAN_SCHEMA
from driftctl.planner.sources import what_changed
from driftctl.secrets import looks_secret, redact
from driftctl.snapshot_store import atomic_write, reports_dir
from driftctl.transport.base import Transport

STEP_TIMEOUT_S = 900.0
LOG_OUTPUT_LIMIT = 64 * 1024


class StalePlanError(DriftctlError):
    """The environments changed since the plan was computed."""


def load_plan(path: str | os.PathLike[str]) -> dict:
    p = Path(path)
    plan = read_json(p, "plan", UsageError)
    if not isinstance(plan, dict) or plan.get("schema") != PLAN_SCHEMA:
        raise UsageError(f"{p}: not a driftctl plan (expected schema {PLAN_SCHEMA}); use the .json written by `driftctl plan`")
    plan_signing.verify(plan, str(p))  # before anything else: only plans driftctl wrote, unchanged
    from driftctl.plan_shape import check_plan_shape

    check_plan_shape(plan, str(p))
    plan_signing.check_structure(plan, str(p))
    return plan


def select_steps(plan: dict, step_ids: list[str] | None, phase: int | None) -> list[tuple[int, dict]]:
    """(phase number, step) in plan order, filtered by --phase and --step."""
    chosen = [(p["number"], s) for p in plan["phases"] for s in p["steps"] if phase is None or p["number"] == phase]
    if phase is not None and not any(p["number"] == phase for p in plan["phases"]):
        raise UsageError(f"plan has no phase {phase}; phases: {', '.join(str(p['number']) for p in plan['phases'])}")
    if step_ids:
        known = {s["id"] for _, s in chosen}
        unknown = [i for i in step_ids if i not in known]
        if unknown:
            raise UsageError(f"unknown step {', '.join(map(repr, unknown))}" + (f" in phase {phase}" if phase else ""))
        chosen = [(n, s) for n, s in chosen if s["id"] in step_ids]
    return chosen


# -- state: what earlier runs of the same plan did -------------------------------------------------


def state_path(root: Path, plan: dict) -> Path:
    return root / "apply" / "state" / f"{plan['id']}.json"


def load_state(root: Path, plan: dict) -> dict:
    try:
        return json.loads(state_path(root, plan).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {"plan": plan["id"], "done": [], "fingerprints": {}}


def check_fresh(plan: dict, snapshots: list[dict], state: dict) -> None:
    """Raise StalePlanError naming each environment that changed, and how."""
    problems = []
    for snap in snapshots:
        env = snap["environment"]
        if snap.get("error"):
            raise TransportError(f"cannot re-collect {env} to check the plan is current: {snap['error']}")
        source = plan["sources"].get(env) or {}
        accepted = {source.get("fingerprint"), *state.get("fingerprints", {}).get(env, [])}
        if snap.get("fingerprint") not in accepted:
            problems.append(f"{env} ({'; '.join(what_changed(source, snap))})")
    if problems:
        raise StalePlanError(
            f"plan {plan['id']} is stale: {', '.join(problems)} changed since it was computed; run `driftctl plan` again"
        )


# -- running commands ------------------------------------------------------------------------------


class Executor:
    """One open transport per environment, reused across steps; `@here` is this machine."""

    def __init__(self, config: Config, accept_new_host_key: bool = False):
        self.config = config
        self.accept_new_host_key = accept_new_host_key
        self.transports: dict[str, Transport] = {}
        self._open = ExitStack()  # each transport is entered (`with`) on first use, all left by close()

    def _transport(self, env: str):
        if env not in self.transports:
            if env == HERE:
                from driftctl.transport.local import LocalTransport

                t: Transport = LocalTransport(HERE, root=self.config.base_dir)
            else:
                if env not in self.config.environments:
                    raise UsageError(f"plan step runs on {env!r}, which is not in {self.config.source or 'the config'}")
                from driftctl.transport import make_transport

                t = make_transport(self.config, env, accept_new_host_key=self.accept_new_host_key)
            self.transports[env] = self._open.enter_context(t)
        return self.transports[env]

    def run(self, env: str, line: str) -> CommandResult:
        t = self._transport(env)
        return t.run(Command(("sh", "-c", line), cwd=t.root), timeout=STEP_TIMEOUT_S)

    def close(self) -> None:
        self._open.close()


_SECRET_ASSIGNMENT = re.compile(r"""["']?([A-Za-z_][A-Za-z0-9_]*)["']?\s*[=:]\s*["']?([^\s"',]+)""")


def scrub(text: str, known: list[str]) -> str:
    """Redact known secrets and any `KEY=value` / `KEY: value` whose key or value looks secret."""
    found = [v for k, v in _SECRET_ASSIGNMENT.findall(text) if looks_secret(k, v)]
    return redact(text, [*known, *found])


@dataclass
class ApplyOutcome:
    exit_code: int
    ran: list[str] = field(default_factory=list)
    failed: str | None = None
    log: Path | None = None
    checks: list[str] = field(default_factory=list)


@dataclass
class ApplyIO:
    """How apply talks to the person: the CLI passes terminal functions, tests pass lists."""

    say: Callable[[str], None]
    confirm: Callable[[str], bool]
    interactive: bool


class AuditLog:
    def __init__(self, path: Path | None):
        self.path = path
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        self.lines.append(f"{stamp} {text}")
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(f"{stamp} {text}\n")

    def result(self, env: str, kind: str, line: str, res: CommandResult, show_output: bool = True) -> None:
        self.write(f"[{env}] {kind}: {scrub(line, [])}")
        self.write(f"  exit {res.exit_status}")
        if show_output:
            for name, data in (("stdout", res.stdout), ("stderr", res.stderr)):
                text = data[:LOG_OUTPUT_LIMIT].decode("utf-8", errors="replace")
                if text.strip():
                    self.write(f"  {name}:\n" + "\n".join("    " + ln for ln in scrub(text, []).splitlines()))
        elif res.stderr.strip():
            self.write("  stderr:\n" + "\n".join("    " + ln for ln in scrub(res.stderr.decode(errors="replace"), []).splitlines()))


def apply_plan(config: Config, plan: dict, *, step_ids: list[str] | None = None, phase: int | None = None,
               dry_run: bool = False, yes: bool = False, io: ApplyIO, accept_new_host_key: bool = False,
               snapshots: list[dict] | None = None) -> ApplyOutcome:
    """Check the plan is current, then run the selected steps; never raises for a failing step."""
    from driftctl.runner import collect_all

    root = reports_dir(config.base_dir)
    selected = select_steps(plan, step_ids, phase)
    explicit = set(step_ids or [])
    envs, captures, state = _check_runnable(config, plan, selected, explicit, root)
    fresh = snapshots if snapshots is not None else collect_all(config, envs, accept_new_host_key=accept_new_host_key)
    check_fresh(plan, fresh, state)
    if not dry_run and not yes and not io.interactive and any(plan_signing.step_mutates(s) for _, s in selected):
        first = next(s for _, s in selected if plan_signing.step_mutates(s))
        raise UsageError(f"step {first['id']} changes {first['environment']}; refusing without --yes in a non-interactive session")

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    log = AuditLog(None if dry_run else root / "apply" / f"{stamp}.log")
    log.write(f"plan {plan['id']} ({plan['option']}); steps: {', '.join(s['id'] for _, s in selected)}; fingerprints verified")
    run = _Run(io, log, Executor(config, accept_new_host_key), captures, state, ApplyOutcome(0, log=log.path),
               plan_signing.where_lines_run(config, list(plan["environments"])), dry_run, yes)
    try:
        for number, step in selected:
            if step["id"] in state["done"] and step["id"] not in explicit:
                io.say(f"- {step['id']}: already applied by an earlier run, skipped")
                continue
            if not run.step(number, step):
                return run.outcome
    finally:
        run.executor.close()
        if run.outcome.ran and not dry_run:
            _save_state(config, root, plan, envs, state, run.outcome, accept_new_host_key)
    if run.outcome.checks:
        io.say("verify with: " + "; ".join(dict.fromkeys(run.outcome.checks)))
    return run.outcome


def _check_runnable(config: Config, plan: dict, selected: list[tuple[int, dict]], explicit: set[str],
                    root: Path) -> tuple[list[str], Path, dict]:
    """What must hold before anything is collected or run: every environment is configured, every
    capture file stays in the reports folder, and the steps come after the steps they need.
    Returns the plan's environments, its captures folder and the state of earlier runs."""
    from driftctl.apply_graph import check_order

    envs = [e for e in plan["environments"] if e in config.environments]
    missing = [e for e in plan["environments"] if e not in config.environments]
    if missing:
        raise UsageError(f"plan environments not in the config: {', '.join(missing)}")
    captures = plan_signing.reports_root(plan, root)
    for _, step in selected:
        plan_signing.capture_path(step, captures)
    state = load_state(root, plan)
    check_order([s for _, s in selected if not (s["id"] in state["done"] and s["id"] not in explicit)],
                state["done"], [s for p in plan["phases"] for s in p["steps"]])
    return envs, captures, state


@dataclass
class _Run:
    """One `apply` run in progress: whom it asks, where it logs and runs, what it has done so far."""

    io: ApplyIO
    log: AuditLog
    executor: Executor
    captures: Path
    state: dict
    outcome: ApplyOutcome
    where: dict[str, str]
    dry_run: bool
    yes: bool

    def step(self, number: int, step: dict) -> bool:
        """Show, confirm and run one step; False when the run stops here (declined or failed)."""
        io, log, outcome = self.io, self.log, self.outcome
        mutates = plan_signing.step_mutates(step)
        io.say(f"[phase {number}] {step['id']}: {step['title']} ({step['environment']}; "
               + ("changes it" if mutates else "read-only") + f"; risk {step['risk']['level']})")
        if self.dry_run:
            for line in plan_signing.describe_dry_run(step, self.where):
                io.say(line)
            return True
        if mutates and not self.yes and not io.confirm(f"run {step['id']} on {step['environment']}?"):
            log.write(f"step {step['id']}: declined")
            io.say(f"stopped before {step['id']} (declined)")
            outcome.exit_code = int(ExitCode.DRIFT)
            return False
        from driftctl.apply_graph import unmet

        missing = unmet(step, self.state["done"])
        try:
            error = f"requires {', '.join(missing)}, which did not succeed" if missing else \
                _run_step(self.executor, step, log, self.captures)
        except KeyboardInterrupt:  # the step's process group is already killed (transport.local)
            log.write(f"step {step['id']}: INTERRUPTED (Ctrl-C); its running command was stopped")
            raise
        if error:
            self.failed(step, error)
            return False
        outcome.ran.append(step["id"])
        outcome.checks += [v for v in step["verify"] if v.startswith("driftctl ")]
        self.state["done"].append(step["id"])
        log.write(f"step {step['id']}: ok")
        return True

    def failed(self, step: dict, error: str) -> None:
        """Stop on the first failure, and show the failed step's rollback (run it by hand: it is not undone)."""
        self.outcome.failed = step["id"]
        self.outcome.exit_code = int(ExitCode.DRIFT)
        self.log.write(f"step {step['id']} FAILED: {error}")
        self.io.say(f"step {step['id']} failed: {error}")
        self.io.say("to undo it, run:" if step["rollback"] else "it has no rollback commands (it changes nothing)")
        for line in _rollback_display(step):
            self.io.say(f"    {line}")
            self.log.write(f"  rollback: {line}")


def _save_state(config: Config, root: Path, plan: dict, envs: list[str], state: dict, outcome: ApplyOutcome,
                accept_new_host_key: bool) -> None:
    """Record done steps and the fingerprints right after them: what the plan's own steps changed (tags,
    refs, rescue branches, a step that failed half-way) is expected by the next run, never 'stale'."""
    if outcome.ran:
        from driftctl.runner import collect_all

        for snap in collect_all(config, envs, accept_new_host_key=accept_new_host_key):
            if snap.get("fingerprint") and not snap.get("error"):
                prints = state.setdefault("fingerprints", {}).setdefault(snap["environment"], [])
                if snap["fingerprint"] not in prints:
                    prints.append(snap["fingerprint"])
    atomic_write(state_path(root, plan), json.dumps(state, indent=2) + "\n")


def _run_step(executor: Executor, step: dict, log: AuditLog, root: Path) -> str | None:
    env = step["environment"]
    try:
        for line in step["preconditions"]:
            res = executor.run(env, line)
            log.result(env, "precondition", line, res)
            if res.exit_status != 0:
                return f"precondition not met: {line}"
        capture = plan_signing.capture_path(step, root)
        captured: list[bytes] = []
        for line in step["commands"]:
            res = executor.run(env, line)
            log.result(env, "run", line, res, show_output=capture is None)
            if capture:
                captured.append(res.stdout)
                log.write(f"  stdout: {len(res.stdout)} bytes" + (" encrypted" if step.get("encrypt") else "") + f" to {capture}")
            if res.exit_status != 0:
                return f"`{line}` exited with {res.exit_status}" + _last_line(res)
        if capture:
            _save_capture(capture, b"".join(captured), bool(step.get("encrypt")))
        venv = step.get("verify_environment") or env
        for line in step["verify"]:
            if line.startswith("driftctl "):
                log.write(f"[{HERE}] check to run afterwards: {line}")
                continue
            res = executor.run(venv, line)
            log.result(venv, "verify", line, res)
            if res.exit_status != 0:
                return f"verification failed: `{line}` exited with {res.exit_status}" + _last_line(res)
    except DriftctlError as exc:
        return exc.message
    return None


def _save_capture(path: Path, data: bytes, encrypt: bool) -> None:
    """Mode 600; encrypted at rest when the step says the output holds environment values."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if encrypt:
        from driftctl.backup_crypto import write_encrypted

        write_encrypted(path, data)
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _last_line(res: CommandResult) -> str:
    lines = scrub(res.error_text, []).splitlines()
    return f" ({lines[-1]})" if lines else ""


def _rollback_display(step: dict) -> list[str]:
    """Rollback lines as a person would paste them here (with the step's `cd` or `ssh` wrapper)."""
    return list(step.get("rollback_display") or step["rollback"])

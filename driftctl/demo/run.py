"""`driftctl demo` as a library call: build the sandbox, run the real pipeline on it, clean up.

The pipeline is the one the commands use: `runner.collect_all` (environments concurrently), the
snapshot store, `differ.build_matrix` with the sandbox's rules, and `planner.build_plan` for the
quick-fix option. Only the environments are simulated (see `SIMULATED`).

Cleanup is unconditional: whatever happens (an error, Ctrl-C), the loopback sshd is stopped and,
without `keep`, the sandbox is deleted. The reports are the demo's output and always stay.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from driftctl import capabilities
from driftctl.demo import sandbox as sandbox_mod
from driftctl.demo.environments import environments_yaml
from driftctl.errors import UsageError

ENVIRONMENTS = ("local", "aws", "github")
OPTION = "quick-fix"
# Host facts and containers would describe this machine (every sandbox environment lives on it), not
# the story's hosts; leaving them out keeps the matrix about the incident and the run fast.

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoOptions:
    dir: Path | None = None  # sandbox in DIR/sandbox, reports in DIR/reports (default: a temp dir, ./reports/demo)
    keep: bool = False
    ssh: bool = False
    cwd: Path = field(default_factory=Path.cwd)  # reports go to CWD/reports/demo without `dir`

    @property
    def reports_dir(self) -> Path:
        return (self.dir / "reports") if self.dir else (self.cwd / "reports" / "demo")


@dataclass
class DemoResult:
    matrix: dict
    plan: dict
    exit_code: int
    transport: str  # how `aws` was reached: local | ssh
    sandbox: Path
    kept: bool
    reports: dict[str, Path]
    seconds: dict[str, float]

    def to_json(self) -> dict:
        return {
            "schema": "driftctl.demo/v1",
            "exit_code": self.exit_code,
            "aws_transport": self.transport,
            "simulated": simulated(self.transport),
            "real": real(self.transport),
            "sandbox": {"path": str(self.sandbox), "kept": self.kept},
            "reports": {k: str(v) for k, v in self.reports.items()},
            "seconds": self.seconds,
            "matrix": self.matrix,
            "plan": self.plan,
        }


def simulated(transport: str) -> list[str]:
    """What the demo makes up: said before any result, so nobody mistakes the sandbox for a server."""
    return [
        "the three environments are folders of a sandbox built for this run: `local` (a developer's "
        "checkout), `aws` (a checkout standing in for the production server), `github` (a bare "
        "repository standing in for the origin)",
        "their history and the hand-made fixes on `aws` are scripted from the incident report",
        "no containers run and no host facts are collected: all three environments live on this machine",
    ]


def real(transport: str) -> list[str]:
    how = "over a real SSH connection to a loopback sshd started for the demo" if capabilities.of(transport).remote_shell else (
        "through the local transport (add --ssh to reach it over a real SSH connection)")
    return [
        "git: real repositories, commits, branches and uncommitted files",
        f"the collectors (git, compose, env, files, code health) reading them; `aws` {how}",
        "the differ with the rules of the sandbox's environments.yaml, and the quick-fix planner",
    ]


def run_demo(options: DemoOptions, progress: Progress | None = None) -> DemoResult:
    """Build, collect, diff, plan, write the reports; always clean up (see the module docstring)."""
    say = progress or (lambda _msg: None)
    root = _sandbox_root(options)
    server = None
    seconds: dict[str, float] = {}
    try:
        clock = time.monotonic()
        say("building the sandbox (git fast-import)")
        box = sandbox_mod.build(root)
        if options.ssh:
            from driftctl.demo import sshd

            say("starting a loopback sshd")
            server = sshd.start(root / "ssh")
        box.config.write_text(environments_yaml(server.spec(box.aws) if server else None), encoding="utf-8")
        seconds["sandbox"] = _lap(clock)
        return _pipeline(box, options, say, seconds, transport="ssh" if server else "local")
    finally:
        if server is not None:
            server.stop()
        if not options.keep:
            shutil.rmtree(root, ignore_errors=True)


def _sandbox_root(options: DemoOptions) -> Path:
    if options.dir is None:
        return Path(tempfile.mkdtemp(prefix="driftctl-demo-"))
    root = options.dir / "sandbox"
    if root.exists() and any(root.iterdir()):
        raise UsageError(f"{root} already exists and is not empty; remove it or choose another --dir")
    root.mkdir(parents=True, exist_ok=True)
    return root


def _lap(start: float) -> float:
    return round(time.monotonic() - start, 3)


def _pipeline(box: sandbox_mod.Sandbox, options: DemoOptions, say: Progress, seconds: dict[str, float], *,
              transport: str) -> DemoResult:
    """snapshot -> matrix -> quick-fix plan -> reports, exactly as `snapshot`, `diff` and `plan` do it."""
    from driftctl.config import load_config
    from driftctl.demo.reports import write_reports
    from driftctl.differ import build_matrix
    from driftctl.matrix import exit_code
    from driftctl.planner import build_plan
    from driftctl.planner.targets import targets_from_config
    from driftctl.runner import collect_all

    clock = time.monotonic()
    cfg = load_config(str(box.config))
    with _private_git_cache(box.root / ".cache"):
        snapshots = collect_all(cfg, list(ENVIRONMENTS),
                                progress=lambda env, msg: say(f"collecting {env}: {msg}"))
    seconds["collect"] = _lap(clock)
    clock = time.monotonic()
    matrix = build_matrix(snapshots, cfg.rules)
    doc = matrix.to_json()
    reports_dir = options.reports_dir.resolve()
    plan = build_plan(doc, snapshots, OPTION, targets_from_config(cfg), reports_root=str(reports_dir),
                      config_path=str(box.config)).to_json()
    seconds["diff_and_plan"] = _lap(clock)
    clock = time.monotonic()
    reports = write_reports(reports_dir, snapshots, doc, plan)
    seconds["reports"] = _lap(clock)
    return DemoResult(matrix=doc, plan=plan, exit_code=exit_code(matrix), transport=transport, sandbox=box.root,
                      kept=options.keep, reports=reports, seconds=seconds)


@contextmanager
def _private_git_cache(path: Path) -> Iterator[None]:
    """The git transport mirrors `github` under $XDG_CACHE_HOME; keep that mirror inside the sandbox."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = old

"""Everything a planner function reads, gathered once: the matrix, snapshots, targets and derived facts.

Pure: built from dicts. Option and step builders ask this object questions ("which environment is
production?", "where does this file exist?") instead of digging through snapshots themselves.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from driftctl.capabilities import Capabilities, of_snapshot
from driftctl.evidence import Evidence
from driftctl.planner.targets import Target
from driftctl.snapshot import collector_data

if TYPE_CHECKING:
    from driftctl.collectors.compose import ComposeData, ComposeService
    from driftctl.collectors.git import GitData, GitDescribe

SETTLED = {"IN_SYNC", "EXPECTED"}


@dataclass
class PlanContext:
    matrix: dict
    snapshots: dict[str, dict]
    targets: dict[str, Target]
    option: str
    now: datetime
    reports_root: str
    config_path: str = "environments.yaml"
    merge_risk: list[dict] = field(default_factory=list)
    secret_files: list[dict] = field(default_factory=list)  # content scan of uncommitted files (path, line, kind)

    @classmethod
    def of_snapshots(cls, snapshots: dict[str, dict], targets: dict[str, Target], now: datetime) -> PlanContext:
        """Only the questions about the environments (the hub, heads, divergences), before there is a
        matrix or an option: what the merge-risk analysis asks so that it picks the plan's own hub."""
        return cls(matrix={"environments": list(snapshots)}, snapshots=snapshots, targets=targets, option="",
                   now=now, reports_root="")

    # -- names ---------------------------------------------------------------------------------

    @property
    def stamp(self) -> str:
        return self.now.strftime("%Y%m%dT%H%M%SZ")

    @property
    def date(self) -> str:
        return self.now.strftime("%Y%m%d")

    @property
    def environments(self) -> list[str]:
        return list(self.matrix.get("environments") or self.snapshots)

    def rollback_dir(self, env: str) -> str:
        return posixpath.join(self.reports_root, "rollback", self.stamp, env)

    def rescue_branch(self, env: str) -> str:
        return f"rescue/{env}-{self.date}"

    def rollback_tag(self, env: str) -> str:
        return f"driftctl/rollback/{env}-{self.stamp}"

    # -- environments --------------------------------------------------------------------------

    def kind(self, env: str) -> str:
        t = self.targets.get(env)
        return t.kind if t else (self.snapshots.get(env, {}).get("transport") or "unknown")

    def caps(self, env: str) -> Capabilities:
        """What the environment can do (ask this, never `kind`)."""
        t = self.targets.get(env)
        return t.caps if t else of_snapshot(self.snapshots.get(env, {}))

    @cached_property
    def hub(self) -> str | None:
        """The local checkout that receives tags, rescue branches and merges (prefer one named `local`)."""
        local = [e for e in self.environments if self.caps(e).on_this_machine and self.git(e)]
        return "local" if "local" in local else (local[0] if local else None)

    def is_staging(self, env: str) -> bool:
        return "stag" in env.lower()

    def deployed(self) -> list[str]:
        """Checkouts other than the hub: where the services run, whatever transport reaches them
        (a second local checkout is as much a deployment as an SSH host)."""
        return [e for e in self.checkouts() if e != self.hub]

    @cached_property
    def production(self) -> list[str]:
        """Deployments that are not staging: touched only with care (quick-fix: read-only)."""
        return [e for e in self.deployed() if not self.is_staging(e)]

    @cached_property
    def staging(self) -> str | None:
        return next((e for e in self.deployed() if self.is_staging(e)), None)

    def checkouts(self) -> list[str]:
        """Environments with a work tree (local or ssh): the ones rollback points are taken of."""
        return [e for e in self.environments if self.caps(e).worktree]

    # -- snapshot facts ------------------------------------------------------------------------

    def git(self, env: str) -> GitData | None:
        """The git collector's data there (None: it failed, was skipped, or the environment is unknown)."""
        return collector_data(self.snapshots.get(env, {}), "git")

    def head(self, env: str) -> str | None:
        g = self.git(env)
        head = g.get("head") if g else None
        return head.get("sha") if head else None

    def branch(self, env: str) -> str | None:
        g = self.git(env)
        return g.get("branch") if g else None

    def describe(self, env: str) -> GitDescribe | None:
        """The newest tag HEAD descends from (`git describe --tags`), when known."""
        g = self.git(env)
        return g.get("describe") if g else None

    def remotes(self, env: str) -> dict[str, str]:
        g = self.git(env)
        return (g.get("remotes") or {}) if g else {}

    def hub_has(self, sha: str | None) -> bool:
        return bool(sha and self.hub and sha in self.graph(self.hub))

    def uncommitted(self, env: str) -> dict[str, list[str]]:
        g = self.git(env)
        if not g:
            return {"modified": [], "untracked": []}
        return {"modified": list(g.get("modified") or []), "untracked": list(g.get("untracked") or [])}

    def compose(self, env: str) -> ComposeData | None:
        """The compose collector's data there (None: it failed, was skipped, or the environment is unknown)."""
        return collector_data(self.snapshots.get(env, {}), "compose")

    def services(self, env: str) -> dict[str, ComposeService]:
        c = self.compose(env)
        return (c.get("services") or {}) if c else {}

    def found_compose_files(self, env: str) -> list[str]:
        """The compose files the compose collector found there."""
        c = self.compose(env)
        return [f["path"] for f in (c.get("files") or [] if c else []) if f.get("exists") and f.get("path")]

    def compose_files(self, env: str) -> list[str]:
        """Exactly the compose files the environment uses: its configured list, else the ones the
        compose collector resolved there (empty: let Compose pick its default, as it does there)."""
        t = self.targets.get(env)
        if t and t.compose_files:
            return list(t.compose_files)
        return self.found_compose_files(env)

    def project(self, env: str) -> str:
        """The Compose project name the environment's containers run under: the one they were started
        with (`-p`, seen through their project-folder labels) when it is not the model's, so a repair
        never starts a second copy next to them."""
        running = [e.value.get("running") for _, e in self.evidence("containers.project", {"other-project"})
                   if e.environment == env and isinstance(e.value, dict)]
        if len(running) == 1 and isinstance(running[0], list) and len(running[0]) == 1 and running[0][0]:
            return str(running[0][0])
        c = self.compose(env)
        name = c.get("project") if c else None
        if isinstance(name, str) and name:
            return name
        t = self.targets.get(env)
        return posixpath.basename((t.root if t else env).rstrip("/")).lower() or env

    def docker_host(self, env: str) -> str | None:
        t = self.targets.get(env)
        return t.docker_host if t else None

    def graph(self, env: str) -> dict[str, list[str]]:
        g = self.git(env)
        return (g.get("graph") or {}) if g else {}

    def only_here(self, env: str) -> list[str]:
        """Commits of `env` the hub does not have: its HEAD and its local-only commits (what a bundle must carry)."""
        if not self.hub:
            return []
        hub_graph = self.graph(self.hub)
        g = self.git(env)
        out = [c.get("sha") for c in (g.get("local_only") or [] if g else []) if c.get("sha") not in hub_graph]
        head = self.head(env)
        if head and head not in hub_graph:
            out.append(head)
        return [c for c in dict.fromkeys(out) if c]

    def existing_files(self, env: str, names: list[str] | tuple[str, ...]) -> list[str]:
        """Which of these files the snapshot saw in the environment (all of them when unknown)."""
        files = collector_data(self.snapshots.get(env, {}), "files")
        if files is None:
            return list(names)
        return [n for n in names if n in files.get("files", {})]

    def file_state(self, env: str, path: str) -> str | None:
        """'changed' (modified/untracked there), 'tracked', or None when the file is not there."""
        files = collector_data(self.snapshots.get(env, {}), "files")
        change = (files.get("changed") or {}).get(path) if files else None
        if change is not None and change != "deleted":
            return "changed"
        if files and path in (files.get("files") or {}):
            return "tracked"
        g = self.uncommitted(env)
        if path in g["untracked"] or path in g["modified"]:
            return "changed"
        return None

    def has_docker(self, env: str) -> bool | None:
        """Whether a Docker engine answered there (None: not known, e.g. the host collector failed).

        The containers collector knows best (ok: an engine; skipped: none found). An environment whose
        config runs neither it nor the host collector has no container state to speak of."""
        outcomes = (self.snapshots.get(env, {}).get("collectors") or {})
        status = (outcomes.get("containers") or {}).get("status")
        if status in ("ok", "skipped"):
            return status == "ok"
        if outcomes and "containers" not in outcomes and "host" not in outcomes:
            return False
        host = collector_data(self.snapshots.get(env, {}), "host")
        if host is None:
            return None
        versions = host.get("docker")
        return bool(versions and versions.get("server"))

    # -- matrix --------------------------------------------------------------------------------

    def rows(self, prefix: str = "", statuses: set[str] | None = None) -> list[dict]:
        return [
            r for r in self.matrix.get("rows", [])
            if r.get("component", "").startswith(prefix) and (statuses is None or r.get("status") in statuses)
        ]

    def unsettled(self, prefix: str = "") -> list[dict]:
        return [r for r in self.rows(prefix) if r.get("status") not in SETTLED | {"UNKNOWN"}]

    def evidence(self, prefix: str = "", kinds: set[str] | None = None, statuses: set[str] | None = None,
                 *, unsettled: bool = False) -> list[tuple[dict, Evidence]]:
        """(row, entry) for the typed evidence of matching rows: the only facts the planner reads from rows."""
        out = []
        for r in self.rows(prefix, statuses):
            if unsettled and r.get("status") in SETTLED | {"UNKNOWN"}:
                continue
            for doc in r.get("evidence") or []:
                e = Evidence.from_json(doc)
                if kinds is None or e.kind in kinds:
                    out.append((r, e))
        return out

    def row(self, component: str) -> dict | None:
        return next((r for r in self.matrix.get("rows", []) if r.get("component") == component), None)

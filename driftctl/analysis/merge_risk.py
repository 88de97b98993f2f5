"""Merge risk: what merging one deployed branch into another would change, computed without a work tree.

For each pair of diverged commits, in the repository that holds both histories (usually the `local`
checkout): `git merge-tree --write-tree` gives the merged tree and the conflicted paths; the compose
files are read at both commits and at the merged tree with `git show`, resolved like Compose would
(`driftctl.compose.load_project`, no shell environment), flattened to the differ's component ids and
compared. The result says, e.g., that merging aws-deployment into main changes
`compose.services.telegram-bot.environment.MARKET_DATA_URL` from `http://crypto-market-data:8001` to
`http://market-data:8001`. Nothing in the repository changes: git writes the merged trees into a
temporary object directory (GIT_OBJECT_DIRECTORY) that reads the repository's own objects as an
alternate, and the caller removes it afterwards (see `driftctl.analysis.run`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from driftctl.collectors.base import CollectContext, CollectGen, Collector, file_text
from driftctl.config import COMPOSE_DEFAULT_FILES
from driftctl.errors import CollectorError, DriftctlError
from driftctl.models import Command, CommandResult
from driftctl.secrets import protect

MAX_ROUNDS = 4


@dataclass(frozen=True)
class Side:
    environment: str
    branch: str | None
    commit: str
    compose_files: tuple[str, ...]

    def to_json(self) -> dict:
        return {"environment": self.environment, "branch": self.branch, "commit": self.commit, "compose_files": list(self.compose_files)}


@dataclass(frozen=True)
class MergePair:
    ours: Side  # receives the merge
    theirs: Side


@dataclass(frozen=True)
class Scratch:
    """Where merge-tree may write: a temporary object directory; the repository's objects are read
    through it as an alternate, so the repository itself receives nothing."""

    objects: str  # the repository's object directory (absolute, on the hub's host)
    temp: str  # a fresh temporary directory on the same host

    def env(self) -> tuple[tuple[str, str], ...]:
        return (("GIT_OBJECT_DIRECTORY", self.temp), ("GIT_ALTERNATE_OBJECT_DIRECTORIES", self.objects))


class _NeedFile(Exception):
    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


@dataclass
class _Resolution:
    """Compose files of one side, resolved at one tree (commit or merge result)."""

    oid: str
    files: tuple[str, ...]
    model: dict | None = None
    error: str | None = None
    texts: dict[str, str | None] = field(default_factory=dict)


def parse_merge_tree(stdout: str, exit_status: int) -> tuple[str, list[str]]:
    """`git merge-tree --write-tree --name-only --no-messages` -> (tree, conflicted paths)."""
    lines = stdout.splitlines()
    if not lines or exit_status not in (0, 1):
        raise CollectorError(f"git merge-tree failed (exit {exit_status})")
    conflicts = []
    for line in lines[1:]:
        if not line:
            break
        conflicts.append(line)
    return lines[0].strip(), sorted(set(conflicts))


def flatten(model: dict | None) -> dict[str, Any]:
    """A resolved compose model -> {component id: value}, with the differ's ids; secrets fingerprinted."""
    out: dict[str, Any] = {}
    for svc, conf in ((model or {}).get("services") or {}).items():
        for key, value in (conf or {}).items():
            if key == "environment" and isinstance(value, dict):
                for var, v in value.items():
                    out[f"compose.services.{svc}.environment.{var}"] = protect(var, None if v is None else str(v))
            else:
                out[f"compose.services.{svc}.{key}"] = value
    return out


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[dict]:
    return [
        {"component": k, "before": before.get(k), "after": after.get(k)}
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    ]


class MergeRiskAnalysis(Collector):
    """Runs in the hub repository; data: {"pairs": [result per pair, in order]}."""

    name = "merge_risk"
    needs = ("on_this_machine",)

    def __init__(self, pairs: list[MergePair], scratch: Scratch):
        self.pairs = pairs
        self.scratch = scratch

    def collect(self, ctx: CollectContext) -> CollectGen:
        results = yield [
            Command(("git", "merge-tree", "--write-tree", "--name-only", "--no-messages", p.ours.commit, p.theirs.commit),
                    cwd=ctx.root, ok_codes=(0, 1), env=self.scratch.env())
            for p in self.pairs
        ]
        out: list[dict] = []
        jobs: list[_Resolution] = []
        plan: list[tuple[dict, list[_Resolution]]] = []
        for pair, res in zip(self.pairs, results):
            entry: dict[str, Any] = {"computed_in": ctx.env_name, "ours": pair.ours.to_json(), "theirs": pair.theirs.to_json(),
                     "tree": None, "clean": None, "conflicts": [], "changes": {"into_ours": [], "into_theirs": []}, "error": None}
            out.append(entry)
            if res.exit_status not in (0, 1):
                entry["error"] = res.failure()
                continue
            tree, conflicts = parse_merge_tree(res.text, res.exit_status)
            entry.update(tree=tree, clean=res.exit_status == 0, conflicts=conflicts)
            sides = [_Resolution(pair.ours.commit, pair.ours.compose_files), _Resolution(tree, pair.ours.compose_files),
                     _Resolution(pair.theirs.commit, pair.theirs.compose_files), _Resolution(tree, pair.theirs.compose_files)]
            jobs += sides
            plan.append((entry, sides))
        yield from _resolve_all(ctx, jobs, self.scratch)
        for entry, (ours_before, ours_after, theirs_before, theirs_after) in plan:
            errors = [r.error for r in (ours_before, ours_after, theirs_before, theirs_after) if r.error]
            if errors:
                entry["resolve_errors"] = sorted(set(errors))
            if not ours_before.error and not ours_after.error:
                entry["changes"]["into_ours"] = compare(flatten(ours_before.model), flatten(ours_after.model))
            if not theirs_before.error and not theirs_after.error:
                entry["changes"]["into_theirs"] = compare(flatten(theirs_before.model), flatten(theirs_after.model))
        return {"pairs": out}


def _resolve_all(ctx: CollectContext, jobs: list[_Resolution], scratch: Scratch) -> Generator[list[Command], list[CommandResult], None]:
    """Read the files every resolution asks for, a round at a time, until all are resolved or failed."""
    texts: dict[tuple[str, str], str | None] = {}  # (oid, abs path) -> text
    wanted = {(j.oid, ctx.path(f)) for j in jobs for f in _candidates(j.files)} | {(j.oid, ctx.path(".env")) for j in jobs}
    pending = list(jobs)
    for _ in range(MAX_ROUNDS + 1):
        fetch = sorted(w for w in wanted if w not in texts)
        if fetch:
            results = yield [Command(("git", "show", f"{oid}:{ctx.rel(path)}"), cwd=ctx.root, ok_codes=(0,), env=scratch.env())
                             for oid, path in fetch]
            for key, res in zip(fetch, results):
                try:
                    texts[key] = file_text(res)
                except CollectorError:
                    texts[key] = None
        wanted = set()
        still = []
        for job in pending:
            try:
                job.model = _resolve(ctx, job, texts)
            except _NeedFile as need:
                wanted.add((job.oid, need.path))
                still.append(job)
            except DriftctlError as exc:
                job.error = exc.message.replace(ctx.root + "/", "")
        pending = still
        if not pending:
            return
    for job in pending:
        job.error = "too many nested env files"


def _candidates(files: tuple[str, ...]) -> list[str]:
    if files:
        return list(files)
    return [*COMPOSE_DEFAULT_FILES, *(n.replace(".y", ".override.y") for n in COMPOSE_DEFAULT_FILES)]


def _resolve(ctx: CollectContext, job: _Resolution, texts: dict[tuple[str, str], str | None]) -> dict:
    from driftctl.compose import load_project

    def read(path: str) -> str | None:
        key = (job.oid, posixpath.normpath(path))
        if key not in texts:
            raise _NeedFile(key[1])
        return texts[key]

    files = list(job.files)
    if not files:
        from driftctl.collectors.compose import pick_default_files

        files = pick_default_files({n: texts.get((job.oid, ctx.path(n))) for n in _candidates(())})
        if not files:
            return {"services": {}}
    return load_project([ctx.path(f) for f in files], project_dir=ctx.root, env_files=None, environ={}, read=read,
                        project_name="merge-risk")

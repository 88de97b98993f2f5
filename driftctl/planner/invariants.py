"""Invariants every plan of every option satisfies, checked before a plan is emitted.

A violation is a planner bug, not a warning: `check` raises `PlanInvariantError` and no plan is
written. The rules (README, "plan and apply"):

1. no placeholder (fingerprint, `(absent)`, `(unknown)`, `(n/a)`, `...`) in any line of any step;
2. everything only on a deployment is secured before any step changes it (the `requires` closure of
   a mutating step holds every securing step of every environment it changes);
3. nothing hides or discards work: no `git stash`, `reset --hard`, `clean`, forced checkout,
   `--remove-orphans`, and a checkout only after the work tree was recorded or proven clean;
4. every mutating step has preconditions, a rollback and a verification; `requires` name earlier steps;
5. container commands use the environment's engine route and exactly its compose files and project;
6. secret values never travel: only references to the host's own variables.
"""

from __future__ import annotations

import re
import shlex

from driftctl.planner.context import PlanContext
from driftctl.planner.graph import closure, securing
from driftctl.planner.model import Phase, Step


class PlanInvariantError(AssertionError):
    """The planner built a plan that breaks a safety rule: a bug to report, never a plan to apply."""


PLACEHOLDER = re.compile(
    r"fp:[0-9a-f]{8,}|fingerprint [0-9a-f]{8}\.\.|\((?:absent|unknown|n/a|empty|not declared|not checked|unset)\)"
    r"|(?<![.\w])\.\.\.(?![.\w/])|\{project\}"
)
FORBIDDEN = (
    (re.compile(r"\bgit\b[^|;&]*\bstash\b"), "git stash hides work"),
    (re.compile(r"\breset\b[^|;&]*--hard\b"), "reset --hard discards work"),
    (re.compile(r"\bgit\b[^|;&]*\bclean\b"), "git clean deletes untracked files"),
    (re.compile(r"\bcheckout\b[^|;&]*(?:\s-f\b|--force\b)"), "a forced checkout discards work"),
    (re.compile(r"--remove-orphans\b"), "--remove-orphans removes containers nobody captured"),
    (re.compile(r"\bworktree\s+remove\b[^|;&]*--force\b"), "a forced work-tree removal discards work"),
)
CLEAN_GUARD = "status --porcelain"
SECURED_TREE = "refs/driftctl/worktree/"


def lines(step: Step) -> list[tuple[str, str]]:
    return [(kind, line) for kind in ("commands", "rollback", "verify", "preconditions")
            for line in getattr(step, kind)]


def check(phases: list[Phase], ctx: PlanContext) -> None:
    steps = [s for p in phases for s in p.steps]
    problems: list[str] = []
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):
        problems.append("duplicate step ids")
    secure = securing(steps)
    for i, s in enumerate(steps):
        problems += [f"{s.id}: {p}" for p in _step_problems(s, ctx, set(ids[:i]))]
        if s.mutates and not s.secures:
            need = {x for env in s.changed for x in secure.get(env, [])}
            missing = need - closure(steps, s.id)
            if missing:
                problems.append(f"{s.id}: changes {', '.join(s.changed)} before {', '.join(sorted(missing))} secured it")
    if problems:
        raise PlanInvariantError("planner bug: the plan breaks its safety rules: " + "; ".join(problems))


def _step_problems(s: Step, ctx: PlanContext, earlier: set[str]) -> list[str]:
    out = []
    for kind, line in lines(s):
        if PLACEHOLDER.search(line):
            out.append(f"placeholder in {kind}: {PLACEHOLDER.search(line).group(0)!r}")  # type: ignore[union-attr]
        for pattern, why in FORBIDDEN:
            if pattern.search(line):
                out.append(f"{why} ({kind})")
    if s.mutates:
        if not s.rollback:
            out.append("mutating step without rollback")
        if not s.verify:
            out.append("mutating step without verification")
        if not s.preconditions:
            out.append("mutating step without preconditions")
    late = [r for r in s.requires if r not in earlier]
    if late:
        out.append(f"requires steps that do not come before it: {', '.join(late)}")
    if any(re.search(r"\bgit\b[^|;&]*\bcheckout\b", c) for c in s.commands):
        if not (any(CLEAN_GUARD in p for p in s.preconditions) or any(SECURED_TREE in c for c in s.commands)):
            out.append("checkout without a clean-tree precondition or a recorded work tree")
    out += _engine_problems(s, ctx)
    return out


def _engine_problems(s: Step, ctx: PlanContext) -> list[str]:
    """Docker lines on an environment use its engine route; compose lines its project and exact files."""
    env = s.environment
    if env not in ctx.targets or env not in ctx.environments:
        return []
    host = ctx.docker_host(env)
    files = ctx.compose_files(env)
    out = []
    for kind, line in lines(s):
        for part in re.split(r"&&|\|\||[|;]", line):
            try:
                argv = shlex.split(part)
            except ValueError:
                continue
            if "docker" not in argv or argv[:1] == ["command"]:
                continue
            at = argv.index("docker")
            if host and f"DOCKER_HOST={host}" not in argv[:at]:
                out.append(f"docker without {env}'s engine route ({kind})")
            if argv[at + 1:at + 2] == ["compose"]:
                out += _compose_problems(argv[at + 2:], env, ctx.project(env), files, kind)
    return out


def _compose_problems(args: list[str], env: str, project: str, files: list[str], kind: str) -> list[str]:
    given_project = args[args.index("-p") + 1] if "-p" in args[:-1] else None
    if given_project is None:
        return [f"docker compose without -p ({kind})"]
    if given_project != project:
        return []  # another project (a staging copy): not this environment's containers
    used = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-f"]
    if used[:len(files)] != files:
        return [f"docker compose with files {used} instead of {env}'s {files} ({kind})"]
    return []

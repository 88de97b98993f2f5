"""The three recovery options of the incident report, one function each.

- quick-fix: fix what is broken with the least change; deployments only get read-only steps, except
  an explicit, high-risk runtime repair of a service that is down, unhealthy or shadowed.
- comprehensive-sync: per-environment compose overrides (`${VAR:-default}` for service discovery),
  branches merged in a safe order on a separate work tree, a CI drift check, then a staged rollout.
- parallel: a standardized configuration built from exactly what production runs (its deployed
  commit, fetched by bundle, plus its rescued manual fixes), a staging environment, then one
  deployment at a time, each behind its own rollback point.
All three start with the same phase: rollback points, which secure every checkout before any step
may touch it. `requires` between steps are completed and checked by `driftctl.planner.graph`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from driftctl.planner import deploy as D
from driftctl.planner import steps as S
from driftctl.planner.context import PlanContext
from driftctl.planner.findings import ConfigDifference, config_differences, divergences, missing_modules
from driftctl.planner.model import Phase, Step


def _phase(n: int, title: str, goal: str, steps: Sequence[Step | None]) -> Phase | None:
    real = tuple(s for s in steps if s is not None)
    return Phase(n, title, goal, real) if real else None


def _number(phases: list[Phase | None]) -> list[Phase]:
    out: list[Phase] = []
    for p in phases:
        if p is not None:
            out.append(Phase(len(out) + 1, p.title, p.goal, p.steps))
    return out


def _remote(ctx: PlanContext) -> list[str]:
    return ctx.deployed()


def _dirty(ctx: PlanContext, env: str) -> bool:
    ch = ctx.uncommitted(env)
    return bool(ch["modified"] or ch["untracked"])


def _preserve(ctx: PlanContext) -> list[Step | None]:
    """Document remote state and put manual fixes under version control (read-only on the hosts)."""
    out: list[Step | None] = []
    for env in _remote(ctx):
        if _dirty(ctx, env):
            out += S.document_state(ctx, env)
            out.append(S.rescue_step(ctx, env))
    return out


def _runtime(ctx: PlanContext, deployed: Sequence[str] = ()) -> list[Step]:
    """Runtime repairs of the environments no rollout deploys (those are fitted around their rollout)."""
    out: list[Step] = []
    for env in ctx.checkouts():
        if ctx.has_docker(env) is not False and env not in deployed:
            out += D.runtime_steps(ctx, env)
    return out


class _Deploys:
    """Rollout steps with the runtime repairs of the environment each deploys fitted around it."""

    def __init__(self, ctx: PlanContext) -> None:
        self.ctx = ctx
        self.steps: list[Step | None] = []
        self.after: list[Step] = []
        self.envs: list[str] = []

    def add(self, env: str, rollout: Step) -> Step:
        """Append `rollout` (after the repairs that must precede it); returns it as fitted."""
        if self.ctx.has_docker(env) is not False:
            before, rollout, after = D.runtime_around_rollout(self.ctx, env, rollout)
            self.steps += before
            self.after += after
        self.steps.append(rollout)
        self.envs.append(env)
        return rollout

    def runtime(self) -> list[Step]:
        """The runtime phase: repairs due after the rollouts, then those of environments not deployed."""
        return self.runtime_except(())

    def runtime_except(self, also_deployed: Sequence[str]) -> list[Step]:
        return [*self.after, *_runtime(self.ctx, [*self.envs, *also_deployed])]


def _fix_broken_locally(ctx: PlanContext) -> list[Step | None]:
    out: list[Step | None] = []
    restored: dict[tuple[str, str], list[Step]] = {}
    for m in missing_modules(ctx):
        if not ctx.caps(m.environment).on_this_machine:
            continue  # remote hosts are never patched by hand here
        step = S.restore_module(ctx, m)
        if step:
            out.append(step)
            restored.setdefault((m.environment, m.service), []).append(step)
    for (env, service), done in restored.items():
        undo = [line for s in done for line in s.rollback]
        out.append(S.restart_service(ctx, env, service, sorted({a for s in done for a in s.addresses}), undo,
                                     requires=[s.id for s in done]))
    return out


RUNTIME_GOAL = "Start or restart exactly the services that are down, unhealthy or shadowed, each as its own reviewed step."


def quick_fix(ctx: PlanContext) -> list[Phase]:
    return _number([
        _phase(1, "Rollback points", "Secure every checkout: own commits fetched and tagged, compose/env files copied (encrypted), container state exported.", S.rollback_points(ctx)),
        _phase(2, "Document production state", "Capture what the hosts run, read-only, and commit their manual fixes to a local branch.", _preserve(ctx)),
        _phase(3, "Fix what is broken locally", "Restore missing modules from where they work; restart only local services.", _fix_broken_locally(ctx)),
        _phase(4, "Repair runtime (reviewed, high risk)", RUNTIME_GOAL, _runtime(ctx)),
    ])


def _merged_values(ctx: PlanContext) -> dict[str, object]:
    """Component -> value the hub's compose files will have after the planned merges."""
    out: dict[str, object] = {}
    for mr in ctx.merge_risk:
        for c in (mr.get("changes") or {}).get("into_ours") or []:
            out[c["component"]] = c.get("after")
    return out


def _risk_for(ctx: PlanContext, theirs_commit: str) -> dict | None:
    return next((m for m in ctx.merge_risk if m["theirs"]["commit"] == theirs_commit and not m.get("error")), None)


def _integration(ctx: PlanContext, purpose: str, branch: str, base: str, base_label: str, diffs: list[ConfigDifference],
                 envs: list[str], *, merge: bool, base_values: dict[str, object], base_requires: list[str]) -> tuple[str, list[Step | None]]:
    """A work tree on a new branch: merges (optional), the manual fixes, per-environment overrides, CI.

    `base_values` are the compose values at `base` after the merges: what the `${VAR:-default}` edit
    must find in the base file. Each step requires the one before it (one line of history).
    """
    wt = D.worktree_path(ctx, purpose)
    first = D.worktree_step(ctx, purpose, branch, base, base_label, requires=base_requires)
    out: list[Step | None] = [first]
    last = first.id
    n = 0

    def add(step: Step | None) -> None:
        nonlocal last
        if step is not None:
            out.append(step)
            last = step.id

    if merge:
        for d in divergences(ctx):
            n += 1
            label = f"{d.theirs_branch or d.theirs} ({d.theirs_head[:8]}, deployed on {d.theirs})"
            add(D.merge_step(ctx, wt, d.theirs, d.theirs_head, label, _risk_for(ctx, d.theirs_head), n,
                             requires=[last, f"tag-{d.theirs}"]))
    for env in _remote(ctx):
        if _dirty(ctx, env):
            n += 1
            label = f"{ctx.rescue_branch(env)} (manual fixes of {env})"
            add(D.merge_step(ctx, wt, env, ctx.rescue_branch(env), label, None, n, S.Risk(
                "medium", f"adds the files {env} runs outside version control; they were reviewed in phase 2's diff"),
                requires=[last, f"rescue-{env}"]))
    add(D.env_config_step(ctx, wt, diffs, envs, base_values, requires=[last]))
    if last == "env-config":
        add(D.commit_step(ctx, wt, f"commit-{purpose}", f"Environment-specific compose overrides (driftctl plan {ctx.stamp})",
                          sorted({d.component for d in diffs}), requires=[last]))
    add(D.ci_step(ctx, wt, requires=[last]))
    add(D.commit_step(ctx, wt, f"commit-ci-{purpose}", "CI: fail on configuration drift (driftctl check)", ["component.*"], requires=[last]))
    return wt, out


def _last_id(steps: list[Step | None]) -> str:
    return [s for s in steps if s is not None][-1].id


def _downgrade(ctx: PlanContext, env: str, contains: set[str]) -> str:
    """A warning when the branch to deploy would not contain what `env` runs now."""
    head = ctx.head(env)
    if not head or head in contains or not ctx.hub:
        return ""
    graph = ctx.graph(ctx.hub)
    for base in contains:
        if _ancestor(graph, head, base):
            return ""
    return f"DOWNGRADE: {env} runs {head[:8]}, which the deployed branch does not contain"


def _ancestor(graph: dict[str, list[str]], ancestor: str, descendant: str) -> bool:
    stack, seen = [descendant], set()
    while stack:
        c = stack.pop()
        if c == ancestor:
            return True
        if c not in seen:
            seen.add(c)
            stack.extend(graph.get(c, []))
    return False


def comprehensive_sync(ctx: PlanContext) -> list[Phase]:
    diffs = config_differences(ctx)
    envs = ctx.checkouts()
    branch = f"driftctl/sync-{ctx.stamp}"
    base = ctx.head(ctx.hub) if ctx.hub else None
    integrate: list[Step | None] = []
    rollout = _Deploys(ctx)
    if base and ctx.hub:
        wt, integrate = _integration(ctx, "sync", branch, base, f"{ctx.branch(ctx.hub) or ctx.hub} ({base[:8]})", diffs, envs, merge=True,
                                     base_values=_merged_values(ctx), base_requires=[f"tag-{ctx.hub}"])
        push = D.push_step(ctx, wt, branch, requires=[_last_id(integrate)])
        integrate.append(push)
        contains = {base, *(d.theirs_head for d in divergences(ctx))}
        comps = sorted({d.component for d in diffs}) or ["compose.*"]
        previous: list[str] = [push.id] if push else []
        for env in ([ctx.staging] if ctx.staging else []) + ctx.production if push else []:
            constrained = {e.environment for _, e in ctx.evidence("host.memory", {"usage"})}
            extra = "; memory is constrained there" if env in constrained else ""
            step = rollout.add(env, D.rollout_step(
                ctx, env, branch, [D.override_file(ctx, env)] if _has_override(ctx, env, diffs) else [],
                comps, risk_extra=extra, requires=previous, downgrade=_downgrade(ctx, env, contains)))
            previous = [step.id]
    return _number([
        _phase(1, "Rollback points", "Secure every checkout: own commits fetched and tagged, compose/env files copied (encrypted), container state exported.", S.rollback_points(ctx)),
        _phase(2, "Preserve manual fixes", "Commit what the hosts run outside version control, read-only on the hosts.", _preserve(ctx)),
        _phase(3, "Fix what is broken locally", "Restore missing modules so every environment runs the same code.", _fix_broken_locally(ctx)),
        _phase(4, "Integrate branches and environment-specific config", "Merge the deployed branches in a separate work tree, "
               "then pin each environment's values in its own override file and add the CI drift check.", integrate),
        _phase(5, "Roll out (staging first)", "Deploy the reviewed branch, staging before production, each with its rollback.", rollout.steps),
        _phase(6, "Repair runtime (reviewed, high risk)", RUNTIME_GOAL, rollout.runtime()),
    ])


def _has_override(ctx: PlanContext, env: str, diffs: list[ConfigDifference]) -> bool:
    return len(D.override_lines(ctx, env, diffs)) > 2


def parallel(ctx: PlanContext) -> list[Phase]:
    diffs = config_differences(ctx)
    prod = ctx.production[0] if ctx.production else None
    staging = ctx.staging or "staging"
    # staging mirrors production's values (or the hub's when there is no production)
    source_env = prod or ctx.hub
    diffs = [ConfigDifference(d.component, d.service, d.key, {**d.values, staging: d.values.get(source_env or "", next(iter(d.values.values())))},
                              d.severity, d.status, d.absent) for d in diffs]
    envs = list(dict.fromkeys([*ctx.checkouts(), staging]))
    branch = f"driftctl/standard-{ctx.stamp}"
    at_base = prod if prod and ctx.head(prod) else ctx.hub
    build: list[Step | None] = []
    stage = _Deploys(ctx)
    migrate = _Deploys(ctx)
    if at_base and ctx.hub and ctx.head(at_base):
        base_sha = ctx.head(at_base) or ""
        base = ctx.rollback_tag(at_base)  # exists once phase 1 ran: the deployed commit, fetched by bundle if needed
        label = f"{at_base}'s deployed commit ({base_sha[:8]})"
        wt, build = _integration(ctx, "standard", branch, base, label, diffs, envs, merge=False,
                                 base_values={d.component: d.values.get(at_base) for d in diffs if at_base in d.values},
                                 base_requires=[f"tag-{at_base}", f"tag-{ctx.hub}"])
        push = D.push_step(ctx, wt, branch, requires=[_last_id(build)]) if (ctx.staging or ctx.production) else None
        build.append(push)
        contains = {base_sha}
        if ctx.staging and push:
            stage.add(ctx.staging, D.rollout_step(
                ctx, ctx.staging, branch, [D.override_file(ctx, ctx.staging)] if _has_override(ctx, ctx.staging, diffs) else [],
                ["compose.*"], requires=[push.id], downgrade=_downgrade(ctx, ctx.staging, contains)))
        elif not ctx.staging and ctx.has_docker(ctx.hub) is not False:
            stage.steps.append(_local_staging(ctx, wt, diffs, requires=[_last_id(build)]))
        previous = [s.id for s in stage.steps[-1:] if s is not None]
        for i, env in enumerate(ctx.production if push else [], 1):
            step = migrate.add(env, D.rollout_step(
                ctx, env, branch, [D.override_file(ctx, env)] if _has_override(ctx, env, diffs) else [],
                sorted({d.component for d in diffs}) or ["compose.*"], id=f"migrate-{i}-{env}",
                requires=[push.id, *previous] if push else previous, downgrade=_downgrade(ctx, env, contains)))
            previous = [step.id]
    return _number([
        _phase(1, "Rollback points", "Secure every checkout: own commits fetched and tagged, compose/env files copied (encrypted), container state exported.", S.rollback_points(ctx)),
        _phase(2, "Preserve manual fixes", "Commit what the hosts run outside version control, read-only on the hosts.", _preserve(ctx)),
        _phase(3, "Standardized configuration", "A new branch from exactly what production runs (its deployed commit and its manual fixes), "
               "with per-environment overrides and the CI check.", build),
        _phase(4, "Staging environment", "Run the standardized branch beside the existing environments; production is untouched.", stage.steps),
        _phase(5, "Migrate one deployment at a time", "Each deployment behind its own rollback point, production last. "
               "Your own checkout is never switched: `git switch` to the branch when you are ready.", migrate.steps),
        _phase(6, "Repair runtime (reviewed, high risk)", RUNTIME_GOAL, [*stage.after, *migrate.runtime_except(stage.envs)]),
    ])


def _local_staging(ctx: PlanContext, wt: str, diffs: list[ConfigDifference], requires: list[str]) -> Step:
    hub = ctx.hub or "@here"
    project = ctx.project(hub) + "-staging"
    files = [*(ctx.compose_files(hub) or ["docker-compose.yml"])]
    if _has_override(ctx, "staging", diffs):
        files.append(D.override_file(ctx, "staging"))
    host = ctx.docker_host(hub)
    args = [*(["env", f"DOCKER_HOST={host}"] if host else []), "docker", "compose", "-p", project, *[a for f in files for a in ("-f", f)]]
    return S.make_step(
        ctx, "staging-up", f"Start a staging copy (compose project {project}) from {posixpath.basename(wt)}", hub,
        [f"cd {S.q(wt)} && {S.j([*args, 'up', '-d', '--build'])}"], mutates=True,
        risk=S.Risk("medium", "starts new containers on this machine; host ports may clash with the development stack"),
        addresses=["compose.*"], rollback=[f"cd {S.q(wt)} && {S.j([*args, 'down'])}"],
        verify=[f"cd {S.q(wt)} && {S.j([*args, 'ps', '--status', 'running'])}", S.check(["staging"], "compose.*")],
        preconditions=["command -v docker", f"! {S.j([*args, 'ps', '-q'])} | grep -q ."], requires=requires,
    )


OPTION_BUILDERS = {"quick-fix": quick_fix, "comprehensive-sync": comprehensive_sync, "parallel": parallel}

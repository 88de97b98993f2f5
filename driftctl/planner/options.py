"""The three recovery options of the incident report, one function each.

- quick-fix: fix what is broken with the least change; remote hosts only get read-only steps.
- comprehensive-sync: per-environment compose overrides (`${VAR:-default}` for service discovery),
  branches merged in a safe order on a separate work tree, a CI drift check, then a staged rollout.
- parallel: a standardized configuration built from what production runs, a staging environment,
  then one environment at a time, each behind its own rollback point.
All three start with the same phase: rollback points.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

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


def _preserve(ctx: PlanContext) -> list[Step | None]:
    """Document remote state and put manual fixes under version control (read-only on the hosts)."""
    out: list[Step | None] = []
    for env in _remote(ctx):
        ch = ctx.uncommitted(env)
        if ch["modified"] or ch["untracked"]:
            out += S.document_state(ctx, env)
            out.append(S.rescue_step(ctx, env))
    return out


def _fix_broken_locally(ctx: PlanContext) -> list[Step | None]:
    out: list[Step | None] = []
    restored: dict[tuple[str, str], list[str]] = {}
    undo: dict[tuple[str, str], list[str]] = {}
    for m in missing_modules(ctx):
        if ctx.kind(m.environment) != "local":
            continue  # remote hosts are never patched by hand here
        step = S.restore_module(ctx, m)
        if step:
            out.append(step)
            restored.setdefault((m.environment, m.service), []).append(m.component)
            undo.setdefault((m.environment, m.service), []).extend(step.rollback)
    for (env, service), comps in restored.items():
        out.append(S.restart_service(ctx, env, service, sorted(set(comps)), undo[(env, service)]))
    return out


def quick_fix(ctx: PlanContext) -> list[Phase]:
    return _number([
        _phase(1, "Rollback points", "Tag every deployed commit, copy compose/env files, export container state.", S.rollback_points(ctx)),
        _phase(2, "Document production state", "Capture what the hosts run, read-only, and commit their manual fixes to a local branch.", _preserve(ctx)),
        _phase(3, "Fix what is broken locally", "Restore missing modules from where they work; restart only local services.", _fix_broken_locally(ctx)),
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
                 envs: list[str], *, merge: bool, base_values: dict[str, object]) -> tuple[str, list[Step | None]]:
    """A work tree on a new branch: merges (optional), the manual fixes, per-environment overrides, CI.

    `base_values` are the compose values at `base` after the merges: what the `${VAR:-default}` edit
    must find in the base file.
    """
    wt = S.worktree_path(ctx, purpose)
    out: list[Step | None] = [S.worktree_step(ctx, purpose, branch, base, base_label)]
    n = 0
    if merge:
        for d in divergences(ctx):
            n += 1
            label = f"{d.theirs_branch or d.theirs} ({d.theirs_head[:8]}, deployed on {d.theirs})"
            out.append(S.merge_step(ctx, wt, d.theirs, d.theirs_head, label, _risk_for(ctx, d.theirs_head), n))
    for env in _remote(ctx):
        if ctx.uncommitted(env)["modified"] or ctx.uncommitted(env)["untracked"]:
            n += 1
            label = f"{ctx.rescue_branch(env)} (manual fixes of {env})"
            out.append(S.merge_step(ctx, wt, env, ctx.rescue_branch(env), label, None, n, S.Risk(
                "medium", f"adds the files {env} runs outside version control; they were reviewed in phase 2's diff")))
    out.append(S.env_config_step(ctx, wt, diffs, envs, base_values))
    out.append(S.commit_step(ctx, wt, f"commit-{purpose}", f"Environment-specific compose overrides (driftctl plan {ctx.stamp})",
                             sorted({d.component for d in diffs})))
    out.append(S.ci_step(ctx, wt))
    out.append(S.commit_step(ctx, wt, f"commit-ci-{purpose}", "CI: fail on configuration drift (driftctl check)", ["component.*"]))
    return wt, out


def comprehensive_sync(ctx: PlanContext) -> list[Phase]:
    diffs = config_differences(ctx)
    envs = ctx.checkouts()
    branch = f"driftctl/sync-{ctx.stamp}"
    base = ctx.head(ctx.hub) if ctx.hub else None
    integrate: list[Step | None] = []
    rollout: list[Step | None] = []
    if base:
        wt, integrate = _integration(ctx, "sync", branch, base, f"{ctx.branch(ctx.hub or '') or ctx.hub} ({base[:8]})", diffs, envs, merge=True,
                                     base_values=_merged_values(ctx))
        integrate.append(S.push_step(ctx, wt, branch))
        order = ([ctx.staging] if ctx.staging else []) + ctx.production
        comps = sorted({d.component for d in diffs}) or ["compose.*"]
        for env in order:
            files = _deploy_files(ctx, env)
            constrained = {e.environment for _, e in ctx.evidence("host.memory", {"usage"})}
            extra = "; memory is constrained there" if env in constrained else ""
            rollout.append(S.rollout_step(ctx, env, branch, files, comps, risk_extra=extra))
    return _number([
        _phase(1, "Rollback points", "Tag every deployed commit, copy compose/env files, export container state.", S.rollback_points(ctx)),
        _phase(2, "Preserve manual fixes", "Commit what the hosts run outside version control, read-only on the hosts.", _preserve(ctx)),
        _phase(3, "Fix what is broken locally", "Restore missing modules so every environment runs the same code.", _fix_broken_locally(ctx)),
        _phase(4, "Integrate branches and environment-specific config", "Merge the deployed branches in a separate work tree, "
               "then pin each environment's values in its own override file and add the CI drift check.", integrate),
        _phase(5, "Roll out (staging first)", "Deploy the reviewed branch, staging before production, each with its rollback.", rollout),
    ])


def _deploy_files(ctx: PlanContext, env: str) -> list[str]:
    """The environment's own compose files plus its new override (which wins, being last)."""
    t = ctx.targets.get(env)
    hub_files = ctx.targets[ctx.hub].compose_files if ctx.hub else ()
    own = (t.compose_files if t else ()) or hub_files[:1] or ("docker-compose.yml",)
    return list(dict.fromkeys([*own, S.override_file(ctx, env)]))


def parallel(ctx: PlanContext) -> list[Phase]:
    diffs = config_differences(ctx)
    prod = ctx.production[0] if ctx.production else None
    staging = ctx.staging or "staging"
    # staging mirrors production's values (or the hub's when there is no production)
    source_env = prod or ctx.hub
    diffs = [ConfigDifference(d.component, d.service, d.key, {**d.values, staging: d.values.get(source_env or "", next(iter(d.values.values())))},
                              d.severity, d.status) for d in diffs]
    envs = list(dict.fromkeys([*ctx.checkouts(), staging]))
    branch = f"driftctl/standard-{ctx.stamp}"
    prod_head = ctx.head(prod) if prod else None
    base = prod_head if ctx.hub_has(prod_head) else (ctx.head(ctx.hub) if ctx.hub else None)
    build: list[Step | None] = []
    stage: list[Step | None] = []
    migrate: list[Step | None] = []
    if base and ctx.hub:
        label = f"{prod}'s deployed commit ({base[:8]})" if base == prod_head else f"{ctx.hub} ({base[:8]})"
        at_base = prod if base == prod_head else ctx.hub
        wt, build = _integration(ctx, "standard", branch, base, label, diffs, envs, merge=False,
                                 base_values={d.component: d.values.get(at_base or "") for d in diffs if at_base in d.values})
        base_file = (ctx.targets[ctx.hub].compose_files or ("docker-compose.yml",))[0]
        if ctx.staging:
            stage.append(S.rollout_step(ctx, ctx.staging, branch, _deploy_files(ctx, ctx.staging), ["compose.*"]))
        else:
            stage.append(_local_staging(ctx, wt, base_file))
        order = [e for e in [ctx.hub, *ctx.production] if e]
        for i, env in enumerate(order, 1):
            migrate.append(S.make_step(
                ctx, f"point-{i}-{env}", f"Rollback point before migrating {env}: tag {(ctx.head(env) or '')[:8]}", ctx.hub,
                [S.j(["git", "tag", "-f", f"driftctl/migrate-{i}-{env}-{ctx.stamp}", ctx.head(env) or "HEAD"])], mutates=True,
                risk=S.Risk("low", "only adds a tag"), addresses=["git.head"],
                rollback=[S.j(["git", "tag", "-d", f"driftctl/migrate-{i}-{env}-{ctx.stamp}"])],
                verify=[S.j(["git", "rev-parse", "--verify", f"refs/tags/driftctl/migrate-{i}-{env}-{ctx.stamp}"])],
            ))
            migrate.append(S.rollout_step(ctx, env, branch, _deploy_files(ctx, env),
                                          sorted({d.component for d in diffs}) or ["compose.*"], fetch=env != ctx.hub,
                                          id=f"migrate-{i}-{env}"))
        if ctx.staging or ctx.production:
            build.append(S.push_step(ctx, wt, branch))  # remote hosts fetch the branch from origin
    return _number([
        _phase(1, "Rollback points", "Tag every deployed commit, copy compose/env files, export container state.", S.rollback_points(ctx)),
        _phase(2, "Preserve manual fixes", "Commit what the hosts run outside version control, read-only on the hosts.", _preserve(ctx)),
        _phase(3, "Standardized configuration", "A new branch from what production runs, with its manual fixes, per-environment overrides and the CI check.", build),
        _phase(4, "Staging environment", "Run the standardized branch beside the existing environments; production is untouched.", stage),
        _phase(5, "Migrate one environment at a time", "Each environment behind its own rollback point: development first, production last.", migrate),
    ])


def _local_staging(ctx: PlanContext, wt: str, base_file: str) -> Step:
    project = (ctx.compose(ctx.hub or "").get("project") or "app") + "-staging"
    args = ["docker", "compose", "-p", project, "-f", base_file, "-f", S.override_file(ctx, "staging")]
    return S.make_step(
        ctx, "staging-up", f"Start a staging copy (compose project {project}) from {posixpath.basename(wt)}", ctx.hub or "@here",
        [f"cd {S.q(wt)} && {S.j([*args, 'up', '-d', '--build'])}"], mutates=True,
        risk=S.Risk("medium", "starts new containers on this machine; host ports may clash with the development stack"),
        addresses=["compose.*"], rollback=[f"cd {S.q(wt)} && {S.j([*args, 'down', '--remove-orphans'])}"],
        verify=[f"cd {S.q(wt)} && {S.j([*args, 'ps', '--status', 'running'])}", S.check(["staging"], "compose.*")],
        preconditions=["command -v docker"],
    )


OPTION_BUILDERS = {"quick-fix": quick_fix, "comprehensive-sync": comprehensive_sync, "parallel": parallel}

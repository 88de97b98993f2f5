"""Deployment step builders: work tree, merges, compose overrides, CI check, push, rollout and runtime
repair. Every rollback restores the exact prior state, and nothing hides or discards work: no stash,
no hard reset, no clean, no checkout over an unsecured dirty tree, no --remove-orphans.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from driftctl.planner.context import PlanContext
from driftctl.planner.findings import ConfigDifference
from driftctl.planner.model import HERE, Risk, Step
from driftctl.planner.steps import check, clean_tree, compose, docker, j, make_step, q
from driftctl.secrets import is_fingerprint


def worktree_path(ctx: PlanContext, purpose: str) -> str:
    root = ctx.targets[ctx.hub].root if ctx.hub else "."
    return posixpath.join(posixpath.dirname(root.rstrip("/")), f"{posixpath.basename(root.rstrip('/'))}-driftctl-{purpose}-{ctx.stamp}")


def worktree_step(ctx: PlanContext, purpose: str, branch: str, base: str, base_label: str, requires: Sequence[str] = ()) -> Step:
    wt = worktree_path(ctx, purpose)
    return make_step(
        ctx, f"worktree-{purpose}", f"Create work tree {posixpath.basename(wt)} on new branch {branch} from {base_label}",
        ctx.hub or HERE, [j(["git", "worktree", "add", "-b", branch, wt, base])], mutates=True,
        risk=Risk("low", "a separate work tree: the existing checkout, its index and its files are untouched"),
        addresses=["git.branch"], rollback=[j(["git", "worktree", "remove", wt]), j(["git", "worktree", "prune"]), j(["git", "branch", "-D", branch])],
        verify=[f"test \"$(git -C {q(wt)} rev-parse --abbrev-ref HEAD)\" = {q(branch)}"],
        preconditions=[f"test ! -e {q(wt)}", f"! git rev-parse -q --verify {q('refs/heads/' + branch)}",
                       j(["git", "cat-file", "-e", f"{base}^{{commit}}"])],
        requires=list(requires),
    )


def merge_step(ctx: PlanContext, wt: str, theirs: str, ref: str, label: str, risk_data: dict | None, n: int,
               risk: Risk | None = None, requires: Sequence[str] = ()) -> Step:
    """Merge `ref` into the work tree's branch, after tagging the branch as this step's rollback point."""
    point = f"driftctl/before-merge-{n}-{ctx.stamp}"
    conflicts = (risk_data or {}).get("conflicts") or []
    changes = ((risk_data or {}).get("changes") or {}).get("into_ours") or []
    if risk is not None:
        pass
    elif risk_data is None:
        risk = Risk("medium", "merge result not computed (see warnings); review the diff before continuing")
    elif conflicts:
        risk = Risk("high", f"git merge-tree predicts conflicts in {', '.join(conflicts)}")
    elif changes:
        risk = Risk("medium", "the merge changes resolved compose settings: " + "; ".join(
            f"{c['component']}: {c.get('before')} -> {c.get('after')}" for c in changes[:4]))
    else:
        risk = Risk("low", "git merge-tree predicts a clean merge with no compose setting changed")
    return make_step(
        ctx, f"merge-{n}-{theirs}", f"Merge {label} into {posixpath.basename(wt)}", ctx.hub or HERE,
        [j(["git", "-C", wt, "tag", point, "HEAD"]),
         j(["git", "-C", wt, "merge", "--no-ff", "--no-edit", "-m", f"Merge {label} (driftctl plan {ctx.stamp})", ref])],
        mutates=True, risk=risk, addresses=["git.branch", "git.relation", *[c["component"] for c in changes]],
        # --keep refuses rather than discard anything the work tree holds beyond the merge itself
        rollback=[f"git -C {q(wt)} merge --abort 2>/dev/null || true", j(["git", "-C", wt, "reset", "--keep", point]),
                  j(["git", "-C", wt, "tag", "-d", point])],
        verify=[f"test -z \"$(git -C {q(wt)} diff --name-only --diff-filter=U)\"", j(["git", "-C", wt, "merge-base", "--is-ancestor", ref, "HEAD"])],
        preconditions=[j(["git", "-C", wt, "cat-file", "-e", f"{ref}^{{commit}}"]), f"test -z \"$(git -C {q(wt)} status --porcelain)\""],
        requires=list(requires),
    )


def _yaml_scalar(value: object) -> str:
    """JSON is valid YAML; `$` doubled so Compose does not interpolate the literal value."""
    return json.dumps(value).replace("$", "$$")


def _reference(var: str, env: str) -> str:
    """A secret is never written: the override refers to the host's own variable (its .env or shell)."""
    return json.dumps(f"${{{var}:?{var} must be set in {env}'s own env file}}")


_FINGERPRINT_INSIDE = re.compile(r"fp:[0-9a-f]{16}")


def writable(value: object) -> bool:
    """A value that may be written into a file: no fingerprint in it (whole, or inside a URL or a
    list: a secret was there), not a display marker."""
    if value is None or is_fingerprint(value):
        return False
    return not _FINGERPRINT_INSIDE.search(json.dumps(value, default=str))


def override_lines(ctx: PlanContext, env: str, diffs: list[ConfigDifference]) -> list[str]:
    lines = [f"# {env}: values pinned by driftctl plan {ctx.stamp} (from the environment's running config)", "services:"]
    by_service: dict[str, list[ConfigDifference]] = {}
    for d in diffs:
        if env in d.values:
            by_service.setdefault(d.service, []).append(d)
    for service, items in sorted(by_service.items()):
        body: list[str] = []
        for d in items:
            if d.key == "command" and writable(d.values[env]):
                body.append(f"    command: {_yaml_scalar(d.values[env])}")
        env_lines = [f"      {d.variable}: {_yaml_scalar(d.values[env]) if writable(d.values[env]) else _reference(d.variable, env)}"
                     for d in items if d.variable]
        if env_lines:
            body += ["    environment:", *env_lines]
        if body:
            lines += [f"  {service}:", *body]
    return lines


def override_file(ctx: PlanContext, env: str) -> str:
    """`docker-compose.<env>.yml`, unless some environment already has that file: then a `.sync` sibling
    (a merge may bring the existing file into the work tree, and it must not be overwritten)."""
    name = f"docker-compose.{env}.yml"
    exists = any(ctx.file_state(e, name) for e in ctx.environments) or any(name in t.compose_files for t in ctx.targets.values())
    return f"docker-compose.{env}.sync.yml" if exists else name


def _sed_pattern(text: str) -> str:
    """A literal for a sed BRE with `|` as delimiter."""
    return re.sub(r"([\\|.*\[\]^$])", r"\\\1", text)


def _ere_literal(text: str) -> str:
    """A literal for a POSIX ERE (grep -E): only the operators escaped, as GNU grep warns on others."""
    return re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", text)


def _sed_replacement(text: str) -> str:
    return re.sub(r"([\\|&])", r"\\\1", text)


def template_command(var: str, default: str, path: str) -> list[str]:
    """`sed -i` that turns the value of `var` in a compose file's environment into `${var:-default}`,
    in the list form (`- VAR=value`) and the mapping form (`VAR: value`), quoted or not.

    Each expression is anchored at the start of its line (indentation, then `- ` for the list form), so
    neither can match inside the other's output: unanchored, the mapping form matched the `VAR:-...`
    that the list form had just written and nested a second template into it, a file Compose rejects.
    A value the patterns do not recognise (spaces, a trailing comment) is left as it is, and the
    step's verify (the template present) fails instead of writing something else.
    """
    pv, value, quote, sp = _sed_pattern(var), "[^\"' ]*", "[\"']\\?", "[[:space:]]*"
    templ = _sed_replacement(f"${{{var}:-{default}}}")
    return ["sed", "-i",
            "-e", f"s|^\\({sp}-{sp}{quote}{pv}=\\){value}\\({quote}\\){sp}$|\\1{templ}\\2|",  # - VAR=value
            "-e", f"s|^\\({sp}{quote}{pv}{quote}:{sp}{quote}\\){value}\\({quote}\\){sp}$|\\1{templ}\\2|",  # VAR: value
            path]


def template_verify(var: str, default: str, path: str) -> list[str]:
    """A check that some line of the file is exactly `var` set to `${var:-default}` (either form): a
    template nested in another, or written into the wrong line, does not pass as the substring would."""
    q = "[\"']?"
    line = (f"^[[:space:]]*(-[[:space:]]*)?{q}{_ere_literal(var)}{q}(=|:[[:space:]]*){q}"
            f"{_ere_literal(f'${{{var}:-{default}}}')}{q}[[:space:]]*$")
    return ["grep", "-Eq", "--", line, path]


def env_config_step(ctx: PlanContext, wt: str, diffs: list[ConfigDifference], envs: list[str], merged: dict[str, object],
                    requires: Sequence[str] = ()) -> Step | None:
    """Per-environment overrides and `${VAR:-default}` in the base file (the seed's service discovery fix).
    Secret values are never written: overrides refer to each host's own variable instead."""
    if not diffs or not ctx.hub:
        return None
    commands: list[str] = []
    verify: list[str] = []
    notes: list[str] = []
    base = (ctx.compose_files(ctx.hub) or ["docker-compose.yml"])[0]
    base_path = posixpath.join(wt, base)
    for d in diffs:
        if not d.variable or ctx.hub not in d.values:
            continue
        default, current = d.values[ctx.hub], merged.get(d.component, d.values[ctx.hub])  # current: for the secret test only
        if not (writable(default) and writable(current)) or isinstance(default, (list, dict)):
            notes.append(f"{d.variable}: a secret (or structured) value is not templated into {base}; each host keeps its own")
            continue
        # whatever value the base file holds after the merges (known or not), it becomes the template
        commands.append(j(template_command(d.variable, str(default), base_path)))
        verify.append(j(template_verify(d.variable, str(default), base_path)))
    files = []
    for env in envs:
        lines = override_lines(ctx, env, diffs)
        if len(lines) <= 2:
            continue
        name = override_file(ctx, env)
        files.append(name)
        commands.append(j(["printf", "%s\\n", *lines]) + f" > {q(posixpath.join(wt, name))}")
        verify.append(j(["test", "-s", posixpath.join(wt, name)]))
        secret = [d.variable or d.key for d in diffs if env in d.values and not writable(d.values[env])]
        if secret:
            notes.append(f"{env}: {', '.join(secret)} refer to {env}'s own env file (values never leave the host)")
    if not commands:
        return None
    components = sorted({d.component for d in diffs})
    return make_step(
        ctx, "env-config", f"Environment-specific compose config: {', '.join(files)} and ${{VAR:-default}} in {base}",
        ctx.hub, commands, mutates=True,
        risk=Risk("medium", "changes compose files on an unmerged branch; each environment keeps its current values via its override"),
        addresses=components + ["component.service_discovery"],
        rollback=[j(["git", "-C", wt, "restore", "--source=HEAD", "--staged", "--worktree", "--", base]),
                  *[j(["rm", "-f", "--", posixpath.join(wt, f)]) for f in files]],
        verify=verify, preconditions=[j(["test", "-f", base_path]), f"test -z \"$(git -C {q(wt)} status --porcelain)\""],
        requires=list(requires), notes=[*notes, f"each environment deploys with its own files plus {', '.join(files) or 'no override'}"],
    )


def commit_step(ctx: PlanContext, wt: str, id: str, message: str, addresses: Sequence[str], requires: Sequence[str] = ()) -> Step:
    before = f"refs/driftctl/before-{id}-{ctx.stamp}"
    return make_step(
        ctx, id, f"Commit: {message}", ctx.hub or HERE,
        [j(["git", "-C", wt, "update-ref", before, "HEAD"]), j(["git", "-C", wt, "add", "-A"]), j(["git", "-C", wt, "commit", "-q", "-m", message])],
        mutates=True, risk=Risk("low", "a commit on the unmerged work-tree branch"), addresses=list(addresses),
        rollback=[j(["git", "-C", wt, "reset", "--soft", before]), j(["git", "-C", wt, "reset", "-q"]), j(["git", "-C", wt, "update-ref", "-d", before])],
        verify=[f"test -z \"$(git -C {q(wt)} status --porcelain)\""], preconditions=[f"test -n \"$(git -C {q(wt)} status --porcelain)\""],
        requires=list(requires),
    )


CI_WORKFLOW = [
    "name: driftctl",
    "on:",
    "  pull_request:",
    "  schedule:",
    "    - cron: '17 6 * * *'",
    "jobs:",
    "  drift:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - uses: actions/checkout@v4",
    "      - uses: actions/setup-python@v5",
    "        with:",
    "          python-version: '3.11'",
    "      - run: pip install driftctl",
    "      - run: driftctl check --config environments.yaml",
]


def ci_step(ctx: PlanContext, wt: str, requires: Sequence[str] = ()) -> Step:
    path = posixpath.join(wt, ".github/workflows/driftctl.yml")
    return make_step(
        ctx, "ci-check", "Add a CI job that fails on configuration drift (driftctl check)", ctx.hub or HERE,
        [j(["mkdir", "-p", posixpath.dirname(path)]), j(["printf", "%s\\n", *CI_WORKFLOW]) + f" > {q(path)}"],
        mutates=True, risk=Risk("low", "adds one workflow file on the unmerged branch"), addresses=["component.*", "compose.*"],
        rollback=[j(["rm", "-f", "--", path])], verify=[j(["grep", "-q", "driftctl check", path])],
        preconditions=[f"test ! -e {q(path)}"], requires=list(requires),
    )


def push_step(ctx: PlanContext, wt: str, branch: str, requires: Sequence[str] = (), secret_files: Sequence[str] = ()) -> Step | None:
    """Publish the branch for review. Refused by its precondition if a file on it looks like it holds a credential."""
    remotes = ctx.remotes(ctx.hub) if ctx.hub else {}
    if "origin" not in remotes:
        return None
    guard = [j(["driftctl", "scan-secrets", "--repo", wt, "--rev", "HEAD", "--quiet"])]
    return make_step(
        ctx, "push-branch", f"Push {branch} to origin for review (main is not changed)", ctx.hub or HERE,
        [j(["git", "-C", wt, "push", "origin", f"{branch}:{branch}"])], mutates=True,
        risk=Risk("medium", f"publishes a new branch on {remotes['origin']}; no existing branch moves"),
        addresses=["git.relation"], rollback=[j(["git", "-C", wt, "push", "origin", "--delete", branch])],
        verify=[j(["git", "-C", wt, "ls-remote", "--exit-code", "origin", f"refs/heads/{branch}"])],
        preconditions=[*guard, f"! git -C {q(wt)} ls-remote --exit-code origin {q('refs/heads/' + branch)}"],
        requires=list(requires),
        notes=[f"never pushed while a file on the branch looks like a credential: {', '.join(secret_files)}"] if secret_files else [],
    )


def worktree_state_ref(ctx: PlanContext, env: str) -> str:
    return f"refs/driftctl/worktree/{env}-{ctx.stamp}"


def _secure_worktree(ref: str) -> str:
    """Record the whole work tree (modified, deleted, untracked; not ignored) as a commit under `ref`
    through a temporary index: HEAD, the real index and every file stay exactly as they are."""
    idx = '"$(git rev-parse --git-dir)/driftctl-index"'
    return (f"GIT_INDEX_FILE={idx} git read-tree HEAD && GIT_INDEX_FILE={idx} git add -A && "
            f"t=$(GIT_INDEX_FILE={idx} git write-tree) && rm -f {idx} && "
            f"git update-ref {q(ref)} \"$(git commit-tree \"$t\" -p HEAD -m 'driftctl: work tree before rollout')\"")


def rollout_step(ctx: PlanContext, env: str, branch: str, extra_files: Sequence[str], addresses: Sequence[str],
                 *, risk_extra: str = "", id: str | None = None, requires: Sequence[str] = (), downgrade: str = "") -> Step:
    """Deploy `branch` (fetched from origin) on an environment, losslessly.

    The work tree is first recorded as a commit under refs/driftctl/worktree/... (nothing visible
    changes); uncommitted files are staged so git itself refuses the checkout unless the new
    branch holds exactly their content (they were rescued and merged). The rollback re-attaches the
    old branch, restores the recorded work tree and starts the old configuration again.
    """
    old = ctx.head(env) or "HEAD"
    old_branch = ctx.branch(env)
    deploy_ref = f"refs/driftctl/rollout/{env}-{ctx.stamp}"
    state = worktree_state_ref(ctx, env)
    dirty = ctx.uncommitted(env)["modified"] + ctx.uncommitted(env)["untracked"]
    index_ref = f"refs/driftctl/index/{env}-{ctx.stamp}"
    fetch = j(["git", "fetch", "--no-tags", "--quiet", "--refmap=", "origin", f"+refs/heads/{branch}:{deploy_ref}"])
    # the index too (a staged rename, say): recorded as a tree, restored by `read-tree` on rollback
    commands = [fetch, _secure_worktree(state), f"git update-ref {q(index_ref)} \"$(git write-tree)\""]
    if dirty:
        commands.append(j(["git", "add", "-A", "--", "."]))
    docker_there = ctx.has_docker(env) is not False
    commands += [j(["git", "checkout", "--detach", deploy_ref])]
    if docker_there:
        commands.append(compose(ctx, env, "up", "-d", extra_files=extra_files))
    attach = j(["git", "checkout", old_branch]) if old_branch and old_branch != "HEAD" else j(["git", "checkout", "--detach", old])
    level: Literal["high", "medium"] = "high" if env in ctx.production or downgrade else "medium"
    reason = f"restarts {env}'s containers on new code and config{risk_extra}" + (f"; {downgrade}" if downgrade else "")
    guard = f"test \"$(git rev-parse HEAD)\" = {q(old)}"
    return make_step(
        ctx, id or f"rollout-{env}", f"Deploy {branch} on {env}", env, commands,
        mutates=True, risk=Risk(level, reason), addresses=list(addresses),
        rollback=[f"git rev-parse -q --verify {q(state)} >/dev/null", j(["git", "reset", "-q"]), attach,
                  j(["git", "restore", f"--source={state}", "--worktree", "--", "."]), j(["git", "read-tree", index_ref]),
                  *([compose(ctx, env, "up", "-d")] if docker_there else []), j(["git", "update-ref", "-d", deploy_ref]),
                  j(["git", "update-ref", "-d", state]), j(["git", "update-ref", "-d", index_ref])],
        verify=[*([compose(ctx, env, "ps", "--status", "running", extra_files=extra_files)] if docker_there else []),
                f"test \"$(git rev-parse HEAD)\" = \"$(git rev-parse {q(deploy_ref)})\"", check([env], *addresses)],
        preconditions=[*(["command -v docker"] if docker_there else []), guard, *([] if dirty else [clean_tree()]),
                       f"! git rev-parse -q --verify {q(state)}"],
        requires=list(requires),
        notes=[f"{env}'s work tree is recorded under {state} before the checkout; rescued files are in {ctx.rescue_branch(env)}"
               if dirty else f"{env}'s work tree was clean when planned",
               *([] if docker_there else [f"no Docker engine answered on {env}: restart its services by hand after the checkout"])],
    )


BAD = frozenset({"exited", "dead", "restarting", "created"})


def runtime_steps(ctx: PlanContext, env: str, requires: Sequence[str] = ()) -> list[Step]:
    """One high-risk step per exited/unhealthy service or hand-run container shadowing a service:
    `docker compose -p <project> -f <the env's files> up -d --no-deps <service>`, after the
    container configuration was captured (inspect-containers-<env>)."""
    return [_runtime_step(ctx, env, svc, component, shadow, state, requires)
            for svc, component, shadow, state in _runtime_issues(ctx, env)]


def runtime_around_rollout(ctx: PlanContext, env: str, rollout: Step) -> tuple[list[Step], Step, list[Step]]:
    """The runtime repairs of an environment that `rollout` deploys, fitted around it: (steps before
    the rollout, the rollout, steps after it).

    The rollout's `compose up -d` starts every declared service, so a service that is down needs no
    step of its own: the rollout addresses it and verifies it runs (a separate "start it" step after
    the rollout would find it running and fail its precondition). A hand-run container that holds a
    service's place must be moved aside before the rollout, or `up` meets its name or ports; an
    unhealthy service is restarted after the rollout, on the new code.
    """
    before: list[Step] = []
    after: list[Step] = []
    for svc, component, shadow, state in _runtime_issues(ctx, env):
        if shadow:
            before.append(_runtime_step(ctx, env, svc, component, shadow, state, ()))
        elif state.get("health") == "unhealthy" and state.get("state") == "running":
            after.append(_runtime_step(ctx, env, svc, component, None, state, (rollout.id,)))
        else:
            running = f"{compose(ctx, env, 'ps', '--services', '--status', 'running')} | grep -qx {q(svc)}"
            rollout = replace(
                rollout, addresses=(*rollout.addresses, component), verify=(*rollout.verify, running),
                notes=(*rollout.notes, f"{svc} is not running on {env} ({state.get('state') or 'stopped'}): "
                                       "the rollout's `up -d` starts it as declared, and its verify checks it runs"))
    if before:
        rollout = replace(rollout, requires=(*rollout.requires, *(s.id for s in before)))
    return before, rollout, after


def _runtime_issues(ctx: PlanContext, env: str) -> list[tuple[str, str, str | None, dict]]:
    """(service, component, hand-run container or None, container state) of each service to repair."""
    services = set(ctx.services(env))
    out: list[tuple[str, str, str | None, dict]] = []
    seen: set[str] = set()
    for row, ev in ctx.evidence("containers.", {"container", "not-running", "undeclared-container", "outside-compose"},
                                unsettled=True):
        if ev.environment != env:
            continue
        svc = ev.service or _shadowed(ev.container or "", services)
        if not svc or svc in seen or svc not in services:
            continue
        seen.add(svc)
        state = ev.value if isinstance(ev.value, dict) else {}
        shadow = ev.container if ev.kind in ("undeclared-container", "outside-compose") else None
        out.append((svc, row["component"], shadow, state))
    return out


def _shadowed(container: str, services: set[str]) -> str | None:
    """The service a hand-run container stands in for (its name contains the service's)."""
    hits = sorted((s for s in services if s and s in container), key=len, reverse=True)
    return hits[0] if hits else None


def _runtime_step(ctx: PlanContext, env: str, svc: str, component: str, shadow: str | None, state: dict,
                  requires: Sequence[str]) -> Step:
    up = compose(ctx, env, "up", "-d", "--no-deps", svc)
    running = docker(ctx, env, "inspect", "-f", "{{.State.Running}}")
    if shadow:
        # The hand-run container may hold the very name Compose gives the service's container: it is
        # renamed (kept, never removed) so that `up` can create the declared one.
        kept = f"{shadow}-outside-compose"
        commands = [docker(ctx, env, "stop", shadow), docker(ctx, env, "rename", shadow, kept), up]
        rollback = [compose(ctx, env, "stop", svc), compose(ctx, env, "rm", "-f", svc),
                    docker(ctx, env, "rename", kept, shadow), docker(ctx, env, "start", shadow)]
        pre = [f"test \"$({running} {q(shadow)})\" = true", f"! {docker(ctx, env, 'inspect', kept)} >/dev/null 2>&1"]
        what = (f"hand-run container {shadow} stands in for {svc}: stop it, keep it as {kept} (not removed) "
                f"and start {svc} as declared")
    elif state.get("health") == "unhealthy" and state.get("state") == "running":
        commands = [compose(ctx, env, "restart", svc)]
        rollback = [compose(ctx, env, "restart", svc)]
        pre = [f"{compose(ctx, env, 'ps', '--services', '--status', 'running')} | grep -qx {q(svc)}"]
        what = f"{svc} is unhealthy: restart its container in place (same container, same configuration)"
    else:
        commands = [up]
        rollback = [compose(ctx, env, "stop", svc)]
        pre = [f"! {compose(ctx, env, 'ps', '--services', '--status', 'running')} | grep -qx {q(svc)}"]
        what = f"{svc} is not running ({state.get('state') or 'stopped'}): start it as declared"
    return make_step(
        ctx, f"runtime-{env}-{svc}", f"Repair {svc} on {env}: {what}", env, commands, mutates=True,
        risk=Risk("high", f"changes what runs on {env}; reviewed on its own; the configuration was captured by inspect-containers-{env}"),
        addresses=[component], rollback=rollback,
        verify=[f"{compose(ctx, env, 'ps', '--services', '--status', 'running')} | grep -qx {q(svc)}"],
        preconditions=["command -v docker", *pre], requires=list(requires),
    )

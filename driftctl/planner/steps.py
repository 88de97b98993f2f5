"""Step builders shared by the options: rollback points, rescue, restore a file, worktree, merge,
compose overrides, CI check, rollout. Each returns complete steps (commands, rollback, verify).

Every shell line is built with shlex from argument lists, so values from configs and snapshots
(paths, URLs, branch names) are always quoted.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from driftctl.planner.context import PlanContext
from driftctl.planner.findings import ConfigDifference, MissingModule
from driftctl.planner.model import HERE, Risk, Step

q = shlex.quote
j = shlex.join


def make_step(ctx: PlanContext, id: str, title: str, env: str, commands: Sequence[str], *, mutates: bool,
              risk: Risk, capture: str | None = None, **kw: Any) -> Step:
    target = ctx.targets.get(env)
    display = tuple(target.display(c, capture) for c in commands) if target else tuple(commands)
    undo = tuple(target.display(c) for c in kw.get("rollback", ())) if target else ()
    extra: dict[str, Any] = {k: tuple(v) if isinstance(v, (list, tuple)) else v for k, v in kw.items()}
    return Step(id=id, title=title, environment=env, commands=tuple(commands), display=display, rollback_display=undo, mutates=mutates,
                risk=risk, capture=capture, **extra)


def check(envs: Iterable[str], *components: str) -> str:
    """The `driftctl check` line that verifies the given rows (IN_SYNC or EXPECTED) between environments."""
    argv = ["driftctl", "check", *envs]
    for c in components:
        argv += ["--component", c]
    return j(argv)


def hub_git(ctx: PlanContext, *args: str) -> str:
    """A git command line against the hub checkout, runnable from anywhere."""
    return j(["git", "-C", ctx.targets[ctx.hub].root, *args]) if ctx.hub else j(["git", *args])


# -- phase 1: rollback points --------------------------------------------------------------------


def rollback_points(ctx: PlanContext) -> list[Step]:
    """Tag each deployed commit, copy compose/env files, export container state: before any change."""
    steps: list[Step] = []
    for env in ctx.checkouts():
        steps += _tag_steps(ctx, env)
        steps += _backup_steps(ctx, env)
    return steps


def _tag_steps(ctx: PlanContext, env: str) -> list[Step]:
    sha = ctx.head(env)
    if not sha or not ctx.hub:
        return []
    tag = ctx.rollback_tag(env)
    hub_root = ctx.targets[ctx.hub].root
    steps = []
    if not ctx.hub_has(sha) and ctx.kind(env) == "ssh":
        t = ctx.targets[env]
        ref = f"refs/driftctl/deployed/{env}"
        fetch = f"GIT_SSH_COMMAND={q(t.git_ssh_command() or 'ssh')} " + j(["git", "fetch", "--no-tags", t.git_ssh_url() or "", f"+HEAD:{ref}"])
        steps.append(make_step(
            ctx, f"fetch-deployed-{env}", f"Fetch {env}'s deployed commit {sha[:8]} into {ctx.hub}", ctx.hub, [fetch],
            mutates=True, risk=Risk("low", f"adds one ref to {ctx.hub}'s repository; {env} is only read"),
            addresses=["git.head"], rollback=[j(["git", "update-ref", "-d", ref])],
            verify=[j(["git", "cat-file", "-e", f"{sha}^{{commit}}"])],
            notes=[f"{env}'s HEAD {sha[:8]} is not in {ctx.hub}'s history yet"],
        ))
    steps.append(make_step(
        ctx, f"tag-{env}", f"Tag {env}'s deployed commit {sha[:8]} as {tag}", ctx.hub,
        [j(["git", "tag", "-m", f"driftctl rollback point: {env} at {ctx.stamp}", tag, sha])],
        mutates=True, risk=Risk("low", f"only adds a tag in {hub_root}"),
        addresses=["git.head"], rollback=[j(["git", "tag", "-d", tag])],
        verify=[f"test \"$(git rev-parse {q(tag + '^{commit}')})\" = {q(sha)}"],
        preconditions=[j(["git", "cat-file", "-e", f"{sha}^{{commit}}"]), f"! git rev-parse -q --verify {q('refs/tags/' + tag)}"],
    ))
    return steps


def _backup_steps(ctx: PlanContext, env: str) -> list[Step]:
    t = ctx.targets.get(env)
    if not t:
        return []
    folder = ctx.rollback_dir(env)
    compose = ctx.compose(env)
    compose_files = [f["path"] for f in compose.get("files", []) if f.get("exists")] or ctx.existing_files(env, list(t.compose_files))
    names = list(dict.fromkeys([*compose_files, *_existing_env_files(ctx, env, list(t.env_files))]))
    steps = []
    if names:
        archive = posixpath.join(folder, "config.tar")
        restore = t.display("tar -xf -") + f" < {q(archive)}"
        steps.append(make_step(
            ctx, f"backup-config-{env}", f"Copy {env}'s compose and env files ({', '.join(names)})", env,
            [j(["tar", "-cf", "-", "--", *names])], capture=archive, mutates=False,
            risk=Risk("low", f"reads files on {env}; the copy is written on this machine (mode 600: it holds secrets)"),
            addresses=["compose.*", "env.*"], verify=[f"tar -tf {q(archive)}"], verify_environment=HERE,
            preconditions=[j(["test", "-e", n]) for n in compose_files],
            notes=[f"restore with: {restore}"],
        ))
    if ctx.has_docker(env) is not False:
        ps = posixpath.join(folder, "containers.jsonl")
        inspect = posixpath.join(folder, "containers-inspect.json")
        steps.append(make_step(
            ctx, f"export-containers-{env}", f"Export {env}'s container state (docker ps -a)", env,
            [j(["docker", "ps", "-a", "--no-trunc", "--format", "{{json .}}"])], capture=ps, mutates=False,
            risk=Risk("low", "read-only docker query"), addresses=["containers.*"],
            verify=[f"test -f {q(ps)}"], verify_environment=HERE, preconditions=["command -v docker"],
        ))
        steps.append(make_step(
            ctx, f"inspect-containers-{env}", f"Export {env}'s container configuration (docker inspect)", env,
            ["docker ps -aq | xargs -r docker inspect"], capture=inspect, mutates=False,
            risk=Risk("low", "read-only docker query; the export holds environment values, kept on this machine"),
            addresses=["containers.*"], verify=[f"test -f {q(inspect)}"], verify_environment=HERE,
            preconditions=["command -v docker"],
        ))
    return steps


def _existing_env_files(ctx: PlanContext, env: str, names: list[str]) -> list[str]:
    """Env files the env collector found (tar fails on a missing name); all of them when unknown."""
    from driftctl.snapshot import collector_data

    data = collector_data(ctx.snapshots.get(env, {}), "env")
    if data is None:
        return names
    return [n for n in names if (data.get("files", {}).get(n) or {}).get("exists")]


# -- documenting and preserving remote state -------------------------------------------------------


def document_state(ctx: PlanContext, env: str) -> list[Step]:
    """The seed's "document production state": uncommitted diff, status and logs, all read-only."""
    t = ctx.targets[env]
    folder = ctx.rollback_dir(env)
    steps = [
        make_step(ctx, f"document-diff-{env}", f"Save {env}'s uncommitted changes as a diff", env,
                  [j(["git", "--no-optional-locks", "diff", "HEAD", "--binary"])], capture=posixpath.join(folder, "uncommitted.diff"),
                  mutates=False, risk=Risk("low", "read-only git query"), addresses=["git.uncommitted"],
                  verify=[f"test -f {q(posixpath.join(folder, 'uncommitted.diff'))}"], verify_environment=HERE),
    ]
    if ctx.has_docker(env) is not False:
        logs = posixpath.join(folder, "compose-logs.txt")
        steps.append(make_step(
            ctx, f"document-logs-{env}", f"Save {env}'s recent service logs", env,
            [j(["docker", "compose", *t.compose_args, "logs", "--no-color", "--tail", "2000"])], capture=logs,
            mutates=False, risk=Risk("low", "read-only docker query"), addresses=["containers.*"],
            verify=[f"test -f {q(logs)}"], verify_environment=HERE, preconditions=["command -v docker"],
        ))
    return steps


def rescue_step(ctx: PlanContext, env: str) -> Step | None:
    """`driftctl rescue ENV`: the environment's uncommitted files become a commit on a local branch."""
    changes = ctx.uncommitted(env)
    files = changes["modified"] + changes["untracked"]
    sha = ctx.head(env)
    if not files or not sha or not ctx.hub:
        return None
    branch = ctx.rescue_branch(env)
    return make_step(
        ctx, f"rescue-{env}", f"Commit {env}'s {len(files)} uncommitted file(s) to branch {branch}", HERE,
        [j(["driftctl", "rescue", env, "--config", ctx.config_path, "--branch", branch])],
        mutates=True, risk=Risk("low", f"{env} is only read; creates branch {branch} without touching any work tree"),
        addresses=["git.uncommitted", *[f"files.{posixpath.dirname(f) or f}" for f in files]],
        rollback=[hub_git(ctx, "branch", "-D", branch)],
        verify=[hub_git(ctx, "rev-parse", "--verify", f"refs/heads/{branch}")],
        preconditions=[hub_git(ctx, "cat-file", "-e", f"{sha}^{{commit}}"),
                       f"! {hub_git(ctx, 'rev-parse', '-q', '--verify', f'refs/heads/{branch}')}"],
        notes=[f"files: {', '.join(files[:10])}" + (f" and {len(files) - 10} more" if len(files) > 10 else "")],
    )


# -- restoring a missing file -------------------------------------------------------------------


def restore_module(ctx: PlanContext, m: MissingModule) -> Step | None:
    """Bring a missing module into the broken environment from the environment where it works.

    Source: the rescue branch when the file is uncommitted there, else that environment's deployed
    commit. Without any source, the seed's fallback: copy the standard module to the `_working` name.
    """
    if not ctx.hub:
        return None
    source = None
    for env in [*ctx.production, *ctx.environments]:
        if env == m.environment:
            continue
        state = ctx.file_state(env, m.path)
        if state == "changed" and ctx.uncommitted(env):
            source = (env, ctx.rescue_branch(env), f"uncommitted on {env}, via its rescue branch")
            break
        if state == "tracked" and ctx.hub_has(ctx.head(env)):
            source = (env, ctx.head(env) or "", f"committed at {env}'s deployed commit")
            break
    verify = [j(["python3", "-m", "py_compile", m.path]), check([m.environment], m.component)]
    rollback = [j(["rm", "-f", "--", m.path])]
    if source:
        env, ref, why = source
        return make_step(
            ctx, f"restore-{m.environment}-{posixpath.basename(m.path)[:-3]}",
            f"Restore {m.path} in {m.environment} from {env} ({why})", m.environment,
            [j(["mkdir", "-p", posixpath.dirname(m.path) or "."]) , f"{hub_git(ctx, 'show', f'{ref}:{m.path}')} > {q(m.path)}"],
            mutates=True, risk=Risk("low", f"adds a file that does not exist in {m.environment}; nothing is overwritten"),
            addresses=[m.component], rollback=rollback, verify=verify,
            preconditions=[f"test ! -e {q(m.path)}", hub_git(ctx, "cat-file", "-e", f"{ref}:{m.path}")],
            notes=[f"{m.file}:{m.line} imports {m.module}"],
        )
    base = re.sub(r"_working$", "", m.module)
    if base != m.module:
        standard = posixpath.join(posixpath.dirname(m.path), base + ".py")
        return make_step(
            ctx, f"copy-{m.environment}-{m.module}", f"Create {m.path} from {standard} in {m.environment} (seed's fallback)",
            m.environment, [j(["cp", "-n", "--", standard, m.path])], mutates=True,
            risk=Risk("medium", f"no environment has {m.path}; the copy has the standard behaviour and may lack the names {m.file} imports"),
            addresses=[m.component], rollback=rollback, verify=verify,
            preconditions=[f"test -f {q(standard)}", f"test ! -e {q(m.path)}"],
        )
    return None


def restart_service(ctx: PlanContext, env: str, service: str, addresses: Sequence[str], undo_first: Sequence[str] = ()) -> Step | None:
    """Rebuild one service so restored code is loaded; undone by removing the restored files and rebuilding."""
    if ctx.has_docker(env) is False or service not in (ctx.compose(env).get("services") or {}):
        return None
    t = ctx.targets[env]
    up = j(["docker", "compose", *t.compose_args, "up", "-d", "--build", "--no-deps", service])
    return make_step(
        ctx, f"restart-{env}-{service}", f"Rebuild and restart {service} in {env} to load the restored code", env, [up],
        mutates=True, risk=Risk("low" if ctx.kind(env) == "local" else "high", f"restarts {service} in {env} only"),
        addresses=list(addresses), rollback=[*undo_first, up],
        verify=[f"docker compose {j(t.compose_args)} ps --status running --services | grep -qx {q(service)}", check([env], *addresses)],
        preconditions=["command -v docker"],
    )


# -- worktree, merges, overrides, CI ------------------------------------------------------------


def worktree_path(ctx: PlanContext, purpose: str) -> str:
    root = ctx.targets[ctx.hub].root if ctx.hub else "."
    return posixpath.join(posixpath.dirname(root.rstrip("/")), f"{posixpath.basename(root.rstrip('/'))}-driftctl-{purpose}-{ctx.stamp}")


def worktree_step(ctx: PlanContext, purpose: str, branch: str, base: str, base_label: str) -> Step:
    wt = worktree_path(ctx, purpose)
    return make_step(
        ctx, f"worktree-{purpose}", f"Create work tree {posixpath.basename(wt)} on new branch {branch} from {base_label}",
        ctx.hub or HERE, [j(["git", "worktree", "add", "-b", branch, wt, base])], mutates=True,
        risk=Risk("low", "a separate work tree: the existing checkout, its index and its files are untouched"),
        addresses=["git.branch"], rollback=[j(["git", "worktree", "remove", "--force", wt]), j(["git", "branch", "-D", branch])],
        verify=[f"test \"$(git -C {q(wt)} rev-parse --abbrev-ref HEAD)\" = {q(branch)}"],
        preconditions=[f"test ! -e {q(wt)}", f"! git rev-parse -q --verify {q('refs/heads/' + branch)}"],
    )


def merge_step(ctx: PlanContext, wt: str, theirs: str, ref: str, label: str, risk_data: dict | None, n: int,
               risk: Risk | None = None) -> Step:
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
        [j(["git", "-C", wt, "tag", "-f", point, "HEAD"]),
         j(["git", "-C", wt, "merge", "--no-ff", "--no-edit", "-m", f"Merge {label} (driftctl plan {ctx.stamp})", ref])],
        mutates=True, risk=risk, addresses=["git.branch", "git.relation", *[c["component"] for c in changes]],
        rollback=[f"git -C {q(wt)} merge --abort 2>/dev/null || true", j(["git", "-C", wt, "reset", "--hard", point])],
        verify=[f"test -z \"$(git -C {q(wt)} diff --name-only --diff-filter=U)\"", j(["git", "-C", wt, "merge-base", "--is-ancestor", ref, "HEAD"])],
        preconditions=[j(["git", "-C", wt, "cat-file", "-e", f"{ref}^{{commit}}"]), f"test -z \"$(git -C {q(wt)} status --porcelain)\""],
    )


def _yaml_scalar(value: object) -> str:
    """JSON is valid YAML; `$` doubled so Compose does not interpolate the literal value."""
    return json.dumps(value).replace("$", "$$")


def override_lines(ctx: PlanContext, env: str, diffs: list[ConfigDifference]) -> list[str]:
    lines = [f"# {env}: values pinned by driftctl plan {ctx.stamp} (from the environment's running config)", "services:"]
    by_service: dict[str, list[ConfigDifference]] = {}
    for d in diffs:
        if env in d.values:
            by_service.setdefault(d.service, []).append(d)
    for service, items in sorted(by_service.items()):
        lines.append(f"  {service}:")
        env_items = [d for d in items if d.variable]
        for d in items:
            if d.key == "command":
                lines.append(f"    command: {_yaml_scalar(d.values[env])}")
        if env_items:
            lines.append("    environment:")
            lines += [f"      {d.variable}: {_yaml_scalar(d.values[env])}" for d in env_items]
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


def _sed_replacement(text: str) -> str:
    return re.sub(r"([\\|&])", r"\\\1", text)


def env_config_step(ctx: PlanContext, wt: str, diffs: list[ConfigDifference], envs: list[str], merged: dict[str, object]) -> Step | None:
    """Per-environment overrides and `${VAR:-default}` in the base file (the seed's service discovery fix)."""
    if not diffs or not ctx.hub:
        return None
    commands: list[str] = []
    verify: list[str] = []
    base = (ctx.targets[ctx.hub].compose_files or ("docker-compose.yml",))[0]
    base_path = posixpath.join(wt, base)
    for d in diffs:
        if not d.variable or ctx.hub not in d.values:
            continue
        default = str(d.values[ctx.hub])
        current = str(merged.get(d.component, default))  # the base file's value after the merges
        var, pv, pc = d.variable, _sed_pattern(d.variable), _sed_pattern(current)
        templ = _sed_replacement(f"${{{var}:-{default}}}")
        quote = "\\([\"']\\?\\)"
        commands.append(j(["sed", "-i",
                           "-e", f"s|\\({pv}=\\){pc}{quote}$|\\1{templ}\\2|",  # list form:    - VAR=value
                           "-e", f"s|\\({pv}: *{quote[2:-2]}\\){pc}{quote}$|\\1{templ}\\2|",  # mapping form: VAR: value
                           base_path]))
        verify.append(j(["grep", "-F", f"${{{d.variable}:-{default}}}", base_path]))
    files = []
    for env in envs:
        lines = override_lines(ctx, env, diffs)
        if len(lines) <= 2:
            continue
        name = override_file(ctx, env)
        files.append(name)
        commands.append(j(["printf", "%s\\n", *lines]) + f" > {q(posixpath.join(wt, name))}")
        args = ["-f", base, "-f", name]
        verify.append(f"cd {q(wt)} && docker compose {j(args)} config --quiet"
                      if ctx.has_docker(ctx.hub) else j(["test", "-s", posixpath.join(wt, name)]))
    components = sorted({d.component for d in diffs})
    return make_step(
        ctx, "env-config", f"Environment-specific compose config: {', '.join(files)} and ${{VAR:-default}} in {base}",
        ctx.hub, commands, mutates=True,
        risk=Risk("medium", "changes compose files on an unmerged branch; each environment keeps its current values via its override"),
        addresses=components + ["component.service_discovery"],
        rollback=[j(["git", "-C", wt, "checkout", "--", "."]), j(["git", "-C", wt, "clean", "-fd", "--", *files]) if files else "true"],
        verify=verify, preconditions=[j(["test", "-f", base_path])],
        notes=[f"deploy each environment with: docker compose -f {base} -f docker-compose.<env>.yml up -d"],
    )


def commit_step(ctx: PlanContext, wt: str, id: str, message: str, addresses: Sequence[str]) -> Step:
    return make_step(
        ctx, id, f"Commit: {message}", ctx.hub or HERE, [j(["git", "-C", wt, "add", "-A"]), j(["git", "-C", wt, "commit", "-q", "-m", message])],
        mutates=True, risk=Risk("low", "a commit on the unmerged work-tree branch"), addresses=list(addresses),
        rollback=[j(["git", "-C", wt, "reset", "--soft", "HEAD~1"])],
        verify=[f"test -z \"$(git -C {q(wt)} status --porcelain)\""],
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


def ci_step(ctx: PlanContext, wt: str) -> Step:
    path = posixpath.join(wt, ".github/workflows/driftctl.yml")
    return make_step(
        ctx, "ci-check", "Add a CI job that fails on configuration drift (driftctl check)", ctx.hub or HERE,
        [j(["mkdir", "-p", posixpath.dirname(path)]), j(["printf", "%s\\n", *CI_WORKFLOW]) + f" > {q(path)}"],
        mutates=True, risk=Risk("low", "adds one workflow file on the unmerged branch"), addresses=["component.*", "compose.*"],
        rollback=[j(["rm", "-f", "--", path])], verify=[j(["grep", "-q", "driftctl check", path])],
        preconditions=[f"test ! -e {q(path)}"],
    )


def push_step(ctx: PlanContext, wt: str, branch: str) -> Step | None:
    remotes = ctx.git(ctx.hub or "").get("remotes") or {}
    if "origin" not in remotes:
        return None
    return make_step(
        ctx, "push-branch", f"Push {branch} to origin for review (main is not changed)", ctx.hub or HERE,
        [j(["git", "-C", wt, "push", "origin", f"{branch}:{branch}"])], mutates=True,
        risk=Risk("medium", f"publishes a new branch on {remotes['origin']}; no existing branch moves"),
        addresses=["git.relation"], rollback=[j(["git", "-C", wt, "push", "origin", "--delete", branch])],
        verify=[j(["git", "-C", wt, "ls-remote", "--exit-code", "origin", f"refs/heads/{branch}"])],
    )


def rollout_step(ctx: PlanContext, env: str, branch: str, files: Sequence[str], addresses: Sequence[str],
                 *, fetch: bool = True, risk_extra: str = "", id: str | None = None) -> Step:
    """Deploy `branch` on an environment (fetched from origin, or local when `fetch` is False).

    The environment's uncommitted files are stashed (they are already in its rescue branch); the
    rollback returns to the deployed commit, pops the stash and starts the old configuration again.
    """
    t = ctx.targets[env]
    old = ctx.head(env) or "HEAD"
    f_args = [a for f in files for a in ("-f", f)]
    up = j(["docker", "compose", *f_args, "up", "-d", "--remove-orphans"])
    old_up = j(["docker", "compose", *t.compose_args, "up", "-d", "--remove-orphans"])
    stash = f"driftctl-{ctx.stamp}"
    checkout = [j(["git", "fetch", "origin", branch]), j(["git", "checkout", "--detach", "FETCH_HEAD"])] if fetch \
        else [j(["git", "checkout", "--detach", branch])]
    level: Literal["high", "medium"] = "high" if env in ctx.production else "medium"
    return make_step(
        ctx, id or f"rollout-{env}", f"Deploy {branch} on {env}", env,
        [j(["git", "stash", "push", "--include-untracked", "-m", stash]), *checkout, up],
        mutates=True, risk=Risk(level, f"restarts {env}'s containers on new code and config{risk_extra}"),
        addresses=list(addresses),
        rollback=[j(["git", "checkout", "--detach", old]), "git stash list | grep -q " + q(stash) + " && git stash pop", old_up],
        verify=[j(["docker", "compose", *f_args, "ps", "--status", "running"]), check([env], *addresses)],
        preconditions=["command -v docker", f"test \"$(git rev-parse HEAD)\" = {q(old)}"],
        notes=[f"uncommitted files of {env} are kept in {ctx.rescue_branch(env)} and in the stash {stash}"],
    )

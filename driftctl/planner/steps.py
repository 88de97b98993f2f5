"""Step builders shared by the options: rollback points (securing each environment), rescue, restore a
file, restart. Deployment steps (work tree, merges, overrides, CI, rollout, runtime repair) live in
`driftctl.planner.deploy`. Each builder returns complete steps (commands, preconditions, rollback, verify).

Every shell line is built with shlex from argument lists, so values from configs and snapshots
(paths, URLs, branch names) are always quoted. Docker lines go through `docker()` / `compose()`, so
they always use the environment's engine route and exactly its compose files.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterable, Sequence
from typing import Any

from driftctl.planner.context import PlanContext
from driftctl.planner.findings import MissingModule
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


def docker(ctx: PlanContext, env: str, *args: str) -> str:
    """A docker CLI line on the environment's engine route (`env DOCKER_HOST=...` when configured)."""
    host = ctx.docker_host(env)
    return j([*(["env", f"DOCKER_HOST={host}"] if host else []), "docker", *args])


def compose(ctx: PlanContext, env: str, *args: str, extra_files: Sequence[str] = ()) -> str:
    """`docker compose -p <project> -f <exactly the env's files> ...` (plus `extra_files`, which come last)."""
    files = [*ctx.compose_files(env), *extra_files]
    return docker(ctx, env, "compose", "-p", ctx.project(env), *[a for f in files for a in ("-f", f)], *args)


def clean_tree() -> str:
    """Precondition: no modified, staged or untracked file (ignored files do not count)."""
    return 'test -z "$(git status --porcelain=v1 --untracked-files=all)"'


# -- phase 1: rollback points (securing every checkout) ------------------------------------------------


def rollback_points(ctx: PlanContext) -> list[Step]:
    """Secure each checkout before anything changes: commits only there fetched (bundle over the
    transport) and tagged, compose/env files copied (encrypted), container state exported."""
    steps: list[Step] = []
    for env in ctx.checkouts():
        steps += _commit_steps(ctx, env)
        steps += _backup_steps(ctx, env)
    return steps


def bundle_path(ctx: PlanContext, env: str) -> str:
    """The encrypted bundle of `env`'s own commits (committed files may hold secrets): in reports/."""
    return posixpath.join(ctx.rollback_dir(env), "deployed.bundle.enc")


def unpacked_bundle(ctx: PlanContext, env: str) -> str:
    """Where the fetch step decrypts the bundle: inside the hub's .git, never in reports/."""
    root = ctx.targets[ctx.hub].root if ctx.hub else "."
    return posixpath.join(root, ".git", "driftctl", f"{env}-{ctx.stamp}.bundle")


def deployed_ref(ctx: PlanContext, env: str) -> str:
    return f"refs/driftctl/deployed/{env}-{ctx.stamp}"


def _bundle_steps(ctx: PlanContext, env: str) -> list[Step]:
    """`git bundle create -` on the deployment, streamed back over driftctl's own connection (encrypted
    at rest), then fetched into the hub under refs/driftctl/deployed/...: no second git/ssh setup."""
    only = ctx.only_here(env)
    if not only or not ctx.hub:
        return []
    graph, hub_graph = ctx.graph(env), ctx.graph(ctx.hub)
    boundary = sorted({p for c in only for p in graph.get(c, []) if p in hub_graph})
    bundle, plain = bundle_path(ctx, env), unpacked_bundle(ctx, env)
    ref = deployed_ref(ctx, env)
    create = j(["git", "--no-optional-locks", "bundle", "create", "-", "HEAD", "--branches", *[f"^{b}" for b in boundary]])
    steps = [make_step(
        ctx, f"bundle-{env}", f"Copy {env}'s {len(only)} commit(s) that exist only there (git bundle over driftctl's connection)",
        env, [create], capture=bundle, mutates=False, encrypt=True,
        risk=Risk("low", f"read-only on {env}; the bundle is encrypted on this machine"),
        addresses=["git.deployment_only", "git.head"], verify=[j(["test", "-s", bundle])],
        verify_environment=HERE, secures=env, notes=[f"commits: {', '.join(c[:8] for c in only[:10])}"],
    )]
    unpack = f"mkdir -p {q(posixpath.dirname(plain))} && {j(['driftctl', 'backup', 'decrypt', bundle, '-o', plain])}"
    steps.append(make_step(
        ctx, f"fetch-deployed-{env}", f"Fetch {env}'s own commits from the bundle into {ctx.hub} ({ref})", ctx.hub,
        [unpack, j(["git", "bundle", "verify", "-q", plain]),
         j(["git", "fetch", "--no-tags", "--quiet", plain, f"+HEAD:{ref}", f"+refs/heads/*:{ref}-heads/*"])],
        mutates=True, risk=Risk("low", f"adds refs under {ref}; {env} is only read"),
        addresses=["git.deployment_only", "git.head"],
        rollback=[f"git for-each-ref --format='delete %(refname)' {q(ref)} {q(ref + '-heads/')} | git update-ref --stdin",
                  j(["rm", "-f", "--", plain])],
        verify=[j(["git", "cat-file", "-e", f"{ctx.head(env)}^{{commit}}"])],
        preconditions=[j(["test", "-s", bundle]), f"! git rev-parse -q --verify {q(ref)}"],
        requires=[f"bundle-{env}"], secures=env,
    ))
    return steps


def _commit_steps(ctx: PlanContext, env: str) -> list[Step]:
    sha = ctx.head(env)
    if not sha or not ctx.hub:
        return []
    tag = ctx.rollback_tag(env)
    hub_root = ctx.targets[ctx.hub].root
    steps = _bundle_steps(ctx, env) if env != ctx.hub else []
    steps.append(make_step(
        ctx, f"tag-{env}", f"Tag {env}'s deployed commit {sha[:8]} as {tag}", ctx.hub,
        [j(["git", "tag", "-m", f"driftctl rollback point: {env} at {ctx.stamp}", tag, sha])],
        mutates=True, risk=Risk("low", f"only adds a tag in {hub_root}"),
        addresses=["git.head"], rollback=[j(["git", "tag", "-d", tag])],
        verify=[f"test \"$(git rev-parse {q(tag + '^{commit}')})\" = {q(sha)}"],
        preconditions=[j(["git", "cat-file", "-e", f"{sha}^{{commit}}"]), f"! git rev-parse -q --verify {q('refs/tags/' + tag)}"],
        requires=[s.id for s in steps if s.mutates], secures=env, notes=_release_note(ctx, env),
    ))
    return steps


def _release_note(ctx: PlanContext, env: str) -> list[str]:
    """Which release tag the environment runs (`git describe`), so the plan names it."""
    described = ctx.describe(env)
    tag = described.get("tag") if isinstance(described, dict) else None
    if not described or not tag:
        return []
    after = described.get("after") or 0
    return [f"{env} runs release {tag}" + (f" plus {after} commit(s)" if after else "")]


def _backup_steps(ctx: PlanContext, env: str) -> list[Step]:
    t = ctx.targets.get(env)
    if not t:
        return []
    folder = ctx.rollback_dir(env)
    compose_files = ctx.found_compose_files(env) or ctx.existing_files(env, list(t.compose_files))
    names = list(dict.fromkeys([*compose_files, *_existing_env_files(ctx, env, list(t.env_files))]))
    steps = []
    if names:
        archive = posixpath.join(folder, "config.tar.enc")
        restore = f"driftctl backup decrypt {q(archive)} | " + t.display("tar -xf -")
        steps.append(make_step(
            ctx, f"backup-config-{env}", f"Copy {env}'s compose and env files ({', '.join(names)}), encrypted", env,
            [j(["tar", "-cf", "-", "--", *names])], capture=archive, mutates=False, encrypt=True,
            risk=Risk("low", f"reads files on {env}; the copy is encrypted on this machine (it holds secrets)"),
            addresses=["compose.*", "env.*"], verify=[j(["test", "-s", archive])], verify_environment=HERE,
            preconditions=[j(["test", "-e", n]) for n in compose_files], secures=env,
            notes=[f"restore with: {restore}"],
        ))
    if ctx.has_docker(env) is not False:
        ps = posixpath.join(folder, "containers.jsonl.enc")  # command lines and labels may hold secrets
        inspect = posixpath.join(folder, "containers-inspect.json.enc")
        steps.append(make_step(
            ctx, f"export-containers-{env}", f"Export {env}'s container state (docker ps -a), encrypted", env,
            [docker(ctx, env, "ps", "-a", "--no-trunc", "--format", "{{json .}}")], capture=ps, mutates=False,
            encrypt=True, risk=Risk("low", "read-only docker query; command lines may hold secrets, so it is encrypted"),
            addresses=["containers.*"],
            verify=[f"test -f {q(ps)}"], verify_environment=HERE, preconditions=["command -v docker"], secures=env,
        ))
        ids = docker(ctx, env, "ps", "-aq")
        steps.append(make_step(
            ctx, f"inspect-containers-{env}", f"Export {env}'s container configuration (docker inspect), encrypted", env,
            [f"{ids} | xargs -r {docker(ctx, env, 'inspect')}"], capture=inspect, mutates=False, encrypt=True,
            risk=Risk("low", "read-only docker query; the export holds environment values, so it is encrypted at rest"),
            addresses=["containers.*"], verify=[f"test -f {q(inspect)}"], verify_environment=HERE,
            preconditions=["command -v docker"], secures=env,
        ))
    return steps


def _existing_env_files(ctx: PlanContext, env: str, names: list[str]) -> list[str]:
    """Env files the env collector found (tar fails on a missing name); all of them when unknown."""
    from driftctl.snapshot import collector_data

    data = collector_data(ctx.snapshots.get(env, {}), "env")
    if data is None:
        return names
    found = data.get("files") or {}
    return [n for n in names if (info := found.get(n)) and info.get("exists")]


# -- documenting and preserving remote state -------------------------------------------------------


def document_state(ctx: PlanContext, env: str) -> list[Step]:
    """The seed's "document production state", read-only: which files changed (names and sizes only:
    contents go to the rescue branch, never to reports/) and recent service logs (encrypted)."""
    folder = ctx.rollback_dir(env)
    status = posixpath.join(folder, "uncommitted.txt")
    steps = [
        make_step(ctx, f"document-diff-{env}", f"List {env}'s uncommitted changes (names and line counts)", env,
                  [j(["git", "--no-optional-locks", "status", "--porcelain=v1", "--untracked-files=all"]),
                   j(["git", "--no-optional-locks", "diff", "HEAD", "--stat"])], capture=status,
                  mutates=False, risk=Risk("low", "read-only git query"), addresses=["git.uncommitted"],
                  verify=[f"test -f {q(status)}"], verify_environment=HERE, secures=env),
    ]
    if ctx.has_docker(env) is not False:
        logs = posixpath.join(folder, "compose-logs.txt.enc")
        steps.append(make_step(
            ctx, f"document-logs-{env}", f"Save {env}'s recent service logs (encrypted: logs may hold secrets)", env,
            [compose(ctx, env, "logs", "--no-color", "--tail", "2000")], capture=logs, encrypt=True,
            mutates=False, risk=Risk("low", "read-only docker query"), addresses=["containers.*"],
            verify=[f"test -f {q(logs)}"], verify_environment=HERE, preconditions=["command -v docker"], secures=env,
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
        touches=[ctx.hub], secures=env, requires=[f"tag-{env}"],
        notes=[f"files: {', '.join(files[:10])}" + (f" and {len(files) - 10} more" if len(files) > 10 else ""),
               "files whose content looks like a credential are left out (rescue names file and line, never the value)"],
    )


# -- restoring a missing file -------------------------------------------------------------------


def restore_module(ctx: PlanContext, m: MissingModule) -> Step | None:
    """Bring a missing module into the broken environment from the environment where it works.

    Source: the rescue branch when the file is uncommitted there, else that environment's deployed
    commit (its rollback tag). Without any source, the seed's fallback: copy the standard module.
    """
    if not ctx.hub:
        return None
    source = None
    for env in [*ctx.production, *ctx.environments]:
        if env == m.environment:
            continue
        state = ctx.file_state(env, m.path)
        if state == "changed" and ctx.uncommitted(env) and ctx.head(env):
            source = (env, ctx.rescue_branch(env), f"uncommitted on {env}, via its rescue branch", f"rescue-{env}")
            break
        if state == "tracked" and ctx.head(env) and env in ctx.checkouts():
            source = (env, ctx.rollback_tag(env), f"committed at {env}'s deployed commit", f"tag-{env}")
            break
    # parse without writing __pycache__ (py_compile would leave files the rollback does not know about)
    verify = [j(["python3", "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", m.path]), check([m.environment], m.component)]
    rollback = [j(["rm", "-f", "--", m.path])]
    if source:
        env, ref, why, needs = source
        return make_step(
            ctx, f"restore-{m.environment}-{posixpath.basename(m.path)[:-3]}",
            f"Restore {m.path} in {m.environment} from {env} ({why})", m.environment,
            [j(["mkdir", "-p", posixpath.dirname(m.path) or "."]), f"{hub_git(ctx, 'show', f'{ref}:{m.path}')} > {q(m.path)}"],
            mutates=True, risk=Risk("low", f"adds a file that does not exist in {m.environment}; nothing is overwritten"),
            addresses=[m.component], rollback=rollback, verify=verify,
            preconditions=[f"test ! -e {q(m.path)}", hub_git(ctx, "cat-file", "-e", f"{ref}:{m.path}")],
            requires=[needs], notes=[f"{m.file}:{m.line} imports {m.module}"],
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


def restart_service(ctx: PlanContext, env: str, service: str, addresses: Sequence[str], undo_first: Sequence[str] = (),
                    requires: Sequence[str] = ()) -> Step | None:
    """Rebuild one service so restored code is loaded; undone by removing the restored files and rebuilding."""
    if ctx.has_docker(env) is False or service not in ctx.services(env):
        return None
    up = compose(ctx, env, "up", "-d", "--build", "--no-deps", service)
    return make_step(
        ctx, f"restart-{env}-{service}", f"Rebuild and restart {service} in {env} to load the restored code", env, [up],
        mutates=True, risk=Risk("low" if ctx.caps(env).on_this_machine else "high", f"restarts {service} in {env} only"),
        addresses=list(addresses), rollback=[*undo_first, up],
        verify=[f"{compose(ctx, env, 'ps', '--status', 'running', '--services')} | grep -qx {q(service)}", check([env], *addresses)],
        preconditions=["command -v docker"], requires=list(requires),
    )

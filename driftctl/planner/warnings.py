"""Critical warnings derived from the findings (never canned): each names the values it is about.

Sources: the merge-risk computation (what merging one branch into another would change or conflict),
uncommitted files on remote checkouts, memory headroom, secret-bearing env differences, unsettled
compose settings that a redeploy would silently revert, and blind spots of incomplete collection.
"""

from __future__ import annotations

from driftctl.planner.context import PlanContext
from driftctl.planner.model import Warning


def _fmt(value: object) -> str:
    """A value for a warning sentence: lists as shell words, secrets by their fingerprint's short form."""
    from driftctl.secrets import is_fingerprint

    if isinstance(value, list):
        import shlex

        return shlex.join(str(v) for v in value)
    if is_fingerprint(value):
        return f"fingerprint {str(value)[3:11]}.."
    return "(unset)" if value is None else str(value)


def merge_warnings(ctx: PlanContext) -> list[Warning]:
    out = []
    for i, mr in enumerate(ctx.merge_risk, 1):
        ours, theirs = mr["ours"], mr["theirs"]
        o = f"{ours.get('branch') or ours['environment']} ({ours['commit'][:8]})"
        t = f"{theirs.get('branch') or theirs['environment']} ({theirs['commit'][:8]})"
        if mr.get("error"):
            out.append(Warning(f"merge-risk-{i}", "critical", f"Merge result of {t} and {o} unknown",
                               f"Could not compute what merging {t} into {o} would do: {mr['error']}. Do not merge blind.",
                               evidence=[f"git merge-tree in {mr.get('computed_in')}"]))
            continue
        for direction, src, dst in (("into_ours", t, o), ("into_theirs", o, t)):
            changes = (mr.get("changes") or {}).get(direction) or []
            if not changes:
                continue
            what = "; ".join(f"{c['component']} from {_fmt(c.get('before'))} to {_fmt(c.get('after'))}" for c in changes)
            out.append(Warning(
                f"merge-risk-{i}-{direction}", "critical",
                f"Merging {src} into {dst} changes deployed configuration",
                f"Merging {src} into {dst} would change {what}.",
                components=[c["component"] for c in changes],
                evidence=[f"git merge-tree --write-tree {ours['commit'][:8]} {theirs['commit'][:8]} -> {str(mr.get('tree'))[:12]}; compose files resolved at both sides and at the merge result"],
            ))
        if mr.get("conflicts"):
            out.append(Warning(
                f"merge-risk-{i}-conflicts", "critical", f"Merging {t} and {o} conflicts",
                f"Merging {t} into {o} conflicts in {', '.join(mr['conflicts'])}; resolve in a separate work tree, never on a deployed checkout.",
                components=["git.branch"], evidence=[f"git merge-tree --write-tree in {mr.get('computed_in')}"],
            ))
    return out


def uncommitted_warnings(ctx: PlanContext) -> list[Warning]:
    out = []
    for env in ctx.checkouts():
        ch = ctx.uncommitted(env)
        files = ch["modified"] + ch["untracked"]
        if not files or env not in ctx.production + ([ctx.staging] if ctx.staging else []):
            continue
        shown = ", ".join(files[:6]) + (f" and {len(files) - 6} more" if len(files) > 6 else "")
        out.append(Warning(
            f"uncommitted-{env}", "critical", f"{env} runs code that is in no commit",
            f"{env} has {len(ch['modified'])} modified and {len(ch['untracked'])} untracked file(s) ({shown}); "
            f"a checkout, pull, reset or redeploy there would lose them. Run `driftctl rescue {env}` first.",
            components=["git.uncommitted"], evidence=[f"git status in {env} at {(ctx.head(env) or '')[:8]}"],
        ))
    return out


def memory_warnings(ctx: PlanContext) -> list[Warning]:
    out = []
    for row, ev in ctx.evidence("host.memory", {"usage"}, {"CONSTRAINED", "BROKEN"}):
        env = ev.environment
        if env not in ctx.production + ([ctx.staging] if ctx.staging else []):
            continue
        out.append(Warning(
            f"memory-{env}", "critical", f"{env} has little memory headroom",
            f"{env} memory is {_fmt(ev.value)}% used: building images, adding a service or running old and new containers "
            "side by side may exhaust it. Do not restart production services without the rollback points of phase 1; "
            "prefer `up -d --no-build` with prebuilt images.",
            components=[row["component"]], evidence=[f"{ev.collector}: {ev.key} {_fmt(ev.value)}% used in {env}"],
        ))
    return out


def config_warnings(ctx: PlanContext) -> list[Warning]:
    """Settings that differ, where the deployed value is in no override: a redeploy would revert them."""
    from driftctl.secrets import is_fingerprint, looks_secret

    out = []
    compose: dict[str, tuple[dict, list[str]]] = {}
    for row, ev in ctx.evidence("compose.services.", {"value", "absent"}, unsettled=True):
        if row.get("severity") == "critical":
            text = f"{ev.environment}: {_fmt(ev.value) if ev.kind == 'value' else '(not set)'}"
            compose.setdefault(row["component"], (row, []))[1].append(text)
    for component, (row, texts) in compose.items():
        out.append(Warning(
            f"config-{component}", "critical", f"{component} differs between environments",
            f"{component} is {', '.join(texts)}. Do not sync or merge compose files without an environment-specific override for it.",
            components=[component], evidence=[str(s) for s in (row.get("sources") or {}).values()],
        ))
    secret: dict[str, tuple[str, list[str]]] = {}
    for row, ev in ctx.evidence("env.", {"value", "absent"}):
        if row.get("status") in ("IN_SYNC", "UNKNOWN") or not ev.key:
            continue
        if looks_secret(ev.key, "x") or is_fingerprint(ev.value):
            secret.setdefault(row["component"], (ev.key, []))[1].append(ev.environment)
    for component, (key, envs) in secret.items():
        out.append(Warning(
            f"secret-{component}", "moderate", f"{key} differs between environments",
            f"{component} has different values in {', '.join(envs)} "
            "(testnet and production keys?). Do not copy env files between environments.",
            components=[component],
        ))
    return out


def secret_file_warnings(ctx: PlanContext) -> list[Warning]:
    """Uncommitted files whose content looks like a credential: named by file and line, never the value."""
    out = []
    by_env: dict[str, list[dict]] = {}
    for f in ctx.secret_files:
        by_env.setdefault(str(f.get("environment")), []).append(f)
    for env, found in by_env.items():
        errors = [f["error"] for f in found if f.get("error")]
        hits = [f for f in found if not f.get("error")]
        if errors:
            out.append(Warning(f"secret-files-{env}-unknown", "moderate", f"{env}: uncommitted files not scanned for secrets",
                               f"Could not read {env}'s uncommitted files to scan them ({errors[0]}); rescue scans them again.",
                               components=["git.uncommitted"]))
        if hits:
            where = ", ".join(f"{f['path']}:{f['line']} ({f['kind']})" for f in hits[:10])
            out.append(Warning(
                f"secret-files-{env}", "critical", f"{env} has uncommitted files holding credentials",
                f"{where}: rescue leaves these files out (unless --include-secret-files) and no branch holding them is pushed; "
                "move the values into the host's env file.",
                components=["git.uncommitted"], evidence=[f"content scan of {env}'s uncommitted files"],
            ))
    return out


def incomplete_warnings(ctx: PlanContext) -> list[Warning]:
    return [
        Warning(f"incomplete-{i['environment']}-{i['collector']}", "moderate",
                f"{i['environment']}: {i['collector']} not collected",
                f"The plan cannot account for {i['collector']} of {i['environment']} ({i.get('error')}); its steps may miss drift there.",
                evidence=[str(i.get("error"))])
        for i in ctx.matrix.get("incomplete") or []
    ]


def derive_warnings(ctx: PlanContext) -> list[Warning]:
    found = merge_warnings(ctx) + uncommitted_warnings(ctx) + memory_warnings(ctx) + config_warnings(ctx) + secret_file_warnings(ctx) + incomplete_warnings(ctx)
    seen: set[str] = set()
    unique: list[Warning] = []
    for w in found:
        if w.id not in seen:
            seen.add(w.id)
            unique.append(w)
    return unique

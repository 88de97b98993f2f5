"""Container rows: running containers against the services declared in the resolved compose model.

What the containers collector reports as `differs` (declared vs running) and containers no service
declares are DRIFT on that host; a declared service with nothing running is DRIFT too (critical on a
deployment: production lacks it now); an unhealthy or restarting container is BROKEN. A container that
carries a service's Compose name but no compose labels (started by hand) is one row, "runs outside
compose", with its differences from the service's model in the evidence: not a missing service plus
an anonymous stray. The same image tag running as different image ids in two environments (drift
under a moving tag) is one row per tag. Git environments run nothing and are left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from driftctl.differ.common import Marker, View, plain, show
from driftctl.evidence import Evidence
from driftctl.image_refs import normalize_image, repo_digest
from driftctl.matrix import Row, Severity, Status

if TYPE_CHECKING:
    from driftctl.collectors.containers import ContainerFacts, ContainersData, OutsideCompose, ServiceState

    PerEnv = dict[str, ContainersData | Marker]  # each environment's data, or why there is none

_NO_SERVICE: ServiceState = {"running": False, "containers": [], "differs": {}}
CRITICAL_KEYS = frozenset({"command", "entrypoint", "image"})
BAD_STATES = frozenset({"restarting", "exited", "dead"})
SOURCE = "containers: docker inspect"


def rows(view: View) -> list[Row]:
    data = view.per_env("containers")
    known = {e: d for e, d in data.items() if isinstance(d, dict)}
    if not known:
        return []
    services = sorted({s for d in known.values() for s in (d.get("services") or {})})
    out: list[Row] = []
    for svc in services:
        out.extend(_service_rows(view, svc, data))
    out.append(_undeclared_row(data))
    project = _project_row(data)
    if project is not None:
        out.append(project)
    out.extend(image_rows(view, data))
    return out


def _blank(data: PerEnv, component: str, title: str) -> Row:
    return Row(component=component, title=title, values={e: show(d) for e, d in data.items() if not isinstance(d, dict)},
               sources={e: SOURCE for e in data})


def _service_rows(view: View, svc: str, data: PerEnv) -> list[Row]:
    base = f"containers.services.{svc}"
    running = _blank(data, f"{base}.running", f"{svc}: running")
    health = _blank(data, f"{base}.health", f"{svc}: health")
    outside = _blank(data, f"{base}.outside_compose", f"{svc}: runs outside compose")
    keys = sorted({k for d in data.values() if isinstance(d, dict)
                   for k in ((d.get("services") or {}).get(svc) or _NO_SERVICE).get("differs") or {}})
    key_rows = {k: _blank(data, f"{base}.{k}", f"{svc}: running {k}") for k in keys}
    for env, d in data.items():
        if not isinstance(d, dict):
            continue
        info = (d.get("services") or {}).get(svc)
        if info is None:
            for r in (running, health, outside, *key_rows.values()):
                r.values[env] = "(not declared)"
            continue
        names = info.get("containers") or []
        mine = [c for c in d.get("containers") or [] if c.get("name") in names]
        shadows = info.get("outside_compose") or []
        _running_cell(running, env, svc, info, names, shadows, mine)
        _outside_cell(outside, env, svc, shadows)
        health.values[env] = _health(mine)
        # a stopped compose container that a hand-run one replaced is part of the outside-compose row;
        # a one-shot job that finished (exit 0, not meant to restart) is done, not broken
        bad = [c for c in mine if c.get("health") == "unhealthy"
               or (c.get("state") in BAD_STATES and not (shadows and c.get("state") != "restarting") and not completed(c))]
        if bad:
            health.flagged.append(env)
            health.details.extend(f"{env}: {c.get('name')} is {c.get('health') or c.get('state')}, "
                                  f"{c.get('restart_count', 0)} restarts" for c in bad)
            health.evidence.extend(Evidence(env, "containers", "container", container=c.get("name"), service=svc,
                                            value={"state": c.get("state"), "health": c.get("health"),
                                                   "restart_count": int(c.get("restart_count") or 0)})
                                   for c in bad)
        _key_cells(key_rows, env, svc, info.get("differs") or {}, names)
    if running.flagged:
        on_deployment = any(view.role(e) == "deployment" for e in running.flagged)
        running.status, running.severity = Status.DRIFT, Severity.CRITICAL if on_deployment else Severity.MODERATE
    if health.flagged:
        health.status, health.severity = Status.BROKEN, Severity.CRITICAL
    if outside.flagged:
        outside.status = Status.DRIFT
        worst = {k for ev in outside.evidence for k in ((ev.value or {}).get("differs") or {})}
        outside.severity = Severity.CRITICAL if worst & CRITICAL_KEYS else Severity.MODERATE
    for k, r in key_rows.items():
        r.status = Status.DRIFT
        r.severity = Severity.CRITICAL if k in CRITICAL_KEYS else Severity.MODERATE
    return [running, health, *([outside] if outside.flagged else []), *key_rows.values()]


def completed(container: ContainerFacts) -> bool:
    """A one-shot container that finished: exited 0 under a policy that does not restart it on success
    (a migration or init job; `service_completed_successfully` waits for exactly this)."""
    return (container.get("state") == "exited" and container.get("exit_code") == 0
            and not str(container.get("restart_policy") or "no").startswith(("always", "unless-stopped")))


def _running_cell(row: Row, env: str, svc: str, info: ServiceState, names: list[str], shadows: list[OutsideCompose],
                  mine: list[ContainerFacts]) -> None:
    if info.get("running"):
        row.values[env] = f"running ({len(names)})"
    elif mine and all(completed(c) for c in mine):
        row.values[env] = "completed (exit 0)"
    elif shadows:
        row.values[env] = "outside compose: " + ", ".join(str(s.get("container")) for s in shadows)
    else:
        row.values[env] = "not running"
        row.flagged.append(env)
        row.details.append(f"{env}: {svc} is declared but no container runs it")
        row.evidence.append(Evidence(env, "containers", "not-running", service=svc, container=next(iter(names), None)))


def _outside_cell(row: Row, env: str, svc: str, shadows: list[OutsideCompose]) -> None:
    if not shadows:
        row.values[env] = "no"
        return
    row.values[env] = ", ".join(str(s.get("container")) for s in shadows)
    row.flagged.append(env)
    for s in shadows:
        differs = s.get("differs") or {}
        what = "; ".join(f"{k}: declared {show(v.get('declared'))}, running {show(v.get('running'))}"
                         for k, v in sorted(differs.items())) or "same settings as declared"
        row.details.append(f"{env}: {s.get('container')} runs {svc} without compose labels (started by hand): {what}")
        value: dict[str, Any] = {"differs": plain({k: {"declared": v.get("declared"), "running": v.get("running")}
                                                   for k, v in sorted(differs.items())})}
        if s.get("env_unchecked"):
            value["env_unchecked"] = list(s["env_unchecked"])
        row.evidence.append(Evidence(env, "containers", "outside-compose", container=s.get("container"),
                                     service=svc, value=value))


def _key_cells(key_rows: dict[str, Row], env: str, svc: str, differs: dict, names: list[str]) -> None:
    for k, r in key_rows.items():
        if k in differs:
            r.values[env] = f"running: {show(differs[k].get('running'))}"
            r.flagged.append(env)
            r.details.append(f"{env}: declared {show(differs[k].get('declared'))}, running {show(differs[k].get('running'))}")
            r.evidence.append(Evidence(env, "containers", "running-differs", service=svc, key=k,
                                       container=next(iter(names), None),
                                       value=plain({"declared": differs[k].get("declared"),
                                                    "running": differs[k].get("running")})))
        else:
            r.values[env] = "as declared"


def _health(containers: list[ContainerFacts]) -> str:
    if not containers:
        return "no containers"
    states = sorted({str(c.get("health") or _state(c)) for c in containers})
    restarts = sum(int(c.get("restart_count") or 0) for c in containers)
    return ", ".join(states) + (f" ({restarts} restarts)" if restarts else "")


def _state(container: ContainerFacts) -> str:
    state = str(container.get("state") or "unknown")
    code = container.get("exit_code")
    return f"{state} ({code})" if state in ("exited", "dead") and code is not None else state


def _undeclared_row(data: PerEnv) -> Row:
    row = _blank(data, "containers.undeclared", "Undeclared Containers")
    for env, d in data.items():
        if isinstance(d, dict):
            names = sorted(d.get("undeclared") or [])
            row.values[env] = ", ".join(names) if names else "none"
            if names:
                row.flagged.append(env)
                row.details.append(f"{env}: running but declared by no service: {', '.join(names)}")
                row.evidence.extend(Evidence(env, "containers", "undeclared-container", container=n) for n in names)
    if row.flagged:
        row.status, row.severity = Status.DRIFT, Severity.MODERATE
    return row


def _project_row(data: PerEnv) -> Row | None:
    """The checkout's containers run under another compose project name (started with another `-p`):
    a plain `docker compose up` there would start a second copy next to them."""
    if not any(isinstance(d, dict) and d.get("other_projects") for d in data.values()):
        return None
    row = _blank(data, "containers.project", "Compose project of the running containers")
    for env, d in data.items():
        if not isinstance(d, dict):
            continue
        declared = (d.get("compose") or {}).get("project")
        others = list(d.get("other_projects") or [])
        row.values[env] = ", ".join(others) if others else show(declared)
        if others:
            row.flagged.append(env)
            row.details.append(f"{env}: the checkout's containers run as compose project {', '.join(others)}, "
                               f"the compose model's project is {show(declared)}")
            row.evidence.append(Evidence(env, "containers", "other-project", key="project",
                                         value={"declared": declared, "running": others}))
    row.status, row.severity = Status.DRIFT, Severity.MODERATE
    return row


# --------------------------------------------------------------------------------------------------
# Drift under a moving tag: one image reference, different image ids
# --------------------------------------------------------------------------------------------------


def image_rows(view: View, data: PerEnv) -> list[Row]:
    """One row per image reference that runs as more than one image id across the environments.

    A reference of a service that builds its image is left out (each host builds its own, so the ids
    differ by design). Same reference and same id everywhere produces nothing.
    """
    per_env = {env: running_image_ids(d) for env, d in data.items() if isinstance(d, dict)}
    out: list[Row] = []
    for ref in sorted({r for ids in per_env.values() for r in ids}):
        where = {env: ids[ref] for env, ids in per_env.items() if ref in ids}
        distinct = {i for facts in where.values() for i in facts}
        if len(distinct) < 2 or (len(where) < 2 and all(len(f) < 2 for f in where.values())):
            continue
        out.append(_image_row(view, data, ref, where))
    return out


def _image_row(view: View, data: PerEnv, ref: str, where: dict[str, dict[str, dict]]) -> Row:
    row = _blank(data, f"containers.images.{ref}", f"Image {ref}: running image id")
    for env, d in data.items():
        if isinstance(d, dict) and env not in where:
            row.values[env] = "not running"
    for env, ids in where.items():
        row.values[env] = ", ".join(_id_text(i, f.get("repo_digest")) for i, f in sorted(ids.items()))
        row.flagged.append(env)
        for image_id, facts in sorted(ids.items()):
            row.evidence.append(Evidence(env, "containers", "image-id", key=ref, container=facts["containers"][0],
                                         value={"image_id": image_id, "repo_digest": facts.get("repo_digest"),
                                                "containers": facts["containers"]}))
    row.details.append(f"{ref} runs as different images: " + "; ".join(
        f"{env}: {row.values[env]}" for env in where) + " (the tag moved between pulls or builds)")
    row.status = Status.MISMATCH
    on_deployment = any(view.role(e) == "deployment" for e in where)
    row.severity = Severity.CRITICAL if on_deployment else Severity.MODERATE
    return row


def _id_text(image_id: str, digest: str | None) -> str:
    short = image_id.removeprefix("sha256:")[:12]
    return f"{short} ({digest})" if digest else short


def running_image_ids(d: ContainersData) -> dict[str, dict[str, dict]]:
    """Image reference -> image id -> {containers, repo_digest} over the running containers of one
    environment's services (compose containers and containers outside compose), leaving out services
    that build their image and containers created from a bare image id. Other projects' containers on
    the same engine are not this deployment's."""
    services = (d.get("services") or {}).values()
    built = {n for info in services if info.get("build")
             for n in [*(info.get("containers") or []), *(s.get("container") for s in info.get("outside_compose") or [])]}
    mine = {n for info in services
            for n in [*(info.get("containers") or []), *(s.get("container") for s in info.get("outside_compose") or [])]}
    images = d.get("images") or {}
    out: dict[str, dict[str, dict]] = {}
    for c in d.get("containers") or []:
        ref, image_id, name = c.get("image"), c.get("image_id"), c.get("name")
        if c.get("state") != "running" or name not in mine or name in built or not ref or not image_id \
                or str(ref).startswith("sha256:"):
            continue
        key = normalize_image(str(ref)) or str(ref)
        facts = out.setdefault(key, {}).setdefault(str(image_id), {"containers": [], "repo_digest": None})
        facts["containers"].append(name)
        known = images.get(str(image_id))
        digests = (known["repo_digests"] if known else []) or c.get("repo_digests") or []
        facts["repo_digest"] = facts["repo_digest"] or repo_digest(key, digests)
    return out

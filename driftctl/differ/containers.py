"""Container rows: running containers against the services declared in the resolved compose model.

What the containers collector reports as `differs` (declared vs running) and containers no service
declares are DRIFT on that host; a declared service with nothing running is DRIFT too; an unhealthy
or restarting container is BROKEN. Git environments run nothing and are left out.
"""

from __future__ import annotations

from driftctl.differ.common import View, plain, show
from driftctl.evidence import Evidence
from driftctl.matrix import Row, Severity, Status

CRITICAL_KEYS = frozenset({"command", "entrypoint", "image"})
BAD_STATES = frozenset({"restarting", "exited", "dead"})


def rows(view: View) -> list[Row]:
    data = view.per_env("containers")
    known = {e: d for e, d in data.items() if isinstance(d, dict)}
    if not known:
        return []
    services = sorted({s for d in known.values() for s in (d.get("services") or {})})
    out: list[Row] = []
    for svc in services:
        out.extend(_service_rows(svc, data))
    out.append(_undeclared_row(data))
    return out


def _blank(data: dict, component: str, title: str) -> Row:
    return Row(component=component, title=title, values={e: show(d) for e, d in data.items() if not isinstance(d, dict)},
               sources={e: "containers: docker inspect" for e in data})


def _service_rows(svc: str, data: dict) -> list[Row]:
    base = f"containers.services.{svc}"
    running = _blank(data, f"{base}.running", f"{svc}: running")
    health = _blank(data, f"{base}.health", f"{svc}: health")
    keys = sorted({k for d in data.values() if isinstance(d, dict)
                   for k in (((d.get("services") or {}).get(svc) or {}).get("differs") or {})})
    key_rows = {k: _blank(data, f"{base}.{k}", f"{svc}: running {k}") for k in keys}
    for env, d in data.items():
        if not isinstance(d, dict):
            continue
        info = (d.get("services") or {}).get(svc)
        if info is None:
            for r in (running, health, *key_rows.values()):
                r.values[env] = "(not declared)"
            continue
        names = info.get("containers") or []
        mine = [c for c in d.get("containers") or [] if c.get("name") in names]
        running.values[env] = f"running ({len(names)})" if info.get("running") else "not running"
        if not info.get("running"):
            running.flagged.append(env)
            running.details.append(f"{env}: {svc} is declared but no container runs it")
            running.evidence.append(Evidence(env, "containers", "not-running", service=svc,
                                             container=next(iter(names), None)))
        health.values[env] = _health(mine)
        bad = [c for c in mine if c.get("health") == "unhealthy" or c.get("state") in BAD_STATES]
        if bad:
            health.flagged.append(env)
            health.details.extend(f"{env}: {c.get('name')} is {c.get('health') or c.get('state')}, "
                                  f"{c.get('restart_count', 0)} restarts" for c in bad)
            health.evidence.extend(Evidence(env, "containers", "container", container=c.get("name"), service=svc,
                                            value={"state": c.get("state"), "health": c.get("health"),
                                                   "restart_count": int(c.get("restart_count") or 0)})
                                   for c in bad)
        differs = info.get("differs") or {}
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
    if running.flagged:
        running.status, running.severity = Status.DRIFT, Severity.MODERATE
    if health.flagged:
        health.status, health.severity = Status.BROKEN, Severity.CRITICAL
    for k, r in key_rows.items():
        r.status = Status.DRIFT
        r.severity = Severity.CRITICAL if k in CRITICAL_KEYS else Severity.MODERATE
    return [running, health, *key_rows.values()]


def _health(containers: list[dict]) -> str:
    if not containers:
        return "no containers"
    states = sorted({str(c.get("health") or c.get("state") or "unknown") for c in containers})
    restarts = sum(int(c.get("restart_count") or 0) for c in containers)
    return ", ".join(states) + (f" ({restarts} restarts)" if restarts else "")


def _undeclared_row(data: dict) -> Row:
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

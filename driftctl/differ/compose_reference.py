"""Does driftctl's own Compose resolution agree with `docker compose config` on each host?

The compose collector records Docker's answer where the host has Compose v2 (by default resolved
by driftctl with the host's shell variables, as Docker would; `compose_reference: docker` runs it). A disagreement means a
diff row about compose may not describe what Docker would run there (a shell variable on the host, a
Compose version with other rules), so it is reported, with the keys, as a low MISMATCH.
"""

from __future__ import annotations

from driftctl.differ.common import View
from driftctl.evidence import Evidence
from driftctl.matrix import NOT_APPLICABLE, Row, Severity, Status


def rows(view: View) -> list[Row]:
    data = view.per_env("compose")
    refs = {e: d.get("reference") for e, d in data.items() if isinstance(d, dict) and d.get("reference")}
    if not refs:
        return []
    row = Row(component="compose.reference", title="Compose Resolution vs docker compose config", values={},
              sources={e: _source(r) for e, r in refs.items()})
    for env in view.envs:
        ref = refs.get(env)
        if ref is None:
            row.values[env] = NOT_APPLICABLE
        elif ref.get("error"):
            row.values[env] = "docker compose failed"
            row.details.append(f"{env}: docker compose config failed: {ref['error']}")
        elif ref.get("differences"):
            row.values[env] = f"differs on {len(ref['differences'])} keys"
            row.flagged.append(env)
            row.details.append(f"{env}: " + ", ".join(ref["differences"][:20]))
            row.evidence.extend(Evidence(env, "compose", "resolution-differs", key=str(k)) for k in ref["differences"])
        else:
            row.values[env] = "agrees"
    if row.flagged:
        row.status, row.severity = Status.MISMATCH, Severity.LOW
    return [row]


def _source(reference: object) -> str:
    """Where the reference came from: the host's own `docker compose config`, or driftctl's resolution
    with the host's shell variables (`compose_reference: model`, no Go program on the host)."""
    tool = reference.get("tool") if isinstance(reference, dict) else None
    if tool == "docker compose":
        return "compose: docker compose config --format json"
    return f"compose: {tool} (the host's shell variables)"

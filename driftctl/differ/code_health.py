"""Code-health rows: Python imports that name a module no file provides (BROKEN where it happens).

One row per checked service; its details name the importing file, the line and the missing module.
"""

from __future__ import annotations

import posixpath

from driftctl.differ.common import View, show
from driftctl.evidence import Evidence
from driftctl.matrix import Row, Severity, Status


def rows(view: View) -> list[Row]:
    data = view.per_env("code_health")
    known = {e: d for e, d in data.items() if isinstance(d, dict)}
    if not known:
        return []
    services: set[str] = set()
    for d in known.values():
        services |= {posixpath.basename(r.rstrip("/")) for r in d.get("roots") or []}
        services |= {m.get("service") for m in d.get("missing") or [] if m.get("service")}
    return [_row(svc, data) for svc in sorted(services)]


def _row(svc: str, data: dict) -> Row:
    row = Row(component=f"code_health.{svc}", title=f"Imports ({svc})", values={},
              sources={e: "code_health: import check of the service's Python files" for e in data})
    for env, d in data.items():
        if not isinstance(d, dict):
            row.values[env] = show(d)
            continue
        checked = {posixpath.basename(r.rstrip("/")) for r in d.get("roots") or []}
        missing = [m for m in d.get("missing") or [] if m.get("service") == svc]
        if missing:
            row.flagged.append(env)
            row.values[env] = "; ".join(f"missing {m.get('module')} ({m.get('file')}:{m.get('line')})" for m in missing)
            row.details.extend(f"{env}: {m.get('file')}:{m.get('line')} imports {m.get('module')}, which no file provides"
                               for m in missing)
            row.evidence.extend(
                Evidence(env, "code_health", "missing-import", path=str(m.get("file")) if m.get("file") else None,
                         line=m.get("line") if isinstance(m.get("line"), int) else None, module=m.get("module"),
                         service=svc)
                for m in missing)
            row.sources[env] = "code_health: " + ", ".join(sorted({f"{m.get('file')}:{m.get('line')}" for m in missing}))
        else:
            row.values[env] = "ok" if svc in checked else "(not checked)"
    if row.flagged:
        row.status, row.severity = Status.BROKEN, Severity.CRITICAL
    return row

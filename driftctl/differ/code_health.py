"""Code-health rows: Python imports that name a module no file provides (BROKEN where it happens).

One row per checked service; its details name the importing file, the line and the missing module.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from driftctl.differ.common import Marker, View, show
from driftctl.evidence import Evidence
from driftctl.matrix import Row, Severity, Status

if TYPE_CHECKING:
    from driftctl.collectors.code_health import CodeHealthData


def rows(view: View) -> list[Row]:
    data = view.per_env("code_health")
    known = {e: d for e, d in data.items() if isinstance(d, dict)}
    if not known:
        return []
    services: set[str] = set()
    for d in known.values():
        services |= {posixpath.basename(r.rstrip("/")) for r in d.get("roots") or []}
        services |= {m.get("service") for m in d.get("missing") or [] if m.get("service")}
    out: list[Row] = []
    for svc in sorted(services):
        out.append(_row(svc, data))
        if any(isinstance(d, dict) and "commit" in d for d in data.values()):
            out.append(_commit_row(view, svc, data))
    return out


def _commit_row(view: View, svc: str, data: dict[str, CodeHealthData | Marker]) -> Row:
    """The deployed commit needs files that are not committed: it is broken without them (a fresh
    checkout, a rebuild from git, a rollback all lose them). Only where the work tree still resolves;
    what is broken in the work tree too is the row above. Counted on deployments (critical); on a
    development checkout uncommitted files are work in progress, shown but not counted (once that
    commit reaches the hub or a deployment, it is checked there)."""
    row = Row(component=f"code_health.{svc}.commit", title=f"Imports at the deployed commit ({svc})", values={},
              sources={e: "code_health: git ls-tree HEAD + git show HEAD:<file> vs the work tree" for e in data})
    for env, d in data.items():
        if not isinstance(d, dict) or "commit" not in d:
            row.values[env] = show(d) if not isinstance(d, dict) else "(n/a)"
            continue
        commit = d["commit"]
        needs = [m for m in commit.get("needs_uncommitted") or [] if m.get("service") == svc]
        if not needs:
            row.values[env] = "ok"
            continue
        deployment = view.role(env) == "deployment"
        if deployment:
            row.flagged.append(env)
        sha = str(commit.get("sha") or "")[:8]
        row.values[env] = "; ".join(f"needs uncommitted {', '.join(m.get('provided_by') or []) or m.get('module')}"
                                    f" ({m.get('file')}:{m.get('line')})" for m in needs)
        if not deployment:
            row.values[env] += " (development checkout: not counted)"
        for m in needs:
            row.evidence.append(Evidence(
                env, "code_health", "import-needs-uncommitted", path=str(m.get("file")) if m.get("file") else None,
                line=m.get("line") if isinstance(m.get("line"), int) else None, module=m.get("module"), service=svc,
                commit=str(commit.get("sha") or "") or None, value=list(m.get("provided_by") or [])))
            by = ", ".join(m.get("provided_by") or []) or "a file that is not committed"
            row.details.append(f"{env}: commit {sha}: {m.get('file')}:{m.get('line')} imports {m.get('module')}, "
                               f"which only {by} provides (untracked or modified): the commit is broken without it")
    if row.flagged:
        row.status, row.severity = Status.DRIFT, Severity.CRITICAL
    elif row.details:
        row.status = Status.DRIFT  # severity none: shown, not counted
    return row


def _row(svc: str, data: dict[str, CodeHealthData | Marker]) -> Row:
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

"""File rows: uncommitted work on each host (DRIFT) and file sets/contents between environments.

Paths are grouped by folder (two levels deep, top-level files together) so one row per group stays
readable. Paths with uncommitted changes in any environment are reported by the worktree rows only,
so one hand-made file is never counted twice.
"""

from __future__ import annotations

import posixpath
from itertools import combinations
from typing import TYPE_CHECKING

from driftctl.differ.common import NA, UNKNOWN, Marker, View, show
from driftctl.evidence import Evidence
from driftctl.matrix import Row, Severity, Status

if TYPE_CHECKING:
    from driftctl.collectors.files import FileEntry

    Changes = dict[str, dict[str, str] | Marker]  # per environment: {path: modified|deleted|untracked}
    Inventories = dict[str, dict[str, FileEntry] | Marker]

ROOT_GROUP = "(root)"
MAX_DETAILS = 20


def group_of(path: str) -> str:
    """`services/market-data/x/y.py` -> `services/market-data`; `compose.yml` -> `(root)`."""
    folder = posixpath.dirname(path)
    if not folder:
        return ROOT_GROUP
    return "/".join(folder.split("/")[:2])


def rows(view: View) -> list[Row]:
    changes = _changes(view)
    return [*_worktree_rows(view, changes), *_file_set_rows(view, changes)]


def _changes(view: View) -> Changes:
    """Per environment: {path: modified|deleted|untracked}, or UNKNOWN / NA."""
    out: Changes = {}
    for env in view.envs:
        if not view.has_worktree(env):
            out[env] = NA
            continue
        files = view.data(env, "files")
        git = view.data(env, "git")
        if files is not None and files.get("git"):
            out[env] = dict(files.get("changed") or {})
        elif git is not None:
            changed: dict[str, str] = {p: "modified" for p in git.get("modified") or []}
            changed.update({p: "untracked" for p in git.get("untracked") or []})
            out[env] = changed
        elif files is not None or view.state(env, "git") == "skipped":
            out[env] = NA  # not a git checkout: nothing is "committed" there
        else:
            out[env] = UNKNOWN
    return out


def _worktree_rows(view: View, changes: Changes) -> list[Row]:
    groups = sorted({group_of(p) for c in changes.values() if isinstance(c, dict) for p in c})
    rows = []
    for group in groups:
        values: dict[str, str] = {}
        flagged: list[str] = []
        details: list[str] = []
        facts: list[Evidence] = []
        critical = False
        for env, c in changes.items():
            if not isinstance(c, dict):
                values[env] = show(c)
                continue
            mine = {p: k for p, k in sorted(c.items()) if group_of(p) == group}
            if not mine:
                values[env] = "clean"
                continue
            flagged.append(env)
            critical = critical or any(k != "untracked" for k in mine.values())
            values[env] = _summarize_changes(mine)
            details.extend(f"{env}: {kind} {path}" for path, kind in mine.items())
            facts.extend(Evidence(env, "files", "untracked", path=path) if kind == "untracked"
                         else Evidence(env, "files", "uncommitted", path=path, value=kind) for path, kind in mine.items())
        title = f"Uncommitted Changes ({'top-level files' if group == ROOT_GROUP else group})"
        rows.append(Row(
            component=f"worktree.{group}", title=title, values=values, status=Status.DRIFT,
            severity=Severity.CRITICAL if critical else Severity.MODERATE, details=_cap(details),
            sources={e: "git: git status --porcelain=v1 --untracked-files=all" for e in changes}, flagged=flagged,
            evidence=facts,
        ))
    return rows


def _summarize_changes(mine: dict[str, str]) -> str:
    by_kind: dict[str, list[str]] = {}
    for path, kind in mine.items():
        by_kind.setdefault(kind, []).append(posixpath.basename(path))
    parts = []
    for kind in ("modified", "deleted", "untracked"):
        names = by_kind.get(kind)
        if names:
            shown = ", ".join(names[:3]) + (f" (+{len(names) - 3})" if len(names) > 3 else "")
            parts.append(f"{kind}: {shown}")
    return "; ".join(parts)


def _digest(info: FileEntry) -> str:
    """What makes two entries of one path the same: the content's hash (or fingerprint); for anything
    never opened its type, and for a symlink also where it points."""
    if "type" in info:
        return f"{info['type']}:{info.get('target', '')}" if info["type"] == "symlink" else info["type"]
    return str(info.get("sha256") or info.get("fingerprint") or "")


def _file_set_rows(view: View, changes: Changes) -> list[Row]:
    inventories: Inventories = {}
    for env in view.envs:
        d = view.data(env, "files")
        if d is not None:
            inventories[env] = d.get("files") or {}
        else:
            inventories[env] = UNKNOWN if view.state(env, "files") == "error" else NA
    known = {e: inv for e, inv in inventories.items() if isinstance(inv, dict)}
    if not known:
        return []
    uncommitted = {p for c in changes.values() if isinstance(c, dict) for p in c}
    paths_by_group: dict[str, set[str]] = {}
    for inv in known.values():
        for p in inv:
            if p not in uncommitted:
                paths_by_group.setdefault(group_of(p), set()).add(p)
    return [_group_row(view, group, sorted(paths), inventories) for group, paths in sorted(paths_by_group.items())]


def _group_row(view: View, group: str, paths: list[str], inventories: Inventories) -> Row:
    known = {e: inv for e, inv in inventories.items() if isinstance(inv, dict)}
    present = {e: {p for p in paths if p in inv} for e, inv in known.items()}
    differing = [p for p in paths if len({_digest(inv[p]) for inv in known.values() if p in inv}) > 1]
    partial = [p for p in paths if any(p not in s for s in present.values())]
    diverged = any(present[a] - present[b] and present[b] - present[a] for a, b in combinations(known, 2))
    label = "top-level files" if group == ROOT_GROUP else group
    row = Row(component=f"files.{group}", title=f"Files ({label})", values={},
              sources={e: _files_source(view, e) for e in inventories})
    for env, inv in inventories.items():
        if not isinstance(inv, dict):
            row.values[env] = show(inv)
            continue
        mine = present[env]
        text = (f"{len(mine)} file" + ("s" if len(mine) != 1 else "")) if mine else "no files"
        lacks = sum(1 for p in partial if p not in mine)
        extra = sum(1 for p in partial if p in mine)
        changed = sum(1 for p in differing if p in mine)
        if len(known) == 2:
            text += f", {extra} only here" if extra else ""
        elif extra:
            text += f", {extra} not everywhere"
        text += f", {changed} differ" if changed else ""
        text += f", lacks {lacks}" if lacks else ""
        row.values[env] = text
    if diverged:
        row.status, row.severity = Status.DIVERGED, Severity.CRITICAL
    elif partial:
        row.status, row.severity = Status.MISSING, Severity.MODERATE
    elif differing:
        row.status, row.severity = Status.MISMATCH, Severity.MODERATE
    details = []
    for p in partial:
        have = [e for e in known if p in present[e]]
        lack = [e for e in known if p not in present[e]]
        details.append(f"{p}: only in {', '.join(have)} (not in {', '.join(lack)})")
    for p in differing:
        groups: dict[str, list[str]] = {}
        for e, inv in known.items():
            if p in inv:
                groups.setdefault(_digest(inv[p]), []).append(e)
        details.append(f"{p}: content differs ({' | '.join(' = '.join(g) for g in groups.values())})")
    row.details = _cap(details)
    if len(known) > 1:
        for p in partial:
            row.evidence.extend(Evidence(e, "files", "file-only-here", path=p) for e in known if p in present[e])
        for p in differing:
            row.evidence.extend(Evidence(e, "files", "content-differs", path=p, value=_digest(inv[p]))
                                for e, inv in known.items() if p in inv)
    return row


def _files_source(view: View, env: str) -> str:
    if view.caps(env).revision:
        return "files: git archive (the configured ref)"
    return "files: git ls-files --cached --others + sha256sum"


def _cap(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_DETAILS:
        return lines
    return lines[:MAX_DETAILS] + [f"... and {len(lines) - MAX_DETAILS} more"]

"""Git rows: current branch, deployed commit (and how the commits relate), upstream tracking.

Commits are content-addressed, so the graphs of all snapshots are merged: whichever environment
holds both histories can tell whether one commit is behind the other or both have diverged.
"""

from __future__ import annotations

from itertools import combinations

from driftctl.differ.common import ABSENT, NA, View, show, value_row
from driftctl.matrix import Row, Severity, Status


def rows(view: View) -> list[Row]:
    data = view.per_env("git")
    if all(d is NA for d in data.values()):
        return []
    relations = Relations(view, data)
    branch = _branch_row(view, data, relations)
    head = _head_row(view, data, relations, branch_differs=branch.status is not Status.IN_SYNC)
    return [branch, head, *_upstream_rows(view, data)]


def _branch_name(view: View, env: str, d: dict) -> str:
    if d.get("branch"):
        return str(d["branch"])
    return "(remote default branch)" if view.transport(env) == "git" else "(detached HEAD)"


def _branch_row(view: View, data: dict, relations: Relations) -> Row:
    values = {e: (_branch_name(view, e, d) if isinstance(d, dict) else d) for e, d in data.items()}
    sources = {
        e: "git: git ls-remote (the configured ref)" if view.transport(e) == "git" else "git: git rev-parse --abbrev-ref HEAD"
        for e in data
    }
    row = value_row("git.branch", "Current Branch", values, status=Status.DIVERGED, severity=Severity.CRITICAL,
                    sources=sources)
    if row.status is not Status.IN_SYNC:
        row.details.extend(relations.describe())
    return row


def _head_row(view: View, data: dict, relations: Relations, *, branch_differs: bool) -> Row:
    shas = {e: (((d.get("head") or {}).get("sha")) or ABSENT) if isinstance(d, dict) else d for e, d in data.items()}
    row = value_row("git.head", "Deployed Commit", shas, status=Status.MISMATCH, severity=Severity.MODERATE,
                    sources={e: "git: git log -1 --format=%H" for e in data})
    row.values = {e: (s[:8] if isinstance(s, str) else row.values[e]) for e, s in shas.items()}
    for e, d in data.items():
        head = (d.get("head") or {}) if isinstance(d, dict) else {}
        if head.get("subject") and row.status is not Status.IN_SYNC:
            row.details.append(f"{e}: {head.get('short', '')} {head['subject']} ({head.get('date', '')})")
    if row.status is Status.IN_SYNC:
        return row
    row.details.extend(relations.describe())
    if relations.any_diverged():
        row.status, row.severity = Status.DIVERGED, Severity.CRITICAL
    if branch_differs:
        row.severity = Severity.NONE
        row.details.append("not counted separately: the environments are on different branches (see git.branch)")
    return row


def _upstream_rows(view: View, data: dict) -> list[Row]:
    values: dict[str, object] = {}
    flagged: list[str] = []
    details: list[str] = []
    for env, d in data.items():
        if not isinstance(d, dict) or not view.has_worktree(env):
            values[env] = d if not isinstance(d, dict) else NA
            continue
        info = (d.get("branches") or {}).get(d.get("branch") or "", {})
        upstream, ahead, behind = info.get("upstream"), info.get("ahead"), info.get("behind")
        if not upstream or ahead is None:
            values[env] = "no upstream"
            continue
        values[env] = f"{upstream} +{ahead} -{behind}"
        if ahead:
            flagged.append(env)
            details.append(f"{env}: {ahead} commit(s) on {d.get('branch')} not pushed to {upstream}")
        if behind:
            details.append(f"{env}: {behind} commit(s) of {upstream} not pulled")
    row = Row(component="git.upstream", title="Unpushed Commits",
              values={e: show(v) for e, v in values.items()},
              sources={e: "git: git for-each-ref (upstream:track)" for e in data}, details=details)
    if flagged:
        row.status, row.severity, row.flagged = Status.DRIFT, Severity.LOW, flagged
    if all(v is NA or v == "no upstream" for v in values.values()):
        return []
    return [row]


class Relations:
    """Ancestry questions over the union of every snapshot's commit graph."""

    def __init__(self, view: View, data: dict):
        self.heads: dict[str, str] = {}
        self.graphs: dict[str, dict[str, list[str]]] = {}
        self.graph: dict[str, list[str]] = {}
        for env, d in data.items():
            if not isinstance(d, dict):
                continue
            sha = (d.get("head") or {}).get("sha")
            if sha:
                self.heads[env] = sha
            g = d.get("graph") or {}
            self.graphs[env] = g
            for commit, parents in g.items():
                self.graph.setdefault(commit, list(parents))
        self._anc: dict[str, set[str]] = {}
        self._view = view

    def ancestors(self, sha: str) -> set[str]:
        if sha not in self._anc:
            seen: set[str] = set()
            stack = [sha]
            while stack:
                c = stack.pop()
                if c in seen:
                    continue
                seen.add(c)
                stack.extend(self.graph.get(c, []))
            self._anc[sha] = seen
        return self._anc[sha]

    def holder(self, a: str, b: str) -> str | None:
        """An environment whose own history holds both commits."""
        for env, g in self.graphs.items():
            if a in g and b in g:
                return env
        return None

    def relation(self, a_env: str, b_env: str) -> tuple[str, int, int] | None:
        """(kind, a-only count, b-only count); kind: same | ahead | behind | diverged. None: unrelatable."""
        a, b = self.heads.get(a_env), self.heads.get(b_env)
        if not a or not b:
            return None
        if a == b:
            return ("same", 0, 0)
        if a not in self.graph or b not in self.graph:
            return None
        anc_a, anc_b = self.ancestors(a), self.ancestors(b)
        a_only, b_only = len(anc_a - anc_b), len(anc_b - anc_a)
        if b in anc_a:
            return ("ahead", a_only, 0)
        if a in anc_b:
            return ("behind", 0, b_only)
        return ("diverged", a_only, b_only)

    def any_diverged(self) -> bool:
        return any((r := self.relation(a, b)) is not None and r[0] == "diverged"
                   for a, b in combinations(list(self.heads), 2))

    def describe(self) -> list[str]:
        out: list[str] = []
        envs = list(self.heads)
        for a, b in combinations(envs, 2):
            rel = self.relation(a, b)
            ha, hb = self.heads[a][:8], self.heads[b][:8]
            if rel is None:
                out.append(f"{a} ({ha}) and {b} ({hb}): relation unknown (no snapshot holds both histories)")
                continue
            kind, a_only, b_only = rel
            where = self.holder(self.heads[a], self.heads[b])
            via = f" (history of {where})" if where else " (combined histories)"
            if kind == "same":
                continue
            if kind == "ahead":
                out.append(f"{a} ({ha}) is ahead of {b} ({hb}) by {a_only} commit(s){via}")
            elif kind == "behind":
                out.append(f"{a} ({ha}) is behind {b} ({hb}) by {b_only} commit(s){via}")
            else:
                out.append(f"{a} ({ha}) and {b} ({hb}) have diverged: {a} has {a_only} commit(s) {b} lacks, "
                           f"{b} has {b_only} commit(s) {a} lacks{via}")
        return out

"""Git rows: current branch, deployed commit (and how the commits relate), upstream tracking.

Commits are content-addressed, so the graphs of all snapshots are merged: whichever environment
holds both histories can tell whether one commit is behind the other or both have diverged.
"""

from __future__ import annotations

import re
from itertools import combinations
from typing import TYPE_CHECKING

from driftctl.differ.common import ABSENT, NA, Marker, View, show, value_row
from driftctl.evidence import Evidence
from driftctl.matrix import Row, Severity, Status

if TYPE_CHECKING:
    from driftctl.collectors.git import GitBranch, GitCommit, GitData, GitHead

    PerEnv = dict[str, GitData | Marker]


def rows(view: View) -> list[Row]:
    data = view.per_env("git")
    if all(d is NA for d in data.values()):
        return []
    relations = Relations(view, data)
    only = deployment_only(view, data)
    branch = _branch_row(view, data, relations)
    counted = {**unpushed_counted(view, data), **only}
    head = _head_row(view, data, relations, branch_differs=branch.is_finding, only=counted)
    return [branch, head, *_only_rows(view, data, only), *_stash_rows(view, data), *_release_rows(data),
            *_upstream_rows(view, data, only)]


def _head(d: GitData) -> GitHead | dict[str, str]:
    """HEAD's commit facts ({} in an empty repository)."""
    return d.get("head") or {}


def head_sha(d: GitData) -> str | None:
    return _head(d).get("sha")


def current_branch(d: GitData) -> GitBranch | None:
    """The checked-out branch's upstream facts (None when detached or not among the branches)."""
    return (d.get("branches") or {}).get(d.get("branch") or "")


def described_as(d: GitData) -> str | None:
    """`v1.2` when HEAD is the tag, `v1.2+3` three commits after it; None without a reachable tag."""
    described = d.get("describe")
    if not described or not described.get("tag"):
        return None
    after = described.get("after") or 0
    return described["tag"] if not after else f"{described['tag']}+{after}"


def ref_name(view: View, env: str, d: GitData) -> str:
    """The deployed ref as users name it: the branch, else the release tag HEAD sits on (or the tag
    plus the commits after it, from `git describe --tags`), else a detached HEAD."""
    branch = d.get("branch")
    if branch and branch in (d.get("tags") or {}) and view.caps(env).revision:
        return f"{branch} (tag)"
    if branch:
        return str(branch)
    described = d.get("describe")
    if described and described.get("tag"):
        after = described.get("after") or 0
        return f"{described['tag']} (tag)" if not after else f"{described['tag']}+{after} (detached)"
    return "(remote default branch)" if view.caps(env).revision else "(detached HEAD)"


def _branch_row(view: View, data: PerEnv, relations: Relations) -> Row:
    values = {e: (ref_name(view, e, d) if isinstance(d, dict) else d) for e, d in data.items()}
    sources = {
        e: "git: git ls-remote (the configured ref)" if view.caps(e).revision
        else "git: git rev-parse --abbrev-ref HEAD; git describe --tags"
        for e in data
    }
    row = value_row("git.branch", "Current Branch", values, status=Status.DIVERGED, severity=Severity.CRITICAL,
                    sources=sources)
    row.evidence = [Evidence(e, "git", "branch", value=d.get("branch") or None, commit=head_sha(d))
                    for e, d in data.items() if isinstance(d, dict)]
    if row.status is Status.IN_SYNC:
        return row
    detached = [e for e, v in values.items() if isinstance(v, str) and v.endswith(("(tag)", "(detached)"))]
    if not detached and relations.all_linear():
        # Different branch names over one line of history (a `production` branch, a feature branch
        # ahead of main): no divergence; the commit difference is counted on git.head.
        same_head = len(set(relations.heads.values())) == 1
        # the same commit on another branch: only this row can say so (low); else git.head counts it
        row.status, row.severity = Status.MISMATCH, (Severity.LOW if same_head else Severity.NONE)
        row.details.append("different branches over a linear history: the commits are compared on git.head")
    elif detached and not relations.any_diverged():
        # Deploying by tag is a way of working, not a divergence: the commits themselves are compared
        # (and counted) on git.head.
        row.status, row.severity = Status.MISMATCH, Severity.NONE
        row.details.append(f"{', '.join(detached)} deployed by tag or at a detached commit; the histories are "
                           "linear, so the commits are compared on git.head")
    row.details.extend(relations.describe())
    return row


def _head_row(view: View, data: PerEnv, relations: Relations, *, branch_differs: bool,
              only: dict[str, list[GitCommit]]) -> Row:
    shas = {e: (head_sha(d) or ABSENT) if isinstance(d, dict) else d for e, d in data.items()}
    row = value_row("git.head", "Deployed Commit", shas, status=Status.MISMATCH, severity=Severity.MODERATE,
                    sources={e: "git: git log -1 --format=%H" for e in data})
    row.values = {e: (s[:8] if isinstance(s, str) else row.values[e]) for e, s in shas.items()}
    row.evidence = [Evidence(e, "git", "head", commit=s) if isinstance(s, str) else Evidence(e, "git", "absent", key="head")
                    for e, s in shas.items() if isinstance(s, str) or s is ABSENT]
    for e, d in data.items():
        head = _head(d) if isinstance(d, dict) else {}
        if head.get("subject") and row.status is not Status.IN_SYNC:
            named = ref_name(view, e, d) if isinstance(d, dict) else ""
            at = f" at {named}" if named.endswith(("(tag)", "(detached)")) else ""
            row.details.append(f"{e}: {head.get('short', '')} {head['subject']} ({head.get('date', '')}){at}")
    if row.status is Status.IN_SYNC:
        return row
    row.details.extend(relations.describe())
    if relations.any_diverged():
        row.status, row.severity = Status.DIVERGED, Severity.CRITICAL
    if branch_differs:
        row.severity = Severity.NONE
        row.details.append("not counted separately: the environments are on different branches (see git.branch)")
    elif only and relations.explained_by(only):
        row.severity = Severity.NONE
        row.details.append("not counted separately: the heads differ only by commits counted on "
                           "git.deployment_only or git.upstream (not pushed)")
    return row


def deployment_only(view: View, data: PerEnv) -> dict[str, list[GitCommit]]:
    """Per deployment: commits reachable from its HEAD or branches and from nowhere else (no
    remote-tracking ref there, no other environment's history: not the hub, not a laptop)."""
    out: dict[str, list[GitCommit]] = {}
    for env, d in data.items():
        if not isinstance(d, dict) or view.role(env) != "deployment" or not view.has_worktree(env):
            continue
        elsewhere: set[str] = set()
        for other, od in data.items():
            if other != env and isinstance(od, dict):
                elsewhere.update(od.get("graph") or {})
        unique = [c for c in d.get("local_only") or [] if c.get("sha") and c["sha"] not in elsewhere]
        if unique:
            out[env] = unique
    return out


def unpushed_counted(view: View, data: PerEnv) -> dict[str, list[GitCommit]]:
    """Per checkout whose current branch is ahead of its upstream: the commits git.upstream counts.

    They are the commits of HEAD that the upstream lacks, wherever else they may be (a commit pushed
    to another branch of the hub is still not on this branch's upstream), plus the checkout's
    commits on no remote-tracking ref. A head difference made only of them is not counted again.
    """
    out: dict[str, list[GitCommit]] = {}
    for env, d in data.items():
        if not isinstance(d, dict) or not view.has_worktree(env):
            continue
        info = current_branch(d)
        if not (info and info.get("upstream") and info.get("ahead")):
            continue
        commits = [c for c in d.get("local_only") or [] if c.get("sha")]
        graph = d.get("graph") or {}
        head = head_sha(d)
        upstream_sha = (d.get("remote_tracking") or {}).get(str(info.get("upstream")))
        if head and upstream_sha and head in graph and upstream_sha in graph:
            known = {c["sha"] for c in commits}
            ahead: list[GitCommit] = [{"sha": c, "subject": "", "date": ""}
                                      for c in sorted(_ancestors(graph, head) - _ancestors(graph, upstream_sha))
                                      if c not in known]
            commits += ahead
        if commits:
            out[env] = commits
    return out


def _only_rows(view: View, data: PerEnv, only: dict[str, list[GitCommit]]) -> list[Row]:
    deployments = [e for e, d in data.items()
                   if isinstance(d, dict) and view.role(e) == "deployment" and view.has_worktree(e)]
    if not deployments:
        return []
    row = Row(component="git.deployment_only", title="Commits Only on a Deployment", values={},
              sources={e: "git: git log HEAD --branches --not --remotes" for e in data})
    for env, d in data.items():
        if env not in deployments:
            row.values[env] = show(d) if not isinstance(d, dict) else NA.display
            continue
        commits = only.get(env, [])
        row.values[env] = f"{len(commits)} commit(s)" if commits else "none"
        for c in commits:
            row.details.append(f"{env}: {c['sha'][:8]} {c.get('subject', '')} ({c.get('date', '')}) is reachable from "
                               "no remote-tracking ref and from no other environment: the only copy")
            row.evidence.append(Evidence(env, "git", "commit-only-here", commit=c["sha"]))
    if only:
        row.status, row.severity, row.flagged = Status.DRIFT, Severity.CRITICAL, sorted(only)
        row.details.append("secure these commits first (push them to a branch of the hub) before changing the deployment")
    return [row]


def _stash_rows(view: View, data: PerEnv) -> list[Row]:
    envs = [e for e, d in data.items() if isinstance(d, dict) and view.has_worktree(e)]
    if not envs:
        return []
    row = Row(component="git.stash", title="Stashes", values={},
              sources={e: "git: git stash list" for e in data})
    for env, d in data.items():
        if env not in envs or not isinstance(d, dict):
            row.values[env] = show(d) if not isinstance(d, dict) else NA.display
            continue
        stashes = d.get("stashes") or []
        row.values[env] = f"{len(stashes)} stash(es)" if stashes else "none"
        taken = _epoch(view.snapshots[env].get("collected_at"))
        for s in stashes:
            stamp = s.get("time")
            age = f", {max(0, int((taken - stamp) // 86400))} day(s) old" if taken and stamp else ""
            row.details.append(f"{env}: {s.get('ref', '')} {s.get('message', '')}{age}")
            row.evidence.append(Evidence(env, "git", "stash", key=str(s.get("ref") or ""), value=s.get("message")))
        if stashes:
            row.flagged.append(env)
    if row.flagged:
        on_deployment = any(view.role(e) == "deployment" for e in row.flagged)
        row.status, row.severity = Status.DRIFT, (Severity.MODERATE if on_deployment else Severity.LOW)
    return [row]


def _epoch(stamp: object) -> float | None:
    from datetime import datetime

    if not isinstance(stamp, str):
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


_RELEASE = re.compile(r"^v?(\d+(?:\.\d+)*)(?:[-.+]?(.*))?$")


def release_key(tag: str) -> tuple | None:
    """A sort key for tags that look like releases (`v1.2.3`, `2024.05.1`, `1.2.0-rc1`); None otherwise.
    A pre-release sorts before its release."""
    match = _RELEASE.match(tag)
    if not match:
        return None
    numbers = tuple(int(n) for n in match[1].split("."))
    return (numbers, 0 if match[2] else 1, match[2] or "")


def _release_rows(data: PerEnv, newest: int = 3) -> list[Row]:
    """Which release each environment runs, and where the newest releases run (information: the commit
    differences themselves are counted on git.head)."""
    tags: dict[str, str] = {}
    for d in data.values():
        if isinstance(d, dict):
            for tag, sha in (d.get("tags") or {}).items():
                if release_key(tag) is not None:
                    tags.setdefault(tag, sha)
    if not tags:
        return []
    heads = {e: head_sha(d) for e, d in data.items() if isinstance(d, dict)}
    values: dict[str, str] = {}
    for env, d in data.items():
        if not isinstance(d, dict):
            values[env] = show(d)
            continue
        described = d.get("describe")
        values[env] = (described_as(d) if described and described.get("tag") in tags else None) or "(no release tag)"
    ordered = sorted(tags, key=lambda t: release_key(t) or (), reverse=True)[:newest]
    details = []
    for tag in ordered:
        where = [e for e, sha in heads.items() if sha == tags[tag]]
        details.append(f"release {tag} ({tags[tag][:8]}) runs on: {', '.join(where) or 'nowhere'}")
    row = Row(component="git.releases", title="Releases", values=values, details=details,
              sources={e: "git: git describe --tags; tags of every environment" for e in data})
    if len(set(values.values())) > 1:
        row.status = Status.MISMATCH  # severity none: information; git.head counts the difference
    return [row]


def _upstream_rows(view: View, data: PerEnv, only: dict[str, list[GitCommit]]) -> list[Row]:
    graph: dict[str, list[str]] = {}
    for d in data.values():
        if isinstance(d, dict):
            for commit, parents in (d.get("graph") or {}).items():
                graph.setdefault(commit, list(parents))
    values: dict[str, object] = {}
    flagged: list[str] = []
    details: list[str] = []
    facts: list[Evidence] = []
    for env, d in data.items():
        if not isinstance(d, dict) or not view.has_worktree(env):
            values[env] = d if not isinstance(d, dict) else NA
            continue
        branch = d.get("branch") or ""
        info = current_branch(d)
        upstream, ahead, behind = (info.get("upstream"), info.get("ahead"), info.get("behind")) if info else (None, None, None)
        per_remote = _per_remote(d, branch, graph, skip=upstream)
        if not upstream or ahead is None:
            values[env] = "; ".join(per_remote) if per_remote else "no upstream"
            continue
        values[env] = "; ".join([f"{upstream} +{ahead} -{behind}", *per_remote])
        if ahead:
            facts.append(Evidence(env, "git", "unpushed", key=str(upstream), value=int(ahead),
                                  commit=head_sha(d)))
        if ahead and env in only:
            details.append(f"{env}: {ahead} commit(s) on {branch} not pushed to {upstream} "
                           "(counted on git.deployment_only)")
        elif ahead:
            flagged.append(env)
            details.append(f"{env}: {ahead} commit(s) on {branch} not pushed to {upstream}")
        if behind:
            details.append(f"{env}: {behind} commit(s) of {upstream} not pulled")
    row = Row(component="git.upstream", title="Unpushed Commits",
              values={e: show(v) for e, v in values.items()},
              sources={e: "git: git for-each-ref (upstream:track); remote-tracking refs per remote" for e in data},
              details=details, evidence=facts)
    if flagged:
        # unpushed work on a development checkout is worth knowing (low); a deployment that runs
        # commits its branch's upstream lacks loses them at the next deploy from that branch (moderate)
        on_deployment = any(view.role(e) == "deployment" for e in flagged)
        row.status, row.flagged = Status.DRIFT, flagged
        row.severity = Severity.MODERATE if on_deployment else Severity.LOW
    if all(v is NA or v == "no upstream" for v in values.values()):
        return []
    return [row]


def _per_remote(d: GitData, branch: str, graph: dict[str, list[str]], *, skip: str | None) -> list[str]:
    """`<remote>/<branch> +ahead -behind` for every remote holding the current branch, besides the upstream."""
    head = head_sha(d)
    if not branch or not head or head not in graph:
        return []
    out = []
    for name, sha in sorted((d.get("remote_tracking") or {}).items()):
        remote, _, rbranch = name.partition("/")
        if rbranch != branch or name == skip or sha not in graph:
            continue
        mine, theirs = _ancestors(graph, head), _ancestors(graph, sha)
        out.append(f"{name} +{len(mine - theirs)} -{len(theirs - mine)}")
    return out


def _ancestors(graph: dict[str, list[str]], sha: str) -> set[str]:
    seen: set[str] = set()
    stack = [sha]
    while stack:
        c = stack.pop()
        if c not in seen:
            seen.add(c)
            stack.extend(graph.get(c, []))
    return seen


class Relations:
    """Ancestry questions over the union of every snapshot's commit graph."""

    def __init__(self, view: View, data: PerEnv):
        self.heads: dict[str, str] = {}
        self.graphs: dict[str, dict[str, list[str]]] = {}
        self.graph: dict[str, list[str]] = {}
        for env, d in data.items():
            if not isinstance(d, dict):
                continue
            sha = head_sha(d)
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

    def explained_by(self, only: dict[str, list[GitCommit]]) -> bool:
        """Do the heads differ only by commits that exist on one deployment alone?"""
        unique = {c["sha"] for commits in only.values() for c in commits}
        envs = list(self.heads)
        for a, b in combinations(envs, 2):
            x, y = self.heads[a], self.heads[b]
            if x == y:
                continue
            if x not in self.graph or y not in self.graph:
                return False
            if (self.ancestors(x) ^ self.ancestors(y)) - unique:
                return False
        return True

    def all_linear(self) -> bool:
        """Every pair of heads is known and on one line of history (same, ahead or behind)."""
        pairs = list(combinations(list(self.heads), 2))
        return bool(pairs) and all((r := self.relation(a, b)) is not None and r[0] != "diverged" for a, b in pairs)

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

"""Git facts: current branch, HEAD, branches with upstream and ahead/behind, tags, remotes,
working-tree changes, and the commit graph (so the differ can relate commits across environments).

Also, in the same round (no extra round trip): the deployed ref as users name it (`git describe
--tags`: a release tag, or the tag plus the commits after it), stashes (count, messages, age), and the
commits reachable from this checkout's HEAD or branches but from no remote-tracking ref (`--not
--remotes`): the candidates for "exists only here", which the differ narrows further with the hub's
and the other environments' histories. Every command is read-only.
"""

import re
from collections.abc import Iterator
from dataclasses import replace

from typing_extensions import NotRequired, TypedDict

from driftctl.collectors.base import CollectContext, CollectGen, Collector, Skipped, require
from driftctl.errors import CollectorError
from driftctl.models import Command
from driftctl.secrets import redact_url

# --- the data this collector stores in a snapshot -------------------------------------------------
# What the git collector stores: refs, worktree state and the commit graph of one checkout or ref.
# (The differ and planner import these types under TYPE_CHECKING only. No `from __future__ import
# annotations` in this module: NotRequired must be evaluated for `__required_keys__` to be right.)


class GitHead(TypedDict):
    """`git log -1` of HEAD (or of the pinned commit of a git environment)."""

    sha: str
    short: str
    subject: str
    date: str  # author date, ISO 8601
    author: str


class GitBranch(TypedDict):
    """A local branch; `ahead`/`behind` are None without an upstream or when it is gone."""

    head: str
    upstream: str | None
    ahead: int | None
    behind: int | None


class GitDescribe(TypedDict):
    """`git describe --tags --long`: the newest reachable tag and how many commits follow it."""

    tag: str
    after: int


class GitStash(TypedDict):
    ref: str  # stash@{0}
    time: int | None  # unix seconds
    message: str


class GitCommit(TypedDict):
    """A commit reachable from HEAD or a branch but from no remote-tracking ref."""

    sha: str
    subject: str
    date: str


class GitStatus(TypedDict):
    """`git status --porcelain`: the work tree's changes (paths relative to the checkout)."""

    modified: list[str]  # tracked paths changed or deleted in the work tree
    untracked: list[str]


class GitData(GitStatus):
    branch: str | None  # None: detached HEAD
    head: GitHead | None  # None: no commit yet
    branches: dict[str, GitBranch]
    tags: dict[str, str]  # tag -> commit (annotated tags peeled)
    remote_tracking: dict[str, str]  # `origin/main` -> commit
    remotes: dict[str, str]  # name -> fetch URL, credentials fingerprinted
    graph: dict[str, list[str]]  # commit -> parents (at most GRAPH_LIMIT commits)
    # the three below are absent from snapshots saved before 2026-11-30
    describe: NotRequired[GitDescribe | None]
    stashes: NotRequired[list[GitStash]]
    local_only: NotRequired[list[GitCommit]]


GRAPH_LIMIT = 5000
# `%(HEAD)` is `*` on the branch HEAD is on: the current branch, exactly as git names it; that row
# alone also carries HEAD's subject, author date and author (what `git log -1` prints), so the batch
# need not start `git log -1` when HEAD is on a branch (see batch.SKIP_TESTS)
REF_FORMAT = ("%(refname)%00%(objectname)%00%(upstream)%00%(upstream:track,nobracket)%00%(*objectname)%00%(HEAD)"
              "%(if)%(HEAD)%(then)%00%(subject)%00%(authordate:iso-strict)%00%(authorname)%(end)")
HEAD_FORMAT = "%H%x00%s%x00%aI%x00%an"
STASH_FORMAT = "%gd%x00%ct%x00%gs"
LOCAL_ONLY_LIMIT = 200
LOCAL_ONLY_FORMAT = "%H%x00%s%x00%aI"


class GitCollector(Collector):
    name = "git"
    data_type = GitData

    def collect(self, ctx: CollectContext) -> CollectGen[GitData]:
        if ctx.caps.revision:
            return (yield from self._remote(ctx))
        # One round, no probe first: `git status` says whether this is a checkout at all (the others
        # then fail alike and are not read). Its porcelain v2 header gives HEAD, and it is the very
        # command the files and code_health collectors send, so the runner runs it once for all three.
        status, refs, head, remotes, graph, describe, stashes, local_only = yield [
            status_command(ctx),
            ctx.git("for-each-ref", f"--format={REF_FORMAT}", "refs/heads", "refs/tags", "refs/remotes"),
            head_command(ctx),
            remotes_command(ctx),
            ctx.git("log", "--all", f"--max-count={GRAPH_LIMIT}", "--format=%H %P", ok_codes=(0, 128)),
            describe_command(ctx, "HEAD"),
            replace(ctx.git("stash", "list", f"--format={STASH_FORMAT}", ok_codes=(0, 1, 128)), skip_when="git-no-stash"),
            ctx.git("log", f"--max-count={LOCAL_ONLY_LIMIT}", f"--format={LOCAL_ONLY_FORMAT}",
                    "HEAD", "--branches", "--not", "--remotes", "--", ok_codes=(0, 128)),
        ]
        if status.exit_status != 0:  # 128 is among its ok codes (the other collectors read it too)
            if "not a git repository" in status.error_text:
                raise Skipped(f"{ctx.root} is not a git checkout")
            raise CollectorError(status.failure())
        state = parse_status_v2(status.text)
        ref_text = require(refs)
        data: GitData = {
            "branch": current_branch(ref_text, state),
            "head": (parse_head(head.text) if head.stdout else head_from_refs(ref_text)) if head.ok else None,
            **parse_refs(ref_text),
            "remotes": parse_remotes(require(remotes)),
            **_not_mine(ctx, {"modified": state["modified"], "untracked": state["untracked"]}),
            "graph": parse_graph(graph.text) if graph.ok else {},
            "describe": parse_describe(describe.text) if describe.ok else None,
            "stashes": parse_stashes(stashes.text) if stashes.ok else [],
            "local_only": parse_local_only(local_only.text) if local_only.ok else [],
        }
        return data

    def _remote(self, ctx: CollectContext) -> CollectGen[GitData]:
        refs, head, graph, describe = yield [
            ctx.git("ls-remote", "--heads", "--tags", "--", ctx.url or ctx.root),
            ctx.git("log", "-1", f"--format={HEAD_FORMAT}", ctx.commit or "HEAD"),
            ctx.git("log", "--all", f"--max-count={GRAPH_LIMIT}", "--format=%H %P"),
            describe_command(ctx, ctx.commit or "HEAD"),
        ]
        remote = parse_ls_remote(require(refs))
        return {
            "branch": ctx.ref,
            "head": parse_head(require(head)),
            "branches": {k: {"head": v, "upstream": None, "ahead": None, "behind": None} for k, v in remote["heads"].items()},
            "tags": remote["tags"],
            "remote_tracking": {},
            "remotes": {"origin": redact_url(ctx.url or "")},
            "modified": [],
            "untracked": [],
            "graph": parse_graph(require(graph)),
            "describe": parse_describe(describe.text) if describe.ok else None,
            "stashes": [],
            "local_only": [],
        }


def status_command(ctx: CollectContext) -> Command:
    """`git status --porcelain=v2 --branch -z`: the work tree's changes and, in its header, HEAD's
    commit and branch. Shared (the same Command) by the git, files and code_health collectors."""
    return ctx.git("status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all", ok_codes=(0, 128))


class StatusV2(GitStatus):
    """`git status --porcelain=v2 --branch`: the changes, HEAD's commit and its branch."""

    oid: str | None  # None: no commit yet
    head: str | None  # the branch; None when detached


def parse_status_v2(text: str) -> StatusV2:
    """`git status --porcelain=v2 --branch -z` -> modified (tracked, changed or deleted) and untracked
    paths, as `parse_status` gives them from porcelain v1, plus HEAD's commit and branch."""
    modified: list[str] = []
    untracked: list[str] = []
    oid: str | None = None
    head: str | None = None
    for code, path, _source in porcelain_v2_entries(text):
        if code == "# branch.oid":
            oid = None if path == "(initial)" else path
        elif code == "# branch.head":
            head = None if path == "(detached)" else path
        elif not code.startswith("#"):
            (untracked if code == "??" else modified).append(path)
    return {"modified": sorted(modified), "untracked": sorted(untracked), "oid": oid, "head": head}


_V2_FIELDS = {"1": 8, "2": 9, "u": 10}  # fields before the path of an ordinary, renamed, unmerged entry


def porcelain_v2_entries(text: str) -> Iterator[tuple[str, str, str | None]]:
    """`git status --porcelain=v2 -z` -> (code, path, source) with v1's two-letter codes (`??` for
    untracked, a space for "unchanged"), and header lines as (`# <key>`, value, None). Ignored
    entries and fragments are skipped; a rename's or copy's source follows as its own field."""
    entries = text.split("\x00")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        kind = entry[:1]
        if kind == "#":
            key, _, value = entry.partition(" ")[2].partition(" ")
            yield f"# {key}", value, None
        elif kind == "?" and entry[1:2] == " ":
            yield "??", entry[2:], None
        elif kind in _V2_FIELDS:
            fields = entry.split(" ", _V2_FIELDS[kind])
            if len(fields) <= _V2_FIELDS[kind] or len(fields[1]) != 2:
                continue
            code = fields[1].replace(".", " ")
            source = None
            if kind == "2":
                source = entries[i] if i < len(entries) else ""
                i += 1
            yield code, fields[-1], source


def current_branch(refs_text: str, state: StatusV2) -> str | None:
    """The branch HEAD is on: the ref `for-each-ref` marks with `*`; with none, an unborn branch
    (no commit yet) as status names it, else None (detached)."""
    for line in refs_text.splitlines():
        fields = line.split("\x00")
        if len(fields) >= 6 and fields[5] == "*" and fields[0].startswith("refs/heads/"):
            return fields[0][len("refs/heads/"):]
    return state["head"] if state["oid"] is None else None


def describe_command(ctx: CollectContext, rev: str) -> Command:
    """`git describe --tags --long`: the newest tag HEAD descends from and how many commits follow it.
    Exit 128 means no tag is reachable (or an empty repository): the ref is then named by branch only.
    Not started where the repository has no tag at all (an empty answer reads the same)."""
    return replace(ctx.git("describe", "--tags", "--long", "--abbrev=12", rev, ok_codes=(0, 128)), skip_when="git-no-tags")


def remotes_command(ctx: CollectContext) -> Command:
    """`git remote -v`; not started where the checkout's config defines no remote (it prints nothing)."""
    return replace(ctx.git("remote", "-v"), skip_when="git-no-remotes")


def head_command(ctx: CollectContext) -> Command:
    """`git log -1` of HEAD; not run where HEAD names a branch (its for-each-ref row says the same)."""
    return replace(ctx.git("log", "-1", f"--format={HEAD_FORMAT}", ok_codes=(0, 128)), skip_when="git-head-on-branch")


def head_from_refs(refs_text: str) -> GitHead | None:
    """HEAD's commit from the for-each-ref row of the branch HEAD is on (None: no such row, e.g. an
    unborn branch, where `git log -1` finds no commit either)."""
    for line in refs_text.splitlines():
        fields = line.split("\x00")
        if len(fields) >= 9 and fields[5] == "*" and fields[0].startswith("refs/heads/"):
            return {"sha": fields[1], "short": fields[1][:8], "subject": fields[6], "date": fields[7], "author": fields[8]}
    return None


def parse_head(text: str) -> GitHead | None:
    text = text.strip("\n")
    if not text:
        return None
    sha, subject, date, author = (text.split("\x00") + ["", "", ""])[:4]
    return {"sha": sha, "short": sha[:8], "subject": subject, "date": date, "author": author}


_TRACK = re.compile(r"(ahead|behind) (\d+)")


class Refs(TypedDict):
    branches: dict[str, GitBranch]
    tags: dict[str, str]
    remote_tracking: dict[str, str]


def parse_refs(text: str) -> Refs:
    """`git for-each-ref` lines -> local branches (head, upstream, ahead/behind), tags, remote-tracking heads."""
    branches: dict[str, GitBranch] = {}
    tags: dict[str, str] = {}
    tracking: dict[str, str] = {}
    for line in text.splitlines():
        if not line:
            continue
        ref, sha, upstream, track, peeled = (line.split("\x00") + [""] * 6)[:5]
        if ref.startswith("refs/heads/"):
            counts = dict((k, int(v)) for k, v in _TRACK.findall(track))
            gone = track.strip() == "gone"
            branches[ref[len("refs/heads/"):]] = {
                "head": sha,
                "upstream": upstream.removeprefix("refs/remotes/") or None,
                "ahead": None if not upstream or gone else counts.get("ahead", 0),
                "behind": None if not upstream or gone else counts.get("behind", 0),
            }
        elif ref.startswith("refs/tags/"):
            tags[ref[len("refs/tags/"):]] = peeled or sha
        elif ref.startswith("refs/remotes/") and not ref.endswith("/HEAD"):
            tracking[ref[len("refs/remotes/"):]] = sha
    return {"branches": branches, "tags": tags, "remote_tracking": tracking}


def _not_mine(ctx: CollectContext, status: GitStatus) -> GitStatus:
    """Leave driftctl's own files (reports, config, log) out of the worktree status."""
    return {"modified": [p for p in status["modified"] if not ctx.mine(p)],
            "untracked": [p for p in status["untracked"] if not ctx.mine(p)]}


def porcelain_entries(text: str) -> Iterator[tuple[str, str, str | None]]:
    """`git status --porcelain=v1 -z` -> (two-letter code, path, source of a rename or copy); ignored
    entries (`!!`) and fragments shorter than an entry are skipped. A rename's or copy's source
    follows as its own NUL-separated field."""
    entries = text.split("\x00")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4 or entry[:2] == "!!":
            continue
        code, path = entry[:2], entry[3:]
        source = None
        if "R" in code or "C" in code:
            source = entries[i] if i < len(entries) else ""
            i += 1
        yield code, path, source


def parse_status(text: str) -> GitStatus:
    """`git status --porcelain=v1 -z` -> modified (tracked, changed or deleted) and untracked paths."""
    modified: list[str] = []
    untracked: list[str] = []
    for code, path, _source in porcelain_entries(text):
        (untracked if code == "??" else modified).append(path)
    return {"modified": sorted(modified), "untracked": sorted(untracked)}


def parse_remotes(text: str) -> dict[str, str]:
    """`git remote -v` -> {name: fetch URL}, credentials in URLs fingerprinted."""
    remotes: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and (len(parts) < 3 or parts[2] == "(fetch)"):
            remotes[parts[0]] = redact_url(parts[1])
    return remotes


class RemoteRefs(TypedDict):
    heads: dict[str, str]
    tags: dict[str, str]


def parse_ls_remote(text: str) -> RemoteRefs:
    heads: dict[str, str] = {}
    tags: dict[str, str] = {}
    for line in text.splitlines():
        sha, _, ref = line.partition("\t")
        if ref.startswith("refs/heads/"):
            heads[ref[len("refs/heads/"):]] = sha
        elif ref.startswith("refs/tags/"):
            name = ref[len("refs/tags/"):]
            if name.endswith("^{}"):
                tags[name[:-3]] = sha  # peeled: the commit an annotated tag points at
            else:
                tags.setdefault(name, sha)
    return {"heads": heads, "tags": tags}


def parse_graph(text: str) -> dict[str, list[str]]:
    """`git log --format='%H %P'` -> {commit: [parents]} for ancestry questions in the differ."""
    graph: dict[str, list[str]] = {}
    for line in text.splitlines():
        parts = line.split()
        if parts:
            graph[parts[0]] = parts[1:]
    return graph


_DESCRIBE = re.compile(r"^(?P<tag>.+)-(?P<count>\d+)-g(?P<sha>[0-9a-f]+)$")


def parse_describe(text: str) -> GitDescribe | None:
    """`git describe --tags --long` -> {tag, after}: `after` commits follow the tag (0: HEAD is the tag)."""
    match = _DESCRIBE.match(text.strip())
    if not match:
        return None
    return {"tag": match["tag"], "after": int(match["count"])}


def parse_stashes(text: str) -> list[GitStash]:
    """`git stash list --format=%gd%x00%ct%x00%gs` -> [{ref, time (unix seconds), message}], newest first."""
    out: list[GitStash] = []
    for line in text.splitlines():
        if not line:
            continue
        ref, stamp, message = (line.split("\x00") + ["", ""])[:3]
        out.append({"ref": ref, "time": int(stamp) if stamp.isdigit() else None, "message": message})
    return out


def parse_local_only(text: str) -> list[GitCommit]:
    """`git log --format=%H%x00%s%x00%aI HEAD --branches --not --remotes` -> commits no remote-tracking ref holds."""
    out: list[GitCommit] = []
    for line in text.splitlines():
        if not line:
            continue
        sha, subject, date = (line.split("\x00") + ["", ""])[:3]
        out.append({"sha": sha, "subject": subject, "date": date})
    return out

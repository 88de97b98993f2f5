"""What the git collector stores: refs, worktree state and the commit graph of one checkout or ref."""

from typing_extensions import NotRequired, TypedDict


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

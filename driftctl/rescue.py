"""`rescue`: put an environment's uncommitted files under version control in one step.

The target is only read (through its transport: `git status`, `git rev-parse`, `cat`, `stat`), with
`--no-optional-locks` so not even git's index stat cache is refreshed there. The commit is built in the
local repository with GitPython from objects only (blobs, a temporary index, a tree, a commit, a new
branch ref): the local work tree, index and checked-out branch are never touched. The new branch is based on the
environment's deployed commit, so `git diff <deployed>..rescue/...` shows exactly the manual changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone

from driftctl import capabilities
from driftctl.collectors.files import is_secret_file
from driftctl.collectors.git import porcelain_entries
from driftctl.config import Config
from driftctl.errors import DriftctlError, UsageError
from driftctl.filescan import SecretFinding, scan_bytes
from driftctl.models import Command
from driftctl.transport.waits import Steps, run_blocking


@dataclass
class RescueFile:
    path: str
    change: str  # modified | untracked | deleted | renamed
    mode: str = "100644"  # 100755 executable, 120000 symlink (content: the link's target)
    content: bytes | None = None
    source: str | None = None  # the old path of a rename


@dataclass
class RescueResult:
    environment: str
    branch: str
    commit: str
    base: str
    repo: str
    files: list[RescueFile]
    skipped: list[str] = field(default_factory=list)
    message: str = ""
    secrets: list[SecretFinding] = field(default_factory=list)

    def to_json(self) -> dict:
        """`driftctl rescue --format json`: the branch made and what went into it (never file contents)."""
        return {
            "schema": "driftctl.rescue/v1",
            "environment": self.environment,
            "branch": self.branch,
            "commit": self.commit,
            "base": self.base,
            "repo": str(self.repo),
            "files": [{"path": f.path, "change": f.change} for f in self.files],
            "skipped": list(self.skipped),
        }


def default_branch(env: str, now: datetime | None = None) -> str:
    return f"rescue/{env}-{(now or datetime.now(timezone.utc)).strftime('%Y%m%d')}"


def default_repo(config: Config) -> str:
    """The `local` environment's checkout (or the first local one), else the config file's directory."""
    local = [n for n, s in config.environments.items() if capabilities.of(s.transport).on_this_machine]
    if local:
        name = "local" if "local" in local else local[0]
        return config.local_path(config.environments[name])
    return config.base_dir


def _git_status_cmd(root: str) -> Command:
    return Command(("git", "--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=all"), cwd=root)


def parse_changes(text: str) -> list[RescueFile]:
    """`git status --porcelain=v1 -z` -> changed paths. A rename or copy gives its new path (content
    read from the host) and, for a rename, its old path as deleted; `D` in either column is deleted."""
    out: list[RescueFile] = []
    for code, path, source in porcelain_entries(text):
        if code == "??":
            out.append(RescueFile(path, "untracked"))
        elif source is not None:
            out.append(RescueFile(path, "renamed" if "R" in code else "modified", source=source or None))
            if "R" in code and source:
                out.append(RescueFile(source, "deleted"))
        else:
            out.append(RescueFile(path, "deleted" if "D" in code else "modified"))
    return out


def read_target(transport, root: str) -> tuple[str, str | None, list[RescueFile]]:
    """(deployed commit, branch, changed files with content) from the target, read-only.

    Symlinks are kept as links (their target path, mode 120000), binary files byte for byte, the
    executable bit from the host, and a path that no longer exists as a deletion."""
    return run_blocking(read_target_steps(transport, root))


def read_target_steps(transport, root: str) -> Steps[tuple[str, str | None, list[RescueFile]]]:
    """read_target(), with each batch's waits yielded: so `plan` reads the files on the transport a
    collection has open (the fleet scheduler drives it), not over a login of its own."""
    head, branch, status = yield from transport.batch_steps([
        Command(("git", "--no-optional-locks", "rev-parse", "--verify", "HEAD"), cwd=root),
        Command(("git", "--no-optional-locks", "rev-parse", "--abbrev-ref", "HEAD"), cwd=root),
        _git_status_cmd(root),
    ])
    for res in (head, status):
        if not res.ok:
            raise DriftctlError(f"{transport.env_name}: {res.failure()}")
    files = parse_changes(status.text)
    present = [f for f in files if f.change != "deleted"]
    if present:
        reads: list[Command] = []
        for f in present:
            full = os.path.join(root, f.path)
            reads += [Command(("test", "-L", full), ok_codes=(0, 1)), Command(("readlink", "--", full), ok_codes=(0, 1)),
                      Command(("test", "-e", full), ok_codes=(0, 1)), Command(("test", "-x", full), ok_codes=(0, 1)),
                      Command(("cat", "--", full), ok_codes=(0, 1))]
        results = yield from transport.batch_steps(reads)
        for i, f in enumerate(present):
            _take_content(transport, f, results[5 * i: 5 * i + 5])
    return head.text.strip(), (branch.text.strip() if branch.ok else None), files


def _take_content(transport, f: RescueFile, results: list) -> None:
    """One file's mode and content from its five reads (link? target, exists?, executable?, bytes)."""
    link, target, exists, exe, cat = results
    if link.exit_status == 0:
        f.mode, f.content = "120000", target.stdout.rstrip(b"\n")
    elif exists.exit_status != 0:
        f.change = "deleted"
    elif cat.exit_status != 0:
        raise DriftctlError(f"{transport.env_name}: {cat.failure()}")
    else:
        f.content = cat.stdout
        f.mode = "100755" if exe.exit_status == 0 else "100644"


class LocalRepo:
    """The receiving repository, through GitPython (local git, no shell).

    The commit is built from objects only: blobs into the object database, an in-memory index read
    from the base commit's tree, a tree, a commit and a new branch ref. HEAD, the index file and the
    work tree are never touched.
    """

    def __init__(self, path: str):
        import git

        from driftctl import gitsafe

        self.path = path
        try:
            self.repo = git.Repo(path)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise UsageError(f"{path} is not a git repository; pass --repo with the local checkout") from None
        # Every git process GitPython starts for this repository gets gitsafe's overrides and environment.
        env = gitsafe.environment(gitsafe.TARGET)
        keys = gitsafe.driver_keys(str(self.repo.working_tree_dir or self.repo.git_dir), env, policy=gitsafe.TARGET)
        self.repo.git.update_environment(**{k: env.get(k) for k in (*gitsafe.SAFE_ENV, *gitsafe.UNSAFE_ENV)})
        pairs = [(k, gitsafe.driver_value(k)) for k in keys] + gitsafe.config_overrides(gitsafe.TARGET)
        self.repo.git.set_persistent_git_options(no_pager=True, c=[f"{k}={v}" for k, v in pairs])

    def has_commit(self, sha: str) -> bool:
        import gitdb.exc

        try:
            return self.repo.commit(sha).type == "commit"
        except (ValueError, gitdb.exc.BadName, gitdb.exc.BadObject):
            return False

    def has_branch(self, name: str) -> bool:
        return name in {h.name for h in self.repo.heads}

    def commit_files(self, base: str, files: list[RescueFile], message: str, branch: str) -> str:
        from io import BytesIO

        from git import Actor, Commit, Head, IndexFile
        from git.index.typ import BaseIndexEntry
        from gitdb import IStream

        index = IndexFile.from_tree(self.repo, base)  # in memory, never .git/index
        for f in files:
            if f.change == "deleted":
                index.entries.pop((f.path, 0), None)
        entries = []
        for f in files:
            if f.change == "deleted":
                continue
            data = f.content or b""
            blob = self.repo.odb.store(IStream("blob", len(data), BytesIO(data)))
            entries.append(BaseIndexEntry((int(f.mode, 8), blob.binsha, 0, f.path)))
        if entries:
            index.add(entries, write=False)
        tree = index.write_tree()
        author = _identity(self.repo, Actor)
        commit = Commit.create_from_tree(self.repo, tree, message, parent_commits=[self.repo.commit(base)],
                                         head=False, author=author, committer=author)
        try:
            Head.create(self.repo, branch, commit)  # refuses a branch that appeared in the meantime
        except OSError as exc:
            raise DriftctlError(f"cannot create branch {branch} in {self.path}: {exc}") from None
        return commit.hexsha


def _identity(repo, actor_cls):
    """The repository's configured user, else a driftctl identity (a rescue must not fail on it)."""
    reader = repo.config_reader()
    name = reader.get_value("user", "name", default="") or "driftctl"
    email = reader.get_value("user", "email", default="") or "driftctl@localhost"
    return actor_cls(str(name), str(email))


def commit_message(env: str, target: str, base: str, branch_there: str | None, files: list[RescueFile], skipped: list[str]) -> str:
    lines = [f"rescue: uncommitted changes of {env}", "",
             f"Copied by `driftctl rescue` from {target} (checkout on {branch_there or 'detached HEAD'} at {base[:12]}).",
             "These files were changed on the host but never committed:", ""]
    lines += [f"  {f.change:<9} {f.path}   <- {env}:{f.path}" for f in files]
    if skipped:
        lines += ["", "Left out (their names or contents look like credentials; rerun with --include-secret-files to add them):"]
        lines += [f"  {p}" for p in skipped]
    return "\n".join(lines) + "\n"


def rescue(config: Config, env: str, *, branch: str | None = None, repo: str | None = None,
           include_secret_files: bool = False, accept_new_host_key: bool = False, now: datetime | None = None) -> RescueResult:
    """Commit `env`'s modified and untracked files onto a new branch of the local repository."""
    from driftctl.transport import make_transport

    spec = config.environments.get(env)
    if spec is None:
        raise UsageError(f"unknown environment {env!r}; known: {', '.join(config.environments)}")
    if not capabilities.of(spec.transport).worktree:
        raise UsageError(f"{env} is a {spec.transport} environment: it has no work tree to rescue")
    branch = branch or default_branch(env, now)
    local = LocalRepo(os.path.abspath(repo) if repo else default_repo(config))
    if local.has_branch(branch):
        raise UsageError(f"branch {branch} already exists in {local.path}; choose another with --branch")
    with make_transport(config, env, accept_new_host_key=accept_new_host_key) as transport:
        target = transport.describe()
        base, branch_there, files = read_target(transport, transport.root)
    if not files:
        raise DriftctlError(f"{env} has no modified or untracked files: nothing to rescue")
    if not local.has_commit(base):
        hint = _fetch_hint(config, env, branch_there)
        raise DriftctlError(f"{env}'s deployed commit {base[:12]} is not in {local.path}; fetch it first: {hint}")
    found = [x for f in files if f.change != "deleted" and f.mode != "120000" for x in scan_bytes(f.path, f.content)]
    by_content = {x.path for x in found}
    skipped = [] if include_secret_files else [f.path for f in files if f.change != "deleted"
                                                and (is_secret_file(f.path) or f.path in by_content)]
    kept = [f for f in files if f.path not in skipped]
    message = commit_message(env, target, base, branch_there, kept, skipped)
    commit = local.commit_files(base, kept, message, branch)
    return RescueResult(env, branch, commit, base, local.path, kept, skipped, message, found)


def _fetch_hint(config: Config, env: str, branch: str | None) -> str:
    import shlex

    spec = config.environments[env]
    ref = branch if branch and branch != "HEAD" else "HEAD"
    if capabilities.of(spec.transport).remote_shell:
        user = f"{spec.user}@" if spec.user else ""
        port = f":{spec.port}" if spec.port else ""
        return shlex.join(["git", "fetch", f"ssh://{user}{spec.host}{port}{spec.path}", ref])
    return shlex.join(["git", "fetch", config.local_path(spec), ref])


__all__ = ["rescue", "RescueResult", "RescueFile", "default_branch", "read_target", "read_target_steps"]

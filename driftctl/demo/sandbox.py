"""Build the demo's sandbox: three environments of the seed incident, as real git repositories.

Layout under the sandbox root:

    github.git/   bare repository, the `origin`: main behind the developer's main, aws-deployment
    local/        the developer's checkout on main (webhook mode, testnet, broken OI imports)
    aws/          the "server": a clone of origin on aws-deployment with the hand-made fixes
                  (untracked `*_working.py` files, a hand-edited docker-compose.aws.yml)
    environments.yaml

Why `git fast-import`: the whole history (17 commits on two branches, remote-tracking refs) is one
git process reading one stream; with fixed identities and dates it gives the same commit hashes on
every machine, and it never reads the user's git config or hooks. Five more git processes set up the
checkouts. Only the directories are simulated; everything in them is real git.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from driftctl.demo import story
from driftctl.demo.story import CommitSpec, Tree
from driftctl.errors import DriftctlError

TEMPLATE_PACKAGE = "driftctl.demo"
TEMPLATE_DIR = "template"
PUSHED_MAIN = len(story.MAIN_BASE)  # origin's main stops at the webhook commit: main is ahead of it


class SandboxError(DriftctlError):
    """git is missing or failed while building the sandbox."""


@dataclass(frozen=True)
class Sandbox:
    """Where the built environments are."""

    root: Path
    local: Path
    aws: Path
    github: Path
    config: Path


def template_files() -> Tree:
    """The bundled services as shipped in the package: path -> bytes.

    In the repository `driftctl/demo/template/services` is a symlink to `services/`; building the
    wheel copies the files, so an installed driftctl carries them without a second copy in git."""
    root = resources.files(TEMPLATE_PACKAGE).joinpath(TEMPLATE_DIR)
    out: Tree = {}

    def walk(node, prefix: str) -> None:
        for child in node.iterdir():
            name = f"{prefix}{child.name}"
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, name + "/")
            elif not child.name.endswith((".pyc", ".pyo")):
                out[name] = child.read_bytes()

    walk(root, "")
    if not out:
        raise SandboxError("the demo's template files are missing from this installation of driftctl")
    return out


@dataclass(frozen=True)
class History:
    """Every commit's tree, computed in Python before any git process runs."""

    main_base: list[tuple[CommitSpec, Tree]]
    main_after: list[tuple[CommitSpec, Tree]]
    aws: list[tuple[CommitSpec, Tree]]

    @property
    def main_tree(self) -> Tree:
        return self.main_after[-1][1]

    @property
    def aws_tree(self) -> Tree:
        return self.aws[-1][1]


def compute_history(template: Tree) -> History:
    def chain(start: Tree, commits: tuple[CommitSpec, ...]) -> list[tuple[CommitSpec, Tree]]:
        out, tree = [], start
        for c in commits:
            tree = story.apply(tree, c)
            out.append((c, tree))
        return out

    base = chain(template, story.MAIN_BASE)
    return History(base, chain(base[-1][1], story.MAIN_AFTER), chain(base[-1][1], story.AWS_DEPLOYMENT))


def fast_import_stream(history: History) -> bytes:
    """The `git fast-import` input: blobs inline, marks 1.. per commit, plus the origin refs."""
    out: list[bytes] = []
    mark = 0

    def commit(ref: str, spec: CommitSpec, tree: Tree, parent: int | None, parent_tree: Tree) -> int:
        nonlocal mark
        mark += 1
        msg = (spec.message + "\n").encode()
        who = spec.author.line(spec.epoch)
        out.append(f"commit {ref}\nmark :{mark}\nauthor {who}\ncommitter {who}\n".encode())
        out.append(f"data {len(msg)}\n".encode() + msg)
        if parent is not None:
            out.append(f"from :{parent}\n".encode())
        for path in sorted(set(parent_tree) - set(tree)):
            out.append(f"D {path}\n".encode())
        for path in sorted(tree):
            if parent_tree.get(path) != tree[path]:
                data = tree[path]
                out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
        out.append(b"\n")
        return mark

    prev: int | None = None
    prev_tree: dict = {}
    for spec, tree in history.main_base:
        prev, prev_tree = commit("refs/heads/main", spec, tree, prev, prev_tree), tree
    branch_point, branch_tree = prev, prev_tree
    for spec, tree in history.main_after:
        prev, prev_tree = commit("refs/heads/main", spec, tree, prev, prev_tree), tree
    aws, aws_tree = branch_point, branch_tree
    for spec, tree in history.aws:
        aws, aws_tree = commit("refs/heads/aws-deployment", spec, tree, aws, aws_tree), tree
    out.append(f"reset refs/remotes/origin/main\nfrom :{PUSHED_MAIN}\n\n".encode())
    out.append(f"reset refs/remotes/origin/aws-deployment\nfrom :{aws}\n\n".encode())
    return b"".join(out)


def git_env() -> dict[str, str]:
    """git without the user's or the system's config (templates, hooks, signing, default branch)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_TERMINAL_PROMPT="0",
               GIT_AUTHOR_NAME=story.DEV.name, GIT_AUTHOR_EMAIL=story.DEV.email,
               GIT_COMMITTER_NAME=story.DEV.name, GIT_COMMITTER_EMAIL=story.DEV.email,
               GIT_AUTHOR_DATE="2025-01-15T09:00:00Z", GIT_COMMITTER_DATE="2025-01-15T09:00:00Z")
    return env


def git(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> None:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, env=git_env(), timeout=60)
    except FileNotFoundError:
        raise SandboxError("the demo needs git on PATH (install git, then run `driftctl demo` again)") from None
    if proc.returncode != 0:
        reason = (proc.stderr.decode(errors="replace").strip().splitlines() or ["unknown error"])[-1]
        raise SandboxError(f"building the demo sandbox: git {args[0]} failed: {reason}")


# The sandbox's checkouts carry their own identity, as a developer's and a server's would: the plan's
# annotated rollback tags and rescue commits need one, and the user's git config is never read.
IDENTITY_CONFIG = "[user]\n\tname = driftctl demo\n\temail = demo@driftctl.invalid\n"


def _tracking_config(origin: Path) -> str:
    """`git remote add origin` + upstreams (and the checkout's identity), written directly: fewer git processes."""
    return IDENTITY_CONFIG + (
        f'[remote "origin"]\n\turl = {origin}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n'
        '[branch "main"]\n\tremote = origin\n\tmerge = refs/heads/main\n'
        '[branch "aws-deployment"]\n\tremote = origin\n\tmerge = refs/heads/aws-deployment\n'
    )


def write_files(root: Path, files: Tree) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def build(root: Path) -> Sandbox:
    """Create the three environments under `root` (which must be empty or absent).

    The config (`box.config`) is written by the caller: with `--ssh` it names the sshd's port.
    """
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise SandboxError(f"{root} is not empty; the demo builds its sandbox only in an empty directory")
    box = Sandbox(root=root, local=root / "local", aws=root / "aws", github=root / "github.git",
                  config=root / "environments.yaml")
    history = compute_history(template_files())
    # No hook templates, and packs instead of loose objects: fewer files to write now and delete later.
    git("init", "-q", "--template=", "--initial-branch=main", str(box.local))
    git("fast-import", "--quiet", cwd=box.local, stdin=fast_import_stream(history))
    git("reset", "-q", "--hard", "main", cwd=box.local)
    with open(box.local / ".git" / "config", "a", encoding="utf-8") as fh:
        fh.write(_tracking_config(box.github))
    git("init", "-q", "--template=", "--bare", "--initial-branch=main", str(box.github))
    with open(box.github / "config", "a", encoding="utf-8") as fh:
        fh.write("[receive]\n\tunpackLimit = 1\n")  # the pushed history arrives as one pack
    git("push", "-q", str(box.github), "refs/remotes/origin/main:refs/heads/main",
        "refs/remotes/origin/aws-deployment:refs/heads/aws-deployment", cwd=box.local)
    git("clone", "-q", "--template=", "--no-local", "--branch", "aws-deployment", str(box.github), str(box.aws))
    with open(box.aws / ".git" / "config", "a", encoding="utf-8") as fh:
        fh.write(IDENTITY_CONFIG)
    write_files(box.aws, story.aws_host_files(history.aws_tree))
    return box

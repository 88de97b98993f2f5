"""Checkouts whose git configuration names programs, each of which leaves a marker file when run.

Each case is one program-running setting (or hook) planted in a checkout, with the plain `git`
command that fires it (so a test can prove the case is live: without driftctl's overrides the marker
appears). Markers are `<markers>/<label>`; the label names the environment and the case.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.fixtures.gitrepos import GIT_ENV

HOOKS = ("pre-commit", "commit-msg", "post-commit", "post-checkout", "post-merge", "post-index-change",
         "reference-transaction", "pre-auto-gc", "post-rewrite", "prepare-commit-msg", "fsmonitor-watchman")


def git(repo: Path, *args: str, input: bytes | None = None, env: dict | None = None, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, input=input,
                          env=dict(os.environ, **GIT_ENV, **(env or {})), timeout=60)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {args} failed: {proc.stderr!r}")
    return proc.stdout.decode().strip()


def touch(marker: Path, then: str = "true") -> str:
    """A shell command that leaves the marker, then runs `then` (whose exit status it returns)."""
    return f"touch '{marker}'; {then}"


def _cfg(*pairs: tuple[str, str]) -> Callable[[Path, Path], None]:
    def setup(repo: Path, marker: Path) -> None:
        for key, value in pairs:
            git(repo, "config", key, value.replace("@M", str(marker)))
    return setup


def _attributes(line: str, *pairs: tuple[str, str]) -> Callable[[Path, Path], None]:
    def setup(repo: Path, marker: Path) -> None:
        info = repo / ".git" / "info"
        info.mkdir(parents=True, exist_ok=True)
        with open(info / "attributes", "a") as f:
            f.write(line + "\n")
        _cfg(*pairs)(repo, marker)
    return setup


def _tree_attributes(repo: Path, marker: Path) -> None:
    (repo / ".gitattributes").write_text("*.txt filter=intree\n")  # untracked, still honoured
    _cfg(("filter.intree.clean", "touch '@M'; cat"), ("filter.intree.required", "true"))(repo, marker)


def _hooks_dir(folder: Path, marker: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for hook in HOOKS:
        path = folder / hook
        path.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 0\n")
        path.chmod(0o755)


def _hooks_path(repo: Path, marker: Path) -> None:
    folder = repo.parent / (repo.name + "-hooks")
    _hooks_dir(folder, marker)
    git(repo, "config", "core.hooksPath", str(folder))


def _hooks_default(repo: Path, marker: Path) -> None:
    _hooks_dir(repo / ".git" / "hooks", marker)


def _include(repo: Path, marker: Path) -> None:
    inc = repo / ".git" / "evil.inc"
    inc.write_text(f"[core]\n\tfsmonitor = \"touch '{marker}'; false\"\n")
    git(repo, "config", "include.path", "evil.inc")


def _askpass(repo: Path, marker: Path) -> None:
    script = repo.parent / (repo.name + "-askpass")
    script.write_text(f"#!/bin/sh\ntouch '{marker}'\necho x\n")
    script.chmod(0o755)
    git(repo, "config", "core.askPass", str(script))


def _signed_head(repo: Path, marker: Path) -> None:
    """HEAD becomes a commit carrying a (fake) signature; `log.showSignature` makes git verify it."""
    raw = git(repo, "cat-file", "commit", "HEAD") + "\n"
    head, _, body = raw.partition("\n\n")
    sig = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----"
    signed = git(repo, "hash-object", "-t", "commit", "-w", "--stdin", input=f"{head}\n{sig}\n\n{body}".encode())
    git(repo, "update-ref", "HEAD", signed)
    program = repo.parent / (repo.name + "-gpg")  # git runs gpg.program without a shell
    program.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
    program.chmod(0o755)
    _cfg(("log.showSignature", "true"), ("gpg.program", str(program)))(repo, marker)


def _submodule(repo: Path, marker: Path) -> None:
    """A submodule whose own config (in .git/modules/) names a clean filter: `git status` runs a child
    git in the submodule, which hashes its touched file through that filter."""
    sub = repo.parent / (repo.name + "-subsrc")
    sub.mkdir()
    git(sub, "init", "-q", "-b", "main")
    (sub / "lib.txt").write_text("lib\n")
    git(sub, "add", "-A")
    git(sub, "commit", "-qm", "lib")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor")  # staged only:
    # a commit here would be a deployed commit the hub lacks (the fixture's histories stay shared)
    modules = repo / ".git" / "modules" / "vendor"
    (modules / "info").mkdir(exist_ok=True)
    (modules / "info" / "attributes").write_text("* filter=subevil\n")
    git(modules, "config", "--file", str(modules / "config"), "filter.subevil.clean", f"touch '{marker}'; cat")
    lib = repo / "vendor" / "lib.txt"
    os.utime(lib, ns=(lib.stat().st_atime_ns, lib.stat().st_mtime_ns + 2_000_000_000))  # stat-dirty, same content


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Path, Path], None]
    fire: tuple[str, ...] | None  # plain git arguments that run the program (proof the case is live)
    stdin: bytes | None = None


CASES: tuple[Case, ...] = (
    Case("submodule filter", _submodule, ("status",)),  # first: the hub's later cases would break `submodule add`
    Case("core.fsmonitor", _cfg(("core.fsmonitor", "touch '@M'; false")), ("status",)),
    Case("include.path (fsmonitor)", _include, ("status",)),
    Case("core.hooksPath", _hooks_path, ("commit", "--allow-empty", "-qm", "x")),
    Case(".git/hooks", _hooks_default, ("commit", "--allow-empty", "-qm", "x")),
    Case("core.pager", _cfg(("core.pager", "touch '@M'; cat"), ("pager.status", "touch '@M'; cat"),
                            ("pager.log", "touch '@M'; cat")), None),
    Case("core.editor", _cfg(("core.editor", "touch '@M'; false"), ("sequence.editor", "touch '@M'; false")),
         ("commit", "--allow-empty")),
    Case("diff.external", _cfg(("diff.external", "touch '@M'; true")), ("diff",)),
    Case("filter.clean", _attributes("* filter=evil", ("filter.evil.clean", "touch '@M'; cat"),
                                     ("filter.evil.smudge", "touch '@M'; cat"), ("filter.evil.required", "true")),
         ("status",)),
    Case("filter.process", _attributes("* filter=proc", ("filter.proc.process", "touch '@M'; false")), ("status",)),
    Case(".gitattributes filter", _tree_attributes, ("status",)),
    Case("diff.textconv", _attributes("* diff=conv", ("diff.conv.textconv", "touch '@M'; cat"),
                                      ("diff.conv.command", "touch '@M'; true")), ("diff",)),
    Case("merge.driver", _attributes("* merge=evil", ("merge.evil.driver", "touch '@M'; false")),
         ("merge-tree", "--write-tree", "HEAD", "deploy")),
    Case("gpg.program", _signed_head, ("log", "-1")),
    Case("core.sshCommand", _cfg(("core.sshCommand", "touch '@M'; false"), ("remote.origin.url", "ssh://example.invalid/x")),
         ("ls-remote", "origin")),
    Case("credential.helper", _cfg(("credential.helper", "!touch '@M'; true")),
         ("credential", "fill"), b"protocol=https\nhost=example.invalid\n\n"),
    Case("core.askPass", _askpass, None),
    Case("core.alternateRefsCommand", _cfg(("core.alternateRefsCommand", "touch '@M'; true")), None),
)


def slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).strip("_")


def live_without_overrides(case: Case, prepared: Path, scratch: Path, marker: Path) -> bool:
    """Copy a prepared checkout and run the case's plain git command there: does the marker appear?"""
    copy = scratch / "copy"
    shutil.copytree(prepared, copy, symlinks=True)
    assert case.fire is not None
    git(copy, *case.fire, input=case.stdin, check=False)
    return marker.exists()

"""A remote git repository as an environment: refs via `ls-remote`, files via a cached bare mirror.

The mirror lives under the user cache directory (one per URL), so repeated snapshots only fetch what
changed. Commands for a git environment run locally with the mirror as working directory.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from driftctl import gitsafe
from driftctl.config import EnvironmentSpec
from driftctl.errors import TransportError
from driftctl.git_urls import credential_env, split_credentials
from driftctl.models import Command, CommandResult
from driftctl.secrets import redact_url
from driftctl.settings import cache_home
from driftctl.transport.base import Transport
from driftctl.transport.local import run_local

_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:")


def cache_dir() -> Path:
    return cache_home() / "mirrors"


def resolve_url(url: str, base_dir: str) -> str:
    """Relative local paths are relative to the config file, like `path:` of local environments."""
    if "://" in url or _SCP_LIKE.match(url) or os.path.isabs(url):
        return url
    return str((Path(base_dir) / os.path.expanduser(url)).resolve())


def mirror_path(url: str) -> Path:
    """The mirror folder of a URL, named after the credential-free URL (a token in the URL changes
    neither the folder nor its name)."""
    url = split_credentials(url)[0]
    slug = re.sub(r"[^A-Za-z0-9]+", "-", url).strip("-")[-40:]
    return cache_dir() / f"{slug}-{hashlib.sha256(url.encode()).hexdigest()[:12]}.git"


class GitTransport(Transport):
    kind = "git"
    url: str  # always known: the config's `url:`

    def __init__(self, env_name: str, spec: EnvironmentSpec, *, base_dir: str = "."):
        # Only the credential-free URL is kept, stored (mirror config, folder name) and shown; the
        # credentials go to git processes through askpass (driftctl.git_urls).
        self.url, user, password = split_credentials(resolve_url(spec.url or "", base_dir))
        self._auth_env = credential_env(user, password, cache_dir().parent)
        self._policy = gitsafe.MIRROR_WITH_CREDENTIALS if self._auth_env else gitsafe.MIRROR
        super().__init__(env_name, str(mirror_path(self.url)), spec.command_timeout)
        self.spec = spec
        self.ref: str | None = spec.ref
        self.commit: str | None = None

    def _git(self, *args: str, cwd: str | None = None, timeout: float | None = None) -> subprocess.CompletedProcess:
        argv, env = gitsafe.local_command(["git", *args], cwd, self._policy)
        env["GIT_ASKPASS"] = "true"  # never a prompt: the URL's credentials (below) or the operator's helper
        env.update(self._auth_env)
        try:
            return subprocess.run(
                argv, cwd=cwd, capture_output=True, text=True, env=env,
                timeout=timeout or self.command_timeout, stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise TransportError(f"{self.env_name}: git {args[0]} timed out after {timeout or self.command_timeout:g}s") from None

    def open(self) -> None:
        """Create or update the mirror, then pin the ref to one commit for the whole snapshot."""
        mirror = Path(self.root)
        if (mirror / "HEAD").exists():
            proc = self._git("remote", "update", "--prune", cwd=self.root)
        else:
            mirror.parent.mkdir(parents=True, exist_ok=True)
            proc = self._git("clone", "--mirror", "--quiet", "--", self.url, self.root)
        if proc.returncode != 0:
            reason = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise TransportError(f"{self.env_name}: cannot fetch {redact_url(self.url)}: {redact_url(reason)}")
        if not self.ref:
            head = self._git("symbolic-ref", "--quiet", "HEAD", cwd=self.root)
            self.ref = head.stdout.strip().removeprefix("refs/heads/") or "HEAD"
        rev = self._git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{self.ref}^{{commit}}", cwd=self.root)
        if rev.returncode != 0:
            raise TransportError(f"{self.env_name}: ref {self.ref!r} not found in {redact_url(self.url)}")
        self.commit = rev.stdout.strip()

    def run_batch(self, commands: Sequence[Command], timeout: float | None = None) -> list[CommandResult]:
        return [run_local(c, timeout or self.command_timeout, self._policy, self._auth_env) for c in commands]

    def describe(self) -> str:
        return f"git:{redact_url(self.url)}@{self.ref or 'HEAD'}"

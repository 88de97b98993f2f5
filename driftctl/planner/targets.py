"""Where each environment lives, as plain data the pure planner can build shell lines from.

Built from the config (or from dicts in tests); the planner never opens a transport. `display`
turns a line meant for the environment's checkout into one a person can paste on this machine.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from typing import Any

from driftctl import capabilities
from driftctl.config import COMPOSE_DEFAULT_FILES
from driftctl.git_urls import split_credentials


@dataclass(frozen=True)
class Target:
    name: str
    kind: str  # local | ssh | git | here
    root: str  # checkout path (local: absolute; ssh: on the host; git: the URL)
    host: str | None = None
    user: str | None = None
    port: int | None = None
    identity_file: str | None = None
    known_hosts: str | None = None
    ref: str | None = None
    compose_files: tuple[str, ...] = field(default_factory=tuple)
    env_files: tuple[str, ...] = (".env",)
    docker_host: str | None = None  # the engine route of environments.yaml (None: the host's default engine)

    @property
    def caps(self) -> capabilities.Capabilities:
        return capabilities.of(self.kind)

    @property
    def compose_args(self) -> list[str]:
        """`-f FILE` for each compose file, so commands pick the same files driftctl resolved."""
        files = self.compose_files or (COMPOSE_DEFAULT_FILES[2],)
        return [a for f in files for a in ("-f", f)]

    def ssh_argv(self) -> list[str]:
        argv = ["ssh"]
        if self.port:
            argv += ["-p", str(self.port)]
        if self.identity_file:
            argv += ["-i", self.identity_file]
        if self.known_hosts and self.known_hosts != "~/.ssh/known_hosts":
            argv += ["-o", f"UserKnownHostsFile={self.known_hosts}"]
        argv.append(f"{self.user}@{self.host}" if self.user else str(self.host))
        return argv

    def display(self, line: str, capture: str | None = None) -> str:
        """The line as run from this machine: `ssh ... -- 'cd PATH && LINE'` or `cd PATH && LINE`."""
        inner = f"cd {shlex.quote(self.root)} && {line}"
        text = shlex.join([*self.ssh_argv(), "--", inner]) if self.caps.remote_shell else inner
        return f"{text} > {shlex.quote(capture)}" if capture else text

    def git_ssh_url(self) -> str | None:
        """An ssh:// URL of the checkout (to fetch its commits into the local repository)."""
        if not self.caps.remote_shell:
            return None
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return f"ssh://{user}{self.host}{port}{self.root}"

    def git_ssh_command(self) -> str | None:
        """GIT_SSH_COMMAND value with the identity and known_hosts driftctl uses for this host."""
        if not self.caps.remote_shell:
            return None
        argv = ["ssh"]
        if self.identity_file:
            argv += ["-i", self.identity_file]
        if self.known_hosts and self.known_hosts != "~/.ssh/known_hosts":
            argv += ["-o", f"UserKnownHostsFile={self.known_hosts}"]
        return shlex.join(argv)


def targets_from_specs(specs: dict[str, Any], local_paths: dict[str, str], base_dir: str) -> dict[str, Target]:
    """Targets from `EnvironmentSpec`s (or dicts of the same keys) plus the resolved local paths."""
    out: dict[str, Target] = {}
    for name, spec in specs.items():
        s = spec if isinstance(spec, dict) else spec.model_dump()
        kind = s["transport"]
        revision = capabilities.of(kind).revision
        url = split_credentials(s["url"])[0] if revision and s.get("url") else None  # never in a plan
        root = local_paths.get(name) or (url if revision else s.get("path")) or "."
        out[name] = Target(
            name=name, kind=kind, root=root, host=s.get("host"), user=s.get("user"), port=s.get("port"),
            identity_file=_home(s.get("identity_file")), known_hosts=_home(s.get("known_hosts")), ref=s.get("ref"),
            compose_files=tuple(s.get("compose_files") or ()), env_files=tuple(s.get("env_files") or (".env",)),
            docker_host=s.get("docker_host"),
        )
    out["@here"] = Target(name="@here", kind="here", root=base_dir)
    return out


def _home(path: str | None) -> str | None:
    """`~` must be expanded before quoting, or the shell would pass it literally."""
    if not path or path == "~/.ssh/known_hosts":
        return path
    return os.path.expanduser(path)


def targets_from_config(config: Any) -> dict[str, Target]:
    local = {n: config.local_path(s) for n, s in config.environments.items() if capabilities.of(s.transport).on_this_machine}
    return targets_from_specs(dict(config.environments), local, config.base_dir)

"""Where an SSH environment connects to: environments.yaml's `host`, `user`, `port` and `identity_file`
merged with ~/.ssh/config (HostName, User, Port, IdentityFile, HostKeyAlias, ProxyJump).

Why a module of its own: this is the part of the SSH transport that needs no host and no network.
It turns a spec into an `SSHTarget` (the hops of a ProxyJump chain included) with pure functions
that tests drive with a dict in place of ssh_config, and it says which server a login counts
against (`startup_key`). Connecting is driftctl/transport/ssh_connect.py's job; the transport
itself (driftctl/transport/ssh.py) resolves its target here once, on first use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftctl.errors import TransportError
from driftctl.transport.paramiko_lib import paramiko  # imported only when an ssh environment is used

DEFAULT_PORT = 22
MAX_JUMP_HOPS = 8


@dataclass(frozen=True)
class SSHTarget:
    """Where and as whom to connect, after merging environments.yaml with ~/.ssh/config."""

    alias: str  # the name as written (environments.yaml `host`, or a ProxyJump hop)
    hostname: str
    port: int
    user: str
    identity_files: tuple[str, ...] = ()
    jump: SSHTarget | None = None  # the hop to tunnel through (itself possibly behind another hop)
    host_key_alias: str | None = None

    @property
    def known_hosts_name(self) -> str:
        return known_hosts_name(self.host_key_alias or self.hostname, self.port)

    def label(self) -> str:
        return f"{self.user}@{self.hostname}:{self.port}"


def startup_key(target: SSHTarget) -> tuple[str, ...]:
    """What one sshd sees as one source of logins: its address, and the hops a tunnel comes through
    (the same name behind two bastions is two servers). See driftctl/transport/startups.py."""
    key: tuple[str, ...] = (target.hostname, str(target.port))
    hop = target.jump
    while hop is not None:
        key += (hop.hostname, str(hop.port))
        hop = hop.jump
    return key


def known_hosts_name(host: str, port: int) -> str:
    """The name OpenSSH writes in known_hosts: bare host on port 22, `[host]:port` otherwise."""
    return host if port == DEFAULT_PORT else f"[{host}]:{port}"


def parse_jump(hop: str) -> tuple[str | None, str, int | None]:
    """One ProxyJump hop `[user@]host[:port]` (or `ssh://...`, `[v6addr]:port`) -> (user, host, port)."""
    hop = hop.strip().removeprefix("ssh://")
    user: str | None = None
    if "@" in hop:
        user, hop = hop.rsplit("@", 1)
    port: int | None = None
    if hop.startswith("["):
        host, _, rest = hop[1:].partition("]")
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
    elif hop.count(":") == 1:
        host, _, port_text = hop.partition(":")
        port = int(port_text) if port_text.isdigit() else None
    else:
        host = hop
    return user or None, host, port


def split_jumps(value: str | None) -> list[str]:
    """ProxyJump's comma-separated hops, nearest first; `none` (any case) means no jump."""
    if not value or value.strip().lower() == "none":
        return []
    return [h.strip() for h in value.split(",") if h.strip()]


def resolve_target(
    alias: str,
    lookup: Callable[[str], Mapping[str, Any]],
    *,
    user: str | None = None,
    port: int | None = None,
    identity_file: str | None = None,
    default_user: str,
    jumps: Sequence[str] | None = None,
    depth: int = 0,
) -> SSHTarget:
    """Merge explicit values (which win) with ssh_config's for `alias`, following ProxyJump.

    `lookup` is `SSHConfig.lookup` (or a dict-returning stand-in in tests). `jumps`, when given,
    overrides the alias's own ProxyJump: like `ssh -J a,b host`, hop `b` is reached through `a`.
    """
    if depth > MAX_JUMP_HOPS:
        raise TransportError(f"ProxyJump chain for {alias} is longer than {MAX_JUMP_HOPS} hops (a loop?)")
    try:
        cfg = lookup(alias)
    except Exception as exc:  # noqa: BLE001 - paramiko evaluates Match/tokens lazily: one line, not a crash
        from driftctl.limits import one_line

        raise TransportError(one_line(f"ssh config: cannot evaluate it for {alias}: {exc}", 200)) from None
    identities = [identity_file] if identity_file else list(cfg.get("identityfile") or [])
    hops = list(jumps) if jumps is not None else split_jumps(cfg.get("proxyjump"))
    jump = None
    if hops:
        hop_user, hop_host, hop_port = parse_jump(hops[-1])
        jump = resolve_target(
            hop_host,
            lookup,
            user=hop_user,
            port=hop_port,
            default_user=default_user,
            jumps=hops[:-1] or None,
            depth=depth + 1,
        )
    return SSHTarget(
        alias=alias,
        hostname=str(cfg.get("hostname") or alias),
        port=port or _config_port(alias, cfg.get("port")),
        user=str(user or cfg.get("user") or default_user),
        identity_files=tuple(os.path.expanduser(p) for p in identities),
        jump=jump,
        host_key_alias=cfg.get("hostkeyalias"),
    )


def _config_port(alias: str, value: Any) -> int:
    """ssh_config's `Port` for `alias`, or a TransportError line when it is not a port number."""
    if value is None or value == "":
        return DEFAULT_PORT
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        from driftctl.limits import excerpt

        raise TransportError(f"ssh config: Port {excerpt(text)} for {alias} is not a port number")
    return int(text)


def ssh_config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(os.path.expanduser(env.get("DRIFTCTL_SSH_CONFIG") or "~/.ssh/config"))


def load_ssh_config(path: Path) -> Callable[[str], Mapping[str, Any]]:
    """`SSHConfig.lookup` for `path`, or a lookup of an empty config when the file does not exist."""
    if not path.is_file():
        return paramiko.SSHConfig().lookup
    try:
        return paramiko.SSHConfig.from_path(str(path)).lookup
    except Exception as exc:  # noqa: BLE001 - a broken ssh_config is a transport problem, one line
        raise TransportError(f"cannot read ssh config {path}: {exc}") from None

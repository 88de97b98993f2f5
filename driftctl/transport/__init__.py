"""Transports: the only code (with runner.py) that talks to targets.

Each transport runs batches of argv commands and returns `CommandResult`s. Heavy libraries (paramiko)
are imported by the concrete module only when that transport is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from driftctl.config import Config
    from driftctl.transport.base import Transport


def make_transport(config: Config, name: str, *, accept_new_host_key: bool = False) -> Transport:
    spec = config.environments[name]
    if spec.transport == "local":
        from driftctl.transport.local import LocalTransport

        return LocalTransport(name, spec, root=config.local_path(spec))
    if spec.transport == "ssh":
        from driftctl.transport.ssh import SSHTransport

        return SSHTransport(name, spec, accept_new_host_key=accept_new_host_key)
    from driftctl.transport.git import GitTransport

    return GitTransport(name, spec, base_dir=config.base_dir)

"""What each kind of environment can do: the one table that knows transport kinds by name.

Collectors, the differ, the planner and the CLI ask for a capability (`caps.worktree`,
`caps.revision`, `caps.engine`), never for a kind, so a new transport (a container-only host, WinRM)
is one row here and one class in `driftctl.transport`, not an edit in twenty modules. Pure data: the
differ and the planner may import it (it does no I/O). Snapshots record their capabilities; for an
older snapshot they are derived from its `transport`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Kind = Literal["local", "ssh", "git"]  # the config's `transport:` values; TRANSPORTS below has one row each


@dataclass(frozen=True)
class Capabilities:
    kind: str
    worktree: bool  # a checked-out work tree: git status, untracked files, stashes, the running config
    revision: bool  # files are read at a pinned commit of a remote repository (no work tree, no host)
    shell: bool  # runs commands on the environment's host (host facts, docker CLI, compose reference)
    engine: Literal["api", "cli"] | None  # how its container engine is read: docker-py here, or `docker` over the shell
    on_this_machine: bool  # the checkout is on the machine running driftctl (plans run its steps `@here`)
    deployment: bool  # by default a deployment (what serves users) rather than a development checkout
    remote_shell: bool  # commands reach it through a connection (plans wrap them in `ssh ...`)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


TRANSPORTS: dict[str, Capabilities] = {
    "local": Capabilities("local", worktree=True, revision=False, shell=True, engine="api", on_this_machine=True,
                          deployment=False, remote_shell=False),
    "ssh": Capabilities("ssh", worktree=True, revision=False, shell=True, engine="cli", on_this_machine=False,
                        deployment=True, remote_shell=True),
    "git": Capabilities("git", worktree=False, revision=True, shell=False, engine=None, on_this_machine=False,
                        deployment=False, remote_shell=False),
}

# Not a config kind: the machine running driftctl, where plan steps marked `@here` run.
HERE = Capabilities("here", worktree=True, revision=False, shell=True, engine="api", on_this_machine=True,
                    deployment=False, remote_shell=False)

_NONE = Capabilities("unknown", worktree=False, revision=False, shell=False, engine=None, on_this_machine=False,
                     deployment=False, remote_shell=False)


def of(kind: str | None) -> Capabilities:
    """The capabilities of a transport kind (none at all for a kind this driftctl does not know)."""
    return HERE if kind == HERE.kind else TRANSPORTS.get(str(kind), _NONE)


def of_snapshot(snapshot: dict) -> Capabilities:
    """What the environment of a snapshot could do when it was collected."""
    recorded = snapshot.get("capabilities")
    if isinstance(recorded, dict) and set(recorded) == set(_NONE.to_json()):
        try:
            return Capabilities(**recorded)
        except TypeError:
            pass
    return of(snapshot.get("transport"))

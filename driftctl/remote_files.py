"""An environment's files read through its transport exactly as the collectors read them.

`driftctl compose config --env NAME` must resolve the same model a snapshot records: the same
commands (`git show <pinned commit>:path` on a git remote; the guarded reader of driftctl.limits
elsewhere, which refuses links out of the checkout, devices and oversized files), the same
"missing" rule (`collectors.base.file_text`) and the same virtual project root for a git remote
(`collectors.compose.project_root`). Nothing here writes to the target.
"""

from __future__ import annotations

import os
import posixpath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from driftctl.collectors.base import CollectContext
    from driftctl.compose.project import Reader
    from driftctl.config import Config
    from driftctl.transport.base import Transport


def reader(transport: Transport, ctx: CollectContext, root: str) -> Reader:
    """`read(path)` for files under the project root `root`: their text, or None when missing."""
    from driftctl.collectors.base import file_text

    def read(path: str) -> str | None:
        rel = posixpath.relpath(posixpath.normpath(path), root)
        if rel.startswith("..") and ctx.caps.revision:
            return None  # nothing exists outside a repository's tree
        return file_text(transport.run(ctx.read_command(rel)))

    return read


def resolve_compose(config: Config, name: str, files: list[str] | None, project_name: str | None) -> dict:
    """Environment `name`'s compose files (`files`, else its configured ones, else Compose's default
    names) resolved where they live; the shell environment counts only for this machine's checkout."""
    from driftctl.collectors.compose import project_root
    from driftctl.compose import load_project
    from driftctl.transport import make_transport

    config.select([name])
    spec = config.environments[name]
    with make_transport(config, name) as transport:
        ctx = transport.collect_context(spec)
        root = project_root(ctx)
        return load_project(
            list(files or spec.compose_files or []),
            project_dir=root,
            env_files=list(spec.env_files) if "env_files" in spec.model_fields_set else None,
            environ=dict(os.environ) if ctx.caps.on_this_machine else {},
            project_name=project_name,
            read=reader(transport, ctx, root),
        )

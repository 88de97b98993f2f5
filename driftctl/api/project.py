"""Setting up and looking after a project: `init`, `demo`, the JSON schemas, the secret scan and
decrypting a rollback backup. None of these collects an environment."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from driftctl.config import Config

if TYPE_CHECKING:
    from driftctl.demo.run import DemoOptions, DemoResult
    from driftctl.filescan import SecretFinding
    from driftctl.scaffold import InitResult


def init(directory: str | Path = ".", *, force: bool = False) -> InitResult:
    """Write a first environments.yaml for a checkout (compose files, env files, git remote detected)."""
    from driftctl.scaffold import init as scaffold

    return scaffold(Path(directory), force=force)


def demo(options: DemoOptions, progress: Callable[[str], None] | None = None) -> DemoResult:
    """The seed incident rebuilt offline in a sandbox, then snapshot, diff and a quick-fix plan on it."""
    from driftctl.demo.run import run_demo

    return run_demo(options, progress=progress)


def schema(document: str = "config") -> dict:
    """The JSON Schema of environments.yaml (`config`) or of the `driftctl.diff/v1` document (`diff`)."""
    from driftctl.errors import UsageError

    if document == "diff":
        from driftctl.matrix import diff_schema

        return diff_schema()
    if document == "config":
        return config_schema()
    raise UsageError(f"unknown schema {document!r}; use config or diff")


def config_schema() -> dict:
    """The JSON Schema of environments.yaml: the Config model's, without the fields load_config sets."""
    from driftctl.collectors import collector_names

    doc = Config.model_json_schema()
    for internal in ("source", "base_dir"):
        doc.get("properties", {}).pop(internal, None)
    chosen = doc.get("$defs", {}).get("EnvironmentSpec", {}).get("properties", {}).get("collectors", {})
    for option in chosen.get("anyOf", []):  # the names are discovered, so the model cannot list them
        if option.get("type") == "array":
            option["items"] = {"enum": collector_names()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://driftctl.invalid/schema/environments.v1.json",
        **doc,
        "title": "driftctl environments.yaml",
    }


def scan_secrets(paths: Sequence[str] = (), *, repo: str = ".", rev: str | None = None) -> list[SecretFinding]:
    """Files and lines that look like credentials (never the values): the named files, or what the
    unpushed commits of `rev` (default HEAD) touch."""
    from driftctl.errors import UsageError
    from driftctl.filescan import scan_bytes, scan_revision

    findings: list[SecretFinding] = []
    for p in paths:
        try:
            findings += scan_bytes(p, Path(p).read_bytes())
        except OSError as exc:
            raise UsageError(f"{p}: cannot read ({exc.strerror})") from None
    if paths:
        return findings
    import subprocess

    try:
        return scan_revision(repo, rev or "HEAD")
    except subprocess.CalledProcessError:
        raise UsageError(f"{repo}: not a git repository with revision {rev or 'HEAD'}") from None


def decrypt_backup(path: str | Path) -> bytes:
    """An encrypted rollback capture, decrypted with this machine's backup key."""
    from driftctl.backup_crypto import read_decrypted

    return read_decrypted(Path(path))

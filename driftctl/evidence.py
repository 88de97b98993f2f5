"""Structured evidence: the facts behind a matrix row, as typed entries the planner can act on.

A row's `title`, `details` and display `values` are for people and may be reworded at any time;
`evidence` is the contract between the differ and everything downstream (planner, warnings,
metrics). Each entry is one underlying fact from one environment's snapshot: which collector saw
it, what kind of fact it is, and the fields that identify it (path, line, key, commit, container,
service, module) plus the raw value, with secrets only ever as keyed fingerprints (`fp:...`).

Pure data, no I/O: the differ builds entries, `driftctl.diff/v1` serialises them (`evidence` on
each row, additive), and `matrix_from_json` reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The kinds of fact a row can carry. New kinds may be added; readers ignore kinds they do not know.
KINDS: dict[str, str] = {
    "value": "a configuration value in one environment (compose key, env variable, host fact, named component)",
    "absent": "the value/key/file is not there in this environment (collected, and missing)",
    "branch": "the checked-out branch (value; null when detached) and its HEAD (commit)",
    "head": "the deployed commit (commit)",
    "commit-only-here": "a commit reachable only from this environment (no other snapshot or remote has it)",
    "stash": "a stash entry in the checkout (key: stash ref; value: its message)",
    "import-needs-uncommitted": "a committed import that resolves only thanks to uncommitted files (path: importing "
                                "file, line, module, service, commit: the deployed commit; value: the providing files)",
    "unpushed": "commits on the branch not on its upstream (value: count, key: upstream)",
    "uncommitted": "a tracked file modified or deleted in the work tree (path; value: modified|deleted)",
    "untracked": "a file in the work tree that git does not track (path)",
    "file-only-here": "a committed/inventoried file present here and missing elsewhere (path)",
    "content-differs": "a file whose content digest differs between environments (path; value: digest)",
    "missing-import": "a Python import no file provides (path: importing file, line, module, service)",
    "container": "a container of a service in a bad state (container, service; value: state or health)",
    "not-running": "a declared service with no running container (service)",
    "undeclared-container": "a running container no compose service declares (container)",
    "outside-compose": "a running container with a service's Compose name but no compose labels, started by hand (container, "
                       "service; value: {differs: {key: {declared, running}}}, secrets as fingerprints)",
    "other-project": "the checkout's containers run under another compose project name (value: {declared, running})",
    "image-id": "the image id one image reference runs as (key: the reference; container; value: {image_id, "
                "repo_digest, containers})",
    "running-differs": "a running container's setting differs from the declared one (service, key; value: {declared, running})",
    "usage": "a resource past its threshold (key: memory|disk; value: used percent)",
    "resolution-differs": "driftctl's compose resolution disagrees with `docker compose config` (key)",
    "collector-error": "the collector failed (value: the error message)",
}


@dataclass(frozen=True)
class Evidence:
    """One fact from one environment. `value` holds JSON data; secrets only as `fp:` fingerprints."""

    environment: str
    collector: str
    kind: str
    path: str | None = None
    line: int | None = None
    key: str | None = None
    commit: str | None = None
    container: str | None = None
    service: str | None = None
    module: str | None = None
    value: Any = None

    def to_json(self) -> dict:
        out: dict[str, Any] = {"environment": self.environment, "collector": self.collector, "kind": self.kind}
        for name in ("path", "line", "key", "commit", "container", "service", "module"):
            v = getattr(self, name)
            if v is not None:
                out[name] = v
        if self.value is not None:
            out["value"] = self.value
        return out

    @classmethod
    def from_json(cls, doc: dict) -> Evidence:
        line = doc.get("line")
        return cls(
            environment=str(doc["environment"]), collector=str(doc.get("collector") or ""), kind=str(doc["kind"]),
            path=doc.get("path"), line=int(line) if isinstance(line, int) else None, key=doc.get("key"),
            commit=doc.get("commit"), container=doc.get("container"), service=doc.get("service"),
            module=doc.get("module"), value=doc.get("value"),
        )


def evidence_schema() -> dict:
    """JSON Schema of one evidence entry (embedded in the `driftctl.diff/v1` schema)."""
    text = {"type": "string"}
    return {
        "type": "object",
        "description": "One underlying fact behind a row, from one environment's snapshot. The planner reads "
                       "only these entries (never titles, details or display values).",
        "required": ["environment", "collector", "kind"],
        "additionalProperties": False,
        "properties": {
            "environment": {**text, "description": "the environment the fact was collected in"},
            "collector": {**text, "description": "the collector that saw it (git, compose, env, files, ...)"},
            "kind": {**text, "description": "what kind of fact: " + "; ".join(f"`{k}`: {v}" for k, v in KINDS.items())},
            "path": {**text, "description": "a file path relative to the checkout"},
            "line": {"type": "integer", "description": "a line number in `path`"},
            "key": {**text, "description": "a key: compose `<key>` or `environment.<VAR>`, an env variable, a resource"},
            "commit": {**text, "description": "a full commit id"},
            "container": {**text, "description": "a container name"},
            "service": {**text, "description": "a compose service name"},
            "module": {**text, "description": "a Python module name"},
            "value": {"description": "the raw value (JSON); secrets only as keyed fingerprints `fp:...`"},
        },
    }

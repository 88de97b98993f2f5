"""Plans are signed: `apply` runs only what `driftctl plan` wrote on this installation, unchanged.

A plan file is a list of shell lines that `apply` runs with the operator's SSH keys, so it is treated
like code: `plan` appends an HMAC-SHA256 of the plan's canonical JSON (every field except the
signature, sorted keys, no whitespace) under a key derived from the per-installation fingerprint key
(`driftctl.secrets.key_file()`; the derivation keeps the two uses apart). `apply` recomputes it and
refuses an unsigned or modified plan before anything else happens. Someone who can write the plan
file but cannot read the key cannot make driftctl run a command.

Beyond the signature (defence in depth, and for what the planner took from a target): step and plan
ids are single path-safe names, capture files stay inside the reports folder, and whether a step
needs confirmation is derived from its commands too, so `"mutates": false` alone never skips it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shlex
from pathlib import Path
from typing import Any

from driftctl import capabilities
from driftctl.errors import UsageError

SIGNATURE_FIELD = "signature"
ALGORITHM = "HMAC-SHA256"
_DERIVATION = b"driftctl plan signature v1"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")


def _signing_key() -> bytes:
    from driftctl.secrets import _key, key_file

    return hmac.new(_key(str(key_file())), _DERIVATION, hashlib.sha256).digest()


def canonical(plan: dict) -> bytes:
    """The bytes that are signed: the plan as JSON values (what the file holds), without its signature."""
    doc = json.loads(json.dumps({k: v for k, v in plan.items() if k != SIGNATURE_FIELD}, default=str))
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def key_id(key: bytes) -> str:
    """A short public name for the signing key (not the key): which installation signed."""
    return hmac.new(key, b"key id", hashlib.sha256).hexdigest()[:16]


def sign(plan: dict, reports_root: str | os.PathLike[str] | None = None) -> dict:
    """The plan with its `signature` field (last, so the file still reads top-down). `reports_root`,
    the folder the plan's capture files belong in, becomes part of the signed content."""
    if reports_root is not None:
        plan = {**plan, "reports_root": str(Path(reports_root).resolve())}
    key = _signing_key()
    mac = hmac.new(key, canonical(plan), hashlib.sha256).hexdigest()
    body = {k: v for k, v in plan.items() if k != SIGNATURE_FIELD}
    return {**body, SIGNATURE_FIELD: {"algorithm": ALGORITHM, "key": key_id(key), "value": mac}}


def verify(plan: dict, source: str) -> None:
    """Raise UsageError (exit 2, one line) unless the plan is signed by this installation, unchanged."""
    sig = plan.get(SIGNATURE_FIELD)
    name = plan.get("id") if isinstance(plan.get("id"), str) else source
    if not isinstance(sig, dict) or not isinstance(sig.get("value"), str):
        raise UsageError(f"{source}: plan {name} is not signed; apply runs only plans written by `driftctl plan` "
                         "on this installation (run `driftctl plan` again)")
    key = _signing_key()
    expected = hmac.new(key, canonical(plan), hashlib.sha256).hexdigest()
    if sig.get("algorithm") != ALGORITHM or not hmac.compare_digest(expected, sig["value"]):
        other = sig.get("key") not in (None, key_id(key))
        why = "was signed by another installation's key" if other else "was modified after `driftctl plan` wrote it"
        raise UsageError(f"{source}: plan {name} {why} (signature mismatch); refusing to run it")


# -- structure: ids and paths ------------------------------------------------------------------------


def check_structure(plan: dict, source: str) -> None:
    """Ids are single names and the plan's shape is what apply reads; one line on the first problem."""
    def bad(what: str) -> UsageError:
        return UsageError(f"{source}: {what}; refusing to run this plan")

    if not isinstance(plan.get("id"), str) or not _SAFE_ID.match(plan["id"]):
        raise bad(f"plan id {plan.get('id')!r} is not a plain name")
    phases = plan.get("phases")
    if not isinstance(phases, list):
        raise bad("plan has no phases list")
    for phase in phases:
        if not isinstance(phase, dict) or not isinstance(phase.get("steps"), list):
            raise bad("a phase has no steps list")
        for step in phase["steps"]:
            if not isinstance(step, dict):
                raise bad("a step is not an object")
            sid = step.get("id")
            if not isinstance(sid, str) or not _SAFE_ID.match(sid) or ".." in sid:
                raise bad(f"step id {sid!r} is not a plain name (letters, digits, . _ - @ +; no separators)")
            for key in ("commands", "preconditions", "verify", "rollback"):
                lines = step.get(key, [])
                if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
                    raise bad(f"step {sid}: {key} must be a list of command lines")


def reports_root(plan: dict, default: Path) -> Path:
    """The reports folder the (signed) plan was written for, else the config's."""
    root = plan.get("reports_root")
    return Path(root) if isinstance(root, str) and os.path.isabs(root) else default


def capture_path(step: dict, reports_root: Path) -> Path | None:
    """The step's capture file, confined to the reports folder: relative to it, or absolute inside it;
    no `..`, and no symlink on the way that leads out."""
    raw = step.get("capture")
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or "\0" in raw:
        raise UsageError(f"step {step.get('id')}: capture must be a path")
    parts = Path(raw).parts
    if ".." in parts:
        raise UsageError(f"step {step.get('id')}: capture path {raw!r} contains '..'; refusing")
    root = reports_root.resolve()
    path = Path(raw) if os.path.isabs(raw) else root / raw
    resolved = path.resolve()
    if not (resolved == root or root in resolved.parents) or resolved == root:
        raise UsageError(f"step {step.get('id')}: capture path {raw!r} is outside the reports folder {root}; refusing")
    return resolved


# -- does a step change anything? -----------------------------------------------------------------

_READ_ONLY_GIT = frozenset({
    "status", "log", "show", "diff", "rev-parse", "cat-file", "ls-remote", "ls-files", "ls-tree", "for-each-ref",
    "merge-base", "describe", "rev-list", "show-ref",
})
_READ_ONLY_PROGRAMS = frozenset({"cat", "test", "[", "ls", "stat", "sha256sum", "wc", "true", "head", "tail", "grep", "du", "df"})
_SHELL_OPERATORS = re.compile(r"[|&;<>`$(){}\n]")


def line_is_read_only(line: str) -> bool:
    """True only for a single simple command from a small read-only vocabulary (no redirection,
    pipes, substitutions, lists or `--output`). Anything else is assumed to change something."""
    if _SHELL_OPERATORS.search(line):
        return False
    try:
        argv = shlex.split(line)
    except ValueError:
        return False
    if not argv or "=" in argv[0] or any(a.startswith("--output") for a in argv):
        return False
    prog = os.path.basename(argv[0])
    if prog in _READ_ONLY_PROGRAMS:
        return True
    if prog == "docker":
        return len(argv) > 1 and argv[1] in ("inspect", "ps", "logs", "version", "images")
    if prog != "git":
        return False
    args = argv[1:]
    while args and args[0] in ("-C", "--no-pager", "--no-optional-locks"):
        args = args[2:] if args[0] == "-C" else args[1:]
    return bool(args) and args[0] in _READ_ONLY_GIT


def step_mutates(step: dict) -> bool:
    """Whether `apply` must confirm the step: its own `mutates` flag, or any command that is not
    plainly read-only. A capture step writes only into the reports folder."""
    if step.get("mutates"):
        return True
    return not all(line_is_read_only(line) for line in step.get("commands", []))


def describe_dry_run(step: dict, where: dict[str, str]) -> list[str]:
    """What `apply` would execute for a step, exactly: every line as it is handed to `sh -c`, with the
    environment and directory it runs in. Control characters are shown escaped (JSON style)."""
    env = step["environment"]
    venv = step.get("verify_environment") or env
    out = [f"    on {env}, each line runs as `sh -c LINE` in {where.get(env, '?')}"]
    out += [f"    check: {_exact(line)}" for line in step.get("preconditions", [])]
    out += [f"    would run: {_exact(line)}" for line in step.get("commands", [])]
    if step.get("capture"):
        out.append(f"    stdout saved to: {step['capture']}")
    for line in step.get("verify", []):
        if line.startswith("driftctl "):
            out.append(f"    afterwards, here: {_exact(line)}")
        else:
            out.append(f"    verify{'' if venv == env else f' on {venv} in ' + where.get(venv, '?')}: {_exact(line)}")
    return out


def _exact(line: str) -> str:
    return line if line.isprintable() else json.dumps(line)


def where_lines_run(config: Any, envs: list[str]) -> dict[str, str]:
    """environment -> the directory apply's `sh -c` runs in (what the transport uses as its root)."""
    from driftctl.planner.model import HERE

    out: dict[str, str] = {HERE: f"{config.base_dir} (this machine)"}
    for env in envs:
        spec = config.environments.get(env)
        if spec is None:
            continue
        caps = capabilities.of(spec.transport)
        if caps.on_this_machine:
            out[env] = f"{config.local_path(spec)} (this machine)"
        elif caps.remote_shell:
            out[env] = f"{spec.path} on {spec.host}"
        else:
            out[env] = f"the mirror of {env}"
    return out

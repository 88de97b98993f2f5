"""Env files parsed the way Compose parses them; secret-looking values kept only as fingerprints."""

from typing_extensions import NotRequired, TypedDict

from driftctl.collectors.base import CollectContext, CollectGen, Collector, file_text
from driftctl.limits import FileRefused
from driftctl.models import CommandResult
from driftctl.secrets import fingerprint, is_fingerprint, redact_tree, secret_values

# --- the data this collector stores in a snapshot -------------------------------------------------
# What the env collector stores: each configured env file, parsed as Compose parses it.
# (The differ and planner import these types under TYPE_CHECKING only. No `from __future__ import
# annotations` in this module: NotRequired must be evaluated for `__required_keys__` to be right.)


class EnvFile(TypedDict):
    """One env file. Absent: only `exists: false`. Parsed: fingerprint, variables, secret_keys.
    Unparseable: fingerprint and error. Refused (a FIFO, over the size cap): only exists and error."""

    exists: bool
    fingerprint: NotRequired[str]  # keyed fingerprint of the whole text
    # null only in snapshots of earlier versions (a bare `KEY`, which is now left out as Compose does)
    variables: NotRequired[dict[str, str | None]]
    secret_keys: NotRequired[list[str]]  # variables whose value is a fingerprint
    error: NotRequired[str]


class EnvData(TypedDict):
    files: dict[str, EnvFile]  # by the name given in environments.yaml


class EnvCollector(Collector):
    name = "env"
    data_type = EnvData

    def collect(self, ctx: CollectContext) -> CollectGen[EnvData]:
        names = list(dict.fromkeys(ctx.spec.env_files))
        results = yield [ctx.read_command(n) for n in names]
        return {"files": {n: _one_file(r) for n, r in zip(names, results)}}


def _one_file(result: CommandResult) -> EnvFile:
    """A refused file (outside the checkout, a FIFO or device, over the size cap) is reported as such;
    nothing of it is read, hashed or fingerprinted."""
    try:
        return parse_env_file(file_text(result))
    except FileRefused as exc:
        return {"exists": True, "error": f"not read: {exc.reason}"}


def parse_env_file(text: str | None) -> EnvFile:
    """One env file -> {exists, fingerprint, variables, secret_keys} with secrets fingerprinted.

    A bare `KEY` (inherit from the shell) is left out, as Compose leaves it out without a value in
    the shell: the deploying shell is not knowable here. (Snapshots of earlier versions kept it as null.)
    """
    if text is None:
        return {"exists": False}
    from driftctl.compose.dotenv import DotenvError, parse_dotenv

    try:
        parsed = parse_dotenv(text, lambda _name: None)
    except DotenvError as exc:  # its messages name keys and lines, never values
        return {"exists": True, "fingerprint": fingerprint(text), "error": str(exc).splitlines()[0]}
    # taint: a value built from a secret (`FROM_ENV=${DB_PASSWORD}`) is redacted wherever it appears
    variables = redact_tree(parsed, secret_values(parsed))
    secret_keys = [k for k, v in variables.items() if is_fingerprint(v) and v != parsed[k]]
    return {"exists": True, "fingerprint": fingerprint(text), "variables": variables, "secret_keys": secret_keys}

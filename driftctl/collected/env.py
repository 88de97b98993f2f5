"""What the env collector stores: each configured env file, parsed as Compose parses it."""

from typing_extensions import NotRequired, TypedDict


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

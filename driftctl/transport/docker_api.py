"""The Docker Engine API of a local environment, through docker-py.

Why a transport module: only transports and the runner do I/O against targets. The containers
collector asks this module for the engine's raw JSON (the same documents `docker inspect` and
`docker image inspect` print, because the CLI prints the Engine API's answers unchanged) and hands it
to the collector's pure parsers, so a local and an SSH snapshot go through one parser.

docker-py is imported inside the functions that use it, so `driftctl --help` never pays for it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

DEFAULT_SOCKET_ENV = "DRIFTCTL_DEFAULT_DOCKER_SOCKET"  # lets tests point "the default" elsewhere
DEFAULT_SOCKET = "/var/run/docker.sock"
_STATS_WORKERS = 8


@dataclass(frozen=True)
class EngineTarget:
    """Which engine to read, and whether someone asked for it explicitly.

    An engine that was configured (environments.yaml `docker_host`, or `DOCKER_HOST`) and cannot be
    reached is an error; the default socket answering nothing only means "no Docker here".
    """

    url: str
    configured: bool


@dataclass
class EngineState:
    """Raw Engine API documents, exactly as the API returned them."""

    url: str
    version: dict[str, Any]
    containers: list[dict[str, Any]] = field(default_factory=list)  # container inspect documents
    images: list[dict[str, Any]] = field(default_factory=list)  # image inspect documents
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)  # container id -> one stats sample


class EngineUnreachable(Exception):
    """The engine did not answer. `kind` is missing | refused | denied | timeout | other."""

    def __init__(self, url: str, kind: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.kind = kind
        self.reason = reason


class EngineFailed(Exception):
    """The engine answered, then refused or failed a request (one line)."""


def engine_target(docker_host: str | None, environ: Mapping[str, str] | None = None) -> EngineTarget:
    """The environment's `docker_host`, else `DOCKER_HOST`, else the default socket."""
    env = os.environ if environ is None else environ
    if docker_host:
        return EngineTarget(docker_host, True)
    if env.get("DOCKER_HOST"):
        return EngineTarget(env["DOCKER_HOST"], True)
    return EngineTarget(socket_url(env.get(DEFAULT_SOCKET_ENV) or DEFAULT_SOCKET), False)


def socket_url(path_or_url: str) -> str:
    return path_or_url if "://" in path_or_url else f"unix://{path_or_url}"


def fetch_engine_state(url: str, timeout: float = 30) -> EngineState:
    """Version, every container's inspect document, their images and one stats sample of each running one."""
    from docker.errors import DockerException, NotFound

    client = _connect(url, timeout)
    try:
        version = client.version()
        containers = []
        for row in client.containers(all=True, quiet=True):
            try:
                containers.append(client.inspect_container(row["Id"]))
            except NotFound:  # removed between the listing and the inspect
                continue
        images = _inspect_images(client, sorted({c.get("Image", "") for c in containers} - {""}))
        running = [c["Id"] for c in containers if (c.get("State") or {}).get("Running")]
        stats = _stats(client, running, one_shot=_supports_one_shot(client))
        return EngineState(url, version, containers, images, stats)
    except DockerException as exc:
        raise EngineFailed(_one_line(str(exc))) from None
    finally:
        client.close()


def _connect(url: str, timeout: float):  # -> docker.APIClient
    """An API client that already talked to the engine (version negotiation), or EngineUnreachable."""
    import docker
    from docker.errors import DockerException
    from docker.utils import kwargs_from_env

    if url.startswith("unix://") and not os.path.exists(url[len("unix://"):]):
        raise EngineUnreachable(url, "missing", "no such socket")
    kwargs = kwargs_from_env()  # TLS settings (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) still apply
    kwargs.update(base_url=url, version="auto", timeout=timeout)
    try:
        return docker.APIClient(**kwargs)
    except DockerException as exc:
        kind, reason = classify(str(exc))
        raise EngineUnreachable(url, kind, reason) from None


def classify(message: str) -> tuple[str, str]:
    """A docker-py connection error as (kind, short reason): its messages nest three exceptions deep."""
    text = message.lower()
    for needle, kind, reason in (
        ("permission denied", "denied", "permission denied"),
        ("no such file", "missing", "no such socket"),
        ("filenotfounderror", "missing", "no such socket"),
        ("connection refused", "refused", "connection refused"),
        ("timed out", "timeout", "timed out"),
        ("timeout", "timeout", "timed out"),
    ):
        if needle in text:
            return kind, reason
    return "other", _one_line(message)


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _inspect_images(client, image_ids: list[str]) -> list[dict[str, Any]]:
    from docker.errors import NotFound

    out = []
    for image_id in image_ids:
        try:
            out.append(client.inspect_image(image_id))
        except NotFound:  # the image was removed while a container still uses it
            continue
    return out


def _supports_one_shot(client) -> bool:
    """`one-shot` stats (no 1 s wait for a second CPU sample) exist from API 1.41."""
    from docker.utils import version_gte

    return version_gte(client.api_version, "1.41")


def _stats(client, container_ids: list[str], one_shot: bool) -> dict[str, dict[str, Any]]:
    from docker.errors import DockerException

    def sample(cid: str) -> tuple[str, dict[str, Any] | None]:
        try:
            if one_shot:
                return cid, client.stats(cid, stream=False, one_shot=True)
            return cid, client.stats(cid, stream=False)
        except DockerException:  # stopped meanwhile; memory use is a volatile extra, not worth failing for
            return cid, None

    if not container_ids:
        return {}
    with ThreadPoolExecutor(max_workers=min(_STATS_WORKERS, len(container_ids))) as pool:
        return {cid: s for cid, s in pool.map(sample, container_ids) if s is not None}

"""What the containers collector stores: the engine, its containers and images, and how they
compare with the compose services of the same checkout.

Secrets appear only as keyed fingerprints (`fp:...`) in every string below (environment values,
command lines, labels). `services` and `undeclared` are the collector's own comparison
(`driftctl.collectors.container_compare`); the differ reads them and never the engine's documents.
"""

# No `from __future__ import annotations`: NotRequired must be evaluated when the class is built so
# that `__required_keys__` / `__optional_keys__` are right (tests check data against them).
from typing import Any

from typing_extensions import NotRequired, TypedDict


class EngineInfo(TypedDict):
    host: str | None  # the engine URL; None = the docker CLI's default on that host
    version: str | None
    api_version: str | None


class Mount(TypedDict):
    type: str | None
    source: str | None  # a named volume is named, a bind mount located
    target: str | None
    read_only: bool


class ContainerFacts(TypedDict):
    """One container as `docker inspect` shows it (the facts driftctl keeps)."""

    name: str
    id: str | None
    project: str | None  # com.docker.compose.project (None: not created by Compose)
    service: str | None  # com.docker.compose.service
    config_hash: str | None
    config_files: list[str]  # com.docker.compose.project.config_files, absolute paths on the host
    working_dir: NotRequired[str | None]  # com.docker.compose.project.working_dir
    image: str | None  # the reference it was created from (Config.Image)
    image_id: str | None  # sha256:... of the image it runs
    repo_digests: list[str]  # the image's registry digests (empty for a built or imported image)
    command: list[str] | None
    entrypoint: list[str] | None
    environment: dict[str, str | None]
    ports: list[str]  # `[ip:]published->target/proto`, as asked for (HostConfig.PortBindings)
    networks: dict[str, dict[str, list[str]]]  # network -> {"aliases": [...]}
    mounts: list[Mount]
    restart_policy: str  # no | always | unless-stopped | on-failure[:N]
    state: str | None  # running | exited | restarting | created | paused | dead
    exit_code: NotRequired[int | None]  # when exited or dead
    health: str | None  # healthy | unhealthy | starting | None (no healthcheck)
    restart_count: int
    started_at: str | None  # volatile
    memory_limit: int | None  # bytes; None = unlimited
    memory_usage: int | None  # volatile; bytes in use while running


class ImageFacts(TypedDict):
    """What a container inherits from its image: the defaults compose need not declare."""

    tags: list[str]
    repo_digests: list[str]
    command: list[str] | None
    entrypoint: list[str] | None
    environment: dict[str, str | None]


class Difference(TypedDict):
    """One compared key: what compose declares and what the container runs (secrets fingerprinted)."""

    declared: Any
    running: Any


class OutsideCompose(TypedDict):
    """A running container with a Compose name of the service but no compose labels (started by
    hand, e.g. `docker run --name <project>-<service>-1`), compared with the service's model."""

    container: str
    differs: dict[str, Difference]  # key (image, command, environment, ports, ...) -> difference
    env_unchecked: NotRequired[list[str]]  # extra variables not judged (the image's env is unknown)


class ServiceState(TypedDict):
    """A declared service and the compose containers that run it."""

    running: bool  # a compose container of the service runs
    containers: list[str]  # its compose containers (by labels, or by the project folder's labels)
    differs: dict[str, Difference]  # running compose containers vs the model, on COMPARED_KEYS
    env_unchecked: NotRequired[list[str]]
    build: NotRequired[bool]  # the service builds its image (its tag names a local build)
    outside_compose: NotRequired[list[OutsideCompose]]


class ComposeLink(TypedDict):
    project: str | None  # the compose project the containers were compared with
    error: str | None  # why there was no compose model to compare with


class ContainersData(TypedDict):
    engine: EngineInfo
    containers: list[ContainerFacts]  # sorted by name
    images: dict[str, ImageFacts]  # image id -> facts
    services: dict[str, ServiceState]  # declared service -> state (empty without a compose model)
    undeclared: list[str]  # running containers no declared service accounts for
    other_projects: NotRequired[list[str]]  # compose projects of this checkout's containers started with another `-p`
    compose: ComposeLink

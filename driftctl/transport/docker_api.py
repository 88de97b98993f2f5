"""The Docker Engine API of a local environment, through docker-py.

Why a transport module: only transports and the runner do I/O against targets. The containers
collector asks this module for the engine's raw JSON (the same documents `docker inspect` and
`docker image inspect` print, because the CLI prints the Engine API's answers unchanged) and hands it
to the collector's pure parsers, so a local and an SSH snapshot go through one parser.

docker-py is imported inside the functions that use it, so `driftctl --help` never pays for it.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.client import HTTPException, HTTPResponse
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


# --------------------------------------------------------------------------------------------------
# The same documents over a byte stream (an SSH host's socket, reached through the SSH connection)
# --------------------------------------------------------------------------------------------------

MAX_RESPONSE_BYTES = 64 << 20  # one Engine API answer (a container listing of a very busy host)
# The engine samples container stats once a second and answers one-shot stats at the next sample, one
# request after another on a connection: N running containers cost N seconds on one stream. Spread
# over this many streams (opened like the first, no thread each) they wait for the same samples.
STATS_STREAMS = 8
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")
ONE_SHOT_API = (1, 41)


def fetch_engine_state_stream(open_stream: Callable[[], Any], url: str, timeout: float = 30) -> EngineState:
    """What `fetch_engine_state` reads, over streams to the engine's socket: HTTP/1.1 requests
    pipelined in three rounds (version + listing, inspect + one-shot stats, images), so the cost is
    three network round trips whatever the number of containers, and no thread per request. The
    stats of several running containers go over up to STATS_STREAMS more streams (see there).

    The engine is input like any other target output: ids must look like ids before they go into a
    request line, and every answer is bounded (MAX_RESPONSE_BYTES).
    """
    stream = open_stream()
    lanes: list[tuple[Any, _Shared]] = []
    try:
        reader = _reader(stream, timeout)
        version, listing = _get_all(stream, reader, ["/version", "/containers/json?all=1"])
        version_doc = _json(version, "/version")
        api = str(version_doc.get("ApiVersion") or "")
        if _api_tuple(api) < ONE_SHOT_API:
            raise EngineFailed(f"API {api or '?'} is older than 1.41 (no one-shot stats)")
        prefix = f"/v{api}"
        rows = _json(listing, "/containers/json")
        if not isinstance(rows, list):
            raise EngineFailed("/containers/json: not a list")
        ids = [_checked_id(row.get("Id")) for row in rows if isinstance(row, dict)]
        running = [_checked_id(row.get("Id")) for row in rows if isinstance(row, dict) and row.get("State") == "running"]
        inspect_paths = [f"{prefix}/containers/{i}/json" for i in ids]
        stats_paths = [f"{prefix}/containers/{i}/stats?stream=false&one-shot=true" for i in running]
        lanes = _more_streams(open_stream, timeout, min(STATS_STREAMS, len(stats_paths)) if len(stats_paths) > 1 else 0)
        if lanes:  # stats request k on lane k % n, all sent before any answer is read
            n = len(lanes)
            for k, (lane, _) in enumerate(lanes):
                _send_gets(lane, stats_paths[k::n])
            inspected = _get_all(stream, reader, inspect_paths)
            per_lane = [_read_answers(lane_reader, len(stats_paths[k::n])) for k, (_, lane_reader) in enumerate(lanes)]
            answers = inspected + [per_lane[k % n][k // n] for k in range(len(stats_paths))]
        else:
            answers = _get_all(stream, reader, inspect_paths + stats_paths)
        containers = [doc for (status, doc), _ in zip(answers[: len(ids)], ids) if status != 404
                      for doc in [_json((status, doc), "container inspect")] if isinstance(doc, dict)]
        stats: dict[str, dict[str, Any]] = {}
        for cid, (status, body) in zip(running, answers[len(ids):]):
            if status == 200:  # stopped meanwhile: memory use is a volatile extra, not worth failing for
                doc = _json((status, body), "stats")
                if isinstance(doc, dict):
                    stats[cid] = doc
        image_ids = sorted({str(c.get("Image") or "") for c in containers} - {""})
        image_answers = _get_all(stream, reader, [f"{prefix}/images/{_checked_id(i)}/json" for i in image_ids])
        images = [doc for status, body in image_answers if status != 404
                  for doc in [_json((status, body), "image inspect")] if isinstance(doc, dict)]
        running_ids = {c.get("Id") for c in containers if (c.get("State") or {}).get("Running")}
        return EngineState(url, version_doc, containers, images, {k: v for k, v in stats.items() if k in running_ids})
    except (OSError, EOFError, HTTPException) as exc:
        raise EngineFailed(_one_line(f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc))) from None
    finally:
        for lane, _ in lanes:
            lane.close()
        stream.close()


def _more_streams(open_stream: Callable[[], Any], timeout: float, count: int) -> list[tuple[Any, _Shared]]:
    """Up to `count` more streams to the engine (with their readers); fewer, or none, when the target
    refuses more: the first stream then carries the rest, as it would alone."""
    from driftctl.transport.base import StreamRefused

    lanes: list[tuple[Any, _Shared]] = []
    try:
        for _ in range(count):
            try:
                lane = open_stream()
            except (StreamRefused, OSError):
                break
            lanes.append((lane, _reader(lane, timeout)))
    except BaseException:
        for lane, _ in lanes:
            lane.close()
        raise
    return lanes


def fetch_version_stream(open_stream: Callable[[], Any], timeout: float = 30) -> dict[str, Any]:
    """The engine's `/version` document over one stream to its socket (what `docker version` shows as
    Server), one request and no process on the target. EngineFailed when it does not answer."""
    stream = open_stream()
    try:
        answer, = _get_all(stream, _reader(stream, timeout), ["/version"])
        doc = _json(answer, "/version")
        if not isinstance(doc, dict):
            raise EngineFailed("/version: not a document")
        return doc
    except (OSError, EOFError, HTTPException) as exc:
        raise EngineFailed(_one_line(f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc))) from None
    finally:
        stream.close()


def _checked_id(value: object) -> str:
    text = str(value or "")
    if not _ID.fullmatch(text):
        raise EngineFailed(f"the engine answered an id that is not one: {text[:40]!r}")
    return text


def _api_tuple(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in text.split("."))
    except ValueError:
        return (0,)


class _Raw(io.RawIOBase):
    """A channel (anything with `recv`) as a raw binary stream, for io.BufferedReader; every read
    shares one deadline, so an engine that trickles bytes cannot hold the snapshot past its timeout."""

    def __init__(self, stream: Any, deadline: float):
        self._stream = stream
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if time.monotonic() > self._deadline:
            raise TimeoutError("the engine did not answer in time")
        data = self._stream.recv(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Shared:
    """One buffered reader handed to every HTTPResponse in turn: a response must not close it, and
    the bytes of the next pipelined answer stay in its buffer."""

    def __init__(self, reader: io.BufferedReader):
        self._reader = reader

    def makefile(self, *_args: Any, **_kwargs: Any) -> _Shared:
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)

    def close(self) -> None:
        return None


def _reader(stream: Any, timeout: float) -> _Shared:
    return _Shared(io.BufferedReader(_Raw(stream, time.monotonic() + timeout), 1 << 16))


def _get_all(stream: Any, reader: _Shared, paths: list[str]) -> list[tuple[int, bytes]]:
    """Send every GET at once, then read the answers in order: (status, body) each."""
    _send_gets(stream, paths)
    return _read_answers(reader, len(paths))


def _send_gets(stream: Any, paths: list[str]) -> None:
    if paths:
        requests = "".join(f"GET {p} HTTP/1.1\r\nHost: docker\r\nUser-Agent: driftctl\r\n\r\n" for p in paths)
        stream.sendall(requests.encode("ascii"))


def _read_answers(reader: _Shared, count: int) -> list[tuple[int, bytes]]:
    """The next `count` answers on a stream, in order: (status, body) each."""
    out = []
    for _ in range(count):
        response = HTTPResponse(reader, method="GET")  # type: ignore[arg-type]  # only makefile() is used
        response.begin()
        body = response.read(MAX_RESPONSE_BYTES + 1)
        if len(body) > MAX_RESPONSE_BYTES:
            raise EngineFailed(f"an answer is larger than {MAX_RESPONSE_BYTES} bytes")
        if response.will_close:
            raise EngineFailed("the engine closed the connection")
        out.append((response.status, body))
    return out


def _json(answer: tuple[int, bytes], what: str) -> Any:
    status, body = answer
    try:
        doc = json.loads(body) if body else None
    except ValueError:
        raise EngineFailed(f"{what}: the answer is not JSON (HTTP {status})") from None
    if status != 200:
        message = doc.get("message") if isinstance(doc, dict) else None
        raise EngineFailed(_one_line(f"{what}: {message or f'HTTP {status}'}"))
    return doc

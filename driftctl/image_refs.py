"""Image references as Docker reads them: one spelling per image, and the repository a digest names.

Pure and shared: the containers collector compares a service's `image:` with what a container was
created from, and the differ groups running containers by reference across environments (drift
under a moving tag) without importing collector code.
"""

from __future__ import annotations

_HUB = ("docker.io", "index.docker.io", "registry-1.docker.io")


def normalize_image(ref: str | None) -> str | None:
    """`redis`, `redis:latest`, `docker.io/library/redis:latest` are one image reference."""
    if not ref or ref.startswith("sha256:"):
        return ref
    name, at, digest = ref.partition("@")
    if not at and ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    parts = name.split("/")
    if len(parts) > 1 and parts[0] in _HUB:
        parts = parts[1:]
    if len(parts) == 2 and parts[0] == "library":
        parts = parts[1:]
    return "/".join(parts) + (f"@{digest}" if at else "")


def repository(ref: str) -> str:
    """The repository of a normalised reference: `ghcr.io/acme/api:7` -> `ghcr.io/acme/api`."""
    name = ref.partition("@")[0]
    head, sep, tail = name.rpartition("/")
    return f"{head}{sep}{tail.partition(':')[0]}"


def repo_digest(ref: str, digests: list[str]) -> str | None:
    """The registry digest of `ref`'s repository among an image's RepoDigests (`repo@sha256:...`)."""
    want = repository(normalize_image(ref) or ref)
    for entry in sorted(digests):
        name, _, digest = entry.partition("@")
        if digest and repository(normalize_image(name) or name) == want:
            return f"{name}@{digest}"
    return None

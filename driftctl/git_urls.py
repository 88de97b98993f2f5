"""Credentials in configured git URLs: split off, never stored, handed to git only through askpass.

`https://user:TOKEN@host/repo.git` in environments.yaml is convenient, but git writes a clone URL into
the repository's config, driftctl names the mirror folder after the URL, and URLs get printed. So the
URL is split once, here: the credential-free URL is what driftctl stores, prints, hashes and gives git
on the command line; the user name and password reach git only through the environment of the git
process, read back by a fixed askpass script (`askpass_script()`), with credential helpers switched
off for that process so none of them stores what it was handed.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

USER_VAR = "DRIFTCTL_GIT_USERNAME"
PASSWORD_VAR = "DRIFTCTL_GIT_PASSWORD"
_HTTP = ("http", "https")

ASKPASS = """#!/bin/sh
# driftctl: answers git's credential prompts from the environment of the git process it started.
case "$1" in
  [Uu]sername*) printf '%s\\n' "$DRIFTCTL_GIT_USERNAME" ;;
  *) printf '%s\\n' "$DRIFTCTL_GIT_PASSWORD" ;;
esac
"""


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """(credential-free URL, user, password). For http(s) the whole userinfo is a credential (a token
    is often the user name); elsewhere (ssh://user@host) the user name stays and only a password goes."""
    if "://" not in url or "@" not in url.split("://", 1)[1].split("/", 1)[0]:
        return url, None, None
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    if parts.scheme.lower() not in _HTTP:
        if password is None:
            return url, None, None
        netloc = f"{parts.username}@{netloc}" if parts.username else netloc
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), None, password
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), user, password


def askpass_script(folder: Path) -> Path:
    """The askpass script (0700, no secret in it), written once under driftctl's own folder."""
    path = folder / "askpass.sh"
    try:
        if path.read_text() == ASKPASS and os.access(path, os.X_OK):
            return path
    except OSError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".askpass.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o700)
    with os.fdopen(fd, "w") as fh:
        fh.write(ASKPASS)
    os.replace(tmp, path)
    return path


def credential_env(user: str | None, password: str | None, folder: Path) -> dict[str, str]:
    """Variables for a git process that may need the credentials (empty when there are none)."""
    if user is None and password is None:
        return {}
    return {"GIT_ASKPASS": str(askpass_script(folder)), USER_VAR: user or "", PASSWORD_VAR: password or "",
            "GIT_TERMINAL_PROMPT": "0"}

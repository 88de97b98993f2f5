"""Secret detection and keyed fingerprints.

Two environments' secrets must be comparable without revealing them, so values that look secret are
replaced by an HMAC-SHA256 under a per-installation key kept outside reports/. The same key on the same
machine gives the same fingerprint for the same value, whichever transport brought it in.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets as _stdlib_secrets
import threading
from functools import lru_cache
from pathlib import Path

FINGERPRINT_PREFIX = "fp:"
_SECRET_NAME = re.compile(
    r"(TOKEN|SECRET|PASSWORD|PASSWD|PASS$|PWD|API_?KEY|_KEY$|^KEY$|PRIVATE|CREDENTIAL|AUTH|DSN|SIGNATURE|SALT)",
    re.IGNORECASE,
)
_SECRET_SHAPES = [
    re.compile(r"^\d{8,10}:[A-Za-z0-9_-]{35}$"),  # Telegram bot token
    re.compile(r"^(sk|pk|rk)_(live|test)_[A-Za-z0-9]{10,}$"),  # Stripe-like
    re.compile(r"^AKIA[0-9A-Z]{16}$"),  # AWS access key id
    re.compile(r"^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"),  # JWT
    re.compile(r"^gh[pousr]_[A-Za-z0-9]{30,}$"),  # GitHub token
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"://[^/\s:@]+:[^/\s@]+@"),  # URL with user:password@
]
_HIGH_ENTROPY = re.compile(r"^[A-Za-z0-9+/=_\-]{32,}$")


def key_file() -> Path:
    explicit = os.environ.get("DRIFTCTL_FINGERPRINT_KEY_FILE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "driftctl" / "fingerprint.key"


_key_lock = threading.Lock()


@lru_cache(maxsize=4)
def _key(path: str) -> bytes:
    """The installation key, created on first use (0600). Environments are collected in threads,
    so creation is locked here and `O_EXCL` settles a race with another driftctl process."""
    p = Path(path)
    with _key_lock:
        for _ in range(2):
            try:
                return bytes.fromhex(p.read_text().strip())
            except FileNotFoundError:
                pass
            except (ValueError, OSError):
                break
            p.parent.mkdir(parents=True, exist_ok=True)
            key = _stdlib_secrets.token_bytes(32)
            try:
                fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue  # another process won: read its key
            with os.fdopen(fd, "w") as fh:
                fh.write(key.hex() + "\n")
            return key
    # An unreadable key file must not stop collection; fall back to a per-process key.
    return _stdlib_secrets.token_bytes(32)


def fingerprint(value: str) -> str:
    """`fp:` + the first 16 hex digits of HMAC-SHA256(installation key, value)."""
    digest = hmac.new(_key(str(key_file())), value.encode("utf-8"), hashlib.sha256).hexdigest()
    return FINGERPRINT_PREFIX + digest[:16]


def is_fingerprint(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FINGERPRINT_PREFIX) and len(value) == 19


def looks_secret(key: str, value: str | None) -> bool:
    """True when the name or the shape of the value says it is a credential."""
    if value is None or value == "":
        return False
    if _SECRET_NAME.search(key):
        return True
    if any(p.search(value) for p in _SECRET_SHAPES):
        return True
    return bool(_HIGH_ENTROPY.match(value)) and _mixed(value)


def _mixed(value: str) -> bool:
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes >= 3


def protect(key: str, value: str | None) -> str | None:
    """The value as it may be stored: itself, or its fingerprint when it looks secret."""
    if value is not None and looks_secret(key, value):
        return fingerprint(value)
    return value


def protect_mapping(env: dict[str, str | None]) -> dict[str, str | None]:
    return {k: protect(k, v) for k, v in env.items()}


_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")


def redact_url(url: str) -> str:
    """A URL with its credentials fingerprinted: `https://user:fp:1a2b...@host/repo.git`.

    Git remotes often carry a token (`https://x:TOKEN@github.com/...` or `https://TOKEN@github.com/...`);
    the user name stays when it is a plain name, so two remotes can still be told apart.
    """

    def repl(match: re.Match[str]) -> str:
        user, sep, password = match["userinfo"].partition(":")
        if sep:
            return f"{match['scheme']}{user}:{fingerprint(password)}@"
        if looks_secret("", user):
            return f"{match['scheme']}{fingerprint(user)}@"
        return match.group(0)

    return _URL_USERINFO.sub(repl, url)


def redact(text: str, known_secrets: list[str]) -> str:
    """Replace every known secret value in free text (logs, error messages) by its fingerprint."""
    for value in sorted(set(v for v in known_secrets if v and len(v) >= 4), key=len, reverse=True):
        text = text.replace(value, fingerprint(value))
    return text

"""Backups at rest: captures that hold environment values (env files, `docker inspect`, logs) are
encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) before they touch the disk.

The key lives outside reports/ (which CI may upload): `~/.config/driftctl/backup.key` (0600), or the
file named by DRIFTCTL_BACKUP_KEY_FILE. Restoring is `driftctl backup decrypt FILE` (to stdout or
`-o OUT`), e.g. `driftctl backup decrypt config.tar.enc | ssh host 'cd app && tar -xf -'`.
"""

from __future__ import annotations

import os
from pathlib import Path

from driftctl.errors import UsageError
from driftctl.settings import config_home

MAGIC = b"driftctl-backup/1\n"


def key_file() -> Path:
    explicit = os.environ.get("DRIFTCTL_BACKUP_KEY_FILE")
    if explicit:
        return Path(explicit)
    return config_home() / "backup.key"


def _key(create: bool) -> bytes:
    from cryptography.fernet import Fernet

    path = key_file()
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        if not create:
            raise UsageError(f"no backup key at {path}: the backup cannot be decrypted on this machine") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()  # another process created it first
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    return key


def encrypt(data: bytes) -> bytes:
    from cryptography.fernet import Fernet

    return MAGIC + Fernet(_key(create=True)).encrypt(data)


def decrypt(blob: bytes, name: str = "backup") -> bytes:
    from cryptography.fernet import Fernet, InvalidToken

    if not blob.startswith(MAGIC):
        raise UsageError(f"{name}: not a driftctl encrypted backup")
    try:
        return Fernet(_key(create=False)).decrypt(blob[len(MAGIC):])
    except (InvalidToken, ValueError):
        raise UsageError(f"{name}: cannot decrypt with the key at {key_file()} (another machine's key, or a damaged file)") from None


def write_encrypted(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(encrypt(data))


def read_decrypted(path: Path) -> bytes:
    try:
        return decrypt(path.read_bytes(), str(path))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None

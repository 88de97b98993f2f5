"""File-content secret scanning before a rescue, a commit or a push.

Values are recognised by shape (private keys, live payment keys, AWS access keys, JWTs, GitHub
tokens, URLs with a password, long high-entropy strings assigned to a name). A finding names the
file, the line and the kind of secret, never the value, so it can be printed, logged and put in a
plan. The value shapes mirror `driftctl.secrets` (which anchors them to whole values); here they
are searched inside lines.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("payment API key", re.compile(r"\b(?:sk|rk)_live_[A-Za-z0-9]{10,}")),
    ("AWS access key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}")),
    ("Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("Telegram bot token", re.compile(r"\b\d{8,10}:[A-Za-z0-9_-]{35}\b")),
    ("URL with a password", re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@'\"]+:[^/\s@'\"]{3,}@")),
)
# NAME = "long-random-string": the value of an assignment, quoted or not
ASSIGNED = re.compile(r"""[A-Za-z_][A-Za-z0-9_.-]*["']?\s*[:=]\s*["']?(?P<value>[A-Za-z0-9+/=_\-]{32,})""")
MAX_BYTES = 2 * 1024 * 1024  # larger files are data, not configuration: not scanned


@dataclass(frozen=True)
class SecretFinding:
    path: str
    line: int
    kind: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: looks like a {self.kind} (value not shown)"


def entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())


def _high_entropy(value: str) -> bool:
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes >= 3 and entropy(value) >= 4.0


def scan_text(path: str, text: str) -> list[SecretFinding]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        kind = next((k for k, p in SHAPES if p.search(line)), None)
        if kind is None:
            m = ASSIGNED.search(line)
            if m and _high_entropy(m["value"]):
                kind = "high-entropy string"
        if kind:
            out.append(SecretFinding(path, n, kind))
    return out


def scan_bytes(path: str, data: bytes | None) -> list[SecretFinding]:
    """Findings in one file's content; binary (NUL bytes) and oversized files are not scanned."""
    if not data or len(data) > MAX_BYTES or b"\0" in data[:8192]:
        return []
    return scan_text(path, data.decode("utf-8", errors="replace"))


def scan_revision(repo: str, rev: str = "HEAD") -> list[SecretFinding]:
    """Files that `rev` would publish: those touched by its commits that no remote-tracking ref has
    yet, scanned as they are at `rev`."""
    import subprocess

    def git(*args: str) -> bytes:
        return subprocess.run(["git", "-C", repo, *args], capture_output=True, check=True).stdout

    names = git("log", "--format=", "--name-only", "-z", rev, "--not", "--remotes").split(b"\0")
    out: list[SecretFinding] = []
    for raw in sorted({n for n in names if n.strip()}):
        path = raw.decode("utf-8", errors="surrogateescape").strip("\n")
        try:
            data = git("cat-file", "blob", f"{rev}:{path}")
        except subprocess.CalledProcessError:
            continue  # deleted at rev
        out += scan_bytes(path, data)
    return out

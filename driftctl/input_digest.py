"""A digest of a pure step's whole input, the key of a bounded memo of its outcome.

Why: the controller keeps the outcomes of CPU-heavy pure steps that a fleet's hosts repeat (compose
resolution, import checks). Keying the memo by a digest rather than by the input itself means the
memo never holds a host's files, sources or variables, and its memory stays small per entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def input_digest(parts: Iterable[object]) -> bytes:
    """sha256 over `parts`, each typed and length-prefixed, so no two different inputs spell alike
    (a string "None" and None differ; ["ab", "c"] and ["a", "bc"] differ). Callers spell out the
    counts of their variable-length groups among the parts for the same reason."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, str):
            kind, data = b"s", part.encode("utf-8", "surrogatepass")
        else:
            kind, data = b"r", repr(part).encode()
        digest.update(kind + len(data).to_bytes(8, "big") + data)
    return digest.digest()

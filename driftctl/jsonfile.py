"""Reading the JSON documents driftctl writes (snapshots, diffs, plans) with one-line errors, and
writing the big ones (snapshots, diff documents) fast.

Every read goes through the file guard (regular files only, a size cap per kind: see driftctl.limits).
"""

from __future__ import annotations

import json
import os
from typing import Any

from driftctl.errors import DriftctlError
from driftctl.limits import one_line, read_text, safe_path


def read_json(path: str | os.PathLike[str], what: str, error: type[DriftctlError], *, kind: str | None = None) -> Any:
    """The parsed document, or `error` naming the file (and the line of a JSON syntax error)."""
    text = read_text(path, what, error, kind=kind or ("snapshot" if what == "baseline" else what))
    shown = safe_path(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{shown}:{exc.lineno}: not a valid {what} (invalid JSON: {one_line(exc.msg, 80)})") from None
    except RecursionError:
        raise error(f"{shown}: not a valid {what} (nested too deeply)") from None


def dump_document(doc: Any, *, ensure_ascii: bool = True) -> str:
    """`json.dumps(doc, indent=2, default=str, ensure_ascii=...)` as a document, written by orjson.

    Why: json indents in pure Python; a 6 MB snapshot takes ~130 ms that way and ~5 ms with orjson.
    The document is the same: it reads back to the same data (the text may differ only in escaping,
    orjson writing UTF-8 instead of `\\u` escapes, and in the spelling of some floats, `1e16` for `1e+16`).
    json writes what orjson would write differently or refuses: NaN and infinities (orjson writes
    null), integers past 64 bits and non-string keys; datetimes and dataclasses go through `str` as before.
    Reading stays with json: on these documents orjson parses barely faster and its dicts take
    about a third more memory (benchmarks/diff_scale.py).
    """
    import orjson

    options = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    try:
        out = orjson.dumps(doc, default=str, option=options)
        if b"null" in out:  # could be a NaN or an infinity orjson wrote as null: json's C encoder tells
            json.dumps(doc, allow_nan=False, default=str)
        text = out.decode("utf-8")
    except (TypeError, ValueError):
        return json.dumps(doc, indent=2, default=str, ensure_ascii=ensure_ascii)
    if ensure_ascii and not text.isascii():
        return json.dumps(doc, indent=2, default=str)  # keep the \\u escapes readers of these files may expect
    return text

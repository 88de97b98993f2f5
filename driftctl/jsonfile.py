"""Reading the JSON documents driftctl writes (snapshots, diffs, plans) with one-line errors, and
writing the big ones (snapshots, diff documents) fast.

Every read goes through the file guard (regular files only, a size cap per kind: see driftctl.limits).
"""

from __future__ import annotations

import json
import math
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


def _has_non_finite_float(doc: Any) -> bool:
    """Whether a NaN or an infinity sits anywhere among the values of `doc` (what orjson writes as
    null). A walk, not a second encoding: every snapshot has nulls (`"error": null`), and encoding it
    again with json cost some 30 times what orjson took."""
    todo = [doc]
    while todo:
        value = todo.pop()
        if isinstance(value, float):
            if not math.isfinite(value):
                return True
        elif isinstance(value, dict):
            todo.extend(value.values())
        elif isinstance(value, (list, tuple)):
            todo.extend(value)
    return False


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
        if b"null" in out and _has_non_finite_float(doc):  # orjson wrote a NaN or an infinity as null
            raise ValueError("not a finite number")
        text = out.decode("utf-8")
    except (TypeError, ValueError):
        return json.dumps(doc, indent=2, default=str, ensure_ascii=ensure_ascii)
    if ensure_ascii and not text.isascii():
        return json.dumps(doc, indent=2, default=str)  # keep the \\u escapes readers of these files may expect
    return text

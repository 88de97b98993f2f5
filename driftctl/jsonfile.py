"""Reading the JSON documents driftctl writes (snapshots, diffs, plans) with one-line errors."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from driftctl.errors import DriftctlError


def read_json(path: str | os.PathLike[str], what: str, error: type[DriftctlError]) -> Any:
    """The parsed document, or `error` naming the file (and the line of a JSON syntax error)."""
    p = Path(path)
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{p}: {what} not found") from None
    except IsADirectoryError:
        raise error(f"{p}: is a directory, not a {what} file") from None
    except UnicodeDecodeError:
        raise error(f"{p}: not a valid {what} (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise error(f"{p}:{exc.lineno}: not a valid {what} (invalid JSON: {exc.msg})") from None

"""`--format json`: the `driftctl.diff/v1` document as is (see driftctl.matrix for the contract)."""

from __future__ import annotations

import json


def render(matrix: dict) -> str:
    return json.dumps(matrix, indent=2, ensure_ascii=False) + "\n"

"""`--format json`: the `driftctl.diff/v1` document as is (see driftctl.matrix for the contract)."""

from __future__ import annotations

from driftctl.jsonfile import dump_document


def render(matrix: dict) -> str:
    return dump_document(matrix, ensure_ascii=False) + "\n"

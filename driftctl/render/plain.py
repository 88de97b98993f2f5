"""`--format plain`: the matrix as tab-separated values for `cut`, `awk` and spreadsheets.

One header line, then one line per row: component, each environment's value, status, severity,
title. Tabs and line breaks inside values are escaped (`\\t`, `\\n`), so a row is always one line
and the columns always line up, whatever a target's files contain.
"""

from __future__ import annotations

from driftctl.render.table import one_line


def render(matrix: dict) -> str:
    envs = list(matrix["environments"])
    lines = ["\t".join(["component", *envs, "status", "severity", "title"])]
    for row in matrix["rows"]:
        cells = [row["component"], *(row["values"].get(e, "") for e in envs), row["status"], row["severity"], row["title"]]
        lines.append("\t".join(one_line(str(c)) for c in cells))
    return "\n".join(lines) + "\n"

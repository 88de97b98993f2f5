"""`--format table` (the default): a rich table with coloured statuses and a summary line.

Values are data, never markup: every cell is a `Text`, so `[red]` in a config is shown as is.
"""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from driftctl.matrix import summary_text


def _style(row: dict) -> str:
    status, severity = row["status"], row["severity"]
    if row.get("ignored"):
        return "dim"
    if status == "IN_SYNC":
        return "green"
    if status == "EXPECTED":
        return "blue"
    if status == "UNKNOWN":
        return "magenta"
    return {"critical": "bold red", "moderate": "yellow", "low": "cyan"}.get(severity, "")


def render_table(matrix: dict) -> Group:
    table = Table(title="environment comparison", show_lines=False)
    table.add_column("Component")
    for env in matrix["environments"]:
        table.add_column(env, overflow="fold")
    table.add_column("Status")
    table.add_column("Severity")
    for row in matrix["rows"]:
        title = Text(row["title"])
        title.append(f"\n{row['component']}", style="dim")
        style = _style(row)
        status = Text(row["status"] + (" (ignored)" if row.get("ignored") else ""), style=style)
        table.add_row(title, *[Text(row["values"].get(e, "")) for e in matrix["environments"]], status,
                      Text(row["severity"], style=style))
    parts: list = [table]
    s = matrix["summary"]
    colour = "bold red" if s["critical"] else "yellow" if s["moderate"] or s["low"] else "green"
    parts.append(Text(summary_text(matrix), style=colour))
    for item in matrix.get("incomplete") or []:
        parts.append(Text(f"not collected: {item['environment']}: {item['collector']}: {item['error']}", style="magenta"))
    return Group(*parts)


def render(matrix: dict) -> str:
    """Plain text of the table (for `--output FILE`)."""
    console = Console(record=True, width=160, file=io.StringIO(), color_system=None, emoji=False)
    console.print(render_table(matrix))
    return console.export_text()

"""`--format table` (the default): a rich table with coloured statuses and a summary line.

Values are data, never markup: every cell is a `Text`, so `[red]` in a config is shown as is.
On a terminal the table fits the window (titles over ids, long values folded). Anywhere else (a pipe,
a file) it is one line per row, cells never wrapped or cut, the component id whole in the first
column: what people copy into rules must survive `| cat`, `| grep` and `> file`.
"""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from driftctl.matrix import TONES, colour, summary_text
from driftctl.render.problems import incomplete_lines

UNBOUNDED = 1_000_000  # console width off a terminal: rich never wraps, tables stay as wide as their content


def one_line(value: str) -> str:
    """A cell on one line: line breaks and tabs become visible escapes."""
    return value.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def render_table(matrix: dict, *, wrap: bool = True, problems: bool = True) -> Group:
    """The matrix as a rich table; `wrap=False` for anything that is not a terminal (one row per line);
    `problems=False` leaves the collection problems out (the CLI says them on stderr)."""
    table = Table(title="environment comparison" if wrap else None, show_lines=False)
    table.add_column("Component", no_wrap=not wrap)
    for env in matrix["environments"]:
        table.add_column(env, overflow="fold", no_wrap=not wrap)
    table.add_column("Status", no_wrap=not wrap)
    table.add_column("Severity", no_wrap=not wrap)
    if not wrap:
        table.add_column("Title", no_wrap=True)
    for row in matrix["rows"]:
        style = colour(row)
        status = Text(row["status"] + (" (ignored)" if row.get("ignored") else ""), style=style)
        values = [row["values"].get(e, "") for e in matrix["environments"]]
        if wrap:
            title = Text(row["title"])
            title.append(f"\n{row['component']}", style="dim")
            table.add_row(title, *map(Text, values), status, Text(row["severity"], style=style))
        else:
            table.add_row(Text(row["component"]), *[Text(one_line(v)) for v in values], status,
                          Text(row["severity"], style=style), Text(one_line(row["title"]), style="dim"))
    parts: list = [table]
    s = matrix["summary"]
    worst = "critical" if s["critical"] else "moderate" if s["moderate"] or s["low"] else "in_sync"
    parts.append(Text(summary_text(matrix), style=TONES[worst].colour))
    for line in incomplete_lines(matrix.get("incomplete") or []) if problems else []:
        parts.append(Text(line, style=TONES["moderate"].colour))  # a warning, in the terminal's warning colour
    return Group(*parts)


def render(matrix: dict) -> str:
    """Plain text of the table (for `--output FILE`): one row per line, nothing wrapped."""
    console = Console(record=True, width=UNBOUNDED, file=io.StringIO(), color_system=None, emoji=False)
    console.print(render_table(matrix, wrap=False))
    return console.export_text()

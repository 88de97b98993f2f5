"""`driftctl.history/v1` as a terminal table, JSON, or one self-contained HTML page."""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from driftctl.history import History


def render(history: History, fmt: str) -> Any:
    doc = history.to_json()
    if fmt == "json":
        return json.dumps(doc, indent=2, sort_keys=False)
    if fmt == "html":
        return html_page(doc)
    return table(doc)


def table(doc: dict) -> Any:
    """One line per change, grouped by component; open components first (the order of the document)."""
    from rich.table import Table
    from rich.text import Text

    t = Table(title=f"History of {', '.join(doc['environments'])}", show_lines=False)
    for name in ("Component", "Open", "Since", "Time", "Env", "Old -> New", "Status"):
        t.add_column(name, overflow="fold")
    for comp in doc["components"]:
        first = True
        for ch in comp["changes"] or [{}]:
            t.add_row(
                Text(comp["component"]) if first else Text(""),
                Text(("yes" if comp["open"] else "no") if first else ""),
                Text((comp["first_diverged"] or "") if first else ""),
                Text(ch.get("time", "")), Text(ch.get("environment", "")),
                Text(f"{_short(ch.get('old'))} -> {_short(ch.get('new'))}" if ch else ""),
                Text(f"{ch.get('status', '')} {ch.get('severity', '')}".strip()),
            )
            first = False
    if not doc["components"]:
        t.caption = "no drift recorded in the saved snapshots"
    return t


def html_page(doc: dict) -> str:
    from driftctl.render.html import page
    from driftctl.render.timeline import timeline_svg

    rows = []
    for comp in doc["components"]:
        changes = "".join(
            f"<li>{escape(c['time'])} <strong>{escape(c['environment'])}</strong>: "
            f"<code>{escape(_short(c.get('old')))}</code> → <code>{escape(_short(c.get('new')))}</code> "
            f"({escape(c['status'])})</li>" for c in comp["changes"]
        )
        rows.append(
            f'<tr data-severity="{escape(comp["severity"])}" data-status="{escape(comp["status"])}">'
            f'<td><strong>{escape(comp["title"])}</strong><br><code>{escape(comp["component"])}</code></td>'
            f'<td>{"open" if comp["open"] else "resolved"}</td><td>{escape(comp["first_diverged"] or "")}</td>'
            f'<td class="status">{escape(comp["status"])} <small>{escape(comp["severity"])}</small></td>'
            f"<td><ul>{changes}</ul></td></tr>"
        )
    body = (
        f"<h2>Findings over time</h2>\n{timeline_svg(doc['points'])}\n"
        '<h2>Components</h2>\n<table class="sortable"><thead><tr><th>Component</th><th>State</th><th>Open since</th>'
        f"<th>Status</th><th>Changes</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return page(f"driftctl history: {', '.join(doc['environments'])}", body, scripted=True)


def _short(value: object, limit: int = 80) -> str:
    text = "(none)" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"

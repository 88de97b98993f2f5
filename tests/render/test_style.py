"""One style table (driftctl.matrix.TONES) decides how a row looks in every format, and its columns agree."""

from __future__ import annotations

from rich.text import Text

from driftctl.matrix import TONES, colour, marker, tone
from driftctl.render import html, markdown, table
from driftctl.render import plan as plan_render

# The hue each traffic-light marker stands for, and the terminal styles that show that hue.
HUES = {"🔴": "red", "🟡": "yellow", "🔵": "blue", "🟢": "green", "⚪": "grey", "⚫": "grey"}
TERMINAL_HUES = {"bold red": "red", "yellow": "yellow", "blue": "blue", "green": "green", "bright_black": "grey",
                 "dim": "grey", "": "grey"}

ROWS = {
    "critical": {"status": "MISMATCH", "severity": "critical"},
    "moderate": {"status": "CONSTRAINED", "severity": "moderate"},
    "low": {"status": "DRIFT", "severity": "low"},
    "expected": {"status": "EXPECTED", "severity": "none"},
    "in_sync": {"status": "IN_SYNC", "severity": "none"},
    "unknown": {"status": "UNKNOWN", "severity": "none"},
    "none": {"status": "DIVERGED", "severity": "none"},
    "ignored": {"status": "MISMATCH", "severity": "critical", "ignored": True},
}


def doc_with_every_tone() -> dict:
    rows = [{"component": f"c.{name}", "title": name, "values": {"a": "1", "b": "2"}, "details": [], "sources": {},
             **row} for name, row in ROWS.items()]
    summary = {"critical": 1, "moderate": 1, "low": 1, "expected": 1, "in_sync": 1, "unknown": 1}
    return {"schema": "driftctl.diff/v1", "environments": ["a", "b"], "rows": rows, "summary": summary, "incomplete": []}


def test_every_row_has_a_tone_and_marker_and_terminal_colour_agree() -> None:
    for name, row in ROWS.items():
        assert tone(row) == name
        assert HUES[marker(row)] == TERMINAL_HUES[colour(row)], name


def test_terminal_table_colours_rows_from_the_table() -> None:
    group = table.render_table(doc_with_every_tone())
    grid = group.renderables[0]
    statuses = grid.columns[-2]._cells
    for (name, _), cell in zip(ROWS.items(), statuses):
        assert isinstance(cell, Text) and cell.style == TONES[name].colour, name


def test_markdown_and_html_show_the_tables_marker_and_colours() -> None:
    doc = doc_with_every_tone()
    text, page = markdown.render(doc), html.render(doc)
    for name, row in ROWS.items():
        assert f"{TONES[name].marker} {row['status']}" in text and f"{TONES[name].marker} {row['status']}" in page
    for name, selector in html.TONE_ROWS.items():
        assert f"{selector} td.status{{background:{TONES[name].background};color:{TONES[name].text}}}" in page
    for name in html.SUMMARY_ORDER:
        assert f".chip-{name}{{background:{TONES[name].background};" in page


def test_plans_use_the_same_severity_colours() -> None:
    for severity in ("critical", "moderate", "low"):
        assert plan_render.SEVERITY_STYLE[severity] == TONES[severity].colour

"""How commands write their results: rendered documents to stdout or a file, notes on stderr."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from driftctl.api import Delivery


def emit(doc: dict, fmt: str, output: str | None) -> None:
    """A `driftctl.diff/v1` document rendered to stdout (the table through rich) or to `output`,
    then one warning per environment that could not be collected fully."""
    from driftctl.checks import render_document
    from driftctl.render.problems import incomplete_lines
    from driftctl.terminal import terminal

    term = terminal()
    if output or fmt != "table":
        emit_text(render_document(doc, fmt), fmt, output)
    else:
        term.print(render_document(doc, fmt, for_terminal=True, wrap=term.out.is_terminal))
    for line in incomplete_lines(doc.get("incomplete") or []) + list(doc.get("notes") or []):
        term.warning(line)


def emit_text(rendered: object, fmt: str, output: str | None) -> None:
    """Write an already rendered document: to `output`, or to stdout (rich renderables for tables)."""
    from pathlib import Path

    from driftctl.snapshot_store import atomic_write
    from driftctl.terminal import terminal

    term = terminal()
    if output:
        text = str(rendered)
        atomic_write(Path(output), text if text.endswith("\n") else text + "\n")
        term.info(f"wrote {output}")
    elif fmt == "table":
        term.print(rendered)
    else:
        term.data(str(rendered))


def report_deliveries(deliveries: list[Delivery], *, sent_lines: bool = True) -> None:
    """One stderr line per `notify:` channel: not delivered (why), or sent (what changed)."""
    from driftctl.terminal import terminal

    term = terminal()
    for d in deliveries:
        if d.error:
            term.warning(f"notify {d.channel}: not delivered: {d.error}")
        elif d.sent and sent_lines:
            term.info(f"notify {d.channel}: sent ({len(d.changes.new)} new, {len(d.changes.resolved)} resolved, "
                      f"{len(d.changes.raised)} raised)")

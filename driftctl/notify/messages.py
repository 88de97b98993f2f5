"""One message per channel kind, escaped for its markup and cut to fit its limits. Pure.

Telegram: HTML parse mode (only `&`, `<`, `>` need escaping, unlike MarkdownV2's 18 characters),
4,096 characters at most. Slack: mrkdwn with `&`, `<`, `>` escaped, kept under 3,500 characters.
Webhook: the change set as JSON.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable

from driftctl.matrix import TONES
from driftctl.notify.changes import ChangeSet, Finding

TELEGRAM_LIMIT = 4096
SLACK_LIMIT = 3500
_MARK = {severity: TONES[severity].marker for severity in ("critical", "moderate", "low", "none")}  # the style table


def headline(changes: ChangeSet) -> str:
    c = changes.counts()
    return (f"driftctl: {len(changes.new)} new, {len(changes.resolved)} resolved, {len(changes.raised)} raised "
            f"(open: {c['critical']} critical, {c['moderate']} moderate, {c['low']} low)")


def telegram_text(changes: ChangeSet, limit: int = TELEGRAM_LIMIT) -> str:
    return _fit(_lines(changes, _telegram_item, lambda t: f"<b>{html.escape(t)}</b>"), limit, html.escape)


def slack_text(changes: ChangeSet, limit: int = SLACK_LIMIT) -> str:
    return _fit(_lines(changes, _slack_item, lambda t: f"*{_slack_escape(t)}*"), limit, _slack_escape)


def webhook_body(changes: ChangeSet) -> bytes:
    return json.dumps(changes.to_json(), sort_keys=True).encode()


def _lines(changes: ChangeSet, item: Callable[..., str], bold: Callable[[str], str]) -> list[str]:
    lines = [bold(headline(changes))]
    for title, group in (("New", changes.new), ("Severity raised", [n for _, n in changes.raised]), ("Resolved", changes.resolved)):
        if group:
            lines.append(bold(title))
            lines.extend(item(f, resolved=title == "Resolved") for f in group)
    return lines


def _telegram_item(f: Finding, resolved: bool = False) -> str:
    mark = "✅" if resolved else _MARK.get(f.severity, "⚪")
    envs = html.escape(", ".join(f.environments))
    return f"{mark} <code>{html.escape(f.component)}</code> {html.escape(f.status)} {html.escape(f.severity)} ({envs})"


def _slack_item(f: Finding, resolved: bool = False) -> str:
    mark = "✅" if resolved else _MARK.get(f.severity, "⚪")
    envs = _slack_escape(", ".join(f.environments))
    return f"{mark} `{_slack_escape(f.component)}` {_slack_escape(f.status)} {_slack_escape(f.severity)} ({envs})"


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fit(lines: list[str], limit: int, escape: Callable[[str], str]) -> str:
    """Whole lines only, and a last line saying how many were left out, within `limit` characters."""
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    out: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        trailer = escape(f"… and {len(lines) - i} more lines")
        if used + len(line) + 1 + len(trailer) > limit:
            out.append(trailer)
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)

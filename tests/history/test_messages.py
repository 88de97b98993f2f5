"""Message formatting is pure: escaping and the channels' size limits."""

from __future__ import annotations

from driftctl.notify import messages
from driftctl.notify.changes import ChangeSet, Finding, compare


def finding(i: int, severity: str = "critical") -> Finding:
    return Finding(f"compose.services.svc-{i}.environment.<X&{i}>", "t", "MISMATCH", severity, ("a", "b"))


def test_telegram_text_is_escaped_and_within_its_limit() -> None:
    now = {f.component: f for f in (finding(i) for i in range(500))}
    text = messages.telegram_text(compare({}, now))
    assert len(text) <= messages.TELEGRAM_LIMIT
    assert "<X&" not in text and "&lt;X&amp;0&gt;" in text
    assert text.splitlines()[-1].startswith("… and ") and text.splitlines()[-1].endswith("more lines")


def test_change_set_new_resolved_and_raised() -> None:
    before = {"a": finding(1, "low"), "gone": finding(2)}
    now = {"a": Finding("a", "t", "MISMATCH", "critical", ("x",)), "new": finding(3)}
    changes = compare(before, now)
    assert [f.component for f in changes.new] == [finding(3).component]
    assert [f.component for f in changes.resolved] == [finding(2).component]
    assert [(b.severity, n.severity) for b, n in changes.raised] == [("low", "critical")]
    assert not compare(now, now) and isinstance(compare(now, now), ChangeSet)


def test_slack_text_escapes_its_control_characters() -> None:
    text = messages.slack_text(compare({}, {"x": finding(7, "moderate")}))
    assert "&lt;X&amp;7&gt;" in text and "<X" not in text

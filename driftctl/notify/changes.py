"""What changed since the last notification: new findings, resolved ones, severity raised. Pure.

A finding is keyed by component id; only ids, titles, statuses, severities and environment names
travel (never a value, a fingerprint or a detail sentence), so a message cannot carry a secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from driftctl.matrix import NOT_VALUES, Matrix, Row

STATE_SCHEMA = "driftctl.notify-state/v1"
_RANK = {"critical": 3, "moderate": 2, "low": 1, "none": 0}


@dataclass(frozen=True)
class Finding:
    component: str
    title: str
    status: str
    severity: str
    environments: tuple[str, ...]

    def to_json(self) -> dict:
        return {"component": self.component, "title": self.title, "status": self.status,
                "severity": self.severity, "environments": list(self.environments)}

    @classmethod
    def from_json(cls, doc: dict) -> Finding:
        return cls(str(doc.get("component", "")), str(doc.get("title", "")), str(doc.get("status", "")),
                   str(doc.get("severity", "none")), tuple(str(e) for e in doc.get("environments") or ()))


@dataclass
class ChangeSet:
    new: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    raised: list[tuple[Finding, Finding]] = field(default_factory=list)  # (before, now)
    current: dict[str, Finding] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.new or self.resolved or self.raised)

    def counts(self) -> dict[str, int]:
        out = {"critical": 0, "moderate": 0, "low": 0}
        for f in self.current.values():
            if f.severity in out:
                out[f.severity] += 1
        return out

    def to_json(self) -> dict:
        return {
            "schema": "driftctl.notify/v1",
            "open": self.counts(),
            "new": [f.to_json() for f in self.new],
            "resolved": [f.to_json() for f in self.resolved],
            "raised": [{"before": b.severity, **n.to_json()} for b, n in self.raised],
        }


def findings(matrix: Matrix, min_severity: str = "low") -> dict[str, Finding]:
    """The matrix's findings at or above `min_severity`, by component id."""
    floor = _RANK.get(min_severity, 1)
    return {
        row.component: Finding(row.component, row.title, row.status.value, row.severity.value, _environments(row))
        for row in matrix.rows
        if row.is_finding and _RANK.get(row.severity.value, 0) >= floor
    }


def compare(before: dict[str, Finding], now: dict[str, Finding]) -> ChangeSet:
    """The change set between the last notified findings and the current ones."""
    out = ChangeSet(current=dict(now))
    for key in sorted(now):
        if key not in before:
            out.new.append(now[key])
        elif _RANK.get(now[key].severity, 0) > _RANK.get(before[key].severity, 0):
            out.raised.append((before[key], now[key]))
    out.resolved = [before[k] for k in sorted(before) if k not in now]
    out.new.sort(key=lambda f: (-_RANK.get(f.severity, 0), f.component))
    return out


def _environments(row: Row) -> tuple[str, ...]:
    if row.flagged:
        return tuple(row.flagged)
    return tuple(env for env, value in row.values.items() if value not in NOT_VALUES)

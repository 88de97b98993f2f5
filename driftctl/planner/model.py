"""The plan document: phases of steps, warnings and success metrics, as frozen dataclasses.

The JSON form (`Plan.to_json()`) is the contract `apply` reads back, so it holds everything needed to
run a step (commands, where, capture file, verify lines) and to refuse a stale plan (the fingerprints
of the snapshots it was computed from).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

PLAN_SCHEMA = "driftctl.plan/v1"
HERE = "@here"  # the machine running driftctl, in the config file's directory
OPTIONS = ("quick-fix", "comprehensive-sync", "parallel")
RiskLevel = Literal["low", "medium", "high"]
Horizon = Literal["immediate", "short-term", "long-term"]


@dataclass(frozen=True)
class Risk:
    level: RiskLevel
    reason: str

    def to_json(self) -> dict:
        return {"level": self.level, "reason": self.reason}


@dataclass(frozen=True)
class Step:
    """One unit of work on one environment.

    `commands` are shell lines run in the environment's checkout (`apply` runs each as `sh -c LINE`
    there); `display` holds the same lines in a form to paste into a terminal on this machine (an
    `ssh ... --` wrapper for SSH environments, a `cd` prefix otherwise). When `capture` is set, the
    standard output of the commands is saved to that local file (how remote state is documented
    without writing anything on the remote host).
    """

    id: str
    title: str
    environment: str
    commands: tuple[str, ...]
    mutates: bool
    risk: Risk
    addresses: tuple[str, ...] = ()
    rollback: tuple[str, ...] = ()
    verify: tuple[str, ...] = ()
    preconditions: tuple[str, ...] = ()
    display: tuple[str, ...] = ()
    rollback_display: tuple[str, ...] = ()
    capture: str | None = None
    verify_environment: str | None = None  # None: the step's own environment
    notes: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()  # ids of steps that must have succeeded first (apply enforces it)
    touches: tuple[str, ...] = ()  # environments whose state the step changes (default: its own, when it mutates)
    secures: str | None = None  # the environment this step secures (rollback points, rescue, captures)
    encrypt: bool = False  # the capture holds environment values: apply encrypts it at rest

    @property
    def changed(self) -> tuple[str, ...]:
        """Environments this step changes."""
        if not self.mutates:
            return ()
        return self.touches or (self.environment,)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "addresses": list(self.addresses),
            "environment": self.environment,
            "commands": list(self.commands),
            "display": list(self.display or self.commands),
            "capture": self.capture,
            "mutates": self.mutates,
            "risk": self.risk.to_json(),
            "rollback": list(self.rollback),
            "rollback_display": list(self.rollback_display or self.rollback),
            "verify": list(self.verify),
            "verify_environment": self.verify_environment or self.environment,
            "preconditions": list(self.preconditions),
            "requires": list(self.requires),
            "touches": list(self.changed),
            "secures": self.secures,
            "encrypt": self.encrypt,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Phase:
    number: int
    title: str
    goal: str
    steps: tuple[Step, ...]

    def to_json(self) -> dict:
        return {"number": self.number, "title": self.title, "goal": self.goal, "steps": [s.to_json() for s in self.steps]}


@dataclass(frozen=True)
class Warning:
    """A critical warning derived from a finding; `evidence` says which rows or computation it came from."""

    id: str
    severity: Literal["critical", "moderate", "low"]
    title: str
    message: str
    components: Sequence[str] = ()
    evidence: Sequence[str] = ()

    def __post_init__(self) -> None:  # stored as tuples: a frozen record holds no mutable lists
        object.__setattr__(self, "components", tuple(self.components))
        object.__setattr__(self, "evidence", tuple(self.evidence))

    def to_json(self) -> dict:
        return {
            "id": self.id, "severity": self.severity, "title": self.title, "message": self.message,
            "components": list(self.components), "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class Metric:
    """A success criterion for one horizon, with the `driftctl check` that verifies it."""

    horizon: Horizon
    goal: str
    check: str
    addresses: Sequence[str] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "addresses", tuple(self.addresses))

    def to_json(self) -> dict:
        return {"horizon": self.horizon, "goal": self.goal, "check": self.check, "addresses": list(self.addresses), "done": False}


@dataclass(frozen=True)
class Plan:
    id: str
    option: str
    created_at: str
    environments: tuple[str, ...]
    sources: dict[str, dict]
    phases: tuple[Phase, ...]
    warnings: tuple[Warning, ...] = ()
    metrics: tuple[Metric, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)
    incomplete: tuple[dict, ...] = ()
    merge_risk: tuple[dict, ...] = ()
    notes: tuple[str, ...] = ()

    def steps(self) -> list[Step]:
        return [s for p in self.phases for s in p.steps]

    def to_json(self) -> dict:
        return {
            "schema": PLAN_SCHEMA,
            "id": self.id,
            "option": self.option,
            "created_at": self.created_at,
            "environments": list(self.environments),
            "sources": self.sources,
            "summary": self.summary,
            "incomplete": list(self.incomplete),
            "warnings": [w.to_json() for w in self.warnings],
            "phases": [p.to_json() for p in self.phases],
            "metrics": [m.to_json() for m in self.metrics],
            "merge_risk": list(self.merge_risk),
            "notes": list(self.notes),
        }

"""The comparison matrix: rows of component x environment, each with a status and a severity.

This module owns the vocabulary (what each status and severity means), the JSON contract
`driftctl.diff/v1` and the exit-code decision, so every renderer and every command agrees on them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum

from driftctl.errors import ExitCode
from driftctl.evidence import Evidence, evidence_schema

SCHEMA = "driftctl.diff/v1"


class Status(str, Enum):
    """What a row says about its environments. Each status has exactly one meaning."""

    IN_SYNC = "IN_SYNC"  # the same everywhere it could be collected
    DIVERGED = "DIVERGED"  # both sides have something the other lacks (branches, commits, file sets)
    MISMATCH = "MISMATCH"  # a configuration value differs
    INCONSISTENT = "INCONSISTENT"  # runtime behaviour or mode differs (e.g. polling vs webhook)
    DRIFT = "DRIFT"  # what runs or sits on a host differs from what is committed there
    MISSING = "MISSING"  # present in some environments only
    BROKEN = "BROKEN"  # a health check fails in an environment (unhealthy container, missing import)
    EXPECTED = "EXPECTED"  # differs, and the rules say it should
    CONSTRAINED = "CONSTRAINED"  # a resource is past its threshold (memory, disk)
    UNKNOWN = "UNKNOWN"  # could not be collected

    @property
    def meaning(self) -> str:
        return STATUS_MEANINGS[self]


STATUS_MEANINGS: dict[Status, str] = {
    Status.IN_SYNC: "the same in every environment where it could be collected",
    Status.DIVERGED: "both sides have something the other lacks (branches, commits, file sets)",
    Status.MISMATCH: "a configuration value differs",
    Status.INCONSISTENT: "runtime behaviour or mode differs",
    Status.DRIFT: "what runs or sits on the host differs from what is committed there",
    Status.MISSING: "present in some environments only",
    Status.BROKEN: "a health check fails in an environment",
    Status.EXPECTED: "differs, and the rules say it should",
    Status.CONSTRAINED: "a resource is past its threshold",
    Status.UNKNOWN: "could not be collected",
}


class Severity(str, Enum):
    """How much a row matters. `none` rows never fail a check: in sync, expected, unknown, or
    a consequence already counted on another row (e.g. HEADs of environments on different branches)."""

    CRITICAL = "critical"  # breaks or will break the deployment
    MODERATE = "moderate"  # a real difference to resolve
    LOW = "low"  # worth knowing, rarely urgent
    NONE = "none"  # not a finding

    @property
    def rank(self) -> int:
        return {"critical": 3, "moderate": 2, "low": 1, "none": 0}[self.value]


# Statuses that never count as drift.
QUIET = frozenset({Status.IN_SYNC, Status.EXPECTED, Status.UNKNOWN})

# Display values that are not values: never compared with other environments.
UNKNOWN_VALUE = "(unknown)"  # the collector failed there
NOT_APPLICABLE = "(n/a)"  # the fact does not exist for that kind of environment (host facts of a git remote)
ABSENT_VALUE = "(absent)"  # collected, and not there
NOT_VALUES = frozenset({UNKNOWN_VALUE, NOT_APPLICABLE})


@dataclass
class Row:
    """One component compared across environments.

    `values` and `sources` are keyed by environment name and hold display strings (secrets only as
    fingerprints). `flagged` names the environments a one-sided status (DRIFT, BROKEN, CONSTRAINED)
    is about; it drives `expected` rules and is not part of the JSON contract. `evidence` holds the
    structured facts behind the row (see `driftctl.evidence`): the only part machines read.
    """

    component: str
    title: str
    values: dict[str, str]
    status: Status = Status.IN_SYNC
    severity: Severity = Severity.NONE
    details: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    flagged: list[str] = field(default_factory=list)
    ignored: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    # Other ids the row answers to in rules (not part of the JSON contract): `var:NAME` for a variable
    # row, `env.<file>.NAME` for a compose variable fed by that env file (see README, Rules).
    aliases: list[str] = field(default_factory=list)

    @property
    def is_finding(self) -> bool:
        """A difference that counts: not quiet, not ignored, and of some severity."""
        return not self.ignored and self.status not in QUIET and self.severity is not Severity.NONE

    def to_json(self) -> dict:
        out: dict[str, object] = {
            "component": self.component,
            "title": self.title,
            "values": dict(self.values),
            "status": self.status.value,
            "severity": self.severity.value,
            "details": list(self.details),
            "sources": dict(self.sources),
            "evidence": [e.to_json() for e in self.evidence],
        }
        if self.ignored:  # only present when --show-ignored reveals the row
            out["ignored"] = True
        return out


class InSync:
    """Rows that compared equal everywhere, kept as a count until someone asks to see them.

    Building one `Row` per in-sync leaf is what made a 2,000-service comparison slow and big; the
    summary needs only how many there are. `ids` names their components (for `rules.ignore` and folded
    components) and `build` makes the rows (for `--show-in-sync`); both run only when needed.
    """

    __slots__ = ("count", "_ids", "_build")

    def __init__(self, count: int, ids: Callable[[], list[str]], build: Callable[[], list[Row]]):
        self.count = count
        self._ids = ids
        self._build = build

    def ids(self) -> list[str]:
        return self._ids()

    def build(self) -> list[Row]:
        return self._build()


Entry = Row | InSync


class Matrix:
    """All rows of one comparison plus what could not be collected.

    The differ hands over `Row`s for what differs and `InSync` groups for what does not; `rows`
    expands the groups (once, on first use), while the summary, the findings and the default
    document never need to.
    """

    def __init__(self, environments: list[str], rows: Iterable[Entry] = (), incomplete: Iterable[dict] = (),
                 notes: Iterable[str] = ()):
        self.environments = list(environments)
        self.entries: list[Entry] = list(rows)
        self.incomplete = list(incomplete)
        self.notes = list(notes)  # one line each about the whole comparison

    def __repr__(self) -> str:
        return f"Matrix(environments={self.environments!r}, entries={len(self.entries)}, incomplete={self.incomplete!r})"

    @property
    def rows(self) -> list[Row]:
        """Every row, in-sync ones included, in the differ's order."""
        if any(isinstance(e, InSync) for e in self.entries):
            expanded: list[Entry] = []
            for e in self.entries:
                if isinstance(e, InSync):
                    expanded.extend(e.build())
                else:
                    expanded.append(e)
            self.entries = expanded
        return self.entries  # type: ignore[return-value]  # no InSync left

    @rows.setter
    def rows(self, rows: Iterable[Row]) -> None:
        self.entries = list(rows)

    def materialised(self) -> list[Row]:
        """The rows that exist as objects: every difference, without expanding in-sync groups."""
        return [e for e in self.entries if isinstance(e, Row)]

    def summary(self) -> dict[str, int]:
        """Counts of findings by severity, plus expected, in-sync and unknown rows (ignored rows left out)."""
        out = {"critical": 0, "moderate": 0, "low": 0, "expected": 0, "in_sync": 0, "unknown": 0}
        for row in self.entries:
            if isinstance(row, InSync):
                out["in_sync"] += row.count
            elif row.ignored:
                continue
            elif row.status is Status.IN_SYNC:
                out["in_sync"] += 1
            elif row.status is Status.EXPECTED:
                out["expected"] += 1
            elif row.status is Status.UNKNOWN:
                out["unknown"] += 1
            elif row.severity is not Severity.NONE:
                out[row.severity.value] += 1
        return out

    def findings(self) -> list[Row]:
        return [r for r in self.materialised() if r.is_finding]

    def to_json(self, *, only: str | None = None, show_in_sync: bool = False) -> dict:
        """The `driftctl.diff/v1` document. Filters shape `rows`; `summary` always covers every row."""
        # In-sync rows are visible only with show_in_sync and no `only`; otherwise groups stay counts.
        rows = self.rows if show_in_sync and only is None else self.materialised()
        return {
            "schema": SCHEMA,
            "environments": list(self.environments),
            "rows": [r.to_json() for r in visible_rows(rows, only=only, show_in_sync=show_in_sync)],
            "summary": self.summary(),
            "incomplete": [dict(i) for i in self.incomplete],
            **({"notes": list(self.notes)} if self.notes else {}),  # e.g. fingerprints under different keys
        }


ONLY_CHOICES = ("critical", "moderate", "drift")
FAIL_ON_CHOICES = ("critical", "moderate", "any")


def visible_rows(rows: Iterable[Row], *, only: str | None = None, show_in_sync: bool = False) -> list[Row]:
    """Rows a reader sees.

    `only`: `critical` = critical findings; `moderate` = moderate or critical findings;
    `drift` = rows whose status is DRIFT. IN_SYNC rows are hidden unless `show_in_sync`.
    """
    out = []
    for r in rows:
        if r.status is Status.IN_SYNC and not show_in_sync and only is None:
            continue
        if only == "critical" and not (r.is_finding and r.severity is Severity.CRITICAL):
            continue
        if only == "moderate" and not (r.is_finding and r.severity.rank >= Severity.MODERATE.rank):
            continue
        if only == "drift" and r.status is not Status.DRIFT:
            continue
        out.append(r)
    return out


def exit_code(matrix: Matrix, fail_on: str = "any") -> int:
    """0 in sync (or only expected/ignored differences), 1 drift at or above `fail_on`,
    3 nothing failing but something could not be collected. (2 is for errors, raised elsewhere.)"""
    floor = {"any": Severity.LOW, "moderate": Severity.MODERATE, "critical": Severity.CRITICAL}[fail_on]
    if any(r.severity.rank >= floor.rank for r in matrix.findings()):
        return int(ExitCode.DRIFT)
    if matrix.incomplete:
        return int(ExitCode.INCOMPLETE)
    return int(ExitCode.OK)


def exit_code_of_json(doc: dict, fail_on: str = "any") -> int:
    """The same decision from a `driftctl.diff/v1` document (for renderers and saved diffs)."""
    return exit_code(matrix_from_json(doc), fail_on)


def matrix_from_json(doc: dict) -> Matrix:
    """Read a saved `driftctl.diff/v1` document back (used for `check --baseline DIFF`)."""
    rows = [
        Row(
            component=r["component"], title=r.get("title", r["component"]), values=dict(r.get("values") or {}),
            status=Status(r["status"]), severity=Severity(r.get("severity", "none")),
            details=list(r.get("details") or []), sources=dict(r.get("sources") or {}), ignored=bool(r.get("ignored")),
            evidence=[Evidence.from_json(e) for e in r.get("evidence") or []],
        )
        for r in doc.get("rows", [])
    ]
    return Matrix(environments=list(doc.get("environments", [])), rows=rows, incomplete=list(doc.get("incomplete", [])),
                  notes=list(doc.get("notes", [])))


def diff_schema() -> dict:
    """JSON Schema of the `driftctl.diff/v1` document (`driftctl schema diff`)."""
    text = {"type": "string"}
    by_env = {"type": "object", "additionalProperties": text}
    row = {
        "type": "object",
        "required": ["component", "title", "values", "status", "severity", "details", "sources", "evidence"],
        "properties": {
            "component": {**text, "description": "stable dotted id (git.branch, compose.services.<svc>.<key>, ...)"},
            "title": {**text, "description": "display title; wording may change, never parsed"},
            "values": {**by_env, "description": "display value per environment; for people, never parsed"},
            "status": {"enum": [s.value for s in Status]},
            "severity": {"enum": [s.value for s in Severity]},
            "details": {"type": "array", "items": text, "description": "display sentences; never parsed"},
            "sources": {**by_env, "description": "where each value came from (collector and command or file)"},
            "evidence": {"type": "array", "items": evidence_schema(),
                         "description": "the structured facts behind the row: what programs read"},
            "ignored": {"type": "boolean"},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://driftctl.invalid/schema/diff.v1.json",
        "title": "driftctl diff document",
        "type": "object",
        "required": ["schema", "environments", "rows", "summary", "incomplete"],
        "properties": {
            "schema": {"const": SCHEMA},
            "environments": {"type": "array", "items": text},
            "rows": {"type": "array", "items": row},
            "summary": {"type": "object", "additionalProperties": {"type": "integer"}},
            "incomplete": {"type": "array", "items": {"type": "object"}},
            "notes": {"type": "array", "items": text, "description": "One line each about the whole comparison."},
        },
    }


# --- presentation shared by every renderer (they take the JSON document, so these do too) ----------

@dataclass(frozen=True)
class Tone:
    """How one kind of row looks in every format: the seed report's traffic-light marker (markdown,
    html), the terminal colour (rich style) and the html colours (status cell and summary chip)."""

    marker: str
    colour: str
    background: str
    text: str
    border: str


# The one style table: a row's tone is its severity, unless its status or a rule says otherwise.
TONES: dict[str, Tone] = {
    "critical": Tone("🔴", "bold red", "#ffebe9", "#a40e26", "#ff8182"),
    "moderate": Tone("🟡", "yellow", "#fff8c5", "#7d4e00", "#d4a72c"),
    "low": Tone("🔵", "blue", "#ddf4ff", "#0550ae", "#54aeff"),
    "expected": Tone("🟡", "yellow", "#fff8c5", "#7d4e00", "#d4a72c"),  # differs, as declared: the seed's yellow
    "in_sync": Tone("🟢", "green", "#dafbe1", "#116329", "#4ac26b"),
    # could not be collected: grey, no verdict (html: the page's panel colours, which follow dark mode)
    "unknown": Tone("⚪", "bright_black", "var(--panel)", "var(--muted)", "var(--border)"),
    "none": Tone("⚪", "", "var(--panel)", "var(--muted)", "var(--border)"),  # a difference counted on another row
    "ignored": Tone("⚫", "dim", "var(--panel)", "var(--muted)", "var(--border)"),
}


def tone(row: dict) -> str:
    """The key of `TONES` for a row of the JSON document."""
    if row.get("ignored"):
        return "ignored"
    status = row.get("status")
    if status == "IN_SYNC":
        return "in_sync"
    if status == "UNKNOWN":
        return "unknown"
    if status == "EXPECTED":
        return "expected"
    severity = row.get("severity")
    return severity if severity in ("critical", "moderate", "low") else "none"


def marker(row: dict) -> str:
    """The seed report's traffic lights: red critical, yellow moderate/expected/constrained, blue low."""
    return TONES[tone(row)].marker


def colour(row: dict) -> str:
    """The terminal (rich) style of a row's status and severity."""
    return TONES[tone(row)].colour


def summary_text(doc: dict) -> str:
    """`1 critical, 0 moderate, ...` plus the number of collector errors."""
    s = doc["summary"]
    line = (f"{s['critical']} critical, {s['moderate']} moderate, {s['low']} low, {s['expected']} expected, "
            f"{s['in_sync']} in sync, {s['unknown']} unknown")
    if doc.get("incomplete"):
        line += f"; incomplete: {len(doc['incomplete'])} collector error(s)"
    return line

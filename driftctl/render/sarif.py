"""The drift matrix as SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

The matrix contract (`driftctl.diff/v1`, a plain dict) every renderer reads:
    {"schema": "driftctl.diff/v1", "environments": [names],
     "rows": [{"component", "title", "values": {env: value | null}, "status", "severity",
               "details": [text], "sources": {env: text}}],
     "summary": {"critical", "moderate", "low", "expected", "in_sync", "unknown"},
     "incomplete": [{"environment", "collector", "error"}]}

Mapping, and why:
  * one run; the tool driver `driftctl` has one rule per status (stable ids and indexes, so alerts
    keep their identity across runs);
  * one result per row that is not IN_SYNC; level by severity (critical -> error, moderate ->
    warning, low/none -> note). EXPECTED rows carry an external suppression: they were declared in
    the rules, a viewer shows them as accepted. UNKNOWN rows are `kind: open` (driftctl could not
    decide), which SARIF requires to have level `none`;
  * a logical location with the component id, and a physical location per repository file a source
    names (`path` or `path:line`). GitHub code scanning rejects results without a physical location,
    so a row whose sources name no file points at the environments file instead;
  * failed collectors become tool execution notifications of the invocation.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from driftctl import __version__
from driftctl.matrix import STATUS_MEANINGS, Status

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
LEVELS = {"critical": "error", "moderate": "warning", "low": "note", "none": "note"}

# Rule id -> (short name, meaning); meanings come from the matrix vocabulary so formats never disagree.
RULES: dict[str, tuple[str, str]] = {
    status.value: (status.value.replace("_", " ").capitalize(), STATUS_MEANINGS[status].capitalize() + ".")
    for status in Status
    if status is not Status.IN_SYNC
}
RULE_IDS = list(RULES)

_URL = re.compile(r"\S+://\S+")
_FILE = re.compile(
    r"(?<![\w/.-])(?P<path>(?:[\w.-]+/)*(?:[\w-][\w.-]*\.(?:py|pyi|ya?ml|json|toml|txt|cfg|ini|conf|env|sh|lock|md)"
    r"|Dockerfile[\w.-]*|\.env[\w.-]*))(?::(?P<line>\d+))?(?!\.?[\w/-])"
)


def render(matrix: dict, *, fallback_uri: str = "environments.yaml") -> str:
    """SARIF 2.1.0 JSON text for a `driftctl.diff/v1` matrix."""
    incomplete = matrix.get("incomplete") or []
    run = {
        "tool": {"driver": driver()},
        "invocations": [invocation(incomplete)],
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The repository the environments are checked out from."}}},
        "results": [result(row, fallback_uri) for row in matrix.get("rows") or [] if row.get("status") != "IN_SYNC"],
        "properties": {
            "schema": matrix.get("schema", "driftctl.diff/v1"),
            "environments": list(matrix.get("environments") or []),
            "summary": matrix.get("summary") or {},
        },
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False, default=str) + "\n"


def driver() -> dict:
    return {
        "name": "driftctl",
        "version": __version__,
        "rules": [rule(rule_id) for rule_id in RULE_IDS],
    }


def rule(rule_id: str) -> dict:
    name, text = RULES[rule_id]
    level = "none" if rule_id == "UNKNOWN" else "note" if rule_id == "EXPECTED" else "warning"
    return {
        "id": rule_id,
        "name": name.replace(" ", ""),
        "shortDescription": {"text": name},
        "fullDescription": {"text": text},
        "help": {"text": f"{text} Run `driftctl plan` for the steps that bring the environments back in line."},
        "defaultConfiguration": {"level": level},
    }


def invocation(incomplete: list[dict]) -> dict:
    """Failed collectors as notifications: the run happened, but not every fact could be read."""
    notes = [
        {
            "level": "error",
            "message": {"text": f"{i.get('environment', '?')}: collector {i.get('collector', '?')} failed: {i.get('error', '')}"},
            "properties": {"environment": str(i.get("environment", "")), "collector": str(i.get("collector", ""))},
        }
        for i in incomplete
    ]
    return {"executionSuccessful": not incomplete, "toolExecutionNotifications": notes}


def result(row: dict, fallback_uri: str) -> dict:
    status = str(row.get("status", "UNKNOWN"))
    rule_id = status if status in RULES else "UNKNOWN"
    component = str(row.get("component", ""))
    out: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": RULE_IDS.index(rule_id),
        "level": level_of(row, rule_id),
        "message": {"text": message_text(row)},
        "locations": locations(row, fallback_uri),
        "partialFingerprints": {"driftctlComponent/v1": hashlib.sha256(f"{component}|{rule_id}".encode()).hexdigest()[:32]},
        "properties": {
            "component": component,
            "status": status,
            "severity": str(row.get("severity", "none")),
            "values": row.get("values") or {},
        },
    }
    if rule_id == "UNKNOWN":
        out["kind"] = "open"
    if rule_id == "EXPECTED" or row.get("ignored"):
        why = "declared as expected" if rule_id == "EXPECTED" else "ignored"
        out["suppressions"] = [{"kind": "external", "justification": f"{why} in the driftctl rules"}]
    return out


def level_of(row: dict, rule_id: str) -> str:
    """SARIF requires level `none` for results whose kind is not `fail` (UNKNOWN is `open`)."""
    return "none" if rule_id == "UNKNOWN" else LEVELS.get(str(row.get("severity")), "warning")


def message_text(row: dict) -> str:
    title = row.get("title") or row.get("component", "")
    values = "; ".join(f"{env}: {show(v)}" for env, v in (row.get("values") or {}).items())
    details = " ".join(str(d) for d in row.get("details") or [])
    text = f"{title} ({row.get('component', '')}) is {row.get('status', 'UNKNOWN')}, severity {row.get('severity', 'none')}."
    return " ".join(p for p in (text, values and f"Values: {values}.", details) if p)


def show(value: Any) -> str:
    if value is None:
        return "(absent)"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def locations(row: dict, fallback_uri: str) -> list[dict]:
    """Physical locations of the files the sources name (the first carries the logical location)."""
    component = str(row.get("component", ""))
    logical = [{"fullyQualifiedName": component, "name": str(row.get("title") or component), "kind": "resource"}]
    found = source_files(row.get("sources") or {})
    if not found:
        found = [(fallback_uri, None, "")]
    out = []
    for n, (path, line, env) in enumerate(found):
        physical: dict[str, Any] = {"artifactLocation": {"uri": path, "uriBaseId": SRCROOT}}
        if line:
            physical["region"] = {"startLine": line}
        loc: dict[str, Any] = {"physicalLocation": physical}
        if env:
            loc["message"] = {"text": f"source in {env}"}
        if n == 0:
            loc["logicalLocations"] = logical
        out.append(loc)
    return out


def source_files(sources: dict) -> list[tuple[str, int | None, str]]:
    """(repository-relative path, line or None, environment) for every file the sources name, once.

    Absolute paths are left out on purpose: they are paths on some host, not files of the repository.
    """
    seen: dict[tuple[str, int | None], str] = {}
    for env, text in sources.items():
        for match in _FILE.finditer(_URL.sub(" ", str(text))):
            line = int(match["line"]) if match["line"] else None
            if line == 0:
                line = None
            seen.setdefault((match["path"], line), str(env))
    return [(path, line, env) for (path, line), env in seen.items()]

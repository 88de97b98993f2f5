"""The drift matrix as JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure).

Why JUnit: every CI understands "tests failed" without a plugin. The mapping:
  * one test suite `driftctl` holding a test case per matrix row (classname `driftctl.<collector>`,
    name the component id), since a row spans all environments rather than one pair;
  * IN_SYNC passes; EXPECTED is skipped (a declared difference, neither pass nor fail), and so is a
    row that is no finding (severity `none`, or ignored by the rules: it never fails `check` either);
    UNKNOWN is an error (driftctl could not check); every other row fails, typed by its status;
  * a second suite `driftctl.collectors` with one erroring case per failed collector, so a check that
    could not see an environment never looks green.

The XML is built with ElementTree (which escapes markup); characters XML 1.0 forbids (terminal
escape codes in a value, say) are replaced, so the report always parses.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render(matrix: dict) -> str:
    """JUnit XML text (UTF-8, with declaration) for a `driftctl.diff/v1` matrix."""
    root = ET.Element("testsuites", name="driftctl")
    envs = [str(e) for e in matrix.get("environments") or []]
    suites = [rows_suite(envs, matrix.get("rows") or [], str(matrix.get("schema", "driftctl.diff/v1")))]
    if matrix.get("incomplete"):
        suites.append(collectors_suite(matrix["incomplete"]))
    for suite in suites:
        root.append(suite)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def rows_suite(envs: list[str], rows: list[dict], schema: str) -> ET.Element:
    suite = ET.Element("testsuite", name="driftctl", hostname=clean(", ".join(envs)))
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="environments", value=clean(",".join(envs)))
    ET.SubElement(props, "property", name="schema", value=clean(schema))
    for row in rows:
        suite.append(testcase(envs, row))
    count(suite)
    return suite


def testcase(envs: list[str], row: dict) -> ET.Element:
    component = str(row.get("component", ""))
    status = str(row.get("status", "UNKNOWN"))
    case = ET.Element("testcase", classname=clean(f"driftctl.{component.split('.', 1)[0]}"), name=clean(component), time="0")
    kind = outcome(row)
    if kind == "passed":
        return case
    text = clean(body(envs, row))
    message = clean(f"{row.get('title') or component}: {status} ({row.get('severity', 'none')})")
    if kind == "skipped":
        ET.SubElement(case, "skipped", message=message).text = text
    else:
        ET.SubElement(case, kind, message=message, type=clean(status)).text = text
    return case


def outcome(row: dict) -> str:
    """passed / skipped / error / failure, so that JUnit agrees with `driftctl check`'s exit code."""
    status = str(row.get("status", "UNKNOWN"))
    if status == "IN_SYNC":
        return "passed"
    if row.get("ignored"):
        return "skipped"
    if status == "UNKNOWN":
        return "error"
    if status == "EXPECTED" or str(row.get("severity", "none")) == "none":
        return "skipped"
    return "failure"


def body(envs: list[str], row: dict) -> str:
    """Values, details and sources as plain lines: what a CI log viewer shows under the failure."""
    values = row.get("values") or {}
    sources = row.get("sources") or {}
    lines = [f"{env}: {show(values.get(env))}" for env in envs]
    lines += [f"- {d}" for d in row.get("details") or []]
    lines += [f"source {env}: {s}" for env, s in sources.items()]
    return "\n".join(lines)


def collectors_suite(incomplete: list[dict]) -> ET.Element:
    suite = ET.Element("testsuite", name="driftctl.collectors")
    for item in incomplete:
        env, collector = str(item.get("environment", "?")), str(item.get("collector", "?"))
        case = ET.SubElement(suite, "testcase", classname=clean(f"driftctl.collectors.{env}"), name=clean(collector), time="0")
        error = ET.SubElement(case, "error", message=clean(f"{env}: collector {collector} failed"), type="INCOMPLETE")
        error.text = clean(str(item.get("error", "")))
    count(suite)
    return suite


def count(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    for tag, key in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        suite.set(key, str(sum(1 for c in cases if c.find(tag) is not None)))
    suite.set("time", "0")


def show(value: Any) -> str:
    if value is None:
        return "(absent)"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def clean(text: str) -> str:
    """Replace characters XML 1.0 cannot carry at all (escaping does not help for them)."""
    return _NOT_XML.sub("\ufffd", text)

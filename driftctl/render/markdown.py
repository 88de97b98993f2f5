"""`--format markdown`: the matrix the way the incident report drew it by hand.

| Component | local | aws | Status | followed by the details of every finding and what could not be collected.
"""

from __future__ import annotations

from driftctl.matrix import marker, summary_text


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    if text.startswith("(") and text.endswith(")"):
        return _cell(text)  # markers such as (absent) are not values
    return f"`{_cell(text).replace('`', chr(39))}`"


def render(matrix: dict) -> str:
    envs = matrix["environments"]
    lines = ["## Environment Comparison Matrix", ""]
    lines.append("| Component | " + " | ".join(_cell(e) for e in envs) + " | Status |")
    lines.append("|" + "---|" * (len(envs) + 2))
    for row in matrix["rows"]:
        values = [_code(row["values"].get(e, "")) if row["values"].get(e) else "" for e in envs]
        status = f"{marker(row)} {row['status']}" + (" (ignored)" if row.get("ignored") else "")
        lines.append(f"| **{_cell(row['title'])}** | " + " | ".join(values) + f" | {status} |")
    lines += ["", f"**Summary:** {summary_text(matrix)}", ""]
    detailed = [r for r in matrix["rows"] if r["details"] and r["status"] != "IN_SYNC"]
    if detailed:
        lines += ["### Details", ""]
        for row in detailed:
            lines.append(f"- **{_cell(row['title'])}** (`{row['component']}`, {row['status']}, {row['severity']})")
            lines.extend(f"  - {_cell(d)}" for d in row["details"])
            lines.extend(f"  - source ({env}): {_cell(src)}" for env, src in row["sources"].items())
        lines.append("")
    if matrix.get("incomplete"):
        lines += ["### Not collected", ""]
        lines.extend(f"- {i['environment']}: {i['collector']}: {_cell(str(i['error']))}" for i in matrix["incomplete"])
        lines.append("")
    return "\n".join(lines)

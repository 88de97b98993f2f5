"""The drift matrix for GitHub Actions: workflow-command annotations plus the job summary.

Why both: annotations (`::error title=...::message`) put each finding on the run page (and on a
file of the pull request when a source names one), and the markdown matrix appended to
`$GITHUB_STEP_SUMMARY` gives the whole picture on the run's summary page.

Levels: critical -> error; moderate and UNKNOWN -> warning; low, none, EXPECTED and ignored rows ->
notice. Findings come first, most severe first, because GitHub shows only the first few annotations
of each level per step.

Values come from the environments, so the text is escaped the way the Actions toolkit does it:
`%`, CR and LF in messages (a value can never start a new workflow command such as `::add-mask::`),
and `:` and `,` as well in properties.
"""

from __future__ import annotations

from driftctl.render.sarif import show, source_files

SEVERITY_LEVEL = {"critical": "error", "moderate": "warning", "low": "notice", "none": "notice"}
RANK = {"error": 0, "warning": 1, "notice": 2}


def render(matrix: dict, summary_path: str | None = None) -> str:
    """Annotation lines for every row that is not IN_SYNC; with `summary_path`, append the markdown."""
    envs = [str(e) for e in matrix.get("environments") or []]
    rows = [r for r in matrix.get("rows") or [] if r.get("status") != "IN_SYNC"]
    annotated = sorted(((level_of(r), n, r) for n, r in enumerate(rows)), key=lambda t: (RANK[t[0]], t[1]))
    lines = [annotation(level, row, envs) for level, _, row in annotated]
    lines += [incomplete_annotation(item) for item in matrix.get("incomplete") or []]
    if summary_path:
        append_summary(summary_path, matrix)
    return "\n".join(lines) + ("\n" if lines else "")


def level_of(row: dict) -> str:
    status = row.get("status")
    if row.get("ignored") or status == "EXPECTED":
        return "notice"
    if status == "UNKNOWN":
        return "warning"
    return SEVERITY_LEVEL.get(str(row.get("severity")), "warning")


def annotation(level: str, row: dict, envs: list[str]) -> str:
    component = str(row.get("component", ""))
    title = f"{row.get('title') or component} ({component}): {row.get('status', 'UNKNOWN')}"
    props = {"title": title}
    files = source_files(row.get("sources") or {})
    if files:
        path, line, _ = files[0]
        props = {"file": path, **({"line": str(line)} if line else {}), **props}
    values = row.get("values") or {}
    message = "; ".join(f"{env}: {show(values.get(env))}" for env in envs)
    details = [str(d) for d in row.get("details") or []]
    text = "\n".join([f"{message} (severity {row.get('severity', 'none')})", *details])
    return command(level, props, text)


def incomplete_annotation(item: dict) -> str:
    env, collector = item.get("environment", "?"), item.get("collector", "?")
    title = f"driftctl: {collector} not collected in {env}"
    return command("warning", {"title": title}, f"{env}: {collector}: {item.get('error', '')}")


def command(level: str, props: dict[str, str], message: str) -> str:
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in props.items())
    return f"::{level} {rendered}::{escape_data(message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def append_summary(path: str, matrix: dict) -> None:
    """Add the markdown matrix to the job summary file (appended: other steps may have written)."""
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(markdown(matrix).rstrip("\n") + "\n\n")


def markdown(matrix: dict) -> str:
    """The project's markdown renderer; a minimal table if that module is not available."""
    try:
        from driftctl.render.markdown import render as render_markdown
    except ImportError:
        return fallback_markdown(matrix)
    return render_markdown(matrix)


def fallback_markdown(matrix: dict) -> str:
    from html import escape

    def cell(value: object) -> str:
        return escape(show(value) if not isinstance(value, str) else value).replace("|", "&#124;").replace("\n", "<br>")

    envs = [str(e) for e in matrix.get("environments") or []]
    lines = ["## driftctl drift matrix", "", "| Component | " + " | ".join(cell(e) for e in envs) + " | Status |"]
    lines.append("|" + "---|" * (len(envs) + 2))
    for row in matrix.get("rows") or []:
        values = row.get("values") or {}
        lines.append(
            f"| {cell(row.get('title') or row.get('component', ''))} | "
            + " | ".join(cell(values.get(e)) for e in envs)
            + f" | {cell(row.get('status', ''))} ({cell(row.get('severity', ''))}) |"
        )
    summary = matrix.get("summary") or {}
    if summary:
        lines += ["", "**Summary:** " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.items())]
    for item in matrix.get("incomplete") or []:
        where = f"{cell(item.get('environment', '?'))} / {cell(item.get('collector', '?'))}"
        lines.append(f"- not collected: {where}: {cell(item.get('error', ''))}")
    return "\n".join(lines) + "\n"

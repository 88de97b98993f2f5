"""What the demo says around the matrix and the plan: what is simulated, what is real, where to look.

Plain rich `Text` only (no markup parsing), like every other renderer: paths and values are data.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.text import Text

from driftctl import capabilities
from driftctl.demo.run import DemoResult, real, simulated

TITLE = "driftctl demo: the 2025-01-15 incident (local / aws / github drift), rebuilt in a sandbox"
NEXT = ("next: point driftctl at your real environments: describe them in an environments.yaml "
        "(`driftctl schema` prints its JSON Schema), then run `driftctl snapshot` and `driftctl diff`.")


def header(ssh: bool) -> Group:
    """Said before anything runs, so no result is mistaken for a real server's."""
    transport = "ssh" if ssh else "local"
    parts = [Text(TITLE, style="bold"), Text("simulated:", style="yellow")]
    parts += [Text(f"  - {line}") for line in simulated(transport)]
    parts.append(Text("real:", style="green"))
    parts += [Text(f"  - {line}") for line in real(transport)]
    return Group(*parts)


def command(text: str) -> Text:
    """`$ driftctl ...`: the command a user would type to get the next block on their own deployment."""
    return Text(f"\n$ {text}", style="bold cyan")


def plan_outline(plan: dict, full_plan: str) -> Group:
    """Phases and step titles only: the commands, rollback and verify lines are in the plan report."""
    parts = [Text(f"plan {plan['id']}: every command, rollback and verify line is in {full_plan}", style="bold")]
    for w in plan.get("warnings") or []:
        parts.append(Text(f"warning [{w['severity']}]: {w['message']}", style="red" if w["severity"] == "critical" else "yellow"))
    n = 0
    for phase in plan["phases"]:
        parts.append(Text(f"Phase {phase['number']}: {phase['title']}", style="bold") + Text(f"  {phase['goal']}", style="dim"))
        for step in phase["steps"]:
            n += 1
            kind = Text("changes", style="yellow") if step["mutates"] else Text("read-only", style="dim")
            parts.append(Text(f"  {n:2d}. {step['title']} ") + Text(f"[{step['environment']}] ", style="magenta") + kind)
    for note in plan.get("notes") or []:
        parts.append(Text(f"note: {note}", style="dim"))
    return Group(*parts)


def footer(result: DemoResult, cwd: Path | None = None) -> Group:
    r = {k: short(p, cwd) for k, p in result.reports.items()}
    lines = [
        Text("reports:", style="bold"),
        Text(f"  matrix:    {r['diff_markdown']}  ({r['diff_json']})"),
        Text(f"  plan:      {r['plan_markdown']}  ({r['plan_json']})"),
        Text(f"  snapshots: {r['snapshots']}/"),
    ]
    if result.kept:
        lines.append(Text(f"sandbox kept at {result.sandbox}: cd there and run `driftctl diff local aws github`"))
        if capabilities.of(result.transport).remote_shell:
            lines.append(Text("  (its sshd has been stopped: `aws` cannot be reached over SSH any more)", style="dim"))
    else:
        lines.append(Text("sandbox removed (the plan's commands name its paths; run with --keep to try them)", style="dim"))
    took = ", ".join(f"{k} {v:.1f}s" for k, v in result.seconds.items())
    lines.append(Text(f"took {sum(result.seconds.values()):.1f}s ({took}); exit code {result.exit_code}"
                      + (": drift found" if result.exit_code == 1 else "")))
    lines.append(Text(NEXT, style="bold"))
    return Group(*lines)


def short(path: Path, cwd: Path | None = None) -> str:
    """Relative to the current directory when below it: shorter and copy-pasteable."""
    base = (cwd or Path.cwd()).resolve()
    try:
        return str(path.resolve().relative_to(base)) or "."
    except ValueError:
        return str(path)

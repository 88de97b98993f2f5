"""Plans for people and machines: a rich tree for the terminal, markdown for reports, JSON for `apply`.

All three render the plan's JSON dict (the contract), so a saved plan renders the same as a fresh one.
Values from configs are shown as plain text (rich markup off).
"""

from __future__ import annotations

import json

from rich.console import Group
from rich.text import Text
from rich.tree import Tree

from driftctl.matrix import TONES

RISK_STYLE = {"low": TONES["in_sync"].colour, "medium": TONES["moderate"].colour, "high": TONES["critical"].colour}
SEVERITY_STYLE = {s: TONES[s].colour for s in ("critical", "moderate", "low")}


def plan_json(plan: dict) -> str:
    return json.dumps(plan, indent=2, default=str) + "\n"


def plan_tree(plan: dict) -> Group:
    head = Text(f"plan {plan['id']} ({plan['option']}) for {', '.join(plan['environments'])}", style="bold")
    parts: list = [head]
    if plan["warnings"]:
        w = Tree(Text("critical warnings", style=TONES["critical"].colour))
        for item in plan["warnings"]:
            w.add(Text(f"[{item['severity']}] ", style=SEVERITY_STYLE.get(item["severity"], "")) + Text(item["message"]))
        parts.append(w)
    tree = Tree(Text("phases", style="bold"))
    for phase in plan["phases"]:
        node = tree.add(Text(f"Phase {phase['number']}: {phase['title']}", style="bold") + Text(f"  {phase['goal']}", style="dim"))
        for step in phase["steps"]:
            label = Text(f"{step['id']}", style="cyan") + Text(f"  {step['title']}  ")
            label += Text(f"[{step['environment']}] ", style="magenta")
            label += Text("mutates " if step["mutates"] else "read-only ", style="yellow" if step["mutates"] else "dim")
            label += Text(f"risk {step['risk']['level']}", style=RISK_STYLE.get(step["risk"]["level"], ""))
            s = node.add(label)
            for line in step["display"]:
                s.add(Text("$ " + line))
            if step["mutates"]:
                s.add(Text(f"risk: {step['risk']['reason']}", style="dim"))
                for line in step["rollback"]:
                    s.add(Text("undo: " + line, style="dim"))
            for line in step["verify"]:
                s.add(Text("verify: " + line, style="dim"))
    parts.append(tree)
    metrics = Tree(Text("success metrics", style="bold"))
    for horizon in ("immediate", "short-term", "long-term"):
        h = metrics.add(Text(horizon))
        for m in plan["metrics"]:
            if m["horizon"] == horizon:
                h.add(Text(f"[ ] {m['goal']}  ") + Text(m["check"], style="dim"))
    parts.append(metrics)
    return Group(*parts)


def _code(lines: list[str]) -> list[str]:
    return ["```sh", *lines, "```"] if lines else []


def plan_markdown(plan: dict) -> str:
    out = [f"# Recovery plan: {plan['option']}", "",
           f"Plan `{plan['id']}`, computed {plan['created_at']} for {', '.join(plan['environments'])}.", "",
           "Computed from these snapshots (`driftctl apply` refuses the plan when any of them changed):", "",
           "| environment | target | branch | HEAD | fingerprint |", "|---|---|---|---|---|"]
    for env, src in plan["sources"].items():
        out.append(f"| {env} | `{src.get('target')}` | {src.get('branch') or '-'} | {str(src.get('head') or '-')[:8]} | `{str(src.get('fingerprint'))[:19]}` |")
    if plan["warnings"]:
        out += ["", "## Critical warnings", ""]
        out += [f"- **{w['severity']}**: {w['message']}" for w in plan["warnings"]]
    for phase in plan["phases"]:
        out += ["", f"## Phase {phase['number']}: {phase['title']}", "", phase["goal"]]
        for step in phase["steps"]:
            out += ["", f"### `{step['id']}`: {step['title']}", "",
                    f"- where: **{step['environment']}**" + (f"; output saved to `{step['capture']}`" if step.get("capture") else ""),
                    f"- changes anything: {'yes' if step['mutates'] else 'no'}",
                    f"- risk: **{step['risk']['level']}**: {step['risk']['reason']}",
                    f"- addresses: {', '.join(f'`{a}`' for a in step['addresses']) or '-'}"]
            if step.get("requires"):
                out.append(f"- requires (apply refuses it before these succeeded): {', '.join(f'`{r}`' for r in step['requires'])}")
            if step["preconditions"]:
                out += ["", "Preconditions (run in the same place):", "", *_code(step["preconditions"])]
            out += ["", "Commands:", "", *_code(step["display"])]
            if step["rollback"]:
                out += ["", "Rollback:", "", *_code(step.get("rollback_display") or step["rollback"])]
            if step["verify"]:
                out += ["", f"Verify (on {step['verify_environment']}):", "", *_code(step["verify"])]
            for note in step.get("notes") or []:
                out += ["", f"> {note}"]
    out += ["", "## Success metrics", ""]
    for horizon in ("immediate", "short-term", "long-term"):
        items = [m for m in plan["metrics"] if m["horizon"] == horizon]
        if items:
            out += [f"### {horizon}", ""] + [f"- [ ] {m['goal']}: `{m['check']}`" for m in items] + [""]
    for note in plan.get("notes") or []:
        out.append(f"> {note}")
    return "\n".join(out).rstrip() + "\n"

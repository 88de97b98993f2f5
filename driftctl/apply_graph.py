"""`apply` enforces the plan's step graph: a step runs only after every step it `requires` has
succeeded in this plan's apply log (the state file of earlier runs, plus this run).

Kept apart from apply.py's loading and running so both can change independently.
"""

from __future__ import annotations

from driftctl.errors import UsageError


class UnmetRequirements(UsageError):
    """A selected step needs steps that have not succeeded for this plan (exit 2)."""


def check_order(selected: list[dict], done: list[str], all_steps: list[dict]) -> None:
    """Refuse before anything runs when a selected step needs a step that neither succeeded earlier
    nor runs before it in this invocation. Names every missing step."""
    known = {s["id"] for s in all_steps}
    will_have = set(done)
    problems = []
    for step in selected:
        missing = [r for r in step.get("requires") or [] if r in known and r not in will_have]
        if missing:
            problems.append(f"{step['id']} requires {', '.join(missing)}")
        will_have.add(step["id"])
    if problems:
        raise UnmetRequirements(
            "refusing to run steps out of order: " + "; ".join(problems)
            + " (not yet succeeded in this plan's apply log); run those first, or apply the whole plan")


def unmet(step: dict, done: list[str] | set[str]) -> list[str]:
    """Requirements of `step` that have not succeeded (checked again right before it runs)."""
    return [r for r in step.get("requires") or [] if r not in done]

"""Collection problems said once per environment.

When a host is unreachable every collector fails with the same error; repeating it seven times buries
it. Each environment gets one line: the error alone when every failed collector shares it (naming
them), otherwise each collector's error joined on that same line.
"""

from __future__ import annotations

from collections.abc import Iterable


def incomplete_lines(items: Iterable[dict]) -> list[str]:
    """`items`: {"environment", "collector", "error"} dicts (a matrix's `incomplete`)."""
    by_env: dict[str, dict[str, list[str]]] = {}
    for item in items:
        env = str(item.get("environment"))
        error = str(item.get("error") or "failed").removeprefix(f"{env}: ")
        by_env.setdefault(env, {}).setdefault(error, []).append(str(item.get("collector")))
    lines = []
    for env, errors in by_env.items():
        if len(errors) == 1:
            (error, collectors), = errors.items()
            named = f"{', '.join(collectors)}: " if len(collectors) <= 2 else ""  # more: the host failed
            lines.append(f"{env}: not collected: {named}{error}")
        else:
            parts = "; ".join(f"{', '.join(c)}: {e}" for e, c in errors.items())
            lines.append(f"{env}: not collected: {parts}")
    return lines


def snapshot_problems(snapshot: dict) -> list[dict]:
    """The failed collectors of one snapshot as `incomplete` items (a transport error stands for all)."""
    env = snapshot["environment"]
    failed = [(n, o.get("error")) for n, o in (snapshot.get("collectors") or {}).items() if o.get("status") == "error"]
    if snapshot.get("error"):
        return [{"environment": env, "collector": n, "error": snapshot["error"]} for n, _ in failed] or \
            [{"environment": env, "collector": "all", "error": snapshot["error"]}]
    return [{"environment": env, "collector": n, "error": e} for n, e in failed]

"""The compose comparison decides on raw values first and builds rows only for what differs; the
rows, statuses, details, summary and order must be exactly what comparing every leaf gives.

The reference is the same differ with the raw-value shortcut switched off (`same` always says
"compare exactly"), so every leaf goes through `value_row`.
"""

from __future__ import annotations

import copy
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftctl.config import Rules
from driftctl.differ import build_matrix, compose
from driftctl.matrix import InSync, Row

# Values json keeps apart while Python's == does not (True == 1 == 1.0, 0.0 == -0.0), plus the usual.
SCALARS = st.sampled_from([0, 1, True, False, 1.0, 0.0, -0.0, None, "", "1", "true", "a", "/srv/a/x", "fp:0123456789abcdef"])
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["k", "j", "required", "target"]), inner, max_size=3), max_leaves=6)
KEYS = ["image", "command", "ports", "labels", "restart", "x-note", "mem_limit"]


# Equal under ==, apart in json: each scalar becomes a look-alike of another type.
LOOKALIKES = {(bool, True): 1, (bool, False): 0, (int, 1): 1.0, (int, 0): -0.0, (float, 1.0): True}


def confuse(value):
    """The same value under ==, with each number or bool swapped for a look-alike of another type."""
    if isinstance(value, dict):
        return {k: confuse(v) for k, v in value.items()}
    if isinstance(value, list):
        return [confuse(v) for v in value]
    if type(value) is float and value == 0:
        return -value  # 0.0 == -0.0
    if isinstance(value, (bool, int, float)):
        return LOOKALIKES.get((type(value), value), value)
    return value


def snapshot(env: str, services: dict | None, root: str) -> dict:
    compose_outcome = ({"status": "ok", "data": {"found": True, "files": [{"path": "docker-compose.yml"}],
                                                 "project": "p", "services": services, "networks": {}, "volumes": {}}}
                       if services is not None else {"status": "error", "error": "boom"})
    return {"schema_version": 1, "environment": env, "transport": "local", "target": f"local:{root}",
            "collected_at": "2026-01-01T00:00:00Z", "collectors": {"compose": compose_outcome}}


@st.composite
def environments(draw) -> list[dict]:
    names = [f"s{i}" for i in range(draw(st.integers(1, 5)))]
    base = {n: {k: draw(VALUES) for k in draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=4))} for n in names}
    for n in names:
        if draw(st.booleans()):
            base[n]["environment"] = {f"V{i}": draw(SCALARS) for i in range(draw(st.integers(0, 3)))}
    out = []
    for e in range(draw(st.integers(2, 4))):
        root = f"/srv/env{e}"
        services = copy.deepcopy(base)
        for n in names:
            change = draw(st.sampled_from(["none", "none", "confuse", "confuse-env", "value", "drop-key", "drop-service", "env", "root", "null"]))
            svc = services[n]
            if change == "confuse" and svc:
                key = draw(st.sampled_from(sorted(svc)))
                svc[key] = confuse(svc[key])
            elif change == "confuse-env" and isinstance(svc.get("environment"), dict):
                svc["environment"] = confuse(svc["environment"])
            elif change == "value" and svc:
                svc[draw(st.sampled_from(sorted(svc)))] = draw(VALUES)
            elif change == "drop-key" and svc:
                del svc[draw(st.sampled_from(sorted(svc)))]
            elif change == "drop-service":
                del services[n]
            elif change == "env" and isinstance(svc.get("environment"), dict) and svc["environment"]:
                svc["environment"][draw(st.sampled_from(sorted(svc["environment"])))] = draw(SCALARS)
            elif change == "root":
                svc["volumes"] = [f"{root}/data:/data"]
            elif change == "null":
                services[n] = None
        failed = e > 1 and draw(st.booleans())
        out.append(snapshot(f"env{e}", None if failed else services, root))
    return out


RULE_SETS = [
    Rules(),
    Rules.model_validate({"ignore": ["compose.services.s0.*", "*.environment.V1"]}),
    Rules.model_validate({"expected": [{"component": "compose.services.*.image"}], "ignore": ["compose.services.s1"]}),
    Rules.model_validate({"components": {"mode": {"title": "Mode", "path": "compose.services.s0.command",
                                                  "values": {"a": "A"}}}}),
]


def exact(snapshots: list[dict], rules: Rules, **kw) -> dict:
    with mock.patch.object(compose, "same", lambda values: False):
        return build_matrix(copy.deepcopy(snapshots), rules, **kw).to_json(show_in_sync=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(environments(), st.sampled_from(range(len(RULE_SETS))), st.booleans())
def test_fast_path_gives_the_rows_of_the_exact_comparison(snapshots, rules_index, show_ignored) -> None:
    rules = RULE_SETS[rules_index]
    want = exact(snapshots, rules, show_ignored=show_ignored)
    matrix = build_matrix(copy.deepcopy(snapshots), rules, show_ignored=show_ignored)
    assert matrix.to_json()["summary"] == want["summary"]
    assert matrix.to_json()["rows"] == [r for r in want["rows"] if r["status"] != "IN_SYNC"]
    assert matrix.to_json(show_in_sync=True) == want


def test_only_differences_become_rows_and_show_in_sync_lists_every_row() -> None:
    services = {f"s{i}": {"image": f"img{i}", "command": ["run", str(i)], "environment": {"A": "1", "B": str(i)}}
                for i in range(300)}
    other = copy.deepcopy(services)
    other["s7"]["environment"]["B"] = "changed"
    other["s9"]["image"] = "other"
    matrix = build_matrix([snapshot("a", services, "/a"), snapshot("b", other, "/b")], Rules())
    made = [r.component for r in matrix.materialised()]
    assert made == ["compose.files", "compose.services.s7.environment.B", "compose.services.s9.image"]
    # one group per equal service (298); s7 has equal runs before and after its variable B, s9 before its image
    assert sum(isinstance(e, InSync) for e in matrix.entries) == 298 + 2 + 1
    summary = matrix.summary()
    assert summary["in_sync"] == 300 * 5 - 2 + 1  # presence, image, command, A, B per service; + compose.files
    every = matrix.to_json(show_in_sync=True)["rows"]
    assert len(every) == summary["in_sync"] + 2
    assert all(isinstance(r, Row) for r in matrix.rows) and len(matrix.rows) == len(every)


def test_a_rule_naming_an_in_sync_row_applies_to_it() -> None:
    services = {f"s{i}": {"image": "img", "environment": {"A": "1"}} for i in range(50)}
    snaps = [snapshot("a", services, "/a"), snapshot("b", copy.deepcopy(services), "/b")]
    rules = Rules.model_validate({"ignore": ["compose.services.s3.environment.A", "compose.services.s4"]})
    plain = build_matrix(copy.deepcopy(snaps), Rules()).summary()["in_sync"]
    matrix = build_matrix(copy.deepcopy(snaps), rules)
    assert matrix.summary()["in_sync"] == plain - 1 - 3
    shown = build_matrix(copy.deepcopy(snaps), rules, show_ignored=True).to_json(show_in_sync=True)["rows"]
    ignored = {r["component"] for r in shown if r.get("ignored")}
    assert ignored == {"compose.services.s3.environment.A", "compose.services.s4", "compose.services.s4.image",
                       "compose.services.s4.environment.A"}


def test_restricting_to_components_keeps_in_sync_counts_exact() -> None:
    from driftctl.checks import restrict
    from driftctl.matrix import Matrix

    services = {f"s{i}": {"image": "img", "environment": {"A": "1", "B": "2"}} for i in range(20)}
    other = copy.deepcopy(services)
    other["s3"]["image"] = "other"
    snaps = [snapshot("a", services, "/a"), snapshot("b", other, "/b")]
    for patterns in (["compose.services.s1"], ["compose.services.*.environment.A"], ["compose.services.s3.*"], ["nothing"]):
        fast = restrict(build_matrix(copy.deepcopy(snaps), Rules()), patterns)
        full = build_matrix(copy.deepcopy(snaps), Rules())
        slow = restrict(Matrix(full.environments, full.rows, full.incomplete), patterns)
        assert fast.summary() == slow.summary(), patterns
        assert fast.to_json(show_in_sync=True) == slow.to_json(show_in_sync=True), patterns

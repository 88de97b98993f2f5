"""`driftctl history`, `diff ENV@WHEN` and `gc` on real snapshots taken over time."""

from __future__ import annotations

import json

from tests.helpers import driftctl

COMPONENT = "env.env.LOG_LEVEL"


def test_history_shows_when_drift_appeared_and_was_fixed(project) -> None:
    t1 = project.snapshot()
    project.set_env("prod", log_level="debug")
    t2 = project.snapshot()
    project.set_env("prod", log_level="info")
    t3 = project.snapshot()

    run = driftctl("history", "--format", "json", cwd=project.root)
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    assert doc["schema"] == "driftctl.history/v1"
    assert [p["time"] for p in doc["points"]][-3:] == [t1, t2, t3]
    assert [p["moderate"] + p["critical"] + p["low"] for p in doc["points"]][-3:][1] >= 1
    comp = next(c for c in doc["components"] if c["component"] == COMPONENT)
    assert comp["open"] is False and comp["first_diverged"] == t2
    assert [(c["time"], c["environment"], c["old"], c["new"], c["status"]) for c in comp["changes"]] == [
        (t2, "prod", "info", "debug", "MISMATCH"),
        (t3, "prod", "debug", "info", "IN_SYNC"),
    ]


def test_history_filters_by_component_and_since(project) -> None:
    project.snapshot()
    project.set_env("prod", log_level="debug", token="other")
    t2 = project.snapshot()
    run = driftctl("history", "--component", COMPONENT, "--since", t2, "--format", "json", cwd=project.root)
    doc = json.loads(run.out)
    assert [c["component"] for c in doc["components"]] == [COMPONENT]
    assert [p["time"] for p in doc["points"]] == [t2]
    assert doc["components"][0]["open"] is True


def test_history_table_and_html_render(project) -> None:
    project.snapshot()
    project.set_env("prod", log_level="debug")
    project.snapshot()
    table = driftctl("history", cwd=project.root)
    assert table.code == 0 and COMPONENT in table.out
    page = driftctl("history", "--format", "html", cwd=project.root)
    assert page.out.startswith("<!DOCTYPE html>") and "<svg" in page.out and COMPONENT in page.out


def test_history_of_unknown_environment_is_one_line(project) -> None:
    run = driftctl("history", "nope", cwd=project.root)
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1 and "nope" in run.err


def test_diff_compares_an_environment_with_its_own_past(project) -> None:
    t1 = project.snapshot()
    project.set_env("prod", log_level="debug")
    project.snapshot()
    run = driftctl("diff", f"prod@{t1}", "prod", "--format", "json", cwd=project.root)
    assert run.code == 1, run.err
    doc = json.loads(run.out)
    assert doc["environments"] == [f"prod@{t1}", "prod"]
    row = next(r for r in doc["rows"] if r["component"] == COMPONENT)
    assert row["values"] == {f"prod@{t1}": "info", "prod": "debug"}


def test_diff_at_a_time_before_any_snapshot_is_one_line(project) -> None:
    project.snapshot()
    run = driftctl("diff", "prod@2001-01-01", "prod", cwd=project.root)
    assert run.code == 2 and "no saved snapshot of 'prod'" in run.err and len(run.err.strip().splitlines()) == 1


def test_gc_deletes_old_snapshots_but_keeps_the_newest(project) -> None:
    project.snapshot()
    project.snapshot()
    folder = project.root / "reports" / "snapshots" / "prod"
    before = sorted(p.name for p in folder.glob("*.json") if p.name != "latest.json")
    assert len(before) == 2
    dry = driftctl("gc", "--keep", "0s", "--dry-run", cwd=project.root)
    assert dry.code == 0 and "would delete" in dry.out
    assert sorted(p.name for p in folder.glob("*.json") if p.name != "latest.json") == before
    run = driftctl("gc", "--keep", "0s", cwd=project.root)
    assert run.code == 0, run.err
    assert sorted(p.name for p in folder.glob("*.json") if p.name != "latest.json") == before[-1:]
    assert (folder / "latest.json").exists()
    assert driftctl("diff", "dev", "prod", "--cached", cwd=project.root).code == 0


def test_gc_needs_a_retention(project) -> None:
    run = driftctl("gc", cwd=project.root)
    assert run.code == 2 and "--keep" in run.err
    bad = driftctl("gc", "--keep", "forever", cwd=project.root)
    assert bad.code == 2 and len(bad.err.strip().splitlines()) == 1

"""Shell lines for people: quoting of ssh wrappers, and the markdown/terminal renderings of a plan."""

from __future__ import annotations

import shlex

from driftctl.planner.targets import Target
from driftctl.render.plan import plan_markdown, plan_tree
from tests.planner.test_cases import run_case


def test_ssh_display_is_one_quoted_remote_command():
    t = Target("aws", "ssh", "/srv/my app", host="h", user="u", port=2222, identity_file="/k", known_hosts="/kh")
    line = t.display("cat -- 'a b.py'", capture="/tmp/out file")
    argv = shlex.split(line)
    assert argv[:8] == ["ssh", "-p", "2222", "-i", "/k", "-o", "UserKnownHostsFile=/kh", "u@h"]
    assert argv[8] == "--" and shlex.split(argv[9]) == ["cd", "/srv/my app", "&&", "cat", "--", "a b.py"]
    assert argv[10:] == [">", "/tmp/out file"]
    assert Target("l", "local", "/x y").display("ls") == "cd '/x y' && ls"


def test_markdown_has_every_step_with_rollback_and_metrics_checklist():
    plan = run_case({"input": "seed.json", "option": "quick-fix"})
    md = plan_markdown(plan)
    for phase in plan["phases"]:
        for step in phase["steps"]:
            assert f"`{step['id']}`" in md
    assert "## Critical warnings" in md and "Rollback:" in md
    assert "- [ ] market-data imports resolve in local: `driftctl check local --component code_health.market-data`" in md
    assert plan_tree(plan) is not None

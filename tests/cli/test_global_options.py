"""Global options before or after the command, one meaning per short flag, examples in every help,
and shell completion: all through the real entry point (`python -m driftctl`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from tests.helpers import Run, driftctl, write_config

COMMANDS = ["init", "envs", "snapshot", "diff", "check", "plan", "rescue", "apply", "schema", "demo", "compose config",
            "history", "watch", "gc", "backup decrypt", "scan-secrets"]


@pytest.fixture
def config(tmp_path, git_repo):
    """A config in ops/ describing a checkout next to it (so the config's folder is not the cwd)."""
    git_repo("checkout").commit({"app.py": "print('hi')\n"}, "initial")
    (tmp_path / "ops").mkdir()
    return write_config(tmp_path / "ops" / "envs.yaml", {"here": {"transport": "local", "path": "../checkout"}})


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_before_or_after_the_command(config, tmp_path, where) -> None:
    args = ["-c", str(config), "envs", "--format", "json"] if where == "before" else \
        ["envs", "--format", "json", "-c", str(config)]
    run = driftctl(*args, cwd=tmp_path)
    assert run.code == 0, run.err
    assert list(json.loads(run.out)) == ["here"]


def test_reports_dir_before_the_command_and_from_the_environment(config, tmp_path) -> None:
    out = tmp_path / "elsewhere"
    run = driftctl("--reports-dir", str(out), "-c", str(config), "snapshot", cwd=tmp_path)
    assert run.code == 0, run.err
    assert (out / "snapshots" / "here" / "latest.json").is_file()
    assert not (config.parent / "reports").exists()
    via_env = tmp_path / "from-env"
    run = driftctl("snapshot", "-c", str(config), cwd=tmp_path, env={"DRIFTCTL_REPORTS_DIR": str(via_env)})
    assert run.code == 0 and (via_env / "snapshots" / "here" / "latest.json").is_file()


def test_quiet_keeps_only_errors_and_warnings(config, tmp_path) -> None:
    loud = driftctl("snapshot", "-c", str(config), cwd=tmp_path)
    quiet = driftctl("-q", "snapshot", "-c", str(config), cwd=tmp_path)
    assert "saved to" in loud.err
    assert quiet.code == 0 and "saved to" not in quiet.err
    bad = driftctl("snapshot", "nowhere", "-q", "-c", str(config), cwd=tmp_path)
    assert bad.code == 2 and bad.err.startswith("error: unknown environment")


def test_verbose_writes_a_debug_log_to_stderr(config, tmp_path) -> None:
    run = driftctl("snapshot", "-c", str(config), "-v", cwd=tmp_path)
    assert run.code == 0
    assert "debug: " in run.err
    assert "debug: " not in driftctl("snapshot", "-c", str(config), cwd=tmp_path).err


def _has_colour(text: str) -> bool:
    """An SGR sequence that sets a foreground colour (30-38, 90-97), alone or combined (`1;31`)."""
    return any(re.search(r"(^|;)(3[0-8]|9[0-7])(;|$)", params) for params in re.findall(r"\x1b\[([0-9;]*)m", text))


def test_no_color_and_force_color(tmp_path) -> None:
    forced = driftctl("envs", cwd=tmp_path, env={"FORCE_COLOR": "1"})
    assert forced.code == 2 and _has_colour(forced.err)
    assert not _has_colour(driftctl("envs", cwd=tmp_path).err)  # a pipe: no colour by default
    assert not _has_colour(driftctl("envs", "--no-color", cwd=tmp_path, env={"FORCE_COLOR": "1"}).err)
    assert not _has_colour(driftctl("--no-color", "envs", cwd=tmp_path, env={"FORCE_COLOR": "1"}).err)
    assert not _has_colour(driftctl("envs", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).err)


def test_missing_config_points_at_init_and_c(tmp_path) -> None:
    run = driftctl("envs", cwd=tmp_path)
    assert run.code == 2
    assert run.err.count("\n") == 1 and "driftctl init" in run.err and "-c PATH" in run.err


@pytest.fixture(scope="module")
def helps() -> Callable[[str], Run]:
    """`driftctl COMMAND --help` (the real entry point), run once per command for the two tests that read it."""
    seen: dict[str, Run] = {}

    def help_of(command: str) -> Run:
        if command not in seen:
            seen[command] = driftctl(*command.split(), "--help")
        return seen[command]

    return help_of


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_has_examples_and_the_global_options(command, helps) -> None:
    run = helps(command)
    assert run.code == 0, run.err
    assert "Examples:" in run.out and f"driftctl {command}" in run.out
    for option in ("-c, --config", "--reports-dir", "-q, --quiet", "-v, --verbose", "--no-color"):
        assert option in run.out, (command, option)


@pytest.mark.parametrize("command", COMMANDS)
def test_short_flags_mean_one_thing(command, helps) -> None:
    """`-o` is always --output, `-c` always --config, `-f` only compose's --file; --format and
    --option have no short form."""
    out = helps(command).out
    for line in out.splitlines():
        stripped = line.strip()
        if stripped.startswith("-o,"):
            assert stripped.startswith("-o, --output"), line
        if stripped.startswith("-c,"):
            assert stripped.startswith("-c, --config"), line
        if stripped.startswith("-f,"):
            assert command == "compose config" and stripped.startswith("-f, --file"), line
        assert not any(stripped.startswith(f"-{c}, --format") or stripped.startswith(f"-{c}, --option")
                       for c in "abcdefghijklmnopqrstuvwxyz"), line


def test_completion_installs_and_completes(tmp_path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    run = driftctl("--install-completion", "bash", env=env)
    assert run.code == 0, run.err
    script = home / ".bash_completions" / "driftctl.sh"
    assert "_DRIFTCTL_COMPLETE" in script.read_text()
    assert str(script) in (home / ".bashrc").read_text()
    shown = driftctl("--show-completion", "bash", env=env)
    assert "complete -o default -F _driftctl_completion driftctl" in shown.out
    words = driftctl(env={"_DRIFTCTL_COMPLETE": "complete_bash", "COMP_WORDS": "driftctl sna", "COMP_CWORD": "1"})
    assert words.out.split() == ["snapshot"]
    options = driftctl(env={"_DRIFTCTL_COMPLETE": "complete_bash", "COMP_WORDS": "driftctl diff --for",
                            "COMP_CWORD": "2"})
    assert options.out.split() == ["--format"]


def test_environment_names_complete_from_the_config(config, tmp_path) -> None:
    env = {"_DRIFTCTL_COMPLETE": "complete_bash", "COMP_WORDS": f"driftctl diff -c {config} h", "COMP_CWORD": "4"}
    assert driftctl(env=env, cwd=tmp_path).out.split() == ["here"]
    env = {"_DRIFTCTL_COMPLETE": "complete_bash", "COMP_WORDS": f"driftctl -c {config} snapshot x", "COMP_CWORD": "4"}
    assert driftctl(env=env, cwd=tmp_path).out.split() == []


def test_the_root_and_compose_help_have_examples() -> None:
    for args in (["--help"], ["compose", "--help"]):
        run = driftctl(*args)
        assert run.code == 0 and "Examples:" in run.out and "driftctl " in run.out.split("Examples:")[1]


def test_every_command_is_in_the_checked_list() -> None:
    """A new command joins COMMANDS, so its help, examples and short flags are checked above."""
    from driftctl.cli.app import register_commands

    app = register_commands()
    names = {i.name for i in app.registered_commands}
    names |= {f"{g.name} {c.name}" for g in app.registered_groups if g.typer_instance
              for c in g.typer_instance.registered_commands}
    assert names == set(COMMANDS)

"""Limits where input enters: the file guard, bounded YAML, config names and numbers (issue 14)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from driftctl.errors import ConfigError
from driftctl.limits import excerpt, read_regular, read_text
from driftctl.yaml_source import YAMLBoundsError, check_bounds
from tests.robust.harness import assert_clean_failure, invoke


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = [f'l0: &l0 [{", ".join(["x"] * width)}]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="is a FIFO; only regular files are read"):
        read_regular(fifo, "config", ConfigError)


@pytest.mark.parametrize("device, word", [("/dev/zero", "a device"), ("/dev/null", "a device")])
def test_devices_are_refused(device: str, word: str) -> None:
    with pytest.raises(ConfigError, match=word):
        read_regular(device, "config", ConfigError)


def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        with pytest.raises(ConfigError, match="socket"):
            read_regular(path, "config", ConfigError)
    finally:
        server.close()


def test_size_cap_and_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    monkeypatch.setenv("DRIFTCTL_MAX_PLAN_BYTES", "1024")
    with pytest.raises(ConfigError, match="larger than 1024 bytes .*DRIFTCTL_MAX_PLAN_BYTES"):
        read_regular(big, "plan", ConfigError)
    monkeypatch.setenv("DRIFTCTL_MAX_PLAN_BYTES", "4096")
    assert len(read_regular(big, "plan", ConfigError)) == 2048


def test_sparse_file_is_refused_by_its_size(tmp_path: Path) -> None:
    sparse = tmp_path / "sparse.env"
    with sparse.open("wb") as fh:
        fh.truncate(2 << 30)  # 2 GiB, no blocks
    with pytest.raises(ConfigError, match="larger than"):
        read_regular(sparse, "config", ConfigError)


def test_symlink_out_of_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret").write_text("x")
    (root / "link").symlink_to(tmp_path / "secret")
    with pytest.raises(ConfigError, match="outside the checkout"):
        read_regular(root / "link", "env", ConfigError, root=root)
    (root / "inside").write_text("ok")
    assert read_regular(root / "inside", "env", ConfigError, root=root) == b"ok"


def test_non_utf8_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_bytes(b"version: 1\n\xff\xfe\n")
    with pytest.raises(ConfigError, match=r"not UTF-8 text at byte 11"):
        read_text(bad, "config", ConfigError)


def test_excerpt_is_short_escaped_and_one_line() -> None:
    assert excerpt("a\nb\x00c") == '"a\\nb\\x00c"'
    assert excerpt("x" * 100) == '"' + "x" * 40 + '..."'
    nested: list = []
    for _ in range(10):
        nested = [nested, nested]
    assert len(excerpt(nested)) < 60


def test_alias_bomb_and_nesting_are_bounded() -> None:
    with pytest.raises(YAMLBoundsError, match="alias bomb"):
        check_bounds(alias_bomb())
    with pytest.raises(YAMLBoundsError, match="nested deeper than 100"):
        check_bounds("[" * 10_000 + "]" * 10_000)
    check_bounds("a: &x [1, 2]\nb: *x\nc: {d: [e, f]}\n")  # ordinary aliases pass


def test_nesting_without_brackets_or_aliases_is_bounded_too() -> None:
    """The quick bound read off the text (no aliases, few brackets) must not let block nesting by."""
    indented = "".join(" " * level + "k:\n" for level in range(150)) + " " * 150 + "v\n"
    compact = "- " * 150 + "v\n"
    for text in (indented, compact):
        with pytest.raises(YAMLBoundsError, match="nested deeper than 100"):
            check_bounds(text)
    check_bounds("services:\n  a:\n    image: x:${TAG:-1}\n    command: [\"a\", \"b\"]\n")  # ordinary files pass


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "environments.yaml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


@pytest.mark.parametrize(
    "text, message",
    [
        ("version: 1\nenvironments:\n  local: {transport: local, command_timeout: .inf}\n", "command_timeout"),
        ("version: 1\nenvironments:\n  local: {transport: local, command_timeout: .nan}\n", "command_timeout"),
        ("version: 1\nenvironments:\n  local: {transport: local, connect_timeout: 1e300}\n", "connect_timeout"),
        ("version: 1\nenvironments:\n  ../../x: {transport: local}\n", "invalid environment name"),
        ("version: 1\nenvironments:\n  '-rf': {transport: local}\n", "invalid environment name"),
        ("version: 1\nenvironments:\n  '': {transport: local}\n", "invalid environment name"),
        ("version: 1\nenvironments:\n  \"a\\nb\": {transport: local}\n", "invalid environment name"),
        ("version: 1\nenvironments:\n  local: {transport: local}\n  local: {transport: local}\n", "duplicate key"),
        ("version: 1\nenvironments: " + "[" * 10_000 + "]" * 10_000 + "\n", "nested deeper"),
        ("version: 1\n" + alias_bomb(), "alias bomb"),
        (b"version: 1\n\xc3\x28\n", "not UTF-8"),
    ],
)
def test_hostile_configs_are_one_line_exit_2(tmp_path: Path, text: str | bytes, message: str) -> None:
    config = write(tmp_path, text)
    run = invoke(["envs", "-c", str(config)], tmp_path)
    assert_clean_failure(run, codes={2})
    assert message in run.err


def test_config_on_a_fifo_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "environments.yaml"
    os.mkfifo(fifo)
    run = invoke(["envs", "-c", str(fifo)], tmp_path)  # a blocking open would never return here
    assert_clean_failure(run, codes={2})
    assert "is a FIFO" in run.err


def test_error_messages_never_split_lines(tmp_path: Path) -> None:
    config = write(tmp_path, 'version: 1\nenvironments:\n  local: {transport: "lo\\ncal\\u0000"}\n')
    run = invoke(["envs", "-c", str(config)], tmp_path)
    assert_clean_failure(run, codes={2})
    assert "lo\\ncal\\x00" in run.err

"""The error handler: expected failures are one line with their code; bugs are one line, code 4, and a log."""

from __future__ import annotations

import pytest

from driftctl.cli import main as cli_main
from tests.helpers import write_config


def run_main(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        cli_main.main(args)
    return int(exit_info.value.code)


def test_unexpected_error_is_one_line_with_a_log(tmp_path, monkeypatch, capsys) -> None:
    cfg = write_config(tmp_path / "environments.yaml", {"local": {"transport": "local", "path": "."}})

    def boom(*args, **kwargs):
        raise RuntimeError("collector exploded")

    monkeypatch.setattr("driftctl.api.collection.take_snapshots", boom)
    code = run_main(["snapshot", "-c", str(cfg)])
    err = capsys.readouterr().err
    assert code == 4
    assert err.count("\n") == 1 and "unexpected RuntimeError: collector exploded" in err
    log_path = err.split("details in ")[1].rstrip(")\n")
    assert "Traceback" in open(log_path).read() and "Traceback" not in err


def test_interrupt_exits_130(tmp_path, monkeypatch, capsys) -> None:
    cfg = write_config(tmp_path / "environments.yaml", {"local": {"transport": "local", "path": "."}})

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("driftctl.api.collection.take_snapshots", interrupted)
    assert run_main(["snapshot", "-c", str(cfg)]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_bad_option_is_a_usage_error(capsys) -> None:
    assert run_main(["snapshot", "--no-such-option"]) == 2

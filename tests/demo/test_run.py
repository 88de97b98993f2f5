"""`run_demo` cleans up whatever happens: an error or Ctrl-C mid-run removes the sandbox and stops sshd."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftctl.demo import run as demo_run
from driftctl.demo.run import DemoOptions


class Boom(Exception):
    pass


@pytest.mark.parametrize("error", [Boom, KeyboardInterrupt])
def test_failure_mid_run_removes_the_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: type) -> None:
    seen: list[Path] = []

    def failing_pipeline(box, options, say, seconds, **_kw):
        seen.append(box.root)
        assert (box.local / ".git").is_dir()
        raise error()

    monkeypatch.setattr(demo_run, "_pipeline", failing_pipeline)
    with pytest.raises(error):
        demo_run.run_demo(DemoOptions(dir=tmp_path, cwd=tmp_path))
    assert seen == [tmp_path / "sandbox"]
    assert not (tmp_path / "sandbox").exists()


@pytest.mark.integration
def test_failure_over_ssh_stops_sshd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from driftctl.demo import sshd

    servers = []

    original = sshd.start

    def start(workdir: Path):
        server = original(workdir)
        servers.append(server)
        return server

    monkeypatch.setattr(sshd, "start", start)
    monkeypatch.setattr(demo_run, "_pipeline", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        demo_run.run_demo(DemoOptions(dir=tmp_path, cwd=tmp_path, ssh=True))
    assert len(servers) == 1 and servers[0].proc.poll() is not None
    assert not (tmp_path / "sandbox").exists()


def test_keep_keeps_the_sandbox_after_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_run, "_pipeline", lambda *a, **k: (_ for _ in ()).throw(Boom()))
    with pytest.raises(Boom):
        demo_run.run_demo(DemoOptions(dir=tmp_path, cwd=tmp_path, keep=True))
    assert (tmp_path / "sandbox" / "environments.yaml").is_file()


def test_git_mirror_stays_in_the_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    result = demo_run.run_demo(DemoOptions(dir=tmp_path / "d", cwd=tmp_path, keep=True))
    assert result.exit_code == 1
    assert not cache.exists()
    assert list((result.sandbox / ".cache" / "driftctl" / "mirrors").iterdir())

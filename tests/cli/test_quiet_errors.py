"""Errors the way a person wants them: one stderr line per failed environment, library tracebacks only
in the log file, a missing checkout as an error (not drift), "did you mean" for typos."""

from __future__ import annotations

import socket
import threading

import pytest

from tests.helpers import driftctl, write_config


@pytest.fixture
def silent_server():
    """A loopback TCP server that accepts connections and never says a word (no SSH banner)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() (close alone would not: the join timed out)
    listener.close()
    for conn in accepted:
        conn.close()
    thread.join(timeout=5)


@pytest.fixture
def checkout(git_repo):
    repo = git_repo("checkout")
    repo.commit({"docker-compose.yml": "services:\n  app:\n    image: app:1\n"}, "initial")
    return repo


def silent_spec(port: int, tmp_path) -> dict:
    return {"transport": "ssh", "host": "127.0.0.1", "port": port, "user": "nobody", "path": "/srv/app",
            "known_hosts": str(tmp_path / "known_hosts"), "connect_timeout": 1}


def test_timed_out_host_is_one_stderr_line_and_no_traceback(checkout, silent_server, tmp_path, monkeypatch) -> None:
    log = tmp_path / "driftctl.log"
    monkeypatch.setenv("DRIFTCTL_LOG", str(log))
    write_config(checkout.path / "environments.yaml", {
        "local": {"transport": "local", "path": "."}, "slow": silent_spec(silent_server, tmp_path)})
    for args in (["snapshot"], ["diff", "local", "slow"], ["diff", "local", "slow", "--format", "json"]):
        run = driftctl(*args, cwd=checkout.path)
        assert run.code == 3, (args, run.err)
        lines = run.err.splitlines()
        assert len(lines) - sum(line.startswith("saved to") for line in lines) == 1, (args, run.err)
        assert lines[0].startswith("warning: slow: not collected: cannot connect to nobody@127.0.0.1:")
        assert "timed out" in lines[0] or "banner" in lines[0]
        assert "Traceback" not in run.out + run.err and "paramiko" not in run.out + run.err
    assert "Traceback" in log.read_text()  # paramiko's own traceback went to the log file


def test_missing_local_path_is_one_error_for_that_environment(checkout) -> None:
    write_config(checkout.path / "environments.yaml", {
        "local": {"transport": "local", "path": "."}, "gone": {"transport": "local", "path": "../no-such-checkout"}})
    run = driftctl("diff", "local", "gone", "--format", "json", cwd=checkout.path)
    assert run.code == 3, run.err
    assert run.err.splitlines() == [f"warning: gone: not collected: path {checkout.path.parent / 'no-such-checkout'} "
                                    "does not exist (check `path:` in the config)"]
    import json

    rows = json.loads(run.out)["rows"]
    assert not [r for r in rows if r["severity"] != "none"], rows  # no drift rows about "missing" files


def test_unknown_host_key_is_reported_once(checkout, sshd, tmp_path) -> None:
    spec = sshd.env_spec(str(checkout.path), known_hosts=str(tmp_path / "empty_known_hosts"))
    write_config(checkout.path / "environments.yaml", {"local": {"transport": "local", "path": "."}, "remote": spec})
    for args in (["snapshot", "remote"], ["diff", "local", "remote"]):
        run = driftctl(*args, cwd=checkout.path)
        assert run.code == 3
        problems = [line for line in run.err.splitlines() if not line.startswith("saved to")]
        assert len(problems) == 1 and "SHA256:" in problems[0] and "--accept-new-host-key" in problems[0], run.err


def test_did_you_mean(checkout) -> None:
    write_config(checkout.path / "environments.yaml", {"local": {"transport": "local", "path": ".", "compose_file": []},
                                                       "staging": {"transport": "local", "path": "."}})
    typo = driftctl("envs", cwd=checkout.path)
    assert typo.code == 2
    assert "environments.local.compose_file: unknown key (did you mean 'compose_files'?)" in typo.err
    write_config(checkout.path / "environments.yaml", {"local": {"transport": "local", "path": "."},
                                                       "staging": {"transport": "local", "path": "."}})
    run = driftctl("diff", "local", "stagign", cwd=checkout.path)
    assert run.code == 2
    assert run.err == "error: unknown environment 'stagign' (did you mean 'staging'?); known: local, staging\n"

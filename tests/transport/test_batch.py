"""batch.py: the script builder and the frame parser. Pure, except a few runs of the script by /bin/sh."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from driftctl.models import Command, CommandResult
from driftctl.transport.batch import (
    MISSING_CWD_STATUS,
    BatchParseError,
    build_script,
    new_marker,
    parse_output,
)

MARK = "@@DRIFTCTL-0123456789abcdef@@"
NASTY = "a b 'single' \"double\" $(touch /tmp/pwned) `id` ; rm -rf / & | > < \\ \n second line\t* ? ~ #"


def frames(*parts: tuple[int, bytes, bytes], mark: str = MARK) -> bytes:
    """The output of a batch whose commands ended with (status, stdout, stderr), as the script prints it."""
    head = f"{mark} S" + "".join(f" {status}" for status, _, _ in parts) + "\n"
    sizes = "".join(f"{len(out):7d} {i}\n{len(err):7d} {i}e\n" for i, (_, out, err) in enumerate(parts))
    total = f"{sum(len(o) + len(e) for _, o, e in parts):7d} total\n" if parts else ""
    return (head + sizes + total + f"{mark} D\n").encode() + b"".join(o + e for _, o, e in parts)


def run_script(commands: list[Command], marker: str = MARK) -> list[CommandResult]:
    """Run a built script the way SSHTransport does (script on stdin of `sh -s`), locally."""
    proc = subprocess.run(
        ["/bin/sh", "-s"], input=build_script(commands, marker).encode(), capture_output=True, timeout=30
    )
    assert proc.returncode == 0, proc.stderr
    return parse_output(commands, proc.stdout, marker)


class TestParseOutput:
    def test_frames_split_exactly(self):
        cmds = [Command(("a",)), Command(("b",)), Command(("c",))]
        out = frames((0, b"one\n", b""), (3, b"", b"err\n"), (0, b"\x00\xff\n", b"\x00"))
        results = parse_output(cmds, out, MARK)
        assert [(r.exit_status, r.stdout, r.stderr) for r in results] == [
            (0, b"one\n", b""),
            (3, b"", b"err\n"),
            (0, b"\x00\xff\n", b"\x00"),
        ]
        assert [r.command for r in results] == cmds

    def test_output_that_contains_the_marker_is_not_split(self):
        tricky = f"{MARK} S 0 0\n{MARK} D\n     9 0\n".encode() * 3
        cmds = [Command(("a",)), Command(("b",))]
        results = parse_output(cmds, frames((0, tricky, tricky), (0, b"x", b"")), MARK)
        assert results[0].stdout == tricky and results[0].stderr == tricky
        assert results[1].stdout == b"x"

    def test_noise_before_the_first_frame_is_ignored(self):
        # A chatty login shell (motd, .bashrc) may print before the script starts.
        results = parse_output([Command(("a",))], b"Welcome!\n" + frames((0, b"ok", b"")), MARK)
        assert results[0].stdout == b"ok"

    def test_every_truncation_is_detected(self):
        cmds = [Command(("a",)), Command(("b",))]
        full = frames((0, b"hello\n", b"warn\n"), (1, b"bye\n", b""))
        for cut in range(len(full)):
            with pytest.raises(BatchParseError):
                parse_output(cmds, full[:cut], MARK)
        assert len(parse_output(cmds, full, MARK)) == 2

    @pytest.mark.parametrize(
        "header",
        [f"{MARK} S x\n", f"{MARK} S 0 0\n", f"{MARK} S\n"],
    )
    def test_garbled_status_header(self, header):
        with pytest.raises(BatchParseError, match="status"):
            parse_output([Command(("a",))], header.encode() + b"xx", MARK)

    @pytest.mark.parametrize(
        "sizes",
        ["      1 1\n      0 1e\n", "      1 0\n", "     x1 0\n      0 0e\n", "      1 0\n      0 0e\n      1 1\n"],
    )
    def test_garbled_or_misordered_sizes(self, sizes):
        out = f"{MARK} S 0\n{sizes}{MARK} D\nx".encode()
        with pytest.raises(BatchParseError):
            parse_output([Command(("a",))], out, MARK)

    def test_no_commands_no_output(self):
        assert parse_output([], b"", MARK) == []


class TestBuildScript:
    def test_every_argument_is_quoted(self):
        script = build_script([Command(("printf", "%s", NASTY), cwd="/tmp/it's here")], MARK)
        assert "exec printf %s 'a b '\"'\"'single" in script
        assert "cd -- '/tmp/it'\"'\"'s here'" in script

    def test_markers_are_unique_per_batch(self):
        assert new_marker() != new_marker()
        assert new_marker().startswith("@@DRIFTCTL-")

    def test_script_fails_with_97_when_no_temp_dir(self, tmp_path):
        script = build_script([Command(("true",))], MARK)
        env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path / "missing")}
        proc = subprocess.run(["/bin/sh", "-s"], input=script.encode(), capture_output=True, env=env)
        assert proc.returncode == 97


class TestScriptUnderSh:
    """The script's contract, checked by running it with the local /bin/sh (no SSH needed)."""

    def test_argument_arrives_verbatim(self):
        [result] = run_script([Command(("printf", "%s", NASTY))])
        assert result.stdout == NASTY.encode()
        assert result.exit_status == 0

    def test_binary_and_nul_bytes(self):
        data = bytes(range(256)) * 4
        [result] = run_script([Command(("printf", "%b", "".join(f"\\0{b:o}" for b in data)))])
        assert result.stdout == data

    def test_missing_cwd_matches_local_transport(self):
        [result] = run_script([Command(("pwd",), cwd="/no/such dir")])
        assert result.exit_status == MISSING_CWD_STATUS
        assert result.stderr == b"cd: /no/such dir: No such file or directory\n"

    def test_commands_do_not_read_the_script(self):
        # `cat` with no file would swallow the rest of the script if stdin were inherited.
        results = run_script([Command(("cat",)), Command(("echo", "still here"))])
        assert results[0].stdout == b"" and results[1].stdout == b"still here\n"

    def test_statuses_and_streams_per_command(self):
        results = run_script(
            [
                Command(("sh", "-c", "echo out; echo err >&2; exit 5")),
                Command(("true",)),
                Command(("definitely-not-a-command-xyz",)),
            ]
        )
        assert [(r.exit_status, r.stdout) for r in results[:2]] == [(5, b"out\n"), (0, b"")]
        assert results[0].stderr == b"err\n"
        assert results[2].exit_status == 127

    def test_temp_dir_is_removed(self, tmp_path):
        script = build_script([Command(("true",))], MARK)
        env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)}
        subprocess.run(["/bin/sh", "-s"], input=script.encode(), capture_output=True, env=env, check=True)
        assert list(tmp_path.iterdir()) == []

    def test_a_terminated_script_stops_instead_of_running_on_without_its_temp_dir(self, tmp_path):
        after = tmp_path / "after"
        ready = tmp_path / "ready"
        os.mkfifo(ready)
        first = Command(("sh", "-c", 'echo ready > "$1"; exec sleep 1', "sh", str(ready)))
        script = build_script([first, Command(("touch", str(after)))], MARK)
        proc = subprocess.Popen(["/bin/sh", "-s"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        proc.stdin.write(script.encode())
        proc.stdin.close()
        with open(ready) as fifo:  # blocks until the first command runs: no guessing with sleeps
            assert fifo.read() == "ready\n"
        proc.send_signal(signal.SIGTERM)  # the trap runs once the running child returns
        assert proc.wait(timeout=10) == 143
        proc.stdout.close()
        assert not after.exists()


class TestOwnScriptsInBatch:
    """driftctl's own `sh -c SCRIPT driftctl-NAME ARGS` scripts run in the command's subshell, with no
    second `sh`: they must see exactly what a fresh `sh -c` sees."""

    NAMES = "set | sed -n 's/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p' | sort -u"

    def test_no_second_shell_and_the_arguments_arrive_verbatim(self):
        cmd = Command(("sh", "-c", 'printf "%s|" "$#" "$@"; exit 4', "driftctl-test", NASTY, "-x", ""))
        script = build_script([cmd], MARK)
        assert "exec sh" not in script
        [result] = run_script([cmd])
        alone = subprocess.run(list(cmd.argv), capture_output=True)
        assert (result.exit_status, result.stdout) == (alone.returncode, alone.stdout) == (4, f"3|{NASTY}|-x||".encode())

    def test_the_batch_variables_and_functions_are_not_visible(self, tmp_path):
        from driftctl import gitsafe
        from driftctl.limits import read_file_command

        (tmp_path / "f").write_text("x\n")
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
        names = Command(("sh", "-c", self.NAMES, "driftctl-names"))
        funcs = Command(("sh", "-c", "for f in _driftctl_check real _driftctl_git _driftctl_scan; do "
                         "command -V $f >/dev/null 2>&1 && echo $f; done; exit 0", "driftctl-funcs"))
        commands = [Command(("git", "status"), cwd=str(tmp_path)), read_file_command(f"{tmp_path}/f", str(tmp_path)),
                    names, funcs]
        results = run_script(commands)
        assert results[1].stdout == b"x\n" and results[0].exit_status == 0
        alone = subprocess.run(list(names.argv), capture_output=True, text=True, check=True).stdout.split()
        seen = set(results[2].text.split()) - set(alone)
        exported = set(gitsafe.environment(gitsafe.REMOTE, base={}))  # the batch's git environment, as before
        assert seen <= exported | {"OLDPWD"}, seen - exported
        assert results[3].stdout == b""

    def test_a_syntax_error_ends_only_its_own_command(self):
        results = run_script([Command(("sh", "-c", "if then fi", "driftctl-bad")), Command(("echo", "after"))])
        assert results[0].exit_status != 0 and results[1].stdout == b"after\n"

    def test_other_sh_scripts_still_run_in_their_own_shell(self):
        script = build_script([Command(("sh", "-c", "echo $0", "sh")), Command(("sh", "-c", "echo plain"))], MARK)
        assert script.count("exec sh -c") == 2


class TestReadGuardInBatch:
    """A file read runs as a shell function in the batch, with the root resolved once: it must answer
    exactly as the stand-alone `sh -c` guard that LocalTransport runs, case by case."""

    @pytest.fixture
    def tree(self, tmp_path):
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / "secret").write_text("canary\n")
        real_root = tmp_path / "real-root"
        root = real_root / "app"
        (root / "sub" / "deeper").mkdir(parents=True)
        (root / "plain.txt").write_text("plain\n")
        (root / "sub" / "deeper" / "f.yml").write_text("deep\n")
        (root / "big").write_text("x" * 50)
        (root / "inside-link").symlink_to(root / "plain.txt")
        (root / "outside-link").symlink_to(outside / "secret")
        (root / "dir-out").symlink_to(outside)
        (root / "dir-in").symlink_to(root / "sub")
        os.mkfifo(root / "pipe")
        linked_root = tmp_path / "linked-root"
        linked_root.symlink_to(root)
        return root, linked_root

    CASES = ["plain.txt", "sub/deeper/f.yml", "big", "inside-link", "outside-link", "dir-out/secret",
             "dir-in/deeper/f.yml", "sub/../plain.txt", "sub/./deeper/f.yml", "sub//deeper/f.yml", "pipe", "sub",
             "missing", "sub/missing/x", "../../outside/secret"]

    def test_same_answer_as_the_stand_alone_guard(self, tree):
        from driftctl.limits import read_file_command

        for root in tree:
            commands = [read_file_command(f"{root}/{rel}", str(root), 10) for rel in self.CASES]
            batch = run_script(commands)
            for rel, cmd, got in zip(self.CASES, commands, batch):
                alone = subprocess.run(list(cmd.argv), capture_output=True, timeout=30)
                assert (got.exit_status, got.stdout, got.stderr) == (alone.returncode, alone.stdout, alone.stderr), rel
            by_rel = dict(zip(self.CASES, batch))
            assert by_rel["plain.txt"].stdout == b"plain\n"
            assert by_rel["dir-in/deeper/f.yml"].stdout == b"deep\n"
            assert by_rel["big"].stdout == b"x" * 11  # cap + 1: the reader can tell "over the cap"
            for rel in ("outside-link", "dir-out/secret", "../../outside/secret"):
                assert by_rel[rel].exit_status == 3 and b"outside the checkout" in by_rel[rel].stderr
            assert b"FIFO" in by_rel["pipe"].stderr and b"directory" in by_rel["sub"].stderr
            assert by_rel["missing"].exit_status == 1

    def test_root_is_resolved_once_per_batch(self, tree):
        from driftctl.limits import read_file_command

        root = tree[0]
        script = build_script([read_file_command(f"{root}/{rel}", str(root)) for rel in self.CASES], MARK)
        assert script.count("cd -P -- ") == 1  # the root line, with builtins only
        assert script.count("readlink -f -- ") == script.count("real() {")  # only the guard's fallback

    def test_resolving_the_root_leaves_the_batch_where_it_was(self, tree, tmp_path, monkeypatch):
        from driftctl.limits import read_file_command

        start = tmp_path / "start"
        start.mkdir()
        monkeypatch.chdir(start)
        root = tree[1]  # a symlink to the checkout: cd -P resolves it
        commands = [read_file_command(f"{root}/plain.txt", str(root)), Command(("pwd",)),
                    read_file_command(f"{root}/outside-link", str(root))]
        got = run_script(commands)
        assert got[0].stdout == b"plain\n" and got[1].stdout == f"{start}\n".encode()
        assert got[2].exit_status == 3 and b"outside the checkout" in got[2].stderr


class TestGitInBatch:
    def test_repository_drivers_never_run_and_the_scan_runs_once(self, tmp_path):
        repo = tmp_path / "repo"
        repo.mkdir()
        pwned = tmp_path / "pwned"
        env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@x"}
        for args in (["init", "-q"], ["config", "filter.evil.clean", f"touch {pwned}; cat"],
                     ["config", "core.fsmonitor", f"touch {pwned}"]):
            subprocess.run(["git", *args], cwd=repo, check=True, env=env)
        (repo / ".gitattributes").write_text("* filter=evil\n")
        (repo / "a.txt").write_text("one\n")
        commands = [Command(("git", "status", "--porcelain"), cwd=str(repo)),
                    Command(("git", "add", "--dry-run", "a.txt"), cwd=str(repo)),
                    Command(("git", "diff", "--stat"), cwd=str(repo))]
        script = build_script(commands, MARK)
        assert script.count("_dk0=$(") == 1 and "_dk1=" not in script
        results = run_script(commands)
        assert all(r.exit_status == 0 for r in results), [r.stderr for r in results]
        assert b"a.txt" in results[0].stdout
        assert not pwned.exists()

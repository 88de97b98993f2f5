"""Fleet speed: a full `driftctl snapshot` of N SSH environments against pyinfra gathering 5 facts
from N hosts, side by side in one run on one loopback sshd.

    python benchmarks/fleet.py            # 1 and 20 hosts, 5 repeats, then 500 simulated environments
    python benchmarks/fleet.py [--hosts 1 20 100] [--repeat 5] [--jobs 16] [--simulate 500] [--same-port]

Both tools run as whole processes, interleaved (driftctl, pyinfra, driftctl, ...), and the medians
are compared: wall time and controller CPU (user + system of the child). Both run from bytecode as
installed packages do (PYTHONDONTWRITEBYTECODE is dropped for the children; driftctl's bytecode goes to a
temporary PYTHONPYCACHEPREFIX, never into the checkout). pyinfra 3.x runs from its
own virtualenv (`benchmarks/.venv-pyinfra`, created on first use with `pip install pyinfra`), so the
project does not depend on it. Each N-host run reaches the same sshd through N inventory entries
(driftctl: N `ssh` environments; pyinfra: N hosts), spread over the 16 ports the sshd listens on (its
limit, MAX_LISTEN_SOCKS), over a copy of this repository's compose project, so both tools make N real
SSH connections. driftctl lets at most 8 logins into one server (address and port) at a time
(OpenSSH drops connections past 10 unauthenticated ones by default; driftctl/transport/startups.py):
with 16 ports, up to 128 hosts never meet that bound, as N hosts of a fleet would not. `--same-port`
puts every environment on one port instead: a shared server (one VM with many projects, a bastion).

Also measured: exec round trips per host (batches through SSHTransport.run_batch, in-process) and
the target's CPU per snapshot (user + system of every process sshd ran for driftctl, read from the
sshd master's reaped-children times in /proc once sshd has reaped them), the same for pyinfra, and the
fixed part any tool pays per connection: an SSH login that runs `true` once (sshd's session and the
user's login shell with its rc files). "net" is a snapshot's target CPU minus that fixed part: what
driftctl itself makes the target run, the figure the goal (<= 0.05 s) is about. As root, the same login
is also measured through a throwaway account whose shell is /bin/sh without rc files (this machine's
root runs `pyenv init` at every login), and "with a plain login" is net plus that.

`--simulate 500`: 500 SSH environments in one process with `--jobs` workers, a tenth of them
unreachable (a port that accepts TCP and never answers, bounded by connect_timeout): peak threads,
peak open file descriptors, peak RSS, and how long the reachable ones took. The reachable nine tenths
run alone first, twice (first contact, which fills the controller's per-environment tool-version cache,
then a repeat), and the repeat is what the run with the dead tenth is compared with.
Figures go to stdout and benchmarks/results/fleet.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from driftctl.runner import DEFAULT_JOBS  # noqa: E402
from tests.fixtures.sshd import free_port, generate_key, start_sshd  # noqa: E402

PYINFRA_VENV = ROOT / "benchmarks" / ".venv-pyinfra"
FACTS = ["server.Os", "server.Hostname", "server.Arch", "server.KernelVersion", "server.LinuxDistribution"]
PROJECT_FILES = ["docker-compose.yml", "docker-compose.aws.yml", ".env.example", "services"]


def pyinfra_bin() -> Path:
    exe = PYINFRA_VENV / "bin" / "pyinfra"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PYINFRA_VENV)], check=True)
        subprocess.run([str(PYINFRA_VENV / "bin" / "pip"), "install", "-q", "pyinfra>=3.10,<4"], check=True)
    return exe


def make_project(work: Path) -> Path:
    """A git checkout holding this repository's compose project (what a deployment host has)."""
    project = work / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, project / name)
    env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@x", GIT_COMMITTER_NAME="b",
               GIT_COMMITTER_EMAIL="b@x")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "project"]):
        subprocess.run(["git", *args], cwd=project, check=True, env=env)
    return project


SSHD_PORTS = 16  # sshd's MAX_LISTEN_SOCKS: one sshd listens on at most 16 sockets


def spare_ports(count: int) -> list[int]:
    """`count` free loopback ports for the sshd to listen on besides its own."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def host_ports(server, extra: list[int]) -> list[int]:
    """Every port of the one sshd (its own first), each trusted in known_hosts, for the environments
    to spread over (see the module's docstring)."""
    key_type, key_b64 = server.host_key_pub.split()[:2]
    with open(server.known_hosts, "a") as fh:
        fh.writelines(f"[{server.host}]:{p} {key_type} {key_b64}\n" for p in extra)
    return [server.port, *extra]


def write_inputs(work: Path, server, project: Path, n: int, jobs: int | None,
                 ports: list[int]) -> tuple[Path, Path]:
    envs = {f"h{i}": server.env_spec(str(project), port=ports[(i - 1) % len(ports)], connect_timeout=30,
                                     command_timeout=120) for i in range(1, n + 1)}
    cfg = work / f"environments-{n}.yaml"
    cfg.write_text(json.dumps({"version": 1, "environments": envs}))  # JSON is YAML
    data = {"ssh_hostname": server.host, "ssh_user": server.user,
            "ssh_key": server.identity_file, "ssh_known_hosts_file": server.known_hosts}
    inventory = work / f"inventory_{n}.py"
    inventory.write_text(f"ports = {ports!r}\n"
                         f"hosts = [(f'h{{i}}', {{**{data!r}, 'ssh_port': ports[(i - 1) % len(ports)]}}) "
                         f"for i in range(1, {n} + 1)]\n")
    return cfg, inventory


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, controller CPU seconds) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def target_cpu(sshd_pid: int) -> float:
    """CPU seconds of every finished process sshd forked (sessions, shells, commands), read once
    sshd has no child left (a session's times reach sshd only when it reaps that session)."""
    deadline = time.monotonic() + 30
    children = Path(f"/proc/{sshd_pid}/task/{sshd_pid}/children")
    while children.read_text().split() and time.monotonic() < deadline:
        time.sleep(0.02)
    fields = Path(f"/proc/{sshd_pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime + cstime


def login_cost(server, repeat: int, user: str | None = None) -> float:
    """Target CPU of one SSH login that runs `true` once: what every tool pays per host."""
    import paramiko

    before = target_cpu(server.proc.pid)
    for _ in range(repeat):
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        client.connect(server.host, server.port, username=user or server.user, key_filename=server.identity_file,
                       allow_agent=False, look_for_keys=False)
        _, out, _ = client.exec_command("true")
        out.channel.recv_exit_status()
        client.close()
    return (target_cpu(server.proc.pid) - before) / repeat


PLAIN_USER = "driftctl-bench"


def plain_login_cost(server, work: Path, repeat: int) -> float | None:
    """The same login through a throwaway account whose shell is /bin/sh with no rc file (created
    here when running as root, removed at the end): the part of a login that is sshd's own, without
    what this machine's root shell runs (`pyenv init` in its .bashrc). None when not root."""
    if os.geteuid() != 0 or not shutil.which("useradd"):
        return None
    home = work / "plain-home"
    home.mkdir(exist_ok=True)
    created = subprocess.run(["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/bin/sh",
                              "--no-user-group", "--password", "*", PLAIN_USER], capture_output=True).returncode == 0
    if not created:
        return None
    # sshd reads the key list as that user: let it through the private folders (traverse only) to it
    authorized = Path(server.workdir) / "authorized_keys"
    for folder in {work, Path(server.workdir)}:
        folder.chmod(0o711)
    authorized.chmod(0o644)
    try:
        return login_cost(server, repeat, PLAIN_USER)
    finally:
        subprocess.run(["userdel", PLAIN_USER], capture_output=True)


CONNECT_TIMEOUT = 5  # seconds: what each unreachable simulated environment holds a slot for


def simulate(server, project: Path, work: Path, n: int, jobs: int, ports: list[int], dead: bool = True) -> dict:
    """n environments in-process, a tenth of them behind a port that never answers (or, with
    `dead=False`, only the other nine tenths: the run the dead tenth is compared with)."""
    import logging
    import socket
    import threading

    from driftctl.config import parse_config
    from driftctl.runner import collect_all

    logging.getLogger("paramiko").setLevel(logging.CRITICAL)  # the CLI logs to a file; here, nowhere
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1024)  # accepts (kernel backlog), never sends a banner
    dead_port = silent.getsockname()[1]
    envs = {}
    for i in range(n):
        spec = server.env_spec(str(project), port=ports[i % len(ports)], connect_timeout=CONNECT_TIMEOUT,
                               command_timeout=120)
        if i % 10 == 9:
            if not dead:
                continue
            spec["port"] = dead_port
        envs[f"h{i:03d}"] = spec
    cfg = parse_config({"version": 1, "environments": envs}, None, "fleet.yaml", str(work))
    peak = {"threads": 0, "fds": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak["threads"] = max(peak["threads"], threading.active_count())
            peak["fds"] = max(peak["fds"], len(os.listdir("/proc/self/fd")))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    finished: dict[str, float] = {}

    def progress(env: str, message: str) -> None:
        if message in ("done", "incomplete"):
            finished[env] = time.perf_counter() - start

    snaps = collect_all(cfg, list(envs), jobs=jobs, progress=progress)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    silent.close()
    ok = [s for s in snaps if s["complete"]]
    return {
        "environments": len(envs), "jobs": jobs, "unreachable": n // 10 if dead else 0, "complete": len(ok), "wall_s": round(wall, 2),
        "peak_threads": peak["threads"], "peak_open_fds": peak["fds"],
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "reachable_done_by_s": round(max(finished[s["environment"]] for s in ok), 2) if ok else None,
    }


def round_trips(cfg_path: Path, work: Path) -> float:
    """Exec round trips per host of one driftctl snapshot, counted in-process."""
    from driftctl.config import load_config
    from driftctl.runner import collect_all
    from driftctl.transport import ssh as ssh_module

    count = {"batches": 0}
    original = ssh_module.SSHTransport.batch_steps  # what run_batch and the fleet scheduler both run

    def batch_steps(self, commands, timeout=None):  # type: ignore[no-untyped-def]
        count["batches"] += 1
        return original(self, commands, timeout)

    ssh_module.SSHTransport.batch_steps = batch_steps  # type: ignore[method-assign]
    try:
        cfg = load_config(str(cfg_path))
        collect_all(cfg, list(cfg.environments))
    finally:
        ssh_module.SSHTransport.batch_steps = original  # type: ignore[method-assign]
    return count["batches"] / len(cfg.environments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None, help="driftctl --jobs (default: its own default)")
    parser.add_argument("--simulate", type=int, default=500, help="then collect this many environments in-process (0: skip)")
    parser.add_argument("--same-port", action="store_true",
                        help="every environment on the sshd's one port: a shared server, not N hosts")
    args = parser.parse_args()
    pyinfra = pyinfra_bin()
    started = time.perf_counter()
    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        home = work / "home"
        (home / ".ssh").mkdir(parents=True)
        env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"),
                   DRIFTCTL_REPORTS_DIR=str(work / "reports"), DRIFTCTL_SSH_CONFIG=str(work / "no-ssh-config"),
                   PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=str(work / "pycache"))
        # Both tools run from bytecode, as installed packages do (pip compiles pyinfra's venv; the
        # warm-up run compiles driftctl into the private cache prefix, never into the checkout).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ.update({k: env[k] for k in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "DRIFTCTL_SSH_CONFIG")})
        extra = [] if args.same_port else spare_ports(SSHD_PORTS - 1)
        server = start_sshd(work / "sshd", generate_key(work / "user_key"), extra_config=tuple(f"Port {p}" for p in extra))
        ports = host_ports(server, extra)
        project = make_project(work)
        results: dict[str, dict] = {}
        fleet = None
        plain = None
        try:
            login = login_cost(server, 5)
            plain = plain_login_cost(server, work, 5)
            print(f"per SSH login running `true` once (sshd + login shell): {login * 1000:.0f} ms target CPU"
                  + (f"; through a /bin/sh account without rc files: {plain * 1000:.0f} ms" if plain is not None else ""),
                  flush=True)
            for n in args.hosts:
                results[str(n)] = compare(n, args, server, project, work, env, pyinfra, login, ports, plain)
            if args.simulate:
                jobs = args.jobs or DEFAULT_JOBS
                # First contact with every reachable name: the controller caches each environment's
                # Docker tool versions (keyed by name and host), so this run also has the target run
                # the docker CLI once per host; the two runs compared below are both repeat snapshots.
                first = simulate(server, project, work, args.simulate, jobs, ports, dead=False)
                alone = simulate(server, project, work, args.simulate, jobs, ports, dead=False)
                fleet = simulate(server, project, work, args.simulate, jobs, ports)
                # The dead tenth costs at most its slot time: each holds one of `jobs` slots for its timeout.
                fleet["reachable_alone_done_by_s"] = alone["reachable_done_by_s"]
                fleet["dead_slot_time_s"] = round(fleet["unreachable"] * CONNECT_TIMEOUT / jobs, 2)
                fleet["reachable_alone_peak_threads"] = alone["peak_threads"]
                fleet["reachable_first_contact_done_by_s"] = first["reachable_done_by_s"]
                print(f"{fleet['environments']} environments, --jobs {jobs}, {fleet['unreachable']} unreachable: "
                      f"{fleet['complete']} complete in {fleet['wall_s']}s (reachable done by {fleet['reachable_done_by_s']}s; "
                      f"{alone['complete']} reachable alone: {alone['reachable_done_by_s']}s, at first contact "
                      f"{first['reachable_done_by_s']}s; the dead tenth's slot time "
                      f"{fleet['unreachable']} x {CONNECT_TIMEOUT}s / {jobs} = {fleet['dead_slot_time_s']}s); "
                      f"peak {fleet['peak_threads']} threads, {fleet['peak_open_fds']} fds, {fleet['peak_rss_mib']} MiB RSS",
                      flush=True)
        finally:
            server.stop()
    out = ROOT / "benchmarks" / "results" / "fleet.json"
    load = os.getloadavg()
    out.write_text(json.dumps({
        "command": "python benchmarks/fleet.py " + " ".join(sys.argv[1:]), "repeat": args.repeat, "jobs": args.jobs,
        "cores": os.cpu_count(), "sshd_ports": 1 if args.same_port else len(ports),
        "load_average_at_start": [round(x, 2) for x in load_at_start], "load_average_at_end": [round(x, 2) for x in load],
        "login_target_cpu_s": round(login, 3),
        "login_plain_shell_target_cpu_s": None if plain is None else round(plain, 3),
        "hosts": results, "simulated": fleet,
        "benchmark_wall_s": round(time.perf_counter() - started, 1)}, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)} in {time.perf_counter() - started:.0f}s (load average {load[0]:.1f})")


def compare(n: int, args, server, project: Path, work: Path, env: dict[str, str], pyinfra: Path, login: float,
            ports: list[int],
            plain: float | None = None) -> dict:
    """Interleaved runs of both tools on n hosts: medians of wall and controller CPU; target CPU as the
    mean over every run (the kernel counts it in clock ticks of 10 ms, so a median of one-host runs
    could only say 40 or 50 ms)."""
    cfg, inventory = write_inputs(work, server, project, n, args.jobs, ports)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    ours_cmd = [sys.executable, "-m", "driftctl", "snapshot", "-c", str(cfg), *jobs]
    theirs_cmd = [str(pyinfra), "-y", str(inventory), "fact", *FACTS]
    ours, theirs, ours_remote, theirs_remote = [], [], [], []
    timed(ours_cmd, env, work)  # warm-up: fingerprint key, page cache
    timed(theirs_cmd, env, work)
    for _ in range(args.repeat):
        before = target_cpu(server.proc.pid)
        ours.append(timed(ours_cmd, env, work))
        middle = target_cpu(server.proc.pid)
        theirs.append(timed(theirs_cmd, env, work))
        after = target_cpu(server.proc.pid)
        ours_remote.append((middle - before) / n)
        theirs_remote.append((after - middle) / n)
    o_wall, t_wall = statistics.median(w for w, _ in ours), statistics.median(w for w, _ in theirs)
    o_cpu, t_cpu = statistics.median(c for _, c in ours), statistics.median(c for _, c in theirs)
    remote = statistics.fmean(ours_remote)
    r = {
        "driftctl_wall_s": round(o_wall, 3), "pyinfra_wall_s": round(t_wall, 3),
        "ratio_wall": round(o_wall / t_wall, 2),
        "driftctl_cpu_s": round(o_cpu, 3), "pyinfra_cpu_s": round(t_cpu, 3),
        "ratio_cpu": round(o_cpu / t_cpu, 2),
        "round_trips_per_host": round(round_trips(cfg, work), 2),
        "target_cpu_per_snapshot_s": round(remote, 3),
        "target_cpu_per_snapshot_net_of_login_s": round(max(0.0, remote - login), 3),
        "target_cpu_per_snapshot_with_plain_login_s": None if plain is None else round(max(0.0, remote - login) + plain, 3),
        "pyinfra_target_cpu_per_host_s": round(statistics.fmean(theirs_remote), 3),
    }
    print(f"{n:>4} hosts: driftctl {o_wall:.2f}s (cpu {o_cpu:.2f}s)  pyinfra {t_wall:.2f}s (cpu {t_cpu:.2f}s)  "
          f"ratio {r['ratio_wall']}x wall, {r['ratio_cpu']}x cpu; {r['round_trips_per_host']} round trips/host; "
          f"target cpu/snapshot {remote * 1000:.0f} ms ({r['target_cpu_per_snapshot_net_of_login_s'] * 1000:.0f} ms net of "
          f"the login), pyinfra {r['pyinfra_target_cpu_per_host_s'] * 1000:.0f} ms/host", flush=True)
    return r


if __name__ == "__main__":
    main()

"""paramiko without invoke at import (driftctl/transport/paramiko_lib.py): `Match exec` still works.

Fresh interpreters, so what earlier tests imported does not hide what importing the SSH transport loads.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def _python(code: str, *args: str) -> str:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_importing_the_ssh_transport_does_not_load_invoke() -> None:
    out = _python("""
        import sys
        import driftctl.transport.ssh
        print(sorted(m for m in sys.modules if m == "invoke" or m.startswith("invoke.")))
    """)
    assert out == "[]"


def test_match_exec_in_an_ssh_config_runs_its_command(tmp_path: Path) -> None:
    flag = tmp_path / "flag"
    config = tmp_path / "ssh_config"
    config.write_text(f'Match exec "test -e {flag}"\n  HostName when-the-flag-exists\n'
                      "Host *\n  HostName otherwise\n")
    code = """
        import sys
        from pathlib import Path
        from driftctl.transport.ssh import load_ssh_config
        lookup = load_ssh_config(Path(sys.argv[1]))
        print(lookup("box")["hostname"], "invoke" in sys.modules)
    """
    assert _python(code, str(config)) == "otherwise True"  # the command ran (through invoke) and failed
    flag.touch()
    assert _python(code, str(config)) == "when-the-flag-exists True"

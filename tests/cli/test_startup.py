"""`driftctl --help` stays instant: heavy libraries are imported where they are used, not at start-up."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("paramiko", "docker", "git", "pydantic", "deepdiff", "yaml", "aiohttp")


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "from driftctl.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print('LOADED=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = proc.stdout.rsplit("LOADED=", 1)[1].strip()
    assert "Usage: driftctl" in proc.stdout
    assert loaded == "", f"imported at start-up: {loaded}"

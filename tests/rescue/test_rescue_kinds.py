"""`rescue` on every kind of change a host can carry: deleted, renamed (staged), binary, symlinked
files, and a file holding a live key (named by file and line, left out, never shown)."""

from __future__ import annotations

import subprocess
from dataclasses import replace

from tests.incidents.builder import CATALOG, LIVE_KEY, build


def _git(path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True, check=True).stdout


def test_rescue_commits_deletions_renames_binaries_and_symlinks_and_leaves_out_live_keys(tmp_path):
    spec = replace(CATALOG[1], name="kinds", deleted=True, renamed=True, symlink=True, binary=True, key_module=True)
    b = build(spec, tmp_path / "kinds")
    web, worker = spec.web, spec.worker
    res = b.driftctl("rescue", spec.prod, "--branch", "rescue/test")
    assert res.returncode == 0, res.stderr
    branch = "rescue/test"
    tree = dict(line.split("\t")[::-1] for line in _git(b.hub.path, "ls-tree", "-r", branch).splitlines())
    assert f"services/{web}/legacy.py" not in tree  # deleted on the host
    assert f"services/{web}/helpers.py" not in tree and f"services/{web}/util.py" in tree  # git mv
    assert tree[f"services/{web}/current.py"].startswith("120000 blob")  # a symlink stays a link
    assert _git(b.hub.path, "cat-file", "-p", f"{branch}:services/{web}/current.py") == "helpers.py"
    blob = subprocess.run(["git", "-C", str(b.hub.path), "cat-file", "blob", f"{branch}:assets/logo.bin"],
                          capture_output=True, check=True).stdout
    assert blob == (b.prod.path / "assets/logo.bin").read_bytes()  # binary, byte for byte
    assert f"services/{worker}/billing.py" not in tree
    err = " ".join(res.stderr.split())
    assert f"services/{worker}/billing.py:1: looks like a payment API key (value not shown)" in err
    assert LIVE_KEY not in res.stderr + res.stdout
    assert LIVE_KEY not in _git(b.hub.path, "log", "--all", "-p")
    assert _git(b.prod.path, "status", "--porcelain")  # the host itself is untouched


def test_include_secret_files_commits_it_and_warns_never_to_push(tmp_path):
    spec = replace(CATALOG[5], name="keys")
    b = build(spec, tmp_path / "keys")
    res = b.driftctl("rescue", spec.prod, "--branch", "rescue/keys", "--include-secret-files")
    assert res.returncode == 0, res.stderr
    assert f"services/{spec.worker}/billing.py" in _git(b.hub.path, "ls-tree", "-r", "--name-only", "rescue/keys")
    assert "never push it" in " ".join(res.stderr.split())
    scan = b.driftctl("scan-secrets", "--repo", str(b.hub.path), "--rev", "rescue/keys", "--quiet")
    assert scan.returncode == 1 and f"services/{spec.worker}/billing.py:1" in scan.stderr
    assert LIVE_KEY not in scan.stderr + scan.stdout

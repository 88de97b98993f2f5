"""driftctl's own files (its keys included, wherever the environment points them) never show up in a
checkout's inventory."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftctl.config import load_config
from driftctl.own_files import excluded_for


@pytest.mark.parametrize("variable", ["DRIFTCTL_FINGERPRINT_KEY_FILE", "DRIFTCTL_BACKUP_KEY_FILE"])
def test_a_key_file_inside_the_checkout_is_driftctls_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         variable: str) -> None:
    checkout = tmp_path / "app"
    checkout.mkdir()
    config = tmp_path / "environments.yaml"
    config.write_text(f"version: 1\nenvironments:\n  local: {{transport: local, path: {checkout}}}\n")
    monkeypatch.setenv(variable, str(checkout / "ops" / "driftctl.key"))
    assert "ops/driftctl.key" in excluded_for(load_config(str(config)), "local", str(checkout))

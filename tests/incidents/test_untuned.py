"""The untuned incident set (issue 13, acceptance 1 and 2): incidents written before driftctl was run
on them, on real git and the real sshd. Each planted drift is found with its status and severity,
nothing else is a finding, every negative control holds, and no secret appears in clear."""

from __future__ import annotations

import json

import pytest

from tests.incidents.untuned_build import load_all_untuned, needs_ssh, run_untuned

pytestmark = pytest.mark.integration
UNTUNED = load_all_untuned()


def test_untuned_set_is_large_varied_and_has_negative_controls() -> None:
    assert len(UNTUNED) >= 10
    assert len({i["name"] for i in UNTUNED}) == len(UNTUNED)
    assert all(i.get("negative") for i in UNTUNED)
    assert sum(1 for i in UNTUNED if not i.get("planted")) >= 3
    assert sum(1 for i in UNTUNED if needs_ssh(i)) >= 2
    assert any(len([e for e in i["environments"].values() if e.get("role") == "deployment"]) >= 3 for i in UNTUNED)


@pytest.mark.parametrize("incident", UNTUNED, ids=[i["name"] for i in UNTUNED])
def test_untuned_incident(incident, tmp_path, request) -> None:
    sshd = request.getfixturevalue("sshd") if needs_ssh(incident) else None
    score, found, rows = run_untuned(incident, tmp_path, sshd)
    summary = json.dumps({"missed": score.missed, "noise": [(r["component"], r["status"], r["severity"]) for r in score.noise],
                          "controls": score.failed_controls, "found": [(r["component"], r["status"], r["severity"]) for r in found]},
                         indent=1)
    assert not score.missed, summary
    assert not score.noise, summary
    assert not score.failed_controls, summary
    assert not score.incomplete, score.incomplete
    text = json.dumps(rows)
    for secret in incident.get("secrets_in_clear") or []:
        assert secret not in text, f"a secret value appears in clear in the matrix of {incident['name']}"

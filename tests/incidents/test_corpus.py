"""Every incident of the corpus, end to end on real git: each planted drift is found with its status,
nothing else is a finding, and every negative control holds (issue 13, acceptance 1 and 2)."""

from __future__ import annotations

import json

import pytest

from tests.incidents.build import load_corpus, needs_docker, run_incident

pytestmark = pytest.mark.integration
CORPUS = load_corpus()


def test_corpus_is_large_enough_and_has_negative_controls() -> None:
    assert len(CORPUS) >= 12
    assert sum(1 for i in CORPUS if not i.get("planted")) >= 3  # incidents that must stay silent
    assert all(i.get("negative") for i in CORPUS)


@pytest.mark.parametrize("incident", CORPUS, ids=[i["name"] for i in CORPUS])
def test_incident(incident, tmp_path, request) -> None:
    engine = request.getfixturevalue("docker_engine") if needs_docker(incident) else None
    score, found = run_incident(incident, tmp_path, engine)
    summary = json.dumps({"missed": score.missed, "noise": [(r["component"], r["status"], r["severity"]) for r in score.noise],
                          "controls": score.failed_controls, "found": [(r["component"], r["status"]) for r in found]}, indent=1)
    assert not score.missed, summary
    assert not score.noise, summary
    assert not score.failed_controls, summary
    assert not score.incomplete, score.incomplete

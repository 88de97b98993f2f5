"""Detection quality over the incident sets: precision and recall, per set, together and per class.

Run from the repository root:

    python benchmarks/detection_quality.py [--json] [--set corpus|untuned|untuned-2] [--incident NAME]

Builds every incident of tests/incidents/corpus.yaml (written together with the classifiers: a
regression floor) and of the untuned batches tests/incidents/untuned.yaml and untuned-2.yaml (each
written before driftctl was run on it) on
real git, with a throwaway sshd on 127.0.0.1 for the incidents that reach a deployment over SSH,
runs driftctl's collectors and differ on each, and compares the findings with what was planted. A
true positive is a planted drift found with its status (and severity where the set names one); a
false positive is any finding no planted drift names; a negative control fails when a row it names
is a finding. Results go to stdout and benchmarks/results/detection_quality.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.incidents.build import Score, load_corpus, run_incident, totals  # noqa: E402
from tests.incidents.untuned_build import BATCHES, load_untuned, needs_ssh, run_untuned  # noqa: E402


def _isolate(tmp: Path) -> None:
    """Keys, caches and the Docker engine of this machine stay out of the measurement."""
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    os.environ["XDG_CACHE_HOME"] = str(tmp / "cache")
    os.environ.pop("DOCKER_HOST", None)
    os.environ.pop("DOCKER_CONFIG", None)
    os.environ["DRIFTCTL_DEFAULT_DOCKER_SOCKET"] = str(tmp / "no-docker.sock")


def _print_score(score: Score) -> None:
    state = "ok" if not (score.missed or score.noise or score.failed_controls or score.incomplete) else "FAIL"
    print(f"{state:4} {score.name:44} planted {len(score.hits) + len(score.missed):2}  found {len(score.hits):2}  "
          f"missed {len(score.missed)}  false positives {len(score.noise)}  controls failed {len(score.failed_controls)}")
    for p in score.missed:
        print(f"       missed {p['component']} ({p.get('status')} {p.get('severity') or ''})")
    for r in score.noise:
        print(f"       false positive {r['component']} {r['status']} {r['severity']}")
    for c in score.failed_controls:
        print(f"       negative control failed: {c}")
    for c in score.incomplete:
        print(f"       incomplete: {c}")


class _Sshd:
    """One throwaway sshd on 127.0.0.1 for every incident that reaches a deployment over SSH."""

    def __init__(self, tmp: Path):
        self.tmp, self.server = tmp, None

    def get(self):
        from tests.fixtures.sshd import generate_key, start_sshd

        if self.server is None:
            self.server = start_sshd(self.tmp / "sshd", generate_key(self.tmp / "ssh_user_key"))
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def _run_set(name: str, incidents: list[dict], tmp: Path, sshd: _Sshd, quiet: bool) -> list[Score]:
    scores = []
    if not quiet:
        print(f"== {name} ({len(incidents)} incidents)")
    for n, incident in enumerate(incidents):
        root = tmp / name / str(n)
        root.mkdir(parents=True)
        if name in BATCHES:
            score = run_untuned(incident, root, sshd.get() if needs_ssh(incident) else None)[0]
        else:
            score = run_incident(incident, root)[0]
        scores.append(score)
        if not quiet:
            _print_score(score)
    return scores


def _print_totals(title: str, result: dict[str, Any]) -> None:
    print(f"-- {title}: incidents {result['incidents']}, planted drifts {result['planted']}, negative controls "
          f"{result['negative_controls']} ({len(result['failed_controls'])} failed), collectors failed "
          f"{len(result['incomplete'])}")
    print(f"   precision {result['precision']:.3f}  recall {result['recall']:.3f}  "
          f"(tp {result['true_positives']}, fn {result['false_negatives']}, fp {result['false_positives']})")
    for name, c in result["per_class"].items():
        print(f"     {name:28} precision {c['precision']:.3f}  recall {c['recall']:.3f}  (tp {c['tp']}, fn {c['fn']}, fp {c['fp']})")


def _totals(scores: list[Score], incidents: list[dict]) -> dict[str, Any]:
    """`totals` plus the collectors that failed: an incomplete incident was not fully measured."""
    return {**totals(scores, incidents), "incomplete": [f"{s.name}: {c}" for s in scores for c in s.incomplete]}


def _passes(result: dict[str, Any]) -> bool:
    return (result["precision"] >= 0.95 and result["recall"] >= 0.95 and not result["failed_controls"]
            and not result["incomplete"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the JSON result only")
    parser.add_argument("--set", choices=("corpus", *BATCHES), action="append", help="only this set (repeatable)")
    parser.add_argument("--incident", action="append", help="only incidents whose name contains this (repeatable)")
    args = parser.parse_args()
    sets = {"corpus": load_corpus(), **{name: load_untuned(path) for name, path in BATCHES.items()}}
    if args.incident:
        sets = {k: [i for i in v if any(s in i["name"] for s in args.incident)] for k, v in sets.items()}
    chosen = args.set or list(sets)
    started = time.monotonic()
    scores: dict[str, list[Score]] = {}
    with tempfile.TemporaryDirectory(prefix="driftctl-incidents-") as tmp:
        _isolate(Path(tmp))
        sshd = _Sshd(Path(tmp))
        try:
            for name in chosen:
                scores[name] = _run_set(name, sets[name], Path(tmp), sshd, args.json)
        finally:
            sshd.stop()
    result: dict[str, Any] = {name: _totals(scores[name], sets[name]) for name in chosen}
    if len(chosen) > 1:
        result["together"] = _totals([s for n in chosen for s in scores[n]], [i for n in chosen for i in sets[n]])
    result["seconds"] = round(time.monotonic() - started, 1)
    out = ROOT / "benchmarks" / "results" / "detection_quality.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print()
        for name in [*chosen, *(["together"] if len(chosen) > 1 else [])]:
            _print_totals(name, result[name])
        print(f"wrote {out.relative_to(ROOT)} in {result['seconds']}s")
    return 0 if all(_passes(result[n]) for n in chosen) else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Detection quality over the incident corpus: precision and recall, overall and per class.

Run from the repository root:

    python benchmarks/detection_quality.py [--json]

Builds every incident of tests/incidents/corpus.yaml on real git (a bare hub and clones as the
environments), runs driftctl's collectors and differ on it, and compares the findings with what was
planted. A true positive is a planted drift found with its status (and severity where the corpus
names one); a false positive is any finding no planted drift names; a negative control fails when a
row it names is a finding. Results go to stdout and benchmarks/results/detection_quality.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.incidents.build import load_corpus, run_incident, totals  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the JSON result only")
    args = parser.parse_args()
    corpus = load_corpus()
    scores = []
    started = time.monotonic()
    for incident in corpus:
        with tempfile.TemporaryDirectory(prefix="driftctl-incident-") as tmp:
            score, _ = run_incident(incident, Path(tmp))
        scores.append(score)
        if not args.json:
            state = "ok" if not (score.missed or score.noise or score.failed_controls) else "FAIL"
            print(f"{state:4} {incident['name']:36} planted {len(score.hits) + len(score.missed):2}  "
                  f"found {len(score.hits):2}  missed {len(score.missed)}  false positives {len(score.noise)}  "
                  f"controls failed {len(score.failed_controls)}")
            for p in score.missed:
                print(f"       missed {p['component']} ({p.get('status')})")
            for r in score.noise:
                print(f"       false positive {r['component']} {r['status']} {r['severity']}")
            for c in score.failed_controls:
                print(f"       negative control failed: {c}")
    result = {**totals(scores, corpus), "seconds": round(time.monotonic() - started, 1)}
    out = ROOT / "benchmarks" / "results" / "detection_quality.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print()
    print(f"incidents {result['incidents']}, planted drifts {result['planted']}, negative controls "
          f"{result['negative_controls']} ({len(result['failed_controls'])} failed)")
    print(f"precision {result['precision']:.3f}  recall {result['recall']:.3f}  "
          f"(tp {result['true_positives']}, fn {result['false_negatives']}, fp {result['false_positives']})")
    print("per class:")
    for name, c in result["per_class"].items():
        print(f"  {name:28} precision {c['precision']:.3f}  recall {c['recall']:.3f}  (tp {c['tp']}, fn {c['fn']}, fp {c['fp']})")
    print(f"wrote {out.relative_to(ROOT)} in {result['seconds']}s")
    return 0 if result["precision"] >= 0.95 and result["recall"] >= 0.95 and not result["failed_controls"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

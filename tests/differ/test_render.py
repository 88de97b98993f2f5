"""Renderers show every row of the matrix: markdown like the seed's table, the rich table, JSON as is."""

from __future__ import annotations

import json

import pytest

from driftctl.checks import FORMATS, render_document
from driftctl.differ import build_matrix
from driftctl.render import json as json_render
from driftctl.render import markdown, table
from tests.differ.test_cases import CASES, load_case


def documents() -> list[tuple[str, dict]]:
    out = []
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir()):
        snapshots, rules, _ = load_case(folder)
        out.append((folder.name, build_matrix(snapshots, rules).to_json(show_in_sync=True)))
    return out


DOCS = documents()


@pytest.mark.parametrize("name,doc", DOCS, ids=[n for n, _ in DOCS])
def test_markdown_has_every_row_like_the_seed(name, doc) -> None:
    text = markdown.render(doc)
    assert "| Component | " + " | ".join(doc["environments"]) + " | Status |" in text
    for row in doc["rows"]:
        line = next((ln for ln in text.splitlines() if ln.startswith(f"| **{row['title'].replace('|', chr(92) + '|')}** |")), None)
        assert line is not None, row["title"]
        assert row["status"] in line
        for env in doc["environments"]:
            value = row["values"][env]
            assert value.replace("|", "\\|").replace("`", "'") in line, (row["component"], env, value)
    assert "**Summary:**" in text


def test_markdown_matches_the_seed_rows() -> None:
    doc = dict(DOCS)["seed_matrix"]
    text = markdown.render(doc)
    assert "| **Bot Mode** | `webhook` | `polling` | 🔴 INCONSISTENT |" in text
    assert "| **Service Discovery** | `http://crypto-market-data:8001` | `http://market-data:8001` | 🔴 MISMATCH |" in text
    assert "| **BINANCE_API_KEY (.env)** | `fingerprint 11111111..` | `fingerprint 22222222..` | 🟡 EXPECTED |" in text
    assert "| **Memory Usage** | `20% (181MB/904MB)` | `72% (651MB/904MB)` | 🟡 CONSTRAINED |" in text


@pytest.mark.parametrize("name,doc", DOCS, ids=[n for n, _ in DOCS])
def test_table_has_every_row(name, doc) -> None:
    text = table.render(doc)
    for row in doc["rows"]:
        assert row["component"][:20] in text, row["component"]
    assert "critical," in text.splitlines()[-1] or "not collected" in text


def test_table_never_interprets_markup() -> None:
    doc = dict(DOCS)["noise_free"]
    doc = {**doc, "rows": [{**doc["rows"][0], "values": {e: "[red]x[/red]" for e in doc["environments"]}}]}
    assert "[red]x[/red]" in table.render(doc)


def test_json_is_the_document() -> None:
    for _, doc in DOCS:
        assert json.loads(json_render.render(doc)) == doc


def test_filters_shape_rows_not_summary() -> None:
    snapshots, rules, _ = load_case(CASES / "files_and_worktree")
    matrix = build_matrix(snapshots, rules)
    full = matrix.to_json()
    assert all(r["status"] != "IN_SYNC" for r in full["rows"])
    assert {r["severity"] for r in matrix.to_json(only="critical")["rows"]} == {"critical"}
    assert {r["status"] for r in matrix.to_json(only="drift")["rows"]} == {"DRIFT"}
    assert {r["severity"] for r in matrix.to_json(only="moderate")["rows"]} == {"critical", "moderate"}
    assert matrix.to_json(only="critical")["summary"] == full["summary"]
    assert len(matrix.to_json(show_in_sync=True)["rows"]) == len(matrix.rows)


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f not in ("table", "json", "markdown")])
def test_other_formats_render_every_row(fmt, monkeypatch, tmp_path) -> None:
    """html, sarif, junit and github must name every finding too."""
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    doc = dict(DOCS)["files_and_worktree"]
    text = render_document(doc, fmt)
    for row in doc["rows"]:
        if row["status"] != "IN_SYNC":
            assert row["component"] in text or row["title"] in text, (fmt, row["component"])


def test_sizes_and_ports_read_like_compose_files() -> None:
    from driftctl.differ.compose import readable

    assert readable("mem_limit", 201326592) == "192MiB"
    assert readable("mem_limit", "1073741824") == "1GiB"
    assert readable("mem_limit", 1000) == "1000B"
    ports = [{"host_ip": "127.0.0.1", "mode": "ingress", "protocol": "tcp", "published": "8001", "target": 8001},
             {"mode": "ingress", "protocol": "udp", "target": 53}]
    assert readable("ports", ports) == "127.0.0.1:8001->8001/tcp, 53/udp"
    assert readable("image", "bot:1") == "bot:1"

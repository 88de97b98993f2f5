"""GitHub Actions output: one annotation per finding, escaped, plus the job summary."""

from __future__ import annotations

import sys

from driftctl.render import github


def test_one_annotation_per_row_most_severe_first(seed_matrix: dict) -> None:
    lines = github.render(seed_matrix).splitlines()
    not_in_sync = [r for r in seed_matrix["rows"] if r["status"] != "IN_SYNC"]
    assert len(lines) == len(not_in_sync) + len(seed_matrix["incomplete"])
    levels = [line.split(" ", 1)[0] for line in lines[: len(not_in_sync)]]
    assert levels == ["::error"] * 6 + ["::warning"] * 2 + ["::notice"]
    assert lines[-1].startswith("::warning title=driftctl%3A containers not collected in aws::")


def test_annotation_names_file_line_title_and_values(seed_matrix: dict) -> None:
    lines = github.render(seed_matrix).splitlines()
    broken = next(line for line in lines if "code_health.market-data" in line)
    assert broken.startswith(
        "::error file=services/market-data/unified_oi_aggregator.py,line=18,title=OI Code Health (code_health.market-data)%3A BROKEN::"
    )
    assert "local: 2 missing imports; aws: ok; github: 2 missing imports (severity critical)%0A" in broken
    branch = next(line for line in lines if "(git.branch)" in line)
    assert branch.startswith("::error title=Current Branch (git.branch)%3A DIVERGED::local: main; aws: aws-deployment")


def test_values_cannot_start_workflow_commands(hostile_matrix: dict) -> None:
    out = github.render(hostile_matrix)
    assert out.count("\n") == 2  # one annotation and one collector warning, each a single line
    assert all(line.startswith(("::notice ", "::warning ")) for line in out.splitlines())
    assert "%0D%0A::error::injected %2541" in out


def test_summary_is_appended(seed_matrix: dict, tmp_path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    github.render(seed_matrix, summary_path=str(summary))
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n")
    for row in seed_matrix["rows"]:
        if row["status"] != "IN_SYNC":
            assert row["title"] in text


def test_fallback_table_when_markdown_renderer_is_missing(seed_matrix: dict, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "driftctl.render.markdown", None)  # makes the import fail
    summary = tmp_path / "summary.md"
    github.render(seed_matrix, summary_path=str(summary))
    text = summary.read_text(encoding="utf-8")
    assert "| Component | local | aws | github | Status |" in text
    for row in seed_matrix["rows"]:
        assert row["title"] in text
    assert "| Provider Files | (absent) | sha256 3f2a9c1e, 3.5 KB, untracked | (absent) | DIVERGED (critical) |" in text


def test_fallback_table_escapes_markup(hostile_matrix: dict) -> None:
    table = github.fallback_markdown(hostile_matrix)
    assert "<script>" not in table and "a&#124;b" in table

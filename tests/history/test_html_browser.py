"""The HTML report in a real headless Chromium: the timeline chart, highlighted differences, working
filters and column sorting. A screenshot is kept as a test artifact (reports/test-artifacts/).

Chromium comes from Debian's package (.ci/run installs it) and is driven by Playwright's Python
client with that executable: nothing is downloaded at test time, and no page loads anything remote.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import driftctl
from tests.history.conftest import Project, make_project

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("DRIFTCTL_TEST_ARTIFACTS", Path(__file__).parents[2] / "reports" / "test-artifacts"))
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def report(tmp_path_factory, driftctl_home) -> Path:
    """A diff report of two environments with history: drift appears, grows, part of it is fixed.
    Made once for the module: both tests only read it."""
    with driftctl_home():
        return _report(make_project(tmp_path_factory.mktemp("history-report")))


def _report(project: Project) -> Path:
    project.snapshot()
    project.set_env("prod", log_level="debug", token="prod-only")
    project.snapshot()
    project.set_env("dev", log_level="warning", token="dev-only")
    project.snapshot()
    out = project.root / "report.html"
    run = driftctl("diff", "dev", "prod", "--show-in-sync", "--format", "html", "--output", str(out), cwd=project.root)
    assert run.code == 1, run.err
    return out


def test_report_in_a_headless_browser(report: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
            page.goto(report.as_uri())

            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "html-report.png"), full_page=True)
            assert (ARTIFACTS / "html-report.png").stat().st_size > 10_000

            assert page.locator("svg.timeline polyline").count() == 3
            assert page.locator("svg.timeline circle").count() >= 3
            assert page.locator("td.value.differs").count() >= 2
            assert "open since" in page.locator("table.matrix").inner_text()
            assert page.locator("time.generated").count() == 1 and page.locator("p.snapshots").count() == 1

            rows = page.locator("table.matrix tbody tr[data-status]")
            total = rows.count()
            order = [r.get_attribute("data-severity") for r in rows.all()]
            assert order == sorted(order, key=["critical", "moderate", "low", "none"].index)  # worst first
            assert total >= 2
            page.select_option("select[name=severity]", "moderate")
            visible = [r for r in rows.all() if r.is_visible()]
            assert visible and all(r.get_attribute("data-severity") == "moderate" for r in visible)
            page.select_option("select[name=severity]", "")
            assert sum(r.is_visible() for r in rows.all()) == total

            page.select_option("select[name=environment]", "dev")
            assert all("dev" in (r.get_attribute("data-envs") or "").split() for r in rows.all() if r.is_visible())
            page.select_option("select[name=environment]", "")

            first = rows.first.get_attribute("data-severity")
            page.click("th[data-sort=status]")
            page.click("th[data-sort=status]")  # descending: the least severe rows first
            assert rows.first.get_attribute("data-severity") != first or total == 1

        finally:
            browser.close()


def test_report_reads_without_javascript(report: Path) -> None:
    """Filters need the script; the content does not: rows, highlights and the chart are plain HTML."""
    text = report.read_text()
    assert '<div class="filters">' in text and ".has-js .filters{display:flex}" in text
    assert text.index("sev-moderate") < text.index("st-IN_SYNC") if "st-IN_SYNC" in text else True
    assert "@media (prefers-color-scheme: dark)" in text

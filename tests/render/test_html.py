"""The HTML report: one self-contained page, colour-coded, where no value can become markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from driftctl.render import html

VOID = {"meta", "br", "hr", "img", "input", "link"}


class _Checker(HTMLParser):
    """Records tags and checks that every element that opens also closes, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == []
    return checker


def test_page_is_well_formed_and_self_contained(seed_matrix: dict) -> None:
    page = html.render(seed_matrix)
    tags = parse(page).tags
    names = {t for t, _ in tags}
    assert "link" not in names and "img" not in names
    assert not any("src" in attrs or "href" in attrs for _, attrs in tags)  # inline script only, no assets
    assert "<style>" in page and page.startswith("<!DOCTYPE html>")


def test_rows_are_colour_coded_by_status_and_severity(seed_matrix: dict) -> None:
    page = html.render(seed_matrix)
    classes = [attrs.get("class", "") for tag, attrs in parse(page).tags if tag == "tr"]
    assert "sev-critical st-DIVERGED" in classes
    assert "sev-moderate st-CONSTRAINED" in classes
    assert "sev-none st-EXPECTED" in classes and "sev-none st-IN_SYNC" in classes
    for icon in ("🔴", "🟡", "🟢", "⚪"):
        assert icon in page


def test_summary_incomplete_details_and_sources_are_shown(seed_matrix: dict) -> None:
    checker = parse(html.render(seed_matrix))
    text = "".join(checker.text)
    assert "critical: 6" in text and "in sync: 1" in text
    assert "cannot connect to the Docker daemon" in text
    assert "code_health: services/market-data/unified_oi_aggregator.py:18" in text
    assert "only aws has the 'working' provider; it was never committed" in text
    rows_with_more = [r for r in seed_matrix["rows"] if r["details"] or r["sources"]]
    assert sum(1 for tag, _ in checker.tags if tag == "details") == len(rows_with_more)


def test_absent_values_are_marked(seed_matrix: dict) -> None:
    page = html.render(seed_matrix)
    assert len(re.findall(r'<td class="value absent( differs)?">absent</td>', page)) == sum(
        1 for r in seed_matrix["rows"] for e in seed_matrix["environments"] if r["values"].get(e) is None
    )


def test_hostile_values_are_shown_not_run(hostile_matrix: dict) -> None:
    page = html.render(hostile_matrix)
    checker = parse(page)
    assert {t for t, _ in checker.tags} <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "div", "span",
                                             "table", "thead", "tbody", "tr", "th", "td", "strong", "br", "code", "small",
                                             "details", "summary", "ul", "li", "footer", "script", "select",
                                             "label", "option", "time"}
    # The only script is the report's own (filters, sorting); hostile values stay text.
    assert page.count("<script>") == 1 and f"<script>{html.SCRIPT}</script>" in page and "<b>aws</b>" not in page
    assert '<script>alert("x")</script>' in "".join(checker.text)
    assert all(re.fullmatch(r"[\w -]*", attrs.get("class", "")) for _, attrs in checker.tags)

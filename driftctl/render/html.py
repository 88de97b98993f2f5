"""The drift matrix as ONE self-contained HTML file: inline CSS and script, no external assets.

Why self-contained: the report is mailed, attached to CI runs and opened from `reports/` offline, so
it must not depend on a network or a build step. Every value comes from environments that may hold
anything (a config value can be `<script>`), so every piece of text goes through `html.escape`; the
only markup is the one this module writes.

The page reads fully without JavaScript (rows ordered by severity, differing cells highlighted, a
timeline chart in inline SVG); the small inline script only adds filters and column sorting. Colours
are CSS variables, switched by `prefers-color-scheme` for dark mode.

Input: the `driftctl.diff/v1` matrix as a plain dict (see `driftctl.render.sarif` for the contract),
optionally with `collected_at` (per environment) and `history` (`points`, `open_since`) added by the
CLI from saved snapshots.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from driftctl.matrix import TONES, marker

SUMMARY_ORDER = ("critical", "moderate", "low", "expected", "in_sync", "unknown")

# Each tone of the style table (driftctl.matrix.TONES) colours its summary chip and the status cells
# of its rows; status rules come after severity rules, so an EXPECTED or UNKNOWN row takes its status's.
TONE_ROWS = {"critical": "tr.sev-critical", "moderate": "tr.sev-moderate", "low": "tr.sev-low",
             "in_sync": "tr.st-IN_SYNC", "expected": "tr.st-EXPECTED", "unknown": "tr.st-UNKNOWN"}
TONE_CSS = "".join(
    f".chip-{name}{{background:{TONES[name].background};border-color:{TONES[name].border};color:{TONES[name].text}}}\n"
    for name in SUMMARY_ORDER
) + "".join(f"{rows} td.status{{background:{TONES[name].background};color:{TONES[name].text}}}\n"
            for name, rows in TONE_ROWS.items())

CSS = """
:root{--fg:#1f2328;--bg:#fff;--muted:#57606a;--panel:#f6f8fa;--border:#d0d7de;--link:#0969da;--hl:#fff1b8}
@media (prefers-color-scheme: dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#8d96a0;--panel:#161b22;--border:#30363d;
--link:#4493f8;--hl:#4d3b00}}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:var(--fg);background:var(--bg)}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:var(--muted);margin:0 0 16px}
.chips{display:flex;gap:8px;flex-wrap:wrap;margin:8px 0 16px}
.chip{border-radius:14px;padding:4px 12px;font-weight:600;border:1px solid transparent}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid var(--border);padding:6px 8px;text-align:left;vertical-align:top}
th{background:var(--panel)}
th[data-sort]{cursor:pointer}
td.value{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px;white-space:pre-wrap;word-break:break-word}
td.value.differs{background:var(--hl);outline:1px solid #d4a72c}
td.absent{color:var(--muted);font-style:italic}
.component code{color:var(--muted);font-size:12px}
.status{white-space:nowrap;font-weight:600}
""" + TONE_CSS + """tr.ignored td{opacity:.6}
tr.more td{border-top:0;background:var(--panel)}
details summary{cursor:pointer;color:var(--link)}
details ul{margin:6px 0}
.filters{display:none;gap:12px;flex-wrap:wrap;margin:8px 0}
.filters label{color:var(--muted)}
.has-js .filters{display:flex}
.incomplete{background:#fff8c5;color:#1f2328;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px}
footer{margin-top:24px;color:var(--muted);font-size:12px}
"""


SEVERITY_ORDER = {"critical": 0, "moderate": 1, "low": 2, "none": 3}

# Filters and sorting; the page is complete without it. Data attributes only, never innerHTML.
SCRIPT = """
document.documentElement.classList.add('has-js');
function dcApply(){
  var f={};document.querySelectorAll('.filters select').forEach(function(s){f[s.name]=s.value;});
  document.querySelectorAll('tbody tr[data-status]').forEach(function(r){
    var ok=(!f.status||r.dataset.status===f.status)&&(!f.severity||r.dataset.severity===f.severity)&&
      (!f.environment||(' '+r.dataset.envs+' ').indexOf(' '+f.environment+' ')>=0);
    r.hidden=!ok;var m=r.nextElementSibling;if(m&&m.classList.contains('more')){m.hidden=!ok;}
  });
}
document.querySelectorAll('.filters select').forEach(function(s){s.addEventListener('change',dcApply);});
document.querySelectorAll('th[data-sort]').forEach(function(th){th.addEventListener('click',function(){
  var table=th.closest('table'),body=table.tBodies[0],i=Array.prototype.indexOf.call(th.parentNode.children,th);
  var asc=th.dataset.dir!=='asc';th.dataset.dir=asc?'asc':'desc';
  var groups=[];Array.prototype.forEach.call(body.rows,function(r){
    if(r.classList.contains('more')){groups[groups.length-1].push(r);}else{groups.push([r]);}});
  groups.sort(function(a,b){var x=a[0].cells[i],y=b[0].cells[i];
    x=x?(x.dataset.key||x.textContent):'';y=y?(y.dataset.key||y.textContent):'';
    return (x<y?-1:x>y?1:0)*(asc?1:-1);});
  groups.forEach(function(g){g.forEach(function(r){body.appendChild(r);});});
});});
"""


def page(title: str, body: str, *, scripted: bool = False, generated_at: str | None = None) -> str:
    """The shell every HTML report shares: escaped title, inline CSS (and script), generated-at time."""
    from datetime import datetime, timezone

    from driftctl.render.timeline import TIMELINE_CSS

    when = generated_at or datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}{TIMELINE_CSS}</style>",
        "</head>",
        "<body>",
        body,
        f'<footer>Generated by driftctl at <time class="generated">{escape(when)}</time>. '
        "Values of secrets are shown as fingerprints only.</footer>",
        f"<script>{SCRIPT}</script>" if scripted else "",
        "</body>",
        "</html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def render(matrix: dict) -> str:
    """The whole report page for a `driftctl.diff/v1` matrix."""
    from driftctl.render.timeline import timeline_svg

    envs = [str(e) for e in matrix.get("environments") or []]
    rows = sorted(matrix.get("rows") or [], key=lambda r: SEVERITY_ORDER.get(str(r.get("severity")), 4))
    history = matrix.get("history") or {}
    times = matrix.get("collected_at") or {}
    collected = " · ".join(f"{escape(e)} collected {escape(str(times[e]))}" for e in envs if times.get(e))
    body = "\n".join(p for p in [
        "<h1>driftctl drift report</h1>",
        f'<p class="meta">Environments: {escape(", ".join(envs)) or "(none)"} · {len(rows)} components · '
        f"schema {escape(str(matrix.get('schema', 'driftctl.diff/v1')))}</p>",
        f'<p class="meta snapshots">{collected}</p>' if collected else "",
        summary_html(matrix.get("summary") or {}),
        incomplete_html(matrix.get("incomplete") or []),
        f"<h2>Findings over time</h2>\n{timeline_svg(history.get('points') or [])}" if "history" in matrix else "",
        filters_html(envs, rows),
        matrix_html(envs, rows, history.get("open_since") or {}),
    ] if p)
    return page(f"driftctl: drift across {', '.join(envs)}", body, scripted=True)


def filters_html(envs: list[str], rows: list[dict]) -> str:
    """Select boxes for status, severity and environment (shown only when the script runs)."""
    def select(name: str, options: list[str]) -> str:
        opts = "".join(f'<option value="{escape(o)}">{escape(o)}</option>' for o in options)
        return f'<label>{name} <select name="{name}"><option value="">all</option>{opts}</select></label>'

    statuses = sorted({str(r.get("status")) for r in rows})
    severities = [s for s in SEVERITY_ORDER if any(str(r.get("severity")) == s for r in rows)]
    return f'<div class="filters">{select("status", statuses)}{select("severity", severities)}{select("environment", envs)}</div>'


def summary_html(summary: dict) -> str:
    """Count chips in a fixed order, so two reports read the same way."""
    keys = [k for k in SUMMARY_ORDER if k in summary] + [k for k in summary if k not in SUMMARY_ORDER]
    chips = [
        f'<span class="chip chip-{css_token(k)}">{escape(k.replace("_", " "))}: {escape(str(summary[k]))}</span>'
        for k in keys
    ]
    return f'<h2>Summary</h2>\n<div class="chips">{"".join(chips)}</div>' if chips else ""


def incomplete_html(incomplete: list[dict]) -> str:
    """Collectors that failed: without them some rows are UNKNOWN, and the reader must know why."""
    if not incomplete:
        return ""
    items = "".join(
        f"<li><strong>{escape(str(i.get('environment', '?')))}</strong> / {escape(str(i.get('collector', '?')))}: "
        f"{escape(str(i.get('error', '')))}</li>"
        for i in incomplete
    )
    return f'<h2>Incomplete collectors</h2>\n<div class="incomplete"><ul>{items}</ul></div>'


def matrix_html(envs: list[str], rows: list[dict], open_since: dict[str, str] | None = None) -> str:
    head = "".join(f'<th data-sort="env">{escape(e)}</th>' for e in envs)
    since = open_since or {}
    body = "\n".join(row_html(envs, row, since.get(str(row.get("component")))) for row in rows)
    return (
        '<h2>Matrix</h2>\n<table class="matrix">\n'
        f'<thead><tr><th data-sort="component">Component</th>{head}<th data-sort="status">Status</th></tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table>"
    )


def row_html(envs: list[str], row: dict, open_since: str | None = None) -> str:
    """One matrix row, plus a full-width row with its details and sources when it has any."""
    status = str(row.get("status", "UNKNOWN"))
    severity = str(row.get("severity", "none"))
    values = row.get("values") or {}
    odd = differing(envs, values) if status not in ("IN_SYNC", "UNKNOWN") else set()
    cells = "".join(value_cell(values.get(e), e in odd) for e in envs)
    title = escape(str(row.get("title") or row.get("component", "")))
    component = escape(str(row.get("component", "")))
    ignored = " ignored" if row.get("ignored") else ""
    main = (
        f'<tr class="sev-{css_token(severity)} st-{css_token(status)}{ignored}" data-status="{escape(status)}" '
        f'data-severity="{escape(severity)}" data-envs="{escape(" ".join(odd or envs))}">'
        f'<td class="component"><strong>{title}</strong><br><code>{component}</code></td>{cells}'
        f'<td class="status" data-key="{SEVERITY_ORDER.get(severity, 4)}{escape(status)}">'
        f'{marker({**row, "status": status, "severity": severity})} {escape(status)}'
        f'<br><small>{escape(severity)}{" · ignored" if ignored else ""}</small>'
        + (f'<br><small class="open-since">open since {escape(open_since)}</small>' if open_since else "")
        + "</td></tr>"
    )
    more = details_html(row)
    return main if not more else f'{main}\n<tr class="more"><td colspan="{len(envs) + 2}">{more}</td></tr>'


def differing(envs: list[str], values: dict) -> set[str]:
    """The environments whose value is not the most common one (all of them when every value differs)."""
    shown = {e: format_value(values[e]) if e in values else None for e in envs}
    counts: dict[str | None, int] = {}
    for v in shown.values():
        counts[v] = counts.get(v, 0) + 1
    if len(counts) < 2:
        return set()
    top = max(counts.values())
    common = [v for v, n in counts.items() if n == top]
    return set(envs) if len(common) > 1 else {e for e, v in shown.items() if v != common[0]}


def value_cell(value: Any, differs: bool = False) -> str:
    mark = " differs" if differs else ""
    if value is None:
        return f'<td class="value absent{mark}">absent</td>'
    return f'<td class="value{mark}">{escape(format_value(value))}</td>'


def details_html(row: dict) -> str:
    details = [str(d) for d in row.get("details") or []]
    sources = row.get("sources") or {}
    if not details and not sources:
        return ""
    items = "".join(f"<li>{escape(d)}</li>" for d in details)
    src = "".join(f"<li><strong>{escape(str(env))}</strong>: <code>{escape(str(s))}</code></li>" for env, s in sources.items())
    return (
        "<details><summary>Details and sources</summary>"
        + (f"<ul>{items}</ul>" if items else "")
        + (f"<p>Sources:</p><ul>{src}</ul>" if src else "")
        + "</details>"
    )


def format_value(value: Any) -> str:
    """Strings as they are; anything else as compact JSON so lists and mappings stay readable."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def css_token(text: str) -> str:
    """A value safe inside a class attribute (statuses come from data, however unlikely a bad one is)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)

"""The findings-per-severity timeline as inline SVG: no script, no external asset, readable in any
browser and in dark mode (colours come from CSS variables the page defines)."""

from __future__ import annotations

from html import escape

SEVERITIES = ("critical", "moderate", "low")
WIDTH, HEIGHT, PAD = 720, 180, 32


def timeline_svg(points: list[dict]) -> str:
    """`points`: [{"time": iso, "critical": n, "moderate": n, "low": n}, ...] oldest first."""
    if not points:
        return '<p class="meta">No saved history yet: run `driftctl snapshot` over time to see a timeline.</p>'
    top = max(1, max(sum(int(p.get(s, 0)) for s in SEVERITIES) for p in points))
    span = max(1, len(points) - 1)

    def x(i: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * (i / span if len(points) > 1 else 0.5)

    def y(v: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * v / top

    parts = [f'<svg class="timeline" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
             f'aria-label="Findings per severity over {len(points)} saved moments">',
             f'<line class="axis" x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}"/>',
             f'<text class="label" x="4" y="{PAD}">{top}</text><text class="label" x="4" y="{HEIGHT - PAD}">0</text>']
    for sev in reversed(SEVERITIES):  # stacked, critical at the bottom; drawn last so it stays on top
        below = SEVERITIES[: SEVERITIES.index(sev)]
        pts = " ".join(f"{x(i):.1f},{y(sum(int(p.get(s, 0)) for s in (*below, sev))):.1f}" for i, p in enumerate(points))
        parts.append(f'<polyline class="line-{sev}" points="{pts}"><title>{sev}</title></polyline>')
    for i, p in enumerate(points):
        total = sum(int(p.get(s, 0)) for s in SEVERITIES)
        tip = escape(f"{p.get('time', '')}: " + ", ".join(f"{p.get(s, 0)} {s}" for s in SEVERITIES))
        parts.append(f'<circle class="dot" cx="{x(i):.1f}" cy="{y(total):.1f}" r="3"><title>{tip}</title></circle>')
    first, last = escape(str(points[0].get("time", ""))), escape(str(points[-1].get("time", "")))
    parts.append(f'<text class="label" x="{PAD}" y="{HEIGHT - 8}">{first}</text>')
    parts.append(f'<text class="label" x="{WIDTH - PAD}" y="{HEIGHT - 8}" text-anchor="end">{last}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


TIMELINE_CSS = """
svg.timeline{max-width:760px;background:var(--panel);border:1px solid var(--border);border-radius:6px}
svg.timeline .axis{stroke:var(--muted);stroke-width:1}
svg.timeline .label{fill:var(--muted);font-size:11px}
svg.timeline polyline{fill:none;stroke-width:2}
svg.timeline .line-critical{stroke:#cf222e}svg.timeline .line-moderate{stroke:#bf8700}svg.timeline .line-low{stroke:#0969da}
svg.timeline .dot{fill:var(--fg)}
"""

"""Small server-rendered SVG charts: no JavaScript, no vendored library, readable without CSS."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

PAD_LEFT, PAD_BOTTOM, PAD_TOP = 44, 24, 10


def _label(value: float, percent: bool) -> str:
    return f"{value * 100:.0f}%" if percent else f"{value:,.0f}"


def bar_chart(points: list[tuple[str, float | None]], *, title: str, percent: bool = False,
              width: int = 680, height: int = 190, color: str = "#3b5bdb") -> Markup:
    """Draw one bar per point (None draws no bar) with a y axis and every few x labels."""
    values = [v for _, v in points if v is not None]
    top = 1.0 if percent else (max(values, default=0) or 1.0)
    plot_w, plot_h = width - PAD_LEFT - 8, height - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(len(points), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
             f'role="img" aria-label="{escape(title)}" class="chart">', f"<title>{escape(title)}</title>"]
    for fraction in (0, 0.5, 1):
        y = PAD_TOP + plot_h * (1 - fraction)
        parts.append(f'<line x1="{PAD_LEFT}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e6e9f0"/>'
                     f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#5b6475">{_label(top * fraction, percent)}</text>')
    every = max(len(points) // 8, 1)
    for index, (label, value) in enumerate(points):
        x = PAD_LEFT + index * step
        if value is not None:
            bar_h = plot_h * (value / top if top else 0)
            parts.append(f'<rect x="{x + step * 0.15:.1f}" y="{PAD_TOP + plot_h - bar_h:.1f}" '
                         f'width="{step * 0.7:.1f}" height="{bar_h:.1f}" fill="{color}" rx="2">'
                         f"<title>{escape(label)}: {_label(value, percent)}</title></rect>")
        if index % every == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="11" '
                         f'fill="#5b6475">{escape(label[5:] if len(label) == 10 else label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))

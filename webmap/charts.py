"""Charts drawn as inline SVG (they print and project as they are, no script needed)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from .escaping import html_text


def trend_svg(trend: Sequence[dict],
              series: tuple[tuple[str, str], ...] = (("found", "#d62728"), ("closed", "#2ca02c")),
              width: int = 640, height: int = 220) -> Markup:
    """Numbers per period as lines, one per (key, colour) of ``series``.

    ``trend`` rows hold the keys and ``end`` (a date).
    """
    top = max([1] + [p[k] for p in trend for k, _ in series])
    n = max(len(trend) - 1, 1)
    pad = 34

    def pts(key: str) -> str:
        return " ".join(f"{pad + i * (width - 2 * pad) / n:.0f},{height - pad - p[key] * (height - 2 * pad) / top:.0f}"
                        for i, p in enumerate(trend))

    long = len(trend) > 1 and (trend[-1]["end"] - trend[0]["end"]).days > 300  # the same month-day twice: say the year
    day_format = "%Y-%m-%d" if long else "%m-%d"
    labels = "".join(f'<text x="{pad + i * (width - 2 * pad) / n:.0f}" y="{height - 10}" font-size="11" '
                     'text-anchor="middle">'
                     f'{html_text(p["end"].strftime(day_format))}</text>' for i, p in enumerate(trend))
    grid = "".join(f'<line x1="{pad}" y1="{y:.0f}" x2="{width - pad}" y2="{y:.0f}" stroke="#ddd"/>'
                   f'<text x="{pad - 4}" y="{y + 4:.0f}" font-size="11" text-anchor="end">{v}</text>'
                   for v in sorted({0, top // 2, top}) for y in [height - pad - v * (height - 2 * pad) / top])
    return Markup(f'<svg viewBox="0 0 {width} {height}" class="trend" role="img"><rect width="{width}" '
                  f'height="{height}" fill="#fff"/>'
                  f'{grid}<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#999"/>'
                  + "".join(f'<polyline points="{pts(key)}" fill="none" stroke="{colour}" stroke-width="3"/>'
                            for key, colour in series)
                  + f"{labels}</svg>")

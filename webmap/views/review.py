"""Meeting pages: the periodic review (with projector mode and PDF export), hotspots and coverage gaps."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from gis.gaps import grid_gaps, venue_gaps
from gis.hotspots import hazard_points, hazards_in_period, hotspot_table
from ledger.review import PERIODS, period_bounds, review
from planner.plan import unreachable_venues

from ..analysis_maps import gap_map, hotspot_map
from ..export import page_png, png_available
from ..sheets import pdf_available, sheets_pdf
from . import ANYONE, requires
from ..context import current_lang, nonced, today
from ..data_problems import add_problem_banner

bp = Blueprint("review", __name__)


def trend_svg(trend: list[dict], series: tuple[tuple[str, str], ...] = (("found", "#d62728"), ("closed", "#2ca02c")),
              width: int = 640, height: int = 220) -> str:
    """Numbers per period as lines, one per (key, colour) of ``series`` (inline SVG: prints and projects as is)."""
    top = max([1] + [p[k] for p in trend for k, _ in series])
    n = max(len(trend) - 1, 1)
    pad = 34

    def pts(key: str) -> str:
        return " ".join(f"{pad + i * (width - 2 * pad) / n:.0f},{height - pad - p[key] * (height - 2 * pad) / top:.0f}"
                        for i, p in enumerate(trend))

    long = len(trend) > 1 and (trend[-1]["end"] - trend[0]["end"]).days > 300  # the same month-day twice: say the year
    day_format = "%Y-%m-%d" if long else "%m-%d"
    labels = "".join(f'<text x="{pad + i * (width - 2 * pad) / n:.0f}" y="{height - 10}" font-size="11" text-anchor="middle">'
                     f'{p["end"].strftime(day_format)}</text>' for i, p in enumerate(trend))
    grid = "".join(f'<line x1="{pad}" y1="{y:.0f}" x2="{width - pad}" y2="{y:.0f}" stroke="#ddd"/>'
                   f'<text x="{pad - 4}" y="{y + 4:.0f}" font-size="11" text-anchor="end">{v}</text>'
                   for v in sorted({0, top // 2, top}) for y in [height - pad - v * (height - 2 * pad) / top])
    return (f'<svg viewBox="0 0 {width} {height}" class="trend" role="img"><rect width="{width}" height="{height}" fill="#fff"/>'
            f'{grid}<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#999"/>'
            + "".join(f'<polyline points="{pts(key)}" fill="none" stroke="{colour}" stroke-width="3"/>' for key, colour in series)
            + f"{labels}</svg>")


@bp.route("/review")
@requires(*ANYONE)
def review_page():
    period = request.args.get("period", "month")
    if period not in PERIODS:
        abort(404)
    # any day of a period shows all of it (up to today): ?on=2026-10-15 is October
    on = min(period_bounds(period, _review_day(request.args.get("on", "")), to_date=False)[1], today())
    by = "grid_id" if request.args.get("by") == "grid" else "community"
    rules = current_app.extensions["patrol"].rules
    intervals = {code: category.interval_days for code, category in rules.categories.items()}
    numbers = review(period, on, intervals=intervals, by=by)
    after = numbers["this"][1] + dt.timedelta(days=1)
    html = render_template("review.html", r=numbers, by=by, svg=trend_svg(numbers["trend"]),
                           svg_patrols=trend_svg(numbers["trend"], (("patrols", "#1f4e8c"), ("inspections", "#8c8c8c"))),
                           projector=request.args.get("projector") == "1", args=request.args, png=png_available(),
                           on=on, to_date=on == today(), previous_on=numbers["last"][1],
                           next_on=after if after <= today() else None)
    name = f"review-{period}-{'grid' if by == 'grid_id' else 'community'}-{numbers['this'][0]}_{numbers['this'][1]}"
    if request.args.get("format") == "pdf" and pdf_available():
        return Response(sheets_pdf(html), mimetype="application/pdf",
                        headers={"Content-Disposition": f"attachment; filename={name}.pdf"})
    if request.args.get("format") == "png" and png_available():
        return Response(page_png(html), mimetype="image/png", headers={"Content-Disposition": f"attachment; filename={name}.png"})
    return html


def _review_day(text: str) -> dt.date:
    """The day whose period to review (``?on=YYYY-MM-DD``): today when absent, never later than today."""
    if not text:
        return today()
    try:
        return min(dt.date.fromisoformat(text), today())
    except ValueError:
        abort(400, description=f"on {text!r} is not a date YYYY-MM-DD")


@bp.route("/hotspots")
@requires(*ANYONE)
def hotspots_page():
    days = request.args.get("days", "90")
    projector = request.args.get("projector") == "1"
    links = [(url_for("review.hotspots_page", days=n, projector=int(projector)), label, n == days)
             for n, label in (("30", "近30天 last 30 days"), ("90", "近90天 last 90 days"), ("365", "近一年 last year"))]
    return render_template("frame.html", title="隐患热点 Hotspots", src=url_for("review.hotspots_frame", days=days), links=links,
                           projector=projector, here=url_for("review.hotspots_page", days=days))


@bp.route("/hotspots/frame")
@requires(*ANYONE)
def hotspots_frame():
    layers = current_app.extensions["patrol"].layers(today())
    days = request.args.get("days", "90")
    if not days.isdigit() or not 0 < int(days) <= 3660:
        abort(404)
    days = int(days)
    since = today() - dt.timedelta(days=days)
    hazards = layers.hazards if layers.hazards is not None else pd.DataFrame(columns=["venue_id", "found_on", "severity"])
    table = hotspot_table(layers.grids, layers.venues, hazards, since, today())
    points = hazard_points(hazards_in_period(hazards, since, today()), layers.venues)
    m = hotspot_map(table, points, lang=current_lang(), since=since, until=today())
    return nonced(add_problem_banner(m, layers.problems, current_lang()).get_root().render())


@bp.route("/gaps")
@requires(*ANYONE)
def gaps_page():
    return render_template("frame.html", title="盲区死角 Coverage gaps", src=url_for("review.gaps_frame"),
                           projector=request.args.get("projector") == "1", here=url_for("review.gaps_page"))


@bp.route("/gaps/frame")
@requires(*ANYONE)
def gaps_frame():
    patrol = current_app.extensions["patrol"]

    def gaps() -> tuple:  # reads the layers itself: the ones of the version it is kept under
        layers = patrol.layers(today())
        unreachable = unreachable_venues(venues=layers.venues, teams=layers.teams, rules=layers.rules, day=today(), grids=layers.grids)
        per_venue = venue_gaps(layers.venues, layers.rules, today(), layers.inspections, unreachable)
        return grid_gaps(layers.grids, per_venue, today(), layers.inspections), per_venue

    per_grid, per_venue = patrol.cache.get(("gaps", today()), gaps)  # the reachability check is the slow part
    layers = patrol.layers(today())
    m = gap_map(per_grid, per_venue, layers.venues.geometry, lang=current_lang(), on=today())
    return nonced(add_problem_banner(m, layers.problems, current_lang()).get_root().render())

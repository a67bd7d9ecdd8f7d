"""Meeting pages: the periodic review (with projector mode and PDF export), hotspots and coverage gaps."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _

from gis.hotspots import layer_hotspots
from ledger.review import EARLIEST_DAY, PERIODS, period_bounds, review
from planner.gaps import coverage_gaps

from ..analysis_maps import gap_map, hotspot_map
from ..charts import trend_svg
from ..context import current_lang, nonced, today
from ..data_problems import add_problem_banner
from ..export import page_png, png_available
from ..sheets import pdf_available, sheets_pdf
from . import ANYONE, requires

bp = Blueprint("review", __name__)


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
    html = render_template("review/review.html", r=numbers, by=by, svg=trend_svg(numbers["trend"]),
                           svg_patrols=trend_svg(numbers["trend"],
                                                 (("patrols", "#1f4e8c"), ("inspections", "#8c8c8c"))),
                           projector=request.args.get("projector") == "1", args=request.args, png=png_available(),
                           on=on, to_date=on == today(), previous_on=numbers["last"][1],
                           next_on=after if after <= today() else None)
    name = f"review-{period}-{'grid' if by == 'grid_id' else 'community'}-{numbers['this'][0]}_{numbers['this'][1]}"
    if request.args.get("format") == "pdf" and pdf_available():
        return Response(sheets_pdf(html), mimetype="application/pdf",
                        headers={"Content-Disposition": f"attachment; filename={name}.pdf"})
    if request.args.get("format") == "png" and png_available():
        return Response(page_png(html), mimetype="image/png",
                        headers={"Content-Disposition": f"attachment; filename={name}.png"})
    return html


def _review_day(text: str) -> dt.date:
    """The day whose period to review (``?on=YYYY-MM-DD``): today when absent, never later than today."""
    if not text:
        return today()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        abort(400, description=_("%(field)s %(value)r: should be a date YYYY-MM-DD", field="on", value=text))
    if day < EARLIEST_DAY:
        abort(400, description=_("%(field)s %(value)r: should not be before %(earliest)s", field="on", value=text,
                                 earliest=EARLIEST_DAY))
    return min(day, today())


@bp.route("/hotspots")
@requires(*ANYONE)
def hotspots_page():
    days = request.args.get("days", "90")
    projector = request.args.get("projector") == "1"
    links = [(url_for("review.hotspots_page", days=n, projector=int(projector)), label, n == days)
             for n, label in (("30", _("last 30 days")), ("90", _("last 90 days")), ("365", _("last year")))]
    return render_template("review/frame.html", title=_("Hotspots"),
                           src=url_for("review.hotspots_frame", days=days), links=links,
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
    table, points = layer_hotspots(layers, since, today())
    m = hotspot_map(table, points, lang=current_lang(), since=since, until=today())
    return nonced(add_problem_banner(m, layers.problems, current_lang()).get_root().render())


@bp.route("/gaps")
@requires(*ANYONE)
def gaps_page():
    return render_template("review/frame.html", title=_("Gaps"), src=url_for("review.gaps_frame"),
                           projector=request.args.get("projector") == "1", here=url_for("review.gaps_page"))


@bp.route("/gaps/frame")
@requires(*ANYONE)
def gaps_frame():
    patrol = current_app.extensions["patrol"]

    # reads the layers itself: the ones of the version it is kept under; the reachability check is the slow part
    per_grid, per_venue = patrol.cache.get(("gaps", today()), lambda: coverage_gaps(patrol.layers(today()), today()))
    layers = patrol.layers(today())
    m = gap_map(per_grid, per_venue, layers.venues.geometry, lang=current_lang(), on=today())
    return nonced(add_problem_banner(m, layers.problems, current_lang()).get_root().render())

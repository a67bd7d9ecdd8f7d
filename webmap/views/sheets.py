"""A team's route sheet, and the result form each stop's QR code opens (done / closed door / refused, hazards)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from gis.cells import read_text_csv
from gis.errors import InputError
from ledger.models import PlanRun, Team, Venue
from ledger.photos import photo_name
from ledger.queries import recent_inspections, waiting_hazards
from ledger.results import (
    FoundHazard,
    NotAllowed,
    StopResult,
    add_stop,
    on_team_day,
    record_result,
)
from webmap.reports import stops_with_shifts

from ..context import current_lang, get_or_404, public_url, today
from ..jobs import plan_folder
from ..plan_worker import PLAN_LANG
from ..sheets import pdf_available, sheets_html, sheets_pdf, team_sheets_html
from . import form_token, refuse, requires, save_form_once

bp = Blueprint("sheets", __name__)
bp.register_error_handler(NotAllowed, refuse)


def _own_team_only(team_id: str) -> None:
    if current_user.role == "patrol" and current_user.team_id != team_id:
        abort(403)


@bp.route("/plans/<int:plan_id>/sheets/<team_id>")
@requires("coordinator", "patrol")
def team_sheet(plan_id: int, team_id: str):
    _own_team_only(team_id)
    run = get_or_404(PlanRun, plan_id)
    folder = plan_folder(current_app, run.id)
    if not (folder / "stops.csv").is_file():  # a plan that failed or is not done yet
        abort(404)
    html = None
    if current_lang() == PLAN_LANG and (folder / "sheets.html").is_file():
        # the plan's own sheets: their sketches and QR codes were made once, when the plan was written
        html = team_sheets_html((folder / "sheets.html").read_text(encoding="utf-8"), team_id)
    if html is None:
        stops = read_text_csv(folder / "stops.csv", dtype={"venue_id": str, "team_id": str, "day": str})
        stops = stops[stops["team_id"] == team_id]
        if stops.empty:
            abort(404)
        layers = current_app.extensions["patrol"].layers(run.start)
        html = sheets_html(stops_with_shifts(stops, layers), teams=layers.teams, venues=layers.venues,
                           rules=layers.rules, lang=current_lang(), grids=layers.grids, hazards=layers.hazards,
                           base_url=public_url())
    if request.args.get("format") == "pdf" and pdf_available():
        return Response(sheets_pdf(html), mimetype="application/pdf")
    return html


@bp.route("/stops/<day>/<team_id>/<venue_id>", methods=["GET", "POST"])
@requires("coordinator", "patrol")
def result_form(day: str, team_id: str, venue_id: str):
    _own_team_only(team_id)
    venue, team = get_or_404(Venue, venue_id), get_or_404(Team, team_id)
    on = _date_or_404(day)
    rules = current_app.extensions["patrol"].rules
    error = None
    if request.method == "POST":
        try:
            photo = _photo_name(request.files.get("photo")) if request.form.get("hazard_type") else None
            result = _stop_result(on, team_id, venue_id, photo[0] if photo else "")
            saved = save_form_once(lambda: record_result(current_user, result, rules=rules, today=today(),
                                                         file="result form"),
                                   file="result form")
            if saved and photo:
                photo[1].save(Path(current_app.instance_path) / "photos" / photo[0])
            flash(_("Saved") if saved else _("Already saved: not recorded twice"))
            return redirect(url_for("sheets.result_form", day=day, team_id=team_id, venue_id=venue_id))
        except InputError as err:
            error = err.as_dict()
    return render_template("sheets/result_form.html", venue=venue, team=team, day=day,
                           checklist=rules.checklist(venue.category),
                           rules=rules, history=recent_inspections(venue_id), waiting=waiting_hazards(venue_id),
                           error=error, once=form_token(), once_add=form_token(),
                           on_day=on_team_day(on, team_id, venue_id)), (400 if error else 200)


@bp.post("/stops/<day>/<team_id>/<venue_id>/add")
@requires("coordinator")
def add_to_day(day: str, team_id: str, venue_id: str):
    """A coordinator adds the venue to the team's stops of the day, so that its patrol may record it."""
    on = _date_or_404(day)
    save_form_once(lambda: add_stop(current_user, day=on, team_id=team_id, venue_id=venue_id, file="stop"), file="stop")
    flash(_("Added to the stops of team %(team)s on %(day)s", team=team_id, day=day))
    return redirect(url_for("sheets.result_form", day=day, team_id=team_id, venue_id=venue_id))


def _date_or_404(day: str) -> dt.date:
    try:
        return dt.date.fromisoformat(day)
    except ValueError:
        abort(404)


def _stop_result(on: dt.date, team_id: str, venue_id: str, photo: str) -> StopResult:
    """The result form as the service's :class:`~ledger.results.StopResult` (one hazard found at most)."""
    form = request.form
    found = ()
    if form.get("hazard_type"):
        found = (FoundHazard(form["hazard_type"], form.get("severity", ""), form.get("description", ""), photo),)
    return StopResult(day=on, team_id=team_id, venue_id=venue_id, outcome=form.get("outcome", ""),
                      notes=form.get("notes", ""), found=found, fixed=tuple(form.getlist("fixed")))


def _photo_name(upload) -> tuple[str, object] | None:
    """A checked uploaded photo and the fresh name it will be kept under (saved once the result is recorded)."""
    if upload is None or not upload.filename:
        return None
    data = upload.stream.read()
    upload.stream.seek(0)
    name = photo_name(upload.filename, data)
    (Path(current_app.instance_path) / "photos").mkdir(parents=True, exist_ok=True)
    return name, upload

"""The hazard ledgers (问题台账 · 整改台账 · 销号台账), one hazard's closed loop, and imports."""

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
    send_from_directory,
    url_for,
)
from flask_login import current_user
from werkzeug.utils import secure_filename

from gis.errors import InputError
from ledger.excel import TITLES, ledger_workbook
from ledger.lifecycle import FIVE_FIELDS, FIVE_LABELS, LEDGERS, ledger
from ledger.models import Grid, Hazard, HazardEvent, Venue, db
from ledger.results import NotAllowed, advance_hazard, close_hazard
from ledger.store import KINDS

from ..context import today
from . import ANYONE, form_token, import_uploads, refuse, requires, save_form_once

bp = Blueprint("ledger", __name__)
bp.register_error_handler(NotAllowed, refuse)


@bp.route("/ledger/<kind>")
@requires(*ANYONE)
def ledger_page(kind: str):
    if kind not in LEDGERS:
        abort(404)
    hazards = _filtered(ledger(kind), request.args)
    names = {v.venue_id: v.name for v in db.session.scalars(db.select(Venue).where(Venue.venue_id.in_({h.venue_id for h in hazards})))}
    grids = db.session.scalars(db.select(Grid).order_by(Grid.grid_id)).all()
    return render_template("ledger.html", kind=kind, title=TITLES[kind], hazards=hazards, names=names,
                           rules=current_app.extensions["patrol"].rules, today=today(),
                           args={k: v for k, v in request.args.items() if k in ("community", "grid", "severity", "overdue")},
                           communities=sorted({g.community for g in grids if g.community}), grids=[g.grid_id for g in grids])


def _filtered(hazards: list[Hazard], args) -> list[Hazard]:
    """The ledger's rows for one community or grid, major ones only, or those past their deadline."""
    if args.get("community") or args.get("grid"):
        grids = db.select(Grid.grid_id).where(Grid.community == args["community"]) if args.get("community") else None
        q = db.select(Venue.venue_id)
        q = q.where(Venue.grid_id.in_(grids)) if grids is not None else q
        q = q.where(Venue.grid_id == args["grid"]) if args.get("grid") else q
        inside = set(db.session.scalars(q))
        hazards = [h for h in hazards if h.venue_id in inside]
    if args.get("severity") == "major":
        hazards = [h for h in hazards if h.severity == "major"]
    if args.get("overdue") == "1":
        hazards = [h for h in hazards if h.status != "closed" and h.deadline is not None and h.deadline < today()]
    return hazards


@bp.route("/ledger/<kind>.xlsx")
@requires(*ANYONE)
def ledger_excel(kind: str):
    if kind not in LEDGERS:
        abort(404)
    data = ledger_workbook(kind, current_app.extensions["patrol"].rules, hazards=_filtered(ledger(kind), request.args))
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={kind}-{today()}.xlsx"})


@bp.route("/hazards/<hazard_id>", methods=["GET", "POST"])
@requires(*ANYONE)
def hazard(hazard_id: str):
    h = db.session.get(Hazard, hazard_id) or abort(404)
    error = None
    if request.method == "POST":
        try:
            saved = save_form_once(lambda: _hazard_step(h, request.form), file=hazard_id)
            if not saved:
                flash("这份表单已经保存过，没有重复记录 already saved: not recorded twice")
            return redirect(url_for("ledger.hazard", hazard_id=hazard_id))
        except InputError as err:
            error = str(err)
    events = db.session.scalars(db.select(HazardEvent).where(HazardEvent.hazard_id == hazard_id).order_by(HazardEvent.id)).all()
    return render_template("hazard.html", h=h, venue=db.session.get(Venue, h.venue_id), events=events, error=error,
                           five=FIVE_FIELDS, labels=FIVE_LABELS, rules=current_app.extensions["patrol"].rules,
                           today=today(), once=form_token()), (400 if error else 200)


def _hazard_step(h: Hazard, form) -> None:
    """One step of the hazard's loop from its page's form: report, rectify, feedback, or close by a re-check."""
    action = form.get("action", "")
    if action == "close":
        close_hazard(current_user, h, on=_form_date(form.get("recheck_on"), h.hazard_id), today=today(),
                     team_id=form.get("team_id", ""), notes=form.get("notes", ""), file=h.hazard_id)
    else:
        advance_hazard(current_user, h, action, fields={f: form.get(f, "") for f in FIVE_FIELDS}, file=h.hazard_id)


def _form_date(value: str | None, file: str) -> dt.date:
    """The re-check's day from the form (today when left empty)."""
    if not value:
        return today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as err:
        raise InputError(f"recheck_on {value!r}：应为日期 YYYY-MM-DD should be a date YYYY-MM-DD", file=file,
                         field="recheck_on") from err


@bp.route("/photos/<name>")
@requires(*ANYONE)
def photo(name: str):
    return send_from_directory(Path(current_app.instance_path) / "photos", secure_filename(name))


@bp.route("/import", methods=["GET", "POST"])
@requires("coordinator")
def import_page():
    error, done = None, None
    if request.method == "POST":
        try:
            done = import_uploads(request.form.get("kind", ""), request.files.getlist("file"), crs=request.form.get("crs") or None,
                                  user=current_user.username)
            flash(f"导入成功 imported {done}")
        except InputError as err:
            error = err.as_dict()
    chosen = request.form.get("kind") or request.args.get("kind", "")
    return render_template("import.html", kinds=KINDS, error=error, done=done, chosen=chosen), (400 if error else 200)

"""The hazard ledgers (问题台账 · 整改台账 · 销号台账), one hazard's closed loop, and imports."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user
from werkzeug.utils import secure_filename

from gis.errors import InputError
from ledger.excel import TITLES, ledger_workbook
from ledger.lifecycle import FIVE_FIELDS, FIVE_LABELS, LEDGERS, LifecycleError, advance, close_by_recheck, ledger
from ledger.models import Grid, Hazard, HazardEvent, Venue, db
from ledger.store import KINDS, import_layer

from . import ANYONE, requires
from ..context import today

bp = Blueprint("ledger", __name__)


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
        if current_user.role != "coordinator":
            abort(403)
        action = request.form.get("action", "")
        try:
            if action == "close":
                on = dt.date.fromisoformat(request.form.get("recheck_on") or today().isoformat())
                close_by_recheck(h, user=current_user.username, on=on, team_id=request.form.get("team_id", ""),
                                 notes=request.form.get("notes", ""))
            else:
                advance(h, action, user=current_user.username, fields={f: request.form.get(f, "") for f in FIVE_FIELDS})
            db.session.commit()
            return redirect(url_for("ledger.hazard", hazard_id=hazard_id))
        except (LifecycleError, ValueError) as err:
            db.session.rollback()
            error = str(err)
    events = db.session.scalars(db.select(HazardEvent).where(HazardEvent.hazard_id == hazard_id).order_by(HazardEvent.id)).all()
    return render_template("hazard.html", h=h, venue=db.session.get(Venue, h.venue_id), events=events, error=error,
                           five=FIVE_FIELDS, labels=FIVE_LABELS, rules=current_app.extensions["patrol"].rules,
                           today=today()), (400 if error else 200)


@bp.route("/photos/<name>")
@requires(*ANYONE)
def photo(name: str):
    return send_from_directory(Path(current_app.instance_path) / "photos", secure_filename(name))


@bp.route("/import", methods=["GET", "POST"])
@requires("coordinator")
def import_page():
    error, done = None, None
    if request.method == "POST":
        kind = request.form.get("kind", "")
        files = [f for f in request.files.getlist("file") if f.filename]
        if kind not in KINDS or not files:
            error = {"message": "choose what to import and at least one file", "file": "", "row": None, "field": "file"}
        else:
            with tempfile.TemporaryDirectory() as tmp:
                paths = []
                for f in files:  # keep the user's file name: messages name it
                    path = Path(tmp) / (Path(f.filename).name or "upload")
                    f.save(path)
                    paths.append(path)
                try:
                    count = import_layer(kind, paths, current_app.extensions["patrol"].rules, as_of=today(),
                                         crs=request.form.get("crs") or None, user=current_user.username)
                    done = f"{kind}: {count}"
                    flash(f"导入成功 imported {done}")
                except InputError as err:
                    error = err.as_dict()
    chosen = request.form.get("kind") or request.args.get("kind", "")
    return render_template("import.html", kinds=KINDS, error=error, done=done, chosen=chosen), (400 if error else 200)

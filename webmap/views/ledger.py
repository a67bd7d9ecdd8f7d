"""The hazard ledgers (问题台账 · 整改台账 · 销号台账), one hazard's closed loop, and imports."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename

from gis.errors import InputError
from ledger.excel import TITLES, ledger_workbook
from ledger.lifecycle import FIVE_FIELDS, FIVE_LABELS, LEDGERS
from ledger.models import Hazard, Venue, db
from ledger.queries import grids as all_grids
from ledger.queries import hazard_events, ledger_rows, venue_names
from ledger.results import NotAllowed, advance_hazard, close_hazard
from ledger.store import KINDS, Imported

from ..apikit import error_response
from ..context import current_lang, get_or_404, today
from . import ANYONE, form_token, import_uploads, refuse, requires, save_form_once, save_uploads

bp = Blueprint("ledger", __name__)
bp.register_error_handler(NotAllowed, refuse)


@bp.route("/ledger/<kind>")
@requires(*ANYONE)
def ledger_page(kind: str):
    if kind not in LEDGERS:
        abort(404)
    hazards = _rows(kind)
    grids = all_grids()
    return render_template("ledger/ledger.html", kind=kind, title=TITLES[kind], hazards=hazards,
                           names=venue_names(h.venue_id for h in hazards),
                           rules=current_app.extensions["patrol"].rules, today=today(),
                           args={k: v for k, v in request.args.items() if k in ("community", "grid",
                                                                                "severity", "overdue")},
                           communities=sorted({g.community for g in grids if g.community}),
                           grids=[g.grid_id for g in grids])


def _rows(kind: str) -> list[Hazard]:
    """The ledger's rows for the page's filters.

    One community or grid, major ones only, or those past their deadline.
    """
    args = request.args
    return ledger_rows(kind, today=today(), community=args.get("community", ""), grid=args.get("grid", ""),
                       major_only=args.get("severity") == "major", overdue_only=args.get("overdue") == "1")


@bp.route("/ledger/<kind>.xlsx")
@requires(*ANYONE)
def ledger_excel(kind: str):
    if kind not in LEDGERS:
        abort(404)
    data = ledger_workbook(kind, current_app.extensions["patrol"].rules, hazards=_rows(kind), today=today())
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={kind}-{today()}.xlsx"})


@bp.route("/hazards/<hazard_id>", methods=["GET", "POST"])
@requires(*ANYONE)
def hazard(hazard_id: str):
    h = get_or_404(Hazard, hazard_id)
    error = None
    if request.method == "POST":
        try:
            saved = save_form_once(lambda: _hazard_step(h, request.form), file=hazard_id)
            if not saved:
                flash(_("Already saved: not recorded twice"))
            return redirect(url_for("ledger.hazard", hazard_id=hazard_id))
        except InputError as err:
            error = str(err)
    return render_template("ledger/hazard.html", h=h, venue=db.session.get(Venue, h.venue_id),
                           events=hazard_events([hazard_id]), error=error,
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
        msg = _("%(field)s %(value)r: should be a date YYYY-MM-DD", field="recheck_on", value=value)
        raise InputError(msg, file=file, field="recheck_on") from err


@bp.route("/photos/<name>")
@requires(*ANYONE)
def photo(name: str):
    return send_from_directory(Path(current_app.instance_path) / "photos", secure_filename(name))


@bp.route("/import", methods=["GET", "POST"])
@requires("coordinator")
def import_page():
    """The import form; posted without the page's script, it imports while the browser waits."""
    error, done = None, None
    if request.method == "POST":
        try:
            done = import_uploads(request.form.get("kind", ""), request.files.getlist("file"),
                                  crs=request.form.get("crs") or None, user=current_user.username)
            flash(_("Imported: %(done)s", done=done))
        except InputError as err:
            error = err.as_dict()
    elif request.args.get("job"):  # where the page's script goes when a background import has ended
        job = current_app.extensions["import_jobs"].get(request.args["job"]) or abort(404)
        error, done = job.error, job.done and Imported(**{k: job.done[k] for k in ("kind", "new", "changed",
                                                                                     "unchanged")})
    chosen = request.form.get("kind") or request.args.get("kind", "")
    return render_template("ledger/import.html", kinds=KINDS, error=error, done=done,
                           chosen=chosen), (400 if error else 200)


@bp.post("/import/jobs")
@requires("coordinator")
def import_job():
    """The import form's files imported in the background (the page's script): the job's id and where to poll."""
    folder = Path(tempfile.mkdtemp(prefix="patrol-import-"))
    try:
        kind = request.form.get("kind", "")
        paths = save_uploads(kind, request.files.getlist("file"), folder)
    except InputError as err:
        shutil.rmtree(folder, ignore_errors=True)
        return error_response(err, 400)
    job_id = current_app.extensions["import_jobs"].start(kind, folder, paths, as_of=today(),
                                                         crs=request.form.get("crs") or None,
                                                         user=current_user.username, lang=current_lang())
    return jsonify({"id": job_id, "progress": url_for("ledger.import_progress", job_id=job_id),
                    "page": url_for("ledger.import_page", job=job_id)}), 202


@bp.route("/import/jobs/<job_id>")
@requires("coordinator")
def import_progress(job_id: str):
    job = current_app.extensions["import_jobs"].get(job_id) or abort(404)
    return jsonify(job.as_dict())

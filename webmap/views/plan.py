"""Planning in the web app: the form, the live progress, the plan's map, sheets and files."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ledger import queries
from ledger.models import PlanRun
from ledger.plans import new_plan
from ledger.transaction import transaction

from ..context import current_lang, get_or_404, nonced, public_url, today
from ..i18n import word
from ..jobs import pdf_pending, plan_folder, start_plan
from ..plan_worker import PDF_PENDING
from ..sheets import pdf_available
from . import ANYONE, requires

bp = Blueprint("plan", __name__)
FILES = ("stops.csv", "routes.geojson", "unassigned.csv", "summary.json", "map.html", "sheets.html", "sheets.pdf")


@bp.route("/plan", methods=["GET", "POST"])
@requires("coordinator")
def plan_form():
    if request.method == "POST":
        form = request.form
        with transaction():
            run = new_plan(current_user, start=form.get("date", ""), days=form.get("days", "1"),
                           time_limit_s=form.get("time_limit", "20"), teams=form.getlist("teams"))
        start_plan(current_app._get_current_object(), run.id, base_url=public_url())
        return redirect(url_for("plan.plan_page", plan_id=run.id))
    return render_template("plan/plan_form.html", teams=queries.teams(), tomorrow=today() + dt.timedelta(days=1),
                           plans=queries.plan_runs(limit=200, newest_first=True))


@bp.route("/plans/<int:plan_id>")
@requires(*ANYONE)
def plan_page(plan_id: int):
    run = get_or_404(PlanRun, plan_id)
    teams = queries.plan_teams(plan_id)
    if current_user.role == "patrol":  # a patrol sees its own team's sheet only
        teams = [t for t in teams if t == current_user.team_id]
    names = queries.team_names(teams)
    place = current_app.extensions["plan_jobs"].place(plan_id) if run.status == "queued" else None
    return render_template("plan/plan.html", run=run, queued=_queued_message(place) if place else "",
                           files=[f for f in FILES if (plan_folder(current_app, plan_id) / f).exists()],
                           sheets=[(t, names.get(t, "")) for t in sorted(teams)], pdf=pdf_available(),
                           pdf_pending=pdf_pending(run), pdf_prefix=PDF_PENDING,
                           unplanned=_unplanned(plan_folder(current_app, plan_id) / "unassigned.csv"))


def _unplanned(path) -> list[tuple[str, int]]:
    """How many venues were left out, per reason (most first), from the plan's unassigned.csv."""
    if not path.exists():
        return []
    counts = pd.read_csv(path, dtype=str)["reason"].value_counts()
    return [(str(reason), int(n)) for reason, n in counts.items()]


@bp.route("/plans/<int:plan_id>/progress")
@requires(*ANYONE)
def plan_progress(plan_id: int):
    run = get_or_404(PlanRun, plan_id)
    place = current_app.extensions["plan_jobs"].place(plan_id) if run.status == "queued" else None
    return jsonify({"status": run.status, "label": word("plan", run.status, current_lang()), "progress": run.progress,
                    "message": _queued_message(place) if place else run.message, "place": place,
                    "summary": run.summary})


def _queued_message(place: int) -> str:
    return _("place %(place)d in the queue: starts by itself when the plans before it are done", place=place)


@bp.route("/plans/<int:plan_id>/files/<name>")
@requires(*ANYONE)
def plan_file(plan_id: int, name: str):
    if name not in FILES:
        abort(404)
    if current_user.role == "patrol":  # patrols see their own team's sheet only (sheets blueprint)
        abort(403)
    if name.endswith(".html"):  # the plan's map runs its scripts only with this response's CSP nonce
        path = plan_folder(current_app, get_or_404(PlanRun, plan_id).id) / name
        if not path.is_file():
            abort(404)
        return nonced(path.read_text(encoding="utf-8"))
    return send_from_directory(plan_folder(current_app, plan_id), name,
                               as_attachment=name.endswith((".csv", ".geojson", ".json")))

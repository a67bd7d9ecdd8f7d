"""Planning in the web app: the form, the live progress, the plan's map, sheets and files."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user

from gis.errors import InputError
from ledger.models import PlanRun, PlanStop, Team, db

from ..i18n import word
from ..jobs import plan_folder, start_plan
from ..sheets import pdf_available
from . import ANYONE, requires
from ..context import current_lang, get_or_404, nonced, today

bp = Blueprint("plan", __name__)
FILES = ("stops.csv", "routes.geojson", "unassigned.csv", "summary.json", "map.html", "sheets.html", "sheets.pdf")


@bp.route("/plan", methods=["GET", "POST"])
@requires("coordinator")
def plan_form():
    teams = db.session.scalars(db.select(Team).where(Team.retired.is_(False)).order_by(Team.team_id)).all()
    if request.method == "POST":
        form = request.form
        try:
            start = dt.date.fromisoformat(form.get("date", ""))
            days = int(form.get("days", "1"))
            limit = float(form.get("time_limit", "20"))
        except ValueError as err:
            msg = f"date, days or time limit is not valid: {err}"
            raise InputError(msg, file="plan form", field="date") from err
        if not 1 <= days <= 14 or not 1 <= limit <= 600:
            msg = "days should be 1-14 and the time limit 1-600 seconds"
            raise InputError(msg, file="plan form", field="days")
        chosen = sorted(set(form.getlist("teams")) & {t.team_id for t in teams})
        run = PlanRun(created_by=current_user.username, start=start, days=days, teams=";".join(chosen), time_limit_s=limit)
        db.session.add(run)
        db.session.commit()
        start_plan(current_app._get_current_object(), run.id, base_url=request.host_url)
        return redirect(url_for("plan.plan_page", plan_id=run.id))
    plans = db.session.scalars(db.select(PlanRun).order_by(PlanRun.id.desc()).limit(200)).all()
    return render_template("plan_form.html", teams=teams, tomorrow=today() + dt.timedelta(days=1), plans=plans)


@bp.route("/plans/<int:plan_id>")
@requires(*ANYONE)
def plan_page(plan_id: int):
    run = get_or_404(PlanRun, plan_id)
    teams = db.session.scalars(db.select(PlanStop.team_id).where(PlanStop.plan_id == plan_id).distinct()).all()
    if current_user.role == "patrol":  # a patrol sees its own team's sheet only
        teams = [t for t in teams if t == current_user.team_id]
    names = {t.team_id: t.name for t in db.session.scalars(db.select(Team).where(Team.team_id.in_(teams)))}
    place = current_app.extensions["plan_jobs"].place(plan_id) if run.status == "queued" else None
    return render_template("plan.html", run=run, queued=_queued_message(place) if place else "", files=[f for f in FILES if (plan_folder(current_app, plan_id) / f).exists()],
                           sheets=[(t, names.get(t, "")) for t in sorted(teams)], pdf=pdf_available(),
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
                    "message": _queued_message(place) if place else run.message, "place": place, "summary": run.summary})


def _queued_message(place: int) -> str:
    return (f"place {place} in the queue: starts by itself when the plans before it are done" if current_lang() == "en"
            else f"排队第 {place} 位，前面的计划完成后自动开始")


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
    return send_from_directory(plan_folder(current_app, plan_id), name, as_attachment=name.endswith((".csv", ".geojson", ".json")))

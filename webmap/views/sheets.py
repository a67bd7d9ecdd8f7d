"""A team's route sheet, and the result form each stop's QR code opens (done / closed door / refused, hazards)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pandas as pd
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from gis.cells import read_text_csv
from gis.errors import InputError
from ledger.lifecycle import close_by_recheck, commit_with_retry, record_hazard
from ledger.models import Hazard, Inspection, PlanRun, Team, Venue, db
from webmap.reports import stops_with_shifts

from ..jobs import plan_folder
from ..sheets import pdf_available, sheets_html, sheets_pdf
from . import requires
from ..context import current_lang, get_or_404, today

bp = Blueprint("sheets", __name__)
PHOTO_TYPES = {".jpg", ".jpeg", ".png", ".webp", ".heic"}


def _own_team_only(team_id: str) -> None:
    if current_user.role == "patrol" and current_user.team_id != team_id:
        abort(403)


@bp.route("/plans/<int:plan_id>/sheets/<team_id>")
@requires("coordinator", "patrol")
def team_sheet(plan_id: int, team_id: str):
    _own_team_only(team_id)
    run = get_or_404(PlanRun, plan_id)
    if not (plan_folder(current_app, run.id) / "stops.csv").is_file():  # a plan that failed or is not done yet
        abort(404)
    stops = read_text_csv(plan_folder(current_app, run.id) / "stops.csv", dtype={"venue_id": str, "team_id": str, "day": str})
    stops = stops[stops["team_id"] == team_id]
    if stops.empty:
        abort(404)
    layers = current_app.extensions["patrol"].layers(run.start)
    html = sheets_html(stops_with_shifts(stops, layers), teams=layers.teams, venues=layers.venues, rules=layers.rules,
                       lang=current_lang(), grids=layers.grids, hazards=layers.hazards, base_url=request.host_url)
    if request.args.get("format") == "pdf" and pdf_available():
        return Response(sheets_pdf(html), mimetype="application/pdf")
    return html


@bp.route("/stops/<day>/<team_id>/<venue_id>", methods=["GET", "POST"])
@requires("coordinator", "patrol")
def result_form(day: str, team_id: str, venue_id: str):
    _own_team_only(team_id)
    venue = db.session.get(Venue, venue_id) or abort(404)
    team = db.session.get(Team, team_id) or abort(404)
    rules = current_app.extensions["patrol"].rules
    try:
        on = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    if request.method == "POST":
        if on > today():
            raise InputError(f"day {on} is in the future: results are recorded on or after the patrol day",
                             file="result form", field="day")
        outcome = request.form.get("outcome", "")
        if outcome not in ("done", "closed_door", "refused"):
            raise InputError(f"outcome {outcome!r} should be done, closed_door or refused", file="result form", field="outcome")
        kind = request.form.get("hazard_type", "")
        if kind and kind not in rules.hazard_types:
            raise InputError(f"hazard_type {kind!r} is not a hazard type of the rules", file="result form", field="hazard_type")
        severity = request.form.get("severity") or (rules.hazard_types[kind].severity if kind else "")
        if severity not in ("", "general", "major"):
            raise InputError(f"severity {severity!r} should be general or major", file="result form", field="severity")
        fixed = _rechecked(venue_id, request.form.getlist("fixed"), outcome)
        photo = _save_photo(request.files.get("photo")) if kind else ""

        def record() -> None:
            for hazard in fixed:  # 销号 by this re-check: its inspection is the stop's record
                close_by_recheck(hazard, user=current_user.username, on=on, team_id=team_id,
                                 notes=request.form.get("notes", ""))
            if not fixed:
                db.session.add(Inspection(venue_id=venue_id, date=on, team_id=team_id, outcome=outcome,
                                          notes=request.form.get("notes", ""), recorded_by=current_user.username))
            seen = db.session.get(Venue, venue_id)
            if outcome == "done" and (seen.last_inspected is None or seen.last_inspected < on):
                seen.last_inspected = on
            if kind:
                record_hazard(venue_id=venue_id, type=kind, severity=severity, description=request.form.get("description", ""),
                              user=current_user.username, found_on=on, photo=photo,
                              deadline=on + dt.timedelta(days=rules.hazard_types[kind].deadline_days))

        commit_with_retry(record)
        flash("已保存 saved")
        return redirect(url_for("sheets.result_form", day=day, team_id=team_id, venue_id=venue_id))
    waiting = db.session.scalars(db.select(Hazard).where(Hazard.venue_id == venue_id, Hazard.status != "closed")
                                 .order_by(Hazard.found_on)).all()
    history = db.session.scalars(db.select(Inspection).where(Inspection.venue_id == venue_id).order_by(Inspection.id.desc()).limit(5)).all()
    checklist = rules.checklist(venue.category)
    return render_template("result_form.html", venue=venue, team=team, day=day, checklist=checklist, rules=rules,
                           history=history, waiting=waiting)


def _rechecked(venue_id: str, ids: list[str], outcome: str) -> list[Hazard]:
    """The hazards this stop's re-check found fixed: each must be this venue's and awaiting its re-check (待复查)."""
    if ids and outcome != "done":
        raise InputError(f"fixed: a re-check needs outcome done, not {outcome}", file="result form", field="fixed")
    hazards = []
    for hazard_id in ids:
        hazard = db.session.get(Hazard, hazard_id)
        if hazard is None or hazard.venue_id != venue_id or hazard.status != "feedback":
            raise InputError(f"fixed {hazard_id!r} is not a hazard of this venue awaiting its re-check (待复查)",
                             file="result form", field="fixed")
        hazards.append(hazard)
    return hazards


def _save_photo(upload) -> str:
    """Keep an uploaded photo in the instance folder under a fresh name; return that name."""
    if upload is None or not upload.filename:
        return ""
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in PHOTO_TYPES:
        raise InputError(f"photo {upload.filename!r} should be a picture ({', '.join(sorted(PHOTO_TYPES))})", file="result form", field="photo")
    head = upload.stream.read(16)
    upload.stream.seek(0)
    if not _looks_like_a_picture(head):
        raise InputError(f"photo {upload.filename!r} is not a JPEG, PNG, WebP or HEIC picture (its content)",
                         file="result form", field="photo")
    folder = Path(current_app.instance_path) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}{suffix}"
    upload.save(folder / name)
    return name


def _looks_like_a_picture(head: bytes) -> bool:
    """Whether a file starts the way a JPEG, PNG, WebP or HEIC picture does (its name alone proves nothing)."""
    return (head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"))
            or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
            or (head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc")))

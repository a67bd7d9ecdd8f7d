"""The field app's API: a team's day, a stop's whole result, its photos and signature, the live stream, the re-plan.

Who may do what (the services check it again, on the object):

- ``GET /api/v1/teams/<team_id>/today``: a coordinator, or a patrol of that team;
- ``POST /api/v1/results``: a coordinator, or a patrol for its own team's stops of that day;
- ``GET /api/v1/files/<id>``: a coordinator, or a patrol of the team that recorded it;
- ``GET /api/v1/live``: a coordinator (every team), or a patrol (its own team's events only);
- ``POST /api/v1/replan``: a coordinator.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re

from flask import Blueprint, Response, abort, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from gis.errors import InputError
from gis.i18n import gettext as _
from gis.timeparse import parse_hhmm
from ledger.campaigns import venue_campaigns
from ledger.field import (
    CheckIn,
    FieldResult,
    NoticeIn,
    day_stops,
    done_venues,
    file_for,
    may_see_team,
    open_hazards,
    record_field_result,
)
from ledger.field_models import FieldVisit
from ledger.idempotency import ReusedKeyError
from ledger.models import Grid, Team, Venue, db
from ledger.results import NotAllowed, StopResult
from ledger.roads import roads_near

from ..apikit import authenticate, body, day, found, http_error, own_team, reused_key, text, texts, written
from ..context import MAX_ID, current_lang, now_s, tile_url, today
from ..i18n import category_label, hazard_label, t, word
from ..live import events_stream, team_summary
from ..navlinks import nav_links
from . import refuse

bp = Blueprint("field_api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate)
bp.register_error_handler(HTTPException, http_error)
bp.register_error_handler(ReusedKeyError, reused_key)
bp.register_error_handler(NotAllowed, refuse)
_DATA_URL = re.compile(r"data:image/[a-z0-9.+-]+;base64,", re.IGNORECASE)
_MAX_DATA_URL = 5 * 1024 * 1024  # characters of one base64 picture (the service checks the decoded size)


@bp.get("/teams/<team_id>/today")
def team_today(team_id: str):
    """The team's stops of today in order, with everything the phone shows offline."""
    if not may_see_team(g.api_user, team_id):
        abort(403)
    team = db.session.get(Team, team_id) or abort(404)
    return jsonify(today_payload(team, day(request.args, "day", today())))


def today_payload(team: Team, on: dt.date) -> dict:
    rules, lang = current_app.extensions["patrol"].rules, current_lang()
    plan_id, stops = day_stops(team.team_id, on)
    venues = {v.venue_id: v
              for v in db.session.scalars(db.select(Venue).where(Venue.venue_id.in_([s.venue_id for s in stops])))}
    hazards, done = open_hazards(list(venues)), done_venues(on, team.team_id)
    campaigns = venue_campaigns(on, list(venues.values()))
    rows = []
    for k, s in enumerate(stops, start=1):
        v = venues.get(s.venue_id)
        if v is None:
            continue
        reason = getattr(s, "reason", "added")
        rows.append({
            "seq": getattr(s, "seq", k), "venue_id": v.venue_id, "name": v.name, "address": v.address,
            "category": v.category, "category_label": category_label(rules, v.category, lang),
            "arrive": getattr(s, "arrive", ""), "depart": getattr(s, "depart", ""), "open": v.open, "close": v.close,
            "reason": reason, "reason_label": t("reason." + reason, lang) if reason != "added" else (
                "协调员加派" if lang == "zh" else "Added by the coordinator"),
            "lon": v.lon, "lat": v.lat, "nav": nav_links(v.lon, v.lat, v.name), "done": done.get(v.venue_id),
            "hazards": [{"hazard_id": h.hazard_id, "type": h.type, "label": hazard_label(rules, h.type, lang),
                         "severity": h.severity, "status": h.status, "status_label": word("status", h.status, lang),
                         "deadline": h.deadline.isoformat() if h.deadline else None, "description": h.description}
                        for h in hazards.get(v.venue_id, [])],
            "checklist": [{"code": h.code,
                           "label": hazard_label(rules, h.code, lang)} for h in rules.checklist(v.category)
                          if h.code != "other"],
            "campaigns": [{"campaign_id": c.id, "name": c.name, "end": c.end.isoformat(), "items": list(c.items()),
                           "hazard_types": [{"code": code, "label": hazard_label(rules, code, lang)}
                                            for code in c.codes("hazard_types")]}
                          for c in campaigns.get(v.venue_id, [])],
        })
    order = [r["venue_id"] for r in rows]
    grid_ids = sorted({v.grid_id for v in venues.values()})
    return {
        "grids": _grids_geojson(grid_ids),
        "roads": roads_near([(team.start_lon, team.start_lat), *((r["lon"], r["lat"]) for r in rows)],
                            max_segments=current_app.config["FIELD_ROAD_SEGMENTS"]),
        "tiles": ({"url": tile_url(), "attribution": current_app.config["FIELD_TILE_ATTRIBUTION"]}
                  if tile_url() else None),  # never needed: the phone adds them only while it reaches them
        "day": on.isoformat(), "plan_id": plan_id,
        "version": hashlib.sha256(json.dumps([plan_id, order]).encode()).hexdigest()[:12],
        "team": {"team_id": team.team_id, "name": team.name, "shift": team.shift, "lon": team.start_lon,
                 "lat": team.start_lat},
        "far_m": current_app.config["FIELD_FAR_M"], "stops": rows,
        "hazard_types": [{"code": code, "label": hazard_label(rules, code, lang), "severity": h.severity}
                         for code, h in rules.hazard_types.items()],
        "outcomes": {o: word("outcome", o, lang) for o in ("done", "closed_door", "refused")},
    }


_SKETCH_TOLERANCE_DEG = 2e-5  # about 2 m: a grid's outline drawn a few hundred metres wide on a phone


def _grids_geojson(grid_ids: list[str]) -> dict:
    """The grids of the day's stops as a GeoJSON FeatureCollection, simplified and rounded to about a metre.

    The phone draws them beneath its route map, offline too: a platform's outline of thousands of vertices
    becomes one of tens.
    """
    import numpy as np
    import shapely

    features = []
    for grid in db.session.scalars(db.select(Grid).where(Grid.grid_id.in_(grid_ids)).order_by(Grid.grid_id)):
        shape = shapely.from_geojson(grid.geometry).simplify(_SKETCH_TOLERANCE_DEG, preserve_topology=True)
        rounded = shapely.transform(shape, lambda xy: np.round(xy, 5))
        if rounded.is_empty:
            continue
        features.append({"type": "Feature", "id": grid.grid_id,
                         "properties": {"grid_id": grid.grid_id, "name": grid.name},
                         "geometry": json.loads(shapely.to_geojson(rounded))})
    return {"type": "FeatureCollection", "features": features}


@bp.post("/results")
def create_result():
    """One stop's whole result (the phone app's call): outcome, checklist, hazards with photos, notice, check-in."""
    data = body()
    field_result = _field_result(data)
    rules, app = current_app.extensions["patrol"].rules, current_app

    def record() -> tuple[int, dict]:
        done = record_field_result(g.api_user, field_result, rules=rules, today=today(),
                                   far_m=app.config["FIELD_FAR_M"], secret=app.config["SECRET_KEY"])
        r, v = done.recorded, done.visit
        return 201, {"inspection": {"id": r.inspection.id, "venue_id": r.inspection.venue_id,
                                    "date": r.inspection.date.isoformat(),
                                    "team_id": r.inspection.team_id, "outcome": r.inspection.outcome,
                                    "notes": r.inspection.notes, "recorded_by": r.inspection.recorded_by},
                     "hazards": [{"hazard_id": h.hazard_id, "type": h.type, "severity": h.severity, "status": h.status,
                                  "deadline": h.deadline.isoformat() if h.deadline else None} for h in r.hazards],
                     "closed": [h.hazard_id for h in r.closed],
                     "checkin": {"method": v.method, "distance_m": v.distance_m, "far": v.far,
                                 "accuracy_m": v.accuracy_m},
                     "files": [{"id": f.id, "kind": f.kind, "hazard_id": f.hazard_id,
                                "media_type": f.media_type} for f in done.files],
                     "notice": None if done.notice is None else {"id": done.notice.id,
                                                                 "hazard_ids": done.notice.hazard_ids}}

    return written(record)


def _field_result(data: dict) -> FieldResult:
    result = StopResult(day=day(data, "day", today()), team_id=own_team(data),
                        venue_id=text(data, "venue_id", required=True),
                        outcome=text(data, "outcome") or "done", notes=text(data, "notes"), found=found(data),
                        fixed=texts(data, "fixed"))
    photos = tuple(tuple(_picture(p,
                                  f"hazards[{i}].photos[{k}]")
                                  for k, p in enumerate(_list(h, "photos", f"hazards[{i}].photos")))
                   for i, h in enumerate(data.get("hazards") or []))
    return FieldResult(result, checkin=_checkin(data.get("checkin")), checklist=texts(data, "checklist"),
                       photos=photos if any(photos) else (), notice=_notice(data.get("notice")),
                       campaign_checklist=_campaign_checklist(data))


def _campaign_checklist(data: dict) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """``campaign_checklist``: [{campaign_id, items}], items ticked of the running campaigns."""
    out = []
    for i, entry in enumerate(_list(data, "campaign_checklist", "campaign_checklist")):
        name = f"campaign_checklist[{i}]"
        campaign_id = entry.get("campaign_id") if isinstance(entry, dict) else None
        if isinstance(campaign_id, bool) or not isinstance(campaign_id, int) or not 0 < campaign_id <= MAX_ID:
            msg = _("%(name)s.campaign_id: should be a campaign's number", name=name)
            raise InputError(msg, file="request", field=f"{name}.campaign_id")
        items = entry.get("items") or []
        if not isinstance(items, list) or not all(isinstance(t, str) and "\x00" not in t for t in items):
            msg = _("%(name)s.items: should be a list of strings", name=name)
            raise InputError(msg, file="request", field=f"{name}.items")
        out.append((campaign_id, tuple(t.strip() for t in items)))
    return tuple(out)


def _list(data: dict, key: str, name: str) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        msg = _("%(name)s: should be a list", name=name)
        raise InputError(msg, file="request", field=name)
    return value


def _picture(value: object, name: str) -> bytes:
    """A picture sent as a data URL (``data:image/jpeg;base64,...``), decoded; its content is checked by the service."""
    if not isinstance(value, str) or len(value) > _MAX_DATA_URL or not _DATA_URL.match(value):
        msg = _("%(name)s: should be a picture as a data URL (data:image/jpeg;base64,…)", name=name)
        raise InputError(msg, file="request", field=name)
    try:
        return base64.b64decode(value[value.index(",") + 1 :], validate=True)
    except (binascii.Error, ValueError) as err:
        msg = _("%(name)s: is not valid base64", name=name)
        raise InputError(msg, file="request", field=name) from err


def _clock_time(at: str) -> int:
    """Seconds after midnight of ``at`` (:func:`gis.timeparse.parse_hhmm`), a time of the day: 00:00 to 23:59."""
    msg = _("at %(at)r: should be a time HH:MM", at=at)
    try:
        at_s = parse_hhmm(at)
    except ValueError as err:
        raise InputError(msg, file="request", field="at") from err
    if at_s >= 24 * 3600:  # 24:00 ends a shift; it is no moment to re-plan from
        raise InputError(msg, file="request", field="at")
    return at_s


def _number(data: dict, key: str, name: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = _("%(name)s: should be a number", name=name)
        raise InputError(msg, file="request", field=name)
    return float(value)


def _checkin(value: object) -> CheckIn:
    if value is None:
        return CheckIn()
    if not isinstance(value, dict):
        msg = _("checkin: should be an object {method, lon, lat, accuracy_m, at}")
        raise InputError(msg, file="request", field="checkin")
    at = text(value, "at")
    when = None
    if at:
        try:
            when = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError as err:
            msg = _("checkin.at %(at)r: should be an ISO time", at=at)
            raise InputError(msg, file="request", field="checkin.at") from err
        if when.tzinfo is not None:
            when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return CheckIn(
        method=text(value, "method") or "none",
        lon=_number(value, "lon", "checkin.lon"),
        lat=_number(value, "lat", "checkin.lat"),
        accuracy_m=_number(value, "accuracy_m", "checkin.accuracy_m"),
        at=when,
        qr_token=text(value, "qr_token"),
    )


def _notice(value: object) -> NoticeIn | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        msg = _("notice: should be an object")
        raise InputError(msg, file="request", field="notice")
    deadline = day(value, "deadline", dt.date.min)
    if deadline == dt.date.min:
        msg = _("notice.deadline: is required (the rectification deadline)")
        raise InputError(msg, file="request", field="notice.deadline")
    return NoticeIn(
        **{k: text(value, k) for k in ("measure", "responsible_unit", "responsible_person", "standard", "signer")},
        deadline=deadline,
        signature=_picture(value.get("signature"), "notice.signature"),
    )


@bp.get("/files/<int:file_id>")
def field_file(file_id: int):
    """A photo or signature, to a coordinator or a patrol of its team.

    The stored bytes, with the type read from their content.
    """
    row = (file_for(g.api_user, file_id) if 0 < file_id <= MAX_ID else None) or abort(404)
    response = Response(row.data, mimetype=row.media_type)
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Disposition"] = f'inline; filename="{row.kind}-{row.id}"'
    return response


@bp.get("/live")
def live():
    """``text/event-stream`` of the day's events (results, check-ins, re-plans), each with its team's summary.

    A coordinator gets every team's; a patrol its own team's (the phone learns of a new order so).
    The stream ends after ``LIVE_STREAM_S`` and the browser reconnects with ``Last-Event-ID``.
    """
    user = g.api_user
    if user.role not in ("coordinator", "patrol"):
        abort(403)
    after = request.headers.get("Last-Event-ID") or request.args.get("after") or "0"
    if not after.isdigit() or int(after) > MAX_ID:
        msg = _("Last-Event-ID: should be an event id")
        raise InputError(msg, file="request", field="Last-Event-ID")
    team = user.team_id if user.role == "patrol" else None
    stream = events_stream(current_app._get_current_object(), day=today(), after=int(after), team_id=team)
    return Response(
        stream, mimetype="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )


@bp.get("/live/state")
def live_state():
    """Every team's summary of the day now (the board's first picture; the stream keeps it current)."""
    if g.api_user.role != "coordinator":
        abort(403)
    on = today()
    teams = sorted(
        set(db.session.scalars(db.select(FieldVisit.team_id).where(FieldVisit.day == on))) | _planned_teams(on)
    )
    now = now_s()  # one moment for the whole picture
    return jsonify({"day": on.isoformat(), "now_s": now, "teams": [team_summary(on, tid, now) for tid in teams]})


def _planned_teams(on: dt.date) -> set[str]:
    from ledger.models import AddedStop, PlanRun, PlanStop

    planned = db.session.scalars(
        db.select(PlanStop.team_id)
        .join(PlanRun, PlanRun.id == PlanStop.plan_id)
        .where(PlanRun.status == "done", PlanStop.day == on)
        .distinct()
    )
    added = db.session.scalars(db.select(AddedStop.team_id).where(AddedStop.day == on).distinct())
    return set(planned) | set(added)


@bp.post("/replan")
def replan():
    """Re-plan the rest of today (coordinators): the done stops stay, ``drop`` teams get no new work, from ``at``."""
    from ..field_replan import replan_rest_of_day

    data = body()
    at = text(data, "at")
    at_s = now_s()
    if at:
        at_s = _clock_time(at)
    dropped = set(texts(data, "drop"))
    app = current_app._get_current_object()
    return written(lambda: (201, replan_rest_of_day(app, g.api_user, day=today(), at_s=at_s, dropped=dropped)))

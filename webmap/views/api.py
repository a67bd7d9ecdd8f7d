"""JSON API under /api/v1 for scripts (token auth) and pages (session), described by OpenAPI 3.

Errors are 400 ``{error, message, file, row, field}``; 401 without a valid token; 403 for a role
that may not do it; 404 for an unknown id.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from gis.errors import InputError
from ledger.lifecycle import LifecycleError, advance, close_by_recheck, commit_with_retry, record_hazard
from ledger.models import Hazard, Inspection, PlanRun, PlanStop, Team, User, Venue, db, hash_token

from ..context import MAX_ID, today

bp = Blueprint("api", __name__, url_prefix="/api/v1")
OUTCOMES = ("done", "closed_door", "refused")


@bp.before_request
def _authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = db.session.scalar(db.select(User).where(User.token_hash == hash_token(header.removeprefix("Bearer ").strip())))
        if user is None or not user.active:  # a disabled account's token no longer works
            abort(401)
        g.api_user = user
    elif current_user.is_authenticated:
        g.api_user = current_user
    else:
        abort(401)
    return None


@bp.errorhandler(HTTPException)
def _http_error(err: HTTPException):
    return jsonify({"error": err.name.lower().replace(" ", "_"), "message": err.description, "file": None, "row": None,
                    "field": None}), err.code


def _may(*roles: str) -> None:
    if g.api_user.role not in roles:
        abort(403)


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InputError("the request body should be a JSON object", file="request", field="body")
    return data


def _text(data: dict, key: str, *, required: bool = False, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        value = default
    if not isinstance(value, str) or (required and not value.strip()) or "\x00" in value:
        raise InputError(f"{key} should be a {'non-empty ' if required else ''}string without NUL characters",
                         file="request", field=key)
    return value.strip()


def _day(data: dict, key: str, default: dt.date) -> dt.date:
    value = _text(data, key)
    if not value:
        return default
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as err:
        raise InputError(f"{key} {value!r} should be a date YYYY-MM-DD", file="request", field=key) from err
    if day > today() + dt.timedelta(days=1):
        raise InputError(f"{key} {value} is in the future", file="request", field=key)
    return day


@contextlib.contextmanager
def _transaction() -> Iterator[None]:
    """Commit what the block adds, or roll all of it back."""
    try:
        yield
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def _venue(v: Venue) -> dict:
    return {"venue_id": v.venue_id, "name": v.name, "category": v.category, "address": v.address, "grid_id": v.grid_id,
            "lon": v.lon, "lat": v.lat, "open": v.open, "close": v.close,
            "last_inspected": v.last_inspected.isoformat() if v.last_inspected else None, "retired": bool(v.retired)}


def _hazard(h: Hazard) -> dict:
    return {"hazard_id": h.hazard_id, "venue_id": h.venue_id, "type": h.type, "severity": h.severity, "status": h.status,
            "found_on": h.found_on.isoformat(), "deadline": h.deadline.isoformat() if h.deadline else None,
            "supervised": h.supervised, "closed_on": h.closed_on.isoformat() if h.closed_on else None}


def _inspection(i: Inspection) -> dict:
    return {"id": i.id, "venue_id": i.venue_id, "date": i.date.isoformat(), "team_id": i.team_id, "outcome": i.outcome,
            "notes": i.notes, "recorded_by": i.recorded_by}


def _limit() -> int:
    try:
        return max(1, min(int(request.args.get("limit", "1000")), 10000))
    except ValueError as err:
        raise InputError("limit should be a whole number", file="request", field="limit") from err


@bp.get("/venues")
def venues():
    q = db.select(Venue).order_by(Venue.venue_id)
    if request.args.get("include_retired") not in ("1", "true"):  # retired venues only when asked for
        q = q.where(Venue.retired.is_(False))
    if request.args.get("grid_id"):
        q = q.where(Venue.grid_id == request.args["grid_id"])
    if request.args.get("category"):
        q = q.where(Venue.category == request.args["category"])
    return jsonify([_venue(v) for v in db.session.scalars(q.limit(_limit()))])


@bp.get("/hazards")
def hazards():
    q = db.select(Hazard).order_by(Hazard.hazard_id)
    if request.args.get("status"):
        q = q.where(Hazard.status == request.args["status"])
    return jsonify([_hazard(h) for h in db.session.scalars(q.limit(_limit()))])


@bp.post("/hazards")
def create_hazard():
    _may("coordinator", "patrol")
    data = _body()
    rules = current_app.extensions["patrol"].rules
    kind = _text(data, "type", required=True)
    if kind not in rules.hazard_types:
        raise InputError(f"type {kind!r} is not a hazard type of the rules", file="request", field="type")
    severity = _text(data, "severity") or rules.hazard_types[kind].severity
    if severity not in ("general", "major"):
        raise InputError(f"severity {severity!r} should be general or major", file="request", field="severity")
    venue_id = _text(data, "venue_id", required=True)
    if db.session.get(Venue, venue_id) is None:
        raise InputError(f"venue_id {venue_id!r} is not a venue", file="request", field="venue_id")
    found = _day(data, "found_on", today())
    description = _text(data, "description")
    hazard = commit_with_retry(lambda: record_hazard(
        venue_id=venue_id, type=kind, severity=severity, description=description, user=g.api_user.username,
        found_on=found, deadline=found + dt.timedelta(days=rules.hazard_types[kind].deadline_days)))
    return jsonify(_hazard(hazard)), 201


@bp.post("/hazards/<hazard_id>/events")
def hazard_event(hazard_id: str):
    _may("coordinator")
    h = db.session.get(Hazard, hazard_id) or abort(404)
    data = _body()
    action = _text(data, "action", required=True)
    fields = data.get("fields") or {}
    if not isinstance(fields, dict) or not all(isinstance(v, str) and "\x00" not in v + k for k, v in fields.items()):
        raise InputError("fields should be an object of strings", file="request", field="fields")
    try:
        if action == "close":
            close_by_recheck(h, user=g.api_user.username, on=_day(data, "recheck_on", today()), notes=_text(data, "notes"))
        else:
            advance(h, action, user=g.api_user.username, fields=fields)
        db.session.commit()
    except (LifecycleError, ValueError) as err:
        db.session.rollback()
        if isinstance(err, InputError):
            raise
        raise InputError(str(err), file=hazard_id, field="fields") from err
    return jsonify(_hazard(h))


@bp.get("/inspections")
def inspections():
    q = db.select(Inspection).order_by(Inspection.id)
    if request.args.get("venue_id"):
        q = q.where(Inspection.venue_id == request.args["venue_id"])
    return jsonify([_inspection(i) for i in db.session.scalars(q.limit(_limit()))])


@bp.post("/inspections")
def create_inspection():
    _may("coordinator", "patrol")
    data = _body()
    venue = db.session.get(Venue, _text(data, "venue_id", required=True))
    if venue is None:
        raise InputError(f"venue_id {data.get('venue_id')!r} is not a venue", file="request", field="venue_id")
    outcome = _text(data, "outcome") or "done"
    if outcome not in OUTCOMES:
        raise InputError(f"outcome {outcome!r} should be one of {', '.join(OUTCOMES)}", file="request", field="outcome")
    team_id = _text(data, "team_id")
    if team_id and db.session.get(Team, team_id) is None:
        raise InputError(f"team_id {team_id!r} is not a team", file="request", field="team_id")
    if g.api_user.role == "patrol" and team_id != g.api_user.team_id:
        abort(403)
    day = _day(data, "date", today())
    with _transaction():
        row = Inspection(venue_id=venue.venue_id, date=day, team_id=team_id, outcome=outcome, notes=_text(data, "notes"),
                         recorded_by=g.api_user.username)
        db.session.add(row)
        if outcome == "done" and (venue.last_inspected is None or venue.last_inspected < day):
            venue.last_inspected = day
    return jsonify(_inspection(row)), 201


@bp.get("/plans")
def plans():
    return jsonify([{"id": p.id, "start": p.start.isoformat(), "days": p.days, "status": p.status, "progress": p.progress,
                     "summary": p.summary} for p in db.session.scalars(db.select(PlanRun).order_by(PlanRun.id))])


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int):
    p = (db.session.get(PlanRun, plan_id) if plan_id <= MAX_ID else None) or abort(404)
    q = db.select(PlanStop).where(PlanStop.plan_id == plan_id)
    if g.api_user.role == "patrol":  # its own team's stops only
        q = q.where(PlanStop.team_id == g.api_user.team_id)
    stops = db.session.scalars(q.order_by(PlanStop.day, PlanStop.team_id, PlanStop.seq))
    return jsonify({"id": p.id, "start": p.start.isoformat(), "days": p.days, "status": p.status, "progress": p.progress,
                    "message": p.message, "summary": p.summary,
                    "stops": [{"day": s.day.isoformat(), "team_id": s.team_id, "seq": s.seq, "venue_id": s.venue_id,
                               "reason": s.reason, "arrive": s.arrive, "depart": s.depart} for s in stops]})


@bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)


def _error_schema() -> dict:
    return {"type": "object", "properties": {k: {"type": ["string", "integer", "null"]} for k in ("error", "message", "file", "row", "field")}}


_ERR = {"description": "bad input", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_AUTH = {"description": "no valid token"}
_LIST = {"description": "a list", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}
_OBJ = {"description": "one object", "content": {"application/json": {"schema": {"type": "object"}}}}


def _json_body(props: dict, required: list[str]) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": props, "required": required}}}}


OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "patrol API", "version": "1", "description": "Venues, hazards (closed loop), inspections and plans."},
    "servers": [{"url": "/"}],
    "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}, "schemas": {"Error": _error_schema()}},
    "security": [{"token": []}],
    "paths": {
        "/api/v1/venues": {"get": {"parameters": [{"name": "grid_id", "in": "query", "schema": {"type": "string"}},
                                                  {"name": "category", "in": "query", "schema": {"type": "string"}},
                                                  {"name": "include_retired", "in": "query", "schema": {"type": "string", "enum": ["0", "1", "true", "false"]},
                                                   "description": "1: retired venues too (left out by default)"},
                                                  {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                                   "responses": {"200": _LIST, "400": _ERR, "401": _AUTH}}},
        "/api/v1/hazards": {
            "get": {"parameters": [{"name": "status", "in": "query", "schema": {"type": "string"}},
                                   {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"200": _LIST, "400": _ERR, "401": _AUTH}},
            "post": {"requestBody": _json_body({"venue_id": {"type": "string"}, "type": {"type": "string"},
                                                "severity": {"type": "string", "enum": ["general", "major"]},
                                                "description": {"type": "string"}, "found_on": {"type": "string", "format": "date"}},
                                               ["venue_id", "type"]),
                     "responses": {"201": _OBJ, "400": _ERR, "401": _AUTH, "403": {"description": "role"}}},
        },
        "/api/v1/hazards/{hazard_id}/events": {"post": {
            "parameters": [{"name": "hazard_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "requestBody": _json_body({"action": {"type": "string", "enum": ["report", "rectify", "feedback", "close"]},
                                       "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                                       "recheck_on": {"type": "string", "format": "date"}, "notes": {"type": "string"}}, ["action"]),
            "responses": {"200": _OBJ, "400": _ERR, "401": _AUTH, "403": {"description": "role"}, "404": {"description": "unknown"}}}},
        "/api/v1/inspections": {
            "get": {"parameters": [{"name": "venue_id", "in": "query", "schema": {"type": "string"}},
                                   {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"200": _LIST, "400": _ERR, "401": _AUTH}},
            "post": {"requestBody": _json_body({"venue_id": {"type": "string"}, "date": {"type": "string", "format": "date"},
                                                "team_id": {"type": "string"}, "notes": {"type": "string"},
                                                "outcome": {"type": "string", "enum": list(OUTCOMES)}}, ["venue_id"]),
                     "responses": {"201": _OBJ, "400": _ERR, "401": _AUTH, "403": {"description": "role"}}},
        },
        "/api/v1/plans": {"get": {"responses": {"200": _LIST, "401": _AUTH}}},
        "/api/v1/plans/{plan_id}": {"get": {"parameters": [{"name": "plan_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}],
                                            "responses": {"200": _OBJ, "401": _AUTH, "404": {"description": "unknown"}}}},
    },
}

"""JSON API under /api/v1 for scripts (token auth) and pages (session), described by OpenAPI 3.

Errors are 400 ``{error, message, file, row, field}``; 401 without a valid token; 403 for a role
that may not do it; 404 for an unknown id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from gis.errors import InputError
from gis.io import OUTCOMES
from gis.rules import SEVERITIES
from ledger.idempotency import MAX_KEY_CHARS, ReusedKeyError, fingerprint, once
from ledger.models import (
    Hazard,
    Inspection,
    PlanRun,
    PlanStop,
    User,
    Venue,
    db,
    hash_token,
)
from ledger.results import (
    FoundHazard,
    NotAllowed,
    StopResult,
    add_stop,
    advance_hazard,
    close_hazard,
    record_result,
    report_hazard,
)
from ledger.store import KINDS
from ledger.transaction import transaction

from ..context import MAX_ID, api_error_body, get_or_404, today
from . import import_uploads, refuse

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.register_error_handler(NotAllowed, refuse)
IDEMPOTENCY_KEY = "Idempotency-Key"


@bp.before_request
def _authenticate():
    if request.endpoint == "api.openapi":
        return
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
    return


@bp.errorhandler(HTTPException)
def _http_error(err: HTTPException):
    return jsonify(api_error_body(err.code, err.name, err.description)), err.code


@bp.errorhandler(ReusedKeyError)
def _reused_key(err: ReusedKeyError):
    return jsonify({k: err.as_dict()[k] for k in ("error", "message", "file", "row", "field")}), 422


def _written(work: Callable[[], tuple[int, Any]]):
    """Do one write in one transaction; with an ``Idempotency-Key`` header, only once (a retry gets the first answer)."""
    key = request.headers.get(IDEMPOTENCY_KEY, "")
    if not key:
        with transaction():
            status, body = work()
        return jsonify(body), status
    if len(key) > MAX_KEY_CHARS or not key.isprintable():
        msg = f"{IDEMPOTENCY_KEY}：应为不超过 {MAX_KEY_CHARS} 个可打印字符 should be at most {MAX_KEY_CHARS} printable characters"
        raise InputError(msg, file="request", field=IDEMPOTENCY_KEY)
    asked = fingerprint(request.method, request.path, request.get_json(silent=True))
    answer = once(f"api:{g.api_user.id}:{key}", asked, work, field=IDEMPOTENCY_KEY)
    response = jsonify(answer.body)
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response, answer.status


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
        raise InputError(f"{key} {value!r}：应为日期 YYYY-MM-DD should be a date YYYY-MM-DD", file="request", field=key) from err
    return day


def _texts(data: dict, key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and "\x00" not in v for v in value):
        raise InputError(f"{key}：应为字符串列表 should be a list of strings", file="request", field=key)
    return tuple(v.strip() for v in value)


def _found(data: dict) -> tuple[FoundHazard, ...]:
    """The ``hazards`` of a result body: objects with type, severity and description."""
    value = data.get("hazards") or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InputError("hazards：应为对象列表 should be a list of objects {type, severity, description}", file="request",
                         field="hazards")
    return tuple(FoundHazard(_text(v, "type", required=True), _text(v, "severity"), _text(v, "description")) for v in value)


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
    data = _body()
    found = FoundHazard(_text(data, "type", required=True), _text(data, "severity"), _text(data, "description"))
    venue_id, on = _text(data, "venue_id", required=True), _day(data, "found_on", today())
    rules = current_app.extensions["patrol"].rules
    return _written(lambda: (201, _hazard(report_hazard(g.api_user, found, venue_id=venue_id, on=on, rules=rules, today=today(),
                                                        team_id=_text(data, "team_id") or None, file="request"))))


@bp.post("/hazards/<hazard_id>/events")
def hazard_event(hazard_id: str):
    h = get_or_404(Hazard, hazard_id)
    data = _body()
    action = _text(data, "action", required=True)
    fields = data.get("fields") or {}
    if not isinstance(fields, dict) or not all(isinstance(v, str) and "\x00" not in v + k for k, v in fields.items()):
        raise InputError("fields：应为字符串对象 should be an object of strings", file="request", field="fields")

    def step() -> tuple[int, dict]:
        if action == "close":
            close_hazard(g.api_user, h, on=_day(data, "recheck_on", today()), today=today(), team_id=_text(data, "team_id"),
                         notes=_text(data, "notes"), file="request")
        else:
            advance_hazard(g.api_user, h, action, fields=fields, file="request")
        return 200, _hazard(h)

    return _written(step)


@bp.get("/inspections")
def inspections():
    q = db.select(Inspection).order_by(Inspection.id)
    if request.args.get("venue_id"):
        q = q.where(Inspection.venue_id == request.args["venue_id"])
    return jsonify([_inspection(i) for i in db.session.scalars(q.limit(_limit()))])


@bp.post("/inspections")
def create_inspection():
    data = _body()
    result = StopResult(day=_day(data, "date", today()), team_id=_own_team(data), venue_id=_text(data, "venue_id", required=True),
                        outcome=_text(data, "outcome") or "done", notes=_text(data, "notes"))
    rules = current_app.extensions["patrol"].rules
    return _written(lambda: (201, _inspection(record_result(g.api_user, result, rules=rules, today=today(), file="request",
                                                            day_field="date").inspection)))


@bp.post("/results")
def create_result():
    """One stop's whole result (the phone app's call): outcome, notes, hazards found, hazards re-checked and fixed."""
    data = _body()
    result = StopResult(day=_day(data, "day", today()), team_id=_own_team(data), venue_id=_text(data, "venue_id", required=True),
                        outcome=_text(data, "outcome") or "done", notes=_text(data, "notes"), found=_found(data),
                        fixed=_texts(data, "fixed"))
    rules = current_app.extensions["patrol"].rules

    def record() -> tuple[int, dict]:
        done = record_result(g.api_user, result, rules=rules, today=today(), file="request")
        return 201, {"inspection": _inspection(done.inspection), "hazards": [_hazard(h) for h in done.hazards],
                     "closed": [h.hazard_id for h in done.closed]}

    return _written(record)


@bp.post("/stops")
def create_stop():
    """A coordinator adds a venue to a team's stops of a day (so that its patrol may record it)."""
    data = _body()
    day, team_id, venue_id = _day(data, "day", today()), _text(data, "team_id", required=True), _text(data, "venue_id", required=True)

    def added() -> tuple[int, dict]:
        stop = add_stop(g.api_user, day=day, team_id=team_id, venue_id=venue_id, file="request")
        return 201, {"day": stop.day.isoformat(), "team_id": stop.team_id, "venue_id": stop.venue_id, "added_by": stop.added_by}

    return _written(added)


@bp.post("/imports/<kind>")
def create_import(kind: str):
    """A layer file (multipart field ``file``) imported by a coordinator: how many rows were new, changed, unchanged."""
    if g.api_user.role != "coordinator":
        abort(403)
    return jsonify(import_uploads(kind, request.files.getlist("file"), crs=request.form.get("crs") or None,
                                  user=g.api_user.username).as_dict()), 200


def _own_team(data: dict) -> str:
    """The body's team_id; a patrol that leaves it out records for its own team."""
    team_id = _text(data, "team_id")
    return team_id or (g.api_user.team_id if g.api_user.role == "patrol" else "")


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


_KEY = [{"name": IDEMPOTENCY_KEY, "in": "header", "required": False, "schema": {"type": "string", "maxLength": MAX_KEY_CHARS},
         "description": "a retry with the same key gets the first answer; the same key with another body is a 422"}]
_WRITE = {"400": _ERR, "401": _AUTH, "403": {"description": "role, team, day or venue not allowed"},
          "422": {"description": "Idempotency-Key reused with another body"}}
_HAZARD_FOUND = {"type": "object", "properties": {"type": {"type": "string"}, "description": {"type": "string"},
                                                  "severity": {"type": "string", "enum": list(SEVERITIES)}}, "required": ["type"]}


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
            "post": {"parameters": _KEY,
                     "requestBody": _json_body({"venue_id": {"type": "string"}, "type": {"type": "string"},
                                                "severity": {"type": "string", "enum": list(SEVERITIES)},
                                                "description": {"type": "string"}, "found_on": {"type": "string", "format": "date"},
                                                "team_id": {"type": "string"}}, ["venue_id", "type"]),
                     "responses": {"201": _OBJ, **_WRITE}},
        },
        "/api/v1/hazards/{hazard_id}/events": {"post": {
            "parameters": [{"name": "hazard_id", "in": "path", "required": True, "schema": {"type": "string"}}, *_KEY],
            "requestBody": _json_body({"action": {"type": "string", "enum": ["report", "rectify", "feedback", "close"]},
                                       "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                                       "recheck_on": {"type": "string", "format": "date"}, "notes": {"type": "string"},
                                       "team_id": {"type": "string"}}, ["action"]),
            "responses": {"200": _OBJ, **_WRITE, "404": {"description": "unknown"}}}},
        "/api/v1/inspections": {
            "get": {"parameters": [{"name": "venue_id", "in": "query", "schema": {"type": "string"}},
                                   {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"200": _LIST, "400": _ERR, "401": _AUTH}},
            "post": {"parameters": _KEY,
                     "requestBody": _json_body({"venue_id": {"type": "string"}, "date": {"type": "string", "format": "date"},
                                                "team_id": {"type": "string"}, "notes": {"type": "string"},
                                                "outcome": {"type": "string", "enum": list(OUTCOMES)}}, ["venue_id"]),
                     "responses": {"201": _OBJ, **_WRITE}},
        },
        "/api/v1/results": {"post": {
            "parameters": _KEY,
            "requestBody": _json_body({"day": {"type": "string", "format": "date"}, "team_id": {"type": "string"},
                                       "venue_id": {"type": "string"}, "outcome": {"type": "string", "enum": list(OUTCOMES)},
                                       "notes": {"type": "string"}, "hazards": {"type": "array", "items": _HAZARD_FOUND},
                                       "fixed": {"type": "array", "items": {"type": "string"}}}, ["venue_id"]),
            "responses": {"201": _OBJ, **_WRITE}}},
        "/api/v1/stops": {"post": {
            "parameters": _KEY,
            "requestBody": _json_body({"day": {"type": "string", "format": "date"}, "team_id": {"type": "string"},
                                       "venue_id": {"type": "string"}}, ["team_id", "venue_id"]),
            "responses": {"201": _OBJ, **_WRITE}}},
        "/api/v1/imports/{kind}": {"post": {
            "parameters": [{"name": "kind", "in": "path", "required": True, "schema": {"type": "string", "enum": list(KINDS)}}],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": {"file": {"type": "string", "format": "binary"}, "crs": {"type": "string"}},
                "required": ["file"]}}}},
            "responses": {"200": _OBJ, "400": _ERR, "401": _AUTH, "403": {"description": "coordinators only"}}}},
        "/api/v1/plans": {"get": {"responses": {"200": _LIST, "401": _AUTH}}},
        "/api/v1/plans/{plan_id}": {"get": {"parameters": [{"name": "plan_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}],
                                            "responses": {"200": _OBJ, "401": _AUTH, "404": {"description": "unknown"}}}},
    },
}

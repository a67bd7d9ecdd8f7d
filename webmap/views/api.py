"""JSON API under /api/v1 for scripts (token auth) and pages (session), described by OpenAPI 3.

Errors are 400 ``{error, message, file, row, field}``; 401 without a valid token; 403 for a role
that may not do it; 404 for an unknown id.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from gis.errors import InputError
from gis.io import OUTCOMES
from gis.rules import SEVERITIES
from ledger import queries
from ledger.idempotency import MAX_KEY_CHARS, ReusedKeyError
from ledger.kpi import kpi_json
from ledger.models import Hazard, Inspection, PlanRun, Venue
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

from ..apikit import IDEMPOTENCY_KEY, authenticate, http_error, own_team, reused_key
from ..apikit import bbox as _bbox
from ..apikit import body as _body
from ..apikit import day as _day
from ..apikit import text as _text
from ..apikit import written as _written
from ..context import MAX_ID, get_or_404, today
from ..field_openapi import FIELD_PATHS
from . import import_uploads, refuse

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.register_error_handler(NotAllowed, refuse)


bp.before_request(authenticate)
bp.register_error_handler(HTTPException, http_error)
bp.register_error_handler(ReusedKeyError, reused_key)


def _venue(v: Venue) -> dict:
    return {"venue_id": v.venue_id, "name": v.name, "category": v.category, "address": v.address, "grid_id": v.grid_id,
            "lon": v.lon, "lat": v.lat, "open": v.open, "close": v.close,
            "last_inspected": v.last_inspected.isoformat() if v.last_inspected else None, "retired": bool(v.retired)}


def _hazard(h: Hazard) -> dict:
    return {"hazard_id": h.hazard_id, "venue_id": h.venue_id, "type": h.type, "severity": h.severity,
            "status": h.status,
            "found_on": h.found_on.isoformat(), "deadline": h.deadline.isoformat() if h.deadline else None,
            "supervised": h.supervised, "closed_on": h.closed_on.isoformat() if h.closed_on else None}


def _inspection(i: Inspection) -> dict:
    return {"id": i.id, "venue_id": i.venue_id, "date": i.date.isoformat(), "team_id": i.team_id, "outcome": i.outcome,
            "notes": i.notes, "recorded_by": i.recorded_by}


def _limit() -> int:
    try:
        return max(1, min(int(request.args.get("limit", "1000")), 10000))
    except ValueError as err:
        raise InputError(_("limit: should be a whole number"), file="request", field="limit") from err


@bp.get("/venues")
def venues():
    found = queries.api_venues(grid_id=request.args.get("grid_id", ""), category=request.args.get("category", ""),
                               include_retired=request.args.get("include_retired") in ("1", "true"),
                               bbox=_bbox(request.args.get("bbox", "")), limit=_limit())
    return jsonify([_venue(v) for v in found])


@bp.get("/hazards")
def hazards():
    return jsonify([_hazard(h) for h in queries.api_hazards(status=request.args.get("status", ""), limit=_limit())])


@bp.post("/hazards")
def create_hazard():
    data = _body()
    found = FoundHazard(_text(data, "type", required=True), _text(data, "severity"), _text(data, "description"))
    venue_id, on = _text(data, "venue_id", required=True), _day(data, "found_on", today())
    rules = current_app.extensions["patrol"].rules
    return _written(lambda: (201, _hazard(report_hazard(g.api_user, found, venue_id=venue_id, on=on, rules=rules,
                                                        today=today(),
                                                        team_id=_text(data, "team_id") or None, file="request"))))


@bp.post("/hazards/<hazard_id>/events")
def hazard_event(hazard_id: str):
    h = get_or_404(Hazard, hazard_id)
    data = _body()
    action = _text(data, "action", required=True)
    fields = data.get("fields") or {}
    if not isinstance(fields, dict) or not all(isinstance(v, str) and "\x00" not in v + k for k, v in fields.items()):
        raise InputError(_("fields: should be an object of strings"), file="request", field="fields")

    def step() -> tuple[int, dict]:
        if action == "close":
            close_hazard(g.api_user, h, on=_day(data, "recheck_on", today()), today=today(),
                         team_id=_text(data, "team_id"), notes=_text(data, "notes"), file="request")
        else:
            advance_hazard(g.api_user, h, action, fields=fields, file="request")
        return 200, _hazard(h)

    return _written(step)


@bp.get("/inspections")
def inspections():
    return jsonify([_inspection(i) for i in queries.api_inspections(venue_id=request.args.get("venue_id", ""),
                                                                    limit=_limit())])


@bp.post("/inspections")
def create_inspection():
    data = _body()
    result = StopResult(day=_day(data, "date", today()), team_id=own_team(data),
                        venue_id=_text(data, "venue_id", required=True),
                        outcome=_text(data, "outcome") or "done", notes=_text(data, "notes"))
    rules = current_app.extensions["patrol"].rules
    return _written(lambda: (201, _inspection(record_result(g.api_user, result, rules=rules, today=today(),
                                                            file="request", day_field="date").inspection)))


@bp.post("/stops")
def create_stop():
    """A coordinator adds a venue to a team's stops of a day (so that its patrol may record it)."""
    data = _body()
    day, team_id, venue_id = _day(data, "day", today()), _text(data, "team_id",
                                                               required=True), _text(data, "venue_id", required=True)

    def added() -> tuple[int, dict]:
        stop = add_stop(g.api_user, day=day, team_id=team_id, venue_id=venue_id, file="request")
        return 201, {"day": stop.day.isoformat(), "team_id": stop.team_id, "venue_id": stop.venue_id,
                     "added_by": stop.added_by}

    return _written(added)


@bp.post("/imports/<kind>")
def create_import(kind: str):
    """A layer file (multipart field ``file``) imported by a coordinator: how many rows were new, changed, unchanged."""
    if g.api_user.role != "coordinator":
        abort(403)
    return jsonify(import_uploads(kind, request.files.getlist("file"), crs=request.form.get("crs") or None,
                                  user=g.api_user.username).as_dict()), 200


@bp.get("/plans")
def plans():
    return jsonify([{"id": p.id, "start": p.start.isoformat(), "days": p.days, "status": p.status,
                     "progress": p.progress, "summary": p.summary} for p in queries.plan_runs()])


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int):
    p = get_or_404(PlanRun, plan_id)
    stops = queries.plan_stops(plan_id,
                               team_id=g.api_user.team_id if g.api_user.role == "patrol" else None)  # its own only
    return jsonify({"id": p.id, "start": p.start.isoformat(), "days": p.days, "status": p.status,
                    "progress": p.progress, "message": p.message, "summary": p.summary,
                    "stops": [{"day": s.day.isoformat(), "team_id": s.team_id, "seq": s.seq, "venue_id": s.venue_id,
                               "reason": s.reason, "arrive": s.arrive, "depart": s.depart} for s in stops]})


@bp.get("/kpi")
def kpi():
    """The ranking (考核) of one period by grid, worker, team or community.

    With the last period (coordinators, viewers).
    """
    if g.api_user.role not in ("coordinator", "viewer"):
        abort(403)
    return jsonify(kpi_json(request.args, rules=current_app.extensions["patrol"].rules, today=today()))


@bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)


def _error_schema() -> dict:
    return {"type": "object",
            "properties": {k: {"type": ["string", "integer", "null"]} for k in ("error", "message", "file",
                                                                                "row", "field")}}


_ERR = {"description": "bad input", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_AUTH = {"description": "no valid token"}
_LIST = {"description": "a list",
         "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}
_OBJ = {"description": "one object", "content": {"application/json": {"schema": {"type": "object"}}}}


_BBOX = {"name": "bbox", "in": "query", "style": "form", "explode": False,
         "schema": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
         "example": [121.40, 31.20, 121.50, 31.26],
         "description": "minlon,minlat,maxlon,maxlat (WGS84 degrees): only the venues in this box, edges included; "
                        "longitudes within -180..180, latitudes within -90..90, each minimum at most its maximum "
                        "(a box across 180° is two requests); anything else is a 400 naming the field bbox. "
                        "Found by a spatial index (PostGIS's GiST where the database has it)"}
_KEY = [{"name": IDEMPOTENCY_KEY, "in": "header", "required": False,
         "schema": {"type": "string", "maxLength": MAX_KEY_CHARS},
         "description": "a retry with the same key gets the first answer; the same key with another body is a 422"}]
_WRITE = {"400": _ERR, "401": _AUTH, "403": {"description": "role, team, day or venue not allowed"},
          "422": {"description": "Idempotency-Key reused with another body"}}


def _json_body(props: dict, required: list[str]) -> dict:
    return {"required": True,
            "content": {"application/json": {"schema": {"type": "object", "properties": props, "required": required}}}}


OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "patrol API", "version": "1",
             "description": "Venues, hazards (closed loop), inspections and plans."},
    "servers": [{"url": "/"}],
    "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
                   "schemas": {"Error": _error_schema()}},
    "security": [{"token": []}],
    "paths": {
        "/api/v1/venues": {"get": {"parameters": [{"name": "grid_id", "in": "query", "schema": {"type": "string"}},
                                                  {"name": "category", "in": "query", "schema": {"type": "string"}},
                                                  {"name": "include_retired", "in": "query",
                                                   "schema": {"type": "string", "enum": ["0", "1", "true", "false"]},
                                                   "description": "1: retired venues too (left out by default)"},
                                                  _BBOX,
                                                  {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                                   "responses": {"200": _LIST, "400": _ERR, "401": _AUTH}}},
        "/api/v1/hazards": {
            "get": {"parameters": [{"name": "status", "in": "query", "schema": {"type": "string"}},
                                   {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"200": _LIST, "400": _ERR, "401": _AUTH}},
            "post": {"parameters": _KEY,
                     "requestBody": _json_body({"venue_id": {"type": "string"}, "type": {"type": "string"},
                                                "severity": {"type": "string", "enum": list(SEVERITIES)},
                                                "description": {"type": "string"},
                                                "found_on": {"type": "string", "format": "date"},
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
                     "requestBody": _json_body({"venue_id": {"type": "string"},
                                                "date": {"type": "string", "format": "date"},
                                                "team_id": {"type": "string"}, "notes": {"type": "string"},
                                                "outcome": {"type": "string", "enum": list(OUTCOMES)}}, ["venue_id"]),
                     "responses": {"201": _OBJ, **_WRITE}},
        },
        "/api/v1/stops": {"post": {
            "parameters": _KEY,
            "requestBody": _json_body({"day": {"type": "string", "format": "date"}, "team_id": {"type": "string"},
                                       "venue_id": {"type": "string"}}, ["team_id", "venue_id"]),
            "responses": {"201": _OBJ, **_WRITE}}},
        "/api/v1/imports/{kind}": {"post": {
            "parameters": [{"name": "kind", "in": "path", "required": True,
                            "schema": {"type": "string", "enum": list(KINDS)}}],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}, "crs": {"type": "string"}},
                "required": ["file"]}}}},
            "responses": {"200": _OBJ, "400": _ERR, "401": _AUTH, "403": {"description": "coordinators only"}}}},
        "/api/v1/plans": {"get": {"responses": {"200": _LIST, "401": _AUTH}}},
        "/api/v1/plans/{plan_id}": {"get": {"parameters": [{"name": "plan_id", "in": "path", "required": True,
                                                            "schema": {"type": "integer", "minimum": 1,
                                                                       "maximum": MAX_ID}}],
                                            "responses": {"200": _OBJ, "401": _AUTH,
                                                          "404": {"description": "unknown"}}}},
        "/api/v1/kpi": {"get": {
            "summary": "The ranking (考核) of a period: measures, score, rank and the change against the last period",
            "parameters": [{"name": "period", "in": "query", "schema": {"type": "string",
                                                                        "enum": ["week", "month", "quarter"],
                                                                         "default": "month"}},
                           {"name": "by", "in": "query", "schema": {"type": "string",
                                                                    "enum": ["grid", "worker", "team", "community"],
                                                                     "default": "grid"}},
                           {"name": "on", "in": "query", "schema": {"type": "string", "format": "date"},
                            "description": "a day of the period (default today; not after today): "
                                           "the period runs to it"}],
            "responses": {"200": _OBJ, "400": _ERR, "401": _AUTH,
                          "403": {"description": "coordinators and viewers only"}}}},
        **FIELD_PATHS,
    },
}

"""What the API blueprints share: who calls, the error shapes, writes done once, and reading a JSON body's fields."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from flask import abort, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from gis.errors import InputError, PatrolError
from gis.i18n import N_
from ledger import queries
from ledger.idempotency import MAX_KEY_CHARS, ReusedKeyError, fingerprint, once
from ledger.results import FoundHazard
from ledger.spatial import Box
from ledger.transaction import transaction

from .context import current_lang

IDEMPOTENCY_KEY = "Idempotency-Key"
ERROR_FIELDS = ("error", "message", "file", "row", "field")  # the API's error body, as the OpenAPI documents say

_HTTP = {400: N_("Bad request"), 401: N_("Log in or give a valid API token"), 403: N_("Not allowed"),
         404: N_("No such address or record"), 405: N_("This address does not take this kind of request"),
         409: N_("Conflicts with a stored record"), 413: N_("The uploaded file is too large"),
         422: N_("This request cannot be processed"), 429: N_("Too many requests: try again a little later"),
         500: N_("Server error, logged")}
_FAILED = N_("The request failed")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)  # ASCII digits only: no nan, inf, 1_000, ١


def error_body(err: PatrolError) -> dict[str, object]:
    """The API's error body ``{error, message, file, row, field}`` of one of our errors (its ``as_dict``).

    An error without ``as_dict`` gives its class name and text, and no file, row or field.
    """
    info = err.as_dict() if hasattr(err, "as_dict") else {"error": type(err).__name__, "message": str(err)}
    return {k: info.get(k) for k in ERROR_FIELDS}


def http_error_body(code: int, name: str, description: str | None) -> dict[str, object]:
    """The API's error body for an HTTP error, its message Chinese first."""
    message = _(_HTTP.get(code, _FAILED)) if current_lang() == "zh" else ""
    message = f"{message} {description or name}".strip()
    return {**dict.fromkeys(ERROR_FIELDS), "error": name.lower().replace(" ", "_"), "message": message}


def error_response(err: PatrolError, status: int):
    """The JSON answer to one of our errors, with ``status``."""
    return jsonify(error_body(err)), status


def authenticate():
    """Who calls: a Bearer token's account, else the logged-in session's (401 for neither); ``g.api_user``."""
    if request.endpoint == "api.openapi":
        return
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = queries.user_for_token(header.removeprefix("Bearer ").strip())
        if user is None:
            abort(401)
        g.api_user = user
    elif current_user.is_authenticated:
        g.api_user = current_user
    else:
        abort(401)
    return


def http_error(err: HTTPException):
    return jsonify(http_error_body(err.code, err.name, err.description)), err.code


def reused_key(err: ReusedKeyError):
    return error_response(err, 422)


def written(work: Callable[[], tuple[int, Any]]):
    """Do one write in one transaction.

    With an ``Idempotency-Key`` header, only once (a retry gets the first answer).
    """
    key = request.headers.get(IDEMPOTENCY_KEY, "")
    if not key:
        with transaction():
            status, body = work()
        return jsonify(body), status
    if len(key) > MAX_KEY_CHARS or not key.isprintable():
        msg = _("%(field)s: should be at most %(n)d printable characters", field=IDEMPOTENCY_KEY, n=MAX_KEY_CHARS)
        raise InputError(msg, file="request", field=IDEMPOTENCY_KEY)
    asked = fingerprint(request.method, request.path, request.get_json(silent=True))
    answer = once(f"api:{g.api_user.id}:{key}", asked, work, field=IDEMPOTENCY_KEY)
    response = jsonify(answer.body)
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response, answer.status


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InputError(_("body: the request body should be a JSON object"), file="request", field="body")
    return data


def text(data: dict, key: str, *, required: bool = False, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        value = default
    if not isinstance(value, str) or (required and not value.strip()) or "\x00" in value:
        msg = (_("%(field)s: should be a non-empty string without NUL characters", field=key) if required
               else _("%(field)s: should be a string without NUL characters", field=key))
        raise InputError(msg, file="request", field=key)
    return value.strip()


def own_team(data: dict) -> str:
    """The body's ``team_id``; a patrol that leaves it out acts for its own team.

    Whether the caller may act for that team is the service's check (:func:`ledger.results.check_stop`).
    """
    return text(data, "team_id") or (g.api_user.team_id if g.api_user.role == "patrol" else "")


def day(data: dict, key: str, default: dt.date) -> dt.date:
    value = text(data, key)
    if not value:
        return default
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as err:
        msg = _("%(field)s %(value)r: should be a date YYYY-MM-DD", field=key, value=value)
        raise InputError(msg, file="request", field=key) from err
    return day


def texts(data: dict, key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and "\x00" not in v for v in value):
        raise InputError(_("%(field)s: should be a list of strings", field=key), file="request", field=key)
    return tuple(v.strip() for v in value)


def found(data: dict) -> tuple[FoundHazard, ...]:
    """The ``hazards`` of a result body: objects with type, severity and description."""
    value = data.get("hazards") or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InputError(_("hazards: should be a list of objects {type, severity, description}"), file="request",
                         field="hazards")
    return tuple(FoundHazard(text(v, "type", required=True), text(v, "severity"),
                             text(v, "description")) for v in value)



def bbox(value: str, *, field: str = "bbox") -> Box | None:
    """A query's ``minlon,minlat,maxlon,maxlat`` (WGS84 degrees) as a :class:`~ledger.spatial.Box`; ``None`` when empty.

    Four finite numbers, longitudes within ±180 and latitudes within ±90, each minimum at most its maximum
    (a box across 180° is two requests); anything else is an :class:`InputError` naming ``field``.
    """
    if not value.strip():
        return None
    shown = value if len(value) <= 80 else f"{value[:80]}…"
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 4 or not all(_NUMBER.fullmatch(p) for p in parts):
        msg = _("%(field)s %(value)r: should be four numbers minlon,minlat,maxlon,maxlat (WGS84 degrees)",
                field=field, value=shown)
        raise InputError(msg, file="request", field=field)
    box = Box(*(float(p) for p in parts))
    if not all(map(math.isfinite, box)) or not all(abs(v) <= 180 for v in box[::2]) \
            or not all(abs(v) <= 90 for v in box[1::2]):
        msg = _("%(field)s %(value)r: longitudes should lie within -180…180 and latitudes within -90…90",
                field=field, value=shown)
        raise InputError(msg, file="request", field=field)
    if box.min_lon > box.max_lon or box.min_lat > box.max_lat:
        msg = _("%(field)s %(value)r: a minimum is greater than its maximum (a box across 180° is two requests)",
                field=field, value=shown)
        raise InputError(msg, file="request", field=field)
    return box

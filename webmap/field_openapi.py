"""The field app's endpoints in the API's OpenAPI document, with who may call them (``x-permissions``)."""

from __future__ import annotations

from gis.io import OUTCOMES
from gis.rules import SEVERITIES
from ledger.field import MAX_PHOTO_BYTES, MAX_PHOTOS, MAX_SIGNATURE_BYTES, METHODS
from ledger.idempotency import MAX_KEY_CHARS
from ledger.roads import MARGIN_M, MAX_SEGMENTS, TOLERANCE_M

_ERR = {"description": "bad input: {error, message, file, row, field}, the field named",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_AUTH = {"description": "no valid token or session"}
_OBJ = {"description": "one object", "content": {"application/json": {"schema": {"type": "object"}}}}
_PICTURE = {"type": "string",
            "description": "a data URL, data:image/jpeg;base64,… (JPEG, PNG or WebP, checked by content)"}
_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
        "schema": {"type": "string", "maxLength": MAX_KEY_CHARS},
        "description": "a retry with the same key gets the first answer (header Idempotent-Replayed: true); "
                       "the same key with another body is a 422"}

_ROADS = {"type": "object", "description": "GeoJSON FeatureCollection (WGS84) of the roads near the day",
          "required": ["type", "features", "bbox", "segments", "segments_near", "cut"], "properties": {
              "type": {"type": "string", "enum": ["FeatureCollection"]},
              "features": {"type": "array", "items": {"type": "object", "properties": {
                  "type": {"type": "string", "enum": ["Feature"]}, "id": {"type": "integer"},
                  "properties": {"type": "object", "properties": {
                      "name": {"type": "string", "description": "as in the imported file: text, escape it"},
                      "highway": {"type": "string", "description": "the road's class ('' when not given)"}}},
                  "geometry": {"type": "object", "description": "LineString or MultiLineString"}}}},
              "bbox": {"type": "array", "nullable": True, "items": {"type": "number"}, "minItems": 4, "maxItems": 4,
                       "description": f"west, south, east, north: the stops' box widened by {MARGIN_M:.0f} m"},
              "segments": {"type": "integer", "description": "segments sent"},
              "segments_near": {"type": "integer", "description": "segments in the box before the cap"},
              "cut": {"type": "boolean", "description": "true when roads were left out to keep within the cap"}}}
_DAY = {"type": "object", "properties": {
    "day": {"type": "string", "format": "date"}, "plan_id": {"type": "integer", "nullable": True},
    "version": {"type": "string"}, "team": {"type": "object"}, "stops": {"type": "array", "items": {"type": "object"}},
    "grids": {"type": "object", "description": "GeoJSON FeatureCollection of the stops' grids"}, "roads": _ROADS,
    "tiles": {"type": "object", "nullable": True}}}

FIELD_PATHS = {
    "/api/v1/teams/{team_id}/today": {"get": {
        "summary": "A team's stops of a day in order, with everything the phone shows",
        "description": ("stops (in order, with navigation links, checklists, open hazards), grids (the stops' grids "
                        "as a GeoJSON FeatureCollection, simplified for the phone's offline route map), roads (the "
                        "imported road lines near the day: a GeoJSON FeatureCollection in WGS84, features with "
                        "properties name and highway, clipped to the box of the office and the stops widened by "
                        f"{MARGIN_M:.0f} m (bbox: [west, south, east, north]), simplified to {TOLERANCE_M:.0f} m; at "
                        "most FIELD_ROAD_SEGMENTS segments (default "
                        f"{MAX_SEGMENTS}), the main roads first: segments is what was sent, segments_near what "
                        "lay in the box, cut is true when some were left out; no features when no roads are "
                        "imported), tiles (null, or {url, attribution} when FIELD_TILE_URL is set), version "
                        "(changes with a re-plan)"),
        "x-permissions": "coordinator: any team; patrol: its own team only (403 otherwise); viewer: 403",
        "parameters": [{"name": "team_id", "in": "path", "required": True, "schema": {"type": "string"}},
                       {"name": "day", "in": "query", "schema": {"type": "string", "format": "date"},
                        "description": "default: today in the office's time zone"}],
        "responses": {"200": {"description": "the day", "content": {"application/json": {"schema": _DAY}}},
                      "400": _ERR, "401": _AUTH, "403": {"description": "not this user's team"},
                      "404": {"description": "unknown team"}}}},
    "/api/v1/results": {"post": {
        "summary": "One stop's whole result: outcome, checklist, hazards with photos, notice, check-in",
        "x-permissions": ("coordinator: any team; patrol: its own team, at a venue on its team's stops of that day "
                          "(a finished plan, or added by a coordinator), on or before today; viewer: 403"),
        "parameters": [_KEY],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["venue_id"], "properties": {
                "day": {"type": "string", "format": "date"}, "team_id": {"type": "string"},
                "venue_id": {"type": "string"}, "outcome": {"type": "string", "enum": list(OUTCOMES)},
                "notes": {"type": "string"},
                "checklist": {"type": "array", "items": {"type": "string"}, "description": "hazard type codes checked"},
                "fixed": {"type": "array", "items": {"type": "string"},
                          "description": "hazard ids re-checked and fixed (销号)"},
                "campaign_checklist": {
                    "type": "array",
                    "description": "items ticked of the campaigns (专项排查) running at the venue that day "
                                   "(the day's stops list them under campaigns)",
                    "items": {"type": "object", "required": ["campaign_id"], "properties": {
                        "campaign_id": {"type": "integer"},
                        "items": {"type": "array", "items": {"type": "string"}}}}},
                "hazards": {"type": "array", "items": {"type": "object", "required": ["type"], "properties": {
                    "type": {"type": "string"}, "severity": {"type": "string", "enum": list(SEVERITIES)},
                    "description": {"type": "string"},
                    "photos": {"type": "array", "maxItems": MAX_PHOTOS, "items": _PICTURE,
                               "description": f"each at most {MAX_PHOTO_BYTES // 1024} kB decoded"}}}},
                "checkin": {"type": "object", "properties": {
                    "method": {"type": "string", "enum": list(METHODS)}, "lon": {"type": "number"},
                    "lat": {"type": "number"},
                    "accuracy_m": {"type": "number"}, "at": {"type": "string", "format": "date-time"},
                    "qr_token": {"type": "string", "description": "the code of the venue's 扫码签到 QR"}},
                    "description": "WGS84; farther than FIELD_FAR_M (150 m) from the venue, or none, is flagged far"},
                "notice": {"type": "object", "description": "隐患整改通知书 for the hazards of this result",
                           "required": ["measure", "responsible_unit", "responsible_person", "deadline", "standard",
                                        "signer", "signature"],
                           "properties": {"measure": {"type": "string"}, "responsible_unit": {"type": "string"},
                                          "responsible_person": {"type": "string"},
                                          "deadline": {"type": "string", "format": "date"},
                                          "standard": {"type": "string"}, "signer": {"type": "string"},
                                          "signature": {**_PICTURE,
                                                        "description": "PNG, at most "
                                                                       f"{MAX_SIGNATURE_BYTES // 1024} kB"}}},
            }}}}},
        "responses": {"201": _OBJ, "400": _ERR, "401": _AUTH,
                      "403": {"description": "role, team, day or venue not allowed"},
                      "413": {"description": "request larger than MAX_CONTENT_LENGTH"},
                      "422": {"description": "Idempotency-Key reused with another body"}}}},
    "/api/v1/files/{file_id}": {"get": {
        "summary": "A photo or signature recorded in the field",
        "x-permissions": "coordinator; patrol of the team that recorded it (404 for others)",
        "parameters": [{"name": "file_id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1}}],
        "responses": {"200": {"description": "the picture",
                              "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}},
                      "401": _AUTH, "404": {"description": "unknown, or not this user's"}}}},
    "/api/v1/live": {"get": {
        "summary": "Server-Sent Events of today: result (with check-in, far flag and the team's summary) and replan",
        "x-permissions": "coordinator: every team's events; patrol: its own team's; viewer: 403",
        "parameters": [{"name": "Last-Event-ID", "in": "header", "schema": {"type": "integer"},
                        "description": "resume after this event (the browser sends it on reconnecting)"}],
        "responses": {"200": {"description": "the stream",
                              "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                      "401": _AUTH, "403": {"description": "viewer"}}}},
    "/api/v1/live/state": {"get": {
        "summary": "Every team's day so far (last position, done, remaining, late, flags)",
        "x-permissions": "coordinator",
        "responses": {"200": _OBJ, "401": _AUTH, "403": {"description": "not a coordinator"}}}},
    "/api/v1/replan": {"post": {
        "summary": "Re-plan the rest of today (patrol replan's logic): done stops stay; the phones get the new order",
        "x-permissions": "coordinator",
        "parameters": [_KEY],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": {
            "at": {"type": "string", "pattern": "^[0-2]?[0-9]:[0-5][0-9]$", "description": "default: now"},
            "drop": {"type": "array", "items": {"type": "string"},
                     "description": "teams out for the rest of the day"}}}}}},
        "responses": {"201": _OBJ, "400": _ERR, "401": _AUTH, "403": {"description": "not a coordinator"},
                      "422": {"description": "Idempotency-Key reused with another body"}}}},
}

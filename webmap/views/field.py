"""The phone app at /m (an installable PWA), the 隐患整改通知书 as a page and a PDF, and the venues' 扫码签到 codes."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ledger.field import may_see_team, venue_token
from ledger.field_models import FieldVisit, Notice
from ledger.models import Hazard, Team, Venue, db
from ledger.queries import teams

from ..context import MAX_ID, csp_nonce, get_or_404, public_url, today
from ..qrcodes import qr_data_uri
from . import requires

bp = Blueprint("field", __name__)
STATIC = Path(__file__).resolve().parents[1] / "static" / "field"


@bp.get("/m")
@requires("patrol", "coordinator")
def phone_root():
    return redirect(url_for("field.phone", **request.args))


@bp.get("/m/")
@requires("patrol", "coordinator")
def phone():
    """Today's route on the phone; a coordinator picks the team with ``?team=``."""
    team_id = current_user.team_id if current_user.role == "patrol" else request.args.get("team", "")
    team = db.session.get(Team, team_id) if team_id else None
    if current_user.role == "coordinator" and team is None:
        return render_template("field/pick_team.html", teams=teams())
    if team is None:
        abort(404)
    return render_template("field/phone.html", team=team, strings=_phone_strings(), nonce=csp_nonce())


@bp.get("/m/sw.js")
@requires("patrol", "coordinator")
def service_worker():
    """The service worker, served from /m/ so that its scope is the phone app."""
    response = send_file(STATIC / "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/m/manifest.webmanifest")
def manifest():
    """The app's install manifest: open, because browsers fetch it without cookies (it holds no data)."""
    import json

    body = {"name": _("Patrol field app"), "short_name": _("Patrol"), "start_url": url_for("field.phone"),
            "scope": url_for("field.phone"), "display": "standalone", "background_color": "#ffffff",
            "theme_color": "#17324d",
            "lang": "zh-CN", "icons": [{"src": url_for("static", filename="field/icon-192.png"), "sizes": "192x192",
                                        "type": "image/png"},
                                       {"src": url_for("static", filename="field/icon-512.png"), "sizes": "512x512",
                                        "type": "image/png"}]}
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")


def _phone_strings() -> dict[str, str]:
    """The words the phone's script shows (English msgids, translated for the user's language)."""
    words = {
        "Waiting to upload": _("Waiting to upload"),
        "Failed": _("Failed"),
        "Online": _("Online"),
        "Offline": _("Offline"),
        "Record": _("Record"),
        "Done": _("Done"),
        "Queued": _("Queued"),
        "Check in here": _("Check in here"),
        "Checked in": _("Checked in"),
        "far from the venue": _("far from the venue"),
        "Accuracy": _("Accuracy"),
        "Distance": _("Distance"),
        "No position: the check-in will be flagged": _("No position: the check-in will be flagged"),
        "Checklist": _("Checklist"),
        "Campaign": _("Campaign"),
        "Hazards in focus": _("Hazards in focus"),
        "Outcome": _("Outcome"),
        "Notes": _("Notes"),
        "Add a hazard": _("Add a hazard"),
        "Hazard type": _("Hazard type"),
        "Severity": _("Severity"),
        "General": _("General"),
        "Major": _("Major"),
        "Description": _("Description"),
        "Photos": _("Photos"),
        "Rectification notice": _("Rectification notice"),
        "Issue a rectification notice (隐患整改通知书)": _("Issue a rectification notice (隐患整改通知书)"),
        "Measure": _("Measure"),
        "Responsible unit": _("Responsible unit"),
        "Responsible person": _("Responsible person"),
        "Deadline": _("Deadline"),
        "Rectification standard": _("Rectification standard"),
        "Signed by": _("Signed by"),
        "Signature of the person in charge": _("Signature of the person in charge"),
        "Clear": _("Clear"),
        "Save": _("Save"),
        "Cancel": _("Cancel"),
        "Saved: it uploads when online": _("Saved: it uploads when online"),
        "Open hazards to re-check": _("Open hazards to re-check"),
        "Navigate": _("Navigate"),
        "AMap": _("AMap"),
        "Baidu": _("Baidu"),
        "Tencent": _("Tencent"),
        "Route sketch": _("Route sketch"),
        "Office": _("Office"),
        "No stops today": _("No stops today"),
        "Time window": _("Time window"),
        "Why due": _("Why due"),
        "Scanned the venue code": _("Scanned the venue code"),
        "Remove": _("Remove"),
        "Sign on the screen first": _("Sign on the screen first"),
        "Uploaded notices": _("Uploaded notices"),
        "The new order arrived": _("The new order arrived"),
        "The day could not be kept for offline use": _("The day could not be kept for offline use"),
        "Not allowed": _("Not allowed"),
        "Locating…": _("Locating…"),
        "Position unavailable": _("Position unavailable"),
        "Refresh": _("Refresh"),
        "Checked": _("Checked"),
        "Re-checked and fixed": _("Re-checked and fixed"),
        "Logged out: log in again to upload": _("Logged out: log in again to upload"),
    }
    return words


@bp.get("/notices/<int:notice_id>")
@requires("patrol", "coordinator")
def notice_page(notice_id: int):
    notice, venue, hazards, visit = _notice(notice_id)
    html = render_template("field/notice.html", notice=notice, venue=venue, hazards=hazards, visit=visit,
                           signature=url_for("field_api.field_file", file_id=notice.signature_id), pdf=False)
    if request.args.get("format") == "pdf":
        from ..sheets import pdf_available, sheets_pdf

        if not pdf_available():
            abort(404)
        import base64

        from ledger.field_models import FieldFile

        data = db.session.get(FieldFile, notice.signature_id)
        inline = f"data:{data.media_type};base64,{base64.b64encode(data.data).decode()}"
        printable = render_template("field/notice.html", notice=notice, venue=venue, hazards=hazards, visit=visit,
                                    signature=inline, pdf=True)
        return Response(sheets_pdf(printable), mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="notice-{notice.id}.pdf"'})
    return html


def _notice(notice_id: int):
    if not 0 < notice_id <= MAX_ID:
        abort(404)
    notice = db.session.get(Notice, notice_id)
    if notice is None or not may_see_team(current_user, notice.team_id):
        abort(404)  # another team's notice is not there for this patrol
    hazards = [db.session.get(Hazard, hid) for hid in notice.hazard_ids]
    return notice, db.session.get(Venue,
                                  notice.venue_id), [h for h in hazards
                                                     if h], db.session.get(FieldVisit, notice.visit_id)


@bp.get("/venues/<venue_id>/checkin-code")
@requires("coordinator")
def checkin_code(venue_id: str):
    """A printable 扫码签到 code to post at the venue: it opens the phone app with this venue's check-in."""
    venue = get_or_404(Venue, venue_id)
    query = urlencode({"checkin": venue.venue_id, "c": venue_token(current_app.config["SECRET_KEY"], venue.venue_id)})
    url = f"{public_url()}m/?{query}"
    return render_template("field/checkin_code.html", venue=venue, url=url, qr=qr_data_uri(url),
                           public_url_set=bool(current_app.config.get("PUBLIC_URL")), today=today())

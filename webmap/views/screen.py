"""The command-centre screen (数据大屏): one dark 1920×1080 page without navigation that reloads itself."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _

from ledger.screen import screen_numbers

from ..context import today
from . import requires

bp = Blueprint("screen", __name__)
REFRESH_S = 60  # a meta refresh: no script, nothing the CSP has to allow
HOTSPOT_DAYS = 90


@bp.route("/screen")
@requires("coordinator", "viewer")
def screen_page():
    numbers = screen_numbers(current_app.extensions["patrol"].rules, today())
    stage_labels = {"found": _("Found"), "reported": _("Reported"), "rectifying": _("Rectifying"),
                    "feedback": _("Awaiting re-check")}
    return render_template("screen/screen.html", s=numbers, refresh_s=REFRESH_S, hotspot_days=HOTSPOT_DAYS,
                           stage_labels=stage_labels)

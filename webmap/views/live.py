"""The coordinator's live board and the re-plan of the rest of the day.

Each team's day as it happens (Server-Sent Events).
"""

from __future__ import annotations

from flask import Blueprint, render_template

from ..context import format_now, today
from . import requires

bp = Blueprint("live", __name__)


@bp.get("/live")
@requires("coordinator")
def board():
    return render_template("field/live.html", day=today(), now=format_now())

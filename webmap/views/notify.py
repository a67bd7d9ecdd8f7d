"""The coordinator's page of warnings sent and failed, and the escalation cards shown on hazard pages and ledgers."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from ledger.models import Hazard
from ledger.notify import failed_count
from ledger.queries import notify_messages
from ledger.warnings import Card, escalation

from ..context import today
from . import requires

bp = Blueprint("notify", __name__)
STATUSES = ("sent", "failed", "sending")
SHOWN = 500


@bp.route("/notify")
@requires("coordinator")
def messages():
    status = request.args.get("status", "")
    messages, counts = notify_messages(status=status if status in STATUSES else "", limit=SHOWN)
    return render_template("notify/notify.html", messages=messages, counts=counts,
                           status=status if status in STATUSES else "", statuses=STATUSES, shown=SHOWN)


@bp.app_template_global()
def card_of(hazard: Hazard) -> Card | None:
    """The hazard's yellow or red card today (templates: the hazard page and the ledgers)."""
    return escalation(hazard, current_app.extensions["patrol"].rules.notify, today())


@bp.app_template_global()
def failed_messages() -> int:
    """Failed warnings, for the coordinator's front page (0 for everyone else)."""
    if not current_user.is_authenticated or current_user.role != "coordinator":
        return 0
    return failed_count()

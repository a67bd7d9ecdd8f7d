"""Retiring venues and teams, and bringing them back: the teams list and the venue page's button."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from ledger import queries
from ledger.models import Team, Venue
from ledger.retire import record_events, set_retired
from ledger.transaction import transaction

from ..context import get_or_404
from . import requires

bp = Blueprint("retire", __name__)


def _retire(kind: str, object_id: str) -> None:
    action = request.form.get("action", "")
    if action not in ("retire", "restore"):
        abort(400)
    with transaction():
        set_retired(kind, object_id, action == "retire", by=current_user)


@bp.route("/teams")
@requires("coordinator")
def teams():
    """Every team, in use or retired, with its retire/restore button and the trail of both."""
    return render_template("retire/teams.html", teams=queries.teams(in_use_only=False),
                           trail=record_events("team")[::-1])


@bp.route("/teams/<team_id>/retired", methods=["POST"])
@requires("coordinator")
def retire_team(team_id: str):
    get_or_404(Team, team_id)
    _retire("team", team_id)
    return redirect(url_for("retire.teams"))


@bp.route("/venues/<venue_id>/retired", methods=["POST"])
@requires("coordinator")
def retire_venue(venue_id: str):
    get_or_404(Venue, venue_id)
    _retire("venue", venue_id)
    return redirect(url_for("map.venue", venue_id=venue_id))

"""The coordinator's front page, the venue map with filters, and each venue's history."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from gis.coverage import venue_states, venue_status
from gis.rules import GROUPS
from ledger.models import Venue
from ledger.queries import front_page, venue_history
from ledger.retire import record_events

from ..context import current_lang, get_or_404, nonced, today
from ..data_problems import add_problem_banner
from ..maps import venue_state_map
from . import ANYONE, requires

bp = Blueprint("map", __name__)


@bp.route("/")
@requires(*ANYONE)
def index():
    return render_template("map/index.html", today=today(), **front_page(current_user, today()))


@bp.route("/map")
@requires(*ANYONE)
def map_page():
    layers = current_app.extensions["patrol"].layers(today())
    return render_template("map/map.html", communities=sorted(set(layers.grids["community"])),
                           grids=sorted(layers.grids.index),
                           categories=layers.rules.categories, groups=GROUPS, args=request.args)


@bp.route("/map/frame")
@requires(*ANYONE)
def map_frame():
    """The Folium map itself (shown in the map page's frame): grids, venues by state."""
    patrol = current_app.extensions["patrol"]

    def states():  # kept per data version: it reads every inspection and hazard
        layers = patrol.layers(today())
        status = venue_status(layers.venues, layers.rules, hazards=layers.hazards, inspections=layers.inspections)
        return venue_states(layers.venues, status, layers.hazards, today())

    def drawn() -> str:
        layers = patrol.layers(today())
        m = venue_state_map(layers, patrol.cache.get(("states", today()), states), lang=current_lang(), **filters)
        return add_problem_banner(m, layers.problems, current_lang()).get_root().render()

    filters = {key: request.args.get(key, "") for key in ("community", "grid", "group", "category")}
    if any(filters.values()):  # a filtered map is smaller; kept, every combination would pile up until a write
        return nonced(drawn())
    # The whole map, drawn once per data version and language: at 20,000 venues drawing it takes ~0.8 s of the
    # one interpreter that every request of the server shares. The nonce goes on after, per response.
    return nonced(patrol.cache.get(("map frame", today(), current_lang()), drawn))


@bp.route("/venues/<venue_id>")
@requires(*ANYONE)
def venue(venue_id: str):
    v = get_or_404(Venue, venue_id)
    return render_template("map/venue.html", v=v, rules=current_app.extensions["patrol"].rules,
                           trail=record_events("venue", venue_id), **venue_history(venue_id))

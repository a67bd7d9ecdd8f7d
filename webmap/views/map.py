"""The coordinator's front page, the venue map with filters, and each venue's history."""

from __future__ import annotations

import datetime as dt

import folium
import pandas as pd
from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from gis.rules import GROUPS
from ledger.lifecycle import deadline_warnings
from ledger.models import Hazard, HazardEvent, Inspection, PlanRun, PlanStop, Venue, db
from ledger.retire import record_events
from planner.horizon import venue_status

from ..layers import detail_zoom, grid_layer, venue_state_layers, venue_status_classes, venue_summary_layer
from ..maps import base_map
from ..context import current_lang, nonced, today
from ..data_problems import add_problem_banner
from . import ANYONE, requires

bp = Blueprint("map", __name__)



@bp.route("/")
@requires(*ANYONE)
def index():
    warnings = deadline_warnings(today()) if current_user.role == "coordinator" else {"overdue": [], "due_soon": []}
    names = {v.venue_id: v.name for v in db.session.scalars(db.select(Venue))}
    plans = db.session.scalars(db.select(PlanRun).order_by(PlanRun.id.desc()).limit(5)).all()
    counts = {s: db.session.scalar(db.select(db.func.count()).select_from(Hazard).where(Hazard.status == s))
              for s in ("found", "reported", "rectifying", "feedback", "closed")}
    my_sheets = set()
    if current_user.role == "patrol":  # the plans in which the patrol's own team has stops
        my_sheets = set(db.session.scalars(db.select(PlanStop.plan_id).where(
            PlanStop.plan_id.in_([p.id for p in plans]), PlanStop.team_id == current_user.team_id).distinct()))
    return render_template("index.html", warnings=warnings, names=names, plans=plans, counts=counts, today=today(),
                           my_sheets=my_sheets)


def _filtered(layers, args):
    venues = layers.venues
    grids = layers.grids
    if args.get("community"):
        grids = grids[grids["community"] == args["community"]]
        venues = venues[venues["grid_id"].isin(grids.index)]
    if args.get("grid"):
        venues = venues[venues["grid_id"] == args["grid"]]
    if args.get("group"):
        venues = venues[venues["category"].map(lambda c: layers.rules.categories[c].group) == args["group"]]
    if args.get("category"):
        venues = venues[venues["category"] == args["category"]]
    return grids, venues


@bp.route("/map")
@requires(*ANYONE)
def map_page():
    layers = current_app.extensions["patrol"].layers(today())
    return render_template("map.html", communities=sorted(set(layers.grids["community"])), grids=sorted(layers.grids.index),
                           categories=layers.rules.categories, groups=GROUPS, args=request.args)


def _states(layers) -> pd.Series:
    """Each venue's worst state today (kept per data version: it reads every inspection and hazard)."""
    status = venue_status(layers.venues, layers.rules, hazards=layers.hazards, inspections=layers.inspections)
    return venue_status_classes(layers.venues, status, layers.hazards, today())


@bp.route("/map/frame")
@requires(*ANYONE)
def map_frame():
    """The Folium map itself (shown in the map page's frame): grids, venues by state."""
    patrol = current_app.extensions["patrol"]
    states = patrol.cache.get(("states", today()), lambda: _states(patrol.layers(today())))
    layers = patrol.layers(today())
    grids, venues = _filtered(layers, request.args)
    lang = current_lang()
    m = base_map(grids if len(grids) else layers.grids, lang=lang)
    if len(grids):  # a filter that matches no grid shows the whole street, empty
        grid_layer(grids, lang=lang).add_to(m)
    min_zoom = detail_zoom(len(venues))
    if min_zoom is not None and len(grids):  # a district: a summary per grid until single venues are readable
        venue_summary_layer(grids, venues, states, lang=lang).add_to(m)
    for layer in venue_state_layers(venues, states, layers.rules, lang=lang, min_zoom=min_zoom):
        layer.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return nonced(add_problem_banner(m, layers.problems, lang).get_root().render())


@bp.route("/venues/<venue_id>")
@requires(*ANYONE)
def venue(venue_id: str):
    v = db.session.get(Venue, venue_id) or abort(404)
    inspections = db.session.scalars(db.select(Inspection).where(Inspection.venue_id == venue_id).order_by(Inspection.date.desc())).all()
    hazards = db.session.scalars(db.select(Hazard).where(Hazard.venue_id == venue_id).order_by(Hazard.found_on.desc())).all()
    events = db.session.scalars(db.select(HazardEvent).where(HazardEvent.hazard_id.in_([h.hazard_id for h in hazards]))
                                .order_by(HazardEvent.id)).all()
    return render_template("venue.html", v=v, inspections=inspections, hazards=hazards, events=events,
                           rules=current_app.extensions["patrol"].rules, trail=record_events("venue", venue_id))

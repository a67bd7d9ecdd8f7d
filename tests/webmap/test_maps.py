"""The plan map: layers named in Chinese, one route per team and day, no CDN, opens offline."""

from __future__ import annotations

from pathlib import Path

import folium
import pandas as pd
import pytest

from conftest import PLAN_DAY
from gis.layers import read_layers
from planner import PlanParams, SolveParams, plan_days, routes_frame, stops_table
from webmap.maps import plan_map
from webmap.points import CanvasPoints, NumberedStops

DEMO_TEAMS = Path(__file__).resolve().parents[2] / "data" / "demo" / "teams.csv"


@pytest.fixture
def planned(instance):
    layers = read_layers(grids=instance["grids"], venues=instance["venues"], teams=instance["teams"], as_of=PLAN_DAY)
    plan = plan_days(venues=layers.venues, teams=layers.teams, rules=layers.rules, start=PLAN_DAY,
                     params=PlanParams(solve=SolveParams(time_limit_s=1)), grids=layers.grids)
    stops = stops_table(plan, layers.venues)
    return layers, stops, routes_frame(plan, stops)


def _groups(m: folium.Map) -> dict[str, folium.FeatureGroup]:
    return {child.layer_name: child for child in m._children.values() if isinstance(child, folium.FeatureGroup)}


def test_layers_are_named_in_chinese_with_one_route_per_team(planned):
    layers, stops, routes = planned
    m = plan_map(stops, routes, grids=layers.grids, venues=layers.venues, teams=layers.teams, rules=layers.rules)
    names = list(_groups(m))
    assert names[0] == "网格"
    assert any(n.startswith("九小场所 (") for n in names)
    route_names = [n for n in names if n.startswith("路线 ")]
    assert len(route_names) == stops.groupby(["team_id", "day"]).ngroups > 0
    assert "出发点" in names
    assert isinstance(list(m._children.values())[-1], folium.LayerControl)  # layer control last
    for name in route_names:
        team_name = name.split(" ")[1]
        team_id = layers.teams.index[layers.teams["name"] == team_name][0]
        children = list(_groups(m)[name]._children.values())
        numbered = [c for c in children if isinstance(c, NumberedStops)]
        assert [n.count for n in numbered] == [(stops["team_id"] == team_id).sum()]
        assert numbered[0].labels == [str(n) for n in stops[stops["team_id"] == team_id]["seq"]]
        assert not any(isinstance(c, folium.Marker) for c in children)  # one script per route, not a marker a stop


def test_venue_layers_hold_every_venue_once(planned):
    layers, stops, routes = planned
    m = plan_map(stops, routes, grids=layers.grids, venues=layers.venues, teams=layers.teams, rules=layers.rules)
    points = [c for g in _groups(m).values() for c in g._children.values() if isinstance(c, CanvasPoints)]
    assert sum(p.count for p in points) == len(layers.venues)
    assert sorted(n for p in points for n in p.columns["name"]) == sorted(layers.venues["name"])
    assert not any(isinstance(c, folium.CircleMarker) for g in _groups(m).values() for c in g._children.values())
    assert all(p.min_zoom is None for p in points)  # a street: every venue at every zoom


def test_map_html_needs_no_cdn(planned):
    layers, stops, routes = planned
    html = plan_map(stops, routes, grids=layers.grids, venues=layers.venues, teams=layers.teams,
                    rules=layers.rules).get_root().render()
    assert "cdn.jsdelivr" not in html and "code.jquery.com" not in html and "cdnjs" not in html
    assert "L.map(" in html and "jQuery" in html  # Leaflet and jQuery are inlined


def test_scale_bar_is_in_metres_only(demo_plan):
    html = (demo_plan / "map.html").read_text(encoding="utf-8")
    assert "L.control.scale({imperial: false})" in html
    assert '"imperial": true' not in html and "imperial: true" not in html


def test_sheets_name_where_each_team_sets_out(demo_plan):
    teams = pd.read_csv(DEMO_TEAMS, dtype=str)
    html = (demo_plan / "sheets.html").read_text(encoding="utf-8")
    for name in teams["start_name"]:
        assert f"{name}（" in html  # the office's name, then its coordinates


def test_a_district_plan_map_summarises_the_plan_per_grid_and_shows_venues_from_the_detail_zoom(planned):
    """Above DETAIL_FROM_VENUES venues: the venues on canvas from DETAIL_ZOOM on, below it each grid's stops and
    must visits left unplanned; no marker per venue or per stop."""
    from webmap.layers import DETAIL_FROM_VENUES, DETAIL_ZOOM

    layers, stops, routes = planned
    copies = DETAIL_FROM_VENUES // len(layers.venues) + 1
    venues = pd.concat([layers.venues] + [layers.venues.set_axis([f"{v}-{k}" for v in layers.venues.index])
                                          for k in range(1, copies)])
    unplanned = [v for v in venues.index if v not in set(stops["venue_id"])][:7]
    m = plan_map(stops, routes, grids=layers.grids, venues=venues, teams=layers.teams, rules=layers.rules,
                 unplanned=unplanned)
    groups = _groups(m)
    points = [c for g in groups.values() for c in g._children.values() if isinstance(c, CanvasPoints)]
    assert sum(p.count for p in points) == len(venues) > DETAIL_FROM_VENUES
    assert all(p.min_zoom == DETAIL_ZOOM for p in points)
    summary = groups["计划概况（按网格，放大显示各场所）"]
    features = next(c for c in summary._children.values() if isinstance(c, folium.GeoJson)).data["features"]
    assert len(features) == len(layers.grids)
    assert sum(f["properties"]["venues"] for f in features) == len(venues)
    assert sum(f["properties"]["planned"] for f in features) == len(stops)
    assert sum(f["properties"]["unplanned"] for f in features) == 7
    assert not any(isinstance(c, (folium.Marker, folium.CircleMarker)) for g in groups.values()
                   for c in g._children.values() if g.layer_name != "出发点")


@pytest.mark.browser
def test_in_chromium_each_stop_of_the_first_day_is_a_numbered_marker(demo_plan, browser):
    stops = pd.read_csv(demo_plan / "stops.csv", dtype=str)
    first = stops[stops["day"] == stops["day"].min()]
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((demo_plan / "map.html").as_uri())
    page.wait_for_function("() => Object.values(window).some(v => v instanceof L.Map)")
    labels = page.evaluate("""() => { const map = Object.values(window).find(v => v instanceof L.Map), out = [];
        map.eachLayer(l => { if (l instanceof L.Marker && l.getTooltip() && /border-radius:50%/.test(
            l.options.icon.options.html || "")) out.push(l.options.icon.options.html.replace(/<[^>]*>/g, "")); });
        return out; }""")
    page.close()
    assert errors == []
    assert sorted(labels) == sorted(first["seq"])  # the routes of the first day are shown, one marker a stop

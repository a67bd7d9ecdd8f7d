"""Planning along real roads, end to end: access legs, venues too far from any street, clipped
extracts, and plans the road-aware checker accepts."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString

from checker import check_plan
from synth import ORIGIN, write_clipped_instance, write_instance, write_osm

FAR = (ORIGIN[0] + 0.011, ORIGIN[1] + 0.0173)  # 807 m north of the last street


def _plan(paths, road_file, out, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "patrol", "plan", "--grids", str(paths["grids"]), "--venues",
                           str(paths["venues"]),
                           "--teams", str(paths["teams"]), "--date", "2026-11-23", "--roads", str(road_file),
                           "--no-pdf", "--quiet", "--out", str(out), *extra], capture_output=True, text=True)


def _southern_streets(step: float = 0.002) -> list[LineString]:
    """Streets over the southern half of the instance's box only (the north has none)."""
    x0, y0 = ORIGIN
    return ([LineString([(x0 + t, y0), (x0 + t, y0 + 0.01)]) for t in np.arange(0, 0.02 + 1e-9, step)]
            + [LineString([(x0, y0 + t), (x0 + 0.02, y0 + t)]) for t in np.arange(0, 0.01 + 1e-9, step)])


@pytest.fixture
def far_venue(tmp_path):
    """The 30-venue instance moved into the southern half, plus a venue 807 m from every street."""
    paths = write_instance(tmp_path, n_venues=30, n_teams=2, seed=7)
    venues = pd.read_csv(paths["venues"], dtype=str)
    venues["lat"] = (ORIGIN[1] + 0.0005 + (venues["lat"].astype(float) - ORIGIN[1]) * 0.42).round(6).astype(str)
    far = venues.iloc[[0]].assign(venue_id="FAR", name="远离道路的场所", lon=str(FAR[0]), lat=str(FAR[1]),
                                  last_inspected="")
    pd.concat([venues, far]).to_csv(paths["venues"], index=False)
    return paths


@pytest.mark.parametrize("suffix", ["geojson", "osm"])
def test_a_venue_800_m_from_every_street_is_unreachable_and_the_rest_follow_the_streets(tmp_path, far_venue, suffix):
    lines = _southern_streets()
    road_file = tmp_path / f"roads.{suffix}"
    if suffix == "osm":  # a motorway passes the far venue: not for teams on foot, so it stays unreachable
        motorway = LineString([(FAR[0] - 0.001, FAR[1] - 0.0003), (FAR[0] + 0.01, FAR[1] - 0.0003)])
        write_osm(road_file, [*lines, motorway], [{"highway": "residential"}] * len(lines) + [{"highway": "motorway"}])
    else:
        gpd.GeoDataFrame({"highway": ["residential"] * len(lines)}, geometry=lines,
                         crs="EPSG:4326").to_file(road_file, driver="GeoJSON")
    out = tmp_path / "plan"
    run = _plan(far_venue, road_file, out, "--time-limit", "2", "--max-access-m", "500")
    assert run.returncode == 0, run.stderr
    unassigned = pd.read_csv(out / "unassigned.csv", dtype=str).set_index("venue_id")["reason"]
    assert unassigned["FAR"] == "unreachable"
    assert (unassigned == "unreachable").sum() == 1
    common = dict(grids=far_venue["grids"], venues=far_venue["venues"], teams=far_venue["teams"], date="2026-11-23")
    assert check_plan(out, roads=road_file, **common) == []
    stops = pd.read_csv(out / "stops.csv")
    routes = gpd.read_file(out / "routes.geojson")
    lines_drawn = routes[routes["kind"] == "route"]
    for line, team in zip(lines_drawn.geometry, lines_drawn["team_id"]):
        assert len(line.coords) > 2 * (stops["team_id"] == team).sum()  # bends at the corners between stops
    points = routes[routes["kind"] == "stop"]
    assert points["access_m"].between(0, 500).all() and points["road_lon"].notna().all()
    assert (points["access_m"] > 1).mean() > 0.8  # venues sit off the streets: each walks a leg to its own foot
    assert (out / "map.html").read_text(encoding="utf-8").count('"dashArray": "4 5"') >= 2 * len(stops)  # in and out
    assert (out / "sheets.html").read_text(encoding="utf-8").count('class="access"') >= 2 * len(stops)


def test_a_longer_max_access_lets_the_far_venue_in(tmp_path, far_venue):
    road_file = tmp_path / "roads.geojson"
    gpd.GeoDataFrame(geometry=_southern_streets(), crs="EPSG:4326").to_file(road_file, driver="GeoJSON")
    out = tmp_path / "plan"
    run = _plan(far_venue, road_file, out, "--time-limit", "2", "--max-access-m", "900")
    assert run.returncode == 0, run.stderr
    unassigned = pd.read_csv(out / "unassigned.csv", dtype=str)
    assert "unreachable" not in set(unassigned["reason"])
    common = dict(grids=far_venue["grids"], venues=far_venue["venues"], teams=far_venue["teams"], date="2026-11-23")
    assert check_plan(out, roads=road_file, max_access_m=900, **common) == []


def test_a_clipped_drivable_extract_plans_with_at_most_two_percent_unreachable(tmp_path):
    paths = write_clipped_instance(tmp_path / "in", n_venues=250)
    out = tmp_path / "plan"
    run = _plan(paths, paths["roads"], out, "--time-limit", "5")
    assert run.returncode == 0, run.stderr
    unassigned = pd.read_csv(out / "unassigned.csv", dtype=str)
    assert (unassigned["reason"] == "unreachable").sum() <= 0.02 * 250
    common = dict(grids=paths["grids"], venues=paths["venues"], teams=paths["teams"], date="2026-11-23")
    assert check_plan(out, roads=paths["roads"], **common) == []  # unreachable ones included: none a team could reach


def test_replan_follows_the_roads_too(tmp_path, far_venue):
    road_file = tmp_path / "roads.geojson"
    gpd.GeoDataFrame(geometry=_southern_streets(), crs="EPSG:4326").to_file(road_file, driver="GeoJSON")
    plan = tmp_path / "plan"
    assert _plan(far_venue, road_file, plan, "--time-limit", "2").returncode == 0
    stops = pd.read_csv(plan / "stops.csv", dtype=str)
    stops.iloc[[0]][["venue_id"]].to_csv(tmp_path / "done.csv", index=False)
    rest = tmp_path / "rest"
    run = subprocess.run([sys.executable, "-m", "patrol", "replan", "--grids", str(far_venue["grids"]), "--venues",
                          str(far_venue["venues"]),
                          "--teams", str(far_venue["teams"]), "--date", "2026-11-23", "--plan", str(plan), "--done",
                          str(tmp_path / "done.csv"),
                          "--at", "10:30", "--time-limit", "2", "--roads", str(road_file), "--max-access-m", "500",
                          "--quiet", "--out", str(rest)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    routes = gpd.read_file(rest / "routes.geojson")
    new_points = routes[(routes["kind"] == "stop") & (routes["venue_id"] != stops["venue_id"].iat[0])]
    assert new_points["road_lon"].notna().all()
    assert "FAR" not in set(routes["venue_id"].dropna())
    assert pd.read_csv(rest / "unassigned.csv", dtype=str).set_index("venue_id").at["FAR", "reason"] == "unreachable"


def test_a_team_whose_start_is_far_from_every_street_is_named_in_a_warning(far_venue):
    from gis.coverage import venue_status
    from gis.errors import DataWarning
    from gis.layers import read_layers
    from gis.roads import RoadNetwork
    from gis.rules import DEFAULT_RULES_PATH
    from planner.plan import build_problem

    layers = read_layers(grids=far_venue["grids"], venues=[far_venue["venues"]], teams=far_venue["teams"],
                         as_of=dt.date(2026, 11, 22), rules=DEFAULT_RULES_PATH)
    teams = layers.teams.set_geometry(gpd.points_from_xy([FAR[0], layers.teams.geometry.x.iat[1]],
                                                         [FAR[1], layers.teams.geometry.y.iat[1]], crs="EPSG:4326"))
    network = RoadNetwork.from_lines(gpd.GeoDataFrame(geometry=_southern_streets(), crs="EPSG:4326"), "EPSG:32649")
    ids = [v for v in layers.venues.index if v != "FAR"][:5]
    with pytest.warns(DataWarning, match=r"team T1: its start is more than 500 m from every street"):
        problem = build_problem(dt.date(2026, 11, 23), [(v, "due", True) for v in ids],
                                venues=layers.venues, teams=teams,
                                status=venue_status(layers.venues, layers.rules), rules=layers.rules, crs="EPSG:32649",
                                roads=network, max_access_m=500)
    assert (problem.travel_s["walk"][0, 2:] >= 10**8).all() and (problem.travel_s["walk"][1, 2:] < 10**8).all()


def test_split_access_cuts_the_legs_out_of_a_route_line():
    from planner.tables import split_access

    office, foot0, v1, foot1 = (0.0, 0.0), (0.0, 0.001), (0.0005, 0.0015), (0.001, 0.001)
    line = [office, foot0, foot1, v1, foot1, (0.002, 0.001), (0.002, 0.0), office]
    on_road, access = split_access(line, [(foot0, office), (foot1, v1)])
    assert access == [[office, foot0], [foot1, v1], [v1, foot1]]
    assert on_road == [[foot0, foot1], [foot1, (0.002, 0.001), (0.002, 0.0), office]]


def test_a_partitioned_plan_on_roads_draws_along_the_streets_with_its_access_legs(tmp_path):
    paths = write_clipped_instance(tmp_path / "in", n_venues=120)
    out = tmp_path / "plan"
    run = _plan(paths, paths["roads"], out, "--time-limit", "2", "--partition", "community", "--workers", "1")
    assert run.returncode == 0, run.stderr
    routes = gpd.read_file(out / "routes.geojson")
    stops = routes[routes["kind"] == "stop"]
    assert len(stops) and stops["road_lon"].notna().all()
    assert routes.loc[routes["kind"] == "route", "start_road_lon"].notna().all()
    common = dict(grids=paths["grids"], venues=paths["venues"], teams=paths["teams"], date="2026-11-23")
    assert check_plan(out, roads=paths["roads"], **common) == []

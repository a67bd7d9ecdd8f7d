"""Travel along real roads: the graph, unreachable islands, and plans the road-aware checker accepts."""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString

from checker import check_plan
from gis.roads import RoadNetwork, read_roads
from synth import ORIGIN, write_instance


def test_crossing_lines_connect_and_islands_do_not():
    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 50), (100, 50)]), LineString([(50, 0), (50, 100)]),
                                       LineString([(200, 200), (210, 200)])], crs="EPSG:3857")
    net = RoadNetwork.from_lines(roads, "EPSG:3857")
    metres, _ = net.distances_m(np.array([[0, 50], [50, 0], [205, 200]]))
    assert abs(metres[0, 1] - 100) < 1e-6  # along the roads through the crossing, not the 70.7 m diagonal
    assert np.isinf(metres[0, 2]) and np.isinf(metres[2, 1])
    path = net.path_lonlat(*net.snap(np.array([[0, 50], [50, 0]]))[0])
    assert len(path) == 3  # start, the crossing, end


def _lattice(step: float = 0.002, size: float = 0.02) -> list[LineString]:
    x0, y0 = ORIGIN
    ticks = np.arange(0, size + 1e-9, step)
    return ([LineString([(x0 + t, y0), (x0 + t, y0 + size)]) for t in ticks]
            + [LineString([(x0, y0 + t), (x0 + size, y0 + t)]) for t in ticks])


def _write_osm(path, lines: list[LineString], tags: list[dict[str, str]]) -> None:
    """An OSM XML extract of ``lines`` (WGS84), one way each with its tags; shared vertices share a node."""
    ids: dict[tuple[float, float], int] = {}
    ways = []
    for w, (line, tag) in enumerate(zip(lines, tags), start=1):
        refs = "".join(f'<nd ref="{ids.setdefault(xy, len(ids) + 1)}"/>' for xy in line.coords)
        kv = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tag.items())
        ways.append(f'<way id="{w}" version="1">{refs}{kv}</way>')
    nodes = [f'<node id="{i}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>' for (lon, lat), i in ids.items()]
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="patrol tests">\n'
                    + "\n".join(nodes + ways) + "\n</osm>\n", encoding="utf-8")


def test_osm_extract_keeps_the_ways_a_team_may_use(tmp_path):
    lines = [LineString([(113.30, 23.10), (113.302, 23.10)])] * 5
    tags = [{"highway": "residential"}, {"highway": "motorway"}, {"highway": "footway", "access": "private"},
            {"building": "yes"}, {"highway": "footway", "name": "幸福路"}]
    _write_osm(tmp_path / "x.osm", lines, tags)
    roads = read_roads(tmp_path / "x.osm")
    assert sorted(roads["highway"]) == ["footway", "residential"]
    assert roads.crs == "EPSG:4326"


@pytest.mark.parametrize("suffix", ["geojson", "osm"])
def test_plan_on_roads_reports_the_island_and_follows_the_streets(tmp_path, suffix):
    paths = write_instance(tmp_path, n_venues=30, n_teams=2, seed=7)
    x0, y0 = ORIGIN
    island = LineString([(x0 + 0.0129, y0 + 0.0129), (x0 + 0.0132, y0 + 0.0131)])  # inside a block, touching no street
    lines = [*_lattice(), island]
    road_file = tmp_path / f"roads.{suffix}"
    if suffix == "osm":  # a motorway reaches the island: not for teams on foot, so it stays unreachable
        motorway = LineString([island.coords[0], (x0 + 0.0129, y0 + 0.012)])
        _write_osm(road_file, [*lines, motorway], [{"highway": "residential"}] * len(lines) + [{"highway": "motorway"}])
    else:
        roads = gpd.GeoDataFrame({"highway": ["residential"] * len(lines)}, geometry=lines, crs="EPSG:4326")
        roads.to_file(road_file, driver="GeoJSON")
    venues = pd.read_csv(paths["venues"], dtype=str)
    extra = venues.iloc[[0]].assign(venue_id="ISLAND", name="孤岛场所", lon=str(x0 + 0.0130), lat=str(y0 + 0.01302), last_inspected="")
    pd.concat([venues, extra]).to_csv(paths["venues"], index=False)
    out = tmp_path / "plan"
    run = subprocess.run([sys.executable, "-m", "patrol", "plan", "--grids", str(paths["grids"]), "--venues", str(paths["venues"]),
                          "--teams", str(paths["teams"]), "--date", "2026-11-23", "--roads", str(road_file),
                          "--time-limit", "2", "--no-pdf", "--quiet", "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    unassigned = pd.read_csv(out / "unassigned.csv", dtype=str)
    assert unassigned.set_index("venue_id").loc["ISLAND", "reason"] == "unreachable"
    common = dict(grids=paths["grids"], venues=paths["venues"], teams=paths["teams"], date="2026-11-23")
    assert check_plan(out, roads=road_file, **common) == []
    stops = pd.read_csv(out / "stops.csv")
    routes = gpd.read_file(out / "routes.geojson")
    for line, team in zip(routes.loc[routes["kind"] == "route", "geometry"], routes.loc[routes["kind"] == "route", "team_id"]):
        assert len(line.coords) > 2 * (stops["team_id"] == team).sum()  # bends at the corners between stops

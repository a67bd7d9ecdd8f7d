"""Road networks: reading (lines, OSM XML and PBF), levels, feet on the nearest street, access legs."""

from __future__ import annotations

import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString

from conftest import missing
from gis.roads import RoadNetwork, read_roads, road_levels
from synth import write_clipped_instance, write_osm

pytestmark = pytest.mark.usefixtures("english")  # the texts asserted here are the English msgids

METRIC = "EPSG:3857"


def _network(*lines: list[tuple[float, float]], **columns) -> RoadNetwork:
    roads = gpd.GeoDataFrame(columns, geometry=[LineString(c) for c in lines], crs=METRIC)
    return RoadNetwork.from_lines(roads, METRIC)


def test_crossing_lines_connect_and_pieces_do_not():
    net = _network([(0, 50), (100, 50)], [(50, 0), (50, 100)], [(1200, 0), (1300, 0)])  # two pieces, 1.1 km apart
    metres = net.connect(np.array([[0, 50], [50, 0], [1250, 0]]), starts=1).metres
    assert abs(metres[0, 1] - 100) < 1e-6  # along the roads through the crossing, not the 70.7 m diagonal
    assert np.isinf(metres[0, 2]) and np.isinf(metres[2, 1])  # the start is on the first piece only


def test_a_point_joins_the_nearest_street_where_its_foot_is_not_at_a_vertex():
    net = _network([(0, 0), (1000, 0)])  # one long street, vertices only at its ends
    joined = net.connect(np.array([[500, 30], [600, -40]]), starts=1, detour_factor=1.3)
    assert joined.access_m.tolist() == pytest.approx([30, 40])
    assert joined.metres[0, 1] == pytest.approx(30 * 1.3 + 100 + 40 * 1.3)
    assert joined.network.xy_m[joined.node].ravel().tolist() == pytest.approx([500, 0, 600, 0])
    path = joined.network.path_lonlat(*joined.node)
    assert len(path) == 2  # the street split at both feet: straight from one to the other


def test_venues_join_the_pieces_the_starts_are_on_and_a_start_next_to_a_scrap_joins_the_main_streets():
    main = [[(0, y), (2000, y)] for y in (0, 200, 400)] + [[(x, 0), (x, 400)] for x in (0, 1000, 2000)]
    scrap = [(1500, 300), (1520, 300)]  # a clipped piece inside a block, 20 m long
    net = _network(*main, scrap)
    points = np.array([[1510, 305], [1510, 310]])  # a start and a venue, both next to the scrap
    joined = net.connect(points, starts=1, max_access_m=500)
    assert joined.access_m.tolist() == pytest.approx([95, 90])  # to the street at y=400, not 5 and 10 m to the scrap
    assert np.isfinite(joined.metres).all()


def test_a_venue_farther_than_max_access_is_unreachable_and_nearer_ones_are_not():
    net = _network([(0, 0), (1000, 0)])
    joined = net.connect(np.array([[0, 0], [300, 800], [300, 450]]), starts=1, max_access_m=500)
    assert np.isinf(joined.access_m[1]) and np.isinf(joined.metres[0, 1]) and np.isinf(joined.metres[1, 2])
    assert np.isfinite(joined.metres[0, 2]) and joined.access_m[2] == pytest.approx(450)


def test_a_start_far_from_every_street_reaches_nothing():
    net = _network([(0, 0), (1000, 0)])
    joined = net.connect(np.array([[0, 900], [10, 10]]), starts=1, max_access_m=500)
    assert np.isinf(joined.metres[0, 1]) and np.isinf(joined.access_m[1])  # no start on any piece: no piece is served


@pytest.mark.parametrize(("columns", "joined"), [
    ({}, True),
    ({"layer": [0, 1]}, False),
    ({"bridge": ["", "yes"]}, False),
    ({"tunnel": ["no", "yes"]}, False),
    ({"layer": [1, 1]}, True),  # two bridges at one level cross on the same deck
])
def test_bridges_and_tunnels_are_not_joined_to_the_ways_they_cross(columns, joined):
    net = _network([(0, 50), (100, 50)], [(50, -200), (50, 300)], **columns)
    metres = net.connect(np.array([[0, 50], [50, -200]]), starts=0, max_access_m=1).metres[0, 1]
    assert metres == pytest.approx(50 + 250) if joined else np.isinf(metres)  # the crossing is the only link here


def test_a_bridge_meets_its_approach_roads_at_its_ends():
    west, bridge, east = [(0, 0), (100, 0)], [(100, 0), (300, 0)], [(300, 0), (400, 0)]
    river_road = [(200, -100), (200, 100)]  # passes under the bridge
    net = _network(west, bridge, east, river_road, layer=[0, 1, 0, 0])
    metres = net.connect(np.array([[0, 0], [400, 0], [200, -100]]), starts=0, max_access_m=1).metres
    assert metres[0, 1] == pytest.approx(400)
    assert np.isinf(metres[0, 2])


def test_osm_levels_come_from_the_layer_bridge_and_tunnel_tags(tmp_path):
    lines = [LineString([(113.30 + k * 0.001, 23.10), (113.30 + k * 0.001 + 0.0005, 23.10)]) for k in range(5)]
    tags = [{"highway": "residential"}, {"highway": "primary", "bridge": "yes"},
            {"highway": "primary", "tunnel": "yes"},
            {"highway": "footway", "bridge": "yes", "layer": "2"}, {"highway": "service", "bridge": "no"}]
    write_osm(tmp_path / "x.osm", lines, tags)
    roads = read_roads(tmp_path / "x.osm")
    assert roads["level"].tolist() == [0, 1, -1, 2, 0]


def test_a_layer_of_crumbs_is_one_clear_error(tmp_path):
    from gis.errors import InputError

    crumbs = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (0.2, 0)]), LineString([(5, 5), (5, 5.1)])], crs=METRIC)
    with pytest.raises(InputError, match=r"^roads.geojson: no road line is longer than 0.5 m"):
        RoadNetwork.from_lines(crumbs, METRIC, source="roads.geojson")


def test_road_levels_of_a_line_file_layer_column_with_gaps():
    frame = gpd.GeoDataFrame({"layer": ["1", None, "-1", "x"], "bridge": [None, "yes", None, None]})
    assert road_levels(frame).tolist() == [1, 1, -1, 0]


cell = st.one_of(st.none(), st.text(max_size=6), st.integers(-10**6, 10**6),
                 st.floats(allow_nan=True, allow_infinity=True),
                 st.sampled_from(["yes", "no", "1", "-1", "viaduct", " 2 ", "inf", "1e400"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cell, cell, cell), min_size=1, max_size=6))
def test_road_levels_of_any_cells_a_user_may_bring_are_small_whole_numbers(rows):
    frame = pd.DataFrame(rows, columns=["layer", "bridge", "tunnel"], dtype=object)
    levels = road_levels(frame)
    assert levels.index.equals(frame.index) and levels.between(-10, 10).all()


def test_osm_extract_keeps_the_ways_a_team_may_use(tmp_path):
    lines = [LineString([(113.30, 23.10), (113.302, 23.10)])] * 5
    tags = [{"highway": "residential"}, {"highway": "motorway"}, {"highway": "footway", "access": "private"},
            {"building": "yes"}, {"highway": "footway", "name": "幸福路"}]
    write_osm(tmp_path / "x.osm", lines, tags)
    roads = read_roads(tmp_path / "x.osm")
    assert sorted(roads["highway"]) == ["footway", "residential"]
    assert roads.crs == "EPSG:4326"


def test_a_pbf_extract_reads_like_its_xml(tmp_path):
    if shutil.which("osmium") is None:
        missing("osmium-tool (Debian package osmium-tool)")
    x0, y0 = 113.30, 23.10
    streets = [LineString([(x0, y0 + k * 0.001), (x0 + 0.004, y0 + k * 0.001)]) for k in range(3)]
    cross = LineString([(x0 + 0.002, y0 - 0.001), (x0 + 0.002, y0 + 0.003)])
    tags = [{"highway": "residential"}] * 3 + [{"highway": "primary", "bridge": "yes", "layer": "1"}]
    write_osm(tmp_path / "x.osm", [*streets, cross], tags)
    subprocess.run(["osmium", "cat", str(tmp_path / "x.osm"), "-o", str(tmp_path / "x.osm.pbf"),
                    "--overwrite"], check=True)
    xml, pbf = read_roads(tmp_path / "x.osm"), read_roads(tmp_path / "x.osm.pbf")
    assert sorted(pbf["highway"]) == sorted(xml["highway"]) == ["primary", "residential", "residential", "residential"]
    assert sorted(pbf["level"]) == [0, 0, 0, 1]
    net = RoadNetwork.from_lines(pbf, "EPSG:32649")
    ends = gpd.GeoSeries(gpd.points_from_xy([x0, x0 + 0.002], [y0, y0 - 0.001]), crs="EPSG:4326").to_crs("EPSG:32649")
    metres = net.connect(np.column_stack([ends.x, ends.y]), starts=0, max_access_m=1).metres
    assert np.isinf(metres[0, 1])  # the bridge crosses the streets without meeting them


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-300, 1300), st.floats(-300, 700)), min_size=2, max_size=8))
def test_feet_are_never_farther_than_the_nearest_vertex_and_roads_never_beat_the_straight_line(points):
    net = _network([(0, 0), (400, 30), (1000, 0)], [(400, 30), (420, 400)], [(0, 400), (420, 400), (1000, 420)])
    xy = np.array(points)
    joined = net.connect(xy, starts=1, max_access_m=2000, detour_factor=1.3)
    vertex = np.hypot(*(xy[:, None, :] - net.xy_m[None, :, :]).transpose(2, 0, 1)).min(axis=1)
    assert (joined.access_m <= vertex + 1e-6).all()
    straight = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    finite = np.isfinite(joined.metres)
    assert (joined.metres[finite] >= straight[finite] - 1e-6).all()
    assert np.allclose(joined.metres[finite], joined.metres.T[finite])


@pytest.mark.parametrize("kind", ["geojson", "pbf"])
def test_a_clipped_extract_leaves_at_most_two_percent_of_venues_unreachable_each_for_a_reason(tmp_path, kind):
    paths = write_clipped_instance(tmp_path, n_venues=800)
    road_file = paths["roads"]
    if kind == "pbf":  # the same streets as an OSM extract comes: PBF, made with osmium-tool
        if shutil.which("osmium") is None:
            missing("osmium-tool (Debian package osmium-tool)")
        lines = gpd.read_file(road_file)
        write_osm(tmp_path / "streets.osm", list(lines.geometry), [{"highway": "residential"}] * len(lines))
        road_file = tmp_path / "streets.osm.pbf"
        subprocess.run(["osmium", "cat", str(tmp_path / "streets.osm"), "-o", str(road_file)], check=True)
    roads = read_roads(road_file)
    crs = roads.estimate_utm_crs()
    net = RoadNetwork.from_lines(roads, crs)
    pieces = np.bincount(net.pieces())
    assert len(pieces) > 40 and pieces.max() / pieces.sum() < 0.95  # as clipped extracts come: many scraps
    venues, teams = pd.read_csv(paths["venues"]), pd.read_csv(paths["teams"])
    lonlat = np.vstack([teams[["start_lon", "start_lat"]].to_numpy(), venues[["lon", "lat"]].to_numpy()])
    xy = gpd.GeoSeries(gpd.points_from_xy(*lonlat.T), crs="EPSG:4326").to_crs(crs)
    joined = net.connect(np.column_stack([xy.x, xy.y]), starts=len(teams), max_access_m=500)
    unreachable = np.flatnonzero(~np.isfinite(joined.metres[: len(teams), len(teams):]).any(axis=0))
    assert len(unreachable) <= 0.02 * len(venues)
    for k in unreachable:  # the one reason left when every start reaches the streets: farther than 500 m from them
        assert np.isinf(joined.access_m[len(teams) + k])
    assert np.isfinite(joined.metres[0, len(teams):]).mean() > 0.98  # the team next to a scrap reaches the street

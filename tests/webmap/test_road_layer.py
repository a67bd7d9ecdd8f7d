"""The road layer (道路): imported by a coordinator (page and API), replaced as a whole, refused whole with the
feature named; the phone's day carries the roads near its stops, clipped, simplified and capped."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString

from conftest import missing
from synth import write_osm
from web_helpers import TODAY, add_to_day, api_token, csrf_token, login, post_form, wait_for_plan

DEMO_ROADS = Path(__file__).resolve().parents[2] / "data" / "demo" / "roads.geojson"
X0, Y0 = 113.335, 23.115  # inside the demo street


def feature(geometry: dict | None, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def line(*coords: tuple[float, float]) -> dict:
    return {"type": "LineString", "coordinates": [list(c) for c in coords]}


def geojson(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


def stored_roads(app) -> list[tuple]:
    from ledger.models import Road, db

    with app.app_context():
        return [tuple(r) for r in db.session.execute(
            db.select(Road.name, Road.highway, Road.level, Road.geometry).order_by(Road.id)).all()]


def page_import(client, data: bytes, name: str):
    return post_form(client, "/import", {"kind": "roads", "file": (io.BytesIO(data), name)},
                     content_type="multipart/form-data")


def api_import(client, token: dict, data: bytes, name: str, **form):
    return client.post("/api/v1/imports/roads", data={"file": (io.BytesIO(data), name), **form}, headers=token,
                       content_type="multipart/form-data")


@pytest.fixture(scope="module")
def tokens(app) -> dict[str, dict[str, str]]:
    return {u: {"Authorization": f"Bearer {api_token(app, u)}"} for u in ("coord", "patrol1", "viewer")}


THREE = geojson(feature(line((X0, Y0), (X0 + 0.002, Y0)), name="<b>幸福路</b>", highway="residential"),
                feature(line((X0, Y0), (X0, Y0 + 0.002)), name="解放大道", highway="primary"),
                feature({"type": "MultiLineString", "coordinates": [[[X0, Y0 - 0.001], [X0 + 0.001, Y0 - 0.001]],
                                                                    [[X0 + 0.0015, Y0 - 0.001],
                                                                     [X0 + 0.002, Y0 - 0.001]]]}))


def test_a_road_file_imports_on_the_page_and_an_import_again_replaces_the_layer(app, client):
    login(client, "coord")
    page = page_import(client, DEMO_ROADS.read_bytes(), "roads.geojson")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="n-new">172<' in html, html[-600:]
    assert len(stored_roads(app)) == 172
    again = page_import(client, DEMO_ROADS.read_bytes(), "roads.geojson").get_data(as_text=True)
    assert 'id="n-new">0<' in again and 'id="n-unchanged">172<' in again
    assert len(stored_roads(app)) == 172  # not twice

    page = page_import(client, THREE, "街道道路.geojson")
    assert page.status_code == 200 and 'id="n-new">3<' in page.get_data(as_text=True)
    roads = stored_roads(app)
    assert [(n, h, level) for n, h, level, _ in roads] == [("<b>幸福路</b>", "residential", 0),
                                                           ("解放大道", "primary", 0), ("", "", 0)]
    assert shapely.from_geojson(roads[2][3]).geom_type == "MultiLineString"
    assert "&lt;b&gt;幸福路" not in page.get_data(as_text=True)  # the page does not show the file's rows


@pytest.mark.parametrize(("bad", "row", "problem"), [
    (feature({"type": "Point", "coordinates": [X0, Y0]}, name="岗亭"), 3, "geometry 是 Point；道路必须是线"),
    (feature(None, name="无线"), 3, "geometry 为空"),
    (feature(line((500000.0, 2550000.0), (500100.0, 2550000.0)), name="米"), 3,
     "geometry：坐标 (500000.0, 2550000.0) 不是经纬度"),
])
def test_a_bad_road_file_names_the_feature_and_changes_nothing(app, client, tokens, bad, row, problem):
    login(client, "coord")
    assert page_import(client, THREE, "roads.geojson").status_code == 200
    before = stored_roads(app)
    data = geojson(feature(line((X0, Y0), (X0 + 0.001, Y0))), feature(line((X0, Y0), (X0, Y0 + 0.001))), bad)
    page = page_import(client, data, "坏道路.geojson")
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert f"坏道路.geojson 第 {row} 个要素：{problem}" in html, html[-600:]
    assert stored_roads(app) == before
    answer = api_import(client, tokens["coord"], data, "坏道路.geojson")
    assert answer.status_code == 400
    assert {k: answer.get_json()[k] for k in ("file", "row", "field")} == {"file": "坏道路.geojson", "row": row,
                                                                           "field": "geometry"}
    assert stored_roads(app) == before


def test_a_file_that_is_no_road_layer_is_refused_with_its_name(app, client):
    login(client, "coord")
    before = stored_roads(app)
    page = page_import(client, b"venue_id,name\nV1,x\n", "roads.csv")
    assert page.status_code == 400 and "roads.csv" in page.get_data(as_text=True)
    page = page_import(client, geojson(), "空.geojson")
    assert page.status_code == 400 and "空.geojson" in page.get_data(as_text=True)
    assert stored_roads(app) == before


@pytest.mark.parametrize("who", ["patrol1", "viewer"])
def test_only_a_coordinator_imports_roads(app, client, tokens, who):
    before = stored_roads(app)
    assert api_import(client, tokens[who], THREE, "roads.geojson").status_code == 403
    login(client, who)
    token = csrf_token(client.get("/account").get_data(as_text=True))  # a valid form token: the role is what stops it
    for url in ("/import", "/import/jobs"):
        posted = client.post(url, data={"kind": "roads", "file": (io.BytesIO(THREE), "roads.geojson"),
                                        "csrf_token": token}, content_type="multipart/form-data")
        assert posted.status_code == 403, url
    assert stored_roads(app) == before


def test_an_osm_extract_imports_its_walkable_ways_with_their_names(app, client, tokens, tmp_path):
    lines = [LineString([(X0, Y0 + k * 0.001), (X0 + 0.003, Y0 + k * 0.001)]) for k in range(3)]
    tags = [{"highway": "residential", "name": "东风路"}, {"highway": "motorway", "name": "高速"},
            {"highway": "footway", "bridge": "yes", "layer": "1"}]
    write_osm(tmp_path / "街道.osm", lines, tags)
    answer = api_import(client, tokens["coord"], (tmp_path / "街道.osm").read_bytes(), "街道.osm")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["rows"] == 2
    assert [(n, h, level) for n, h, level, _ in stored_roads(app)] == [("东风路", "residential", 0),
                                                                       ("", "footway", 1)]
    if shutil.which("osmium") is None:
        missing("osmium-tool (Debian package osmium-tool)")
    subprocess.run(["osmium", "cat", str(tmp_path / "街道.osm"), "-o", str(tmp_path / "x.osm.pbf"), "--overwrite"],
                   check=True)
    answer = api_import(client, tokens["coord"], (tmp_path / "x.osm.pbf").read_bytes(), "街道.osm.pbf")
    assert answer.status_code == 200 and answer.get_json()["unchanged"] == 2  # the same ways as the XML's


def test_a_gcj02_road_file_is_stored_in_wgs84(app, client, tokens):
    from gis.crs import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02([X0, X0 + 0.002], [Y0, Y0])
    data = geojson(feature(line((lon[0], lat[0]), (lon[1], lat[1])), name="高德路"))
    assert api_import(client, tokens["coord"], data, "amap.geojson", crs="gcj02").status_code == 200
    (_, _, _, stored), = stored_roads(app)
    coords = shapely.get_coordinates(shapely.from_geojson(stored))
    assert abs(coords[0][0] - X0) < 1e-6 and abs(coords[0][1] - Y0) < 1e-6


def test_the_phones_day_has_the_roads_near_its_stops_clipped_and_capped(app, client, tokens):
    from ledger.models import Team, Venue, db

    with app.app_context():
        venues = db.session.scalars(db.select(Venue).where(Venue.grid_id == "G01").order_by(Venue.venue_id)
                                    .limit(3)).all()
        points = [(v.lon, v.lat) for v in venues]
        team = db.session.get(Team, "T01")
        points.append((team.start_lon, team.start_lat))
        add_to_day(app, TODAY, "T01", *[v.venue_id for v in venues])
    assert api_import(client, tokens["coord"], DEMO_ROADS.read_bytes(), "roads.geojson").status_code == 200
    day = client.get("/api/v1/teams/T01/today", headers=tokens["patrol1"]).get_json()
    roads = day["roads"]
    assert roads["type"] == "FeatureCollection" and not roads["cut"] and 0 < len(roads["features"]) < 172
    west, south, east, north = roads["bbox"]
    lons, lats = zip(*points)
    assert west < min(lons) and east > max(lons) and south < min(lats) and north > max(lats)
    assert 250 < (min(lats) - south) * 111_195 < 350  # about 300 m around the stops
    coords = [c for f in roads["features"] for c in shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))]
    assert all(west - 1e-5 <= x <= east + 1e-5 and south - 1e-5 <= y <= north + 1e-5 for x, y in coords)
    segments = sum(len(shapely.get_coordinates(p)) - 1 for f in roads["features"]
                   for p in shapely.get_parts(shapely.geometry.shape(f["geometry"])))
    assert segments == roads["segments"] == roads["segments_near"]

    app.config["FIELD_ROAD_SEGMENTS"] = 10
    try:
        small = client.get("/api/v1/teams/T01/today", headers=tokens["patrol1"]).get_json()["roads"]
    finally:
        app.config["FIELD_ROAD_SEGMENTS"] = 3000
    assert small["cut"] and small["segments"] <= 10 < small["segments_near"] == roads["segments_near"]
    kept = {f["properties"]["highway"] for f in small["features"]}
    assert kept == {"primary"}  # the main roads first (the demo street has primary and residential ones)


def test_the_days_entry_in_the_openapi_document_describes_the_roads(client):
    today = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/teams/{team_id}/today"]["get"]
    schema = today["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["roads"]
    assert {"features", "bbox", "segments", "cut"} <= set(schema["properties"])
    assert "roads" in today["description"] and "FIELD_ROAD_SEGMENTS" in today["description"]


names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
coords = st.tuples(st.floats(X0 - 0.01, X0 + 0.01), st.floats(Y0 - 0.01, Y0 + 0.01))
FLAWS = {"point": lambda c: {"type": "Point", "coordinates": list(c)}, "empty": lambda c: None,
         "polygon": lambda c: {"type": "Polygon", "coordinates": [[list(c), [c[0] + 0.001, c[1]],
                                                                   [c[0], c[1] + 0.001], list(c)]]}}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(roads=st.lists(st.tuples(names, st.sampled_from(["", "residential", "primary", "道路"]),
                                st.lists(coords, min_size=2, max_size=5)), min_size=1, max_size=6),
       flaw=st.one_of(st.none(), st.tuples(st.sampled_from(sorted(FLAWS)), st.integers(0, 5))))
def test_a_road_import_stores_every_line_or_names_the_bad_feature_and_changes_nothing(app, tokens, roads, flaw):
    client = app.test_client()
    features = [feature(line(*cs), name=n, highway=h) for n, h, cs in roads]
    if flaw is not None:
        at = min(flaw[1], len(features))
        features.insert(at, feature(FLAWS[flaw[0]](roads[0][2][0]), name="坏"))
    before = stored_roads(app)
    answer = api_import(client, tokens["coord"], geojson(*features), "roads.geojson")
    if flaw is not None:
        assert answer.status_code == 400, answer.get_json()
        assert (answer.get_json()["row"], answer.get_json()["field"]) == (at + 1, "geometry")
        assert stored_roads(app) == before
        return
    assert answer.status_code == 200, answer.get_json()
    stored = stored_roads(app)
    assert [(n, h) for n, h, _, _ in stored] == [(n.strip(), h) for n, h, _ in roads]
    for (_, _, _, geometry), (_, _, cs) in zip(stored, roads):
        assert shapely.get_coordinates(shapely.from_geojson(geometry)).round(9).tolist() == [
            [round(x, 9), round(y, 9)] for x, y in cs]


@pytest.mark.usefixtures("plan_workers_end")
def test_a_web_plan_travels_along_the_stored_roads(app, client, tokens):
    from ledger.models import PlanRun, db

    login(client, "coord")
    assert api_import(client, tokens["coord"], DEMO_ROADS.read_bytes(), "roads.geojson").status_code == 200
    started = post_form(client, "/plan", {"date": "2026-11-23", "days": "1", "time_limit": "1", "teams": ["T01"]})
    assert started.status_code == 302
    state = wait_for_plan(client, started.headers["Location"], timeout_s=300)
    assert state["status"] == "done", state["message"]
    with app.app_context():
        out = Path(db.session.get(PlanRun, int(started.headers["Location"].rstrip("/").split("/")[-1])).out_dir)
    routes = json.loads((out / "routes.geojson").read_text(encoding="utf-8"))["features"]
    lines = [f for f in routes if f["geometry"]["type"] == "LineString"]
    stops = [f for f in routes if f["geometry"]["type"] == "Point"]
    assert lines and stops
    # along the streets: the route bends at the crossings, many more vertices than office → stops → office
    assert sum(len(f["geometry"]["coordinates"]) for f in lines) > len(stops) + 2 * len(lines) + 10

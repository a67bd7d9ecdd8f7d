"""The field app's API on both databases: a team's day, a stop's whole result with its proof of presence,
photos and signatures served only to their team, once per Idempotency-Key, the live stream, the re-plan's refusals."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import threading
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from web_helpers import TODAY

STOPS = ["V0101", "V0102", "V0103"]  # T01's stops today, in this order
TABLES = ("inspection", "hazard", "field_visit", "field_file", "notice", "field_event", "write_key")
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"  # an iPhone photo's first box


def picture(kind: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, kind)
    return out.getvalue()


def noise_png(size: tuple[int, int] = (1100, 1000)) -> bytes:
    """A real PNG larger than the photo limit (noise does not compress)."""
    import os

    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, "PNG")
    return out.getvalue()


def data_url(data: bytes, media: str = "image/jpeg") -> str:
    return f"data:{media};base64,{base64.b64encode(data).decode()}"


def offset(lon: float, lat: float, *, north_m: float) -> tuple[float, float]:
    return lon, lat + north_m / 111_195.0


@pytest.fixture(scope="module")
def world(app):
    """A finished plan with T01's three stops and T02's one today; a patrol of T02; tokens for everyone."""
    from ledger.models import PlanRun, PlanStop, User, Venue, db
    from ledger.transaction import transaction

    with app.app_context(), transaction():
        run = PlanRun(created_by="coord", start=TODAY, days=1, status="done", progress=1.0)
        db.session.add(run)
        db.session.flush()
        for k, venue in enumerate(STOPS, start=1):
            db.session.add(PlanStop(plan_id=run.id, day=TODAY, team_id="T01", seq=k, venue_id=venue, reason="due",
                                    arrive=f"{8 + k:02d}:00", depart=f"{8 + k:02d}:20"))
        db.session.add(PlanStop(plan_id=run.id, day=TODAY, team_id="T02", seq=1, venue_id="V0201", reason="overdue",
                                arrive="09:00", depart="09:20"))
        patrol2 = User(username="patrol2", role="patrol", team_id="T02")
        patrol2.set_password("patrol2-test-pw")
        db.session.add(patrol2)
        tokens = {}
        for user in db.session.scalars(db.select(User)):
            tokens[user.username] = {"Authorization": f"Bearer {user.new_token()}"}
        where = {v: (db.session.get(Venue, v).lon, db.session.get(Venue, v).lat) for v in [*STOPS, "V0201"]}
    return {"tokens": tokens, "where": where}


def counts(app) -> tuple[int, ...]:
    from ledger.models import db

    with app.app_context():
        return tuple(db.session.execute(db.text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in TABLES)


def result_body(world, venue: str, *, north_m: float = 20.0, with_notice: bool = True, **extra) -> dict:
    lon, lat = offset(*world["where"][venue], north_m=north_m)
    body = {"day": TODAY.isoformat(), "team_id": "T01", "venue_id": venue, "outcome": "done", "notes": "现场检查",
            "checklist": ["fire_equipment_missing", "escape_route_clutter"],
            "checkin": {"method": "gps", "lon": lon, "lat": lat, "accuracy_m": 12.5, "at": f"{TODAY}T01:30:00Z"},
            "hazards": [{"type": "escape_route_clutter", "description": "楼道堆物 <b>",
                         "photos": [data_url(picture()), data_url(picture("PNG"), "image/png")]}]}
    if with_notice:
        body["notice"] = {"measure": "清理楼道", "responsible_unit": "某某物业", "responsible_person": "王五",
                          "deadline": (TODAY + dt.timedelta(days=3)).isoformat(), "standard": "楼道无堆物",
                          "signer": "王五", "signature": data_url(picture("PNG", (340, 160)), "image/png")}
    return {**body, **extra}


def test_a_patrol_gets_its_teams_day_in_order_with_navigation_in_the_apps_own_coordinates(app, client, world):
    from gis.crs import wgs84_to_bd09, wgs84_to_gcj02

    response = client.get("/api/v1/teams/T01/today", headers=world["tokens"]["patrol1"])
    assert response.status_code == 200
    day = response.get_json()
    assert day["day"] == TODAY.isoformat() and [s["venue_id"] for s in day["stops"]] == STOPS
    first = day["stops"][0]
    assert first["arrive"] == "09:00" and first["depart"] == "09:20" and first["reason_label"] == "到期巡查"
    assert first["checklist"] and all(c["label"] for c in first["checklist"]) and day["far_m"] == 150
    glon, glat = (float(v) for v in wgs84_to_gcj02(first["lon"], first["lat"]))
    blon, blat = (float(v) for v in wgs84_to_bd09(first["lon"], first["lat"]))
    assert f"to={glon:.6f},{glat:.6f}," in first["nav"]["amap"]
    assert f"latlng:{blat:.6f},{blon:.6f}|" in first["nav"]["baidu"]
    assert f"tocoord={glat:.6f},{glon:.6f}" in first["nav"]["tencent"]
    assert abs(glon - first["lon"]) > 1e-4  # converted, not WGS84 sent as is
    grids = day["grids"]
    assert grids["type"] == "FeatureCollection" and grids["features"]
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in grids["features"])
    assert day["tiles"] is None  # no tile address set: the phone's map is vectors only


def test_the_days_grids_are_those_of_its_stops_simplified_for_the_phone(app, client, world):
    """A grid outline of thousands of vertices (as the city platform exports them) reaches the phone as tens."""
    import shapely

    from ledger.models import Grid, Venue, db
    from ledger.transaction import transaction

    with app.app_context():
        grid_ids = sorted({db.session.get(Venue, v).grid_id for v in STOPS})
        grid = db.session.get(Grid, grid_ids[0])
        stored = grid.geometry
        outline = shapely.from_geojson(stored)
    dense = shapely.segmentize(outline, 5e-6)  # a vertex every half metre
    assert shapely.get_num_coordinates(dense) > 1000
    try:
        with app.app_context(), transaction():
            db.session.get(Grid, grid_ids[0]).geometry = shapely.to_geojson(dense)
        day = client.get("/api/v1/teams/T01/today", headers=world["tokens"]["patrol1"]).get_json()
    finally:
        with app.app_context(), transaction():
            db.session.get(Grid, grid_ids[0]).geometry = stored
    features = {f["id"]: f for f in day["grids"]["features"]}
    assert sorted(features) == grid_ids and features[grid_ids[0]]["properties"]["grid_id"] == grid_ids[0]
    sent = shapely.geometry.shape(features[grid_ids[0]]["geometry"])
    assert shapely.get_num_coordinates(sent) <= shapely.get_num_coordinates(outline) + 4
    assert abs(sent.area - outline.area) < 0.01 * outline.area


@pytest.mark.parametrize(("url", "sent", "csp"), [
    ("https://tiles.example.cn/{z}/{x}/{y}.png", True, "img-src 'self' data: https://tile.openstreetmap.org "
                                                       "https://tiles.example.cn;"),
    ("/tiles/{z}/{x}/{y}.png", True, "img-src 'self' data: https://tile.openstreetmap.org;"),
    ("https://tiles.example.cn/{z}/{x}.png", False, "img-src 'self' data: https://tile.openstreetmap.org;"),
    ("https://x.cn/{z}/{x}/{y}.png; script-src *", False, "img-src 'self' data: https://tile.openstreetmap.org;"),
    ("javascript:alert(1)//{z}{x}{y}", False, "img-src 'self' data: https://tile.openstreetmap.org;"),
])
def test_background_tiles_only_from_a_usable_tile_address_and_only_that_origin_in_the_csp(app, client, world, url,
                                                                                          sent, csp):
    app.config.update(FIELD_TILE_URL=url, FIELD_TILE_ATTRIBUTION="© <b>OSM</b>")
    try:
        response = client.get("/api/v1/teams/T01/today", headers=world["tokens"]["patrol1"])
    finally:
        app.config.update(FIELD_TILE_URL="", FIELD_TILE_ATTRIBUTION="")
    tiles = response.get_json()["tiles"]
    assert tiles == ({"url": url, "attribution": "© <b>OSM</b>"} if sent else None)  # the phone sets it as text
    assert csp in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("user", "team", "status"), [("patrol1", "T02", 403), ("viewer", "T01", 403),
                                                      ("coord", "T02", 200),
                                                      ("patrol2", "T02", 200), ("coord", "NOPE", 404)])
def test_who_may_see_a_teams_day(app, client, world, user, team, status):
    assert client.get(f"/api/v1/teams/{team}/today", headers=world["tokens"][user]).status_code == status


def test_a_far_check_in_is_flagged_and_everything_is_stored_once_per_key(app, client, world):
    from ledger.field_models import FieldEvent, FieldFile, FieldVisit, Notice
    from ledger.models import Hazard, Inspection, db

    auth = {**world["tokens"]["patrol1"], "Idempotency-Key": "phone-item-1"}
    body = result_body(world, "V0101", north_m=400)
    first = client.post("/api/v1/results", json=body, headers=auth)
    assert first.status_code == 201, first.get_data(as_text=True)
    answer = first.get_json()
    assert answer["checkin"]["far"] is True and 390 < answer["checkin"]["distance_m"] < 410
    before = counts(app)
    again = client.post("/api/v1/results", json=body, headers=auth)
    assert again.status_code == 201 and again.get_json() == answer and again.headers["Idempotent-Replayed"] == "true"
    assert counts(app) == before
    with app.app_context():
        inspections = db.session.scalars(db.select(Inspection).where(Inspection.venue_id == "V0101",
                                                                     Inspection.date == TODAY)).all()
        assert len(inspections) == 1
        visit = db.session.scalars(db.select(FieldVisit).where(FieldVisit.inspection_id == inspections[0].id)).one()
        assert visit.far and visit.accuracy_m == 12.5 and visit.checklist == body["checklist"]
        assert visit.checked_in_at == dt.datetime(TODAY.year, TODAY.month, TODAY.day, 1, 30)
        files = db.session.scalars(db.select(FieldFile).where(FieldFile.visit_id == visit.id)
                                   .order_by(FieldFile.id)).all()
        assert [(f.kind, f.media_type) for f in files] == [("photo", "image/jpeg"), ("photo", "image/png"),
                                                           ("signature", "image/png")]
        notice = db.session.scalars(db.select(Notice).where(Notice.visit_id == visit.id)).one()
        hazard = db.session.get(Hazard, answer["hazards"][0]["hazard_id"])
        assert notice.hazard_ids == [hazard.hazard_id] and notice.signature_id == files[2].id
        assert (hazard.measure, hazard.responsible_person, hazard.deadline) == ("清理楼道", "王五",
                                                                                TODAY + dt.timedelta(days=3))
        event = db.session.scalars(db.select(FieldEvent).where(FieldEvent.kind == "result",
                                                               FieldEvent.team_id == "T01")).all()[-1]
        assert event.detail["far"] is True and event.detail["venue_id"] == "V0101"


def test_a_near_check_in_is_not_flagged(app, client, world):
    response = client.post("/api/v1/results", json=result_body(world, "V0102", north_m=60, with_notice=False),
                           headers=world["tokens"]["patrol1"])
    assert response.status_code == 201 and response.get_json()["checkin"]["far"] is False


def test_photos_and_signatures_are_served_only_to_their_team(app, client, world):
    response = client.post("/api/v1/results", json=result_body(world, "V0103"), headers=world["tokens"]["coord"])
    assert response.status_code == 201
    files = response.get_json()["files"]
    url = f"/api/v1/files/{files[0]['id']}"
    own = client.get(url, headers=world["tokens"]["patrol1"])
    assert own.status_code == 200 and own.mimetype == "image/jpeg" and own.data[:3] == b"\xff\xd8\xff"
    assert client.get(url, headers=world["tokens"]["coord"]).status_code == 200
    assert client.get(url, headers=world["tokens"]["patrol2"]).status_code == 404
    assert client.get(url, headers=world["tokens"]["viewer"]).status_code == 404
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/files/99999999999").status_code in (401, 404)


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"team_id": "T02", "venue_id": "V0201"}, 403, "team_id"),  # another team's stop
    ({"venue_id": "V0201"}, 403, "venue_id"),  # not on the team's stops of the day
    ({"day": (TODAY - dt.timedelta(days=5)).isoformat()}, 403, "venue_id"),  # another day: not on that day's stops
    ({"day": (TODAY + dt.timedelta(days=1)).isoformat()}, 400, "day"),
    ({"checkin": {"method": "gps"}}, 400, "checkin.lon"),
    ({"checkin": {"method": "gps", "lon": 500, "lat": 30}}, 400, "checkin.lon"),
    ({"checkin": {"method": "teleport"}}, 400, "checkin.method"),
    ({"checkin": {"method": "qr", "qr_token": "guessed"}}, 400, "checkin.qr_token"),
    ({"checkin": {"method": "none", "at": "yesterday"}}, 400, "checkin.at"),
    ({"checklist": ["no_such_check"]}, 400, "checklist"),
    ({"hazards": [{"type": "escape_route_clutter", "photos": [data_url(b"<svg onload=alert(1)>")]}]}, 400,
     "hazards[0].photos[0]"),
    ({"hazards": [{"type": "escape_route_clutter", "photos": ["data:image/png;base64,@@@"]}]}, 400,
     "hazards[0].photos[0]"),
    ({"hazards": [{"type": "escape_route_clutter", "photos": ["/etc/passwd"]}]}, 400, "hazards[0].photos[0]"),
    ({"hazards": [{"type": "escape_route_clutter", "photos": [data_url(picture("GIF"), "image/gif")]}]}, 400,
     "hazards[0].photos[0]"),
    ({"hazards": [{"type": "escape_route_clutter", "photos": [data_url(HEIC, "image/heic")]}]}, 400,
     "hazards[0].photos[0]"),
    ({"hazards": [{"type": "escape_route_clutter", "photos": [data_url(noise_png(), "image/png")]}]}, 400,
     "hazards[0].photos[0]"),
    ({"hazards": []}, 400, "notice"),  # a notice needs a hazard
    ({"notice": {"deadline": TODAY.isoformat(), "signature": data_url(picture("PNG"), "image/png")}}, 400,
     "notice.measure"),
])
def test_a_refused_result_names_the_field_and_writes_nothing(app, client, world, change, status, field):
    before = counts(app)
    response = client.post("/api/v1/results", json=result_body(world, "V0101", **change),
                           headers=world["tokens"]["patrol1"])
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["field"] == field
    assert counts(app) == before


def test_a_heic_signature_is_refused_with_the_message_the_form_gives_naming_the_field(app, client, world):
    """The field API and the result form share one picture rule: HEIC (browsers cannot show it) is refused at both."""
    body = result_body(world, "V0101")
    body["notice"]["signature"] = data_url(HEIC, "image/heic")
    before = counts(app)
    response = client.post("/api/v1/results", json=body, headers=world["tokens"]["patrol1"])
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["field"] == "notice.signature" and answer["message"].startswith(
        "request：notice.signature：是 HEIC/HEIF 图片（iPhone 相机的格式），浏览器无法显示，请以 JPEG 发送")
    assert counts(app) == before


@pytest.fixture(scope="module")
def sweep(app, world):
    """A campaign (专项排查) running today at one kind of place, declared as the web form does.

    And a stop of T03's day at a venue in its scope and one outside it.
    """
    from ledger.campaigns import declare_campaign
    from ledger.models import User, Venue, db
    from ledger.transaction import transaction
    from web_helpers import add_to_day

    with app.app_context(), transaction():
        coordinator = db.session.scalars(db.select(User).where(User.role == "coordinator")).first()
        inside = db.session.scalars(
            db.select(Venue).where(Venue.category == "rental_housing").order_by(Venue.venue_id)
        ).first()
        outside = db.session.scalars(
            db.select(Venue).where(Venue.category == "small_shop").order_by(Venue.venue_id)
        ).first()
        campaign = declare_campaign(
            coordinator,
            name="出租屋专项排查",
            start=TODAY - dt.timedelta(days=2),
            end=TODAY + dt.timedelta(days=5),
            categories=["出租屋"],
            grids=[inside.grid_id],
            checklist="电动车是否进楼入户\n<b>楼道</b>是否堆物",
            rules=app.extensions["patrol"].rules,
        )
        ids = {"campaign": campaign.id, "inside": inside.venue_id, "outside": outside.venue_id}
        where = {v.venue_id: (v.lon, v.lat) for v in (inside, outside)}
    add_to_day(app, TODAY, "T03", ids["inside"], ids["outside"])
    world["where"].update(where)
    return ids


def test_a_stop_in_a_running_campaign_shows_its_checklist_and_the_ticks_are_stored(app, client, world, sweep):
    from ledger.field_models import FieldVisit
    from ledger.models import db

    day = client.get("/api/v1/teams/T03/today", headers=world["tokens"]["coord"]).get_json()
    stops = {s["venue_id"]: s for s in day["stops"]}
    assert stops[sweep["inside"]]["campaigns"] == [
        {
            "campaign_id": sweep["campaign"],
            "name": "出租屋专项排查",
            "end": (TODAY + dt.timedelta(days=5)).isoformat(),
            "items": ["电动车是否进楼入户", "<b>楼道</b>是否堆物"],
            "hazard_types": [],  # declared without hazard types in focus
        }
    ]
    assert (
        stops[sweep["outside"]]["campaigns"] == [] and stops[sweep["inside"]]["checklist"]
    )  # the category's, as before
    ticked = [{"campaign_id": sweep["campaign"], "items": ["<b>楼道</b>是否堆物"]}]
    body = result_body(world, sweep["inside"], with_notice=False, hazards=[], team_id="T03", campaign_checklist=ticked)
    auth = {**world["tokens"]["coord"], "Idempotency-Key": "campaign-ticks-1"}
    first = client.post("/api/v1/results", json=body, headers=auth)
    assert first.status_code == 201, first.get_data(as_text=True)
    before = counts(app)
    assert client.post("/api/v1/results", json=body, headers=auth).get_json() == first.get_json()  # once per key
    assert counts(app) == before
    with app.app_context():
        visit = db.session.scalars(
            db.select(FieldVisit).where(FieldVisit.inspection_id == first.get_json()["inspection"]["id"])
        ).one()
        assert visit.campaign_checklist == [
            {"campaign_id": sweep["campaign"], "name": "出租屋专项排查", "items": ["<b>楼道</b>是否堆物"]}
        ]
        assert visit.checklist == body["checklist"]  # the category's ticks beside them


@pytest.mark.parametrize(
    ("venue", "ticked", "field"),
    [
        (
            "outside",
            [{"campaign_id": "own", "items": ["电动车是否进楼入户"]}],
            "campaign_checklist[0].campaign_id",
        ),  # not in scope
        ("inside", [{"campaign_id": 99999, "items": ["电动车是否进楼入户"]}], "campaign_checklist[0].campaign_id"),
        ("inside", [{"campaign_id": "own", "items": ["自己加的一项"]}], "campaign_checklist[0].items"),
        ("inside", [{"campaign_id": "own", "items": "电动车是否进楼入户"}], "campaign_checklist[0].items"),
        ("inside", [{"items": ["电动车是否进楼入户"]}], "campaign_checklist[0].campaign_id"),
        ("inside", {"campaign_id": "own"}, "campaign_checklist"),
    ],
)
def test_a_tick_of_no_running_campaign_item_is_refused_naming_it_and_writes_nothing(
    app, client, world, sweep, venue, ticked, field
):
    ticked = (
        ticked
        if isinstance(ticked, dict)
        else [{**t, "campaign_id": sweep["campaign"]} if t.get("campaign_id") == "own" else t for t in ticked]
    )
    body = result_body(world, sweep[venue], with_notice=False, hazards=[], team_id="T03", campaign_checklist=ticked)
    before = counts(app)
    response = client.post("/api/v1/results", json=body, headers=world["tokens"]["coord"])
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["field"] == field
    assert counts(app) == before


def test_a_scanned_venue_code_is_a_check_in_without_a_position(app, client, world):
    from ledger.field import venue_token

    body = result_body(
        world,
        "V0102",
        with_notice=False,
        outcome="closed_door",
        hazards=[],
        checkin={"method": "qr", "qr_token": venue_token(app.config["SECRET_KEY"], "V0102")},
    )
    response = client.post("/api/v1/results", json=body, headers=world["tokens"]["patrol1"])
    assert response.status_code == 201
    assert response.get_json()["checkin"] == {"method": "qr", "distance_m": None, "far": False, "accuracy_m": None}


def test_no_check_in_at_all_is_flagged(app, client, world):
    body = result_body(world, "V0103", with_notice=False, hazards=[], checkin=None)
    response = client.post("/api/v1/results", json=body, headers=world["tokens"]["patrol1"])
    assert response.status_code == 201 and response.get_json()["checkin"]["far"] is True


def test_a_notice_is_a_page_and_a_pdf_for_its_team_only(app, client, world):
    from ledger.field_models import Notice
    from ledger.models import db
    from web_helpers import login

    with app.app_context():
        notice_id = db.session.scalars(db.select(Notice.id).order_by(Notice.id)).first()
    login(client, "patrol1")
    page = client.get(f"/notices/{notice_id}")
    assert page.status_code == 200 and "隐患整改通知书" in page.get_data(as_text=True)
    assert "楼道堆物 &lt;b&gt;" in page.get_data(as_text=True)  # the description, escaped
    pdf = client.get(f"/notices/{notice_id}?format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = _pdf_text(pdf.data)
    assert "隐患整改通知书" in text and "王五" in text
    client.post("/logout")


def _pdf_text(data: bytes) -> str:
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True, check=True).stdout


def test_the_replan_is_for_coordinators_and_needs_a_plan_with_its_files(app, client, world):
    assert client.post("/api/v1/replan", json={}, headers=world["tokens"]["patrol1"]).status_code == 403
    response = client.post("/api/v1/replan", json={"at": "11:00"}, headers=world["tokens"]["coord"])
    assert response.status_code == 400 and response.get_json()["field"] == "day"  # the fixture's plan has no files
    for at in ("25:00", "24:00", "11:60", "11h"):  # a moment of the day (24:00 only ends a shift)
        response = client.post("/api/v1/replan", json={"at": at}, headers=world["tokens"]["coord"])
        assert response.status_code == 400 and response.get_json()["field"] == "at", at
    for at in ("11：00", "9:05", "11:00:30"):  # read as every other clock time is (gis.timeparse.parse_hhmm)
        response = client.post("/api/v1/replan", json={"at": at}, headers=world["tokens"]["coord"])
        assert response.status_code == 400 and response.get_json()["field"] == "day", at


def test_the_live_boards_replan_time_is_the_minute_it_is(app, client):
    """10:59:50 is 10:59 on the board (the re-plan's default 'from'), never a rounded 11:00 or 24:00."""
    from web_helpers import login

    login(client, "coord")
    for now, shown in (("10:59:50", "10:59"), ("23:59:45", "23:59"), ("08:05", "08:05")):
        app.config["NOW"] = now
        try:
            page = client.get("/live").get_data(as_text=True)
        finally:
            app.config.pop("NOW")
        assert f'id="replan-at" value="{shown}"' in page, now


def test_the_openapi_document_has_the_field_endpoints_and_who_may_call_them(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/teams/{team_id}/today",
        "/api/v1/results",
        "/api/v1/files/{file_id}",
        "/api/v1/live",
        "/api/v1/replan",
    ):
        operation = next(iter(paths[path].values()))
        assert "x-permissions" in operation and operation["responses"]
    assert "patrol: its own team" in paths["/api/v1/results"]["post"]["x-permissions"]


def test_the_live_stream_brings_a_result_and_does_not_block_other_requests(app, live_server, world):
    from ledger.field_models import FieldEvent
    from ledger.models import db

    app.config["LIVE_STREAM_S"] = 20
    token = world["tokens"]["coord"]
    with app.app_context():
        last = db.session.scalar(db.select(db.func.max(FieldEvent.id))) or 0
    stream = urllib.request.urlopen(
        urllib.request.Request(f"{live_server}/api/v1/live?after={last}", headers=token), timeout=30
    )
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    assert stream.readline().startswith(b"retry:")
    got: list[dict] = []

    def read() -> None:
        kind = None
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: ") and kind == "result":
                got.append(json.loads(line[6:]))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    # while the stream is open, other requests are answered (the server is threaded)
    other = urllib.request.urlopen(
        urllib.request.Request(f"{live_server}/api/v1/teams/T01/today", headers=token), timeout=10
    )
    assert other.status == 200
    body = json.dumps(result_body(world, "V0102", north_m=400, with_notice=False)).encode()
    post = urllib.request.Request(
        f"{live_server}/api/v1/results",
        data=body,
        method="POST",
        headers={**world["tokens"]["patrol1"], "Content-Type": "application/json"},
    )
    assert urllib.request.urlopen(post, timeout=30).status == 201
    reader.join(timeout=15)
    stream.close()
    assert got and got[0]["venue_id"] == "V0102" and got[0]["far"] is True
    assert got[0]["team"]["team_id"] == "T01" and "V0102" in got[0]["team"]["flags"]["far"]


def test_a_patrols_stream_has_only_its_own_teams_events(app, client, world):
    from ledger.field import add_event
    from ledger.transaction import transaction

    app.config["LIVE_STREAM_S"] = 1.5
    with app.app_context(), transaction():
        add_event(TODAY, "replan", {"plan_id": 1, "order": ["V0201"]}, team_id="T02")
        add_event(TODAY, "replan", {"plan_id": 1, "order": STOPS}, team_id="T01")
    text = client.get("/api/v1/live", headers=world["tokens"]["patrol2"]).get_data(as_text=True)
    assert '"team_id": "T02"' in text and '"team_id": "T01"' not in text
    assert client.get("/api/v1/live", headers=world["tokens"]["viewer"]).status_code == 403
    assert client.get("/api/v1/live", headers={**world["tokens"]["coord"], "Last-Event-ID": "x"}).status_code == 400


_text = st.text(max_size=8)
_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.floats(allow_nan=True), _text)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "day": st.one_of(st.sampled_from([TODAY.isoformat(), "2026-13-01", "x"]), _scalar),
        "team_id": st.one_of(st.sampled_from(["T01", "T02", ""]), _scalar),
        "venue_id": st.one_of(st.sampled_from(STOPS + ["V0201", "NOPE"]), _scalar),
        "outcome": st.one_of(st.sampled_from(["done", "refused", "closed_door", "x"]), _scalar),
        "checklist": st.one_of(
            st.lists(st.one_of(st.sampled_from(["fire_lane_blocked"]), _scalar), max_size=2), _scalar
        ),
        "checkin": st.one_of(
            _scalar,
            st.fixed_dictionaries(
                {},
                optional={
                    "method": st.one_of(st.sampled_from(["gps", "qr", "none"]), _scalar),
                    "lon": _scalar,
                    "lat": _scalar,
                    "accuracy_m": _scalar,
                    "at": st.one_of(st.sampled_from([f"{TODAY}T08:00:00+08:00"]), _scalar),
                    "qr_token": _scalar,
                },
            ),
        ),
        "hazards": st.one_of(
            _scalar,
            st.lists(
                st.one_of(
                    _scalar,
                    st.fixed_dictionaries(
                        {"type": st.one_of(st.sampled_from(["escape_route_clutter"]), _scalar)},
                        optional={
                            "photos": st.one_of(
                                _scalar,
                                st.lists(
                                    st.one_of(
                                        _scalar,
                                        st.sampled_from(
                                            [
                                                data_url(picture()),
                                                "data:image/png;base64,AAAA",
                                                "data:image/png;base64,",
                                            ]
                                        ),
                                    ),
                                    max_size=2,
                                ),
                            )
                        },
                    ),
                ),
                max_size=2,
            ),
        ),
        "campaign_checklist": st.one_of(
            _scalar,
            st.lists(
                st.one_of(
                    _scalar,
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "campaign_id": st.one_of(st.integers(0, 3), _scalar),
                            "items": st.one_of(_scalar, st.lists(_scalar, max_size=2)),
                        },
                    ),
                ),
                max_size=2,
            ),
        ),
        "notice": st.one_of(
            _scalar,
            st.fixed_dictionaries(
                {},
                optional={
                    k: st.one_of(_scalar, st.just("x"))
                    for k in ("measure", "responsible_unit", "responsible_person", "standard", "signer")
                }
                | {
                    "deadline": st.one_of(_scalar, st.just(TODAY.isoformat())),
                    "signature": st.one_of(_scalar, st.just(data_url(picture("PNG"), "image/png"))),
                },
            ),
        ),
    },
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_any_field_result_is_recorded_or_refused_cleanly(app, client, world, body):
    before = counts(app)
    response = client.post("/api/v1/results", json=body, headers=world["tokens"]["patrol1"])
    assert response.status_code in (201, 400, 403), response.get_data(as_text=True)[-800:]
    if response.status_code != 201:
        assert counts(app) == before and response.get_json()["field"]


def test_a_coordinator_picks_one_of_the_teams_in_use_on_the_phone(app, client):
    import re

    from ledger.models import Team, db
    from ledger.transaction import transaction
    from web_helpers import login

    with app.app_context(), transaction():
        db.session.get(Team, "T03").retired = True
    try:
        login(client, "coord")
        page = client.get("/m/").get_data(as_text=True)
    finally:
        with app.app_context(), transaction():
            db.session.get(Team, "T03").retired = False
    assert re.findall(r'href="/m/\?team=(\w+)"', page) == ["T01", "T02", "T04", "T05", "T06"]


def test_the_phone_app_speaks_chinese_first_and_english_when_asked(app, client, world):
    import re
    from pathlib import Path

    from web_helpers import login

    login(client, "patrol1")
    page = client.get("/m/").get_data(as_text=True)
    assert 'class="big">在此签到</button>' in page and ">待上传: 0</span>" in page
    strings = json.loads(re.search(r'id="field-strings"[^>]*>(.*?)</script>', page, re.S).group(1))
    untranslated = [k for k, v in strings.items() if v == k]
    assert untranslated == [], untranslated  # every word the phone's script shows has its Chinese
    templates = Path(__file__).resolve().parents[2] / "webmap" / "templates" / "field"
    msgids = {
        m.replace("\\'", "'")
        for f in templates.glob("*.html")
        for m in re.findall(r"_\('((?:[^'\\]|\\.)*)'\)", f.read_text())
    }
    from flask_babel import force_locale, gettext

    with app.test_request_context("/"), force_locale("zh_Hans_CN"):
        assert [m for m in sorted(msgids) if gettext(m) == m] == []
    english = client.get("/m/?lang=en").get_data(as_text=True)
    assert 'class="big">Check in here</button>' in english
    client.get("/m/?lang=zh")
    client.post("/logout")


def test_venue_codes_and_the_accounts_page_use_the_public_address(app, client, world):
    from ledger.field import venue_token
    from web_helpers import login

    login(client, "coord")
    app.config["PUBLIC_URL"] = ""
    page = client.get("/venues/V0101/checkin-code").get_data(as_text=True)
    assert 'id="no-public-url"' in page and "http://localhost/m/?checkin=V0101" in page
    assert "未设置 PUBLIC_URL" in client.get("/account").get_data(as_text=True)
    app.config["PUBLIC_URL"] = "https://patrol.example.cn"
    try:
        page = client.get("/venues/V0101/checkin-code").get_data(as_text=True)
        code = venue_token(app.config["SECRET_KEY"], "V0101")
        assert f"https://patrol.example.cn/m/?checkin=V0101&amp;c={code}" in page and 'id="no-public-url"' not in page
        assert "<code>https://patrol.example.cn</code>" in client.get("/account").get_data(as_text=True)
    finally:
        app.config["PUBLIC_URL"] = ""
        client.post("/logout")
    login(client, "patrol1")
    assert client.get("/venues/V0101/checkin-code").status_code == 403
    client.post("/logout")


def test_a_hazards_page_shows_its_field_photos_to_its_team(app, client, world):
    from ledger.field_models import FieldFile
    from ledger.models import db
    from web_helpers import login

    with app.app_context():
        photo = db.session.scalars(
            db.select(FieldFile).where(FieldFile.kind == "photo", FieldFile.team_id == "T01")
        ).first()
        hazard_id, file_id = photo.hazard_id, photo.id
    for user, shown in (("patrol1", True), ("coord", True), ("viewer", False)):
        login(client, user)
        page = client.get(f"/hazards/{hazard_id}").get_data(as_text=True)
        assert (f"/api/v1/files/{file_id}" in page) is shown, user
        client.post("/logout")


def test_the_board_says_which_stops_are_late_against_the_plan(app, client, world):
    app.config["NOW"] = "10:30"
    try:
        state = client.get("/api/v1/live/state", headers=world["tokens"]["coord"]).get_json()
    finally:
        app.config.pop("NOW")
    t02 = next(t for t in state["teams"] if t["team_id"] == "T02")
    assert t02["late"] == ["V0201"] and t02["done"] == 0 and t02["remaining"] == 1 and t02["next"] == "V0201"
    t01 = next(t for t in state["teams"] if t["team_id"] == "T01")
    assert t01["done"] + t01["remaining"] == len(STOPS)
    assert client.get("/api/v1/live/state", headers=world["tokens"]["patrol1"]).status_code == 403


replans = st.fixed_dictionaries(
    {},
    optional={
        "at": st.one_of(_scalar, st.sampled_from(["10:00", "9:5", "24:00"])),
        "drop": st.one_of(_scalar, st.lists(_scalar, max_size=3)),
    },
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(replans, _scalar, st.lists(_scalar, max_size=2)))
def test_any_replan_body_is_refused_cleanly(app, client, world, body):
    """The fixture's day has no plan files, so every body is refused: with the field named, nothing written."""
    before = counts(app)
    response = client.post("/api/v1/replan", json=body, headers=world["tokens"]["coord"])
    assert response.status_code == 400, response.get_data(as_text=True)[-500:]
    assert response.get_json()["field"] and counts(app) == before

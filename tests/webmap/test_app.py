"""The web app through its pages and API (Flask test client), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from web_helpers import (
    PASSWORDS,
    TODAY,
    add_to_day,
    counted_sheet_drawings,
    csrf_token,
    login,
    post_form,
    table_counts,
    wait_for_plan,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
def test_first_start_loaded_the_demo_and_pages_need_a_login(app, client):
    counts = table_counts(app)
    assert counts["grid"] == 37 and counts["venue"] == 590 and counts["team"] == 6 and counts["hazard"] == 150
    assert counts["person"] == 24  # four roles per team
    from ledger.lifecycle import FIVE_FIELDS
    from ledger.models import Hazard, db

    with app.app_context():  # the demo keeps its own rule: past rectification, the 五落实 are all there
        past = db.session.scalars(db.select(Hazard).where(Hazard.status.in_(("rectifying", "feedback",
                                                                             "closed")))).all()
        assert past and not [h.hazard_id for h in past if any(getattr(h, f) in (None, "") for f in FIVE_FIELDS)]
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/venues").status_code == 401
    bad = client.post("/login",
                      data={"username": "coord", "password": "wrong",
                            "csrf_token": csrf_token(client.get("/login").get_data(as_text=True))})
    assert bad.status_code == 200 and "coord" not in bad.get_data(as_text=True).split("<main>")[0]


def test_forms_need_the_csrf_token(app, client):
    login(client, "coord")
    refused = client.post("/plan", data={"date": "2026-11-23"})
    assert refused.status_code == 400 and "表单已过期" in refused.get_data(as_text=True)
    app.config["SESSION_COOKIE_SECURE"] = True  # as served: over plain http the browser drops the session cookie
    try:
        plain = app.test_client().post("/login", data={"username": "coord", "password": "x"})
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert plain.status_code == 400 and "PATROL_INSECURE_COOKIES=1" in plain.get_data(as_text=True)


@pytest.mark.parametrize(("user", "url", "method"), [
    ("viewer", "/plan", "get"), ("viewer", "/import", "get"), ("viewer", "/stops/2026-11-23/T01/V0001", "get"),
    ("patrol1", "/stops/2026-11-23/T02/V0001", "get"), ("patrol1", "/import", "get"), ("patrol1", "/plan", "get"),
])
def test_roles_are_checked_on_every_route(client, user, url, method):
    login(client, user)
    assert getattr(client, method)(url).status_code == 403


def test_viewer_is_refused_an_edit_but_reads_maps_and_reviews(client):
    login(client, "viewer")
    page = client.get("/hazards/H0001").get_data(as_text=True)
    assert 'id="advance"' not in page
    assert client.post("/hazards/H0001", data={"action": "report", "csrf_token": csrf_token(page)}).status_code == 403
    for url in ("/map", "/review?period=month", "/ledger/problems"):
        assert client.get(url).status_code == 200


def _venues_csv(rows: int, bad_row: int | None = None) -> bytes:
    demo = pd.read_csv(DEMO / "venues.csv", dtype=str).head(rows).copy()
    demo["venue_id"] = [f"N{k:03d}" for k in range(rows)]
    if bad_row is not None:
        demo.loc[bad_row - 2, "category"] = "小饭店"  # Excel row numbers: the header is row 1
    return demo.to_csv(index=False).encode("utf-8")


def test_rejected_import_leaves_every_table_unchanged(app, client):
    login(client, "coord")
    before = table_counts(app)
    response = post_form(client, "/import",
                         {"kind": "venues", "file": (io.BytesIO(_venues_csv(60, bad_row=40)), "new_venues.csv")},
                         content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "new_venues.csv 第 40 行" in text and "category" in text and "小餐饮" in text
    assert table_counts(app) == before


def _sixty(kind: str) -> pd.DataFrame:
    """60 rows of a demo table under new ids (teams: the six demo teams repeated)."""
    demo = pd.read_csv(DEMO / f"{kind}.csv", dtype=str, keep_default_na=False)
    rows = pd.concat([demo] * (60 // len(demo) + 1)).head(60).reset_index(drop=True)
    if kind == "teams":
        rows["team_id"] = [f"N{k:02d}" for k in range(60)]
    if kind == "hazards":
        rows["hazard_id"] = [f"NH{k:02d}" for k in range(60)]
    return rows


def _bad_grids() -> bytes:
    grids = json.loads((DEMO / "grids.geojson").read_text(encoding="utf-8"))
    for k, feature in enumerate(grids["features"]):
        feature["properties"]["grid_id"] = f"NG{k:02d}"
    grids["features"][29]["geometry"] = None
    return json.dumps(grids, ensure_ascii=False).encode()


def _bad_table(kind: str, field: str, value: str) -> bytes:
    rows = _sixty(kind)
    rows.loc[40 - 2, field] = value  # Excel row 40: the header is row 1
    return rows.to_csv(index=False).encode("utf-8")


@pytest.mark.parametrize(("kind", "name", "data", "where"), [
    ("grids", "新网格.geojson", _bad_grids, "新网格.geojson 第 30 个要素：geometry"),
    ("teams", "teams60.csv", lambda: _bad_table("teams", "roles", "wizard"), "teams60.csv 第 40 行：roles"),
    ("hazards", "hazards60.csv", lambda: _bad_table("hazards", "type", "外星人入侵"), "hazards60.csv 第 40 行：type"),
    ("inspections", "inspections60.csv", lambda: _bad_table("inspections", "outcome", "maybe"),
     "inspections60.csv 第 40 行：outcome"),
])
def test_each_kind_of_rejected_import_changes_nothing(app, client, kind, name, data, where):
    login(client, "coord")
    before = table_counts(app)
    response = post_form(client, "/import", {"kind": kind, "file": (io.BytesIO(data()), name)},
                         content_type="multipart/form-data")
    assert response.status_code == 400
    assert where in response.get_data(as_text=True)
    assert table_counts(app) == before


def test_good_import_adds_rows(app, client):
    login(client, "coord")
    before = table_counts(app)["venue"]
    response = post_form(client, "/import", {"kind": "venues", "file": (io.BytesIO(_venues_csv(5)), "five.csv")},
                         content_type="multipart/form-data")
    assert response.status_code == 200
    assert table_counts(app)["venue"] == before + 5


def test_patrol_records_a_hazard_and_it_goes_through_the_closed_loop(app, client):
    from ledger.models import HazardEvent, Inspection, Venue, db

    add_to_day(app, "2026-11-22", "T01", "V0010")
    login(client, "patrol1")
    url = "/stops/2026-11-22/T01/V0010"
    photo = (io.BytesIO(_picture("PNG")), "scene.png")
    saved = post_form(client, url, {"outcome": "done", "hazard_type": "fire_lane_blocked", "severity": "major",
                                    "description": "消防通道被杂物堵塞", "photo": photo},
                                    content_type="multipart/form-data")
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Venue, "V0010").last_inspected == dt.date(2026, 11, 22)
        from ledger.models import Hazard

        h = db.session.scalars(db.select(Hazard).where(Hazard.venue_id == "V0010",
                                                       Hazard.type == "fire_lane_blocked")).one()
        assert h.status == "found" and h.supervised and h.photo
        hid = h.hazard_id
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    login(client, "coord")
    page = f"/hazards/{hid}"
    assert post_form(client, page, {"action": "report"}).status_code == 302
    refused = post_form(client, page, {"action": "rectify", "measure": "清理杂物"})
    assert refused.status_code == 400 and "responsible_unit" in refused.get_data(as_text=True)
    early = post_form(client, page, {"action": "close"})
    # closing waits for the feedback
    assert early.status_code == 400 and "经复查才能销号" in early.get_data(as_text=True)
    five = {"measure": "清理杂物，设置禁停标志", "responsible_unit": "物业公司", "responsible_person": "王经理",
            "deadline": "2026-11-25", "standard": "通道净宽不小于4米"}
    assert post_form(client, page, {"action": "rectify", **five}).status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert all(value in shown for value in five.values()) and "整改中" in shown
    assert post_form(client, page, {"action": "feedback"}).status_code == 302
    assert post_form(client, page,
                     {"action": "close", "recheck_on": "2026-11-22", "notes": "复查合格"}).status_code == 302
    with app.app_context():
        h = db.session.get(Hazard, hid)
        assert h.status == "closed" and h.closed_on == dt.date(2026, 11, 22) and h.measure.startswith("清理")
        events = db.session.scalars(db.select(HazardEvent).where(HazardEvent.hazard_id == hid)
                                    .order_by(HazardEvent.id)).all()
        assert [e.action for e in events] == ["found", "supervise", "report", "rectify", "feedback", "close"]
        assert {e.user for e in events} == {"patrol1", "coord"}
        assert db.session.scalars(db.select(Inspection).where(Inspection.recheck_of == hid)).one().outcome == "done"
        events[0].user = "someone else"
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()
    closed = client.get("/ledger/closed").get_data(as_text=True)
    assert hid in closed


def test_results_cannot_be_recorded_for_a_future_day(client):
    login(client, "patrol1")
    response = post_form(client, "/stops/2026-11-23/T01/V0010", {"outcome": "done"})
    assert response.status_code == 400 and "是未来的日期" in response.get_data(as_text=True)


def test_front_page_warns_of_deadlines(app, client):
    from ledger.models import Hazard, db

    login(client, "coord")
    with app.app_context():
        open_ = db.session.scalars(db.select(Hazard).where(Hazard.status != "closed")).all()
        overdue = sum(h.deadline < TODAY for h in open_ if h.deadline)
        soon = sum(TODAY <= h.deadline <= TODAY + dt.timedelta(days=3) for h in open_ if h.deadline)
    page = client.get("/").get_data(as_text=True)
    assert re.search(rf'id="n-overdue"[^>]*>{overdue}<', page) and re.search(rf'id="n-soon"[^>]*>{soon}<', page)
    assert page.index('id="n-overdue"') < page.index('id="warnings"')  # the numbers first, then the long list
    assert overdue > 0


def test_ledger_exports_to_excel_and_imports_back(app, client):
    login(client, "coord")
    data = client.get("/ledger/rectification.xlsx").data
    sheet = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["序号", "隐患编号", "场所编号", "场所名称"] and "整改期限" in header
    assert sheet.max_row > 2
    before = table_counts(app)
    response = post_form(client, "/import", {"kind": "hazards", "file": (io.BytesIO(data), "整改台账.xlsx")},
                         content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[-800:]
    assert table_counts(app)["hazard"] == before["hazard"]  # the same ids: updated, not duplicated


def test_plan_in_the_background_is_stored_and_feasible(app, client, tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "tests"))
    from checker import check_plan
    from ledger.models import PlanStop, db
    from ledger.store import export_files

    login(client, "coord")
    response = post_form(client, "/plan",
                         {"date": "2026-11-23", "days": "1", "time_limit": "2", "teams": ["T01", "T02", "T03"]})
    assert response.status_code == 302
    plan_url = response.headers["Location"]
    state = wait_for_plan(client, plan_url)
    assert state["status"] == "done", state["message"]
    assert state["summary"]["teams"] == 3 and state["summary"]["visits"] > 0
    plan_id = int(plan_url.rstrip("/").split("/")[-1])
    with app.app_context():
        stops = db.session.scalars(db.select(PlanStop).where(PlanStop.plan_id == plan_id)).all()
        assert len(stops) == state["summary"]["visits"] and {s.team_id for s in stops} <= {"T01", "T02", "T03"}
        files = export_files(tmp_path / "layers")
    teams = pd.read_csv(files["teams"], dtype=str)
    teams[teams["team_id"].isin(["T01", "T02", "T03"])].to_csv(tmp_path / "teams3.csv", index=False)
    out = Path(app.instance_path) / "plans" / str(plan_id)
    problems = check_plan(out, grids=files["grids"], venues=files["venues"], teams=tmp_path / "teams3.csv",
                          date="2026-11-23", hazards=files["hazards"], inspections=files["inspections"])
    assert problems == []
    page = client.get(plan_url).get_data(as_text=True)
    from webmap.i18n import t

    for reason, n in pd.read_csv(out / "unassigned.csv", dtype=str)["reason"].value_counts().items():
        assert f"{t('unassigned.' + reason)} <b>{n}</b>" in page
    assert f"/plans/{plan_id}/sheets/T03" in page and "/sheets/T04" not in page
    download = client.get(f"/plans/{plan_id}/files/stops.csv")
    assert download.status_code == 200 and download.data.startswith(b"day,team_id,seq")
    download.close()
    drawings = counted_sheet_drawings(monkeypatch)
    sheet = client.get(f"/plans/{plan_id}/sheets/T01").get_data(as_text=True)
    assert drawings == {}  # the team's page is cut from the plan's sheets.html: no sketch or QR code made again
    assert "联合巡查路线单" in sheet and 'id="sheet-T01-2026-11-23"' in sheet and "sheet-T02" not in sheet
    assert "滨江东社区第6网格工作站（" in sheet  # the start point's name survives the database (teams.start_name)
    t01 = sorted((s.seq, s.venue_id) for s in stops if s.team_id == "T01")
    assert f'href="http://localhost/stops/2026-11-23/T01/{t01[0][1]}" class="result-link"' in sheet
    assert sheet.count('class="result-link"') == len(t01)
    # the stored sheets' QR codes open this web app, not a default address
    assert "http://localhost/stops/2026-11-23/T01/…" in (out / "sheets.html").read_text(encoding="utf-8")


def test_api_token_inspections_and_errors(app, client):
    from ledger.models import User, db

    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.username == "patrol1")).one()
        token = user.new_token()
        db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    add_to_day(app, TODAY, "T01", "V0020")
    assert client.get("/api/v1/venues?limit=3", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert len(client.get("/api/v1/venues?limit=3", headers=auth).get_json()) == 3
    made = client.post("/api/v1/inspections",
                       json={"venue_id": "V0020", "team_id": "T01", "outcome": "closed_door"}, headers=auth)
    assert made.status_code == 201 and made.get_json()["outcome"] == "closed_door"
    bad = client.post("/api/v1/inspections",
                      json={"venue_id": "V0020", "team_id": "T01", "outcome": "maybe"}, headers=auth)
    assert bad.status_code == 400
    assert bad.get_json()["field"] == "outcome" and set(bad.get_json()) == {"error", "message", "file", "row", "field"}
    other_team = client.post("/api/v1/inspections", json={"venue_id": "V0020", "team_id": "T02"}, headers=auth)
    assert other_team.status_code == 403
    assert client.post("/api/v1/hazards/H0001/events", json={"action": "report"}, headers=auth).status_code == 403
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and "/api/v1/inspections" in spec["paths"]
    assert json.dumps(spec)


def test_review_and_meeting_pages(client):
    login(client, "viewer")
    page = client.get("/review?period=quarter&by=grid").get_data(as_text=True)
    assert "闭环率" in page and 'id="review-table"' in page and "<svg" in page
    assert "<nav>" not in client.get("/review?period=week&projector=1").get_data(as_text=True)
    pdf = client.get("/review?period=month&format=pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data[:4] == b"%PDF"
    assert "leaflet-heat" not in client.get("/hotspots").get_data(as_text=True)
    frame = client.get("/hotspots/frame").get_data(as_text=True)
    assert "HeatMap" in frame or "heatLayer" in frame
    assert "G26" in client.get("/gaps/frame").get_data(as_text=True)
    assert client.get("/map/frame?community=南岸社区").status_code == 200
    assert client.get("/venues/V0001").status_code == 200


def test_nul_characters_are_a_clear_400(client):
    login(client, "viewer")
    response = client.get("/api/v1/venues?category=a%00b")
    assert response.status_code == 400 and response.get_json()["field"] == "category"
    assert client.get("/map?grid=G%0001").status_code == 400


def test_map_filters_by_group_and_the_language_switch_keeps_the_filters(app, client):
    from gis.rules import DEFAULT_RULES_PATH, Rules
    from ledger.models import Venue, db

    rules = Rules.from_toml(DEFAULT_RULES_PATH)
    with app.app_context():
        rental = [v.venue_id for v in db.session.scalars(db.select(Venue))
                  if rules.categories[v.category].group == "rental"]
    login(client, "viewer")
    frame = client.get("/map/frame?group=rental").get_data(as_text=True)
    hrefs = re.findall(r'"/venues/(V\d+)"', frame)  # each venue's link, once, in the canvas layers' columns
    assert 0 < len(rental) < 590 and sorted(hrefs) == sorted(rental)
    assert '"出租屋"' in frame and "color:#e31a1c;font-size:120%" in frame
    page = client.get("/map?community=南岸社区&group=rental&lang=en").get_data(as_text=True)
    switch = re.search(r'href="([^"]+)" id="lang-switch"', page).group(1)
    assert "group=rental" in switch and "lang=zh" in switch and "community=%E5%8D%97" in switch
    client.get("/?lang=zh")


@pytest.mark.parametrize("statement", ["UPDATE hazard_event SET \"user\" = 'someone else'", "DELETE FROM hazard_event"])
def test_the_database_itself_refuses_to_rewrite_the_audit_trail(app, statement):
    import sqlalchemy as sa

    from ledger.models import db

    with app.app_context():
        before = db.session.execute(sa.text('SELECT COUNT(*), COUNT(DISTINCT "user") FROM hazard_event')).one()
        assert before[0] > 0
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(statement))
        db.session.rollback()
        assert db.session.execute(sa.text('SELECT COUNT(*), COUNT(DISTINCT "user") FROM hazard_event')).one() == before


def test_a_ledger_page_leads_the_coordinator_to_its_import(client):
    login(client, "coord")
    assert 'id="import-ledger"' in client.get("/ledger/problems").get_data(as_text=True)
    page = client.get("/import?kind=hazards").get_data(as_text=True)
    assert '<option value="hazards" selected>' in page and 'id="columns"' in page
    login(client, "viewer")
    assert 'id="import-ledger"' not in client.get("/ledger/problems").get_data(as_text=True)


def test_a_patrol_closes_a_hazard_by_its_re_check_at_the_stop(app, client):
    from ledger.models import Hazard, HazardEvent, Inspection, db

    with app.app_context():
        h = db.session.scalars(db.select(Hazard).where(Hazard.status == "feedback").order_by(Hazard.hazard_id)).first()
        hid, vid = h.hazard_id, h.venue_id
        other = db.session.scalars(db.select(Hazard).where(Hazard.status == "feedback",
                                                           Hazard.venue_id != vid)).first().hazard_id
        count = db.session.scalar(db.select(db.func.count()).select_from(Inspection).where(Inspection.venue_id == vid))
    add_to_day(app, "2026-11-22", "T01", vid)
    login(client, "patrol1")
    url = f"/stops/2026-11-22/T01/{vid}"
    assert f'id="fixed-{hid}"' in client.get(url).get_data(as_text=True)
    assert post_form(client, url, {"outcome": "closed_door", "fixed": hid}).status_code == 400
    wrong = post_form(client, url, {"outcome": "done", "fixed": other})
    assert wrong.status_code == 400 and "（字段：fixed）" in wrong.get_data(as_text=True)
    assert post_form(client, url, {"outcome": "done", "fixed": hid, "notes": "已整改到位"}).status_code == 302
    with app.app_context():
        h = db.session.get(Hazard, hid)
        assert h.status == "closed" and h.closed_on == dt.date(2026, 11, 22)
        last = db.session.scalars(db.select(HazardEvent).where(HazardEvent.hazard_id == hid)
                                  .order_by(HazardEvent.id.desc())).first()
        assert (last.action, last.user) == ("close", "patrol1")
        added = db.session.scalars(db.select(Inspection).where(Inspection.venue_id == vid)
                                   .order_by(Inspection.id.desc())).all()
        assert len(added) == count + 1  # the re-check is the stop's one inspection
        assert (added[0].recheck_of, added[0].team_id, added[0].notes) == (hid, "T01", "已整改到位")


def test_a_shapefile_of_grids_uploads_as_its_parts(app, client, tmp_path):
    import geopandas as gpd

    grids = gpd.read_file(DEMO / "grids.geojson")
    grids.to_file(tmp_path / "网格.shp", encoding="utf-8")
    parts = sorted(tmp_path.glob("网格.*"))
    assert {p.suffix for p in parts} >= {".shp", ".shx", ".dbf", ".prj"}
    login(client, "coord")
    before = table_counts(app)
    files = [(io.BytesIO(p.read_bytes()), p.name) for p in parts]
    response = post_form(client, "/import", {"kind": "grids", "file": files}, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[-600:]
    assert "grids: 37" in response.get_data(as_text=True) and table_counts(app) == before


def test_two_files_of_one_kind_are_refused(app, client):
    login(client, "coord")
    before = table_counts(app)
    csv = (DEMO / "inspections.csv").read_bytes()
    files = [(io.BytesIO(csv), "a.csv"), (io.BytesIO(csv), "b.csv")]
    response = post_form(client, "/import", {"kind": "inspections", "file": files}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "一次只能导入一个 inspections 文件，不能 2 个" in page
    assert table_counts(app) == before


def _picture(kind: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize(("content", "refused"), [
    (_picture("JPEG"), None),
    (_picture("PNG"), None),
    (_picture("WEBP"), None),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "是 HEIC/HEIF 图片（iPhone 相机的格式），浏览器无法显示"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "内容不是 JPEG、PNG 或 WebP 图片"),  # a JPEG's first bytes only
    (b"<html><script>alert(1)</script>", "内容不是 JPEG、PNG 或 WebP 图片"),
    (b"", "图片为空"),
])
def test_a_photo_must_be_a_picture_by_its_content(app, client, content, refused):
    add_to_day(app, "2026-11-22", "T01", "V0011")
    login(client, "patrol1")
    photo = (io.BytesIO(content), "现场.jpg")
    response = post_form(client, "/stops/2026-11-22/T01/V0011", {"outcome": "done", "hazard_type": "fire_lane_blocked",
                                                                "description": "通道堆物", "photo": photo},
                         content_type="multipart/form-data")
    assert response.status_code == (302 if refused is None else 400)
    if refused is not None:
        page = response.get_data(as_text=True)
        assert "（字段：photo）" in page and f"照片 &#39;现场.jpg&#39;：{refused}" in page


def test_too_many_wrong_passwords_make_the_account_wait(app, client):
    from webmap.throttle import LoginThrottle

    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "127.0.0.7"

    def attempt(c, password: str):
        page = c.get("/login").get_data(as_text=True)
        return c.post("/login", data={"username": "viewer", "password": password, "csrf_token": csrf_token(page)})

    for _ in range(app.config["LOGIN_ATTEMPTS"]):
        assert "用户名或密码错误" in attempt(guesser, "wrong").get_data(as_text=True)
    refused = attempt(guesser, PASSWORDS["viewer"])  # even the right password waits now
    assert refused.status_code == 429 and "15 分钟后再试" in refused.get_data(as_text=True)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "127.0.0.8"
    assert attempt(other, PASSWORDS["viewer"]).status_code == 302  # the user at their own desk is not locked out
    assert attempt(guesser, "/").status_code == 429
    from ledger.models import User, db

    login(client, "coord")  # a coordinator resets the password: the wait is forgiven
    with app.app_context():
        uid = db.session.scalars(db.select(User.id).where(User.username == "viewer")).one()
    reset = post_form(client, "/users", {"action": "reset", "user_id": str(uid)}).get_data(as_text=True)
    fresh = re.search(r'id="shown-password">([^<]+)<', reset).group(1)
    assert attempt(guesser, fresh).status_code == 302
    with app.app_context():  # put it back for the other tests of this module
        db.session.scalars(db.select(User).where(User.username == "viewer")).one().set_password(PASSWORDS["viewer"])
        db.session.commit()

    now = [0.0]
    throttle = LoginThrottle(limit=2, window_s=60, clock=lambda: now[0])
    throttle.failed("Viewer", "a")
    throttle.failed("viewer", "a")
    assert throttle.wait_s("viewer", "a") == 60 and throttle.wait_s("viewer", "b") == 0
    now[0] = 61.0
    assert throttle.wait_s("viewer", "a") == 0  # the wait is over
    throttle.failed("viewer", "a")
    throttle.succeeded("viewer", "a")
    assert throttle.wait_s("viewer", "a") == 0


def test_login_sends_only_to_pages_of_this_site(app):
    c = app.test_client()
    for target, expected in (("/ledger/problems", "/ledger/problems"), ("//evil.example/x", "/"),
                             ("/\\evil.example", "/"), ("https://evil.example/", "/")):
        page = c.get("/login").get_data(as_text=True)
        response = c.post(f"/login?next={target}", data={"username": "viewer", "password": PASSWORDS["viewer"],
                                                          "csrf_token": csrf_token(page)})
        assert response.status_code == 302 and response.headers["Location"] == expected, target
        c.post("/logout", data={"csrf_token": csrf_token(c.get("/").get_data(as_text=True))})

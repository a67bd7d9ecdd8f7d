"""The web app through its pages and API (Flask test client), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from .helpers import TODAY, csrf_token, login, post_form

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
TABLES = ("grid", "venue", "team", "person", "inspection", "hazard", "hazard_event", "plan", "stop", "user")


def table_counts(app) -> dict[str, int]:
    from ledger.models import db

    with app.app_context():
        return {t: db.session.execute(db.text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in TABLES}


def test_first_start_loaded_the_demo_and_pages_need_a_login(app, client):
    counts = table_counts(app)
    assert counts["grid"] == 37 and counts["venue"] == 590 and counts["team"] == 6 and counts["hazard"] == 150
    assert counts["person"] == 24  # four roles per team
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/venues").status_code == 401
    bad = client.post("/login", data={"username": "coord", "password": "wrong", "csrf_token": csrf_token(client.get("/login").get_data(as_text=True))})
    assert bad.status_code == 200 and "coord" not in bad.get_data(as_text=True).split("<main>")[0]


def test_forms_need_the_csrf_token(client):
    login(client, "coord")
    assert client.post("/plan", data={"date": "2026-11-23"}).status_code == 400


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
    response = post_form(client, "/import", {"kind": "venues", "file": (io.BytesIO(_venues_csv(60, bad_row=40)), "new_venues.csv")},
                         content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "new_venues.csv row 40" in text and "category" in text and "小餐饮" in text
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

    login(client, "patrol1")
    url = "/stops/2026-11-22/T01/V0010"
    photo = (io.BytesIO(b"\x89PNG\r\n\x1a\nfake"), "scene.png")
    saved = post_form(client, url, {"outcome": "done", "hazard_type": "fire_lane_blocked", "severity": "major",
                                    "description": "消防通道被杂物堵塞", "photo": photo}, content_type="multipart/form-data")
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Venue, "V0010").last_inspected == dt.date(2026, 11, 22)
        from ledger.models import Hazard

        h = db.session.scalars(db.select(Hazard).where(Hazard.venue_id == "V0010", Hazard.type == "fire_lane_blocked")).one()
        assert h.status == "found" and h.supervised and h.photo
        hid = h.hazard_id
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    login(client, "coord")
    page = f"/hazards/{hid}"
    assert post_form(client, page, {"action": "report"}).status_code == 302
    refused = post_form(client, page, {"action": "rectify", "measure": "清理杂物"})
    assert refused.status_code == 400 and "responsible_unit" in refused.get_data(as_text=True)
    early = post_form(client, page, {"action": "close"})
    assert early.status_code == 400 and "re-check" in early.get_data(as_text=True)
    five = {"measure": "清理杂物，设置禁停标志", "responsible_unit": "物业公司", "responsible_person": "王经理",
            "deadline": "2026-11-25", "standard": "通道净宽不小于4米"}
    assert post_form(client, page, {"action": "rectify", **five}).status_code == 302
    assert post_form(client, page, {"action": "feedback"}).status_code == 302
    assert post_form(client, page, {"action": "close", "recheck_on": "2026-11-22", "notes": "复查合格"}).status_code == 302
    with app.app_context():
        h = db.session.get(Hazard, hid)
        assert h.status == "closed" and h.closed_on == dt.date(2026, 11, 22) and h.measure.startswith("清理")
        events = db.session.scalars(db.select(HazardEvent).where(HazardEvent.hazard_id == hid).order_by(HazardEvent.id)).all()
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
    assert response.status_code == 400 and "future" in response.get_data(as_text=True)


def test_front_page_warns_of_deadlines(app, client):
    from ledger.models import Hazard, db

    login(client, "coord")
    with app.app_context():
        open_ = db.session.scalars(db.select(Hazard).where(Hazard.status != "closed")).all()
        overdue = sum(h.deadline < TODAY for h in open_ if h.deadline)
        soon = sum(TODAY <= h.deadline <= TODAY + dt.timedelta(days=3) for h in open_ if h.deadline)
    page = client.get("/").get_data(as_text=True)
    assert f'id="n-overdue">{overdue}<' in page and f'id="n-soon">{soon}<' in page
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


def test_plan_in_the_background_is_stored_and_feasible(app, client, tmp_path):
    sys.path.insert(0, str(ROOT / "tests"))
    from checker import check_plan
    from ledger.models import PlanStop, db
    from ledger.store import export_files

    login(client, "coord")
    response = post_form(client, "/plan", {"date": "2026-11-23", "days": "1", "time_limit": "2", "teams": ["T01", "T02", "T03"]})
    assert response.status_code == 302
    plan_url = response.headers["Location"]
    for _ in range(120):
        state = client.get(plan_url + "/progress").get_json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.5)
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
    problems = check_plan(out, grids=files["grids"], venues=files["venues"], teams=tmp_path / "teams3.csv", date="2026-11-23",
                          hazards=files["hazards"], inspections=files["inspections"])
    assert problems == []
    download = client.get(f"/plans/{plan_id}/files/stops.csv")
    assert download.status_code == 200 and download.data.startswith(b"day,team_id,seq")
    download.close()
    sheet = client.get(f"/plans/{plan_id}/sheets/T01").get_data(as_text=True)
    assert "联合巡查路线单" in sheet and 'id="sheet-T01-2026-11-23"' in sheet and "sheet-T02" not in sheet
    # the stored sheets' QR codes open this web app, not a default address
    assert "http://localhost/stops/2026-11-23/T01/…" in (out / "sheets.html").read_text(encoding="utf-8")


def test_api_token_inspections_and_errors(app, client):
    from ledger.models import User, db

    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.username == "patrol1")).one()
        token = user.new_token()
        db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/venues?limit=3", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert len(client.get("/api/v1/venues?limit=3", headers=auth).get_json()) == 3
    made = client.post("/api/v1/inspections", json={"venue_id": "V0020", "team_id": "T01", "outcome": "closed_door"}, headers=auth)
    assert made.status_code == 201 and made.get_json()["outcome"] == "closed_door"
    bad = client.post("/api/v1/inspections", json={"venue_id": "V0020", "team_id": "T01", "outcome": "maybe"}, headers=auth)
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
    assert "HeatMap" in client.get("/hotspots/frame").get_data(as_text=True) or "heatLayer" in client.get("/hotspots/frame").get_data(as_text=True)
    assert "G26" in client.get("/gaps/frame").get_data(as_text=True)
    assert client.get("/map/frame?community=南岸社区").status_code == 200
    assert client.get("/venues/V0001").status_code == 200


def test_nul_characters_are_a_clear_400(client):
    login(client, "viewer")
    response = client.get("/api/v1/venues?category=a%00b")
    assert response.status_code == 400 and response.get_json()["field"] == "category"
    assert client.get("/map?grid=G%0001").status_code == 400
